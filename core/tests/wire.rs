//! Wire types: round trips of every SSF wire fixture and spec example, and adversarial input.
//!
//! Data read in place from `../shared` (beside the checkout):
//! * `vectors/ssf-json-fixtures/*.json`: from hstern/go-ssf (Apache-2.0), see each file's
//!   `source_repo` / `commit` / `path` / `license`.
//! * `spec/spec-examples.json`: examples of the OpenID SSF 1.0 text and of RFC 8935 / 8936,
//!   with their sources recorded per example.

use std::fs;

use ssf_core::error::{ErrCode, Error, Part};
use ssf_core::json::{self, Map, Value};
use ssf_core::subject::SubjectId;
use ssf_core::wire::metadata::{AuthorizationScheme, DefaultSubjects, WELL_KNOWN_PATH};
use ssf_core::wire::stream::deliverable_events;
use ssf_core::wire::{
    apply_patch, apply_replace, check_https, check_issuer_url, check_url, discovery_url,
    AddSubjectRequest, Audience, CreateStreamRequest, Delivery, ErrValue, PollRequest,
    PollResponse, ProblemDetails, PushEndpoint, PushError, RemoveSubjectRequest, Source,
    SourceKeys, Status, StreamConfig, StreamStatus, TransmitterMetadata, TransmitterSupplied,
    UpdateStreamRequest, UrlPolicy, VerificationRequest, POLL_METHOD, PUSH_METHOD,
};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/ssf-json-fixtures"
);
const SPEC_EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/spec/spec-examples.json"
);

const POLL_URL: &str = "https://tr.example.com/ssf/poll/f67e39a0a4d34d56b3aa1bc4cff0069f";

// ---- helpers ------------------------------------------------------------------------------

fn read_json(path: &str) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    json::parse(&bytes, Part::Document).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn j(text: &str) -> Value {
    json::parse(text.as_bytes(), Part::Document).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The message kinds of this crate, by the name used in the tables below.
#[derive(Clone, Copy, Debug)]
enum Kind {
    PushError,
    PollRequest,
    PollResponse,
    Metadata,
    AuthScheme,
    StreamConfig,
    StreamList,
    Create,
    Update,
    Status,
    AddSubject,
    RemoveSubject,
    Verification,
    Problem,
}

/// Parses `v` as `kind` and encodes it again.
fn round(kind: Kind, v: &Value) -> Result<Value, Error> {
    Ok(match kind {
        Kind::PushError => PushError::from_value(v)?.to_value(),
        Kind::PollRequest => PollRequest::from_value(v)?.to_value(),
        Kind::PollResponse => PollResponse::from_value(v)?.to_value(),
        Kind::Metadata => TransmitterMetadata::from_value(v)?.to_value(),
        Kind::AuthScheme => AuthorizationScheme::from_value(v)?.to_value(),
        Kind::StreamConfig => StreamConfig::from_value(v)?.to_value(),
        Kind::StreamList => StreamConfig::list_to_value(&StreamConfig::list_from_value(v)?),
        Kind::Create => CreateStreamRequest::from_value(v)?.to_value(),
        Kind::Update => UpdateStreamRequest::from_value(v)?.to_value(),
        Kind::Status => StreamStatus::from_value(v)?.to_value(),
        Kind::AddSubject => AddSubjectRequest::from_value(v)?.to_value(),
        Kind::RemoveSubject => RemoveSubjectRequest::from_value(v)?.to_value(),
        Kind::Verification => VerificationRequest::from_value(v)?.to_value(),
        Kind::Problem => ProblemDetails::from_value(v)?.to_value(),
    })
}

/// Parses `text` as `kind` through `from_json` and encodes it as text again.
fn round_text(kind: Kind, text: &str) -> Result<String, Error> {
    Ok(match kind {
        Kind::PushError => PushError::from_json(text)?.to_json(),
        Kind::PollRequest => PollRequest::from_json(text)?.to_json(),
        Kind::PollResponse => PollResponse::from_json(text)?.to_json(),
        Kind::Metadata => TransmitterMetadata::from_json(text)?.to_json(),
        Kind::StreamConfig => StreamConfig::from_json(text)?.to_json(),
        Kind::Create => CreateStreamRequest::from_json(text)?.to_json(),
        Kind::Update => UpdateStreamRequest::from_json(text)?.to_json(),
        Kind::Status => StreamStatus::from_json(text)?.to_json(),
        Kind::AddSubject => AddSubjectRequest::from_json(text)?.to_json(),
        Kind::RemoveSubject => RemoveSubjectRequest::from_json(text)?.to_json(),
        Kind::Verification => VerificationRequest::from_json(text)?.to_json(),
        Kind::Problem => ProblemDetails::from_json(text)?.to_json(),
        Kind::AuthScheme | Kind::StreamList => return round(kind, &j(text)).map(|v| v.to_json()),
    })
}

/// Asserts that `v` decodes as `kind` and encodes to the same JSON, member order included,
/// both as a value and as text.
fn assert_round_trip(kind: Kind, v: &Value, label: &str) {
    let back = round(kind, v).unwrap_or_else(|e| panic!("{label}: {kind:?} rejected it: {e}"));
    assert_eq!(&back, v, "{label}: {kind:?} round trip");
    let text = v.to_json();
    let back = round_text(kind, &text).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(back, text, "{label}: {kind:?} text round trip");
}

/// Asserts a wire error: reason `invalid_message`, code `invalid_request`, and a detail
/// that mentions `needle`.
fn assert_invalid(r: Result<impl std::fmt::Debug, Error>, needle: &str) {
    match r {
        Err(e @ Error::InvalidMessage { .. }) => {
            assert_eq!(e.code(), ErrCode::InvalidRequest);
            assert_eq!(e.reason(), "invalid_message");
            let text = e.to_string();
            assert!(text.contains(needle), "{text:?} should mention {needle:?}");
        }
        other => panic!("expected InvalidMessage mentioning {needle:?}, got {other:?}"),
    }
}

fn with_member(v: &Value, name: &str, member: Value) -> Value {
    let mut m = v.as_object().cloned().unwrap_or_default();
    m.insert(name, member);
    Value::Object(m)
}

fn without_member(v: &Value, name: &str) -> Value {
    let mut m = v.as_object().cloned().unwrap_or_default();
    m.remove(name);
    Value::Object(m)
}

// ---- fixtures -------------------------------------------------------------------------------

/// What each fixture is. `needs` lists members that SSF 1.0 requires but the fixture (from a
/// library that carries `stream_id` in the URL) lacks: the fixture must be rejected naming
/// the member, and with the member added must round-trip exactly.
struct Fixture {
    file: &'static str,
    kind: Option<Kind>,
    needs: &'static [(&'static str, &'static str)],
}

const SID: &str = r#""f67e39a0a4d34d56b3aa1bc4cff0069f""#;

const FIXTURE_TABLE: &[Fixture] = &[
    Fixture {
        file: "add_subject_request_account.json",
        kind: Some(Kind::AddSubject),
        needs: &[("stream_id", SID)],
    },
    Fixture {
        file: "add_subject_request_email.json",
        kind: Some(Kind::AddSubject),
        needs: &[("stream_id", SID)],
    },
    Fixture {
        file: "poll_request.json",
        kind: Some(Kind::PollRequest),
        needs: &[],
    },
    Fixture {
        file: "poll_response.json",
        kind: Some(Kind::PollResponse),
        needs: &[],
    },
    Fixture {
        file: "problem_details.json",
        kind: Some(Kind::Problem),
        needs: &[],
    },
    Fixture {
        file: "remove_subject_request.json",
        kind: Some(Kind::RemoveSubject),
        needs: &[("stream_id", SID)],
    },
    Fixture {
        file: "status_response.json",
        kind: Some(Kind::Status),
        needs: &[("stream_id", SID)],
    },
    Fixture {
        file: "status_response_per_subject.json",
        kind: Some(Kind::Status),
        needs: &[("stream_id", SID)],
    },
    Fixture {
        file: "status_update_request.json",
        kind: Some(Kind::Status),
        needs: &[("stream_id", SID)],
    },
    Fixture {
        file: "stream_config_poll.json",
        kind: Some(Kind::StreamConfig),
        needs: &[(
            "events_delivered",
            r#"["https://schemas.openid.net/secevent/ssf/event-type/verification"]"#,
        )],
    },
    Fixture {
        file: "stream_config_push.json",
        kind: Some(Kind::StreamConfig),
        needs: &[],
    },
    Fixture {
        file: "stream_config_unknown_delivery.json",
        kind: Some(Kind::StreamConfig),
        needs: &[("events_delivered", "[]")],
    },
    Fixture {
        file: "transmitter_config_full.json",
        kind: Some(Kind::Metadata),
        needs: &[],
    },
    Fixture {
        file: "transmitter_config_minimal.json",
        kind: Some(Kind::Metadata),
        needs: &[],
    },
    // A verification event payload (`{"state"}`): the events module's business, not a wire
    // message of the management API.
    Fixture {
        file: "verification_event.json",
        kind: None,
        needs: &[],
    },
    Fixture {
        file: "verification_request.json",
        kind: Some(Kind::Verification),
        needs: &[("stream_id", SID)],
    },
];

#[test]
fn every_fixture_file_is_classified() {
    let mut files: Vec<String> = fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("{FIXTURES}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let mut known: Vec<String> = FIXTURE_TABLE.iter().map(|f| f.file.to_string()).collect();
    known.sort();
    assert_eq!(files, known);
}

#[test]
fn fixtures_round_trip() {
    let mut checked = 0;
    for f in FIXTURE_TABLE {
        let Some(kind) = f.kind else { continue };
        let doc = read_json(&format!("{FIXTURES}/{}", f.file));
        let value = doc
            .get("value")
            .cloned()
            .unwrap_or_else(|| panic!("{}: no value", f.file));
        let mut complete = value.clone();
        for (name, member) in f.needs {
            assert_invalid(round(kind, &value), name);
            complete = with_member(&complete, name, j(member));
        }
        assert_round_trip(kind, &complete, f.file);
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn fixture_details_survive() {
    let push = read_json(&format!("{FIXTURES}/stream_config_push.json"));
    let config = StreamConfig::from_value(push.get("value").unwrap()).unwrap();
    assert!(config.delivery.is_push());
    assert_eq!(
        config.delivery.authorization_header.as_deref(),
        Some("Bearer abcdef")
    );
    assert_eq!(config.min_verification_interval, Some(60));
    assert_eq!(config.aud, Audience::One("receiver.example.com".into()));
    // `format` was a stream member in old drafts: unknown now, kept.
    assert_eq!(config.extra.get_str("format"), Some("email"));

    let unknown = read_json(&format!("{FIXTURES}/stream_config_unknown_delivery.json"));
    let v = with_member(unknown.get("value").unwrap(), "events_delivered", j("[]"));
    let config = StreamConfig::from_value(&v).unwrap();
    assert_eq!(config.delivery.method, "urn:example:novel-delivery");
    assert!(!config.delivery.is_push() && !config.delivery.is_poll());
    assert_eq!(config.delivery.extra.len(), 2);

    let poll = read_json(&format!("{FIXTURES}/poll_request.json"));
    let req = PollRequest::from_value(poll.get("value").unwrap()).unwrap();
    assert_eq!(req.max_events, Some(100));
    assert!(!req.returns_immediately());
    assert_eq!(req.acks(), ["jti-aaa", "jti-bbb"]);
    let (jti, err) = &req.errors()[0];
    assert_eq!(jti, "jti-ccc");
    assert_eq!(err.code(), Some(ErrCode::InvalidKey));

    let per_subject = read_json(&format!("{FIXTURES}/status_response_per_subject.json"));
    let v = with_member(per_subject.get("value").unwrap(), "stream_id", j(SID));
    let status = StreamStatus::from_value(&v).unwrap();
    assert_eq!(status.status, Status::Paused);
    assert!(status.extra.contains_key("subject"));

    let problem = read_json(&format!("{FIXTURES}/problem_details.json"));
    let p = ProblemDetails::from_value(problem.get("value").unwrap()).unwrap();
    assert_eq!(p.status, Some(400));
    assert_eq!(
        p.extra.get_str("trace_id"),
        Some("7b9e0d4f-5a1c-4c8b-9b6e-0e4d5f7c8b9a")
    );

    let full = read_json(&format!("{FIXTURES}/transmitter_config_full.json"));
    let m = TransmitterMetadata::from_value(full.get("value").unwrap()).unwrap();
    assert_eq!(m.effective_spec_version(), "1.0");
    assert!(m.supports_delivery(POLL_METHOD));
    m.validate(UrlPolicy::RequireHttps).unwrap();
    let minimal = read_json(&format!("{FIXTURES}/transmitter_config_minimal.json"));
    let m = TransmitterMetadata::from_value(minimal.get("value").unwrap()).unwrap();
    assert_eq!(m.effective_spec_version(), "1_0-ID1");
}

// ---- spec examples --------------------------------------------------------------------------

/// The wire examples of SSF 1.0 (by line in the SSF text) and of RFC 8935 / 8936 (by title).
fn spec_kind(source: &str, line: u64, title: &str) -> Option<Kind> {
    if source.contains("openid-sharedsignals-framework-1_0.md") {
        return match line {
            886 => Some(Kind::AuthScheme),
            978 => Some(Kind::Metadata),
            1256 => Some(Kind::Create),
            1278 | 1356 | 1576 | 1672 => Some(Kind::StreamConfig),
            1405 | 1472 | 1512 => Some(Kind::StreamList),
            1557 | 1649 => Some(Kind::Update),
            1827 | 1884 | 1900 | 1916 => Some(Kind::Status),
            2107 => Some(Kind::AddSubject),
            2164 => Some(Kind::RemoveSubject),
            2293 => Some(Kind::Verification),
            _ => None,
        };
    }
    if source.starts_with("RFC 8935") {
        return Some(Kind::PushError);
    }
    if source.starts_with("RFC 8936") {
        return if title.contains("response") {
            Some(Kind::PollResponse)
        } else {
            Some(Kind::PollRequest)
        };
    }
    None
}

fn spec_examples() -> Vec<(String, u64, String, Value)> {
    let doc = read_json(SPEC_EXAMPLES);
    let examples = doc
        .get("examples")
        .and_then(Value::as_array)
        .expect("examples array");
    examples
        .iter()
        .filter_map(|e| {
            let source = e.get("source")?.as_str()?.to_string();
            let line = e
                .get("line")?
                .as_i64()
                .and_then(|n| u64::try_from(n).ok())?;
            let title = e.get("title")?.as_str()?.to_string();
            let json = e.get("json")?;
            (json != &Value::Null).then(|| (source, line, title, json.clone()))
        })
        .collect()
}

fn spec_example(line: u64) -> Value {
    spec_examples()
        .into_iter()
        .find(|(s, l, _, _)| s.contains("openid-sharedsignals-framework-1_0.md") && *l == line)
        .map(|(_, _, _, v)| v)
        .unwrap_or_else(|| panic!("no SSF example at line {line}"))
}

#[test]
fn spec_wire_examples_round_trip() {
    let mut count = 0;
    for (source, line, title, v) in spec_examples() {
        let wire = title.starts_with("HTTP body of")
            || source.starts_with("RFC 8935")
            || source.starts_with("RFC 8936");
        let kind = spec_kind(&source, line, &title);
        if wire {
            assert!(
                kind.is_some(),
                "wire example not covered: {source}:{line} {title}"
            );
        }
        if let Some(kind) = kind {
            assert_round_trip(kind, &v, &format!("{source}:{line} {title}"));
            count += 1;
        }
    }
    // 18 SSF HTTP bodies + the spec_urn fragment + 3 RFC 8935 errors + 7 RFC 8936 bodies.
    assert_eq!(count, 29);
}

#[test]
fn spec_remove_subject_with_phone_format() {
    let v = spec_example(2164);
    let (req, issues) = RemoveSubjectRequest::from_value_with_issues(&v).unwrap();
    assert_eq!(req.subject.get_str("phone_number"), Some("+12065550123"));
    // The unregistered format name is kept as sent; the subject parser's findings about it
    // are reported under /subject.
    assert_eq!(
        req.subject.to_value().get("format"),
        Some(&Value::from("phone"))
    );
    assert!(
        issues.iter().all(|i| i.path.starts_with("/subject")),
        "{issues:?}"
    );
    assert_eq!(req.to_value(), v);
}

#[test]
fn spec_add_subject_and_verification() {
    let add = AddSubjectRequest::from_value(&spec_example(2107)).unwrap();
    assert_eq!(add.stream_id, "f67e39a0a4d34d56b3aa1bc4cff0069f");
    assert_eq!(add.verified, Some(true));
    assert_eq!(add.subject, SubjectId::email("example.user@example.com"));
    let without = AddSubjectRequest::new("s", SubjectId::opaque("x"));
    assert!(without.is_verified(), "absent verified means verified");
    assert!(!without.with_verified(false).is_verified());

    let ver = VerificationRequest::from_value(&spec_example(2293)).unwrap();
    assert_eq!(
        ver.state.as_deref(),
        Some("VGhpcyBpcyBhbiBleGFtcGxlIHN0YXRlIHZhbHVlLgo=")
    );
    assert_eq!(
        VerificationRequest::new("abc").with_state("xyz").to_json(),
        r#"{"stream_id":"abc","state":"xyz"}"#
    );
}

#[test]
fn spec_metadata_and_fragments() {
    let m = TransmitterMetadata::from_value(&spec_example(978)).unwrap();
    m.validate(UrlPolicy::RequireHttps).unwrap();
    m.validate_for_issuer("https://tr.example.com").unwrap();
    assert_eq!(m.default_subjects, Some(DefaultSubjects::None));
    assert_eq!(
        m.critical_subject_members.as_deref(),
        Some(&["tenant".to_string(), "user".to_string()][..])
    );
    assert_eq!(
        discovery_url(&m.issuer).unwrap(),
        "https://tr.example.com/.well-known/ssf-configuration"
    );
    // The `spec_version` example is a fragment, not a document: issuer is required.
    assert_invalid(
        TransmitterMetadata::from_value(&spec_example(786)),
        "issuer",
    );
}

/// The create / update / replace examples of SSF 8.1.1 chain: applying each request gives
/// exactly the response the specification shows.
#[test]
fn spec_stream_lifecycle() {
    let created = spec_example(1278);
    let request = CreateStreamRequest::from_value(&spec_example(1256)).unwrap();
    let supplied = TransmitterSupplied {
        stream_id: "f67e39a0a4d34d56b3aa1bc4cff0069f".into(),
        iss: "https://tr.example.com".into(),
        aud: Audience::Many(vec![
            "https://receiver.example.com/web".into(),
            "https://receiver.example.com/mobile".into(),
        ]),
        events_supported: vec![
            "urn:example:secevent:events:type_1".into(),
            "urn:example:secevent:events:type_2".into(),
            "urn:example:secevent:events:type_3".into(),
        ],
        poll_endpoint_url: POLL_URL.into(),
        min_verification_interval: None,
        inactivity_timeout: None,
        push: None,
    };
    let config = request.into_config(supplied).unwrap();
    assert_eq!(config.to_value(), created);
    config.validate(UrlPolicy::RequireHttps).unwrap();

    let mut patched = StreamConfig::from_value(&created).unwrap();
    let patch = UpdateStreamRequest::from_value(&spec_example(1557)).unwrap();
    apply_patch(&mut patched, &patch, POLL_URL).unwrap();
    assert_eq!(patched.to_value(), spec_example(1576));

    let mut replaced = StreamConfig::from_value(&created).unwrap();
    let put = UpdateStreamRequest::from_value(&spec_example(1649)).unwrap();
    apply_replace(&mut replaced, &put, POLL_URL).unwrap();
    assert_eq!(replaced.to_value(), spec_example(1672));

    let list = StreamConfig::list_from_value(&spec_example(1405)).unwrap();
    assert_eq!(list.len(), 2);
    assert!(StreamConfig::list_from_value(&spec_example(1512))
        .unwrap()
        .is_empty());
    assert_invalid(StreamConfig::list_from_value(&created), "array");
    let bad_item = Value::Array(vec![without_member(&created, "iss")]);
    assert_invalid(StreamConfig::list_from_value(&bad_item), "[0]");
}

#[test]
fn spec_status_examples() {
    let s = StreamStatus::from_value(&spec_example(1827)).unwrap();
    assert_eq!(s.status, Status::Paused);
    assert_eq!(s.reason.as_deref(), Some("SYSTEM_DOWN_FOR_MAINTENANCE"));
    let update = StreamStatus::from_value(&spec_example(1884)).unwrap();
    assert_eq!(update.reason, None);
    assert_eq!(
        StreamStatus::new("abc", Status::Disabled)
            .with_reason("gone")
            .to_json(),
        r#"{"stream_id":"abc","status":"disabled","reason":"gone"}"#
    );
    for s in [Status::Enabled, Status::Paused, Status::Disabled] {
        assert_eq!(Status::from_name(s.as_str()), Some(s));
        assert_eq!(s.to_string(), s.as_str());
    }
}

// ---- push errors ----------------------------------------------------------------------------

#[test]
fn push_error_codes() {
    let e = PushError::from_json(
        r#"{"err":"invalid_key","description":"Key ID 12345 has been revoked."}"#,
    )
    .unwrap();
    assert_eq!(e.code(), Some(ErrCode::InvalidKey));
    let other =
        PushError::from_json(r#"{"err":"rate_limited","description":"slow down","retry":5}"#)
            .unwrap();
    assert_eq!(other.err, ErrValue::Other("rate_limited".into()));
    assert_eq!(other.code(), None);
    assert_eq!(
        other.to_json(),
        r#"{"err":"rate_limited","description":"slow down","retry":5}"#
    );
    // Registry names are case-sensitive.
    assert_eq!(
        ErrValue::from_name("Invalid_Key"),
        ErrValue::Other("Invalid_Key".into())
    );

    let body = PushError::from_error(&Error::WrongIssuer("https://evil.example".into()));
    assert_eq!(body.err, ErrValue::Known(ErrCode::InvalidIssuer));
    assert!(body
        .to_json()
        .starts_with(r#"{"err":"invalid_issuer","description":"issuer "#));
    assert_eq!(
        PushError::new(ErrCode::InvalidState, "state mismatch").to_json(),
        r#"{"err":"invalid_state","description":"state mismatch"}"#
    );
}

#[test]
fn push_error_rejects() {
    assert_invalid(PushError::from_json(r#"{"description":"x"}"#), "err");
    assert_invalid(
        PushError::from_json(r#"{"err":"","description":"x"}"#),
        "err",
    );
    assert_invalid(
        PushError::from_json(r#"{"err":1,"description":"x"}"#),
        "err",
    );
    assert_invalid(
        PushError::from_json(r#"{"err":"invalid_key"}"#),
        "description",
    );
    assert_invalid(
        PushError::from_json(r#"{"err":"invalid_key","description":null}"#),
        "description",
    );
    assert_invalid(PushError::from_json(r#"["invalid_key"]"#), "object");
    assert!(matches!(
        PushError::from_json(r#"{"err":"a","err":"b","description":""}"#),
        Err(Error::DuplicateMember { .. })
    ));
    assert!(matches!(PushError::from_json("{"), Err(Error::Json { .. })));
}

// ---- poll -----------------------------------------------------------------------------------

#[test]
fn poll_request_max_events() {
    for ok in ["0", "1", "100", "4294967295"] {
        let r = PollRequest::from_json(&format!(r#"{{"maxEvents":{ok}}}"#)).unwrap();
        assert_eq!(r.max_events.map(|n| n.to_string()).as_deref(), Some(ok));
    }
    assert!(PollRequest::from_json(r#"{"maxEvents":0}"#)
        .unwrap()
        .is_acknowledge_only());
    for bad in [
        "-1",
        "1.5",
        r#""3""#,
        "1e2",
        "1.0",
        "-0",
        "4294967296",
        "null",
        "true",
        "[1]",
    ] {
        assert_invalid(
            PollRequest::from_json(&format!(r#"{{"maxEvents":{bad}}}"#)),
            "maxEvents",
        );
    }
}

#[test]
fn poll_request_rejects_wrong_types() {
    let cases = [
        (r#"{"returnImmediately":"true"}"#, "returnImmediately"),
        (r#"{"returnImmediately":1}"#, "returnImmediately"),
        (r#"{"ack":"jti"}"#, "ack"),
        (r#"{"ack":[1]}"#, "ack"),
        (r#"{"ack":[""]}"#, "ack"),
        (r#"{"ack":{"a":1}}"#, "ack"),
        (r#"{"setErrs":[]}"#, "setErrs"),
        (r#"{"setErrs":"x"}"#, "setErrs"),
        (r#"{"setErrs":null}"#, "setErrs"),
        (r#"{"setErrs":{"j1":"bad"}}"#, "setErrs.\"j1\""),
        (
            r#"{"setErrs":{"j1":{"err":1,"description":"d"}}}"#,
            "setErrs.\"j1\": member \"err\"",
        ),
        (r#"{"setErrs":{"j1":{"description":"d"}}}"#, "err"),
        (
            r#"{"setErrs":{"":{"err":"invalid_key","description":"d"}}}"#,
            "empty jti",
        ),
        ("[]", "object"),
        ("null", "object"),
    ];
    for (text, needle) in cases {
        assert_invalid(PollRequest::from_json(text), needle);
    }
}

#[test]
fn poll_request_builder_and_defaults() {
    let empty = PollRequest::new();
    assert_eq!(empty.to_json(), "{}");
    assert!(!empty.returns_immediately());
    assert!(empty.acks().is_empty() && empty.errors().is_empty());
    let req = PollRequest::new()
        .with_ack("a")
        .with_ack("b")
        .with_set_err("c", PushError::new(ErrCode::InvalidKey, "x"))
        .with_set_err("c", PushError::new(ErrCode::InvalidIssuer, "y"))
        .with_max_events(10)
        .with_return_immediately(true);
    assert_eq!(
        req.to_json(),
        r#"{"ack":["a","b"],"setErrs":{"c":{"err":"invalid_issuer","description":"y"}},"maxEvents":10,"returnImmediately":true}"#
    );
    assert_eq!(PollRequest::from_json(&req.to_json()).unwrap(), req);
    // Explicit empty members are kept.
    let explicit = r#"{"ack":[],"setErrs":{},"extension":{"x":[1,2]}}"#;
    assert_eq!(
        PollRequest::from_json(explicit).unwrap().to_json(),
        explicit
    );
}

#[test]
fn poll_response() {
    let r = PollResponse::new()
        .with_set("j1", "a.b.c")
        .with_set("j2", "d.e.f")
        .with_set("j1", "g.h.i")
        .with_more_available(true);
    assert_eq!(
        r.to_json(),
        r#"{"sets":{"j1":"g.h.i","j2":"d.e.f"},"moreAvailable":true}"#
    );
    assert!(r.has_more());
    assert_eq!(PollResponse::new().to_json(), r#"{"sets":{}}"#);
    assert!(!PollResponse::from_json(r#"{"sets":{}}"#)
        .unwrap()
        .has_more());
    let cases = [
        ("{}", "sets"),
        (r#"{"sets":[]}"#, "sets"),
        (r#"{"sets":{"j":5}}"#, "sets.\"j\""),
        (r#"{"sets":{"j":""}}"#, "sets.\"j\""),
        (r#"{"sets":{"":"a.b.c"}}"#, "empty jti"),
        (r#"{"sets":{},"moreAvailable":"yes"}"#, "moreAvailable"),
    ];
    for (text, needle) in cases {
        assert_invalid(PollResponse::from_json(text), needle);
    }
}

// ---- metadata and discovery -----------------------------------------------------------------

#[test]
fn discovery_urls() {
    let cases = [
        (
            "https://tr.example.com",
            "https://tr.example.com/.well-known/ssf-configuration",
        ),
        (
            "https://tr.example.com/",
            "https://tr.example.com/.well-known/ssf-configuration",
        ),
        (
            "https://tr.example.com/issuer1",
            "https://tr.example.com/.well-known/ssf-configuration/issuer1",
        ),
        (
            "https://tr.example.com/issuer1/",
            "https://tr.example.com/.well-known/ssf-configuration/issuer1",
        ),
        (
            "https://tr.example.com/a/b",
            "https://tr.example.com/.well-known/ssf-configuration/a/b",
        ),
        (
            "https://tr.example.com:8443/t",
            "https://tr.example.com:8443/.well-known/ssf-configuration/t",
        ),
        (
            "http://127.0.0.1:8787",
            "http://127.0.0.1:8787/.well-known/ssf-configuration",
        ),
    ];
    for (issuer, url) in cases {
        assert_eq!(discovery_url(issuer).unwrap(), url, "{issuer}");
    }
    assert!(discovery_url("https://tr.example.com")
        .unwrap()
        .ends_with(WELL_KNOWN_PATH));
    for bad in [
        "tr.example.com",
        "ftp://tr.example.com",
        "https://",
        "https://tr.example.com?x=1",
        "https://tr.example.com/a#frag",
        "https://user@tr.example.com",
        "https://tr.example.com/a b",
        "",
    ] {
        assert_invalid(discovery_url(bad), "issuer");
    }
}

#[test]
fn url_policy() {
    check_https("https://tr.example.com/x?y=1").unwrap();
    check_https("https://[2001:db8::1]:443/x").unwrap();
    for bad in [
        "http://tr.example.com",
        "https:/tr.example.com",
        "https://tr.example.com:0",
        "https://tr.example.com:99999",
        "https://tr.example.com:",
        "https://tr.exa mple.com",
        "https://tr.example.com/\u{e9}",
        "https://u:p@tr.example.com",
        "https://[zz::1]/",
        "javascript:alert(1)",
    ] {
        assert_invalid(check_https(bad), "URL");
    }
    for local in [
        "http://127.0.0.1:8787",
        "http://localhost:8787/ssf",
        "http://[::1]/",
        "http://127.1.2.3",
    ] {
        assert_invalid(check_url(local, UrlPolicy::RequireHttps), "https");
        check_url(local, UrlPolicy::AllowLoopbackHttp).unwrap();
    }
    for remote in [
        "http://example.com",
        "http://127.0.0.1.example.com",
        "http://10.0.0.1",
        "http://127.0.0.256",
    ] {
        assert_invalid(check_url(remote, UrlPolicy::AllowLoopbackHttp), "loopback");
    }
    assert_eq!(UrlPolicy::default(), UrlPolicy::RequireHttps);
    check_issuer_url("https://tr.example.com/issuer1", UrlPolicy::RequireHttps).unwrap();
    assert_invalid(
        check_issuer_url("https://tr.example.com/?a=b", UrlPolicy::RequireHttps),
        "query",
    );
    assert_invalid(
        check_issuer_url("https://tr.example.com/#f", UrlPolicy::RequireHttps),
        "fragment",
    );
}

#[test]
fn metadata_rules() {
    let base = spec_example(978);
    let cases = [
        (without_member(&base, "issuer"), "issuer"),
        (with_member(&base, "issuer", j("1")), "issuer"),
        (with_member(&base, "issuer", j(r#""""#)), "issuer"),
        (
            with_member(&base, "default_subjects", j(r#""SOME""#)),
            "default_subjects",
        ),
        (
            with_member(&base, "default_subjects", j(r#""all""#)),
            "default_subjects",
        ),
        (
            with_member(&base, "authorization_schemes", j(r#"{"spec_urn":"x"}"#)),
            "authorization_schemes",
        ),
        (
            with_member(&base, "authorization_schemes", j(r#"[{"urn":"x"}]"#)),
            "authorization_schemes[0]: member \"spec_urn\"",
        ),
        (
            with_member(
                &base,
                "delivery_methods_supported",
                j(r#""urn:ietf:rfc:8935""#),
            ),
            "delivery_methods_supported",
        ),
        (with_member(&base, "jwks_uri", j("null")), "jwks_uri"),
    ];
    for (v, needle) in cases {
        assert_invalid(TransmitterMetadata::from_value(&v), needle);
    }

    let m = |v: &Value| TransmitterMetadata::from_value(v).unwrap();
    assert_invalid(
        m(&with_member(
            &base,
            "issuer",
            j(r#""http://tr.example.com""#),
        ))
        .validate(UrlPolicy::RequireHttps),
        "https",
    );
    assert_invalid(
        m(&with_member(
            &base,
            "issuer",
            j(r#""https://tr.example.com?x""#),
        ))
        .validate(UrlPolicy::RequireHttps),
        "query",
    );
    assert_invalid(
        m(&with_member(
            &base,
            "status_endpoint",
            j(r#""http://tr.example.com/s""#),
        ))
        .validate(UrlPolicy::AllowLoopbackHttp),
        "status_endpoint",
    );
    assert_invalid(
        m(&with_member(&base, "critical_subject_members", j("[]")))
            .validate(UrlPolicy::RequireHttps),
        "omitted",
    );
    assert_invalid(
        m(&with_member(&base, "authorization_schemes", j("[]"))).validate(UrlPolicy::RequireHttps),
        "omitted",
    );

    let mut dev = TransmitterMetadata::new("http://127.0.0.1:8787");
    dev.jwks_uri = Some("http://127.0.0.1:8787/jwks.json".into());
    dev.validate(UrlPolicy::AllowLoopbackHttp).unwrap();
    assert_invalid(dev.validate(UrlPolicy::RequireHttps), "https");

    let meta = m(&base);
    assert_eq!(
        meta.validate_for_issuer("https://tr.example.com/"),
        Err(Error::WrongIssuer("https://tr.example.com".into()))
    );
    assert_eq!(
        meta.validate_for_issuer("https://tr.example.com/")
            .unwrap_err()
            .code(),
        ErrCode::InvalidIssuer
    );
}

#[test]
fn metadata_builder() {
    let mut m = TransmitterMetadata::new("https://tr.example.com");
    m.jwks_uri = Some("https://tr.example.com/jwks.json".into());
    m.delivery_methods_supported = Some(vec![POLL_METHOD.into()]);
    m.authorization_schemes = Some(vec![AuthorizationScheme::new("urn:ietf:rfc:6749")]);
    m.default_subjects = Some(DefaultSubjects::All);
    assert_eq!(
        m.to_json(),
        r#"{"spec_version":"1_0","issuer":"https://tr.example.com","jwks_uri":"https://tr.example.com/jwks.json","delivery_methods_supported":["urn:ietf:rfc:8936"],"authorization_schemes":[{"spec_urn":"urn:ietf:rfc:6749"}],"default_subjects":"ALL"}"#
    );
    assert_eq!(TransmitterMetadata::from_json(&m.to_json()).unwrap(), m);
    assert!(m.supports_delivery(POLL_METHOD) && !m.supports_delivery(PUSH_METHOD));
}

// ---- stream configuration -------------------------------------------------------------------

fn config_value() -> Value {
    j(r#"{
        "stream_id": "s1",
        "iss": "https://tr.example.com",
        "aud": "https://rp.example.com",
        "delivery": {"method": "urn:ietf:rfc:8936", "endpoint_url": "https://tr.example.com/ssf/poll/s1"},
        "events_supported": ["urn:e:1", "urn:e:2", "urn:e:3"],
        "events_requested": ["urn:e:1", "urn:e:2"],
        "events_delivered": ["urn:e:1", "urn:e:2"],
        "description": "original",
        "min_verification_interval": 30,
        "source": {"issuer": "https://idp.example.com", "jwks_uri": "https://idp.example.com/jwks", "audience": "https://rp.example.com", "algorithms": ["RS256", "ES256"]},
        "push": {"endpoint_url": "https://tr.example.com/ssf/push/s1", "authorization_header": "Bearer t0k3n"},
        "x-vendor": {"keep": true}
    }"#)
}

const S1_POLL: &str = "https://tr.example.com/ssf/poll/s1";

#[test]
fn stream_config_with_extensions_round_trips() {
    let v = config_value();
    assert_round_trip(Kind::StreamConfig, &v, "extensions");
    let c = StreamConfig::from_value(&v).unwrap();
    c.validate(UrlPolicy::RequireHttps).unwrap();
    let source = c.source.as_ref().unwrap();
    assert_eq!(
        source.keys,
        SourceKeys::JwksUri("https://idp.example.com/jwks".into())
    );
    assert_eq!(source.algorithms.as_ref().map(Vec::len), Some(2));
    assert_eq!(
        c.push.as_ref().unwrap().authorization_header,
        "Bearer t0k3n"
    );
    assert_eq!(c.extra.len(), 1);

    let inline = j(r#"{"issuer":"https://idp.example.com","jwks":{"keys":[]},"audience":"a"}"#);
    let s = Source::from_value(&inline).unwrap();
    assert!(matches!(s.keys, SourceKeys::Jwks(_)));
    assert_eq!(s.to_value(), inline);
}

#[test]
fn stream_config_rejects() {
    let base = config_value();
    let cases = [
        (without_member(&base, "stream_id"), "stream_id"),
        (without_member(&base, "iss"), "iss"),
        (without_member(&base, "aud"), "aud"),
        (
            without_member(&base, "events_delivered"),
            "events_delivered",
        ),
        (without_member(&base, "delivery"), "delivery"),
        (with_member(&base, "stream_id", j("7")), "stream_id"),
        (with_member(&base, "aud", j("7")), "aud"),
        (with_member(&base, "aud", j("[]")), "aud"),
        (with_member(&base, "aud", j("[1]")), "aud"),
        (
            with_member(&base, "events_requested", j(r#""urn:e:1""#)),
            "events_requested",
        ),
        (
            with_member(&base, "events_supported", j(r#"[null]"#)),
            "events_supported",
        ),
        (with_member(&base, "description", j("false")), "description"),
        (
            with_member(&base, "min_verification_interval", j("-5")),
            "min_verification_interval",
        ),
        (
            with_member(&base, "min_verification_interval", j(r#""60""#)),
            "min_verification_interval",
        ),
        (
            with_member(&base, "inactivity_timeout", j("1.5")),
            "inactivity_timeout",
        ),
        (
            with_member(&base, "delivery", j(r#"{"endpoint_url":"https://x"}"#)),
            "delivery: member \"method\" is required",
        ),
        (
            with_member(&base, "delivery", j(r#"{"method":""}"#)),
            "method",
        ),
        (
            with_member(&base, "delivery", j(r#"{"method":7}"#)),
            "method",
        ),
        (
            with_member(&base, "delivery", j(r#""urn:ietf:rfc:8936""#)),
            "delivery",
        ),
        (
            with_member(&base, "delivery", j(r#"{"method":"urn:ietf:rfc:8935"}"#)),
            "endpoint_url",
        ),
        (
            with_member(&base, "delivery", j(r#"{"method":"urn:ietf:rfc:8936"}"#)),
            "endpoint_url",
        ),
        (
            with_member(
                &base,
                "delivery",
                j(
                    r#"{"method":"urn:ietf:rfc:8935","endpoint_url":"https://x","authorization_header":5}"#,
                ),
            ),
            "authorization_header",
        ),
        (
            with_member(&base, "push", j(r#"{"endpoint_url":"https://x"}"#)),
            "push: member \"authorization_header\"",
        ),
        (with_member(&base, "source", j("[]")), "source"),
    ];
    for (v, needle) in cases {
        assert_invalid(StreamConfig::from_value(&v), needle);
    }
}

#[test]
fn source_rules() {
    let cases = [
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k","jwks":{"keys":[]},"audience":"a"}"#,
            "exactly one",
        ),
        (r#"{"issuer":"https://i","audience":"a"}"#, "jwks_uri"),
        (
            r#"{"issuer":"https://i","jwks":{"kty":"EC"},"audience":"a"}"#,
            "keys",
        ),
        (
            r#"{"issuer":"https://i","jwks":"{}","audience":"a"}"#,
            "jwks",
        ),
        (
            r#"{"issuer":"https://i","jwks_uri":"","audience":"a"}"#,
            "jwks_uri",
        ),
        (r#"{"jwks_uri":"https://i/k","audience":"a"}"#, "issuer"),
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k"}"#,
            "audience",
        ),
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k","audience":["a"]}"#,
            "audience",
        ),
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k","audience":"a","algorithms":[]}"#,
            "algorithms",
        ),
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k","audience":"a","algorithms":"RS256"}"#,
            "algorithms",
        ),
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k","audience":"a","algorithms":["none"]}"#,
            "none",
        ),
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k","audience":"a","algorithms":["HS256"]}"#,
            "HS256",
        ),
        (
            r#"{"issuer":"https://i","jwks_uri":"https://i/k","audience":"a","algorithms":["rs256"]}"#,
            "rs256",
        ),
    ];
    for (text, needle) in cases {
        assert_invalid(Source::from_value(&j(text)), needle);
    }
    let s = Source::from_value(&j(r#"{"issuer":"http://127.0.0.1:9000","jwks_uri":"http://127.0.0.1:9000/jwks","audience":"a"}"#)).unwrap();
    s.validate(UrlPolicy::AllowLoopbackHttp).unwrap();
    assert_invalid(s.validate(UrlPolicy::RequireHttps), "https");
    let q = Source::new(
        "https://i.example/?tenant=1",
        SourceKeys::JwksUri("https://i.example/k".into()),
        "a",
    );
    assert_invalid(q.validate(UrlPolicy::RequireHttps), "query");
}

#[test]
fn member_lists() {
    assert_eq!(
        StreamConfig::receiver_supplied_members(),
        ["events_requested", "delivery", "description", "source"]
    );
    let t = StreamConfig::transmitter_supplied_members();
    for name in [
        "stream_id",
        "iss",
        "aud",
        "events_supported",
        "events_delivered",
        "min_verification_interval",
        "inactivity_timeout",
        "push",
    ] {
        assert!(t.contains(&name), "{name}");
    }
    assert!(!t
        .iter()
        .any(|n| StreamConfig::RECEIVER_SUPPLIED.contains(n)));
}

#[test]
fn deliverable_events_rule() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let supported = s(&["a", "b", "c"]);
    assert_eq!(
        deliverable_events(Some(&supported), Some(&s(&["c", "x", "a", "c"]))),
        s(&["c", "a"])
    );
    // Nothing requested at all: what is supported. An empty request: nothing.
    assert_eq!(deliverable_events(Some(&supported), None), supported);
    assert!(deliverable_events(Some(&supported), Some(&[])).is_empty());
    assert!(deliverable_events(None, None).is_empty());
    assert_eq!(deliverable_events(None, Some(&s(&["x"]))), s(&["x"]));
}

// ---- create ---------------------------------------------------------------------------------

fn supplied() -> TransmitterSupplied {
    TransmitterSupplied {
        stream_id: "s1".into(),
        iss: "https://tr.example.com".into(),
        aud: Audience::One("https://rp.example.com".into()),
        events_supported: vec!["urn:e:1".into(), "urn:e:2".into()],
        poll_endpoint_url: S1_POLL.into(),
        min_verification_interval: Some(30),
        inactivity_timeout: None,
        push: Some(PushEndpoint::new(
            "https://tr.example.com/ssf/push/s1",
            "Bearer t0k3n",
        )),
    }
}

#[test]
fn create_defaults_to_poll() {
    let config = CreateStreamRequest::from_json("{}")
        .unwrap()
        .into_config(supplied())
        .unwrap();
    assert!(config.delivery.is_poll());
    assert_eq!(config.delivery.endpoint_url.as_deref(), Some(S1_POLL));
    assert_eq!(config.events_delivered, ["urn:e:1", "urn:e:2"]);
    assert_eq!(
        config.to_json(),
        r#"{"stream_id":"s1","iss":"https://tr.example.com","aud":"https://rp.example.com","delivery":{"method":"urn:ietf:rfc:8936","endpoint_url":"https://tr.example.com/ssf/poll/s1"},"events_supported":["urn:e:1","urn:e:2"],"events_delivered":["urn:e:1","urn:e:2"],"min_verification_interval":30,"push":{"endpoint_url":"https://tr.example.com/ssf/push/s1","authorization_header":"Bearer t0k3n"}}"#
    );
    assert_round_trip(Kind::StreamConfig, &config.to_value(), "created");
    assert_eq!(CreateStreamRequest::new().to_json(), "{}");
}

#[test]
fn create_with_source_and_poll() {
    let body = r#"{"delivery":{"method":"urn:ietf:rfc:8936"},"events_requested":["urn:e:2","urn:e:9"],"description":"d","source":{"issuer":"https://idp.example.com","jwks_uri":"https://idp.example.com/jwks","audience":"https://rp.example.com"},"client_hint":1}"#;
    let req = CreateStreamRequest::from_json(body).unwrap();
    assert_eq!(req.to_json(), body);
    req.validate(UrlPolicy::RequireHttps).unwrap();
    let config = req.into_config(supplied()).unwrap();
    assert_eq!(config.events_delivered, ["urn:e:2"]);
    assert_eq!(config.delivery.endpoint_url.as_deref(), Some(S1_POLL));
    assert_eq!(
        config.source.as_ref().map(|s| s.issuer.as_str()),
        Some("https://idp.example.com")
    );
    assert!(
        config.extra.is_empty(),
        "unknown request members are not stored"
    );

    // A poll endpoint_url may only repeat the transmitter's.
    let same =
        format!(r#"{{"delivery":{{"method":"urn:ietf:rfc:8936","endpoint_url":"{S1_POLL}"}}}}"#);
    CreateStreamRequest::from_json(&same)
        .unwrap()
        .into_config(supplied())
        .unwrap();
    let other =
        r#"{"delivery":{"method":"urn:ietf:rfc:8936","endpoint_url":"https://evil.example/poll"}}"#;
    assert_invalid(
        CreateStreamRequest::from_json(other)
            .unwrap()
            .into_config(supplied()),
        "endpoint_url",
    );

    // Push: the receiver's URL is kept.
    let push = r#"{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://rp.example.com/events","authorization_header":"Bearer r"}}"#;
    let config = CreateStreamRequest::from_json(push)
        .unwrap()
        .into_config(supplied())
        .unwrap();
    assert!(config.delivery.is_push());
    assert_eq!(
        config.delivery,
        Delivery::push("https://rp.example.com/events", Some("Bearer r".into()))
    );
}

#[test]
fn create_rejects_transmitter_members() {
    for (name, member) in [
        ("stream_id", r#""mine""#),
        ("iss", r#""https://tr.example.com""#),
        ("aud", r#""x""#),
        ("events_supported", "[]"),
        ("events_delivered", "[]"),
        ("min_verification_interval", "1"),
        ("inactivity_timeout", "1"),
        (
            "push",
            r#"{"endpoint_url":"https://x","authorization_header":"y"}"#,
        ),
    ] {
        let v = with_member(&j(r#"{"description":"d"}"#), name, j(member));
        assert_invalid(
            CreateStreamRequest::from_value(&v),
            &format!("{name:?} is supplied by the Transmitter"),
        );
    }
    assert_invalid(
        CreateStreamRequest::from_json(r#"{"delivery":{"method":"urn:ietf:rfc:8935"}}"#),
        "endpoint_url",
    );
    assert_invalid(
        CreateStreamRequest::from_json(r#"{"events_requested":"urn:e:1"}"#),
        "events_requested",
    );
    assert_invalid(
        CreateStreamRequest::from_json(
            r#"{"source":{"issuer":"https://i","jwks_uri":"https://i/k","jwks":{"keys":[]},"audience":"a"}}"#,
        ),
        "source: give exactly one",
    );
    let insecure = CreateStreamRequest::from_json(
        r#"{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"http://rp.example.com/e"}}"#,
    )
    .unwrap();
    assert_invalid(insecure.validate(UrlPolicy::RequireHttps), "delivery: ");
}

// ---- update (PATCH) and replace (PUT) -------------------------------------------------------

fn current() -> StreamConfig {
    StreamConfig::from_value(&config_value()).unwrap()
}

fn update(text: &str) -> UpdateStreamRequest {
    UpdateStreamRequest::from_json(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn patch_applies_present_receiver_members_only() {
    let mut c = current();
    apply_patch(
        &mut c,
        &update(r#"{"stream_id":"s1","description":"new"}"#),
        S1_POLL,
    )
    .unwrap();
    assert_eq!(c.description.as_deref(), Some("new"));
    assert_eq!(c.events_requested, current().events_requested);
    assert_eq!(c.source, current().source);
    assert_eq!(c.delivery, current().delivery);

    apply_patch(
        &mut c,
        &update(r#"{"stream_id":"s1","events_requested":["urn:e:3","urn:e:4"]}"#),
        S1_POLL,
    )
    .unwrap();
    assert_eq!(c.events_delivered, ["urn:e:3"]);

    let src = r#"{"stream_id":"s1","source":{"issuer":"https://idp2.example.com","jwks":{"keys":[]},"audience":"b"}}"#;
    apply_patch(&mut c, &update(src), S1_POLL).unwrap();
    assert_eq!(c.source.as_ref().map(|s| s.audience.as_str()), Some("b"));

    // The stored member order is kept; the result still round-trips.
    assert_round_trip(Kind::StreamConfig, &c.to_value(), "patched");
    assert_eq!(
        c.to_value().as_object().unwrap().keys().next(),
        Some("stream_id")
    );
}

#[test]
fn patch_transmitter_members_must_equal_current() {
    let same = r#"{"stream_id":"s1","iss":"https://tr.example.com","aud":"https://rp.example.com","events_delivered":["urn:e:1","urn:e:2"],"min_verification_interval":30,"push":{"authorization_header":"Bearer t0k3n","endpoint_url":"https://tr.example.com/ssf/push/s1"},"description":"ok"}"#;
    let mut c = current();
    apply_patch(&mut c, &update(same), S1_POLL).unwrap();
    assert_eq!(c.description.as_deref(), Some("ok"));

    for (name, member) in [
        ("iss", r#""https://other.example.com""#),
        ("aud", r#"["https://rp.example.com"]"#),
        ("events_supported", r#"["urn:e:1"]"#),
        ("events_delivered", r#"["urn:e:1","urn:e:2","urn:e:3"]"#),
        ("min_verification_interval", "31"),
        ("inactivity_timeout", "60"),
        (
            "push",
            r#"{"endpoint_url":"https://evil.example/push","authorization_header":"Bearer t0k3n"}"#,
        ),
    ] {
        let req = with_member(
            &j(r#"{"stream_id":"s1","description":"changed"}"#),
            name,
            j(member),
        );
        let req = UpdateStreamRequest::from_value(&req).unwrap();
        let mut c = current();
        assert_invalid(
            apply_patch(&mut c, &req, S1_POLL),
            &format!("{name:?} is supplied by the Transmitter and differs"),
        );
        assert_invalid(apply_replace(&mut c, &req, S1_POLL), name);
        assert_eq!(
            c,
            current(),
            "{name}: config unchanged after a failed update"
        );
    }

    let mut c = current();
    assert_invalid(
        apply_patch(&mut c, &update(r#"{"stream_id":"s2"}"#), S1_POLL),
        "stream_id",
    );
    let poll_elsewhere = r#"{"stream_id":"s1","delivery":{"method":"urn:ietf:rfc:8936","endpoint_url":"https://evil.example/poll"}}"#;
    assert_invalid(
        apply_patch(&mut c, &update(poll_elsewhere), S1_POLL),
        "endpoint_url",
    );
    assert_eq!(c, current());
}

#[test]
fn update_request_parsing() {
    let cases = [
        (r#"{"description":"x"}"#, "stream_id"),
        (r#"{"stream_id":""}"#, "stream_id"),
        (r#"{"stream_id":"s1","description":null}"#, "description"),
        (r#"{"stream_id":"s1","iss":5}"#, "iss"),
        (r#"{"stream_id":"s1","aud":{}}"#, "aud"),
        (
            r#"{"stream_id":"s1","events_delivered":"x"}"#,
            "events_delivered",
        ),
        (
            r#"{"stream_id":"s1","inactivity_timeout":-1}"#,
            "inactivity_timeout",
        ),
        (
            r#"{"stream_id":"s1","push":{"endpoint_url":"x"}}"#,
            "push: member \"authorization_header\"",
        ),
        (
            r#"{"stream_id":"s1","delivery":{}}"#,
            "delivery: member \"method\"",
        ),
    ];
    for (text, needle) in cases {
        assert_invalid(UpdateStreamRequest::from_json(text), needle);
    }
    let text = r#"{"stream_id":"s1","iss":"https://tr.example.com","zzz":[1],"description":"d"}"#;
    let req = update(text);
    assert_eq!(req.transmitter_supplied.len(), 1);
    assert_eq!(req.extra.len(), 1);
    assert_eq!(req.to_json(), text);
    assert_eq!(
        UpdateStreamRequest::new("s1").to_json(),
        r#"{"stream_id":"s1"}"#
    );
}

#[test]
fn put_deletes_omitted_receiver_members() {
    let mut c = current();
    apply_replace(
        &mut c,
        &update(r#"{"stream_id":"s1","events_requested":["urn:e:2"]}"#),
        S1_POLL,
    )
    .unwrap();
    assert_eq!(
        c.events_requested.as_deref(),
        Some(&["urn:e:2".to_string()][..])
    );
    assert_eq!(c.events_delivered, ["urn:e:2"]);
    assert_eq!(c.description, None, "omitted description is deleted");
    assert_eq!(c.source, None, "omitted source is deleted");
    assert_eq!(
        c.delivery,
        Delivery::poll(S1_POLL),
        "omitted delivery falls back to poll"
    );
    // Transmitter-supplied members are untouched.
    assert_eq!(c.push, current().push);
    assert_eq!(c.min_verification_interval, Some(30));
    let v = c.to_value();
    assert!(v.get("description").is_none() && v.get("source").is_none());
    assert_round_trip(Kind::StreamConfig, &v, "replaced");

    let mut c = current();
    apply_replace(&mut c, &update(r#"{"stream_id":"s1"}"#), S1_POLL).unwrap();
    assert_eq!(c.events_requested, None);
    assert_eq!(
        c.events_delivered,
        c.events_supported.clone().unwrap_or_default(),
        "no events_requested: every supported event"
    );

    let mut c = current();
    let push = r#"{"stream_id":"s1","delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://rp.example.com/e"},"description":"kept"}"#;
    apply_replace(&mut c, &update(push), S1_POLL).unwrap();
    assert!(c.delivery.is_push());
    assert_eq!(c.description.as_deref(), Some("kept"));
    assert_eq!(c.events_requested, None);
}

// ---- status, subjects, verification ---------------------------------------------------------

#[test]
fn status_rejects() {
    let cases = [
        (r#"{"stream_id":"s","status":"active"}"#, "status"),
        (r#"{"stream_id":"s","status":"Enabled"}"#, "status"),
        (r#"{"stream_id":"s","status":1}"#, "status"),
        (r#"{"stream_id":"s"}"#, "status"),
        (r#"{"status":"enabled"}"#, "stream_id"),
        (r#"{"stream_id":"","status":"enabled"}"#, "stream_id"),
        (
            r#"{"stream_id":"s","status":"enabled","reason":3}"#,
            "reason",
        ),
    ];
    for (text, needle) in cases {
        assert_invalid(StreamStatus::from_json(text), needle);
    }
}

#[test]
fn subject_requests_reject() {
    let cases = [
        (r#"{"stream_id":"s"}"#, "subject"),
        (
            r#"{"subject":{"format":"email","email":"a@b"}}"#,
            "stream_id",
        ),
        (
            r#"{"stream_id":7,"subject":{"format":"email","email":"a@b"}}"#,
            "stream_id",
        ),
        (
            r#"{"stream_id":"s","subject":{"format":"email","email":"a@b"},"verified":"yes"}"#,
            "verified",
        ),
    ];
    for (text, needle) in cases {
        assert_invalid(AddSubjectRequest::from_json(text), needle);
    }
    assert_invalid(
        RemoveSubjectRequest::from_json(r#"{"stream_id":"s"}"#),
        "subject",
    );
    // Subject errors are the subject parser's own.
    for bad in [r#""a@b""#, r#"{"email":"a@b"}"#, r#"{"format":"email"}"#] {
        let text = format!(r#"{{"stream_id":"s","subject":{bad}}}"#);
        let e = AddSubjectRequest::from_json(&text).unwrap_err();
        assert!(matches!(e, Error::InvalidSubject(_)), "{bad}: {e:?}");
        assert!(RemoveSubjectRequest::from_json(&text).is_err());
    }
    let add = AddSubjectRequest::new("s", SubjectId::email("a@example.com")).with_verified(false);
    assert_eq!(
        add.to_json(),
        r#"{"stream_id":"s","subject":{"format":"email","email":"a@example.com"},"verified":false}"#
    );
    let rm = RemoveSubjectRequest::new("s", SubjectId::opaque("x"));
    assert_eq!(RemoveSubjectRequest::from_json(&rm.to_json()).unwrap(), rm);
}

#[test]
fn verification_rejects() {
    assert_invalid(
        VerificationRequest::from_json(r#"{"state":"x"}"#),
        "stream_id",
    );
    assert_invalid(
        VerificationRequest::from_json(r#"{"stream_id":"s","state":1}"#),
        "state",
    );
    let empty_state = VerificationRequest::from_json(r#"{"stream_id":"s","state":""}"#).unwrap();
    assert_eq!(empty_state.state.as_deref(), Some(""));
}

#[test]
fn problem_details_ignore_mistyped_members() {
    let text = r#"{"type":5,"title":"t","status":"400","detail":"d","instance":null,"x":1}"#;
    let p = ProblemDetails::from_json(text).unwrap();
    assert_eq!((p.problem_type.as_deref(), p.status), (None, None));
    assert_eq!(p.effective_type(), "about:blank");
    assert_eq!(p.extra.len(), 4);
    assert_eq!(p.to_json(), text);
    assert_eq!(
        ProblemDetails::from_json(r#"{"status":700}"#)
            .unwrap()
            .status,
        None
    );
    assert_invalid(ProblemDetails::from_json("[]"), "object");
    assert_eq!(
        ProblemDetails::new(404, "Not Found")
            .with_detail("no such stream")
            .to_json(),
        r#"{"title":"Not Found","status":404,"detail":"no such stream"}"#
    );
}

#[test]
fn unknown_members_are_kept_everywhere() {
    let extra = Map::from_iter([("x-ext", Value::from("v"))]);
    let add = |v: Value| {
        let mut m = v.as_object().cloned().unwrap_or_default();
        for (k, x) in extra.iter() {
            m.insert(k, x.clone());
        }
        Value::Object(m)
    };
    let cases = [
        (
            Kind::PushError,
            j(r#"{"err":"invalid_key","description":"d"}"#),
        ),
        (Kind::PollResponse, j(r#"{"sets":{}}"#)),
        (Kind::Metadata, j(r#"{"issuer":"https://i"}"#)),
        (Kind::AuthScheme, j(r#"{"spec_urn":"urn:x"}"#)),
        (Kind::Status, j(r#"{"stream_id":"s","status":"enabled"}"#)),
        (Kind::Verification, j(r#"{"stream_id":"s"}"#)),
        (
            Kind::AddSubject,
            j(r#"{"stream_id":"s","subject":{"format":"opaque","id":"x"}}"#),
        ),
        (
            Kind::RemoveSubject,
            j(r#"{"stream_id":"s","subject":{"format":"opaque","id":"x"}}"#),
        ),
    ];
    for (kind, v) in cases {
        // Unknown member first and last.
        let last = add(v.clone());
        assert_round_trip(kind, &last, "extra last");
        let mut first = extra.clone();
        for (k, x) in v.as_object().unwrap().iter() {
            first.insert(k, x.clone());
        }
        assert_round_trip(kind, &Value::Object(first), "extra first");
    }
}
