//! Releases and their scope.

use super::*;

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::product::{Release, ReleaseStatus};
use tandem_core::validate::{self};
use tandem_store::product::ReleaseEdit;
use utoipa::ToSchema;

use crate::App;
use crate::access::InProduct;
use crate::error::AppError;

// ---- releases ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRelease {
    pub name: String,
    pub target_date: Option<Day>,
    pub status: Option<ReleaseStatus>,
    pub notes: Option<String>,
}

pub async fn create_release(state: &App, a: &InProduct, req: CreateRelease) -> Result<Release, AppError> {
    let edit = ReleaseEdit {
        name: validate::name("name", &req.name)?,
        target_date: req.target_date,
        status: req.status.unwrap_or(ReleaseStatus::Planned),
        notes: opt_text("notes", req.notes)?.unwrap_or_default(),
    };
    Ok(state.store.create_release(a.user_id, a.scope.product_id, &edit, state.clock.now()).await?)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRelease {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub target_date: Option<Option<Day>>,
    pub status: Option<ReleaseStatus>,
    pub notes: Option<String>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn update_release(
    state: &App,
    a: &InProduct,
    rel: Id,
    version: i64,
    req: UpdateRelease,
) -> Result<Release, AppError> {
    if req.target_date.is_some() {
        a.require(RELEASE_SCOPE)?;
    }
    let name = req.name.map(|n| validate::name("name", &n)).transpose()?;
    let notes = opt_text("notes", req.notes)?;
    let r = state
        .store
        .update_release(
            a.user_id,
            rel,
            version,
            |e| {
                if let Some(v) = name {
                    e.name = v;
                }
                if let Some(v) = req.target_date {
                    e.target_date = v;
                }
                if let Some(v) = req.status {
                    e.status = v;
                }
                if let Some(v) = notes {
                    e.notes = v;
                }
                Ok(())
            },
            state.clock.now(),
        )
        .await?;
    Ok(r)
}
