//! The JSON texts handed to the JS layer, built from core's types.
//!
//! - decode: `{header, claims, subject, events: [event], issues: [issue]}`
//! - verify: `{header, claims, subject, events: [event]}`
//! - verifyAccessToken: `{header, claims, scopes: [string]}`
//! - event:  `{uri, type, issues}`: `type` is the catalogue URI core resolved `uri` to
//!   (legacy aliases included), or `null`
//! - issue:  `{severity, code, message, path?}`
//!
//! The JS layer completes each event with its catalogue entry (profile, name, title,
//! description, from `catalog()`, read once) and its payload (`claims.events[uri]`), so
//! neither is serialised on every call. Nothing here decides anything: type resolution
//! and issues all come from core.

use ssf_core::access_token::AccessToken;
use ssf_core::events;
use ssf_core::issue::Issue;
use ssf_core::json::{Map, Value};
use ssf_core::set::{Inspection, Set};
use ssf_core::subject::SubjectId;

fn issue_value(issue: &Issue) -> Value {
    let mut m = Map::new();
    m.insert("severity", issue.severity.as_str());
    m.insert("code", issue.code);
    m.insert("message", issue.message.as_str());
    if !issue.path.is_empty() {
        m.insert("path", issue.path.as_str());
    }
    Value::Object(m)
}

fn subject_value(subject: Option<&SubjectId>) -> Value {
    subject.map_or(Value::Null, SubjectId::to_value)
}

/// One event: its URI as sent, the catalogue type core resolves it to, and the issues
/// found at or below its path.
fn event_value(uri: &str, issues: &[Value]) -> Value {
    let mut m = Map::new();
    m.insert("uri", uri);
    m.insert(
        "type",
        events::lookup(uri).map_or(Value::Null, |t| Value::from(t.uri)),
    );
    m.insert("issues", issues.to_vec());
    Value::Object(m)
}

/// The events of a raw claims set, each with the issues whose path lies under it.
fn events_of(claims: &Map, issues: &[Issue]) -> Value {
    let Some(events) = claims.get("events").and_then(Value::as_object) else {
        return Value::Array(Vec::new());
    };
    let list: Vec<Value> = events
        .iter()
        .map(|(uri, _)| {
            let prefix = ssf_core::set::event_path(uri);
            let own: Vec<Value> = issues
                .iter()
                .filter(|i| {
                    i.path
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .map(issue_value)
                .collect();
            event_value(uri, &own)
        })
        .collect();
    Value::Array(list)
}

/// The result of `decodeSet`.
pub(crate) fn inspection(ins: &Inspection) -> String {
    let mut m = Map::new();
    m.insert("header", ins.header.raw.clone());
    m.insert("claims", ins.claims.clone());
    m.insert("subject", subject_value(ins.subject.as_ref()));
    m.insert("events", events_of(&ins.claims, &ins.issues));
    let issues: Vec<Value> = ins.issues.iter().map(issue_value).collect();
    m.insert("issues", issues);
    Value::Object(m).to_json()
}

/// The result of `verifySet`. Event issues (warnings only: a verified SET has no errors)
/// are the ones verification found, each listed under its event.
pub(crate) fn verified(set: &Set) -> String {
    let claims = &set.claims;
    let mut m = Map::new();
    m.insert("header", set.header.raw.clone());
    m.insert("claims", claims.raw.clone());
    m.insert("subject", subject_value(claims.sub_id.as_ref()));
    m.insert("events", events_of(&claims.raw, &set.warnings));
    Value::Object(m).to_json()
}

/// The result of `verifyAccessToken`: the header and claims as sent, and the scopes of the
/// `scope` claim as core split them.
pub(crate) fn access_token(at: &AccessToken) -> String {
    let mut m = Map::new();
    m.insert("header", at.header.raw.clone());
    m.insert("claims", at.raw.clone());
    let scopes: Vec<Value> = at.scopes.iter().map(|s| Value::from(s.as_str())).collect();
    m.insert("scopes", scopes);
    Value::Object(m).to_json()
}

/// `eventCatalog()`: every event type with its fields.
pub(crate) fn catalog() -> String {
    let list: Vec<Value> = events::catalog()
        .iter()
        .map(|t| {
            let mut m = Map::new();
            m.insert("uri", t.uri);
            m.insert("profile", t.profile.as_str());
            m.insert("name", t.name);
            m.insert("title", t.title);
            m.insert("description", t.description);
            m.insert("deprecated", t.deprecated);
            let fields: Vec<Value> = t
                .fields
                .iter()
                .map(|f| {
                    let mut fm = Map::new();
                    fm.insert("name", f.name);
                    fm.insert("type", f.kind.as_str());
                    fm.insert("required", f.required);
                    fm.insert("description", f.description);
                    if !f.values().is_empty() {
                        let values: Vec<Value> =
                            f.values().iter().map(|v| Value::from(*v)).collect();
                        fm.insert("values", values);
                    }
                    Value::Object(fm)
                })
                .collect();
            m.insert("fields", fields);
            Value::Object(m)
        })
        .collect();
    Value::Array(list).to_json()
}
