//! Custom fields: a workspace's own fields on features, tasks, feedback,
//! risks and defects, their types, and the one reader of their values,
//! whether a value comes as JSON from the API or as text from a form.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::model::Day;
use crate::numbers::parse_decimal;
use crate::str_enum;
use crate::validate::{self, Invalid};
use crate::{Id, Millis};

str_enum! {
    /// The kinds of object a custom field can be put on.
    pub enum FieldObject {
        Feature = "feature",
        Task = "task",
        Feedback = "feedback",
        Risk = "risk",
        Defect = "defect",
    }
}

impl FieldObject {
    /// The kind in the plural, for sentences ("on features").
    pub fn plural(self) -> &'static str {
        match self {
            FieldObject::Feature => "features",
            FieldObject::Task => "tasks",
            FieldObject::Feedback => "feedback",
            FieldObject::Risk => "risks",
            FieldObject::Defect => "defects",
        }
    }

    /// Whether the product side holds this kind (the project side holds
    /// the others).
    pub fn on_product_side(self) -> bool {
        matches!(self, FieldObject::Feature | FieldObject::Feedback)
    }
}

str_enum! {
    /// What a custom field holds.
    pub enum FieldType {
        Text = "text",
        Number = "number",
        Date = "date",
        Select = "select" => "Single select",
        MultiSelect = "multi_select" => "Multi select",
        Person = "person",
        Url = "url" => "Link",
    }
}

impl FieldType {
    /// Whether the field's values are picked from its options.
    pub fn has_options(self) -> bool {
        matches!(self, FieldType::Select | FieldType::MultiSelect)
    }
}

/// An object's custom values by field key: a string (text, date, select,
/// a person's id, URL), a number, or an array of strings (multi select).
pub type CustomValues = BTreeMap<String, Value>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomField {
    pub id: Id,
    pub workspace_id: Id,
    pub object: FieldObject,
    /// What the API and the address of a filter call it (`severity_class`);
    /// renaming it keeps the values.
    pub key: String,
    /// What people read.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The choices of a select or multi select, in order.
    pub options: Vec<String>,
    /// A new object must have a value, and a value once set cannot be cleared.
    pub required: bool,
    /// Order on pages, smallest first.
    pub position: i64,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The most fields one kind of object carries in a workspace.
pub const MAX_FIELDS_PER_OBJECT: i64 = 50;
pub const MAX_OPTIONS: usize = 100;
pub const MAX_OPTION_CHARS: usize = 100;
pub const MAX_KEY_CHARS: usize = 40;
/// The longest text or link value.
pub const MAX_VALUE_CHARS: usize = 2000;

/// A field's key: a lower-case letter, then letters, digits and `_`.
pub fn key(raw: &str) -> Result<String, Invalid> {
    let k = raw.trim();
    let ok = k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && k.len() <= MAX_KEY_CHARS;
    if ok {
        Ok(k.to_owned())
    } else {
        Err(Invalid::new(
            "key",
            format!(
                "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most {MAX_KEY_CHARS}), \
                 like customer_tier"
            ),
        ))
    }
}

/// A key made from a field's name, for forms that ask only for the name:
/// `Customer tier` → `customer_tier`.
pub fn key_from_name(name: &str) -> String {
    let mut k = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            k.push(c);
        } else if !k.is_empty() && !k.ends_with('_') {
            k.push('_');
        }
    }
    let k = k.trim_matches('_');
    let k = if k.starts_with(|c: char| c.is_ascii_lowercase()) { k.to_owned() } else { format!("field_{k}") };
    k.chars().take(MAX_KEY_CHARS).collect::<String>().trim_end_matches('_').to_owned()
}

/// A field's name.
pub fn name(raw: &str) -> Result<String, Invalid> {
    validate::name("name", raw)
}

/// The options of a field of type `kind`: one or more distinct names for
/// a select, none for any other type.
pub fn options(kind: FieldType, raw: &[String]) -> Result<Vec<String>, Invalid> {
    let bad = |m: String| Invalid::new("options", m);
    if !kind.has_options() {
        return if raw.iter().all(|o| o.trim().is_empty()) {
            Ok(Vec::new())
        } else {
            Err(bad(format!("only a select or multi select has options, not a {} field", kind.label())))
        };
    }
    let mut out: Vec<String> = Vec::new();
    for o in raw.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        if o.chars().count() > MAX_OPTION_CHARS || o.chars().any(char::is_control) {
            return Err(bad(format!("“{o}” must be one line of at most {MAX_OPTION_CHARS} characters")));
        }
        if out.iter().any(|x| x.eq_ignore_ascii_case(o)) {
            return Err(bad(format!("“{o}” is named twice")));
        }
        out.push(o.to_owned());
    }
    if out.is_empty() {
        return Err(bad("a select needs at least one option".into()));
    }
    if out.len() > MAX_OPTIONS {
        return Err(bad(format!("at most {MAX_OPTIONS} options")));
    }
    Ok(out)
}

/// Options typed one a line (or separated by commas when on one line).
pub fn options_text(text: &str) -> Vec<String> {
    let sep = if text.contains('\n') { '\n' } else { ',' };
    text.split(sep).map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()
}

/// The name a refusal of the field gives: `custom_fields.<key>`.
pub fn path(key: &str) -> String {
    format!("custom_fields.{key}")
}

/// Reads one value of `field` as sent: JSON from the API, or a form's text
/// as a string. `null`, an empty string or an empty list clear the value
/// (`None`). Numbers are stored as JSON numbers, whole ones without a
/// fraction; select options as the option's own spelling.
pub fn read(field: &CustomField, raw: &Value) -> Result<Option<Value>, Invalid> {
    let bad = |m: String| Invalid::named(path(&field.key), format!("{}: {m}", field.name));
    let text = match raw {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::Array(a) if a.is_empty() => return Ok(None),
        Value::String(s) => Some(s.trim()),
        _ => None,
    };
    let one_line = |t: &str| -> Result<String, Invalid> {
        if t.chars().count() > MAX_VALUE_CHARS {
            return Err(bad(format!("must be at most {MAX_VALUE_CHARS} characters")));
        }
        Ok(t.to_owned())
    };
    let option = |t: &str| -> Result<String, Invalid> {
        field
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(t.trim()))
            .cloned()
            .ok_or_else(|| bad(format!("“{}” is not one of {}", t.trim(), field.options.join(", "))))
    };
    let v = match (field.kind, raw, text) {
        (FieldType::Text, _, Some(t)) => Value::String(one_line(t)?),
        (FieldType::Number, Value::Number(n), _) => number(n.as_f64().ok_or_else(|| bad("is not a number".into()))?),
        (FieldType::Number, _, Some(t)) => {
            number(parse_decimal("value", t).map_err(|_| bad(format!("“{t}” is not a number")))?)
        }
        (FieldType::Date, _, Some(t)) => {
            let d: Day = t.parse().map_err(|_| bad(format!("“{t}” is not a date like 2026-03-31")))?;
            Value::String(d.to_string())
        }
        (FieldType::Select, _, Some(t)) => Value::String(option(t)?),
        // One option, or several typed with commas (an option's own comma
        // wins: the whole text is tried first).
        (FieldType::MultiSelect, _, Some(t)) => match option(t) {
            Ok(o) => Value::Array(vec![Value::String(o)]),
            Err(e) if !t.contains(',') => return Err(e),
            Err(_) => {
                let items: Vec<Value> = t.split(',').map(|p| Value::String(p.trim().to_owned())).collect();
                return read(field, &Value::Array(items));
            }
        },
        (FieldType::MultiSelect, Value::Array(items), _) => {
            let mut picked: Vec<String> = Vec::new();
            for item in items {
                let Value::String(s) = item else { return Err(bad("must be a list of option names".into())) };
                if s.trim().is_empty() {
                    continue;
                }
                let o = option(s)?;
                if !picked.contains(&o) {
                    picked.push(o);
                }
            }
            // In the field's order, so equal picks store equal values.
            picked.sort_by_key(|o| field.options.iter().position(|x| x == o));
            if picked.is_empty() {
                return Ok(None);
            }
            Value::Array(picked.into_iter().map(Value::String).collect())
        }
        (FieldType::Person, Value::Number(n), _) => {
            Value::String(n.as_i64().filter(|i| *i > 0).ok_or_else(|| bad("is not a person's id".into()))?.to_string())
        }
        (FieldType::Person, _, Some(t)) => Value::String(
            t.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| bad("is not a person's id".into()))?.to_string(),
        ),
        (FieldType::Url, _, Some(t)) => {
            let ok = (t.starts_with("https://") || t.starts_with("http://"))
                && t.len() > "http://".len() + 1
                && !t.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                return Err(bad(format!("“{t}” is not a web address (https://…)")));
            }
            Value::String(one_line(t)?)
        }
        (kind, _, _) => return Err(bad(format!("is not a value for a {} field", kind.label().to_lowercase()))),
    };
    Ok(Some(v))
}

fn number(v: f64) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    // Whole numbers as integers: 3, not 3.0.
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        return Value::from(v as i64);
    }
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// The person a stored person value names.
pub fn person(v: &Value) -> Option<Id> {
    v.as_str().and_then(|s| s.parse().ok()).map(Id)
}

/// What a write leaves: the object's values after `sent` (field key →
/// value as sent; `null` clears) is laid over `stored`. Unknown keys,
/// values of the wrong type and a required field left empty are refused,
/// naming the field. Values not in `sent` stay as stored, even if no
/// longer valid (an option removed, say), so an edit of something else
/// is never refused for them.
pub fn settle(
    fields: &[CustomField],
    object: FieldObject,
    stored: &CustomValues,
    sent: &CustomValues,
    creating: bool,
) -> Result<CustomValues, Invalid> {
    let mut out: CustomValues = stored
        .iter()
        .filter(|(k, _)| fields.iter().any(|f| &f.key == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, raw) in sent {
        let Some(f) = fields.iter().find(|f| &f.key == k) else {
            return Err(Invalid::named(path(k), format!("{} have no custom field “{k}”", object.plural())));
        };
        if stored.get(k) == Some(raw) {
            continue;
        }
        match read(f, raw)? {
            Some(v) => out.insert(k.clone(), v),
            None => out.remove(k),
        };
    }
    for f in fields.iter().filter(|f| f.required) {
        let missing = !out.contains_key(&f.key);
        if missing && (creating || stored.contains_key(&f.key)) {
            return Err(Invalid::named(path(&f.key), format!("{} is required", f.name)));
        }
    }
    Ok(out)
}

/// A stored value as people read it (a person's id stays an id: the page
/// names the person).
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A stored value as a form's input holds it: a number as typed, a date
/// as `2026-03-31`, options one per line.
pub fn form_text(v: &Value) -> String {
    match v {
        Value::Array(items) => items.iter().map(display).collect::<Vec<_>>().join("\n"),
        other => display(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(key: &str, kind: FieldType, options: &[&str], required: bool) -> CustomField {
        CustomField {
            id: Id(1),
            workspace_id: Id(1),
            object: FieldObject::Feature,
            key: key.into(),
            name: key.to_uppercase(),
            kind,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            required,
            position: 0,
            version: 1,
            created_at: Millis(0),
            updated_at: Millis(0),
        }
    }

    #[test]
    fn keys_are_slugs() {
        assert_eq!(key("customer_tier").unwrap(), "customer_tier");
        for bad in ["", "Tier", "1tier", "tier-x", "tier x", &"a".repeat(41)] {
            assert_eq!(key(bad).unwrap_err().field, "key", "{bad}");
        }
        assert_eq!(key_from_name("Customer tier"), "customer_tier");
        assert_eq!(key_from_name("  ARR (€) "), "arr");
        assert_eq!(key_from_name("2nd reviewer"), "field_2nd_reviewer");
        assert!(key(&key_from_name(&"Long name ".repeat(10))).is_ok());
    }

    #[test]
    fn options_only_for_selects() {
        assert_eq!(options(FieldType::Select, &["a".into(), " b ".into(), "".into()]).unwrap(), ["a", "b"]);
        assert!(options(FieldType::Select, &[]).is_err());
        assert!(options(FieldType::Select, &["a".into(), "A".into()]).is_err());
        assert!(options(FieldType::Text, &["a".into()]).is_err());
        assert_eq!(options(FieldType::Text, &[]).unwrap(), Vec::<String>::new());
        assert_eq!(options_text("Gold, Silver"), ["Gold", "Silver"]);
        assert_eq!(options_text("Gold, plated\nSilver\n"), ["Gold, plated", "Silver"]);
    }

    #[test]
    fn values_read_by_type() {
        let n = field("n", FieldType::Number, &[], false);
        assert_eq!(read(&n, &json!(3.0)).unwrap(), Some(json!(3)));
        assert_eq!(read(&n, &json!("1,250.5")).unwrap(), Some(json!(1250.5)));
        assert_eq!(read(&n, &json!("")).unwrap(), None);
        let e = read(&n, &json!("lots")).unwrap_err();
        assert_eq!(e.field, "custom_fields.n");
        assert!(e.message.contains("not a number"), "{}", e.message);
        assert!(read(&n, &json!(true)).is_err());

        let d = field("d", FieldType::Date, &[], false);
        assert_eq!(read(&d, &json!("2026-03-31")).unwrap(), Some(json!("2026-03-31")));
        assert!(read(&d, &json!("31/03/2026")).is_err());

        let s = field("s", FieldType::Select, &["Gold", "Silver"], false);
        assert_eq!(read(&s, &json!("gold")).unwrap(), Some(json!("Gold")));
        assert!(read(&s, &json!("Bronze")).unwrap_err().message.contains("Gold, Silver"));
        assert!(read(&s, &json!(["Gold"])).is_err());

        let m = field("m", FieldType::MultiSelect, &["a", "b", "c"], false);
        assert_eq!(read(&m, &json!(["c", "A", "c"])).unwrap(), Some(json!(["a", "c"])));
        assert_eq!(read(&m, &json!("b")).unwrap(), Some(json!(["b"])));
        assert_eq!(read(&m, &json!("c, a")).unwrap(), Some(json!(["a", "c"])));
        assert!(read(&m, &json!("a, z")).is_err());
        assert_eq!(read(&m, &json!([])).unwrap(), None);
        assert!(read(&m, &json!([1])).is_err());

        let p = field("p", FieldType::Person, &[], false);
        assert_eq!(read(&p, &json!("12")).unwrap(), Some(json!("12")));
        assert_eq!(read(&p, &json!(12)).unwrap(), Some(json!("12")));
        assert!(read(&p, &json!("Ann")).is_err());

        let u = field("u", FieldType::Url, &[], false);
        assert_eq!(read(&u, &json!(" https://x.example/a ")).unwrap(), Some(json!("https://x.example/a")));
        for bad in ["x.example", "javascript:alert(1)", "https://a b"] {
            assert!(read(&u, &json!(bad)).is_err(), "{bad}");
        }

        let t = field("t", FieldType::Text, &[], false);
        assert!(read(&t, &json!("x".repeat(MAX_VALUE_CHARS + 1))).is_err());
        assert!(read(&t, &json!({"a": 1})).is_err());
    }

    #[test]
    fn settling_a_write() {
        let fields = [field("tier", FieldType::Select, &["Gold"], true), field("note", FieldType::Text, &[], false)];
        let stored = CustomValues::new();
        let sent: CustomValues = [("note".to_owned(), json!("hi"))].into();
        let e = settle(&fields, FieldObject::Feature, &stored, &sent, true).unwrap_err();
        assert_eq!(e.field, "custom_fields.tier");
        // Made required later: an old object is not refused for it.
        assert_eq!(settle(&fields, FieldObject::Feature, &stored, &sent, false).unwrap(), sent);
        let full: CustomValues = [("tier".to_owned(), json!("gold")), ("note".to_owned(), json!("hi"))].into();
        let got = settle(&fields, FieldObject::Feature, &stored, &full, true).unwrap();
        assert_eq!(got["tier"], json!("Gold"));
        let clear: CustomValues = [("tier".to_owned(), Value::Null)].into();
        assert!(settle(&fields, FieldObject::Feature, &got, &clear, false).is_err());
        let clear_note: CustomValues = [("note".to_owned(), Value::Null)].into();
        let after = settle(&fields, FieldObject::Feature, &got, &clear_note, false).unwrap();
        assert!(!after.contains_key("note"));
        let unknown: CustomValues = [("nope".to_owned(), json!(1))].into();
        let e = settle(&fields, FieldObject::Feature, &got, &unknown, false).unwrap_err();
        assert_eq!(e.field, "custom_fields.nope");
        assert!(e.message.contains("features have no custom field"));
    }

    #[test]
    fn values_as_people_read_them() {
        assert_eq!(display(&json!(["a", "b"])), "a, b");
        assert_eq!(display(&json!(2.5)), "2.5");
        assert_eq!(form_text(&json!(["a", "b"])), "a\nb");
    }
}
