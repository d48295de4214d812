//! The five workspace roles of the decision-rights design.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A member's role in one workspace. A user has exactly one per workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The sponsor: everything, including members, roles and escalations.
    Admin,
    /// Owns products: feedback, features, roadmap, releases, OKRs.
    ProductManager,
    /// Owns projects: tasks, schedule, resources, budget, risks.
    ProjectManager,
    /// Updates their own tasks, logs time, comments, files requests.
    Contributor,
    /// Reads, comments and submits feedback; never writes plans.
    Stakeholder,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Admin, Role::ProductManager, Role::ProjectManager, Role::Contributor, Role::Stakeholder];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ProductManager => "product_manager",
            Role::ProjectManager => "project_manager",
            Role::Contributor => "contributor",
            Role::Stakeholder => "stakeholder",
        }
    }

    /// What the role owns, in a sentence, for the UI.
    pub fn summary(self) -> &'static str {
        match self {
            Role::Admin => {
                "You sponsor the work: you manage members, roles and decision rights, and settle escalations."
            }
            Role::ProductManager => {
                "You own the what and the why: vision, feedback, priorities, roadmap, releases and outcome metrics."
            }
            Role::ProjectManager => {
                "You own the how and the when: plan, schedule, resources, budget, risks and delivery metrics."
            }
            Role::Contributor => "You update your tasks, log time, comment, submit feedback and file change requests.",
            Role::Stakeholder => "You follow along: read everything shared with you, comment and submit feedback.",
        }
    }

    /// The label a person reads in the UI.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin (sponsor)",
            Role::ProductManager => "Product manager",
            Role::ProjectManager => "Project manager",
            Role::Contributor => "Contributor",
            Role::Stakeholder => "Stakeholder",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the five role names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`; expected admin, product_manager, project_manager, contributor or stakeholder")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

impl crate::enums::Labelled for Role {
    fn label_text(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
        assert!("owner".parse::<Role>().is_err());
    }
}
