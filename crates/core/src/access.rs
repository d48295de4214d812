//! Every authorisation rule of Tandem, as pure functions of the caller's
//! facts (role, what they own or manage, what they wrote or are assigned
//! to). The application layer loads the facts and asks these; no other
//! code compares roles (a test in the integration suite checks it).

use crate::Role;
use crate::decision::DecisionKind;

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
    /// Create a product (its owner must be a product manager or admin).
    ProductCreate,
    /// Create a project (its manager must be a project manager or admin).
    ProjectCreate,
    /// Add and edit the workspace's resources (people, material, cost).
    ResourcesManage,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::WorkspaceRead,
        Action::WorkspaceUpdate,
        Action::MembersRead,
        Action::MembersManage,
        Action::ActivityRead,
        Action::ProductCreate,
        Action::ProjectCreate,
        Action::ResourcesManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::WorkspaceRead => "workspace_read",
            Action::WorkspaceUpdate => "workspace_update",
            Action::MembersRead => "members_read",
            Action::MembersManage => "members_manage",
            Action::ActivityRead => "activity_read",
            Action::ProductCreate => "product_create",
            Action::ProjectCreate => "project_create",
            Action::ResourcesManage => "resources_manage",
        }
    }
}

/// Who may do what. Admins may do everything; reading the workspace, its
/// members and its history is open to every member.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match action {
        WorkspaceRead | MembersRead | ActivityRead => true,
        WorkspaceUpdate | MembersManage => is_admin(role),
        ProductCreate => may_own_product(role),
        ProjectCreate | ResourcesManage => may_manage_project(role),
    }
}

/// Something a member asks to do with a project or an object under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectAction {
    /// See the project and everything under it.
    Read,
    /// Change the plan: the project's fields, its tasks and dependencies.
    Edit,
    /// Take part in the work: log time, file defects, move the cards of
    /// tasks one is assigned to (the operation checks the assignment).
    Contribute,
}

/// Who may act on a project: every member reads; admins edit, and so does
/// its manager while the matrix makes the manager's role accountable for
/// the schedule (project managers, by default).
pub fn project_allows(
    role: Role,
    is_manager: bool,
    action: ProjectAction,
    accountable: impl Fn(DecisionKind) -> Vec<Role>,
) -> bool {
    match action {
        ProjectAction::Read => true,
        ProjectAction::Edit => is_admin(role) || (is_manager && accountable(DecisionKind::Schedule).contains(&role)),
        ProjectAction::Contribute => may_contribute(role),
    }
}

/// Something a member asks to do with a product or an object under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductAction {
    /// See the product and everything under it.
    Read,
    /// Send feedback into the product's inbox.
    SubmitFeedback,
    /// Comment on the product or an object under it.
    Comment,
    /// Change the product's content: feature text, feedback triage and
    /// links, OKRs, competitors, metrics.
    Edit,
    /// Take a decision of this kind (priority, roadmap, release scope,
    /// vision).
    Decide(DecisionKind),
}

/// Who may act on a product. Every member reads, comments and submits
/// feedback;
/// admins do everything; otherwise only the product's owner edits, and
/// decides only what the matrix makes the owner's role accountable for.
/// `accountable` lists the roles accountable for a decision kind.
pub fn product_allows(
    role: Role,
    is_owner: bool,
    action: ProductAction,
    accountable: impl Fn(DecisionKind) -> Vec<Role>,
) -> bool {
    match action {
        ProductAction::Read | ProductAction::SubmitFeedback | ProductAction::Comment => true,
        _ if is_admin(role) => true,
        ProductAction::Edit => is_owner && role == Role::ProductManager,
        ProductAction::Decide(kind) => is_owner && accountable(kind).contains(&role),
    }
}

/// Whose first page is their own work rather than the workspace's home:
/// contributors, who spend their day on their tasks.
pub fn starts_on_my_work(role: Role) -> bool {
    role == Role::Contributor
}

/// Whether the role is the workspace's administrator role: may do
/// everything, and a workspace always keeps one.
pub fn is_admin(role: Role) -> bool {
    role == Role::Admin
}

/// Who records the product side's acceptance of sprint items: admins, and
/// whoever stands here for a role the matrix makes accountable for quality
/// acceptance (the project's product owner, by default).
pub fn records_acceptance(role: Role, holds: Holds, accountable: &[Role]) -> bool {
    is_admin(role) || (accountable.contains(&role) && stands_for(role, holds))
}

/// Who may be named a product's owner: a product manager or an admin.
pub fn may_own_product(role: Role) -> bool {
    matches!(role, Role::Admin | Role::ProductManager)
}

/// Who may be named a project's manager: a project manager or an admin.
pub fn may_manage_project(role: Role) -> bool {
    matches!(role, Role::Admin | Role::ProjectManager)
}

/// Who manages a project day to day (approves others' time, edits others'
/// defects and change requests): an admin, or its manager while a project
/// manager.
pub fn manages_project(role: Role, is_manager: bool) -> bool {
    is_admin(role) || (role == Role::ProjectManager && is_manager)
}

/// Who stands for a role when a decision is routed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The owner of the product in question.
    ProductOwner,
    /// The manager of the project in question.
    ProjectManager,
    /// Every member with the role (admins; roles that own nothing).
    AnyMember,
}

/// The one answer to "who stands for this role here".
pub fn holder(role: Role) -> Holder {
    match role {
        Role::ProductManager => Holder::ProductOwner,
        Role::ProjectManager => Holder::ProjectManager,
        Role::Admin | Role::Contributor | Role::Stakeholder => Holder::AnyMember,
    }
}

/// What the caller holds among the objects a decision is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holds {
    /// Owns the product in question; true when there is none (a project
    /// without a product leaves no owner to stand for).
    pub product: bool,
    /// Manages the project in question (for a product: one of its
    /// projects).
    pub project: bool,
}

/// Whether a member with `role` stands for that role here: a product
/// manager for the product they own, a project manager for the project
/// they manage, every admin (and every member of a role that owns nothing).
pub fn stands_for(role: Role, holds: Holds) -> bool {
    match holder(role) {
        Holder::ProductOwner => holds.product,
        Holder::ProjectManager => holds.project,
        Holder::AnyMember => true,
    }
}

/// What a member may say on a decision routed by the matrix (a change
/// request, a release's go/no-go).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Say {
    /// Decides as an accountable owner.
    pub owner: bool,
    /// Gives an opinion as a consulted role.
    pub consulted: bool,
    /// Has the final word (escalations) and may always speak.
    pub admin: bool,
}

impl Say {
    /// Whether the member may speak on the decision at all.
    pub fn any(self) -> bool {
        self.owner || self.consulted || self.admin
    }
}

/// The caller's say on a decision whose accountable and consulted roles
/// are given.
pub fn say(role: Role, holds: Holds, accountable: &[Role], consulted: &[Role]) -> Say {
    Say {
        owner: accountable.contains(&role) && stands_for(role, holds),
        consulted: consulted.contains(&role),
        admin: is_admin(role),
    }
}

/// Who holds the weekly sync and records it: admins, the product's owner
/// and the managers of its projects.
pub fn may_hold_sync(role: Role, holds: Holds) -> bool {
    is_admin(role) || (holder(role) != Holder::AnyMember && stands_for(role, holds))
}

/// Who may change a task's progress and board column: whoever manages the
/// plan, or a contributing member assigned to the task.
pub fn may_update_progress(role: Role, manages: bool, assigned: bool) -> bool {
    manages || (may_contribute(role) && assigned)
}

/// Who takes part in a project's work (logs time, files defects, moves
/// cards): every member but stakeholders.
pub fn may_contribute(role: Role) -> bool {
    role != Role::Stakeholder
}

/// Whose timesheet a member may see: their own; admins and project
/// managers anyone's.
pub fn may_see_timesheet(role: Role, own: bool) -> bool {
    own || may_manage_project(role)
}

/// Who may edit or delete a comment: its author, or an admin.
pub fn may_edit_comment(role: Role, is_author: bool) -> bool {
    is_author || is_admin(role)
}

/// Who may change or delete a saved view: its owner, or an admin (a
/// shared view left by someone who moved on).
pub fn may_edit_view(role: Role, is_owner: bool) -> bool {
    is_owner || is_admin(role)
}

/// Who may add, change and delete the workspace's custom fields of a kind
/// of object: admins, product managers on the product side's (features,
/// feedback), project managers on the project side's (tasks, risks,
/// defects).
pub fn may_manage_custom_fields(role: Role, object: crate::custom::FieldObject) -> bool {
    match role {
        Role::Admin => true,
        Role::ProductManager => object.on_product_side(),
        Role::ProjectManager => !object.on_product_side(),
        _ => false,
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

    use crate::decision::default_accountable as defaults;

    #[test]
    fn product_rights_follow_ownership_and_the_matrix() {
        use ProductAction::*;
        let priority = Decide(DecisionKind::FeaturePriority);
        for r in Role::ALL {
            assert!(product_allows(r, false, Read, defaults));
            assert!(product_allows(r, false, SubmitFeedback, defaults));
            assert!(product_allows(r, false, Comment, defaults));
            let owner_pdm = r == Role::ProductManager;
            assert_eq!(product_allows(r, true, Edit, defaults), r == Role::Admin || owner_pdm, "{r:?}");
            assert_eq!(product_allows(r, true, priority, defaults), r == Role::Admin || owner_pdm, "{r:?}");
            // Not the owner: only admins.
            assert_eq!(product_allows(r, false, priority, defaults), r == Role::Admin, "{r:?}");
        }
        // A matrix that gives priority to project managers takes it from the PdM owner.
        let pm_decides = |_k| vec![Role::ProjectManager];
        assert!(!product_allows(Role::ProductManager, true, priority, pm_decides));
        assert!(product_allows(Role::ProductManager, true, Edit, pm_decides));
        assert!(allows(Role::ProductManager, Action::ProductCreate));
        assert!(allows(Role::ProjectManager, Action::ProjectCreate));
        assert!(!allows(Role::ProductManager, Action::ProjectCreate));
        assert!(project_allows(Role::ProjectManager, true, ProjectAction::Edit, pm_decides));
        assert!(!project_allows(Role::ProjectManager, false, ProjectAction::Edit, pm_decides));
        assert!(!project_allows(Role::Contributor, true, ProjectAction::Edit, pm_decides));
        assert!(project_allows(Role::Stakeholder, false, ProjectAction::Read, pm_decides));
        assert!(!allows(Role::ProjectManager, Action::ProductCreate));
    }

    #[test]
    fn only_admins_manage_members_and_settings() {
        for r in Role::ALL {
            assert_eq!(allows(r, Action::MembersManage), r == Role::Admin);
            assert_eq!(allows(r, Action::WorkspaceUpdate), r == Role::Admin);
            assert!(allows(r, Action::MembersRead));
        }
    }

    #[test]
    fn who_stands_for_a_role() {
        let none = Holds { product: false, project: false };
        let both = Holds { product: true, project: true };
        assert!(stands_for(Role::Admin, none));
        assert!(!stands_for(Role::ProductManager, none) && stands_for(Role::ProductManager, both));
        assert!(!stands_for(Role::ProjectManager, Holds { product: true, project: false }));
        assert!(stands_for(Role::ProjectManager, Holds { product: false, project: true }));
        assert!(stands_for(Role::Contributor, none), "a role that owns nothing is stood for by each member");
    }

    #[test]
    fn say_on_a_routed_decision() {
        let pm = [Role::ProjectManager];
        let mine = Holds { product: true, project: true };
        let not_mine = Holds { product: true, project: false };
        assert!(say(Role::ProjectManager, mine, &pm, &[]).owner);
        assert!(!say(Role::ProjectManager, not_mine, &pm, &[]).any(), "another project's manager has no say");
        let consulted = say(Role::ProductManager, not_mine, &pm, &[Role::ProductManager]);
        assert!(consulted.consulted && !consulted.owner && consulted.any());
        let admin = say(Role::Admin, Holds::default(), &pm, &[]);
        assert!(admin.admin && !admin.owner && admin.any());
        assert!(!say(Role::Stakeholder, mine, &pm, &[]).any());
    }

    #[test]
    fn sync_holders_progress_timesheets_comments() {
        let owner = Holds { product: true, project: false };
        let manager = Holds { product: false, project: true };
        assert!(may_hold_sync(Role::Admin, Holds::default()));
        assert!(may_hold_sync(Role::ProductManager, owner) && !may_hold_sync(Role::ProductManager, manager));
        assert!(may_hold_sync(Role::ProjectManager, manager) && !may_hold_sync(Role::ProjectManager, owner));
        assert!(!may_hold_sync(Role::Contributor, Holds { product: true, project: true }));
        assert!(may_update_progress(Role::Contributor, false, true));
        assert!(
            !may_update_progress(Role::Stakeholder, false, true)
                && !may_update_progress(Role::Contributor, false, false)
        );
        assert!(may_update_progress(Role::Stakeholder, true, false));
        assert!(may_see_timesheet(Role::Contributor, true) && !may_see_timesheet(Role::Contributor, false));
        assert!(may_see_timesheet(Role::ProjectManager, false) && !may_see_timesheet(Role::ProductManager, false));
        assert!(may_edit_comment(Role::Stakeholder, true) && may_edit_comment(Role::Admin, false));
        assert!(!may_edit_comment(Role::ProductManager, false));
        assert!(manages_project(Role::Admin, false) && manages_project(Role::ProjectManager, true));
        assert!(!manages_project(Role::ProjectManager, false) && !manages_project(Role::Contributor, true));
    }
}
