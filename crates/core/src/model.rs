//! The records Tandem stores and shows, as clients see them.

use crate::Role;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// An object id. Stored as an integer, shown to clients as an opaque
/// string so that the representation can change without breaking them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "42")]
pub struct Id(pub i64);

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Accept "42" (the documented form) and 42 (forgiving clients).
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            N(i64),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Id(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The text is not an id Tandem issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid id")]
pub struct BadId(pub String);

impl FromStr for Id {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Id(n)),
            _ => Err(BadId(s.chars().take(40).collect())),
        }
    }
}

/// An instant, held as milliseconds since the Unix epoch and shown as an
/// RFC 3339 UTC timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = String, example = "2026-03-02T08:00:00Z")]
pub struct Millis(pub i64);

impl Millis {
    pub fn rfc3339(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => t.to_string(),
            Err(_) => String::from("invalid"),
        }
    }
    /// `2026-03-02 08:00 UTC`: how pages show an instant.
    pub fn display(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            Err(_) => String::from("invalid"),
        }
    }
}

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub name: String,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Workspace {
    pub id: Id,
    pub name: String,
    pub key: String,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A user's membership of a workspace, with their one role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Member {
    pub id: Id,
    pub workspace_id: Id,
    pub user_id: Id,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A workspace as seen by one member: the workspace and their role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Membership {
    pub workspace: Workspace,
    pub role: Role,
}

/// An API token's public face; the secret is shown once, at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: Id,
    pub name: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

/// One change, with the values before and after it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Activity {
    pub id: Id,
    pub workspace_id: Id,
    pub actor_id: Option<Id>,
    pub actor_email: Option<String>,
    /// What happened, e.g. `member.added`.
    pub action: String,
    pub subject_type: String,
    pub subject_id: Id,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    pub at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_strings_on_the_wire() {
        assert_eq!(serde_json::to_string(&Id(7)).unwrap(), "\"7\"");
        assert_eq!(serde_json::from_str::<Id>("\"7\"").unwrap(), Id(7));
        assert_eq!(serde_json::from_str::<Id>("7").unwrap(), Id(7));
        assert!("0".parse::<Id>().is_err());
        assert!("x".parse::<Id>().is_err());
        assert!("-3".parse::<Id>().is_err());
    }

    #[test]
    fn millis_render_as_rfc3339() {
        assert_eq!(Millis(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Millis(1_772_438_400_000).display(), "2026-03-02 08:00 UTC");
    }
}
