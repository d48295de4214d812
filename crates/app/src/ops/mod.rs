//! Tandem's use cases by area, shared by the JSON API and the pages:
//! validation, the rights a use case needs beyond the caller's role, and
//! the store call, so both paths behave the same.

pub mod accounts;
pub mod agile;
pub mod analytics;
pub mod changes;
pub mod comments;
pub mod custom;
pub mod dashboards;
pub mod delivery;
pub mod feeds;
pub mod gonogo;
pub mod interchange;
pub mod mail;
pub mod mywork;
pub mod outlook;
pub mod product;
pub mod project;
pub mod risks;
pub mod rituals;
pub mod search;
pub mod sso;
pub mod syncs;
pub mod views;
pub mod webhooks;
pub mod workspaces;

/// How many items a bulk action changed.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub changed: usize,
}
