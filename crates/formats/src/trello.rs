//! A Trello board's JSON export (Menu → Print, export and share → Export
//! as JSON): its lists, cards, checklists and members. Unknown fields are
//! ignored; archived lists and cards are read and flagged `closed`.

use serde::Deserialize;

/// Bounds on what one board may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_lists: usize,
    pub max_cards: usize,
    pub max_check_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_lists: 2_000, max_cards: 20_000, max_check_items: 200_000 }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("not a Trello board export: {0}")]
    Json(String),
    #[error("more than {limit} {what}")]
    TooMany { what: &'static str, limit: usize },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    #[serde(default)]
    pub name: String,
    pub lists: Vec<List>,
    pub cards: Vec<Card>,
    #[serde(default)]
    pub checklists: Vec<Checklist>,
    #[serde(default)]
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct List {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub pos: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub desc: String,
    pub id_list: String,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub pos: f64,
    /// An instant, `2027-01-12T17:00:00.000Z`.
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub due_complete: bool,
    #[serde(default)]
    pub id_members: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checklist {
    #[serde(default)]
    pub id_card: String,
    #[serde(default)]
    pub check_items: Vec<CheckItem>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckItem {
    #[serde(default)]
    pub name: String,
    /// `complete` or `incomplete`.
    #[serde(default)]
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub username: String,
}

impl Card {
    /// The due date's calendar day (as Trello shows it, in UTC).
    pub fn due_date(&self) -> Option<jiff::civil::Date> {
        let ts: jiff::Timestamp = self.due.as_deref()?.parse().ok()?;
        Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
    }
}

/// Reads a board export. Nesting is bounded by the JSON reader (128
/// levels), size by the caller.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Board, Error> {
    let board: Board = serde_json::from_slice(bytes).map_err(|e| Error::Json(e.to_string()))?;
    if board.lists.len() > limits.max_lists {
        return Err(Error::TooMany { what: "lists", limit: limits.max_lists });
    }
    if board.cards.len() > limits.max_cards {
        return Err(Error::TooMany { what: "cards", limit: limits.max_cards });
    }
    if board.checklists.iter().map(|c| c.check_items.len()).sum::<usize>() > limits.max_check_items {
        return Err(Error::TooMany { what: "checklist items", limit: limits.max_check_items });
    }
    Ok(board)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_reads_and_bad_input_is_refused() {
        let json = br#"{"name": "Launch", "prefs": {"x": 1},
            "lists": [{"id": "l1", "name": "To do", "pos": 1}, {"id": "l2", "name": "Done", "pos": 2, "closed": false}],
            "cards": [{"id": "c1", "name": "Write copy", "idList": "l1", "due": "2027-01-12T17:00:00.000Z",
                       "idMembers": ["m1"], "labels": []}],
            "checklists": [{"id": "k1", "idCard": "c1", "checkItems": [{"name": "a", "state": "complete"}]}],
            "members": [{"id": "m1", "fullName": "Ada Lovelace"}]}"#;
        let b = read(json, &Limits::default()).unwrap();
        assert_eq!((b.lists.len(), b.cards.len()), (2, 1));
        assert_eq!(b.cards[0].due_date(), Some(jiff::civil::date(2027, 1, 12)));
        assert_eq!(b.members[0].full_name, "Ada Lovelace");
        assert!(matches!(read(b"[]", &Limits::default()), Err(Error::Json(_))));
        assert!(matches!(read(br#"{"lists": []}"#, &Limits::default()), Err(Error::Json(_))));
        let deep = format!("{{\"lists\": {}{}, \"cards\": []}}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(read(deep.as_bytes(), &Limits::default()), Err(Error::Json(_))));
        let few = Limits { max_cards: 0, ..Limits::default() };
        assert_eq!(read(json, &few), Err(Error::TooMany { what: "cards", limit: 0 }));
    }
}
