//! Rows carry their resource as a JSON document; these helpers convert both ways.

use crate::bound::AnyQuery;
use cognate_core::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;

pub(crate) fn to_doc<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Backend(format!("cannot encode document: {e}")))
}

pub(crate) fn from_row<T: DeserializeOwned>(row: &AnyRow) -> Result<T, StoreError> {
    crate::lookups::doc(row)
}

pub(crate) fn from_rows<T: DeserializeOwned>(rows: &[AnyRow]) -> Result<Vec<T>, StoreError> {
    rows.iter().map(from_row).collect()
}

/// The three shapes most statements take, so each store method is just its SQL and binds.
impl crate::SqlStore {
    /// Runs a statement for its effect.
    pub(crate) async fn run(&self, q: AnyQuery<'_>) -> Result<(), StoreError> {
        q.execute(&self.pool).await.map_err(crate::backend_error)?;
        Ok(())
    }

    /// The documents of every row a query finds.
    pub(crate) async fn all_docs<T: DeserializeOwned>(
        &self,
        q: AnyQuery<'_>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = q
            .fetch_all(&self.pool)
            .await
            .map_err(crate::backend_error)?;
        from_rows(&rows)
    }
}
