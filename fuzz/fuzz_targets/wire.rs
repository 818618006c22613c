//! The wire messages: stream configuration (create / update / replace request, the
//! configuration and a list of them), stream status, add / remove subject, verification
//! request, poll request and response, RFC 8935 error bodies, RFC 9457 problem details and
//! transmitter metadata. Byte 0 picks the type (see `WIRE_KINDS`), the rest is its JSON.
//!
//! Every type: what `from_json` accepts, `to_value` gives back exactly (members and their
//! order kept), and its output re-reads equal; `from_json` and `to_json` agree with
//! `from_value` and `to_value`. Create requests become configurations that round-trip;
//! update and replace requests applied to a fixed stream either fail and change nothing,
//! or leave a configuration that round-trips, keeps its transmitter-supplied members and
//! delivers only events it supports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssf_core::error::Part;
use ssf_core::json;
use ssf_core::wire::{
    apply_patch, apply_replace, AddSubjectRequest, Audience, CreateStreamRequest, PollRequest,
    PollResponse, ProblemDetails, PushError, RemoveSubjectRequest, StreamConfig, StreamStatus,
    TransmitterMetadata, TransmitterSupplied, UpdateStreamRequest, UrlPolicy, VerificationRequest,
};
use ssf_core_fuzz::{round_trip, WIRE_KINDS};

/// The push stream of the go-ssf fixture `stream_config_push.json`, and its poll URL.
const STREAM: &str = r#"{"stream_id":"f67e39a0a4d34d56b3aa1bc4cff0069f","iss":"https://transmitter.example.com","aud":"receiver.example.com","events_supported":["https://schemas.openid.net/secevent/ssf/event-type/verification","https://schemas.openid.net/secevent/caep/event-type/session-revoked"],"events_requested":["https://schemas.openid.net/secevent/ssf/event-type/verification"],"events_delivered":["https://schemas.openid.net/secevent/ssf/event-type/verification"],"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://receiver.example.com/events","authorization_header":"Bearer abcdef"},"min_verification_interval":60,"format":"email"}"#;
const POLL_URL: &str = "https://transmitter.example.com/ssf/poll/f67e39a0";

macro_rules! message {
    ($ty:ty, $text:expr, $value:expr) => {{
        let read = round_trip(stringify!($ty), $value, <$ty>::from_value, <$ty>::to_value);
        let via_text = <$ty>::from_json($text);
        assert_eq!(
            read.is_some(),
            via_text.is_ok(),
            "{}: from_json and from_value disagree",
            stringify!($ty)
        );
        if let (Some(m), Ok(t)) = (&read, &via_text) {
            assert_eq!(m, t);
            assert_eq!(m.to_json(), m.to_value().to_json(), "to_json");
        }
        read
    }};
}

fn check_config(what: &str, config: &StreamConfig) {
    let v = config.to_value();
    let again = StreamConfig::from_value(&v).unwrap_or_else(|e| {
        panic!(
            "{what}: the configuration made is refused: {e:?}\n{}",
            v.to_json()
        )
    });
    assert_eq!(again.to_value(), v, "{what}: configuration round trip");
    if let Some(supported) = &config.events_supported {
        for uri in &config.events_delivered {
            assert!(
                supported.contains(uri),
                "{what}: delivers {uri}, which is not supported"
            );
        }
    }
    let _ = config.validate(UrlPolicy::default());
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(value) = json::parse(rest, Part::Document) else {
        return;
    };
    let value = &value;
    match WIRE_KINDS[usize::from(sel) % WIRE_KINDS.len()] {
        "create_stream" => {
            if let Some(req) = message!(CreateStreamRequest, text, value) {
                let _ = req.validate(UrlPolicy::default());
                let supplied = TransmitterSupplied {
                    stream_id: "s1".into(),
                    iss: "https://transmitter.example.com".into(),
                    aud: Audience::One("receiver.example.com".into()),
                    events_supported: vec![
                        "https://schemas.openid.net/secevent/ssf/event-type/verification".into(),
                        "https://schemas.openid.net/secevent/caep/event-type/session-revoked"
                            .into(),
                    ],
                    poll_endpoint_url: POLL_URL.into(),
                    min_verification_interval: Some(30),
                    inactivity_timeout: None,
                    push: None,
                };
                if let Ok(config) = req.into_config(supplied) {
                    check_config("create", &config);
                }
            }
        }
        "update_stream" => {
            if let Some(req) = message!(UpdateStreamRequest, text, value) {
                let _ = req.validate(UrlPolicy::default());
                let original = StreamConfig::from_json(STREAM).expect("fixed stream");
                for (what, apply) in [
                    (
                        "patch",
                        apply_patch as fn(&mut StreamConfig, &UpdateStreamRequest, &str) -> _,
                    ),
                    ("replace", apply_replace),
                ] {
                    let mut config = original.clone();
                    match apply(&mut config, &req, POLL_URL) {
                        Ok(()) => {
                            check_config(what, &config);
                            assert_eq!(
                                config.stream_id, original.stream_id,
                                "{what}: stream_id changed"
                            );
                            assert_eq!(config.iss, original.iss, "{what}: iss changed");
                            assert_eq!(config.aud, original.aud, "{what}: aud changed");
                            assert_eq!(config.events_supported, original.events_supported);
                        }
                        Err(_) => {
                            assert_eq!(config, original, "{what}: failed but changed the stream")
                        }
                    }
                }
            }
        }
        "stream_config" => {
            if let Some(c) = message!(StreamConfig, text, value) {
                let _ = c.validate(UrlPolicy::default());
            }
        }
        "stream_list" => {
            round_trip("stream list", value, StreamConfig::list_from_value, |l| {
                StreamConfig::list_to_value(l)
            });
        }
        "stream_status" => {
            message!(StreamStatus, text, value);
        }
        "add_subject" => {
            message!(AddSubjectRequest, text, value);
        }
        "remove_subject" => {
            message!(RemoveSubjectRequest, text, value);
        }
        "verification" => {
            message!(VerificationRequest, text, value);
        }
        "poll_request" => {
            message!(PollRequest, text, value);
        }
        "poll_response" => {
            message!(PollResponse, text, value);
        }
        "push_error" => {
            message!(PushError, text, value);
        }
        "problem_details" => {
            message!(ProblemDetails, text, value);
        }
        "transmitter_meta" => {
            if let Some(m) = message!(TransmitterMetadata, text, value) {
                let _ = m.validate(UrlPolicy::default());
                let _ = m.validate_for_issuer("https://transmitter.example.com");
            }
        }
        other => unreachable!("{other}"),
    }
});
