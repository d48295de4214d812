//! A Trello board's JSON export (Menu → Print, export and share → Export
//! as JSON): its lists, cards, checklists and members. Unknown fields are
//! ignored; archived lists and cards are read and flagged `closed`.

use serde::Deserialize;

use crate::text::{At, Gathered, Problem, Refusal, json_depth, name_problem, text_problem};

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
    /// The board's labels: checked, not imported.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// What happened on the board, newest first; only comments are read.
    #[serde(default)]
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Label {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub id_member_creator: Option<String>,
    /// Its shape depends on the kind; only a comment's card and text are
    /// read, the rest skipped without being kept.
    #[serde(default)]
    pub data: ActionData,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ActionData {
    #[serde(default)]
    pub card: Option<CardRef>,
    /// Only comments carry text; other kinds may carry anything here.
    #[serde(default)]
    pub text: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct CardRef {
    #[serde(default)]
    pub id: Option<serde_json::Value>,
}

/// A comment on a card.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment<'a> {
    pub card: &'a str,
    pub text: &'a str,
    pub member: Option<&'a str>,
    /// When it was written, as Trello writes it.
    pub date: Option<&'a str>,
}

impl Board {
    /// The comments on cards, oldest first.
    pub fn comments(&self) -> Vec<Comment<'_>> {
        let mut out: Vec<Comment<'_>> = self.actions.iter().filter_map(Action::comment).collect();
        out.reverse();
        out
    }
}

impl Action {
    fn comment(&self) -> Option<Comment<'_>> {
        if self.kind != "commentCard" {
            return None;
        }
        Some(Comment {
            card: self.data.card.as_ref()?.id.as_ref()?.as_str()?,
            text: self.data.text.as_ref()?.as_str()?,
            member: self.id_member_creator.as_deref(),
            date: self.date.as_deref(),
        })
    }
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

/// What to do with a file that is no board export.
const EXPORT_AGAIN: &str = "export the board from Trello with Menu → Print, export and share → Export as JSON";

/// Reads a board export, already text (see [`crate::text::decode`]).
/// Nesting is bounded everywhere in the document, fields Tandem skips
/// included; a value of the wrong type is refused with its JSON pointer;
/// names, descriptions and ids over their limits or holding a NUL are
/// gathered, so one refusal names every field to fix.
pub fn read(text: &str, limits: &Limits) -> Result<Board, Refusal> {
    json_depth(text)?;
    let kind = match text.trim_start().chars().next() {
        None => return Err(Refusal::file(format!("the file is empty: {EXPORT_AGAIN}"))),
        Some('{') => None,
        Some('[') => Some("an array"),
        Some('n') => Some("null"),
        Some('"') => Some("a string"),
        Some('t' | 'f') => Some("true or false"),
        Some(c) if c == '-' || c.is_ascii_digit() => Some("a number"),
        // Not JSON at all: the reader says where.
        Some(_) => None,
    };
    if let Some(kind) = kind {
        return Err(Refusal::one(Problem::new(
            At::Pointer(String::new()),
            format!("is {kind}, where a Trello board export is an object with `lists` and `cards`: {EXPORT_AGAIN}"),
        )));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<Board, _> = serde_path_to_error::deserialize(&mut de);
    let board = parsed.map_err(|e| {
        let pointer = pointer(e.path());
        let inner = e.into_inner();
        let message = if inner.to_string().starts_with("missing field") {
            format!("{inner}, which every Trello board export has: {EXPORT_AGAIN}")
        } else if inner.is_syntax() || inner.is_eof() {
            format!("is not JSON ({inner}): {EXPORT_AGAIN}")
        } else {
            format!("{inner}: fix the value or {EXPORT_AGAIN}")
        };
        Refusal::one(Problem::new(At::Pointer(pointer), message))
    })?;
    // One board, and nothing after it.
    de.end().map_err(|e| {
        Refusal::one(Problem::new(
            At::Pointer(String::new()),
            format!("has more after the board ({e}): {EXPORT_AGAIN}"),
        ))
    })?;
    let too_many = |what: &str, limit: usize| {
        Err(Refusal::file(format!("the board has more than {limit} {what}: split it into boards and import each")))
    };
    if board.lists.len() > limits.max_lists {
        return too_many("lists", limits.max_lists);
    }
    if board.cards.len() > limits.max_cards {
        return too_many("cards", limits.max_cards);
    }
    if board.checklists.iter().map(|c| c.check_items.len()).sum::<usize>() > limits.max_check_items {
        return too_many("checklist items", limits.max_check_items);
    }
    check(&board).or(board)
}

/// A serde path as a JSON pointer: `cards[2].name` → `/cards/2/name`.
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => out.push_str(variant),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// The board's names, ids and descriptions against their limits.
fn check(board: &Board) -> Gathered {
    let mut g = Gathered::default();
    let mut name = |at: String, v: &str| {
        if let Some(p) = name_problem(v) {
            g.push(Problem::new(At::Pointer(at), p));
        }
    };
    name("/name".into(), &board.name);
    for (i, l) in board.lists.iter().enumerate() {
        name(format!("/lists/{i}/id"), &l.id);
        name(format!("/lists/{i}/name"), &l.name);
    }
    for (i, c) in board.cards.iter().enumerate() {
        name(format!("/cards/{i}/id"), &c.id);
        name(format!("/cards/{i}/name"), &c.name);
        name(format!("/cards/{i}/idList"), &c.id_list);
        for (j, m) in c.id_members.iter().enumerate() {
            name(format!("/cards/{i}/idMembers/{j}"), m);
        }
    }
    for (i, c) in board.checklists.iter().enumerate() {
        name(format!("/checklists/{i}/idCard"), &c.id_card);
        for (j, item) in c.check_items.iter().enumerate() {
            name(format!("/checklists/{i}/checkItems/{j}/name"), &item.name);
        }
    }
    for (i, l) in board.labels.iter().enumerate() {
        name(format!("/labels/{i}/name"), &l.name);
    }
    for (i, m) in board.members.iter().enumerate() {
        name(format!("/members/{i}/id"), &m.id);
        name(format!("/members/{i}/fullName"), &m.full_name);
        name(format!("/members/{i}/username"), &m.username);
    }
    for (i, c) in board.cards.iter().enumerate() {
        if let Some(p) = text_problem(&c.desc) {
            g.push(Problem::new(At::Pointer(format!("/cards/{i}/desc")), p));
        }
        if let Some(due) = c.due.as_deref().filter(|d| d.parse::<jiff::Timestamp>().is_err()) {
            let shown: String = due.chars().take(40).collect();
            g.push(Problem::new(
                At::Pointer(format!("/cards/{i}/due")),
                format!("`{shown}` is not a date and time as Trello writes them (2027-01-12T17:00:00.000Z)"),
            ));
        }
    }
    for (i, a) in board.actions.iter().enumerate() {
        if let Some(c) = a.comment()
            && let Some(p) = text_problem(c.text)
        {
            g.push(Problem::new(At::Pointer(format!("/actions/{i}/data/text")), p));
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_reads_and_bad_input_is_refused() {
        let json = r#"{"name": "Launch", "prefs": {"x": 1},
            "lists": [{"id": "l1", "name": "To do", "pos": 1}, {"id": "l2", "name": "Done", "pos": 2, "closed": false}],
            "cards": [{"id": "c1", "name": "Write copy", "idList": "l1", "due": "2027-01-12T17:00:00.000Z",
                       "idMembers": ["m1"], "labels": []}],
            "checklists": [{"id": "k1", "idCard": "c1", "checkItems": [{"name": "a", "state": "complete"}]}],
            "members": [{"id": "m1", "fullName": "Ada Lovelace"}]}"#;
        let b = read(json, &Limits::default()).unwrap();
        assert_eq!((b.lists.len(), b.cards.len()), (2, 1));
        assert_eq!(b.cards[0].due_date(), Some(jiff::civil::date(2027, 1, 12)));
        assert_eq!(b.members[0].full_name, "Ada Lovelace");
        let few = Limits { max_cards: 0, ..Limits::default() };
        assert!(read(json, &few).unwrap_err().to_string().contains("more than 0 cards"));
    }
}

#[cfg(test)]
mod refusals {
    use super::*;

    fn refused(text: &str) -> Vec<(String, String)> {
        read(text, &Limits::default())
            .unwrap_err()
            .problems
            .into_iter()
            .map(|p| (p.at.to_string(), p.message))
            .collect()
    }

    #[test]
    fn what_is_no_board_says_what_was_expected() {
        for (text, kind) in [("[]", "an array"), ("null", "null"), ("  42", "a number"), ("\"x\"", "a string")] {
            let p = refused(text);
            assert_eq!(p[0].0, "the document");
            assert!(p[0].1.contains(kind) && p[0].1.contains("`lists` and `cards`"), "{p:?}");
        }
        let p = refused("{}");
        assert!(p[0].1.contains("missing field `lists`") && p[0].1.contains("Export as JSON"), "{p:?}");
        assert!(refused("")[0].1.contains("empty"));
        assert!(refused("{\"lists\": [")[0].1.contains("is not JSON"));
        let two = "{\"lists\": [], \"cards\": []} {\"lists\": [], \"cards\": []}";
        assert!(refused(two)[0].1.contains("more after the board"));
    }

    #[test]
    fn wrong_types_are_named_by_pointer() {
        let p = refused(r#"{"lists": [{"id": "l1", "name": null}], "cards": []}"#);
        assert_eq!(p[0].0, "`/lists/0/name`");
        let p = refused(r#"{"lists": [], "cards": {"id": 1}}"#);
        assert_eq!(p[0].0, "`/cards`");
        let p = refused(r#"{"lists": [], "cards": [{"id": "c", "idList": "l", "pos": "top"}]}"#);
        assert_eq!(p[0].0, "`/cards/0/pos`");
    }

    #[test]
    fn nesting_is_bounded_in_fields_no_one_reads() {
        let deep = format!("{{\"prefs\": {}1{}, \"lists\": [], \"cards\": []}}", "[".repeat(129), "]".repeat(129));
        assert!(refused(&deep)[0].1.contains("128 deep or more"));
        let deep = format!("{{\"prefs\": {}{}, \"lists\": [], \"cards\": []}}", "{\"a\":".repeat(200), "}".repeat(200));
        assert!(refused(&deep)[0].1.contains("128 deep or more"));
    }

    #[test]
    fn long_names_descriptions_and_nul_are_named_by_field() {
        let text = format!(
            r#"{{"name": "{}", "lists": [{{"id": "l", "name": "ok"}}],
                "cards": [{{"id": "c", "idList": "l", "name": "a\u0000b", "desc": "{}", "due": "next week"}}]}}"#,
            "A".repeat(300),
            "B".repeat(70_000)
        );
        let p = refused(&text);
        let at: Vec<&str> = p.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(at, ["`/name`", "`/cards/0/name`", "`/cards/0/desc`", "`/cards/0/due`"]);
        assert!(p[1].1.contains("NUL") && p[2].1.contains("65536"), "{p:?}");
    }
}
