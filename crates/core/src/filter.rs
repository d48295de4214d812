//! Filters, grouping and order of a list page, as its address carries them:
//! `status=open,triaged&owner=me&score=10..25&created=2026-01-01..&cf.tier=Gold&sort=-score&group=status&q=word`.
//!
//! A page names the fields it knows; each object answers the values it
//! holds for a field as [`Cell`]s (several for a list, none when empty).
//! A condition is a list of accepted values (`a,b`; `none` for empty) or a
//! range (`lo..hi`, either end open) of numbers or dates. Parsing is the
//! one place a typed address is checked, and [`ListQuery::to_query`]
//! writes it back in one canonical form, so a saved view and a link agree.

use std::cmp::Ordering;

use crate::model::Day;
use crate::numbers::parse_decimal;
use crate::validate::Invalid;

/// The most conditions one address holds, and values one condition lists.
pub const MAX_CONDITIONS: usize = 30;
pub const MAX_VALUES: usize = 100;

/// One value an object holds for a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// What a filter names it by (`in_progress`, a member's id, an option).
    pub key: String,
    /// What a group heading shows.
    pub label: String,
    /// How it sorts and where ranges find it.
    pub order: Order,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Order {
    Num(f64),
    Day(Day),
    Text(String),
}

impl Cell {
    /// A word with a label: statuses, options, people.
    pub fn word(key: impl Into<String>, label: impl Into<String>) -> Cell {
        let label = label.into();
        Cell { key: key.into(), order: Order::Text(label.to_lowercase()), label }
    }

    pub fn num(v: f64, label: impl Into<String>) -> Cell {
        Cell { key: v.to_string(), label: label.into(), order: Order::Num(v) }
    }

    pub fn day(d: Day, label: impl Into<String>) -> Cell {
        Cell { key: d.to_string(), label: label.into(), order: Order::Day(d) }
    }

    /// A position in a fixed order (workflow steps, severities), so that
    /// sorting follows the order rather than the alphabet.
    pub fn ranked(key: impl Into<String>, label: impl Into<String>, rank: usize) -> Cell {
        Cell { key: key.into(), label: label.into(), order: Order::Num(rank as f64) }
    }
}

/// An object a list page shows.
pub trait Row {
    /// The values it holds for `field` (empty when none).
    fn cells(&self, field: &str) -> Vec<Cell>;
    /// Its words, for `q`.
    fn words(&self) -> String;
}

#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Num(f64),
    Day(Day),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Any of these keys; `none` stands for no value.
    AnyOf(Vec<String>),
    /// From `lo` to `hi`, both included, either open.
    Range(Option<Bound>, Option<Bound>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub test: Test,
}

impl Condition {
    /// The condition's value as an address writes it (`a,b`, `lo..hi`).
    pub fn value_text(&self) -> String {
        match &self.test {
            Test::AnyOf(list) => list.iter().map(|v| form_escape(v)).collect::<Vec<_>>().join(","),
            Test::Range(lo, hi) => format!("{}..{}", bound_text(lo.as_ref()), bound_text(hi.as_ref())),
        }
    }

    /// The value as a form field holds it (a list's values unescaped).
    pub fn form_value(&self) -> String {
        match &self.test {
            Test::AnyOf(list) => list.join(","),
            Test::Range(..) => self.value_text(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListQuery {
    pub conditions: Vec<Condition>,
    /// The field to sort by, and whether the largest comes first.
    pub sort: Option<(String, bool)>,
    pub group: Option<String>,
    /// Words every shown object holds (each a prefix of one of its words).
    pub q: Option<String>,
}

/// A field a page knows: its name in the address and what people read.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
}

/// Which fields one page filters, sorts and groups by; custom fields come
/// as `cf.<key>` besides these.
pub struct Fields<'a> {
    pub fixed: &'a [Field],
    pub custom: &'a [String],
}

impl Fields<'_> {
    fn knows(&self, name: &str) -> bool {
        self.fixed.iter().any(|f| f.name == name)
            || name.strip_prefix("cf.").is_some_and(|k| self.custom.iter().any(|c| c == k))
    }

    fn names(&self) -> String {
        self.fixed.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
    }
}

fn bound(field: &str, raw: &str) -> Result<Option<Bound>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(d) = raw.parse::<Day>() {
        return Ok(Some(Bound::Day(d)));
    }
    parse_decimal("value", raw).map(|n| Some(Bound::Num(n))).map_err(|_| {
        Invalid::named(field.to_owned(), format!("“{raw}” is neither a number nor a date like 2026-03-31"))
    })
}

impl ListQuery {
    /// Reads a page's query pairs; keys other than the page's fields,
    /// `sort`, `group` and `q` are refused, naming them, as are values a
    /// condition cannot hold. `ignore` lists keys the page reads itself
    /// (a cursor, a framework).
    pub fn parse(pairs: &[(String, String)], fields: &Fields<'_>, ignore: &[&str]) -> Result<ListQuery, Invalid> {
        let mut q = ListQuery::default();
        for (k, v) in pairs {
            let (k, v) = (k.trim(), v.trim());
            if ignore.contains(&k) {
                continue;
            }
            match k {
                "sort" | "group" if v.is_empty() => {}
                "sort" => {
                    let (desc, name) = match v.strip_prefix('-') {
                        Some(n) => (true, n),
                        None => (false, v),
                    };
                    if !fields.knows(name) {
                        return Err(Invalid::new("sort", format!("sorts by one of {}", fields.names())));
                    }
                    q.sort = Some((name.to_owned(), desc));
                }
                "group" => {
                    if !fields.knows(v) {
                        return Err(Invalid::new("group", format!("groups by one of {}", fields.names())));
                    }
                    q.group = Some(v.to_owned());
                }
                "q" => q.q = Some(v.chars().take(200).collect()).filter(|s: &String| !s.is_empty()),
                _ if v.is_empty() => {}
                name if fields.knows(name) => {
                    if q.conditions.len() == MAX_CONDITIONS {
                        return Err(Invalid::new("query", format!("at most {MAX_CONDITIONS} conditions")));
                    }
                    let test = match v.split_once("..") {
                        Some((lo, hi)) => {
                            let (lo, hi) = (bound(name, lo)?, bound(name, hi)?);
                            if lo.is_none() && hi.is_none() {
                                return Err(Invalid::named(name.to_owned(), "a range needs a start or an end"));
                            }
                            Test::Range(lo, hi)
                        }
                        None => {
                            let list: Vec<String> =
                                v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                            if list.len() > MAX_VALUES {
                                return Err(Invalid::named(name.to_owned(), format!("at most {MAX_VALUES} values")));
                            }
                            Test::AnyOf(list)
                        }
                    };
                    q.conditions.push(Condition { field: name.to_owned(), test });
                }
                other => {
                    return Err(Invalid::named(
                        other.to_owned(),
                        format!("is not a field of this list; filter by one of {}", fields.names()),
                    ));
                }
            }
        }
        Ok(q)
    }

    /// The value a condition on `field` accepts when it lists one value.
    pub fn value_of(&self, field: &str) -> Option<&str> {
        self.conditions.iter().find(|c| c.field == field).and_then(|c| match &c.test {
            Test::AnyOf(v) if v.len() == 1 => Some(v[0].as_str()),
            _ => None,
        })
    }

    /// Replaces `me` in people's fields by the reader's own key.
    pub fn with_me(mut self, people: &[&str], me: &str) -> ListQuery {
        for c in &mut self.conditions {
            if let (true, Test::AnyOf(list)) = (people.contains(&c.field.as_str()), &mut c.test) {
                for v in list.iter_mut().filter(|v| v.eq_ignore_ascii_case("me")) {
                    *v = me.to_owned();
                }
            }
        }
        self
    }

    /// Whether the query narrows, orders or groups at all.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty() && self.sort.is_none() && self.group.is_none() && self.q.is_none()
    }

    fn accepts<T: Row>(&self, row: &T) -> bool {
        let words = self.q.as_ref().map(|_| row.words().to_lowercase());
        if let (Some(q), Some(words)) = (&self.q, &words) {
            let mine: Vec<&str> = words.split(|c: char| !c.is_alphanumeric()).collect();
            let all = q
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .all(|w| mine.iter().any(|m| m.starts_with(w)));
            if !all {
                return false;
            }
        }
        self.conditions.iter().all(|c| {
            let cells = row.cells(&c.field);
            match &c.test {
                Test::AnyOf(list) => list.iter().any(|want| {
                    (want.eq_ignore_ascii_case("none") && cells.is_empty())
                        || cells.iter().any(|x| x.key.eq_ignore_ascii_case(want) || x.label.eq_ignore_ascii_case(want))
                }),
                Test::Range(lo, hi) => cells.iter().any(|x| within(&x.order, lo.as_ref(), hi.as_ref())),
            }
        })
    }

    /// The rows the query keeps, in its order (stable: equal rows keep the
    /// order they came in; rows without a value go last).
    pub fn apply<T: Row>(&self, rows: Vec<T>) -> Vec<T> {
        let mut kept: Vec<T> = rows.into_iter().filter(|r| self.accepts(r)).collect();
        if let Some((field, desc)) = &self.sort {
            let mut keyed: Vec<(Option<Order>, T)> =
                kept.into_iter().map(|r| (r.cells(field).into_iter().next().map(|c| c.order), r)).collect();
            keyed.sort_by(|(a, _), (b, _)| match (a, b) {
                (Some(a), Some(b)) => {
                    let o = compare(a, b);
                    if *desc { o.reverse() } else { o }
                }
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            });
            kept = keyed.into_iter().map(|(_, r)| r).collect();
        }
        kept
    }

    /// The rows the query keeps, in its order, grouped by the `group`
    /// field: each row in the group of its first value, groups in their
    /// own order, rows without a value last under `none_label`; beside each
    /// row the heading it starts, if it starts a group.
    pub fn arrange<T: Row>(&self, rows: Vec<T>, none_label: &str) -> (Vec<T>, Vec<Option<String>>) {
        let kept = self.apply(rows);
        let Some(field) = &self.group else {
            let n = kept.len();
            return (kept, vec![None; n]);
        };
        let mut keyed: Vec<(Option<Cell>, usize, T)> =
            kept.into_iter().enumerate().map(|(i, r)| (r.cells(field).into_iter().next(), i, r)).collect();
        // Stable within a group: the sort's order stays.
        keyed.sort_by(|(a, i, _), (b, j, _)| match (a, b) {
            (Some(a), Some(b)) => compare(&a.order, &b.order).then(a.key.cmp(&b.key)).then(i.cmp(j)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => i.cmp(j),
        });
        let mut heads = Vec::with_capacity(keyed.len());
        let mut last: Option<Option<String>> = None;
        for (cell, _, _) in &keyed {
            let key = cell.as_ref().map(|c| c.key.clone());
            if last.as_ref() == Some(&key) {
                heads.push(None);
            } else {
                heads.push(Some(cell.as_ref().map_or_else(|| none_label.to_owned(), |c| c.label.clone())));
                last = Some(key);
            }
        }
        (keyed.into_iter().map(|(_, _, r)| r).collect(), heads)
    }

    /// The query as an address carries it, in one order: conditions as
    /// given, then `q`, `group` and `sort`.
    pub fn to_query(&self) -> String {
        let mut parts: Vec<String> =
            self.conditions.iter().map(|c| format!("{}={}", c.field, c.value_text())).collect();
        if let Some(q) = &self.q {
            parts.push(format!("q={}", form_escape(q)));
        }
        if let Some(g) = &self.group {
            parts.push(format!("group={g}"));
        }
        if let Some((s, desc)) = &self.sort {
            parts.push(format!("sort={}{s}", if *desc { "-" } else { "" }));
        }
        parts.join("&")
    }
}

fn bound_text(b: Option<&Bound>) -> String {
    match b {
        None => String::new(),
        Some(Bound::Num(n)) => n.to_string(),
        Some(Bound::Day(d)) => d.to_string(),
    }
}

/// Escapes what would break a query pair: `%`, `&`, `=`, `+`, `#`, spaces
/// and controls (`,` separates a list, so it is escaped inside a value).
fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | '&' | '=' | '+' | '#' | ',' | '?' => out.push_str(&format!("%{:02X}", c as u32)),
            ' ' => out.push('+'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn within(o: &Order, lo: Option<&Bound>, hi: Option<&Bound>) -> bool {
    let ge = |b: &Bound| match (o, b) {
        (Order::Num(v), Bound::Num(x)) => v >= x,
        (Order::Day(v), Bound::Day(x)) => v >= x,
        _ => false,
    };
    let le = |b: &Bound| match (o, b) {
        (Order::Num(v), Bound::Num(x)) => v <= x,
        (Order::Day(v), Bound::Day(x)) => v <= x,
        _ => false,
    };
    lo.is_none_or(ge) && hi.is_none_or(le)
}

fn compare(a: &Order, b: &Order) -> Ordering {
    match (a, b) {
        (Order::Num(x), Order::Num(y)) => x.total_cmp(y),
        (Order::Day(x), Order::Day(y)) => x.cmp(y),
        (Order::Text(x), Order::Text(y)) => x.cmp(y),
        // Mixed kinds (a custom field changed type): numbers, dates, words.
        (Order::Num(_), _) | (Order::Day(_), Order::Text(_)) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// The cells of a custom field's value: options and text as words, numbers
/// and dates as such, a person by id with `people`'s name for the label.
pub fn custom_cells(
    field: &crate::custom::CustomField,
    value: Option<&serde_json::Value>,
    person: impl Fn(&str) -> String,
) -> Vec<Cell> {
    use crate::custom::FieldType;
    use serde_json::Value;
    let Some(v) = value else { return Vec::new() };
    match (field.kind, v) {
        (FieldType::Number, Value::Number(n)) => {
            n.as_f64().map(|x| Cell::num(x, crate::custom::display(v))).into_iter().collect()
        }
        (FieldType::Date, Value::String(s)) => s.parse::<Day>().map(|d| Cell::day(d, s.clone())).into_iter().collect(),
        (FieldType::Person, Value::String(id)) => vec![Cell::word(id.clone(), person(id))],
        (FieldType::Select, Value::String(s)) => {
            let rank = field.options.iter().position(|o| o == s).unwrap_or(usize::MAX);
            vec![Cell::ranked(s.clone(), s.clone(), rank)]
        }
        (_, Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| Cell::ranked(s, s, field.options.iter().position(|o| o == s).unwrap_or(usize::MAX)))
            .collect(),
        (_, Value::String(s)) => vec![Cell::word(s.clone(), s.clone())],
        (_, other) => vec![Cell::word(other.to_string(), other.to_string())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R {
        status: &'static str,
        score: Option<f64>,
        tags: Vec<&'static str>,
        due: Option<&'static str>,
        title: &'static str,
    }

    impl Row for R {
        fn cells(&self, field: &str) -> Vec<Cell> {
            match field {
                "status" => vec![Cell::word(self.status, self.status.to_uppercase())],
                "score" => self.score.map(|s| Cell::num(s, s.to_string())).into_iter().collect(),
                "cf.tags" => self.tags.iter().map(|t| Cell::word(*t, *t)).collect(),
                "due" => self.due.map(|d| Cell::day(d.parse().unwrap(), d)).into_iter().collect(),
                _ => Vec::new(),
            }
        }
        fn words(&self) -> String {
            self.title.into()
        }
    }

    const FIXED: [Field; 3] = [
        Field { name: "status", label: "Status" },
        Field { name: "score", label: "Score" },
        Field { name: "due", label: "Due" },
    ];

    fn q(s: &str) -> Result<ListQuery, Invalid> {
        let pairs: Vec<(String, String)> = s
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        let custom = ["tags".to_owned()];
        ListQuery::parse(&pairs, &Fields { fixed: &FIXED, custom: &custom }, &["cursor"])
    }

    fn rows() -> Vec<R> {
        vec![
            R { status: "open", score: Some(12.0), tags: vec!["web"], due: Some("2027-01-10"), title: "Card vault" },
            R { status: "done", score: Some(25.0), tags: vec![], due: None, title: "Receipts" },
            R { status: "open", score: None, tags: vec!["api", "web"], due: Some("2027-02-01"), title: "Refunds" },
        ]
    }

    fn titles(v: &[R]) -> Vec<&str> {
        v.iter().map(|r| r.title).collect()
    }

    #[test]
    fn conditions_lists_ranges_none_and_words() {
        assert_eq!(titles(&q("status=open").unwrap().apply(rows())), ["Card vault", "Refunds"]);
        assert_eq!(titles(&q("status=OPEN,done&score=10..20").unwrap().apply(rows())), ["Card vault"]);
        assert_eq!(titles(&q("score=20..").unwrap().apply(rows())), ["Receipts"]);
        assert_eq!(titles(&q("cf.tags=api").unwrap().apply(rows())), ["Refunds"]);
        assert_eq!(titles(&q("cf.tags=none").unwrap().apply(rows())), ["Receipts"]);
        assert_eq!(titles(&q("due=..2027-01-31").unwrap().apply(rows())), ["Card vault"]);
        assert_eq!(titles(&q("q=ref").unwrap().apply(rows())), ["Refunds"]);
        assert_eq!(titles(&q("cursor=5&status=").unwrap().apply(rows())).len(), 3);
    }

    #[test]
    fn sorting_puts_empty_values_last_and_groups_follow_their_order() {
        assert_eq!(titles(&q("sort=-score").unwrap().apply(rows())), ["Receipts", "Card vault", "Refunds"]);
        assert_eq!(titles(&q("sort=score").unwrap().apply(rows())), ["Card vault", "Receipts", "Refunds"]);
        let (rows, heads) = q("group=cf.tags").unwrap().arrange(rows(), "No tags");
        assert_eq!(titles(&rows), ["Refunds", "Card vault", "Receipts"]);
        assert_eq!(heads, [Some("api".to_owned()), Some("web".to_owned()), Some("No tags".to_owned())]);
    }

    #[test]
    fn bad_addresses_name_what_is_wrong() {
        assert_eq!(q("owner=me").unwrap_err().field, "owner");
        assert_eq!(q("cf.nope=1").unwrap_err().field, "cf.nope");
        assert_eq!(q("sort=-nope").unwrap_err().field, "sort");
        assert_eq!(q("group=nope").unwrap_err().field, "group");
        assert_eq!(q("score=a..b").unwrap_err().field, "score");
        assert_eq!(q("score=..").unwrap_err().field, "score");
        let many = (0..31).map(|i| format!("status=s{i}")).collect::<Vec<_>>().join("&");
        assert!(q(&many).is_err());
    }

    #[test]
    fn the_query_reads_back_as_written() {
        // (The page decodes the address before parsing: `q` gets `card vault`.)
        let parsed = q("status=open,done&score=10..&cf.tags=web&q=card vault&group=status&sort=-score").unwrap();
        assert_eq!(parsed.to_query(), "status=open,done&score=10..&cf.tags=web&q=card+vault&group=status&sort=-score");
        let me = q("status=me").unwrap().with_me(&["status"], "7");
        assert_eq!(me.value_of("status"), Some("7"));
    }
}
