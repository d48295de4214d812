//! Search over the index the triggers of migration 0016 keep: SQLite's
//! FTS5 or PostgreSQL's tsvector, ranked, every word a prefix, and only
//! in the workspaces the caller is a member of (every member reads
//! everything in a workspace). The one query that differs per database.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use tandem_core::Id;
use tandem_core::search::{Query, SearchKind};

use crate::activity::subject_label;
use crate::rows::{id, word};
use crate::{Backend, Result, Store};

/// One object found, with what its page needs to name and find it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: Id,
    pub workspace_id: Id,
    /// The product or project it lives in; for a comment or a decision,
    /// its subject's.
    pub scope_id: Option<Id>,
    /// What a comment or a decision is about.
    pub subject_type: Option<String>,
    pub subject_id: Option<Id>,
    /// The subject as people name it (`CKT-7 Card vault`).
    pub subject_label: Option<String>,
    pub key: String,
    pub title: String,
    pub body: String,
}

/// The product or project of a comment's or decision's subject.
const SUBJECT_SCOPE: &str = "CASE e.subject_type \
       WHEN 'product' THEN e.subject_id WHEN 'project' THEN e.subject_id \
       WHEN 'feature' THEN (SELECT x.product_id FROM features x WHERE x.id = e.subject_id) \
       WHEN 'feedback' THEN (SELECT x.product_id FROM feedback x WHERE x.id = e.subject_id) \
       WHEN 'release' THEN (SELECT x.product_id FROM releases x WHERE x.id = e.subject_id) \
       WHEN 'objective' THEN (SELECT x.product_id FROM objectives x WHERE x.id = e.subject_id) \
       WHEN 'key_result' THEN (SELECT o.product_id FROM key_results x JOIN objectives o ON o.id = x.objective_id \
            WHERE x.id = e.subject_id) \
       WHEN 'competitor' THEN (SELECT x.product_id FROM competitors x WHERE x.id = e.subject_id) \
       WHEN 'metric' THEN (SELECT x.product_id FROM metric_series x WHERE x.id = e.subject_id) \
       WHEN 'task' THEN (SELECT x.project_id FROM tasks x WHERE x.id = e.subject_id) \
       WHEN 'risk' THEN (SELECT x.project_id FROM risks x WHERE x.id = e.subject_id) \
       WHEN 'change_request' THEN (SELECT x.project_id FROM change_requests x WHERE x.id = e.subject_id) \
     END";

/// How many of the newest matches are ranked by relevance.
pub const RANKED: i64 = 1000;

fn hit(row: &AnyRow) -> Result<SearchHit> {
    let own: Option<i64> = row.try_get("scope_id")?;
    let subject: Option<i64> = row.try_get("subject_scope")?;
    Ok(SearchHit {
        kind: word(row, "kind", SearchKind::parse)?,
        id: id(row, "object_id")?,
        workspace_id: id(row, "workspace_id")?,
        scope_id: own.or(subject).map(Id),
        subject_type: row.try_get("subject_type")?,
        subject_id: row.try_get::<Option<i64>, _>("subject_id")?.map(Id),
        subject_label: row.try_get("subject_label")?,
        key: row.try_get("key")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
    })
}

impl Store {
    /// The best `limit` objects for `q` among `kinds` (every kind when
    /// empty) in the workspaces `user` is a member of: an exact key
    /// first, then the newest [`RANKED`] matches by rank (key words weigh
    /// most, then the title, then the body), newest first among equals.
    pub async fn search(&self, user: Id, q: &Query, kinds: &[SearchKind], limit: i64) -> Result<Vec<SearchHit>> {
        if q.terms.is_empty() {
            return Ok(Vec::new());
        }
        // The kinds as one ",task,risk," parameter, so each database has
        // one query text whatever the kinds.
        let kind_list: String = kinds.iter().map(|k| format!(",{}", k.as_str())).collect::<String>() + ",";
        let kind_filter = " AND ($5 = ',' OR $5 LIKE '%,' || s.kind || ',%')";
        let members = "s.workspace_id IN (SELECT m.workspace_id FROM memberships m WHERE m.user_id = $2)";
        let within = format!("{members}{kind_filter}");
        // The exact key, then the matches ranked. Ranking reads every
        // match's statistics, so only the newest RANKED matches are ranked:
        // a word in thousands of objects costs what a thousand do.
        let (ranked, text) = match self.backend() {
            Backend::Sqlite => (
                format!(
                    "SELECT s.id, 0 AS exact, -bm25(search_fts, 10.0, 4.0, 1.0, 1.0) AS rank \
                     FROM search_fts JOIN search_entries s ON s.id = search_fts.rowid \
                     WHERE search_fts MATCH $1 AND s.key <> $3 AND {within} \
                       AND search_fts.rowid >= COALESCE((SELECT s.id FROM search_fts \
                           JOIN search_entries s ON s.id = search_fts.rowid \
                           WHERE search_fts MATCH $1 AND {within} \
                           ORDER BY search_fts.rowid DESC LIMIT 1 OFFSET $6), 0)"
                ),
                q.fts5(),
            ),
            Backend::Postgres => (
                format!(
                    "SELECT s.id, 0 AS exact, ts_rank(s.document, to_tsquery('simple', $1)) AS rank \
                     FROM search_entries s \
                     WHERE s.document @@ to_tsquery('simple', $1) AND s.key <> $3 AND {within} \
                       AND s.id >= COALESCE((SELECT s.id FROM search_entries s \
                           WHERE s.document @@ to_tsquery('simple', $1) AND {within} \
                           ORDER BY s.id DESC LIMIT 1 OFFSET $6), 0)"
                ),
                q.tsquery(),
            ),
        };
        let zero = match self.backend() {
            Backend::Sqlite => "0.0",
            Backend::Postgres => "CAST(0 AS REAL)",
        };
        let best = format!(
            "SELECT id, exact, rank FROM ( \
                SELECT s.id, 1 AS exact, {zero} AS rank FROM search_entries s WHERE s.key = $3 AND {within} \
                UNION ALL {ranked}) b \
             ORDER BY exact DESC, rank DESC, id DESC LIMIT $4"
        );
        let sql = format!(
            "SELECT e.kind, e.object_id, e.workspace_id, e.scope_id, e.subject_type, e.subject_id, e.key, e.title, \
                e.body, {SUBJECT_SCOPE} AS subject_scope, {label} \
             FROM ({best}) h JOIN search_entries e ON e.id = h.id \
             ORDER BY h.exact DESC, h.rank DESC, h.id DESC",
            label = subject_label!("e"),
        );
        // Built from constants only; every value is bound.
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(text)
            .bind(user.0)
            .bind(q.key.clone())
            .bind(limit)
            .bind(kind_list)
            .bind(RANKED - 1)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(hit).collect()
    }
}
