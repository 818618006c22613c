//! The strict JSON reader, against serde_json.
//!
//! * What ours accepts re-encodes to text that reads back as the same value, and
//!   serde_json reads the same input as the same value (member order and number text
//!   included).
//! * What ours accepts, serde_json accepts (ours is the stricter one).
//! * What ours refuses and serde_json accepts is explained by one of our documented extra
//!   rules: a duplicate member name, nesting deeper than 32, or a number longer than 40
//!   bytes or outside the range of a double.
#![no_main]

use std::collections::HashSet;
use std::fmt;

use libfuzzer_sys::fuzz_target;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use ssf_core::error::{Error, Part};
use ssf_core::json::{self, Value};
use ssf_core::limits::{MAX_JSON_DEPTH, MAX_NUMBER_LEN};

fuzz_target!(|data: &[u8]| {
    let ours = json::parse(data, Part::Document);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    if let Ok(v) = &ours {
        let text = v.to_json();
        let again = json::parse(text.as_bytes(), Part::Document)
            .unwrap_or_else(|e| panic!("our own output {text:?} is refused: {e:?}"));
        assert_eq!(&again, v, "encode -> decode changed the value");
        assert_eq!(again.to_json(), text, "encoding is not stable");
    }
    match (ours, theirs) {
        (Ok(v), Ok(t)) => {
            let mine = to_serde(&v);
            // Same value, and (serialised by the same writer) the same member order.
            assert_eq!(mine, t, "serde_json reads another value");
            assert_eq!(
                serde_json::to_string(&mine).unwrap(),
                serde_json::to_string(&t).unwrap(),
                "serde_json reads the members in another order"
            );
        }
        (Ok(v), Err(e)) => panic!("ours accepts what serde_json refuses ({e}): {v:?}"),
        (Err(e), Ok(t)) => match e {
            Error::DuplicateMember { .. } => {
                assert!(
                    has_repeats(data),
                    "refused as a duplicate member, but none found"
                );
            }
            // serde_json keeps the last of repeated members, so what made an earlier one
            // fail can be missing from its value: such inputs are judged by ours alone.
            Error::TooDeep { .. } | Error::NumberOutOfRange { .. } if has_repeats(data) => {}
            Error::TooDeep { .. } => {
                assert!(
                    depth(&t) > MAX_JSON_DEPTH,
                    "refused as too deep at depth {}",
                    depth(&t)
                );
            }
            Error::NumberOutOfRange { .. } => {
                assert!(
                    has_bad_number(&t),
                    "refused a number, but every number is fine"
                );
            }
            other => {
                panic!("ours refuses what serde_json accepts, for no documented rule: {other:?}")
            }
        },
        (Err(_), Err(_)) => {}
    }
});

fn to_serde(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::Value::Number(
            n.as_str()
                .parse()
                .expect("serde_json reads our number text"),
        ),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(to_serde).collect()),
        Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (k.to_string(), to_serde(v)))
                .collect(),
        ),
    }
}

fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Whether some object of `data` (valid JSON to serde_json) repeats a member name.
fn has_repeats(data: &[u8]) -> bool {
    serde_json::from_slice::<NoDuplicates>(data).is_err()
}

fn has_bad_number(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            text.len() > MAX_NUMBER_LEN || !text.parse::<f64>().is_ok_and(f64::is_finite)
        }
        serde_json::Value::Array(a) => a.iter().any(has_bad_number),
        serde_json::Value::Object(m) => m.values().any(has_bad_number),
        _ => false,
    }
}

/// A JSON value that fails to deserialise when any object in it repeats a member name.
struct NoDuplicates;

impl<'de> Deserialize<'de> for NoDuplicates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        // (With arbitrary_precision a number arrives as a one-member map: no duplicates.)
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate member {key:?}")));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}
