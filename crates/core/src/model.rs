//! The records Tandem stores and shows, as clients see them.

use crate::Role;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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

/// Reads back what [`Millis`] writes (stored snapshots hold instants).
impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t: jiff::Timestamp = s.parse().map_err(serde::de::Error::custom)?;
        Ok(Millis(t.as_millisecond()))
    }
}

/// A calendar date (`2026-03-31`), for target dates and dated values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = String, format = Date, example = "2026-03-31")]
pub struct Day(pub jiff::civil::Date);

impl Day {
    /// The day an instant falls on in UTC.
    pub fn of(at: Millis) -> Day {
        match jiff::Timestamp::from_millisecond(at.0) {
            Ok(t) => Day(t.to_zoned(jiff::tz::TimeZone::UTC).date()),
            Err(_) => Day(jiff::civil::Date::ZERO),
        }
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The text is not a date in the form `2026-03-31`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date like 2026-03-31")]
pub struct BadDay(pub String);

impl FromStr for Day {
    type Err = BadDay;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDay(s.chars().take(40).collect());
        if s.len() != 10 {
            return Err(bad());
        }
        let d: jiff::civil::Date = s.parse().map_err(|_| bad())?;
        // Years Tandem can schedule; keeps arithmetic far from overflow.
        if !(1900..=2999).contains(&d.year()) {
            return Err(bad());
        }
        Ok(Day(d))
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub name: String,
    /// How the person reads dates on pages.
    pub date_order: crate::prefs::DateOrder,
    /// Light or dark pages, or as the system prefers.
    pub theme: crate::prefs::Theme,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Workspace {
    pub id: Id,
    pub name: String,
    pub key: String,
    /// IANA time zone (`Europe/Berlin`) in which its pages show times.
    pub time_zone: String,
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

/// An in-app notification for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Notification {
    pub id: Id,
    pub workspace_id: Id,
    /// `decision_needed` (an owner must decide), `informed` (the matrix
    /// informs the role of a decision), `mention` (@-mentioned in a comment).
    pub reason: String,
    pub subject_type: String,
    pub subject_id: Id,
    pub text: String,
    /// Where the page about it is, on this site.
    pub link: String,
    pub read: bool,
    pub created_at: Millis,
}

/// A comment in Markdown on an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Comment {
    pub id: Id,
    /// `product`, `feature`, `feedback`, `release`, `objective`.
    pub subject_type: String,
    pub subject_id: Id,
    pub author_id: Option<Id>,
    pub author_name: Option<String>,
    /// Markdown.
    pub body: String,
    pub body_html: String,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One change, with the values before and after it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Activity {
    pub id: Id,
    pub workspace_id: Id,
    pub actor_id: Option<Id>,
    pub actor_email: Option<String>,
    /// The actor's name, as pages show them.
    pub actor_name: Option<String>,
    /// What happened, e.g. `member.added`.
    pub action: String,
    pub subject_type: String,
    pub subject_id: Id,
    /// The subject as people name it now (key and title, or name), when
    /// it still exists and has one.
    pub subject_label: Option<String>,
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
    fn days_are_iso_dates() {
        let d: Day = "2026-03-31".parse().unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2026-03-31\"");
        for bad in ["2026-3-31", "2026-02-30", "31.03.2026", "0001-01-01", "", "2026-03-31T00:00"] {
            assert!(bad.parse::<Day>().is_err(), "{bad}");
        }
        assert_eq!(Day::of(Millis(1_772_438_400_000)).to_string(), "2026-03-02");
    }

    #[test]
    fn millis_render_as_rfc3339() {
        assert_eq!(Millis(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Millis(1_772_438_400_000).display(), "2026-03-02 08:00 UTC");
    }
}
