//! Data Tandem creates by itself: the first admin from the environment, and
//! the demo workspace of `serve --demo`.

mod analytics;
mod product;
mod progress;
mod project;
mod rituals;

pub use product::DEMO_PRODUCT_KEY;
pub use project::DEMO_PROJECT_KEY;

use tandem_core::{Id, Role, validate};

use crate::App;
use crate::error::AppError;
use crate::secrets;

/// The demo workspace's key; its presence means the demo was seeded.
pub const DEMO_KEY: &str = "DEMO";

/// A demo account, printed on start so people can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub email: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub role: Role,
}

/// One user per role. The passwords are public: a demo is for trying out.
pub const DEMO_USERS: [DemoUser; 5] = [
    DemoUser { email: "admin@demo.example", password: "demo-admin-2026", name: "Ada Admin", role: Role::Admin },
    DemoUser {
        email: "pdm@demo.example",
        password: "demo-pdm-2026",
        name: "Priya Product",
        role: Role::ProductManager,
    },
    DemoUser { email: "pm@demo.example", password: "demo-pm-2026", name: "Pat Project", role: Role::ProjectManager },
    DemoUser {
        email: "dev@demo.example",
        password: "demo-dev-2026",
        name: "Carlos Contributor",
        role: Role::Contributor,
    },
    DemoUser {
        email: "stakeholder@demo.example",
        password: "demo-stakeholder-2026",
        name: "Sam Stakeholder",
        role: Role::Stakeholder,
    },
];

/// Creates the demo workspace and its users unless it exists. Returns
/// whether it created them.
pub async fn demo(state: &App) -> Result<bool, AppError> {
    if state.store.workspace_by_key(DEMO_KEY).await?.is_some() {
        return Ok(false);
    }
    let now = state.clock.now();
    let [admin, rest @ ..] = &DEMO_USERS;
    let admin_user = match state.store.user_by_email(admin.email).await? {
        Some(u) => u,
        None => {
            let hash = secrets::hash_password(admin.password.to_owned()).await?;
            state.store.create_user(admin.email, admin.name, &hash, now).await?
        }
    };
    let ws = state.store.create_workspace("Demo: Acme Checkout", DEMO_KEY, Some(admin_user.id), now).await?;
    let mut users = std::collections::HashMap::from([(Role::Admin, admin_user.id)]);
    for u in rest {
        let member = match state.store.user_by_email(u.email).await? {
            Some(existing) => state.store.add_member(admin_user.id, ws.id, existing.id, u.role, now).await?,
            None => {
                let hash = secrets::hash_password(u.password.to_owned()).await?;
                state
                    .store
                    .add_new_member(
                        admin_user.id,
                        ws.id,
                        &tandem_store::NewAccount { email: u.email, name: u.name, password_hash: &hash },
                        u.role,
                        now,
                    )
                    .await?
            }
        };
        users.insert(u.role, member.user_id);
    }
    let pdm = users.get(&Role::ProductManager).copied().unwrap_or(admin_user.id);
    custom_fields(state, ws.id, admin_user.id).await?;
    product::demo_product(state, ws.id, pdm).await?;
    project::demo_project(state, ws.id, &users).await?;
    Ok(true)
}

/// The demo's custom fields, one or two per kind of object; the seed's
/// objects fill some of them as they are made.
async fn custom_fields(state: &App, ws: Id, admin: Id) -> Result<(), AppError> {
    use tandem_core::custom::{FieldObject as O, FieldType as T};
    let fields: [(O, &str, &str, T, &[&str]); 7] = [
        (O::Feature, "customer_tier", "Customer tier", T::Select, &["Enterprise", "Mid-market", "SMB"]),
        (O::Feature, "spec", "Spec", T::Url, &[]),
        (O::Feedback, "channel", "Channel", T::Select, &["Sales call", "Support ticket", "Interview"]),
        (O::Task, "component", "Component", T::Select, &["Web", "API", "Payments", "Infra"]),
        (O::Task, "reviewer", "Reviewer", T::Person, &[]),
        (O::Risk, "area", "Area", T::Text, &[]),
        (O::Defect, "browser", "Browser", T::Text, &[]),
    ];
    for (object, key, name, kind, options) in fields {
        let draft = tandem_store::custom::FieldDraft {
            object,
            key: key.into(),
            name: name.into(),
            kind,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            required: false,
        };
        state.store.create_custom_field(admin, ws, &draft, state.clock.now()).await?;
    }
    Ok(())
}

/// Custom values for a seeded object: `(key, value)` pairs.
pub(crate) fn values(pairs: &[(&str, &str)]) -> Option<tandem_core::custom::CustomValues> {
    Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned()))).collect())
}

/// Creates the first admin and a workspace from `TANDEM_ADMIN_EMAIL` and
/// `TANDEM_ADMIN_PASSWORD`, once: an existing account is left alone.
pub async fn first_admin(state: &App, email: &str, password: &str, workspace: &str) -> Result<bool, AppError> {
    let email = validate::email(email)?;
    validate::password(password)?;
    if state.store.user_by_email(&email).await?.is_some() {
        return Ok(false);
    }
    let name = email.split('@').next().unwrap_or("admin").to_owned();
    let hash = secrets::hash_password(password.to_owned()).await?;
    let now = state.clock.now();
    let user = state.store.create_user(&email, &name, &hash, now).await?;
    let workspace = validate::name("workspace", workspace)?;
    let key = key_for(&workspace);
    state.store.create_workspace(&workspace, &key, Some(user.id), now).await?;
    Ok(true)
}

/// A workspace key from its name: its letters and digits, upper-cased.
pub fn key_for(name: &str) -> String {
    let k: String = name.chars().filter(char::is_ascii_alphanumeric).take(10).collect::<String>().to_uppercase();
    if validate::key("key", &k).is_ok() { k } else { "WS".to_owned() }
}

/// Creates an account (or takes the existing one with that e-mail) and
/// makes it a member of `workspace` (a key or an id): `tandem user add`.
pub async fn add_user(
    state: &App,
    email: &str,
    password: &str,
    role: Role,
    workspace: &str,
) -> Result<tandem_core::model::Member, AppError> {
    let email = validate::email(email)?;
    let ws = match state.store.workspace_by_key(&workspace.to_uppercase()).await? {
        Some(w) => w,
        None => match workspace.parse() {
            Ok(id) => state.store.workspace(id).await.map_err(|_| no_workspace(workspace))?,
            Err(_) => return Err(no_workspace(workspace)),
        },
    };
    let now = state.clock.now();
    if let Some(u) = state.store.user_by_email(&email).await? {
        return Err(AppError::Conflict(format!("a user with e-mail {} already exists", u.email)));
    }
    validate::password(password)?;
    let hash = secrets::hash_password(password.to_owned()).await?;
    let name = email.split('@').next().unwrap_or("user").to_owned();
    // The CLI acts as the system: no user is the actor.
    let user = state.store.create_user(&email, &name, &hash, now).await?;
    Ok(state.store.add_member_as_system(ws.id, user.id, role, now).await?)
}

fn no_workspace(w: &str) -> AppError {
    AppError::invalid("workspace", format!("no workspace with key or id `{w}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_has_one_user_per_role_with_valid_credentials() {
        for r in Role::ALL {
            assert_eq!(DEMO_USERS.iter().filter(|u| u.role == r).count(), 1, "{r}");
        }
        for u in &DEMO_USERS {
            assert!(validate::email(u.email).is_ok() && validate::password(u.password).is_ok());
        }
        assert_eq!(key_for("Acme Web 2"), "ACMEWEB2");
        assert_eq!(key_for("!!"), "WS");
    }
}
