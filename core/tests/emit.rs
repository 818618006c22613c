//! `wire::EmitRequest`: the body of `POST /ssf/events`, checked by the catalogue's rules,
//! and the per-stream SET built from it.

use ssf_core::filter::StreamFilter;
use ssf_core::subject::SubjectId;
use ssf_core::wire::{DefaultSubjects, EmitRequest};
use ssf_core::Error;

const REVOKED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
const CHANGE: &str = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
const COMPROMISE: &str =
    "https://schemas.openid.net/secevent/risc/event-type/credential-compromise";
const VERIFICATION: &str = "https://schemas.openid.net/secevent/ssf/event-type/verification";

fn alice() -> serde_json::Value {
    serde_json::json!({"format": "email", "email": "alice@example.com"})
}

fn read(v: serde_json::Value) -> Result<EmitRequest, Error> {
    EmitRequest::from_json(&v.to_string())
}

fn refused(v: serde_json::Value, needle: &str) {
    match read(v.clone()) {
        Err(e @ Error::InvalidMessage { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains(needle),
                "{text:?} should mention {needle:?} ({v})"
            );
        }
        other => panic!("{v} should be refused, got {other:?}"),
    }
}

#[test]
fn a_valid_request_is_read_with_its_events_typed() {
    let r = read(serde_json::json!({
        "sub_id": alice(),
        "events": {
            REVOKED: {"event_timestamp": 1_700_000_000, "reason_admin": {"en": "stolen laptop"}},
            COMPROMISE: {"credential_type": "password"}
        },
        "txn": "t-1"
    }))
    .unwrap();
    assert_eq!(r.event_uris().collect::<Vec<_>>(), [REVOKED, COMPROMISE]);
    assert_eq!(r.txn.as_deref(), Some("t-1"));
    // Written back, it reads the same.
    let again = EmitRequest::from_value(&r.to_value()).unwrap();
    assert_eq!(
        again.event_uris().collect::<Vec<_>>(),
        [REVOKED, COMPROMISE]
    );
}

#[test]
fn a_legacy_alias_is_sent_under_the_catalogue_uri() {
    let http = REVOKED.replacen("https:", "http:", 1);
    let r = read(serde_json::json!({"sub_id": alice(), "events": {http: {"event_timestamp": 1}}}))
        .unwrap();
    assert_eq!(r.event_uris().collect::<Vec<_>>(), [REVOKED]);
}

#[test]
fn every_invalid_class_is_refused_naming_what_is_wrong() {
    let ts = serde_json::json!({"event_timestamp": 1});
    refused(serde_json::json!([]), "JSON object");
    refused(serde_json::json!({"events": {REVOKED: ts}}), "sub_id");
    refused(
        serde_json::json!({"sub_id": {"format": "email"}, "events": {REVOKED: ts}}),
        "sub_id",
    );
    refused(
        serde_json::json!({"sub_id": {"format": "nope", "x": "y"}, "events": {REVOKED: ts}}),
        "sub_id",
    );
    refused(
        serde_json::json!({"sub_id": {"format": "iss-sub", "iss": "https://i", "sub": "s"}, "events": {REVOKED: ts}}),
        "pre-1.0 spelling",
    );
    refused(
        serde_json::json!({"sub_id": {"subject_type": "email", "email": "a@b.c"}, "events": {REVOKED: ts}}),
        "sub_id",
    );
    refused(serde_json::json!({"sub_id": alice()}), "events");
    refused(
        serde_json::json!({"sub_id": alice(), "events": {}}),
        "at least one",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": []}),
        "events",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {"https://example.com/my-event": {}}}),
        "not an event type",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {"not a uri": {}}}),
        "not an event type",
    );
    // Required members and closed value sets.
    refused(
        serde_json::json!({"sub_id": alice(), "events": {CHANGE: {"event_timestamp": 1, "change_type": "create"}}}),
        "credential_type",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {CHANGE: {"event_timestamp": 1, "credential_type": "password", "change_type": "destroy"}}}),
        "change_type",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {COMPROMISE: {}}}),
        "credential_type",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {REVOKED: "now"}}),
        "JSON object",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {REVOKED: {"subject": alice()}}}),
        "sub_id",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {VERIFICATION: {}}}),
        "node itself",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {REVOKED: ts}, "txn": 7}),
        "txn",
    );
    refused(
        serde_json::json!({"sub_id": alice(), "events": {REVOKED: ts}, "txn_id": "x"}),
        "txn_id",
    );
    let http = REVOKED.replacen("https:", "http:", 1);
    refused(
        serde_json::json!({"sub_id": alice(), "events": {REVOKED: ts, http: ts}}),
        "same event type",
    );
    let many: serde_json::Map<String, serde_json::Value> = ssf_core::events::catalog()
        .iter()
        .filter(|t| t.uri.contains("/risc/") && t.required_fields().count() == 0)
        .map(|t| (t.uri.to_string(), serde_json::json!({})))
        .collect();
    assert!(many.len() > ssf_core::wire::emit::MAX_EMIT_EVENTS);
    refused(
        serde_json::json!({"sub_id": alice(), "events": many}),
        "at most",
    );
}

#[test]
fn each_stream_gets_the_events_it_delivers_for_the_subjects_it_includes() {
    let r = read(serde_json::json!({
        "sub_id": alice(),
        "events": {REVOKED: {"event_timestamp": 1}, COMPROMISE: {"credential_type": "password"}},
        "txn": "t-9"
    }))
    .unwrap();
    let only_revoked = StreamFilter::new(vec![REVOKED.into()], DefaultSubjects::All);
    let claims = r
        .claims_for(
            &only_revoked,
            "https://tx.example.com",
            &["rp-1"],
            "j-1",
            1_700_000_000,
        )
        .unwrap()
        .unwrap();
    let events = claims.get("events").and_then(|e| e.as_object()).unwrap();
    assert_eq!(events.keys().collect::<Vec<_>>(), [REVOKED]);
    assert_eq!(claims.get_str("aud"), Some("rp-1"));
    assert_eq!(claims.get_str("txn"), Some("t-9"));
    assert_eq!(claims.get_str("jti"), Some("j-1"));

    let neither = StreamFilter::new(vec![CHANGE.into()], DefaultSubjects::All);
    assert!(r
        .claims_for(&neither, "https://tx", &["a"], "j", 1)
        .unwrap()
        .is_none());

    let (alice_id, _) = SubjectId::from_value(
        &ssf_core::json::parse(
            alice().to_string().as_bytes(),
            ssf_core::error::Part::Document,
        )
        .unwrap(),
    )
    .unwrap();
    let removed = StreamFilter::new(vec![REVOKED.into()], DefaultSubjects::All)
        .with_subjects(vec![], vec![alice_id.clone()]);
    assert!(r.events_for(&removed).is_empty());
    let none_added = StreamFilter::new(vec![REVOKED.into()], DefaultSubjects::None);
    assert!(r.events_for(&none_added).is_empty());
    let added = none_added.with_subjects(vec![alice_id], vec![]);
    assert_eq!(r.events_for(&added).len(), 1);

    let two = r
        .claims_for(
            &StreamFilter::new(
                vec![REVOKED.into(), COMPROMISE.into()],
                DefaultSubjects::All,
            ),
            "https://tx",
            &["a", "b"],
            "j",
            1,
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        two.get("events").and_then(|e| e.as_object()).unwrap().len(),
        2
    );
    assert_eq!(two.get("aud").and_then(|a| a.as_array()).unwrap().len(), 2);
}
