//! What a transmitter accepts from a receiver in a stream create, update or replace request
//! and in an RFC 8936 poll request, beyond the request's syntax
//! ([`CreateStreamRequest::from_value`], [`UpdateStreamRequest::from_value`] and
//! [`PollRequest::from_value`] keep unknown members, as a reader of somebody else's messages
//! must).
//!
//! A transmitter should not take what it cannot use and then fail silently later:
//! - **unknown members are refused**, at the top level and inside `delivery` and `source`,
//!   naming each such member (and the known one it most likely misspells): a `"sourc"`
//!   silently dropped would leave the stream without a source until its first push failed,
//!   and a poll's `"return_immediately"` silently dropped holds the request for the whole
//!   long-poll time;
//! - **`source.jwks` holds public asymmetric keys only**: a member of a private key (`d`,
//!   `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`) is refused without echoing its value (the
//!   key would otherwise be stored and shown by every read), and a symmetric `oct` key is
//!   refused (HMAC is never allowed for SETs);
//! - **`events_requested` holds URIs**: an entry that is neither an event type of the
//!   catalogue nor an absolute URI (RFC 3986 section 4.3) is refused, suggesting the
//!   catalogue URI when the entry is a type's short name (`session-revoked`). Absolute
//!   URIs the transmitter does not support stay accepted (SSF delivers the intersection);
//!   [`crate::filter::undelivered_events`] says which ones will not be delivered.
//!
//! ```
//! use ssf_core::json::parse_object;
//! use ssf_core::json::Value;
//! use ssf_core::wire::{intake, CreateStreamRequest};
//!
//! let body = parse_object(br#"{"sourc": {}}"#, ssf_core::error::Part::Document).unwrap();
//! let req = CreateStreamRequest::from_value(&Value::Object(body)).unwrap();
//! let err = intake::check_create(&req).unwrap_err();
//! assert!(err.to_string().contains("\"sourc\""));
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::invalid;
use super::poll::{PollRequest, REQUEST_KNOWN as POLL_MEMBERS};
use super::stream::{CreateStreamRequest, Delivery, Source, SourceKeys, UpdateStreamRequest};
use crate::error::Error;
use crate::events::{catalog, lookup};
use crate::json::{Map, Value};

const CREATE: &str = "stream creation request";
const UPDATE: &str = "stream update request";
const POLL: &str = "poll request";

/// Members a receiver may send in a create request.
const CREATE_MEMBERS: &[&str] = &["events_requested", "delivery", "description", "source"];
const DELIVERY_MEMBERS: &[&str] = &["method", "endpoint_url", "authorization_header"];
use super::stream::SOURCE_KNOWN as SOURCE_MEMBERS;
/// JWK members that only a private (or symmetric) key has (RFC 7517, RFC 7518 section 6).
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Checks a create request's members beyond its syntax (see the module documentation).
pub fn check_create(req: &CreateStreamRequest) -> Result<(), Error> {
    check_members(CREATE, "", &req.extra, CREATE_MEMBERS)?;
    check_common(
        CREATE,
        req.events_requested.as_deref(),
        req.delivery.as_ref(),
        req.source.as_ref(),
    )
}

/// Checks an update (`PATCH`) or replace (`PUT`) request the same way.
pub fn check_update(req: &UpdateStreamRequest) -> Result<(), Error> {
    let mut known: Vec<&str> = CREATE_MEMBERS.to_vec();
    known.push("stream_id");
    check_members(UPDATE, "", &req.extra, &known)?;
    check_common(
        UPDATE,
        req.events_requested.as_deref(),
        req.delivery.as_ref(),
        req.source.as_ref(),
    )
}

/// Checks a poll request: no member beyond RFC 8936's.
pub fn check_poll(req: &PollRequest) -> Result<(), Error> {
    check_members(POLL, "", &req.extra, POLL_MEMBERS)
}

fn check_common(
    what: &'static str,
    events: Option<&[String]>,
    delivery: Option<&Delivery>,
    source: Option<&Source>,
) -> Result<(), Error> {
    if let Some(d) = delivery {
        check_members(what, "delivery.", &d.extra, DELIVERY_MEMBERS)?;
    }
    if let Some(s) = source {
        check_members(what, "source.", &s.extra, SOURCE_MEMBERS)?;
        if let SourceKeys::Jwks(set) = &s.keys {
            check_public_keys(what, set)?;
        }
    }
    for (i, uri) in events.unwrap_or_default().iter().enumerate() {
        check_event_uri(what, i, uri)?;
    }
    Ok(())
}

fn check_members(
    what: &'static str,
    prefix: &str,
    extra: &Map,
    known: &[&str],
) -> Result<(), Error> {
    if extra.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = extra
        .iter()
        .map(|(name, _)| {
            let hint = suggestion(name, known)
                .map(|k| format!(" (did you mean \"{prefix}{k}\"?)"))
                .unwrap_or_default();
            format!("\"{prefix}{name}\"{hint}")
        })
        .collect();
    let noun = if named.len() == 1 {
        "member"
    } else {
        "members"
    };
    Err(invalid(
        what,
        format!(
            "unknown {noun} {}; known members: {}",
            named.join(", "),
            known.join(", ")
        ),
    ))
}

/// The known name `name` most likely misspells: the same letters in another case or
/// word separation (`return_immediately` for `returnImmediately`), else one at most two
/// edits away.
fn suggestion<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-'))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let folded = fold(name);
    known
        .iter()
        .find(|k| fold(k) == folded)
        .or_else(|| {
            known
                .iter()
                .filter(|k| edit_distance(k, name) <= 2)
                .min_by_key(|k| edit_distance(k, name))
        })
        .copied()
}

fn check_public_keys(what: &'static str, set: &Map) -> Result<(), Error> {
    let keys = set
        .get("keys")
        .and_then(Value::as_array)
        .unwrap_or_default();
    for (i, key) in keys.iter().enumerate() {
        let Some(jwk) = key.as_object() else {
            return Err(invalid(
                what,
                format!("source.jwks.keys[{i}] must be a JWK object"),
            ));
        };
        if jwk.get_str("kty") == Some("oct") {
            return Err(invalid(
                what,
                format!(
                    "source.jwks.keys[{i}] is a symmetric (oct) key: SETs are verified with public \
                     keys only, never HMAC"
                ),
            ));
        }
        if let Some(m) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(m)) {
            return Err(invalid(
                what,
                format!(
                    "source.jwks.keys[{i}].{m} is a member of a private key: give the \
                     transmitter's public key only (the value is not echoed, and should be \
                     considered exposed)"
                ),
            ));
        }
    }
    Ok(())
}

fn check_event_uri(what: &'static str, i: usize, uri: &str) -> Result<(), Error> {
    if lookup(uri).is_some() || is_absolute_uri(uri) {
        return Ok(());
    }
    let hint = catalog()
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(uri.trim()))
        .map(|t| format!(" (did you mean \"{}\"?)", t.uri))
        .unwrap_or_default();
    Err(invalid(
        what,
        format!("events_requested[{i}] {uri:?} is not an event type URI{hint}"),
    ))
}

/// RFC 3986 `absolute-URI`, as far as telling a URI from a name: a scheme (a letter, then
/// letters, digits, `+`, `-`, `.`), a colon, something after it, and no whitespace or
/// control characters.
fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Levenshtein distance of two short names (member names: a few dozen bytes at most, and
/// only ever compared against a handful of known ones).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if b.len() > 64 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_object;
    use alloc::string::ToString;

    fn create(json: &str) -> Result<(), Error> {
        let m = parse_object(json.as_bytes(), crate::error::Part::Document).unwrap();
        check_create(&CreateStreamRequest::from_value(&Value::Object(m))?)
    }

    fn msg(r: Result<(), Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn unknown_members_are_named_with_a_suggestion() {
        let m = msg(create(r#"{"sourc": {}}"#));
        assert!(
            m.contains("\"sourc\"") && m.contains("did you mean \"source\""),
            "{m}"
        );
        let m = msg(create(
            r#"{"source": {"issuer": "https://i.example", "audience": "a", "jwks_uri": "https://i.example/k", "jwks_url": "x"}}"#,
        ));
        assert!(m.contains("\"source.jwks_url\""), "{m}");
        let m = msg(create(
            r#"{"delivery": {"method": "urn:ietf:rfc:8936", "endpoint": "x"}}"#,
        ));
        assert!(m.contains("\"delivery.endpoint\""), "{m}");
        assert!(create(r#"{"description": "x", "events_requested": []}"#).is_ok());
    }

    fn poll(json: &str) -> Result<(), Error> {
        let m = parse_object(json.as_bytes(), crate::error::Part::Document).unwrap();
        check_poll(&PollRequest::from_value(&Value::Object(m))?)
    }

    #[test]
    fn unknown_poll_members_are_all_named_once_with_suggestions() {
        let m = msg(poll(
            r#"{"return_immediately": true, "max_events": 1, "ack": [], "x": 1}"#,
        ));
        assert!(
            m.contains("\"return_immediately\" (did you mean \"returnImmediately\"?)"),
            "{m}"
        );
        assert!(
            m.contains("\"max_events\" (did you mean \"maxEvents\"?)"),
            "{m}"
        );
        assert!(
            m.contains("\"x\"") && m.starts_with("invalid poll request: unknown members "),
            "{m}"
        );
        assert_eq!(m.matches("poll request").count(), 1, "{m}");
        for ok in [
            "{}",
            r#"{"ack": ["a"], "setErrs": {}, "maxEvents": 0, "returnImmediately": true}"#,
        ] {
            assert!(poll(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn private_and_symmetric_keys_are_refused_without_their_values() {
        for (member, value) in [
            ("d", "c2VjcmV0LWQ"),
            ("p", "c2VjcmV0LXA"),
            ("k", "c2VjcmV0LWs"),
        ] {
            let json = format!(
                r#"{{"source": {{"issuer": "https://i.example", "audience": "a", "jwks": {{"keys": [{{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "{member}": "{value}"}}]}}}}}}"#
            );
            let m = msg(create(&json));
            assert!(m.contains(&format!("keys[0].{member}")), "{m}");
            assert!(!m.contains(value), "the secret is echoed: {m}");
        }
        let m = msg(create(
            r#"{"source": {"issuer": "https://i.example", "audience": "a", "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}}"#,
        ));
        assert!(m.contains("symmetric"), "{m}");
        assert!(!m.contains("c2VjcmV0"), "{m}");
    }

    #[test]
    fn event_types_must_be_uris() {
        let m = msg(create(r#"{"events_requested": ["session-revoked"]}"#));
        assert!(
            m.contains("https://schemas.openid.net/secevent/caep/event-type/session-revoked"),
            "{m}"
        );
        for bad in ["", "custom event", "/relative/path", "1abc:x", "urn:"] {
            let json = format!(r#"{{"events_requested": ["{bad}"]}}"#);
            assert!(create(&json).is_err(), "{bad:?}");
        }
        for good in [
            "urn:example:custom",
            "tag:example.com,2026:x",
            "https://e.example/x",
        ] {
            let json = format!(r#"{{"events_requested": ["{good}"]}}"#);
            assert!(create(&json).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn edit_distance_small_cases() {
        assert_eq!(edit_distance("source", "sourc"), 1);
        assert_eq!(edit_distance("delivery", "delivery"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
