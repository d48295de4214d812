//! Search over everything the caller may read: features, feedback, tasks,
//! risks, defects, change requests, releases, objectives, comments and
//! decisions of their workspaces, each with its page.

use serde::Serialize;
use tandem_core::Id;
use tandem_core::search::{self, DEFAULT_LIMIT, MAX_LIMIT, Query, SearchKind};
use tandem_core::validate::Invalid;
use tandem_store::search::SearchHit;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::{App, links};

/// One object found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchItem {
    #[serde(rename = "type")]
    pub kind: SearchKind,
    pub id: Id,
    pub workspace_id: Id,
    /// `CKT-12`; none for kinds without keys.
    pub key: Option<String>,
    pub title: String,
    /// Plain words around the first match in the object's text.
    pub snippet: String,
    /// The page that shows the object.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchItem>,
}

/// The kinds named in `types` (`task,risk`; blank for all), refused on
/// `type` when one is unknown.
pub fn kinds(types: Option<&str>) -> Result<Vec<SearchKind>, Invalid> {
    let mut out = Vec::new();
    for w in types.unwrap_or("").split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let k = SearchKind::parse(w).ok_or_else(|| {
            let all: Vec<&str> = SearchKind::ALL.iter().map(|k| k.as_str()).collect();
            Invalid::new("type", format!("unknown type \"{w}\"; one of {}", all.join(", ")))
        })?;
        if !out.contains(&k) {
            out.push(k);
        }
    }
    Ok(out)
}

/// The best matches for `text` among `types`, at most `limit` (20 when
/// none, 50 at most), in the workspaces the caller is a member of.
pub async fn search(
    state: &App,
    user: Id,
    text: &str,
    types: Option<&str>,
    limit: Option<i64>,
) -> Result<SearchResults, AppError> {
    let query = Query::parse("q", text)?;
    let kinds = kinds(types)?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let hits = state.store.search(user, &query, &kinds, limit).await?;
    Ok(SearchResults { items: hits.into_iter().map(|h| item(h, &query)).collect() })
}

fn item(h: SearchHit, q: &Query) -> SearchItem {
    let scope = h.scope_id.unwrap_or(h.workspace_id);
    let subject = h.subject_label.clone().unwrap_or_else(|| {
        h.subject_type.as_deref().map_or_else(String::new, |t| tandem_core::enums::humanize(t).to_lowercase())
    });
    let (title, url) = match h.kind {
        SearchKind::Comment => (
            format!("Comment on {subject}"),
            links::page_of(h.subject_type.as_deref().unwrap_or(""), h.subject_id.unwrap_or(h.id), scope),
        ),
        SearchKind::Decision => (
            format!("Decision on {subject}"),
            links::decisions_on(h.workspace_id, h.subject_type.as_deref().unwrap_or(""), h.subject_id.unwrap_or(h.id)),
        ),
        SearchKind::Feedback => {
            let from = if h.title.is_empty() { String::new() } else { format!(" ({})", h.title) };
            (format!("{}{from}", search::excerpt(&h.body, 80)), links::page_of(h.kind.as_str(), h.id, scope))
        }
        _ => (h.title.clone(), links::page_of(h.kind.as_str(), h.id, scope)),
    };
    SearchItem {
        kind: h.kind,
        id: h.id,
        workspace_id: h.workspace_id,
        key: (!h.key.is_empty()).then(|| h.key.clone()),
        title,
        snippet: search::snippet(&h.body, &q.terms, 160),
        url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_as_a_list() {
        assert_eq!(kinds(None).unwrap(), vec![]);
        assert_eq!(kinds(Some("task, risk,task")).unwrap(), vec![SearchKind::Task, SearchKind::Risk]);
        let e = kinds(Some("task,bogus")).unwrap_err();
        assert_eq!(e.field, "type");
        assert!(e.message.contains("\"bogus\"") && e.message.contains("change_request"), "{}", e.message);
    }
}
