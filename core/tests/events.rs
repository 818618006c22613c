//! The event catalogue and typed events through the public API: every event in the shared
//! spec examples and vectors (read in place, attribution kept in the files) parses into
//! its typed variant and encodes back unchanged; legacy shapes warn; bad payloads fail with
//! the exact error.

use std::collections::HashSet;
use std::path::PathBuf;

use proptest::prelude::*;
use ssf_core::error::{Error, Part};
use ssf_core::events::{
    self, catalog, lookup, resolve, uri, CaepCommon, ChangeType, CredentialChange, CredentialType,
    DisableReason, Event, FieldKind, InitiatingEntity, LangMap, Principal, Profile, RiskLevel,
    StreamStatus,
};
use ssf_core::issue::{Issue, Severity};
use ssf_core::json::{self, Map, Number, Value};
use ssf_core::subject::SubjectId;

// ---- helpers --------------------------------------------------------------------------------

fn shared_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

fn read_json(path: &PathBuf) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    json::parse(&bytes, Part::Document).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn j(text: &str) -> Value {
    json::parse(text.as_bytes(), Part::Document).expect("test JSON")
}

fn obj(text: &str) -> Map {
    match j(text) {
        Value::Object(m) => m,
        _ => panic!("not an object: {text}"),
    }
}

fn parse(uri: &str, payload: &str) -> (Event, Vec<Issue>) {
    Event::parse(uri, &j(payload)).unwrap_or_else(|e| panic!("{uri} {payload}: {e}"))
}

fn err(uri: &str, payload: &Value) -> String {
    match Event::parse(uri, payload) {
        Err(Error::InvalidEvent { uri: u, detail }) => {
            assert_eq!(u, uri);
            detail
        }
        other => panic!(
            "{uri} {}: expected InvalidEvent, got {other:?}",
            payload.to_json()
        ),
    }
}

fn codes(issues: &[Issue]) -> Vec<(&'static str, Severity, &str)> {
    issues
        .iter()
        .map(|i| (i.code, i.severity, i.path.as_str()))
        .collect()
}

/// The catalogue name of the variant, spelled out per variant so that a dispatch mistake
/// shows up as a mismatch with the URI.
fn variant_name(e: &Event) -> &'static str {
    match e {
        Event::Verification(_) => "verification",
        Event::StreamUpdated(_) => "stream-updated",
        Event::SessionRevoked(_) => "session-revoked",
        Event::TokenClaimsChange(_) => "token-claims-change",
        Event::CredentialChange(_) => "credential-change",
        Event::AssuranceLevelChange(_) => "assurance-level-change",
        Event::DeviceComplianceChange(_) => "device-compliance-change",
        Event::SessionEstablished(_) => "session-established",
        Event::SessionPresented(_) => "session-presented",
        Event::RiskLevelChange(_) => "risk-level-change",
        Event::AccountCredentialChangeRequired(_) => "account-credential-change-required",
        Event::AccountPurged(_) => "account-purged",
        Event::AccountDisabled(_) => "account-disabled",
        Event::AccountEnabled(_) => "account-enabled",
        Event::IdentifierChanged(_) => "identifier-changed",
        Event::IdentifierRecycled(_) => "identifier-recycled",
        Event::CredentialCompromise(_) => "credential-compromise",
        Event::OptIn(_) => "opt-in",
        Event::OptOutInitiated(_) => "opt-out-initiated",
        Event::OptOutCancelled(_) => "opt-out-cancelled",
        Event::OptOutEffective(_) => "opt-out-effective",
        Event::RecoveryActivated(_) => "recovery-activated",
        Event::RecoveryInformationChanged(_) => "recovery-information-changed",
        Event::SessionsRevoked(_) => "sessions-revoked",
        Event::Unknown { .. } => "unknown",
    }
}

/// Parses every event of a claims set, asserting the typed variant for catalogued URIs and
/// an exact round trip; returns the events with their issues.
fn check_claims(claims: &Value, what: &str) -> Vec<(Event, Vec<Issue>)> {
    let events = claims
        .get("events")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{what}: no events"));
    let sub_id = claims.get("sub_id").map(|v| {
        SubjectId::from_value(v)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .0
    });
    let mut out = Vec::new();
    for (uri, payload) in events.iter() {
        let (event, issues) = Event::parse(uri, payload).unwrap_or_else(|e| panic!("{what}: {e}"));
        match lookup(uri) {
            Some(t) => {
                assert_eq!(variant_name(&event), t.name, "{what}: {uri}");
                assert_eq!(event.event_type(), Some(t));
            }
            None => {
                assert!(matches!(event, Event::Unknown { .. }), "{what}: {uri}");
                assert!(event.event_type().is_none());
            }
        }
        assert_eq!(event.uri(), uri, "{what}: uri as received");
        assert_eq!(&event.to_value(), payload, "{what}: {uri} round trip");
        assert_eq!(
            event.to_value().to_json(),
            payload.to_json(),
            "{what}: same text"
        );
        // Rebuilding from the parts gives the same event.
        let again = Event::from_parts(uri, payload.as_object().unwrap().clone()).unwrap();
        assert_eq!(again, event);
        let subject_issues = event.check_subject(sub_id.as_ref());
        assert!(subject_issues.is_empty(), "{what}: {subject_issues:?}");
        out.push((event, issues));
    }
    out
}

/// A valid payload for every catalogued event type, every claim of a closed set given.
fn samples() -> Vec<(&'static str, &'static str)> {
    vec![
        (uri::VERIFICATION, r#"{"state":"VGhpcyBpcyBhbiBleGFtcGxl"}"#),
        (
            uri::STREAM_UPDATED,
            r#"{"status":"paused","reason":"Internal error"}"#,
        ),
        (
            uri::SESSION_REVOKED,
            r#"{"initiating_entity":"policy","reason_admin":{"en":"Policy Violation"},"reason_user":{"en":"Land speed violation.","es":"Violación"},"event_timestamp":1600975810}"#,
        ),
        (
            uri::TOKEN_CLAIMS_CHANGE,
            r#"{"event_timestamp":1615304991,"claims":{"role":"ro-admin"}}"#,
        ),
        (
            uri::CREDENTIAL_CHANGE,
            r#"{"credential_type":"fido2-roaming","change_type":"create","fido2_aaguid":"accced6a-63f5-490a-9eea-e59bc1896cfc","friendly_name":"Jane's USB authenticator","x509_issuer":"CN=ca","x509_serial":"01","initiating_entity":"user","reason_admin":{"en":"User self-enrollment"},"event_timestamp":1615304991}"#,
        ),
        (
            uri::ASSURANCE_LEVEL_CHANGE,
            r#"{"namespace":"NIST-AAL","current_level":"nist-aal2","previous_level":"nist-aal1","change_direction":"increase","initiating_entity":"user","event_timestamp":1615304991}"#,
        ),
        (
            uri::DEVICE_COMPLIANCE_CHANGE,
            r#"{"current_status":"not-compliant","previous_status":"compliant","initiating_entity":"policy","event_timestamp":1615304991}"#,
        ),
        (
            uri::SESSION_ESTABLISHED,
            r#"{"fp_ua":"abb0b6e7","acr":"AAL2","amr":["otp"],"ext_id":"12345","event_timestamp":1615304991}"#,
        ),
        (
            uri::SESSION_PRESENTED,
            r#"{"fp_ua":"abb0b6e7","ext_id":"12345","event_timestamp":1615304991}"#,
        ),
        (
            uri::RISK_LEVEL_CHANGE,
            r#"{"current_level":"LOW","previous_level":"HIGH","event_timestamp":1615304991,"principal":"USER","risk_reason":"PASSWORD_FOUND_IN_DATA_BREACH"}"#,
        ),
        (uri::ACCOUNT_CREDENTIAL_CHANGE_REQUIRED, "{}"),
        (uri::ACCOUNT_PURGED, "{}"),
        (uri::ACCOUNT_DISABLED, r#"{"reason":"hijacking"}"#),
        (uri::ACCOUNT_ENABLED, "{}"),
        (
            uri::IDENTIFIER_CHANGED,
            r#"{"new-value":"john.roe@example.com"}"#,
        ),
        (uri::IDENTIFIER_RECYCLED, "{}"),
        (
            uri::CREDENTIAL_COMPROMISE,
            r#"{"credential_type":"password","event_timestamp":1615304991,"reason_admin":{"en":"found in a dump"},"reason_user":{"en":"Please change your password"}}"#,
        ),
        (uri::OPT_IN, "{}"),
        (uri::OPT_OUT_INITIATED, "{}"),
        (uri::OPT_OUT_CANCELLED, "{}"),
        (uri::OPT_OUT_EFFECTIVE, "{}"),
        (uri::RECOVERY_ACTIVATED, "{}"),
        (uri::RECOVERY_INFORMATION_CHANGED, "{}"),
        (uri::SESSIONS_REVOKED, "{}"),
    ]
}

fn sample(uri: &str) -> Map {
    let text = samples()
        .into_iter()
        .find(|(u, _)| *u == uri)
        .map(|(_, t)| t)
        .unwrap();
    obj(text)
}

// ---- the catalogue ----------------------------------------------------------------------------

#[test]
fn catalogue_has_every_event_type_once() {
    let all = catalog();
    let count = |p: Profile| all.iter().filter(|t| t.profile == p).count();
    assert_eq!(count(Profile::Ssf), 2);
    assert_eq!(count(Profile::Caep), 8);
    assert_eq!(count(Profile::Risc), 14);
    assert_eq!(all.len(), 24);
    let uris: HashSet<_> = all.iter().map(|t| t.uri).collect();
    assert_eq!(uris.len(), 24, "URIs are unique");
    let names: HashSet<_> = all.iter().map(|t| (t.profile, t.name)).collect();
    assert_eq!(names.len(), 24);
    for t in all {
        let base = match t.profile {
            Profile::Ssf => uri::SSF_BASE,
            Profile::Caep => uri::CAEP_BASE,
            Profile::Risc => uri::RISC_BASE,
        };
        assert_eq!(t.uri, format!("{base}{}", t.name));
        assert!(
            !t.title.is_empty() && !t.description.is_empty(),
            "{}",
            t.name
        );
        assert!(t.description.len() > 20, "{}: describe it", t.name);
        assert_eq!(lookup(t.uri), Some(t));
        assert_eq!(t.deprecated, t.name == "sessions-revoked");
        let fields: HashSet<_> = t.fields.iter().map(|f| f.name).collect();
        assert_eq!(
            fields.len(),
            t.fields.len(),
            "{}: field names unique",
            t.name
        );
        for f in t.fields {
            assert!(!f.description.is_empty(), "{}.{}", t.name, f.name);
            assert_eq!(t.field(f.name), Some(f));
            if let FieldKind::Enum(v) | FieldKind::OpenEnum(v) = f.kind {
                assert!(!v.is_empty());
                assert_eq!(f.values(), v);
            } else {
                assert!(f.values().is_empty());
            }
        }
        if t.profile == Profile::Caep {
            for common in [
                "event_timestamp",
                "initiating_entity",
                "reason_admin",
                "reason_user",
            ] {
                let f = t
                    .field(common)
                    .unwrap_or_else(|| panic!("{}: {common}", t.name));
                assert!(!f.required);
            }
            assert_eq!(
                t.field("initiating_entity").unwrap().kind,
                FieldKind::Enum(&["admin", "user", "policy", "system"])
            );
        }
    }
    assert_eq!(Profile::Caep.as_str(), "caep");
    assert_eq!(Profile::Risc.title(), "RISC 1.0");
    assert_eq!(FieldKind::LangMap.as_str(), "lang-map");
}

#[test]
fn catalogue_claims_follow_the_specifications() {
    let required = |u: &str| -> Vec<&str> {
        lookup(u)
            .unwrap()
            .required_fields()
            .map(|f| f.name)
            .collect()
    };
    assert_eq!(required(uri::STREAM_UPDATED), ["status"]);
    assert_eq!(required(uri::TOKEN_CLAIMS_CHANGE), ["claims"]);
    assert_eq!(
        required(uri::CREDENTIAL_CHANGE),
        ["credential_type", "change_type"]
    );
    assert_eq!(
        required(uri::ASSURANCE_LEVEL_CHANGE),
        ["namespace", "current_level"]
    );
    assert_eq!(
        required(uri::DEVICE_COMPLIANCE_CHANGE),
        ["previous_status", "current_status"]
    );
    assert_eq!(
        required(uri::RISK_LEVEL_CHANGE),
        ["principal", "current_level"]
    );
    assert_eq!(required(uri::CREDENTIAL_COMPROMISE), ["credential_type"]);
    for u in [
        uri::VERIFICATION,
        uri::SESSION_REVOKED,
        uri::SESSION_ESTABLISHED,
        uri::SESSION_PRESENTED,
        uri::ACCOUNT_DISABLED,
        uri::IDENTIFIER_CHANGED,
    ] {
        assert!(required(u).is_empty(), "{u}");
    }
    let kind = |u: &str, f: &str| lookup(u).unwrap().field(f).unwrap().kind;
    assert_eq!(
        kind(uri::CREDENTIAL_CHANGE, "change_type"),
        FieldKind::Enum(&["create", "revoke", "update", "delete"])
    );
    assert!(
        matches!(kind(uri::CREDENTIAL_CHANGE, "credential_type"), FieldKind::OpenEnum(v) if v.len() == 10)
    );
    assert_eq!(
        kind(uri::ACCOUNT_DISABLED, "reason"),
        FieldKind::Enum(&["hijacking", "bulk-account"])
    );
    assert_eq!(
        kind(uri::RISK_LEVEL_CHANGE, "current_level"),
        FieldKind::Enum(&["LOW", "MEDIUM", "HIGH"])
    );
    assert_eq!(
        kind(uri::DEVICE_COMPLIANCE_CHANGE, "current_status"),
        FieldKind::Enum(&["compliant", "not-compliant"])
    );
    assert_eq!(
        kind(uri::STREAM_UPDATED, "status"),
        FieldKind::Enum(&["enabled", "paused", "disabled"])
    );
    assert_eq!(
        kind(uri::SESSION_ESTABLISHED, "amr"),
        FieldKind::StringArray
    );
    assert_eq!(
        kind(uri::IDENTIFIER_CHANGED, "new-value"),
        FieldKind::String
    );
}

#[test]
fn legacy_aliases_resolve_and_say_so() {
    let cases = [
        (
            "http://schemas.openid.net/secevent/risc/event-type/account-disabled",
            uri::ACCOUNT_DISABLED,
        ),
        (
            "http://schemas.openid.net/secevent/caep/event-type/session-revoked",
            uri::SESSION_REVOKED,
        ),
        (
            "https://schemas.openid.net/secevent/sse/event-type/verification",
            uri::VERIFICATION,
        ),
        (
            "http://schemas.openid.net/secevent/sse/event-type/verification",
            uri::VERIFICATION,
        ),
        (
            "https://schemas.openid.net/secevent/sse/event-type/stream-updated",
            uri::STREAM_UPDATED,
        ),
        (
            "https://schemas.openid.net/secevent/risc/event-type/verification",
            uri::VERIFICATION,
        ),
    ];
    for (alias, target) in cases {
        let r = resolve(alias).unwrap_or_else(|| panic!("{alias}"));
        assert!(r.via_alias, "{alias}");
        assert_eq!(r.event_type.uri, target);
        assert_eq!(lookup(alias).map(|t| t.uri), Some(target));
    }
    assert!(!resolve(uri::OPT_IN).unwrap().via_alias);
    for unknown in [
        "https://schemas.openid.net/secevent/sse/event-type/session-revoked",
        "https://schemas.openid.net/secevent/risc/event-type/login-gov/authorization-fraud-detected",
        "https://schemas.openid.net/secevent/caep/event-type/session-revoke",
        "HTTPS://schemas.openid.net/secevent/caep/event-type/session-revoked",
        "https://schemas.openid.net/secevent/caep/event-type/session-revoked/",
        "urn:ietf:params:scim:event:create",
        "",
    ] {
        assert!(resolve(unknown).is_none(), "{unknown}");
    }
    assert!(events::is_openid_namespace(
        "http://schemas.openid.net/secevent/x"
    ));
}

#[test]
fn every_catalogue_entry_dispatches_to_its_variant() {
    assert_eq!(samples().len(), catalog().len());
    for (u, text) in samples() {
        let (event, issues) = parse(u, text);
        let t = lookup(u).unwrap();
        assert_eq!(variant_name(&event), t.name);
        assert_eq!(event.type_uri(), Some(t.uri));
        assert!(!event.used_alias());
        assert_eq!(event.to_value(), j(text), "{u}");
        let unexpected: Vec<_> = issues
            .iter()
            .filter(|i| i.code != "deprecated_event_type")
            .collect();
        assert!(unexpected.is_empty(), "{u}: {unexpected:?}");
    }
}

// ---- the shared examples ----------------------------------------------------------------------

#[test]
fn every_event_in_the_spec_example_vectors_parses_and_round_trips() {
    let dir = shared_dir().join("vectors/spec-examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut seen = HashSet::new();
    for path in files {
        let doc = read_json(&path);
        if doc.get("kind").and_then(Value::as_str) != Some("set_claims") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let claims = doc.get("value").unwrap();
        let declared: Vec<&str> = doc
            .get("event_types")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (event, issues) in check_claims(claims, &name) {
            assert!(declared.contains(&event.uri()), "{name}");
            assert!(!matches!(event, Event::Unknown { .. }), "{name}");
            assert!(
                issues.iter().all(|i| i.severity == Severity::Info),
                "{name}: {issues:?}"
            );
            seen.insert(variant_name(&event));
        }
    }
    for name in [
        "verification",
        "stream-updated",
        "session-revoked",
        "token-claims-change",
        "credential-change",
        "assurance-level-change",
        "device-compliance-change",
        "session-established",
        "session-presented",
        "risk-level-change",
        "account-credential-change-required",
        "account-disabled",
        "account-enabled",
        "identifier-changed",
        "identifier-recycled",
        "credential-compromise",
    ] {
        assert!(seen.contains(name), "no example of {name}");
    }
}

#[test]
fn every_event_in_spec_examples_json_parses_and_round_trips() {
    let doc = read_json(&shared_dir().join("spec/spec-examples.json"));
    let mut count = 0;
    for ex in doc.get("examples").and_then(Value::as_array).unwrap() {
        let title = ex.get("title").and_then(Value::as_str).unwrap_or("");
        // `raw` examples (the RISC account-disabled figure with a trailing comma) are skipped.
        let Some(claims) = ex.get("json").filter(|v| v.get("events").is_some()) else {
            continue;
        };
        count += check_claims(claims, title).len();
    }
    // 20 OpenID SETs and 7 events from the RFC figures, some of them foreign.
    assert!(count >= 25, "only {count} events");
}

#[test]
fn the_typed_values_of_the_spec_examples() {
    let doc = read_json(&shared_dir().join("spec/spec-examples.json"));
    let examples = doc.get("examples").and_then(Value::as_array).unwrap();
    let event_of = |line: i64, needle: &str| -> Event {
        let ex = examples
            .iter()
            .find(|e| {
                e.get("line").and_then(Value::as_i64) == Some(line)
                    && e.get("source")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.contains(needle))
            })
            .unwrap_or_else(|| panic!("example {needle}:{line}"));
        let events = ex
            .get("json")
            .and_then(|v| v.get("events"))
            .and_then(Value::as_object)
            .unwrap();
        let (u, payload) = events.iter().next().unwrap();
        Event::parse(u, payload).unwrap().0
    };
    let Event::CredentialChange(c) = event_of(553, "caep") else {
        panic!()
    };
    assert_eq!(c.credential_type, CredentialType::Fido2Roaming);
    assert_eq!(c.change_type, ChangeType::Create);
    assert_eq!(c.friendly_name.as_deref(), Some("Jane's USB authenticator"));
    assert_eq!(c.common.initiating_entity, Some(InitiatingEntity::User));
    assert_eq!(c.common.timestamp(), Some(1615304991));
    assert_eq!(
        c.common.reason_admin.as_ref().and_then(|r| r.get("en")),
        Some("User self-enrollment")
    );
    let Event::RiskLevelChange(r) = event_of(958, "caep") else {
        panic!()
    };
    assert_eq!(
        (r.current_level, r.previous_level),
        (RiskLevel::Low, Some(RiskLevel::High))
    );
    assert_eq!(r.principal, Principal::User);
    let Event::SessionRevoked(s) = event_of(294, "caep") else {
        panic!()
    };
    let user = s.common.reason_user.unwrap();
    assert_eq!(
        user.iter().collect::<Vec<_>>(),
        [
            ("en", "Access attempt from multiple regions."),
            ("es-410", "Intento de acceso desde varias regiones.")
        ]
    );
    let Event::AssuranceLevelChange(a) = event_of(679, "caep") else {
        panic!()
    };
    assert_eq!(a.namespace.as_str(), "Retinal Scan");
    assert!(!a.namespace.is_listed());
    let Event::TokenClaimsChange(t) = event_of(426, "caep") else {
        panic!()
    };
    assert_eq!(t.claims.get("trusted_network"), Some(&Value::Bool(false)));
    let Event::SessionEstablished(e) = event_of(827, "caep") else {
        panic!()
    };
    assert_eq!(e.amr, Some(vec!["otp".to_owned()]));
    let Event::StreamUpdated(u) = event_of(2380, "sharedsignals") else {
        panic!()
    };
    assert_eq!(u.status, StreamStatus::Paused);
    let Event::Verification(v) = event_of(2318, "sharedsignals") else {
        panic!()
    };
    assert_eq!(
        v.state.as_deref(),
        Some("VGhpcyBpcyBhbiBleGFtcGxlIHN0YXRlIHZhbHVlLgo=")
    );
    let Event::IdentifierChanged(i) = event_of(204, "risc") else {
        panic!()
    };
    assert_eq!(i.new_value.as_deref(), Some("john.roe@example.com"));
    let Event::AccountDisabled(d) = event_of(591, "sharedsignals") else {
        panic!()
    };
    assert_eq!(d.reason, Some(DisableReason::Hijacking));
}

#[test]
fn spec_examples_raise_only_the_expected_notes() {
    // The assurance example with a custom namespace, and the CAEP interop expectation.
    let (_, issues) = parse(
        uri::ASSURANCE_LEVEL_CHANGE,
        r#"{"namespace":"Retinal Scan","current_level":"hi-res-scan","initiating_entity":"user","event_timestamp":1615304991}"#,
    );
    assert_eq!(
        codes(&issues),
        [("unlisted_value", Severity::Info, "/namespace")]
    );
    let (_, issues) = parse(uri::SESSION_REVOKED, r#"{"event_timestamp":1615304991}"#);
    assert_eq!(
        codes(&issues),
        [("interop_reason_admin", Severity::Info, "/reason_admin")]
    );
}

// ---- legacy shapes ----------------------------------------------------------------------------

#[test]
fn rfc8417_figure_4_decodes_with_warnings() {
    let doc = read_json(&shared_dir().join("spec/spec-examples.json"));
    let ex = doc
        .get("examples")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .find(|e| {
            e.get("title")
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with("RFC 8417 Fig.4"))
        })
        .unwrap();
    let claims = ex.get("json").unwrap();
    let [(event, issues)] = check_claims(claims, "RFC 8417 fig 4").try_into().unwrap();
    let Event::AccountDisabled(d) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(d.reason, Some(DisableReason::Hijacking));
    assert!(event.used_alias());
    assert_eq!(
        event.uri(),
        "http://schemas.openid.net/secevent/risc/event-type/account-disabled"
    );
    assert_eq!(event.type_uri(), Some(uri::ACCOUNT_DISABLED));
    assert_eq!(
        codes(&issues),
        [
            ("legacy_event_uri", Severity::Warning, ""),
            ("unknown_event_member", Severity::Info, "/cause-time"),
            ("legacy_event_subject", Severity::Warning, "/subject"),
            (
                "legacy_subject_type",
                Severity::Warning,
                "/subject/subject_type"
            ),
            (
                "legacy_format_name",
                Severity::Warning,
                "/subject/subject_type"
            ),
        ]
    );
    let legacy = event.legacy_subject().unwrap();
    assert_eq!(
        legacy.describe(),
        "iss_sub iss=https://idp.example.com/ sub=7375626A656374"
    );
    // With no sub_id the in-event subject is used for the subject checks.
    assert!(event.check_subject(None).is_empty());
}

#[test]
fn decode_only_vectors_decode_with_the_right_warnings() {
    let dir = shared_dir().join("vectors/decode-only");
    let claims_of = |name: &str| read_json(&dir.join(name)).get("claims").unwrap().clone();

    // login.gov: a private event under the RISC namespace, legacy in-event subject.
    let [(event, issues)] = check_claims(&claims_of("login_gov_risc_rs256.json"), "login.gov")
        .try_into()
        .unwrap();
    assert!(
        matches!(&event, Event::Unknown { uri, .. } if uri.ends_with("/login-gov/authorization-fraud-detected"))
    );
    assert_eq!(
        codes(&issues),
        [
            ("unknown_openid_event_type", Severity::Warning, ""),
            ("legacy_event_subject", Severity::Warning, "/subject"),
            (
                "legacy_subject_type",
                Severity::Warning,
                "/subject/subject_type"
            ),
        ]
    );
    assert_eq!(event.legacy_subject().unwrap().format(), "iss_sub");

    // RFC 8935 push example: RISC account-disabled with a legacy in-event subject.
    let [(event, issues)] = check_claims(&claims_of("rfc8935_push_example_hs256.json"), "rfc8935")
        .try_into()
        .unwrap();
    assert!(matches!(event, Event::AccountDisabled(_)));
    assert_eq!(
        codes(&issues),
        [
            ("legacy_event_subject", Severity::Warning, "/subject"),
            (
                "legacy_subject_type",
                Severity::Warning,
                "/subject/subject_type"
            ),
            (
                "legacy_format_name",
                Severity::Warning,
                "/subject/subject_type"
            ),
        ]
    );

    // duo-labs: the SSE draft's verification URI.
    let [(event, issues)] =
        check_claims(&claims_of("duo_polling_response_hs256_typ_JWT.json"), "duo")
            .try_into()
            .unwrap();
    let Event::Verification(v) = &event else {
        panic!()
    };
    assert_eq!(v.state.as_deref(), Some("VGhpcyBpcyBhbiBleG"));
    assert_eq!(
        event.uri(),
        "https://schemas.openid.net/secevent/sse/event-type/verification"
    );
    assert_eq!(
        codes(&issues),
        [("legacy_event_uri", Severity::Warning, "")]
    );

    // RFC 8936 poll response: SCIM events are foreign and kept as they are.
    let doc = read_json(&dir.join("rfc8936_poll_response_unsecured.json"));
    for (jti, claims) in doc
        .get("decoded_claims")
        .and_then(Value::as_object)
        .unwrap()
        .iter()
    {
        for (event, issues) in check_claims(claims, jti) {
            assert!(matches!(event, Event::Unknown { .. }));
            assert_eq!(codes(&issues), [("unknown_event_type", Severity::Info, "")]);
        }
    }
}

#[test]
fn signed_vectors_events_parse() {
    let dir = shared_dir().join("vectors/signed");
    let claims = read_json(&dir.join("i2goSignals_rs256_risc_account_disabled_golden.json"))
        .get("claims")
        .unwrap()
        .clone();
    let [(event, issues)] = check_claims(&claims, "i2go").try_into().unwrap();
    assert!(matches!(event, Event::AccountDisabled(_)));
    assert!(issues.is_empty());
    let claims = read_json(&dir.join("duo-labs_es256_verification_valid.json"))
        .get("claims")
        .unwrap()
        .clone();
    let [(event, _)] = check_claims(&claims, "duo signed").try_into().unwrap();
    assert!(matches!(event, Event::Verification(_)) && event.used_alias());
}

#[test]
fn in_event_subjects_of_catalogued_events_are_checked() {
    let (event, issues) = parse(
        uri::SESSION_REVOKED,
        r#"{"subject":{"format":"email","email":"a@example.com","x":1},"reason_admin":{"en":"r"}}"#,
    );
    assert_eq!(
        codes(&issues),
        [
            ("legacy_event_subject", Severity::Warning, "/subject"),
            ("unknown_subject_member", Severity::Warning, "/subject/x"),
        ]
    );
    assert_eq!(event.legacy_subject().unwrap().format(), "email");
    assert_eq!(
        err(
            uri::SESSION_REVOKED,
            &j(r#"{"subject":{"format":"email"}}"#)
        ),
        "the legacy subject member is invalid: format \"email\" requires the member \"email\""
    );
    assert_eq!(
        err(uri::ACCOUNT_DISABLED, &j(r#"{"subject":"7375626A656374"}"#)),
        "the legacy subject member is invalid: a subject identifier must be a JSON object, not string"
    );
    // An unknown event's subject member is only read when it looks like an identifier.
    let (_, issues) = parse("urn:example:event", r#"{"subject":"just text"}"#);
    assert_eq!(codes(&issues), [("unknown_event_type", Severity::Info, "")]);
    let (_, issues) = parse("urn:example:event", r#"{"subject":{"format":"email"}}"#);
    assert_eq!(
        codes(&issues),
        [
            ("unknown_event_type", Severity::Info, ""),
            ("unparsed_event_subject", Severity::Info, "/subject"),
        ]
    );
}

// ---- adversarial: exact errors ----------------------------------------------------------------

#[test]
fn missing_required_claims_are_errors_for_every_event() {
    let mut checked = 0;
    for t in catalog() {
        for f in t.required_fields() {
            let mut m = sample(t.uri);
            assert!(
                m.remove(f.name).is_some(),
                "{}: sample lacks {}",
                t.name,
                f.name
            );
            assert_eq!(
                err(t.uri, &Value::Object(m)),
                format!("the required claim \"{}\" is missing", f.name),
                "{}",
                t.name
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 11);
}

#[test]
fn wrongly_typed_claims_are_errors_for_every_field() {
    for t in catalog() {
        for f in t.fields {
            let (bad, expected) = match f.kind {
                FieldKind::String | FieldKind::Enum(_) | FieldKind::OpenEnum(_) => {
                    (Value::from(5), "a string, not number")
                }
                FieldKind::Number => (
                    Value::from("1615304991"),
                    "a number (NumericDate), not string",
                ),
                FieldKind::Bool => (Value::from("true"), "a boolean, not string"),
                FieldKind::LangMap => (
                    Value::from("en"),
                    "an object of language tag to text, not string",
                ),
                FieldKind::StringArray => (Value::from("otp"), "an array of strings, not string"),
                FieldKind::Object => (Value::Array(vec![]), "an object, not array"),
            };
            let mut m = sample(t.uri);
            m.insert(f.name, bad);
            assert_eq!(
                err(t.uri, &Value::Object(m)),
                format!("claim \"{}\" must be {expected}", f.name),
                "{}.{}",
                t.name,
                f.name
            );
        }
    }
}

#[test]
fn values_outside_closed_sets_are_errors() {
    let cases = [
        (
            uri::CREDENTIAL_CHANGE,
            "change_type",
            "destroy",
            "create, revoke, update, delete",
        ),
        (
            uri::CREDENTIAL_CHANGE,
            "initiating_entity",
            "robot",
            "admin, user, policy, system",
        ),
        (
            uri::SESSION_REVOKED,
            "initiating_entity",
            "Admin",
            "admin, user, policy, system",
        ),
        (
            uri::ACCOUNT_DISABLED,
            "reason",
            "other",
            "hijacking, bulk-account",
        ),
        (
            uri::RISK_LEVEL_CHANGE,
            "current_level",
            "low",
            "LOW, MEDIUM, HIGH",
        ),
        (
            uri::RISK_LEVEL_CHANGE,
            "previous_level",
            "Medium",
            "LOW, MEDIUM, HIGH",
        ),
        (
            uri::DEVICE_COMPLIANCE_CHANGE,
            "current_status",
            "noncompliant",
            "compliant, not-compliant",
        ),
        (
            uri::DEVICE_COMPLIANCE_CHANGE,
            "previous_status",
            "unknown",
            "compliant, not-compliant",
        ),
        (
            uri::ASSURANCE_LEVEL_CHANGE,
            "change_direction",
            "up",
            "increase, decrease",
        ),
        (
            uri::STREAM_UPDATED,
            "status",
            "stopped",
            "enabled, paused, disabled",
        ),
    ];
    for (u, field, value, allowed) in cases {
        let mut m = sample(u);
        m.insert(field, value);
        assert_eq!(
            err(u, &Value::Object(m)),
            format!("claim \"{field}\" has the value \"{value}\", which is not one of: {allowed}")
        );
    }
}

#[test]
fn empty_values_are_errors() {
    let cases = [
        (
            uri::SESSION_REVOKED,
            "reason_admin",
            "{}",
            "claim \"reason_admin\" must have at least one language entry",
        ),
        (
            uri::CREDENTIAL_COMPROMISE,
            "reason_user",
            "{}",
            "claim \"reason_user\" must have at least one language entry",
        ),
        (
            uri::SESSION_REVOKED,
            "reason_user",
            r#"{"en":1}"#,
            "claim \"reason_user\" entry \"en\" must be a string, not number",
        ),
        (
            uri::CREDENTIAL_CHANGE,
            "credential_type",
            r#""""#,
            "claim \"credential_type\" must not be empty",
        ),
        (
            uri::CREDENTIAL_COMPROMISE,
            "credential_type",
            r#""""#,
            "claim \"credential_type\" must not be empty",
        ),
        (
            uri::ASSURANCE_LEVEL_CHANGE,
            "namespace",
            r#""""#,
            "claim \"namespace\" must not be empty",
        ),
        (
            uri::ASSURANCE_LEVEL_CHANGE,
            "current_level",
            r#""""#,
            "claim \"current_level\" must not be empty",
        ),
        (
            uri::RISK_LEVEL_CHANGE,
            "principal",
            r#""""#,
            "claim \"principal\" must not be empty",
        ),
        (
            uri::TOKEN_CLAIMS_CHANGE,
            "claims",
            "{}",
            "claim \"claims\" must name at least one claim",
        ),
        (
            uri::SESSION_ESTABLISHED,
            "amr",
            r#"["otp",2]"#,
            "claim \"amr\" entry 1 must be a string, not number",
        ),
        (
            uri::STREAM_UPDATED,
            "status",
            "null",
            "claim \"status\" must be a string, not null",
        ),
    ];
    for (u, field, value, expected) in cases {
        let mut m = sample(u);
        m.insert(field, j(value));
        assert_eq!(err(u, &Value::Object(m)), expected, "{u} {field}");
    }
}

#[test]
fn payloads_must_be_objects() {
    for (payload, name) in [
        ("[]", "array"),
        ("\"x\"", "string"),
        ("null", "null"),
        ("1", "number"),
    ] {
        for u in [uri::VERIFICATION, "urn:example:unknown"] {
            assert_eq!(
                err(u, &j(payload)),
                format!("the event payload must be a JSON object, not {name}")
            );
        }
    }
}

// ---- issues -----------------------------------------------------------------------------------

#[test]
fn notes_and_warnings() {
    let (_, issues) = parse(
        uri::CREDENTIAL_CHANGE,
        r#"{"credential_type":"PASSWORD","change_type":"update","reason_admin":{"en":"x","en_US":"y","":"z"},"extra":{"a":1}}"#,
    );
    assert_eq!(
        codes(&issues),
        [
            ("value_case_mismatch", Severity::Warning, "/credential_type"),
            (
                "invalid_language_tag",
                Severity::Warning,
                "/reason_admin/en_US"
            ),
            ("invalid_language_tag", Severity::Warning, "/reason_admin/"),
            ("unknown_event_member", Severity::Info, "/extra"),
        ]
    );
    let (_, issues) = parse(
        uri::CREDENTIAL_CHANGE,
        r#"{"credential_type":"smartcard","change_type":"update","reason_admin":{"en":" "}}"#,
    );
    assert_eq!(
        codes(&issues),
        [
            ("unlisted_value", Severity::Info, "/credential_type"),
            ("interop_reason_admin", Severity::Info, "/reason_admin"),
        ]
    );
    let (_, issues) = parse(
        uri::RISK_LEVEL_CHANGE,
        r#"{"principal":"user","current_level":"HIGH"}"#,
    );
    assert_eq!(
        codes(&issues),
        [
            ("value_case_mismatch", Severity::Warning, "/principal"),
            ("recommended_claim_missing", Severity::Info, "/risk_reason"),
        ]
    );
    let (_, issues) = parse(
        uri::ASSURANCE_LEVEL_CHANGE,
        r#"{"namespace":"NIST-AAL","current_level":"nist-aal1","previous_level":"nist-aal2"}"#,
    );
    assert_eq!(
        codes(&issues),
        [(
            "recommended_claim_missing",
            Severity::Info,
            "/change_direction"
        )]
    );
    let (event, issues) = parse(uri::SESSIONS_REVOKED, "{}");
    assert!(matches!(event, Event::SessionsRevoked(_)));
    assert_eq!(
        codes(&issues),
        [("deprecated_event_type", Severity::Warning, "")]
    );
    let (_, issues) = parse(
        "https://schemas.openid.net/secevent/caep/event-type/session-revoke",
        "{}",
    );
    assert_eq!(
        codes(&issues),
        [("unknown_openid_event_type", Severity::Warning, "")]
    );
}

#[test]
fn null_optional_claims_read_as_absent_and_are_kept() {
    let text = r#"{"credential_type":"pin","change_type":"delete","friendly_name":null,"event_timestamp":null}"#;
    let (event, issues) = parse(uri::CREDENTIAL_CHANGE, text);
    assert_eq!(
        codes(&issues),
        [
            ("null_claim", Severity::Warning, "/friendly_name"),
            ("null_claim", Severity::Warning, "/event_timestamp"),
            ("interop_reason_admin", Severity::Info, "/reason_admin"),
        ]
    );
    let Event::CredentialChange(c) = &event else {
        panic!()
    };
    assert_eq!(
        (c.friendly_name.as_ref(), c.common.event_timestamp.as_ref()),
        (None, None)
    );
    assert_eq!(event.to_value(), j(text));
}

// ---- subject checks ---------------------------------------------------------------------------

#[test]
fn subject_checks() {
    let email = SubjectId::email("john.doe@example.com");
    let phone = SubjectId::phone_number("+12065550100");
    let iss_sub = SubjectId::iss_sub("https://idp.example.com/", "u");
    let stream = SubjectId::opaque("f67e39a0a4d34d56b3aa1bc4cff0069f");
    let changed = parse(
        uri::IDENTIFIER_CHANGED,
        r#"{"new-value":"john.roe@example.com"}"#,
    )
    .0;
    let recycled = parse(uri::IDENTIFIER_RECYCLED, "{}").0;
    for e in [&changed, &recycled] {
        assert!(e.check_subject(Some(&email)).is_empty());
        assert!(e.check_subject(Some(&phone)).is_empty());
        assert_eq!(
            codes(&e.check_subject(Some(&iss_sub))),
            [("identifier_subject_format", Severity::Warning, "")]
        );
        assert!(e.check_subject(None).is_empty());
    }
    let legacy_phone = SubjectId::from_value(&j(r#"{"format":"phone","phone_number":"+1"}"#))
        .unwrap()
        .0;
    assert!(changed.check_subject(Some(&legacy_phone)).is_empty());
    let verification = Event::verification(None);
    assert!(verification.check_subject(Some(&stream)).is_empty());
    assert_eq!(
        codes(&verification.check_subject(Some(&email))),
        [("stream_subject_format", Severity::Warning, "")]
    );
    assert_eq!(
        codes(&Event::stream_updated(StreamStatus::Enabled, None).check_subject(Some(&iss_sub))),
        [("stream_subject_format", Severity::Warning, "")]
    );
    // A legacy in-event subject is used when there is no sub_id, and compared when there is.
    let legacy = parse(
        uri::IDENTIFIER_RECYCLED,
        r#"{"subject":{"subject_type":"iss-sub","iss":"https://i/","sub":"u"}}"#,
    )
    .0;
    assert_eq!(
        codes(&legacy.check_subject(None)),
        [("identifier_subject_format", Severity::Warning, "")]
    );
    assert_eq!(
        codes(&legacy.check_subject(Some(&email))),
        [("legacy_subject_mismatch", Severity::Warning, "")]
    );
}

// ---- building ---------------------------------------------------------------------------------

#[test]
fn constructors_build_payloads() {
    let v = Event::verification(Some("VGhpcw".into()));
    assert_eq!(v.uri(), uri::VERIFICATION);
    assert_eq!(v.to_value(), j(r#"{"state":"VGhpcw"}"#));
    assert_eq!(Event::verification(None).to_value(), j("{}"));
    let u = Event::stream_updated(StreamStatus::Disabled, Some("maintenance".into()));
    assert_eq!(u.uri(), uri::STREAM_UPDATED);
    assert_eq!(
        u.to_value(),
        j(r#"{"status":"disabled","reason":"maintenance"}"#)
    );

    let mut common = CaepCommon::at(1615304991);
    common.initiating_entity = Some(InitiatingEntity::Admin);
    common.reason_admin = Some(LangMap::one("en", "Reset by helpdesk").with("de", "Zurückgesetzt"));
    let mut change = CredentialChange::new(CredentialType::Password, ChangeType::Update, common);
    change.friendly_name = Some("main password".into());
    let event = Event::from(change);
    assert_eq!(event.uri(), uri::CREDENTIAL_CHANGE);
    let expected = r#"{"credential_type":"password","change_type":"update","friendly_name":"main password","event_timestamp":1615304991,"initiating_entity":"admin","reason_admin":{"en":"Reset by helpdesk","de":"Zurückgesetzt"}}"#;
    assert_eq!(event.to_value(), j(expected));
    // What is built parses back to the same event, with no issue at all.
    let (parsed, issues) = Event::parse(event.uri(), &event.to_value()).unwrap();
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(parsed.to_value(), event.to_value());

    let empty = Event::from_parts(uri::ACCOUNT_PURGED, Map::new()).unwrap();
    assert!(matches!(empty, Event::AccountPurged(_)));
    assert_eq!(
        Event::from_parts(uri::CREDENTIAL_CHANGE, Map::new()),
        Err(Error::InvalidEvent {
            uri: uri::CREDENTIAL_CHANGE.into(),
            detail: "the required claim \"credential_type\" is missing".into()
        })
    );
    let unknown = Event::from_parts("urn:example:e", obj(r#"{"b":1,"a":2}"#)).unwrap();
    assert_eq!(unknown.uri(), "urn:example:e");
    assert_eq!(unknown.to_value().to_json(), r#"{"b":1,"a":2}"#);
}

#[test]
fn edited_typed_claims_are_written_in_place() {
    let text = r#"{"x-first":1,"reason":"hijacking","x-last":true}"#;
    let Event::AccountDisabled(mut d) = parse(uri::ACCOUNT_DISABLED, text).0 else {
        panic!()
    };
    d.reason = Some(DisableReason::BulkAccount);
    assert_eq!(
        Event::from(d.clone()).to_value().to_json(),
        r#"{"x-first":1,"reason":"bulk-account","x-last":true}"#
    );
    d.reason = None;
    assert_eq!(
        Event::from(d).to_value().to_json(),
        r#"{"x-first":1,"x-last":true}"#
    );

    let text = r#"{"current_level":"LOW","principal":"USER","event_timestamp":1.5e9}"#;
    let Event::RiskLevelChange(mut r) = parse(uri::RISK_LEVEL_CHANGE, text).0 else {
        panic!()
    };
    assert_eq!(
        r.common.event_timestamp.as_ref().map(Number::as_str),
        Some("1.5e9")
    );
    assert_eq!(r.common.timestamp(), None, "not an integer as written");
    assert_eq!(
        Event::from(r.clone()).to_value().to_json(),
        r#"{"current_level":"LOW","principal":"USER","event_timestamp":1.5e9}"#
    );
    r.previous_level = Some(RiskLevel::Medium);
    r.current_level = RiskLevel::High;
    assert_eq!(
        Event::from(r).to_value().to_json(),
        r#"{"current_level":"HIGH","principal":"USER","event_timestamp":1.5e9,"previous_level":"MEDIUM"}"#
    );
}

#[test]
fn value_sets_round_trip_their_names() {
    for c in ChangeType::ALL {
        assert_eq!(ChangeType::from_name(c.as_str()), Some(*c));
    }
    assert_eq!(ChangeType::from_name("CREATE"), None);
    for name in CredentialType::NAMES {
        let t = CredentialType::from_name(name);
        assert!(t.is_listed());
        assert_eq!(t.as_str(), *name);
    }
    assert_eq!(
        CredentialType::from_name("smartcard"),
        CredentialType::Other("smartcard".into())
    );
    assert_eq!(Principal::from_name("ORG_UNIT"), Principal::OrgUnit);
    assert_eq!(StreamStatus::NAMES, ["enabled", "paused", "disabled"]);
    assert!(events::is_language_tag("es-410") && events::is_language_tag("zh-Hant-TW"));
    assert!(
        !events::is_language_tag("")
            && !events::is_language_tag("en_US")
            && !events::is_language_tag("123")
    );
    let l = LangMap::one("en", "a").with("en", "b");
    assert_eq!(
        (l.len(), l.get("en"), l.first()),
        (1, Some("b"), Some(("en", "b")))
    );
}

// ---- robustness -------------------------------------------------------------------------------

fn arb_payload() -> impl Strategy<Value = Value> {
    let mut names: Vec<&'static str> = catalog()
        .iter()
        .flat_map(|t| t.fields.iter().map(|f| f.name))
        .collect();
    names.extend([
        "subject",
        "format",
        "subject_type",
        "email",
        "iss",
        "sub",
        "en",
        "x",
    ]);
    let mut words: Vec<&'static str> = catalog()
        .iter()
        .flat_map(|t| t.fields.iter().flat_map(|f| f.values().iter().copied()))
        .collect();
    words.extend(["", "iss_sub", "email", "a@example.com", "LOW", "low"]);
    let names = prop::sample::select(names);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0i64..2_000_000_000).prop_map(Value::from),
        prop::sample::select(words).prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, {
        let names = names.clone();
        move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((names.clone(), inner), 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map>())),
            ]
        }
    });
    prop::collection::vec((names, value), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map>()))
}

proptest! {
    /// Any payload for any catalogued type: no panic, and whatever parses encodes back
    /// to exactly the same JSON.
    #[test]
    fn arbitrary_payloads_never_panic_and_round_trip(
        index in 0usize..24,
        payload in arb_payload(),
        alias in any::<bool>(),
    ) {
        let t = &catalog()[index];
        let u = if alias { t.uri.replacen("https:", "http:", 1) } else { t.uri.to_owned() };
        if let Ok((event, _)) = Event::parse(&u, &payload) {
            prop_assert_eq!(event.to_value(), payload);
            prop_assert_eq!(event.uri(), u.as_str());
            let _ = event.check_subject(None);
        }
    }
}
