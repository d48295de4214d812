//! Decision kinds and the default RACI matrix of the decision-rights
//! design. Workspaces start from these defaults; admins may edit them.

use crate::Role;
use Role::*;

/// A kind of decision that has exactly one accountable owner (two for
/// go/no-go).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionKind {
    ProductVision,
    FeaturePriority,
    ReleaseScope,
    Schedule,
    Budget,
    BudgetIncrease,
    Resources,
    RiskResponse,
    QualityAcceptance,
    ReleaseGoNoGo,
    Process,
}

/// Who is accountable, consulted and informed for one decision kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raci {
    pub kind: DecisionKind,
    pub accountable: &'static [Role],
    pub consulted: &'static [Role],
    pub informed: &'static [Role],
}

const EVERYONE: &[Role] = &Role::ALL;

/// The defaults every new workspace starts with.
pub const DEFAULT_MATRIX: [Raci; 11] = [
    Raci {
        kind: DecisionKind::ProductVision,
        accountable: &[ProductManager],
        consulted: &[Admin, ProjectManager],
        informed: EVERYONE,
    },
    Raci {
        kind: DecisionKind::FeaturePriority,
        accountable: &[ProductManager],
        consulted: &[ProjectManager],
        informed: &[Contributor],
    },
    Raci {
        kind: DecisionKind::ReleaseScope,
        accountable: &[ProductManager],
        consulted: &[ProjectManager],
        informed: &[Stakeholder],
    },
    Raci {
        kind: DecisionKind::Schedule,
        accountable: &[ProjectManager],
        consulted: &[ProductManager],
        informed: &[Stakeholder],
    },
    Raci {
        kind: DecisionKind::Budget,
        accountable: &[ProjectManager],
        consulted: &[ProductManager],
        informed: &[Admin],
    },
    Raci {
        kind: DecisionKind::BudgetIncrease,
        accountable: &[Admin],
        consulted: &[ProjectManager, ProductManager],
        informed: &[Stakeholder],
    },
    Raci {
        kind: DecisionKind::Resources,
        accountable: &[ProjectManager],
        consulted: &[Contributor],
        informed: &[ProductManager],
    },
    Raci {
        kind: DecisionKind::RiskResponse,
        accountable: &[ProjectManager],
        consulted: &[ProductManager],
        informed: &[Stakeholder],
    },
    Raci {
        kind: DecisionKind::QualityAcceptance,
        accountable: &[ProductManager],
        consulted: &[ProjectManager],
        informed: &[Contributor],
    },
    Raci {
        kind: DecisionKind::ReleaseGoNoGo,
        accountable: &[ProductManager, ProjectManager],
        consulted: &[Admin],
        informed: EVERYONE,
    },
    Raci {
        kind: DecisionKind::Process,
        accountable: &[ProjectManager],
        consulted: &[Contributor],
        informed: &[ProductManager],
    },
];

/// The roles the default matrix makes accountable for `kind`.
pub fn default_accountable(kind: DecisionKind) -> Vec<Role> {
    DEFAULT_MATRIX.iter().find(|r| r.kind == kind).map(|r| r.accountable.to_vec()).unwrap_or_default()
}

impl DecisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::ProductVision => "product_vision",
            DecisionKind::FeaturePriority => "feature_priority",
            DecisionKind::ReleaseScope => "release_scope",
            DecisionKind::Schedule => "schedule",
            DecisionKind::Budget => "budget",
            DecisionKind::BudgetIncrease => "budget_increase",
            DecisionKind::Resources => "resources",
            DecisionKind::RiskResponse => "risk_response",
            DecisionKind::QualityAcceptance => "quality_acceptance",
            DecisionKind::ReleaseGoNoGo => "release_go_no_go",
            DecisionKind::Process => "process",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::ProductVision => "Product vision",
            DecisionKind::FeaturePriority => "Feature priority",
            DecisionKind::ReleaseScope => "Release scope",
            DecisionKind::Schedule => "Schedule: dates, sequencing, milestones",
            DecisionKind::Budget => "Budget within the approved amount",
            DecisionKind::BudgetIncrease => "Budget increase",
            DecisionKind::Resources => "Resources and assignments",
            DecisionKind::RiskResponse => "Risk response",
            DecisionKind::QualityAcceptance => "Quality acceptance",
            DecisionKind::ReleaseGoNoGo => "Release go/no-go",
            DecisionKind::Process => "Process and methodology",
        }
    }

    /// The side of the house the decision belongs to, for navigation.
    pub fn is_product_side(self) -> bool {
        matches!(
            self,
            DecisionKind::ProductVision
                | DecisionKind::FeaturePriority
                | DecisionKind::ReleaseScope
                | DecisionKind::QualityAcceptance
                | DecisionKind::ReleaseGoNoGo
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_one_accountable_role_except_go_no_go() {
        for row in DEFAULT_MATRIX {
            let expected = if row.kind == DecisionKind::ReleaseGoNoGo { 2 } else { 1 };
            assert_eq!(row.accountable.len(), expected, "{:?}", row.kind);
        }
    }
}
