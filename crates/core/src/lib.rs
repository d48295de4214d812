//! Tandem's domain: roles, the actions they may take, and validation of the
//! values users send, the product side's objects and formulas, Markdown
//! rendering. Pure: no I/O, no async, no clock.

pub mod access;
pub mod agile;
pub mod analytics;
pub mod calendar_text;
pub mod change;
pub mod change_text;
pub mod custom;
pub mod decision;
pub mod enums;
pub mod export;
pub mod filter;
pub mod ical;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod model;
pub mod money;
pub mod numbers;
pub mod outcomes;
pub mod plan_text;
pub mod prefs;
pub mod product;
pub mod progress;
pub mod project;
pub mod risk;
pub mod rituals;
pub mod role;
pub mod scoring;
pub mod search;
pub mod sync;
pub mod tracking;
pub mod validate;
pub mod views;
pub mod webhook;

pub use access::{Action, ProductAction, ProjectAction, allows, product_allows, project_allows};
pub use model::{Id, Millis};
pub use role::Role;
