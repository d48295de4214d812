//! Saved views: a named filter, grouping and order of one list page, kept
//! as the query the page reads from its address, private to its owner or
//! shared with the workspace.

use serde::Serialize;
use utoipa::ToSchema;

use crate::str_enum;
use crate::validate::{self, Invalid};
use crate::{Id, Millis};

str_enum! {
    /// The list pages a view can be saved on.
    pub enum ViewPage {
        Backlog = "backlog",
        Feedback = "feedback",
        Tasks = "tasks",
        Board = "board",
        Risks = "risks",
        Defects = "defects",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SavedView {
    pub id: Id,
    pub workspace_id: Id,
    pub owner_id: Id,
    pub page: ViewPage,
    pub name: String,
    /// The page's query as its address carries it (`status=open&sort=-score`).
    pub query: String,
    /// Listed for every member of the workspace, not only its owner.
    pub shared: bool,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The longest query a view keeps.
pub const MAX_QUERY_CHARS: usize = 2000;
/// The most views one person keeps in a workspace.
pub const MAX_VIEWS_PER_OWNER: i64 = 200;

/// A view's query: what follows `?` in a page's address, without the `?`
/// or a `#`, printable, at most [`MAX_QUERY_CHARS`]; each part `key=value`
/// with a key.
pub fn query(raw: &str) -> Result<String, Invalid> {
    let q = raw.trim().trim_start_matches('?');
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Invalid::new("query", format!("must be at most {MAX_QUERY_CHARS} characters")));
    }
    if q.chars().any(|c| c.is_control() || c.is_whitespace() || c == '#') {
        return Err(Invalid::new("query", "must be a page's query, as in its address (no spaces or #)"));
    }
    if q.split('&').filter(|p| !p.is_empty()).any(|p| p.split('=').next().is_none_or(str::is_empty)) {
        return Err(Invalid::new("query", "each part must be key=value"));
    }
    Ok(q.to_owned())
}

/// A view's name.
pub fn name(raw: &str) -> Result<String, Invalid> {
    validate::name("name", raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_a_pages_address_query() {
        assert_eq!(query("?status=open&sort=-score").unwrap(), "status=open&sort=-score");
        assert_eq!(query("").unwrap(), "");
        assert!(query("status=open#x").is_err());
        assert!(query("a b=c").is_err());
        assert!(query("=x").is_err());
        assert!(query(&"a=b&".repeat(600)).is_err());
    }
}
