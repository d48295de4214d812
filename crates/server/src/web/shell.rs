//! The frame around every signed-in page: who is signed in, their
//! workspaces, the current one and the section.

use tandem_core::model::{Membership, Workspace};
use tandem_core::{Id, Role};

use super::human::Human;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// The workspace being viewed and the viewer's role in it.
pub struct Current {
    pub workspace: Workspace,
    pub role: Role,
}

pub struct Shell {
    pub title: String,
    pub user_id: Id,
    pub user_name: String,
    pub user_email: String,
    pub initials: String,
    pub csrf: String,
    pub workspaces: Vec<Membership>,
    pub current: Option<Current>,
    /// `home`, `mywork`, `product`, `project`, `together`, `settings`,
    /// `search` or `account`.
    pub section: &'static str,
    /// Unread notifications, shown as a count beside the user menu.
    pub unread: i64,
    /// `system`, `light` or `dark`: the reader's choice of colours.
    pub theme: &'static str,
    /// Dates and times as this reader reads them.
    pub human: Human,
}

impl Shell {
    /// The viewer administers the workspace being viewed (for links to
    /// admin-only pages).
    pub fn is_admin(&self) -> bool {
        self.current.as_ref().is_some_and(|c| tandem_core::access::is_admin(c.role))
    }

    pub async fn new(
        state: &AppState,
        p: &Principal,
        ws: Option<Id>,
        section: &'static str,
        title: impl Into<String>,
    ) -> Result<Shell, ApiError> {
        let workspaces = state.store.memberships(p.id()).await?;
        let current = ws
            .and_then(|id| workspaces.iter().find(|m| m.workspace.id == id))
            .map(|m| Current { workspace: m.workspace.clone(), role: m.role });
        // Outside a workspace (account pages), the zone of the first one.
        let zone = current.as_ref().map(|c| &c.workspace).or(workspaces.first().map(|m| &m.workspace));
        let human = Human::new(
            p.user.date_order,
            zone.map_or(jiff::tz::TimeZone::UTC, |w| tandem_app::zone::of(&w.time_zone)),
            state.clock.now(),
        );
        Ok(Shell {
            title: title.into(),
            initials: initials(&p.user.name),
            user_id: p.user.id,
            user_name: p.user.name.clone(),
            user_email: p.user.email.clone(),
            csrf: p.csrf_token().unwrap_or_default().to_owned(),
            workspaces,
            current,
            section,
            unread: state.store.unread_notifications(p.id()).await?,
            theme: p.user.theme.as_str(),
            human,
        })
    }
}

impl Shell {
    /// A stored word as its label: `In progress`, never `in_progress`.
    pub fn word(&self, w: impl tandem_core::enums::Labelled) -> std::borrow::Cow<'static, str> {
        w.label_text()
    }

    /// The top-level sections of the current workspace: link, label, the
    /// `section` key that marks the current one, and the letter that goes
    /// there after `g`. Shown inline on wide screens and in the menu on
    /// narrow ones.
    pub fn sections(&self) -> Vec<(String, &'static str, &'static str, &'static str)> {
        let Some(cur) = &self.current else { return Vec::new() };
        let ws = cur.workspace.id;
        vec![
            (format!("/w/{ws}"), "Home", "home", "h"),
            (format!("/w/{ws}/my-work"), "My work", "mywork", "m"),
            (format!("/w/{ws}/product"), "Product", "product", "p"),
            (format!("/w/{ws}/project"), "Project", "project", "o"),
            (format!("/w/{ws}/together"), "Together", "together", "t"),
            (format!("/w/{ws}/settings"), "Settings", "settings", "s"),
        ]
    }
}

fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials_of_names() {
        assert_eq!(super::initials("Priya Product"), "PP");
        assert_eq!(super::initials("ada"), "A");
        assert_eq!(super::initials(""), "");
    }
}
