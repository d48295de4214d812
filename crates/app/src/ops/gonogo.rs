//! Release go/no-go: a decision that needs every role the matrix makes
//! accountable for it (the product and the project manager by default).

use serde::{Deserialize, Serialize};
use tandem_core::decision::DecisionKind;
use tandem_core::{Id, Millis, Role, validate};
use tandem_store::decisions::{Call, DecisionFilter};
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;
use tandem_core::access::{self, Say};

/// One accountable role's latest call.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoCall {
    pub role: Role,
    pub user_id: Option<Id>,
    /// `go`, `no_go`, or `opinion` (consulted roles).
    pub outcome: String,
    pub rationale: String,
    pub at: Millis,
}

/// `GET /releases/{id}/go-no-go`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoNoGo {
    pub release_id: Id,
    /// The roles that must all say go.
    pub required: Vec<Role>,
    /// Every call so far, oldest first.
    pub calls: Vec<GoCall>,
    /// `go` once every required role's latest call is go, `no_go` when any
    /// is no-go, `pending` otherwise.
    pub outcome: String,
}

/// `POST /releases/{id}/go-no-go`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoNoGoRequest {
    /// `go` or `no_go`.
    pub outcome: String,
    pub rationale: String,
}

const KIND: &str = "release_go_no_go";

pub async fn status(state: &App, a: &InProduct, release: Id) -> Result<GoNoGo, AppError> {
    let required = a.matrix.accountable(DecisionKind::ReleaseGoNoGo);
    let f = DecisionFilter {
        kind: Some(KIND.into()),
        subject_type: Some("release".into()),
        subject_id: Some(release),
        q: None,
    };
    let mut entries = state.store.decisions(a.scope.workspace_id, &f, 1000).await?;
    entries.reverse();
    let calls: Vec<GoCall> = entries
        .into_iter()
        .filter_map(|e| {
            Some(GoCall { role: e.role?, user_id: e.user_id, outcome: e.outcome, rationale: e.rationale, at: e.at })
        })
        .collect();
    let latest =
        |r: &Role| calls.iter().rev().find(|c| c.role == *r && c.outcome != "opinion").map(|c| c.outcome.as_str());
    let outcome = if required.iter().any(|r| latest(r) == Some("no_go")) {
        "no_go"
    } else if !required.is_empty() && required.iter().all(|r| latest(r) == Some("go")) {
        "go"
    } else {
        "pending"
    };
    Ok(GoNoGo { release_id: release, required, calls, outcome: outcome.into() })
}

/// The caller's say on the release's go/no-go under the workspace's matrix.
async fn say(state: &App, a: &InProduct) -> Result<Say, AppError> {
    let holds = a.holds(&super::product::product_projects(state, a).await?);
    let row = a.matrix.row(DecisionKind::ReleaseGoNoGo);
    let (accountable, consulted) = row.map_or((&[][..], &[][..]), |r| (&r.accountable[..], &r.consulted[..]));
    Ok(access::say(a.role, holds, accountable, consulted))
}

/// Whether the caller may make a go/no-go call (or give an opinion).
pub async fn may_call(state: &App, a: &InProduct) -> Result<bool, AppError> {
    Ok(say(state, a).await?.any())
}

pub async fn decide(state: &App, a: &InProduct, release: Id, req: GoNoGoRequest) -> Result<GoNoGo, AppError> {
    // Rights first: whoever may not call hears 403 whatever they sent.
    let say = say(state, a).await?;
    if !say.any() {
        return Err(AppError::Forbidden);
    }
    if !matches!(req.outcome.as_str(), "go" | "no_go") {
        return Err(AppError::invalid("outcome", "must be go or no_go"));
    }
    let rationale = validate::long_text("rationale", &req.rationale)?;
    if rationale.trim().is_empty() {
        return Err(AppError::invalid("rationale", "say why"));
    }
    let outcome = if say.owner { req.outcome.clone() } else { "opinion".to_owned() };
    let text = if outcome == "opinion" { format!("{}: {rationale}", req.outcome) } else { rationale };
    let call = Call { kind: KIND, outcome: &outcome, rationale: &text };
    state
        .store
        .log_decision_entry(a.scope.workspace_id, ("release", release), (a.user_id, a.role), call, state.clock.now())
        .await?;
    status(state, a, release).await
}
