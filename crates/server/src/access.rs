//! The single authorisation guard. A handler that acts inside a workspace
//! takes `Allowed<P>`, where `P` names an [`Action`]; the guard resolves
//! the workspace from the path, the caller's role there, and consults
//! [`tandem_core::allows`]. A non-member gets 404, so ids do not leak; a
//! member whose role lacks the right gets 403.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use tandem_core::{Action, Id, Role};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// A marker type naming the action a handler performs.
pub trait Permission: Send + Sync + 'static {
    const ACTION: Action;
}

macro_rules! permissions {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("Marker for [`Action::", stringify!($name), "`].")]
        #[derive(Debug)]
        pub struct $name;
        impl Permission for $name {
            const ACTION: Action = Action::$name;
        }
    )*};
}

permissions!(
    WorkspaceRead,
    WorkspaceUpdate,
    MembersRead,
    MembersManage,
    ActivityRead,
    ProductCreate,
    ProjectCreate,
    ResourcesManage,
);

/// Proof that the caller may perform `P` in workspace `ws`.
#[derive(Debug)]
pub struct Allowed<P> {
    pub principal: Principal,
    pub ws: Id,
    pub role: Role,
    _p: PhantomData<P>,
}

impl<P> Allowed<P> {
    pub fn user_id(&self) -> Id {
        self.principal.user.id
    }
}

impl<P, S> FromRequestParts<S> for Allowed<P>
where
    P: Permission,
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound)?;
        let ws = params
            .iter()
            .find(|(k, _)| *k == "ws")
            .and_then(|(_, v)| v.parse::<Id>().ok())
            .ok_or(ApiError::NotFound)?;
        let state = AppState::from_ref(state);
        let role = tandem_app::access::authorize(&state, principal.id(), ws, P::ACTION).await?;
        Ok(Allowed { principal, ws, role, _p: PhantomData })
    }
}

pub use tandem_app::access::{InProduct, InProject, product_access, project_access};
