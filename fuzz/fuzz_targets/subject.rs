//! RFC 9493 / SSF subject identifiers.
//!
//! A subject that reads gives back exactly the object it was read from, re-reads equal, is
//! identical to and matches itself, and describes itself on one line without control
//! characters. Given an array of two subjects, `identical` and `matches` are symmetric and
//! `identical` implies `matches`. A string is also tried as an IP address: what parses
//! re-parses from its own text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::error::Part;
use ssf_core::json::{self, Value};
use ssf_core::subject::{parse_ip, SubjectId};
use ssf_core_fuzz::round_trip;

fn read(v: &Value) -> Option<SubjectId> {
    let s = round_trip(
        "subject",
        v,
        |v| SubjectId::from_value(v).map(|(s, _)| s),
        SubjectId::to_value,
    )?;
    assert!(s.identical(&s), "not identical to itself: {s:?}");
    assert!(s.matches(&s), "does not match itself: {s:?}");
    let line = s.describe();
    assert!(
        !line.chars().any(char::is_control),
        "control character in {line:?}"
    );
    let _ = s.view();
    let _ = s.known_format();
    Some(s)
}

fuzz_target!(|data: &[u8]| {
    let Ok(v) = json::parse(data, Part::Document) else {
        return;
    };
    match &v {
        Value::Array(items) if items.len() == 2 => {
            if let (Some(a), Some(b)) = (read(&items[0]), read(&items[1])) {
                assert_eq!(
                    a.identical(&b),
                    b.identical(&a),
                    "identical is not symmetric"
                );
                assert_eq!(
                    a.matches(&b),
                    b.matches(&a),
                    "matches is not symmetric:\n{a:?}\n{b:?}"
                );
                if a.identical(&b) {
                    assert!(a.matches(&b), "identical but not matching");
                }
            }
        }
        Value::String(s) => {
            if let Some(ip) = parse_ip(s) {
                assert_eq!(parse_ip(&ip.to_string()), Some(ip), "IP text round trip");
            }
        }
        _ => {
            read(&v);
        }
    }
});
