//! What each role may do: one table, consulted by the server's single
//! authorisation guard. Handlers name an [`Action`]; they never test roles.

use crate::Role;

/// Something a member asks to do inside a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the workspace, its navigation and its name.
    WorkspaceRead,
    /// Rename the workspace or change its settings.
    WorkspaceUpdate,
    /// List members and their roles.
    MembersRead,
    /// Add or remove members and change their roles.
    MembersManage,
    /// Read the activity log.
    ActivityRead,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::WorkspaceRead,
        Action::WorkspaceUpdate,
        Action::MembersRead,
        Action::MembersManage,
        Action::ActivityRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::WorkspaceRead => "workspace_read",
            Action::WorkspaceUpdate => "workspace_update",
            Action::MembersRead => "members_read",
            Action::MembersManage => "members_manage",
            Action::ActivityRead => "activity_read",
        }
    }
}

/// Who may do what. Admins may do everything; reading the workspace, its
/// members and its history is open to every member.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match action {
        WorkspaceRead | MembersRead | ActivityRead => true,
        WorkspaceUpdate | MembersManage => role == Role::Admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_may_do_everything() {
        for a in Action::ALL {
            assert!(allows(Role::Admin, a), "{a:?}");
        }
    }

    #[test]
    fn only_admins_manage_members_and_settings() {
        for r in Role::ALL {
            assert_eq!(allows(r, Action::MembersManage), r == Role::Admin);
            assert_eq!(allows(r, Action::WorkspaceUpdate), r == Role::Admin);
            assert!(allows(r, Action::MembersRead));
        }
    }
}
