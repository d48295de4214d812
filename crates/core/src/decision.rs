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

impl DecisionKind {
    pub const ALL: [DecisionKind; 11] = [
        DecisionKind::ProductVision,
        DecisionKind::FeaturePriority,
        DecisionKind::ReleaseScope,
        DecisionKind::Schedule,
        DecisionKind::Budget,
        DecisionKind::BudgetIncrease,
        DecisionKind::Resources,
        DecisionKind::RiskResponse,
        DecisionKind::QualityAcceptance,
        DecisionKind::ReleaseGoNoGo,
        DecisionKind::Process,
    ];

    pub fn parse(s: &str) -> Option<DecisionKind> {
        DecisionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How many roles are accountable: two for go/no-go, one otherwise.
    pub fn owners(self) -> usize {
        if self == DecisionKind::ReleaseGoNoGo { 2 } else { 1 }
    }
}

impl std::fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for DecisionKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for DecisionKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DecisionKind::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown decision kind `{s}`")))
    }
}

impl utoipa::PartialSchema for DecisionKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(DecisionKind::ALL.iter().map(|k| k.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for DecisionKind {}

/// One row of a workspace's matrix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixRow {
    pub kind: DecisionKind,
    /// The final say: one role (two, both needed, for go/no-go).
    pub accountable: Vec<Role>,
    /// Asked for an opinion, which is recorded and not binding.
    #[serde(default)]
    pub consulted: Vec<Role>,
    /// Told: a notification and an entry in their feed.
    #[serde(default)]
    pub informed: Vec<Role>,
}

/// A workspace's decision-rights matrix: a row per decision kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    pub rows: Vec<MatrixRow>,
}

impl Default for Matrix {
    fn default() -> Self {
        let mut m = Matrix {
            rows: DEFAULT_MATRIX
                .iter()
                .map(|r| MatrixRow {
                    kind: r.kind,
                    accountable: r.accountable.to_vec(),
                    consulted: r.consulted.to_vec(),
                    informed: r.informed.to_vec(),
                })
                .collect(),
        };
        m.normalise();
        m
    }
}

impl Matrix {
    /// Accountable and consulted roles are informed anyway: the informed
    /// list keeps only the others, so each role has one letter per row.
    /// Lists are in the roles' order.
    fn normalise(&mut self) {
        let order = |r: &Role| Role::ALL.iter().position(|x| x == r);
        for r in &mut self.rows {
            let (a, c) = (r.accountable.clone(), r.consulted.clone());
            r.informed.retain(|x| !a.contains(x) && !c.contains(x));
            r.accountable.sort_by_key(order);
            r.consulted.sort_by_key(order);
            r.informed.sort_by_key(order);
        }
    }

    /// The roles accountable for `kind` (none if the row is missing).
    pub fn accountable(&self, kind: DecisionKind) -> Vec<Role> {
        self.row(kind).map(|r| r.accountable.clone()).unwrap_or_default()
    }

    pub fn row(&self, kind: DecisionKind) -> Option<&MatrixRow> {
        self.rows.iter().find(|r| r.kind == kind)
    }

    /// Every kind exactly once; exactly one accountable role per row (two
    /// distinct ones for go/no-go); no role both accountable and
    /// consulted; no role twice in a list. Rows are put in the kinds' order.
    pub fn checked(mut self) -> Result<Matrix, crate::validate::Invalid> {
        use crate::validate::Invalid;
        let bad = |m: String| Err(Invalid::new("rows", m));
        for k in DecisionKind::ALL {
            let n = self.rows.iter().filter(|r| r.kind == k).count();
            if n != 1 {
                return bad(format!("{k} must have exactly one row, not {n}"));
            }
        }
        for r in &self.rows {
            let distinct = |v: &[Role]| v.iter().enumerate().all(|(i, x)| !v[..i].contains(x));
            if !(distinct(&r.accountable) && distinct(&r.consulted) && distinct(&r.informed)) {
                return bad(format!("{}: a role appears twice in one list", r.kind));
            }
            if r.accountable.len() != r.kind.owners() {
                return bad(if r.kind.owners() == 2 {
                    format!("{}: needs exactly two accountable roles, who both decide", r.kind)
                } else {
                    format!("{}: needs exactly one accountable role", r.kind)
                });
            }
            if r.accountable.iter().any(|a| r.consulted.contains(a)) {
                return bad(format!("{}: a role cannot be both accountable and consulted", r.kind));
            }
        }
        self.rows.sort_by_key(|r| DecisionKind::ALL.iter().position(|k| *k == r.kind));
        self.normalise();
        Ok(self)
    }
}

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
    fn matrices_keep_one_accountable_role() {
        assert!(Matrix::default().checked().is_ok());
        let mut m = Matrix::default();
        m.rows[0].accountable.push(Admin);
        assert!(m.checked().is_err());
        let mut m = Matrix::default();
        m.rows.pop();
        assert!(m.checked().is_err());
        let mut m = Matrix::default();
        m.rows[3].consulted.push(ProjectManager);
        assert!(m.checked().is_err(), "accountable and consulted");
        let mut m = Matrix::default();
        m.rows[9].accountable = vec![ProductManager];
        assert!(m.checked().is_err(), "go/no-go needs two");
        let mut m = Matrix::default();
        m.rows.reverse();
        assert_eq!(m.checked().unwrap(), Matrix::default(), "rows come back in order");
        assert_eq!(DecisionKind::parse("schedule"), Some(DecisionKind::Schedule));
    }

    #[test]
    fn every_row_has_one_accountable_role_except_go_no_go() {
        for row in DEFAULT_MATRIX {
            let expected = if row.kind == DecisionKind::ReleaseGoNoGo { 2 } else { 1 };
            assert_eq!(row.accountable.len(), expected, "{:?}", row.kind);
        }
    }
}
