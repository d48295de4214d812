//! Tandem's domain: roles, the actions they may take, and validation of the
//! values users send. Pure: no I/O, no async, no clock.

pub mod access;
pub mod decision;
pub mod metrics;
pub mod model;
pub mod role;
pub mod validate;

pub use access::{Action, allows};
pub use model::{Id, Millis};
pub use role::Role;
