//! Every event payload: `Event::parse(uri, payload)` for every catalogue URI (and its
//! legacy `http:` spelling, and any other URI).
//!
//! A payload that parses is given back exactly by `to_value`, re-parses to an equal event,
//! keeps the URI it was received under, and names its catalogue type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::error::Part;
use ssf_core::events::{lookup, Event};
use ssf_core::json;
use ssf_core_fuzz::event_uri;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let (uri, payload) = match event_uri(sel) {
        Some(uri) => (uri, rest),
        None => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let Ok(uri) = std::str::from_utf8(&rest[..end]) else {
                return;
            };
            (uri.to_string(), rest.get(end + 1..).unwrap_or_default())
        }
    };
    let Ok(value) = json::parse(payload, Part::Payload) else {
        return;
    };
    let Ok((event, _issues)) = Event::parse(&uri, &value) else {
        return;
    };
    let out = event.to_value();
    assert_eq!(out, value, "to_value does not give back the payload read");
    let (again, _) = Event::parse(&uri, &out).expect("its own payload is refused");
    assert_eq!(again, event, "parse -> to_value -> parse changed the event");
    assert_eq!(event.uri(), uri, "uri() is not the URI received");
    assert_eq!(event.type_uri(), lookup(&uri).map(|t| t.uri), "type_uri");
    assert_eq!(
        event.used_alias(),
        lookup(&uri).is_some_and(|t| t.uri != uri)
    );
    let map = out.as_object().expect("payload is an object").clone();
    assert_eq!(
        Event::from_parts(&uri, map).as_ref(),
        Ok(&event),
        "from_parts"
    );
    let _ = event.legacy_subject();
    let _ = event.check_subject(None);
});
