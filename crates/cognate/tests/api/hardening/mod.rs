//! Regression tests for what outside testing found (issue "Hardening and fidelity"): one
//! behaviour per test, at the level where a user meets it.

mod attribute_permissions;
mod bounded_answers;
mod codes_and_csrf;
mod fidelity;
mod fuzz;
mod lockout;
mod operator;
mod postgres_outage;
mod process;
mod signatures;
mod slow_clients;
mod store_under_load;
