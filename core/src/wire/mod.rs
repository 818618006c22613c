//! Wire messages of push (RFC 8935), poll (RFC 8936) and the SSF 1.0 management API.
//!
//! Every message type follows the same pattern:
//!
//! * `from_value(&Value)` / `from_json(&str)` read a message strictly: each member this crate
//!   knows must have the type (and, where the specification asks, the value range) it is
//!   defined with, required members must be present, and anything wrong is an
//!   [`Error::InvalidMessage`] naming the member (a `400` with `invalid_request`).
//! * Members the crate does not know are kept in the type's `extra` object, and the member
//!   order of the input is remembered, so `to_value()` gives back the same members in the
//!   same order: decoding and encoding a message loses nothing.
//! * Constructors set what a producer has to set; everything else is a public field.
//!
//! URL rules (SSF requires `https` for issuers and endpoints) are not applied while parsing:
//! a development deployment runs on `http://127.0.0.1`. They are checked by the `validate`
//! methods and by [`check_url`] / [`check_issuer_url`] under a [`UrlPolicy`].
//!
//! | module | messages |
//! |---|---|
//! | [`push`] | RFC 8935 error body ([`PushError`]), also a poll `setErrs` entry |
//! | [`poll`] | RFC 8936 [`PollRequest`], [`PollResponse`] |
//! | [`metadata`] | SSF transmitter metadata ([`TransmitterMetadata`]) and discovery |
//! | [`stream`] | stream configuration ([`StreamConfig`]) with create / update / replace rules |
//! | [`status`] | stream status ([`StreamStatus`]) |
//! | [`subjects`] | add / remove subject requests |
//! | [`verification`] | verification request |
//! | [`emit`] | a node's own event to originate ([`EmitRequest`]) |
//! | [`client`] | the receiver's calls to a transmitter (discovery, streams, status, verification, poll, OAuth token) |
//! | [`upstream`] | `source.register`: a node registering itself at its upstream |
//! | [`problem`] | RFC 9457 problem details, for management API error bodies |

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::Error;
use crate::json::{Map, Number, Value};

pub mod client;
pub mod emit;
pub mod intake;
pub mod metadata;
pub mod poll;
pub mod problem;
pub mod push;
pub mod status;
pub mod stream;
pub mod subjects;
pub mod upstream;
pub mod verification;

pub use emit::EmitRequest;
pub use metadata::{discovery_url, AuthorizationScheme, DefaultSubjects, TransmitterMetadata};
pub use poll::{PollRequest, PollResponse};
pub use problem::ProblemDetails;
pub use push::{ErrValue, PushError};
pub use status::{Status, StreamStatus};
pub use stream::{
    apply_patch, apply_replace, Audience, CreateStreamRequest, Delivery, PushEndpoint, Source,
    SourceKeys, StreamConfig, TransmitterSupplied, UpdateStreamRequest, POLL_METHOD, PUSH_METHOD,
};
pub use subjects::{AddSubjectRequest, RemoveSubjectRequest};
pub use verification::VerificationRequest;

// ---- URL rules -------------------------------------------------------------------------------

/// Which URLs are acceptable where SSF 1.0 requires `https`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UrlPolicy {
    /// Only `https` URLs, as SSF 1.0 requires. The default; use it in production.
    #[default]
    RequireHttps,
    /// `https` URLs, and also `http` URLs whose host is a loopback address (`localhost`,
    /// `127.0.0.0/8`, `[::1]`), for local development. Other `http` hosts stay refused, so
    /// switching this on by mistake never allows cleartext over a network.
    AllowLoopbackHttp,
}

/// Checks that `url` is an absolute URL acceptable under `policy`: scheme `https` (or loopback
/// `http`, see [`UrlPolicy`]), a host, no user information, only visible ASCII characters.
pub fn check_url(url: &str, policy: UrlPolicy) -> Result<(), Error> {
    check_url_in("URL", "url", url, policy, false)
}

/// [`check_url`] with [`UrlPolicy::RequireHttps`].
pub fn check_https(url: &str) -> Result<(), Error> {
    check_url(url, UrlPolicy::RequireHttps)
}

/// Checks an issuer identifier (SSF `issuer`, stream `iss`): [`check_url`], and no query
/// or fragment component.
pub fn check_issuer_url(url: &str, policy: UrlPolicy) -> Result<(), Error> {
    check_url_in("URL", "issuer", url, policy, true)
}

/// [`check_url`] / [`check_issuer_url`] with the message and member named in the error.
pub(crate) fn check_url_in(
    what: &'static str,
    member: &str,
    url: &str,
    policy: UrlPolicy,
    issuer: bool,
) -> Result<(), Error> {
    let bad = |why: &str| invalid(what, format!("{member} {url:?} {why}"));
    let parts = UrlParts::split(url).map_err(&bad)?;
    if issuer && (parts.query.is_some() || parts.fragment.is_some()) {
        return Err(bad("must not have a query or fragment"));
    }
    if parts.scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    match policy {
        UrlPolicy::AllowLoopbackHttp if is_loopback(parts.host) => Ok(()),
        UrlPolicy::AllowLoopbackHttp => Err(bad("must use https (http only to a loopback host)")),
        UrlPolicy::RequireHttps => Err(bad("must use https")),
    }
}

/// An absolute `http`/`https` URL cut into its components (RFC 3986 section 3), without
/// decoding anything.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UrlParts<'a> {
    /// `http` or `https`, as written.
    pub(crate) scheme: &'a str,
    /// Host and optional port, as written.
    pub(crate) authority: &'a str,
    /// The host (an IPv6 literal keeps its brackets).
    pub(crate) host: &'a str,
    /// The path, possibly empty.
    pub(crate) path: &'a str,
    /// The query without `?`, if any.
    pub(crate) query: Option<&'a str>,
    /// The fragment without `#`, if any.
    pub(crate) fragment: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Splits `url`, or says why it is not an absolute `http`/`https` URL.
    pub(crate) fn split(url: &'a str) -> Result<Self, &'static str> {
        if !url.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must be ASCII without spaces or control characters");
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or("is not an absolute URL (scheme://host...)")?;
        if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
            return Err("must use the https scheme");
        }
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err("must not carry user information");
        }
        let host = split_host(authority)?;
        Ok(UrlParts {
            scheme,
            authority,
            host,
            path,
            query,
            fragment,
        })
    }
}

/// The host of an authority (`host[:port]`), checked.
fn split_host(authority: &str) -> Result<&str, &'static str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority
            .find(']')
            .ok_or("has an unterminated IPv6 literal")?;
        let (host, after) = authority.split_at(end + 1);
        let inner = host.trim_start_matches('[').trim_end_matches(']');
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err("has an invalid IPv6 literal");
        }
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(after.strip_prefix(':').ok_or("has an invalid port")?),
            ),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = host.starts_with('[')
        || (!host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')));
    if !host_ok {
        return Err("has no valid host");
    }
    if let Some(p) = port {
        let valid = !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u16>().is_ok_and(|n| n != 0);
        if !valid {
            return Err("has an invalid port");
        }
    }
    Ok(host)
}

/// `localhost`, an IPv4 address in `127.0.0.0/8`, or `[::1]`.
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" {
        return true;
    }
    let mut octets = host.split('.');
    let first = octets.next();
    let rest: Vec<&str> = octets.collect();
    first == Some("127")
        && rest.len() == 3
        && rest.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && o.parse::<u8>().is_ok()
        })
}

// ---- shared reading / writing machinery -----------------------------------------------------

/// An [`Error::InvalidMessage`].
pub(crate) fn invalid(what: &'static str, detail: impl Into<String>) -> Error {
    Error::InvalidMessage {
        what,
        detail: detail.into(),
    }
}

/// Re-labels an error from a nested object as coming from member `path` of message `what`.
pub(crate) fn nested(what: &'static str, path: &str, e: Error) -> Error {
    match e {
        Error::InvalidMessage { detail, .. } => invalid(what, format!("{path}: {detail}")),
        other => other,
    }
}

/// The member order of a decoded object, used only to write members back in that order.
///
/// It never takes part in equality: two messages with the same members are equal whatever
/// order they were written in.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemberOrder(Vec<String>);

impl PartialEq for MemberOrder {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for MemberOrder {}

impl MemberOrder {
    /// The order of `map`'s members.
    pub(crate) fn of(map: &Map) -> Self {
        MemberOrder(map.keys().map(ToString::to_string).collect())
    }

    /// `members` rearranged: names seen on input first, in input order, then the others in
    /// the order given.
    pub(crate) fn arrange(&self, mut members: Map) -> Map {
        members.reorder(&self.0);
        members
    }
}

/// Typed access to the members of one JSON object of message `what`.
pub(crate) struct Obj<'a> {
    map: &'a Map,
    what: &'static str,
}

impl<'a> Obj<'a> {
    /// `value`, which must be an object.
    pub(crate) fn new(value: &'a Value, what: &'static str) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(Obj { map, what }),
            other => Err(invalid(
                what,
                format!("must be a JSON object, not {}", other.type_name()),
            )),
        }
    }

    /// The message name.
    pub(crate) fn what(&self) -> &'static str {
        self.what
    }

    /// The member named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    /// Whether member `name` is present (with any value).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// An error about member `name`.
    pub(crate) fn err(&self, name: &str, why: &str) -> Error {
        invalid(self.what, format!("member {name:?} {why}"))
    }

    fn wrong(&self, name: &str, expected: &str, found: &Value) -> Error {
        self.err(
            name,
            &format!("must be {expected}, not {}", found.type_name()),
        )
    }

    /// Member `name`, which must be present.
    pub(crate) fn required(&self, name: &str) -> Result<&'a Value, Error> {
        self.get(name).ok_or_else(|| self.err(name, "is required"))
    }

    /// A string value of member `name`.
    pub(crate) fn string(&self, name: &str, v: &Value) -> Result<String, Error> {
        match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.wrong(name, "a string", other)),
        }
    }

    /// A non-empty string value of member `name`.
    pub(crate) fn nonempty(&self, name: &str, v: &Value) -> Result<String, Error> {
        let s = self.string(name, v)?;
        if s.is_empty() {
            return Err(self.err(name, "must not be empty"));
        }
        Ok(s)
    }

    /// Required non-empty string member.
    pub(crate) fn req_nonempty(&self, name: &str) -> Result<String, Error> {
        self.nonempty(name, self.required(name)?)
    }

    /// Optional non-empty string member.
    pub(crate) fn opt_nonempty(&self, name: &str) -> Result<Option<String>, Error> {
        self.get(name).map(|v| self.nonempty(name, v)).transpose()
    }

    /// Optional string member (may be empty: free text).
    pub(crate) fn opt_string(&self, name: &str) -> Result<Option<String>, Error> {
        self.get(name).map(|v| self.string(name, v)).transpose()
    }

    /// Optional boolean member.
    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, Error> {
        self.get(name)
            .map(|v| match v {
                Value::Bool(b) => Ok(*b),
                other => Err(self.wrong(name, "a boolean", other)),
            })
            .transpose()
    }

    /// A non-negative integer value of member `name` that fits `u32`, written as a plain
    /// integer (no sign, fraction or exponent).
    pub(crate) fn uint(&self, name: &str, v: &Value) -> Result<u32, Error> {
        let n = match v {
            Value::Number(n) => n,
            other => return Err(self.wrong(name, "a non-negative integer", other)),
        };
        let text = n.as_str();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(name, "must be a non-negative integer"));
        }
        text.parse::<u32>()
            .map_err(|_| self.err(name, "is out of range"))
    }

    /// Optional non-negative integer member.
    pub(crate) fn opt_uint(&self, name: &str) -> Result<Option<u32>, Error> {
        self.get(name).map(|v| self.uint(name, v)).transpose()
    }

    /// An array of non-empty strings.
    pub(crate) fn list(&self, name: &str, v: &Value) -> Result<Vec<String>, Error> {
        let items = match v {
            Value::Array(items) => items,
            other => return Err(self.wrong(name, "an array of strings", other)),
        };
        items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                Value::String(_) => Err(self.err(name, "must not hold empty strings")),
                other => Err(self.wrong(name, "an array of strings", other)),
            })
            .collect()
    }

    /// Optional array of non-empty strings.
    pub(crate) fn opt_list(&self, name: &str) -> Result<Option<Vec<String>>, Error> {
        self.get(name).map(|v| self.list(name, v)).transpose()
    }

    /// Parses member `name` (if present) with `parse`, labelling its errors with the member.
    pub(crate) fn opt_nested<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        self.get(name)
            .map(|v| parse(v).map_err(|e| nested(self.what, name, e)))
            .transpose()
    }

    /// The members whose names are not in `known`, in order.
    pub(crate) fn extra(&self, known: &[&str]) -> Map {
        self.map.filtered(|k| !known.contains(&k))
    }

    /// The member order.
    pub(crate) fn order(&self) -> MemberOrder {
        MemberOrder::of(self.map)
    }
}

/// Builds an object from optional members, in the order given.
pub(crate) struct Writer(Map);

impl Writer {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Writer(Map::new())
    }

    /// Sets member `name`.
    pub(crate) fn put(&mut self, name: &str, v: impl Into<Value>) -> &mut Self {
        self.0.insert(name, v);
        self
    }

    /// Sets member `name` when `v` is present.
    pub(crate) fn opt<T: Into<Value>>(&mut self, name: &str, v: Option<T>) -> &mut Self {
        if let Some(v) = v {
            self.0.insert(name, v);
        }
        self
    }

    /// Appends the members of `extra` that are not set yet.
    pub(crate) fn extra(&mut self, extra: &Map) -> &mut Self {
        self.0.append_missing(extra);
        self
    }

    /// The object, arranged in `order`.
    pub(crate) fn finish(&mut self, order: &MemberOrder) -> Value {
        Value::Object(order.arrange(core::mem::take(&mut self.0)))
    }
}

/// A list of strings as a JSON array.
pub(crate) fn str_array(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect())
}

/// A `u32` as a JSON number.
pub(crate) fn uint_value(n: u32) -> Value {
    Value::Number(Number::from(n))
}

/// JSON equality that ignores the member order of objects (numbers compare by their text).
pub(crate) fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // Sorted once rather than a lookup per member: objects may be large.
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.sorted()
                    .into_iter()
                    .zip(y.sorted())
                    .all(|((k, v), (l, w))| k == l && same_json(v, w))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_json(v, w))
        }
        _ => a == b,
    }
}

/// Parses `text` as the JSON document of a wire message.
pub(crate) fn parse_document(text: &str) -> Result<Value, Error> {
    crate::json::parse(text.as_bytes(), crate::error::Part::Document)
}

/// Adds `from_json` and `to_json` to a message type that has `from_value` and `to_value`.
macro_rules! json_text {
    ($ty:ty) => {
        impl $ty {
            /// Parses the message from JSON text (strict JSON, then [`Self::from_value`]).
            pub fn from_json(text: &str) -> Result<Self, $crate::error::Error> {
                Self::from_value(&$crate::wire::parse_document(text)?)
            }

            /// The message as compact JSON text ([`Self::to_value`]).
            pub fn to_json(&self) -> alloc::string::String {
                self.to_value().to_json()
            }
        }
    };
}
pub(crate) use json_text;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::tests::comparisons;
    use crate::wire::stream::StreamConfig;

    #[test]
    fn thousands_of_unknown_members_cost_n_log_n_comparisons() {
        let n = 8_000u64;
        let mut text = String::from(
            r#"{"stream_id":"s","iss":"https://t.example/","aud":"a","events_delivered":[],"delivery":{"method":"urn:ietf:rfc:8936","endpoint_url":"https://t.example/poll"}"#,
        );
        for i in 0..n {
            text.push_str(&format!(r#","x{}":{i}"#, (i * 7919) % n));
        }
        text.push('}');
        let value = parse_document(&text).unwrap();
        let (config, count) = comparisons(|| StreamConfig::from_value(&value));
        let config = config.unwrap();
        assert_eq!(config.extra.len() as u64, n);
        assert!(count <= 64 * n, "read: {count} comparisons");
        let (written, count) = comparisons(|| config.to_value());
        assert!(count <= 64 * n, "write: {count} comparisons");
        let (same, count) = comparisons(|| same_json(&written, &value));
        assert!(same);
        assert!(count <= 64 * n, "compare: {count} comparisons");
    }
}
