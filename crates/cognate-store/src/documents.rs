//! Rows carry their resource as a JSON document; these helpers convert both ways.

use cognate_core::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn to_doc<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Backend(format!("cannot encode document: {e}")))
}

pub(crate) fn from_row<T: DeserializeOwned>(row: &AnyRow) -> Result<T, StoreError> {
    let doc: String = row.try_get("doc").map_err(crate::backend_error)?;
    serde_json::from_str(&doc).map_err(|e| StoreError::Backend(format!("corrupt document: {e}")))
}

pub(crate) fn from_rows<T: DeserializeOwned>(rows: &[AnyRow]) -> Result<Vec<T>, StoreError> {
    rows.iter().map(from_row).collect()
}
