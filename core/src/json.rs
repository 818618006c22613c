//! A strict JSON reader and an order-preserving JSON value.
//!
//! Tokens are attacker-controlled, so this parser is deliberately narrower than RFC 8259
//! allows: duplicate member names are an error (RFC 7515 section 4 lets a JWS consumer
//! reject them, and accepting them is how parser-differential attacks work), nesting depth
//! and number length are bounded, and input must be UTF-8 without a byte-order mark.
//!
//! Objects keep their members in document order, and numbers keep their source text, so
//! decode followed by encode reproduces the same members with the same values.

use alloc::borrow::{Cow, ToOwned};
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt::{self, Write};

use crate::error::{Error, Part};
use crate::limits::{MAX_JSON_DEPTH, MAX_NUMBER_LEN};

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, kept as its source text.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in document order.
    Object(Map),
}

/// A JSON number, kept exactly as written so that re-encoding it loses nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number(String);

impl Number {
    /// The number's JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as an `i64` if it is an integer written without fraction or exponent
    /// and in range.
    pub fn as_i64(&self) -> Option<i64> {
        if self.0.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            return None;
        }
        self.0.parse().ok()
    }

    /// The value as an `f64` (finite).
    pub fn as_f64(&self) -> Option<f64> {
        let v: f64 = self.0.parse().ok()?;
        v.is_finite().then_some(v)
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        let mut s = String::new();
        let _ = write!(s, "{v}");
        Number(s)
    }
}

impl From<u32> for Number {
    fn from(v: u32) -> Self {
        Number::from(i64::from(v))
    }
}

/// A JSON object: member names are unique and kept in insertion order.
///
/// SETs are small (a handful of members), so a vector with linear lookup is both faster
/// and smaller than a hash map here. What must stay cheap on a hostile document with
/// thousands of members is everything done once per member: the parser's check for
/// repeated names and the bulk operations ([`FromIterator`], the crate's reordering and
/// merging) index the names instead of scanning, so they cost O(n log n); a single
/// [`Map::get`] is one O(n) scan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    /// Parsed names that are in [`known_name`]'s list are borrowed from it: most of the
    /// names in a SET, its header and a JWK are, and each would otherwise be an allocation
    /// (and another one every time the map is cloned).
    entries: Vec<(Cow<'static, str>, Value)>,
}

impl Map {
    /// An empty object.
    pub const fn new() -> Self {
        Map {
            entries: Vec::new(),
        }
    }

    /// The member named `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| same_name(k, key))
            .map(|(_, v)| v)
    }

    /// The member named `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| same_name(k, key))
            .map(|(_, v)| v)
    }

    /// Whether a member named `key` exists.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, replacing in place (keeping its position) if it exists.
    /// Returns the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        let key = key.into();
        let value = value.into();
        match self.get_mut(&key) {
            Some(slot) => Some(core::mem::replace(slot, value)),
            None => {
                self.entries.push((Cow::Owned(key), value));
                None
            }
        }
    }

    /// Removes the member named `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(k, _)| same_name(k, key))?;
        Some(self.entries.remove(i).1)
    }

    /// Members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// Member names in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The string member `key`, if present and a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Map {
    /// Collects members in order; a repeated name keeps its first position and takes the
    /// last value (as repeated [`Map::insert`] calls would), at O(n log n) in all.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = Map {
            entries: iter
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into()), v.into()))
                .collect(),
        };
        m.merge_repeats();
        m
    }
}

impl Map {
    /// Folds repeated names into their first occurrence, which takes the last value.
    fn merge_repeats(&mut self) {
        let n = self.entries.len();
        if n <= LINEAR_MEMBERS {
            let entries = core::mem::take(&mut self.entries);
            for (k, v) in entries {
                match self.get_mut(&k) {
                    Some(slot) => *slot = v,
                    None => self.entries.push((k, v)),
                }
            }
            return;
        }
        let mut by_name: Vec<usize> = (0..n).collect();
        // Stable, so each run of one name lists its positions in document order.
        by_name.sort_by(|&a, &b| cmp_names(&self.entries[a].0, &self.entries[b].0));
        let mut keep = vec![true; n];
        let mut moves = Vec::new();
        let entries = &self.entries;
        for run in by_name.chunk_by(|&a, &b| same_name(&entries[a].0, &entries[b].0)) {
            if let [first, .., last] = *run {
                moves.push((last, first));
                for &i in &run[1..] {
                    keep[i] = false;
                }
            }
        }
        for (last, first) in moves {
            let value = core::mem::replace(&mut self.entries[last].1, Value::Null);
            self.entries[first].1 = value;
        }
        let mut i = 0;
        self.entries.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }

    /// Moves the members named in `order` to the front, in that order; the others follow
    /// in their current order. O(n log n), whatever the sizes.
    pub(crate) fn reorder<S: AsRef<str>>(&mut self, order: &[S]) {
        if order.is_empty() || self.entries.is_empty() {
            return;
        }
        let mut rank: Vec<(&str, usize)> = order
            .iter()
            .enumerate()
            .map(|(i, name)| (name.as_ref(), i))
            .collect();
        // A stable sort, then dropping later repeats, keeps a name's first rank.
        rank.sort_by(|a, b| cmp_names(a.0, b.0));
        rank.dedup_by(|later, earlier| same_name(later.0, earlier.0));
        let rank_of = |name: &str| {
            rank.binary_search_by(|(n, _)| cmp_names(n, name))
                .map_or(order.len(), |i| rank[i].1)
        };
        let mut keyed: Vec<(usize, usize, (Cow<'static, str>, Value))> =
            core::mem::take(&mut self.entries)
                .into_iter()
                .enumerate()
                .map(|(i, entry)| (rank_of(&entry.0), i, entry))
                .collect();
        keyed.sort_unstable_by_key(|(r, i, _)| (*r, *i));
        self.entries = keyed.into_iter().map(|(_, _, entry)| entry).collect();
    }

    /// Appends (cloned) the members of `other` whose names this object does not have yet.
    pub(crate) fn append_missing(&mut self, other: &Map) {
        let present = self.len();
        if present <= LINEAR_MEMBERS {
            for (k, v) in &other.entries {
                if !self.entries[..present].iter().any(|(n, _)| same_name(n, k)) {
                    self.entries.push((k.clone(), v.clone()));
                }
            }
            return;
        }
        let mut names: Vec<&str> = self.entries.iter().map(|(k, _)| &**k).collect();
        names.sort_by(|a, b| cmp_names(a, b));
        let missing: Vec<(Cow<'static, str>, Value)> = other
            .entries
            .iter()
            .filter(|(k, _)| names.binary_search_by(|n| cmp_names(n, k)).is_err())
            .cloned()
            .collect();
        self.entries.extend(missing);
    }

    /// A copy of the members whose names pass `keep`, in order (the names are unique
    /// already, so nothing is searched).
    pub(crate) fn filtered(&self, mut keep: impl FnMut(&str) -> bool) -> Map {
        Map {
            entries: self
                .entries
                .iter()
                .filter(|(k, _)| keep(k))
                .cloned()
                .collect(),
        }
    }

    /// The members sorted by name (for comparisons that ignore member order).
    pub(crate) fn sorted(&self) -> Vec<(&str, &Value)> {
        let mut members: Vec<(&str, &Value)> = self.iter().collect();
        members.sort_by(|a, b| cmp_names(a.0, b.0));
        members
    }
}

/// Objects with at most this many members are searched by scanning: for the handful of
/// members of a SET, a header or a JWK that is faster than building any index.
const LINEAR_MEMBERS: usize = 16;

/// Member-name equality; every name comparison of this module goes through here or
/// [`cmp_names`], so that tests can count them.
fn same_name(a: &str, b: &str) -> bool {
    #[cfg(test)]
    tests::count_comparison();
    a == b
}

/// Member-name order (see [`same_name`]).
fn cmp_names(a: &str, b: &str) -> Ordering {
    #[cfg(test)]
    tests::count_comparison();
    a.cmp(b)
}

/// A member name in the parser's index of a large object.
struct Name<'a>(Cow<'a, str>);

impl Ord for Name<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_names(&self.0, &other.0)
    }
}

impl PartialOrd for Name<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        same_name(&self.0, &other.0)
    }
}

impl Eq for Name<'_> {}

/// The member names an object being parsed already has: scanned while the object is
/// small, indexed once it grows, so that reading n members costs O(n log n) rather than
/// the O(n^2) of scanning for each (a 64 KiB header holds thousands of members).
#[derive(Default)]
struct SeenNames<'a> {
    index: Option<BTreeSet<Name<'a>>>,
}

impl<'a> SeenNames<'a> {
    /// Whether `name` is new to `entries` (the members so far), recording it if so.
    /// `raw` is the name as it stands in the input, when it needed no unescaping.
    // The `Cow` itself, not `&str`: cloning a static name into the index is free.
    #[allow(clippy::ptr_arg)]
    fn first_use(
        &mut self,
        entries: &[(Cow<'static, str>, Value)],
        name: &Cow<'static, str>,
        raw: Option<&'a str>,
    ) -> bool {
        let index = match &mut self.index {
            Some(index) => index,
            None if entries.len() < LINEAR_MEMBERS => {
                return !entries.iter().any(|(k, _)| same_name(k, name));
            }
            None => self
                .index
                .insert(entries.iter().map(|(k, _)| Name(k.clone())).collect()),
        };
        // Borrowed from the input (or the static list) where possible: no allocation.
        index.insert(Name(raw.map_or_else(|| name.clone(), Cow::Borrowed)))
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = alloc::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        // Same size and alignment on both sides, so the vector is converted in place; only
        // the borrowed names are copied out.
        self.entries
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v))
            .collect::<Vec<_>>()
            .into_iter()
    }
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The object, mutably, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an integer, if this is an integer in `i64` range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// Member `key` of an object (`None` for non-objects).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// A short name of the value's JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = write_value(&mut out, self);
        out
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::from(n))
    }
}
impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Object(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self)
    }
}

fn write_value<W: Write>(out: &mut W, v: &Value) -> fmt::Result {
    match v {
        Value::Null => out.write_str("null"),
        Value::Bool(true) => out.write_str("true"),
        Value::Bool(false) => out.write_str("false"),
        Value::Number(n) => out.write_str(&n.0),
        Value::String(s) => write_string(out, s),
        Value::Array(a) => {
            out.write_char('[')?;
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write_value(out, item)?;
            }
            out.write_char(']')
        }
        Value::Object(m) => {
            out.write_char('{')?;
            for (i, (k, item)) in m.entries.iter().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write_string(out, k)?;
                out.write_char(':')?;
                write_value(out, item)?;
            }
            out.write_char('}')
        }
    }
}

/// Writes `s` as a JSON string: only what must be escaped is escaped; other characters,
/// non-ASCII included, are written as UTF-8 (the form most JOSE libraries produce).
pub fn write_string<W: Write>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            '\u{08}' => out.write_str("\\b")?,
            '\u{0c}' => out.write_str("\\f")?,
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32)?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

/// Parses one JSON value from `input`, strictly (see the module documentation).
///
/// `part` says which document this is, for error messages.
pub fn parse(input: &[u8], part: Part) -> Result<Value, Error> {
    let mut p = Parser {
        s: input,
        // One validation of the whole input (ASCII is checked a word at a time) lets every
        // string and number be sliced out as `&str` without validating it again. When the
        // input is not UTF-8, each piece is validated as it is read instead, so the error
        // reported (and its offset) is the same either way.
        text: core::str::from_utf8(input).ok(),
        i: 0,
        part,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.i != p.s.len() {
        return Err(Error::TrailingData { part });
    }
    Ok(v)
}

/// Parses a JSON text that must be an object.
pub fn parse_object(input: &[u8], part: Part) -> Result<Map, Error> {
    match parse(input, part)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::NotAnObject { part }),
    }
}

/// A JSON string's content: the input's bytes as they stand, or rebuilt from escapes.
enum Text<'a> {
    Plain(&'a str),
    Unescaped(String),
}

/// The static copy of a member name common in SETs, JOSE headers, JWKs and SSF stream
/// documents. Matching on byte-string patterns compiles to a switch on the length and
/// then on single bytes, so a name that is not listed is usually dismissed after a
/// couple of comparisons.
fn known_name(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        // JOSE header (RFC 7515, RFC 8417).
        b"alg" => "alg",
        b"kid" => "kid",
        b"typ" => "typ",
        b"cty" => "cty",
        b"crit" => "crit",
        b"jku" => "jku",
        b"jwk" => "jwk",
        b"x5u" => "x5u",
        b"x5c" => "x5c",
        // JWT and SET claims (RFC 7519, RFC 8417, SSF 1.0).
        b"iss" => "iss",
        b"sub" => "sub",
        b"aud" => "aud",
        b"exp" => "exp",
        b"nbf" => "nbf",
        b"iat" => "iat",
        b"jti" => "jti",
        b"txn" => "txn",
        b"toe" => "toe",
        b"sub_id" => "sub_id",
        b"events" => "events",
        // Subject identifiers (RFC 9493, SSF 1.0).
        b"format" => "format",
        b"email" => "email",
        b"phone_number" => "phone_number",
        b"id" => "id",
        b"uri" => "uri",
        b"url" => "url",
        b"user" => "user",
        b"device" => "device",
        b"session" => "session",
        b"tenant" => "tenant",
        b"org_unit" => "org_unit",
        b"group" => "group",
        b"application" => "application",
        b"identifiers" => "identifiers",
        b"subject" => "subject",
        // CAEP, RISC and SSF event members.
        b"event_timestamp" => "event_timestamp",
        b"initiating_entity" => "initiating_entity",
        b"reason_admin" => "reason_admin",
        b"reason_user" => "reason_user",
        b"en" => "en",
        b"credential_type" => "credential_type",
        b"change_type" => "change_type",
        b"friendly_name" => "friendly_name",
        b"current_level" => "current_level",
        b"previous_level" => "previous_level",
        b"change_direction" => "change_direction",
        b"current_status" => "current_status",
        b"previous_status" => "previous_status",
        b"claims" => "claims",
        b"state" => "state",
        b"reason" => "reason",
        // JWK (RFC 7517, RFC 7518).
        b"keys" => "keys",
        b"kty" => "kty",
        b"use" => "use",
        b"key_ops" => "key_ops",
        b"crv" => "crv",
        b"x" => "x",
        b"y" => "y",
        b"n" => "n",
        b"e" => "e",
        // SSF stream configuration and status.
        b"stream_id" => "stream_id",
        b"delivery" => "delivery",
        b"method" => "method",
        b"endpoint_url" => "endpoint_url",
        b"authorization_header" => "authorization_header",
        b"events_supported" => "events_supported",
        b"events_requested" => "events_requested",
        b"events_delivered" => "events_delivered",
        b"description" => "description",
        b"status" => "status",
        _ => return None,
    })
}

struct Parser<'a> {
    s: &'a [u8],
    /// `s` as text, when all of it is UTF-8.
    text: Option<&'a str>,
    i: usize,
    part: Part,
}

/// Bytes that end a run of literal string content: the closing quote, the escape
/// character, and the control characters JSON forbids unescaped.
static STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Flags (in bit 7 of its byte) where eight little-endian bytes hold a byte of
/// `STRING_STOP`; the lowest flag is always a true one. Strings are most of a SET, and
/// this looks at them a word at a time.
///
/// `(x - 0x01..) & !x & 0x80..` flags the zero bytes of `x`, and with `0x20..` the bytes
/// below 0x20. A borrow, the only source of wrong flags, starts only at a byte that is
/// truly flagged, so wrong flags only ever sit above a true one.
fn string_stops(word: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
    let quote = word ^ QUOTES;
    let backslash = word ^ BACKSLASHES;
    ((quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (word.wrapping_sub(SPACES) & !word))
        & HIGHS
}

impl<'a> Parser<'a> {
    fn err(&self, detail: &'static str) -> Error {
        Error::Json {
            part: self.part,
            offset: self.i,
            detail,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn expect_lit(&mut self, lit: &[u8]) -> Result<(), Error> {
        if self.s.get(self.i..self.i + lit.len()) == Some(lit) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => {
                self.enter(depth)?;
                self.object(depth + 1).map(Value::Object)
            }
            Some(b'[') => {
                self.enter(depth)?;
                self.array(depth + 1).map(Value::Array)
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.expect_lit(b"true").map(|_| Value::Bool(true)),
            Some(b'f') => self.expect_lit(b"false").map(|_| Value::Bool(false)),
            Some(b'n') => self.expect_lit(b"null").map(|_| Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), Error> {
        if depth >= MAX_JSON_DEPTH {
            Err(Error::TooDeep { part: self.part })
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Map, Error> {
        self.i += 1; // '{'
        let mut map = Map::new();
        let mut seen = SeenNames::default();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(map);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a member name"));
            }
            let (key, raw) = match self.string_text()? {
                Text::Plain(s) => (
                    known_name(s.as_bytes())
                        .map_or_else(|| Cow::Owned(String::from(s)), Cow::Borrowed),
                    Some(s),
                ),
                Text::Unescaped(s) => (Cow::Owned(s), None),
            };
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':'"));
            }
            self.i += 1;
            self.skip_ws();
            let v = self.value(depth)?;
            if !seen.first_use(&map.entries, &key, raw) {
                return Err(Error::DuplicateMember {
                    part: self.part,
                    name: key.into_owned(),
                });
            }
            map.entries.push((key, v));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(map);
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Value>, Error> {
        self.i += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(items);
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(items);
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }

    /// `s[start..end]` as text; `start` and `end` sit next to ASCII delimiters.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str, Error> {
        if let Some(t) = self.text.and_then(|t| t.get(start..end)) {
            return Ok(t);
        }
        let bytes = self.s.get(start..end).unwrap_or_default();
        core::str::from_utf8(bytes).map_err(|e| Error::Json {
            part: self.part,
            offset: start + e.valid_up_to(),
            detail: "invalid UTF-8",
        })
    }

    fn number(&mut self) -> Result<Number, Error> {
        let start = self.i;
        let mut exponent = false;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            exponent = true;
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        if self.i - start > MAX_NUMBER_LEN {
            return Err(Error::NumberOutOfRange { part: self.part });
        }
        // The grammar above admits only ASCII.
        let text = self
            .slice(start, self.i)
            .map_err(|_| self.err("invalid number"))?;
        // Exponents can still overflow a double (1e999): refuse what no consumer can use.
        // Without one, at most MAX_NUMBER_LEN digits are always finite, and the grammar
        // above is a subset of what `f64::from_str` accepts, so converting would only cost.
        if exponent && !text.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(Error::NumberOutOfRange { part: self.part });
        }
        Ok(Number(String::from(text)))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn hex4(&mut self) -> Result<u16, Error> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            v = (v << 4) | u16::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    /// The literal content of a string from the current position up to the next quote,
    /// backslash, control character or end of input.
    fn run(&mut self) -> Result<&'a str, Error> {
        let start = self.i;
        let rest = self.s.get(start..).unwrap_or_default();
        let mut words = rest.chunks_exact(8);
        let mut len = 0;
        for w in &mut words {
            let mut le = [0u8; 8];
            le.copy_from_slice(w);
            let found = string_stops(u64::from_le_bytes(le));
            if found != 0 {
                self.i = start + len + (found.trailing_zeros() / 8) as usize;
                return self.slice(start, self.i);
            }
            len += 8;
        }
        self.i = start + len;
        while let Some(&b) = self.s.get(self.i) {
            if STRING_STOP[usize::from(b)] {
                break;
            }
            self.i += 1;
        }
        self.slice(start, self.i)
    }

    fn string(&mut self) -> Result<String, Error> {
        Ok(match self.string_text()? {
            // Most strings have no escapes: one allocation of exactly their length.
            Text::Plain(s) => String::from(s),
            Text::Unescaped(s) => s,
        })
    }

    fn string_text(&mut self) -> Result<Text<'a>, Error> {
        self.i += 1; // opening quote
        let first = self.run()?;
        if self.peek() == Some(b'"') {
            self.i += 1;
            return Ok(Text::Plain(first));
        }
        let mut out = String::with_capacity(first.len() + 8);
        out.push_str(first);
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Text::Unescaped(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.err("control character in string")),
            }
            let run = self.run()?;
            out.push_str(run);
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let c = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
        self.i += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{08}',
            b'f' => '\u{0c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                        return Err(self.err("unpaired surrogate"));
                    }
                    self.i += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err("unpaired surrogate"));
                    }
                    0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(self.err("unpaired surrogate"));
                } else {
                    u32::from(hi)
                };
                char::from_u32(code).ok_or_else(|| self.err("invalid code point"))?
            }
            _ => return Err(self.err("invalid escape")),
        };
        out.push(ch);
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    extern crate std;

    use super::*;
    use alloc::format;
    use core::cell::Cell;

    std::thread_local! {
        // Per thread, so tests running in parallel do not add to each other's counts.
        static COMPARISONS: Cell<u64> = const { Cell::new(0) };
    }

    pub(super) fn count_comparison() {
        COMPARISONS.with(|c| c.set(c.get() + 1));
    }

    /// The member-name comparisons `f` makes (on this thread).
    pub(crate) fn comparisons<T>(f: impl FnOnce() -> T) -> (T, u64) {
        let before = COMPARISONS.with(Cell::get);
        let out = f();
        (out, COMPARISONS.with(Cell::get) - before)
    }

    /// An object of `n` distinct members, the names neither sorted nor all known.
    fn many_members(n: usize) -> String {
        let mut text = String::from("{");
        for i in 0..n {
            if i > 0 {
                text.push(',');
            }
            // Reversed digits: document order is not name order.
            let name: String = format!("{i:05}").chars().rev().collect();
            text.push_str(&format!("\"m{name}\":{i}"));
        }
        text.push('}');
        text
    }

    /// A bound that O(n log n) meets with room to spare and O(n^2) misses by far
    /// (n^2 / 2 is 32 million for 8,000 members).
    fn bound(n: u64) -> u64 {
        64 * n
    }

    #[test]
    fn many_members_cost_n_log_n_comparisons() {
        let n = 8_000;
        let text = many_members(n);
        let (parsed, count) = comparisons(|| p(&text));
        let map = parsed.unwrap().as_object().cloned().unwrap();
        assert_eq!(map.len(), n);
        assert!(count <= bound(n as u64), "{count} comparisons");
        // Order is still the document's, and lookups still work.
        assert_eq!(map.keys().next(), Some("m00000"));
        assert_eq!(map.keys().nth(1), Some("m10000"));
        assert_eq!(map.get("m99970").and_then(Value::as_i64), Some(7999));

        // A repeat among thousands is found, and named, as in a small object.
        let mut repeated = text.clone();
        repeated.pop();
        repeated.push_str(",\"m12340\":0}");
        let (result, count) = comparisons(|| p(&repeated));
        assert!(
            matches!(&result, Err(Error::DuplicateMember { name, .. }) if name == "m12340"),
            "{result:?}"
        );
        assert!(count <= bound(n as u64), "{count} comparisons");
        // An escaped spelling of a name is the same name.
        let mut escaped = text;
        escaped.pop();
        escaped.push_str(",\"\\u006d12340\":0}");
        assert!(
            matches!(p(&escaped), Err(Error::DuplicateMember { name, .. }) if name == "m12340")
        );
    }

    #[test]
    fn bulk_map_operations_cost_n_log_n_comparisons() {
        let n = 8_000u64;
        let names: Vec<String> = (0..n).map(|i| format!("k{}", (i * 7919) % n)).collect();
        let (mut map, count) = comparisons(|| {
            names
                .iter()
                .map(|k| (k.as_str(), Value::Null))
                .collect::<Map>()
        });
        assert_eq!(map.len() as u64, n);
        assert!(count <= bound(n), "collect: {count} comparisons");

        let mut order: Vec<String> = names.iter().rev().cloned().collect();
        order.truncate(4_000);
        let ((), count) = comparisons(|| map.reorder(&order));
        assert!(count <= bound(n), "reorder: {count} comparisons");
        assert_eq!(map.keys().next(), names.last().map(String::as_str));

        let mut small: Map = [("a", 1), ("b", 2)]
            .into_iter()
            .map(|(k, v)| (k, Value::from(v)))
            .collect();
        let ((), count) = comparisons(|| small.append_missing(&map));
        assert_eq!(small.len() as u64, n + 2);
        assert!(count <= bound(n), "append_missing: {count} comparisons");
        let mut big = map.clone();
        let ((), count) = comparisons(|| big.append_missing(&small));
        assert_eq!(big.len() as u64, n + 2);
        assert!(count <= bound(n), "append_missing: {count} comparisons");
        let (sorted, count) = comparisons(|| big.sorted());
        assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(count <= bound(n), "sorted: {count} comparisons");
    }

    #[test]
    fn collect_and_reorder_keep_insert_semantics() {
        for n in [3usize, 40] {
            // Every name three times: first position kept, last value taken.
            let pairs: Vec<(String, Value)> = (0..3 * n)
                .map(|i| (format!("k{}", i % n), Value::from(i as i64)))
                .collect();
            let collected: Map = pairs.iter().cloned().collect();
            let mut inserted = Map::new();
            for (k, v) in pairs {
                inserted.insert(k, v);
            }
            assert_eq!(collected, inserted);
            assert_eq!(
                collected.get("k1").and_then(Value::as_i64),
                Some((2 * n + 1) as i64)
            );
        }
        let mut m: Map = ["a", "b", "c", "d"]
            .into_iter()
            .map(|k| (k, Value::Null))
            .collect();
        m.reorder(&["c", "x", "a", "c"]);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["c", "a", "b", "d"]);
    }

    fn p(s: &str) -> Result<Value, Error> {
        parse(s.as_bytes(), Part::Payload)
    }

    #[test]
    fn round_trips_order_and_numbers() {
        let text = r#"{"b":1,"a":[true,false,null,-0.5e10,"x\"\\\n\u0001é"],"c":{}}"#;
        let v = p(text).unwrap();
        assert_eq!(v.to_json(), text);
        let keys: Vec<_> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a", "c"]);
    }

    #[test]
    fn rejects_duplicates_depth_numbers_trailing() {
        assert!(
            matches!(p(r#"{"a":1,"a":2}"#), Err(Error::DuplicateMember { name, .. }) if name == "a")
        );
        let deep = "[".repeat(MAX_JSON_DEPTH + 1) + &"]".repeat(MAX_JSON_DEPTH + 1);
        assert_eq!(
            p(&deep),
            Err(Error::TooDeep {
                part: Part::Payload
            })
        );
        let ok = "[".repeat(MAX_JSON_DEPTH) + &"]".repeat(MAX_JSON_DEPTH);
        assert!(p(&ok).is_ok());
        assert_eq!(
            p("1e999"),
            Err(Error::NumberOutOfRange {
                part: Part::Payload
            })
        );
        assert_eq!(
            p(&"9".repeat(MAX_NUMBER_LEN + 1)),
            Err(Error::NumberOutOfRange {
                part: Part::Payload
            })
        );
        assert_eq!(
            p("{} x"),
            Err(Error::TrailingData {
                part: Part::Payload
            })
        );
        assert_eq!(
            p("01"),
            Err(Error::TrailingData {
                part: Part::Payload
            })
        );
        for bad in [
            "1.",
            "-",
            "+1",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\u{1}\"",
            "[1,]",
            "{\"a\" 1}",
            "nul",
            "\u{feff}{}",
        ] {
            assert!(matches!(p(bad), Err(Error::Json { .. })), "{bad}");
        }
        assert!(matches!(
            parse(b"\"\xff\"", Part::Header),
            Err(Error::Json {
                detail: "invalid UTF-8",
                ..
            })
        ));
    }

    #[test]
    fn decodes_surrogate_pairs() {
        assert_eq!(p(r#""\ud83d\ude00""#).unwrap(), Value::from("😀"));
    }
}
