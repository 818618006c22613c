//! Checking an event payload against its catalogue entry, and reading and writing the
//! typed claims once it passed.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::catalog::{EventType, FieldKind, FieldSpec};
use super::values::{is_language_tag, LangMap};
use crate::error::Error;
use crate::issue::Issue;
use crate::json::{Map, Number, Value};
use crate::subject::pointer;

/// An `Error::InvalidEvent` for `uri`.
pub(crate) fn invalid(uri: &str, detail: String) -> Error {
    Error::InvalidEvent {
        uri: uri.to_owned(),
        detail,
    }
}

/// Checks every claim `event_type` defines (presence, JSON type, allowed values) and notes
/// members it does not define. The legacy `subject` member is left to the caller.
pub(crate) fn check_payload(
    uri: &str,
    event_type: &EventType,
    payload: &Map,
    issues: &mut Vec<Issue>,
) -> Result<(), Error> {
    for field in event_type.fields {
        match payload.get(field.name) {
            None if field.required => {
                return Err(invalid(
                    uri,
                    format!("the required claim {:?} is missing", field.name),
                ))
            }
            None => {}
            Some(Value::Null) if !field.required => issues.push(Issue::warning(
                "null_claim",
                format!("claim {:?} is null; read as absent", field.name),
                pointer("", field.name),
            )),
            Some(value) => check_field(uri, field, value, issues)?,
        }
    }
    for (name, _) in payload.iter() {
        if name != "subject" && event_type.field(name).is_none() {
            issues.push(Issue::info(
                "unknown_event_member",
                format!(
                    "member {name:?} is not defined for {}; kept and ignored",
                    event_type.name
                ),
                pointer("", name),
            ));
        }
    }
    Ok(())
}

fn check_field(
    uri: &str,
    field: &FieldSpec,
    value: &Value,
    issues: &mut Vec<Issue>,
) -> Result<(), Error> {
    let name = field.name;
    let wrong_type = |expected: &str| {
        invalid(
            uri,
            format!(
                "claim {name:?} must be {expected}, not {}",
                value.type_name()
            ),
        )
    };
    match field.kind {
        FieldKind::String => {
            let s = value.as_str().ok_or_else(|| wrong_type("a string"))?;
            if field.required && s.is_empty() {
                return Err(invalid(uri, format!("claim {name:?} must not be empty")));
            }
        }
        FieldKind::Number => {
            value
                .as_number()
                .ok_or_else(|| wrong_type("a number (NumericDate)"))?;
        }
        FieldKind::Bool => {
            value.as_bool().ok_or_else(|| wrong_type("a boolean"))?;
        }
        FieldKind::Object => {
            value.as_object().ok_or_else(|| wrong_type("an object"))?;
        }
        FieldKind::StringArray => {
            let items = value
                .as_array()
                .ok_or_else(|| wrong_type("an array of strings"))?;
            if let Some((i, item)) = items.iter().enumerate().find(|(_, v)| v.as_str().is_none()) {
                return Err(invalid(
                    uri,
                    format!(
                        "claim {name:?} entry {i} must be a string, not {}",
                        item.type_name()
                    ),
                ));
            }
        }
        FieldKind::LangMap => check_lang_map(uri, name, value, issues)?,
        FieldKind::Enum(allowed) => {
            let s = value.as_str().ok_or_else(|| wrong_type("a string"))?;
            if !allowed.contains(&s) {
                return Err(invalid(
                    uri,
                    format!(
                        "claim {name:?} has the value {s:?}, which is not one of: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        FieldKind::OpenEnum(suggested) => {
            let s = value.as_str().ok_or_else(|| wrong_type("a string"))?;
            if s.is_empty() {
                return Err(invalid(uri, format!("claim {name:?} must not be empty")));
            }
            if !suggested.contains(&s) {
                issues.push(open_value_issue(name, s, suggested));
            }
        }
    }
    Ok(())
}

fn open_value_issue(name: &str, value: &str, suggested: &[&str]) -> Issue {
    match suggested.iter().find(|v| v.eq_ignore_ascii_case(value)) {
        Some(listed) => Issue::warning(
            "value_case_mismatch",
            format!("claim {name:?} is {value:?}; the specification spells it {listed:?} (values are case-sensitive)"),
            pointer("", name),
        ),
        None => Issue::info(
            "unlisted_value",
            format!("claim {name:?} is {value:?}, which the specification does not list; both parties must have agreed on it"),
            pointer("", name),
        ),
    }
}

fn check_lang_map(
    uri: &str,
    name: &str,
    value: &Value,
    issues: &mut Vec<Issue>,
) -> Result<(), Error> {
    let Some(map) = value.as_object() else {
        return Err(invalid(
            uri,
            format!(
                "claim {name:?} must be an object of language tag to text, not {}",
                value.type_name()
            ),
        ));
    };
    if map.is_empty() {
        return Err(invalid(
            uri,
            format!("claim {name:?} must have at least one language entry"),
        ));
    }
    for (tag, text) in map.iter() {
        if text.as_str().is_none() {
            return Err(invalid(
                uri,
                format!(
                    "claim {name:?} entry {tag:?} must be a string, not {}",
                    text.type_name()
                ),
            ));
        }
        if !is_language_tag(tag) {
            issues.push(Issue::warning(
                "invalid_language_tag",
                format!("{tag:?} is not a well-formed BCP 47 language tag"),
                pointer(&pointer("", name), tag),
            ));
        }
    }
    Ok(())
}

// ---- reading checked claims -------------------------------------------------------------------

/// A string claim.
pub(crate) fn string(m: &Map, name: &str) -> Option<String> {
    m.get_str(name).map(ToOwned::to_owned)
}

/// A number claim.
pub(crate) fn number(m: &Map, name: &str) -> Option<Number> {
    m.get(name).and_then(Value::as_number).cloned()
}

/// An object claim.
pub(crate) fn object(m: &Map, name: &str) -> Option<Map> {
    m.get(name).and_then(Value::as_object).cloned()
}

/// A language map claim.
pub(crate) fn lang_map(m: &Map, name: &str) -> Option<LangMap> {
    m.get(name)
        .and_then(Value::as_object)
        .and_then(LangMap::from_map)
}

/// An array-of-strings claim.
pub(crate) fn strings(m: &Map, name: &str) -> Option<Vec<String>> {
    m.get(name)?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(ToOwned::to_owned))
        .collect()
}

/// A claim parsed with `from_name`.
pub(crate) fn parsed<T>(m: &Map, name: &str, from_name: impl Fn(&str) -> Option<T>) -> Option<T> {
    m.get_str(name).and_then(from_name)
}

/// A required claim: its absence (which [`check_payload`] already ruled out) is an error.
pub(crate) fn required<T>(uri: &str, name: &str, value: Option<T>) -> Result<T, Error> {
    value.ok_or_else(|| {
        invalid(
            uri,
            format!("the required claim {name:?} is missing or invalid"),
        )
    })
}

// ---- writing typed claims ----------------------------------------------------------------------

/// Writes a claim into a payload: sets it in place (or appends it), or, for `None`, removes
/// it unless the payload holds it as `null` (which reads as absent and is kept as sent).
pub(crate) fn put(m: &mut Map, name: &str, value: Option<Value>) {
    match value {
        Some(v) => {
            m.insert(name, v);
        }
        None => {
            if !matches!(m.get(name), Some(Value::Null)) {
                m.remove(name);
            }
        }
    }
}

/// [`put`] for a string.
pub(crate) fn put_str(m: &mut Map, name: &str, value: Option<&str>) {
    put(m, name, value.map(Value::from));
}
