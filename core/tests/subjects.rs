//! Subject identifiers through the public API: every subject in the shared spec examples and
//! vectors (read in place, attribution kept in the files), legacy shapes, exact errors and
//! SSF subject matching.

use std::path::PathBuf;

use proptest::prelude::*;
use ssf_core::error::{Error, Part};
use ssf_core::issue::{Issue, Severity};
use ssf_core::json::{self, Map, Value};
use ssf_core::subject::{Format, SubjectId, SubjectView};

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

fn subject(text: &str) -> (SubjectId, Vec<Issue>) {
    SubjectId::from_value(&j(text)).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn s(text: &str) -> SubjectId {
    subject(text).0
}

fn err(text: &str) -> String {
    match SubjectId::from_value(&j(text)) {
        Err(Error::InvalidSubject(detail)) => detail,
        other => panic!("{text}: expected InvalidSubject, got {other:?}"),
    }
}

fn codes(issues: &[Issue]) -> Vec<(&'static str, Severity, &str)> {
    issues
        .iter()
        .map(|i| (i.code, i.severity, i.path.as_str()))
        .collect()
}

/// Parses a subject and checks that it encodes back to the identical JSON value.
fn round_trip(value: &Value, what: &str) -> (SubjectId, Vec<Issue>) {
    let (id, issues) = SubjectId::from_value(value).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(&id.to_value(), value, "{what}: round trip");
    assert_eq!(
        id.to_value().to_json(),
        value.to_json(),
        "{what}: same text"
    );
    (id, issues)
}

fn spec_example_files() -> Vec<PathBuf> {
    let dir = shared_dir().join("vectors/spec-examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

// ---- the shared data ------------------------------------------------------------------------

#[test]
fn shared_dir_is_present() {
    assert!(
        shared_dir().join("spec/spec-examples.json").is_file(),
        "the shared test data must sit beside the checkout"
    );
}

#[test]
fn every_subject_in_the_spec_example_vectors_round_trips() {
    let mut seen = 0;
    for path in spec_example_files() {
        let doc = read_json(&path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let value = doc
            .get("value")
            .unwrap_or_else(|| panic!("{name}: no value"));
        let mut candidates = Vec::new();
        if value.get("format").is_some() {
            candidates.push(value);
        }
        if let Some(sub_id) = value.get("sub_id") {
            candidates.push(sub_id);
        }
        for v in candidates {
            let (id, issues) = round_trip(v, &name);
            assert!(
                issues.iter().all(|i| i.severity == Severity::Info),
                "{name}: {issues:?}"
            );
            assert!(!id.describe().is_empty());
            seen += 1;
        }
    }
    // 7 bare identifiers (jwt_id, saml, ip-addresses, 6 complex) plus every SET's sub_id.
    assert!(seen >= 35, "only {seen} subjects found");
}

#[test]
fn every_subject_in_spec_examples_json_round_trips() {
    let doc = read_json(&shared_dir().join("spec/spec-examples.json"));
    let examples = doc.get("examples").and_then(Value::as_array).unwrap();
    let mut seen = 0;
    for ex in examples {
        let title = ex.get("title").and_then(Value::as_str).unwrap_or("");
        let Some(value) = ex.get("json").filter(|v| v.as_object().is_some()) else {
            continue; // `raw` examples are not valid JSON (RISC account-disabled)
        };
        let mut candidates = Vec::new();
        if value.get("format").is_some() {
            candidates.push(value);
        }
        for member in ["sub_id", "subject"] {
            if let Some(v) = value.get(member) {
                candidates.push(v);
            }
        }
        for v in candidates {
            let (_, issues) = round_trip(v, title);
            let warnings: Vec<_> = issues
                .iter()
                .filter(|i| i.severity != Severity::Info)
                .map(|i| i.code)
                .collect();
            if v.get("format").and_then(Value::as_str) == Some("phone") {
                // SSF's remove-subject example uses the unregistered "phone" format.
                assert_eq!(warnings, ["nonstandard_phone_format"], "{title}");
            } else {
                assert!(warnings.is_empty(), "{title}: {warnings:?}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 50, "only {seen} subjects found");
}

#[test]
fn subjects_in_the_wire_fixtures_round_trip() {
    let dir = shared_dir().join("vectors/ssf-json-fixtures");
    for name in [
        "add_subject_request_account.json",
        "add_subject_request_email.json",
        "remove_subject_request.json",
        "status_response_per_subject.json",
    ] {
        let doc = read_json(&dir.join(name));
        let v = doc.get("value").and_then(|v| v.get("subject")).unwrap();
        let (_, issues) = round_trip(v, name);
        assert!(issues.is_empty(), "{name}: {issues:?}");
    }
}

#[test]
fn legacy_in_event_subjects_of_the_vectors_decode_with_warnings() {
    // RFC 8417 figure 4 / RFC 8935: subject_type with the hyphenated iss-sub.
    let doc = read_json(&shared_dir().join("vectors/decode-only/rfc8935_push_example_hs256.json"));
    let events = doc.get("claims").and_then(|c| c.get("events")).unwrap();
    let (_, payload) = events.as_object().unwrap().iter().next().unwrap();
    let (id, issues) = round_trip(payload.get("subject").unwrap(), "rfc8935");
    assert_eq!(id.format(), "iss_sub");
    assert_eq!(id.known_format(), Some(Format::IssSub));
    assert_eq!(
        id.view(),
        SubjectView::IssSub {
            iss: "https://idp.example.com/",
            sub: "7375626A656374"
        }
    );
    assert_eq!(
        codes(&issues),
        [
            ("legacy_subject_type", Severity::Warning, "/subject_type"),
            ("legacy_format_name", Severity::Warning, "/subject_type"),
        ]
    );
    // login.gov: subject_type with the registered name.
    let doc = read_json(&shared_dir().join("vectors/decode-only/login_gov_risc_rs256.json"));
    let events = doc.get("claims").and_then(|c| c.get("events")).unwrap();
    let (_, payload) = events.as_object().unwrap().iter().next().unwrap();
    let (id, issues) = round_trip(payload.get("subject").unwrap(), "login.gov");
    assert_eq!(id.format(), "iss_sub");
    assert_eq!(
        codes(&issues),
        [("legacy_subject_type", Severity::Warning, "/subject_type")]
    );
}

// ---- formats ----------------------------------------------------------------------------------

#[test]
fn every_format_parses_and_describes_itself() {
    let cases = [
        (r#"{"format":"account","uri":"acct:example.user@service.example.com"}"#, "account acct:example.user@service.example.com"),
        (r#"{"format":"email","email":"someuser@somedomain.com"}"#, "email someuser@somedomain.com"),
        (r#"{"format":"iss_sub","iss":"https://idp.example.com/","sub":"7375626A656374"}"#, "iss_sub iss=https://idp.example.com/ sub=7375626A656374"),
        (r#"{"format":"opaque","id":"11112222333344445555"}"#, "opaque 11112222333344445555"),
        (r#"{"format":"phone_number","phone_number":"+12065550100"}"#, "phone_number +12065550100"),
        (r#"{"format":"did","url":"did:example:123456"}"#, "did did:example:123456"),
        (r#"{"format":"uri","uri":"urn:uuid:4e851e98-83c4-4743-a5da-150ecb53042f"}"#, "uri urn:uuid:4e851e98-83c4-4743-a5da-150ecb53042f"),
        (r#"{"format":"jwt_id","iss":"https://idp.example.com/","jti":"B70BA622"}"#, "jwt_id iss=https://idp.example.com/ jti=B70BA622"),
        (r#"{"format":"saml_assertion_id","issuer":"https://idp.example.com/","assertion_id":"_8e8d"}"#, "saml_assertion_id issuer=https://idp.example.com/ assertion_id=_8e8d"),
        (r#"{"format":"ip-addresses","ip-addresses":["10.29.37.75","2001:0db8:0000:0000:0000:8a2e:0370:7334"]}"#, "ip-addresses 10.29.37.75, 2001:0db8:0000:0000:0000:8a2e:0370:7334"),
        (r#"{"format":"aliases","identifiers":[{"format":"email","email":"user@example.com"},{"format":"phone_number","phone_number":"+12065550100"}]}"#, "aliases [email user@example.com | phone_number +12065550100]"),
        (r#"{"format":"complex","user":{"format":"email","email":"bar@example.com"},"tenant":{"format":"iss_sub","iss":"https://example.com/idp1","sub":"1234"}}"#, "complex {user: email bar@example.com, tenant: iss_sub iss=https://example.com/idp1 sub=1234}"),
        (r#"{"format":"catalog_item","catalog_id":"c0384/winter/2354122"}"#, "catalog_item catalog_id=c0384/winter/2354122"),
    ];
    for (text, description) in cases {
        let (id, issues) = round_trip(&j(text), text);
        assert_eq!(id.describe(), description);
        assert_eq!(id.to_string(), description);
        let expected_format = j(text)
            .get("format")
            .and_then(Value::as_str)
            .unwrap()
            .to_owned();
        assert_eq!(id.format(), expected_format);
        assert_eq!(
            id.known_format().map(Format::as_str),
            Format::from_name(&expected_format).map(Format::as_str)
        );
        if expected_format == "catalog_item" {
            assert_eq!(
                codes(&issues),
                [("proprietary_subject_format", Severity::Info, "/format")]
            );
            assert!(matches!(
                id.view(),
                SubjectView::Other {
                    format: "catalog_item",
                    ..
                }
            ));
        } else {
            assert!(issues.is_empty(), "{text}: {issues:?}");
        }
    }
}

#[test]
fn views_expose_the_typed_members() {
    let ips = s(r#"{"format":"ip-addresses","ip-addresses":["10.29.37.75","2001:db8::1"]}"#);
    let SubjectView::IpAddresses { addresses } = ips.view() else {
        panic!()
    };
    assert_eq!(addresses.len(), 2);
    assert!(addresses[0].is_ipv4() && addresses[1].is_ipv6());
    let complex = s(
        r#"{"format":"complex","user":{"format":"email","email":"a@example.com"},"session":{"format":"opaque","id":"s1"}}"#,
    );
    assert!(complex.is_complex());
    assert_eq!(complex.member("session").unwrap().get_str("id"), Some("s1"));
    assert!(complex.member("device").is_none());
    let SubjectView::Complex { members } = complex.view() else {
        panic!()
    };
    assert_eq!(members[0].0, "user");
    let aliases =
        s(r#"{"format":"aliases","identifiers":[{"format":"email","email":"a@example.com"}]}"#);
    let SubjectView::Aliases { identifiers } = aliases.view() else {
        panic!()
    };
    assert_eq!(
        identifiers[0].view(),
        SubjectView::Email {
            email: "a@example.com"
        }
    );
    assert_eq!(Format::ALL.len(), 12);
    assert!(Format::JwtId.is_ssf() && !Format::Email.is_ssf());
}

#[test]
fn describe_escapes_control_characters() {
    let id = s(r#"{"format":"email","email":"a\nb@example.com"}"#);
    assert_eq!(id.describe(), "email a\\u{a}b@example.com");
}

// ---- legacy shapes ----------------------------------------------------------------------------

#[test]
fn legacy_shapes_decode_with_warnings() {
    type Expected = &'static [(&'static str, Severity, &'static str)];
    let cases: [(&str, &str, Expected); 6] = [
        (
            r#"{"subject_type":"iss-sub","iss":"https://idp.example.com/","sub":"7375626A656374"}"#,
            "iss_sub",
            &[
                ("legacy_subject_type", Severity::Warning, "/subject_type"),
                ("legacy_format_name", Severity::Warning, "/subject_type"),
            ],
        ),
        (
            r#"{"format":"iss-sub","iss":"https://idp.example.com/","sub":"x"}"#,
            "iss_sub",
            &[("legacy_format_name", Severity::Warning, "/format")],
        ),
        (
            r#"{"format":"jwt-id","iss":"https://idp.example.com/","jti":"x"}"#,
            "jwt_id",
            &[("legacy_format_name", Severity::Warning, "/format")],
        ),
        (
            r#"{"format":"saml-assertion-id","issuer":"https://idp.example.com/","assertion_id":"x"}"#,
            "saml_assertion_id",
            &[("legacy_format_name", Severity::Warning, "/format")],
        ),
        (
            r#"{"format":"phone","phone_number":"+12065550123"}"#,
            "phone_number",
            &[("nonstandard_phone_format", Severity::Warning, "/format")],
        ),
        (
            r#"{"format":"email","subject_type":"email","email":"a@example.com","note":"x"}"#,
            "email",
            &[
                ("legacy_subject_type", Severity::Warning, "/subject_type"),
                ("unknown_subject_member", Severity::Warning, "/note"),
            ],
        ),
    ];
    for (text, format, expected) in cases {
        let (id, issues) = round_trip(&j(text), text);
        assert_eq!(id.format(), format, "{text}");
        assert_eq!(codes(&issues), expected, "{text}");
    }
}

#[test]
fn nested_issues_carry_json_pointer_paths() {
    let (_, issues) = subject(
        r#"{"format":"complex","user":{"subject_type":"email","email":"a@example.com","x/y":1},"site":{"format":"opaque","id":"1"}}"#,
    );
    assert_eq!(
        codes(&issues),
        [
            (
                "legacy_subject_type",
                Severity::Warning,
                "/user/subject_type"
            ),
            ("unknown_subject_member", Severity::Warning, "/user/x~1y"),
            ("nonstandard_complex_member", Severity::Info, "/site"),
        ]
    );
    let (_, issues) = subject(
        r#"{"format":"aliases","identifiers":[{"format":"email","email":"a@example.com"},{"format":"email","email":"a@example.com"}]}"#,
    );
    assert_eq!(
        codes(&issues),
        [("duplicate_alias", Severity::Warning, "/identifiers/1")]
    );
}

// ---- errors -----------------------------------------------------------------------------------

#[test]
fn missing_members_are_errors_for_every_simple_format() {
    for format in Format::ALL {
        if matches!(format, Format::Complex) {
            continue;
        }
        for missing in format.members() {
            let mut m = Map::new();
            m.insert("format", format.as_str());
            for member in format.members().iter().filter(|x| *x != missing) {
                m.insert(*member, "x");
            }
            let detail = match SubjectId::from_value(&Value::Object(m)) {
                Err(Error::InvalidSubject(d)) => d,
                other => panic!("{format}: {other:?}"),
            };
            assert_eq!(
                detail,
                format!(
                    "format \"{}\" requires the member \"{missing}\"",
                    format.as_str()
                )
            );
        }
    }
}

#[test]
fn empty_and_mistyped_members_are_errors() {
    for format in Format::ALL {
        let members = format.members();
        if matches!(
            format,
            Format::Complex | Format::Aliases | Format::IpAddresses
        ) {
            continue;
        }
        for bad in members {
            for (value, expected) in [
                (
                    Value::from(""),
                    format!("the member \"{bad}\" must not be empty"),
                ),
                (
                    Value::from(7),
                    format!("the member \"{bad}\" must be a string, not number"),
                ),
                (
                    Value::Null,
                    format!("the member \"{bad}\" must be a string, not null"),
                ),
            ] {
                let mut m = Map::new();
                m.insert("format", format.as_str());
                for member in members {
                    m.insert(
                        *member,
                        if member == bad {
                            value.clone()
                        } else {
                            Value::from("x")
                        },
                    );
                }
                match SubjectId::from_value(&Value::Object(m)) {
                    Err(Error::InvalidSubject(d)) => assert_eq!(d, expected, "{format}"),
                    other => panic!("{format}: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn shape_errors_are_exact() {
    let cases = [
        (
            r#"[]"#,
            "a subject identifier must be a JSON object, not array",
        ),
        (
            r#"{"email":"a@example.com"}"#,
            "the member \"format\" is missing",
        ),
        (
            r#"{"format":5,"email":"a@example.com"}"#,
            "the member \"format\" must be a string, not number",
        ),
        (
            r#"{"format":"","email":"a@example.com"}"#,
            "the member \"format\" must not be empty",
        ),
        (
            r#"{"subject_type":"","email":"a@example.com"}"#,
            "the member \"subject_type\" must not be empty",
        ),
        (
            r#"{"format":"email","subject_type":"iss_sub","email":"a@example.com"}"#,
            "format and subject_type disagree",
        ),
        // aliases
        (
            r#"{"format":"aliases","identifiers":[]}"#,
            "the member \"identifiers\" must not be an empty array",
        ),
        (
            r#"{"format":"aliases","identifiers":{}}"#,
            "the member \"identifiers\" must be an array, not object",
        ),
        (
            r#"{"format":"aliases"}"#,
            "format \"aliases\" requires the member \"identifiers\"",
        ),
        (
            r#"{"format":"aliases","identifiers":[{"format":"email","email":"a@example.com"},{"format":"aliases","identifiers":[{"format":"opaque","id":"1"}]}]}"#,
            "/identifiers/1: aliases must not contain aliases",
        ),
        (
            r#"{"format":"aliases","identifiers":[{"format":"complex","user":{"format":"opaque","id":"1"}}]}"#,
            "/identifiers/0: aliases must not contain complex subjects",
        ),
        (
            r#"{"format":"aliases","identifiers":["a@example.com"]}"#,
            "/identifiers/0: a subject identifier must be a JSON object, not string",
        ),
        (
            r#"{"format":"aliases","identifiers":[{"format":"email","email":""}]}"#,
            "/identifiers/0: the member \"email\" must not be empty",
        ),
        // complex
        (
            r#"{"format":"complex"}"#,
            "a complex subject needs at least one member",
        ),
        (
            r#"{"format":"complex","user":{"format":"complex","device":{"format":"opaque","id":"1"}}}"#,
            "/user: a complex subject member must be a simple identifier, not complex",
        ),
        (
            r#"{"format":"complex","user":"a@example.com"}"#,
            "/user: a subject identifier must be a JSON object, not string",
        ),
        (
            r#"{"format":"complex","user":{"format":"iss_sub","iss":"https://idp.example.com/"}}"#,
            "/user: format \"iss_sub\" requires the member \"sub\"",
        ),
        (
            r#"{"format":"complex","org/unit":{"format":"opaque","id":""}}"#,
            "/org~1unit: the member \"id\" must not be empty",
        ),
        // ip-addresses
        (
            r#"{"format":"ip-addresses"}"#,
            "format \"ip-addresses\" requires the member \"ip-addresses\"",
        ),
        (
            r#"{"format":"ip-addresses","ip-addresses":[]}"#,
            "the member \"ip-addresses\" must not be an empty array",
        ),
        (
            r#"{"format":"ip-addresses","ip-addresses":"10.0.0.1"}"#,
            "the member \"ip-addresses\" must be an array, not string",
        ),
        (
            r#"{"format":"ip-addresses","ip-addresses":["10.0.0.1",7]}"#,
            "\"ip-addresses\" entry 1 must be a string, not number",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(err(text), expected, "{text}");
    }
}

#[test]
fn ip_addresses_must_be_valid_text() {
    for bad in [
        "999.1.1.1",
        "10.0.0",
        "10.0.0.1.2",
        "010.0.0.1",
        " 10.0.0.1",
        "10.0.0.1/24",
        "2001:db8::1::2",
        "2001:db8:0:0:0:0:0:0:1",
        "fe80::1%eth0",
        "gggg::1",
        "example.com",
        "",
    ] {
        let text = format!(
            r#"{{"format":"ip-addresses","ip-addresses":["10.0.0.1",{}]}}"#,
            Value::from(bad)
        );
        assert_eq!(
            err(&text),
            format!("\"ip-addresses\" entry 1 ({bad:?}) is not a textual IPv4 or IPv6 address"),
        );
    }
    for good in [
        "0.0.0.0",
        "255.255.255.255",
        "::",
        "::1",
        "2001:db8::8a2e:370:7334",
        "::ffff:192.0.2.1",
        "2001:0DB8:0000:0000:0000:8A2E:0370:7334",
    ] {
        let text = format!(
            r#"{{"format":"ip-addresses","ip-addresses":[{}]}}"#,
            Value::from(good)
        );
        let (_, issues) = subject(&text);
        assert!(issues.is_empty(), "{good}");
    }
}

// ---- constructors -----------------------------------------------------------------------------

#[test]
fn constructors_build_canonical_identifiers() {
    let built = [
        (
            SubjectId::opaque("f67e39a0"),
            r#"{"format":"opaque","id":"f67e39a0"}"#,
        ),
        (
            SubjectId::email("a@example.com"),
            r#"{"format":"email","email":"a@example.com"}"#,
        ),
        (
            SubjectId::iss_sub("https://i/", "u1"),
            r#"{"format":"iss_sub","iss":"https://i/","sub":"u1"}"#,
        ),
        (
            SubjectId::phone_number("+12065550100"),
            r#"{"format":"phone_number","phone_number":"+12065550100"}"#,
        ),
        (
            SubjectId::account("acct:a@example.com"),
            r#"{"format":"account","uri":"acct:a@example.com"}"#,
        ),
        (
            SubjectId::did("did:example:1"),
            r#"{"format":"did","url":"did:example:1"}"#,
        ),
        (
            SubjectId::uri("https://user.example.com/"),
            r#"{"format":"uri","uri":"https://user.example.com/"}"#,
        ),
        (
            SubjectId::jwt_id("https://i/", "j1"),
            r#"{"format":"jwt_id","iss":"https://i/","jti":"j1"}"#,
        ),
        (
            SubjectId::saml_assertion_id("https://i/", "_a"),
            r#"{"format":"saml_assertion_id","issuer":"https://i/","assertion_id":"_a"}"#,
        ),
        (
            SubjectId::ip_addresses(&["10.0.0.1"]).unwrap(),
            r#"{"format":"ip-addresses","ip-addresses":["10.0.0.1"]}"#,
        ),
        (
            SubjectId::aliases(&[SubjectId::email("a@example.com"), SubjectId::opaque("1")])
                .unwrap(),
            r#"{"format":"aliases","identifiers":[{"format":"email","email":"a@example.com"},{"format":"opaque","id":"1"}]}"#,
        ),
        (
            SubjectId::complex([
                ("user", SubjectId::email("a@example.com")),
                ("tenant", SubjectId::opaque("t")),
            ])
            .unwrap(),
            r#"{"format":"complex","user":{"format":"email","email":"a@example.com"},"tenant":{"format":"opaque","id":"t"}}"#,
        ),
    ];
    for (id, text) in built {
        assert_eq!(id.to_value(), j(text));
        // Built identifiers equal parsed ones in every respect.
        assert_eq!(id, s(text));
    }
}

#[test]
fn fallible_constructors_reject_invalid_input() {
    assert!(matches!(
        SubjectId::ip_addresses(&[]),
        Err(Error::InvalidSubject(_))
    ));
    assert!(matches!(
        SubjectId::ip_addresses(&["1.2.3"]),
        Err(Error::InvalidSubject(_))
    ));
    assert!(matches!(
        SubjectId::aliases(&[]),
        Err(Error::InvalidSubject(_))
    ));
    let inner = SubjectId::aliases(&[SubjectId::opaque("1")]).unwrap();
    assert_eq!(
        SubjectId::aliases(&[inner]),
        Err(Error::InvalidSubject(
            "/identifiers/0: aliases must not contain aliases".into()
        ))
    );
    let complex = SubjectId::complex([("user", SubjectId::opaque("1"))]).unwrap();
    assert_eq!(
        SubjectId::complex([("group", complex)]),
        Err(Error::InvalidSubject(
            "/group: a complex subject member must be a simple identifier, not complex".into()
        ))
    );
    assert!(SubjectId::complex([]).is_err());
    assert!(SubjectId::complex([
        ("user", SubjectId::opaque("1")),
        ("user", SubjectId::opaque("2"))
    ])
    .is_err());
    assert!(SubjectId::complex([("format", SubjectId::opaque("1"))]).is_err());
    // String constructors do not validate; parsing their output does.
    assert!(SubjectId::from_value(&SubjectId::opaque("").to_value()).is_err());
}

// ---- matching (SSF 1.0 section 8.1.3) ---------------------------------------------------------

#[test]
fn simple_subjects_match_only_when_identical() {
    let a = s(r#"{"format":"iss_sub","iss":"https://i/","sub":"u1"}"#);
    let reordered = s(r#"{"sub":"u1","format":"iss_sub","iss":"https://i/"}"#);
    let legacy = s(r#"{"subject_type":"iss-sub","iss":"https://i/","sub":"u1"}"#);
    let other_sub = s(r#"{"format":"iss_sub","iss":"https://i/","sub":"u2"}"#);
    let other_format = s(r#"{"format":"jwt_id","iss":"https://i/","jti":"u1"}"#);
    assert!(a.matches(&reordered) && reordered.matches(&a));
    assert!(a.identical(&reordered));
    assert_ne!(a, reordered, "== compares member order too");
    assert!(
        a.matches(&legacy),
        "a legacy spelling names the same identifier"
    );
    assert!(!a.matches(&other_sub));
    assert!(!a.matches(&other_format));
    // No canonicalization: case matters.
    assert!(!s(r#"{"format":"email","email":"A@example.com"}"#)
        .matches(&s(r#"{"format":"email","email":"a@example.com"}"#)));
    // An extra member makes it a different identifier.
    assert!(
        !s(r#"{"format":"opaque","id":"1","x":1}"#).matches(&s(r#"{"format":"opaque","id":"1"}"#))
    );
    // Proprietary formats compare by JSON value, member order ignored at every depth.
    assert!(s(r#"{"format":"p","a":{"x":1,"y":[1,{"b":2,"c":3}]}}"#)
        .matches(&s(r#"{"a":{"y":[1,{"c":3,"b":2}],"x":1},"format":"p"}"#)));
    assert!(!s(r#"{"format":"p","a":[1,2]}"#).matches(&s(r#"{"format":"p","a":[2,1]}"#)));
}

/// The three worked examples of SSF 1.0 section 8.1.3, from the shared vectors.
#[test]
fn ssf_matching_examples() {
    let dir = shared_dir().join("vectors/spec-examples");
    let load = |n: &str| {
        let path = dir.join(format!("openid-sharedsignals-framework-1_0__{n}.json"));
        SubjectId::from_value(read_json(&path).get("value").unwrap())
            .unwrap()
            .0
    };
    // Receiver added tenant only; event has tenant + user: SHOULD send.
    assert!(load("ex28__format-tenant").matches(&load("ex29__format-tenant-user")));
    // Receiver added user + device; event has user only: SHOULD send.
    assert!(load("ex30__format-user-device").matches(&load("ex31__format-user")));
    // Receiver added user + group A; event has user + group B: SHOULD NOT send.
    assert!(!load("ex32__format-user-group").matches(&load("ex33__format-user-group")));
    // Symmetric.
    assert!(load("ex29__format-tenant-user").matches(&load("ex28__format-tenant")));
    assert!(!load("ex33__format-user-group").matches(&load("ex32__format-user-group")));
}

#[test]
fn complex_matching_rules() {
    let user_a = r#"{"format":"email","email":"a@example.com"}"#;
    let user_b = r#"{"format":"email","email":"b@example.com"}"#;
    let tenant = r#"{"format":"opaque","id":"t1"}"#;
    let c = |members: &str| s(&format!(r#"{{"format":"complex",{members}}}"#));
    let ua = c(&format!(r#""user":{user_a}"#));
    let ua_t = c(&format!(r#""user":{user_a},"tenant":{tenant}"#));
    let ub_t = c(&format!(r#""user":{user_b},"tenant":{tenant}"#));
    let t = c(&format!(r#""tenant":{tenant}"#));
    let device = c(r#""device":{"format":"opaque","id":"d1"}"#);
    assert!(ua.matches(&ua_t), "a missing member is a wildcard");
    assert!(ua_t.matches(&ua));
    assert!(!ua_t.matches(&ub_t), "a conflicting member is a mismatch");
    assert!(t.matches(&ub_t));
    assert!(!ua.matches(&ub_t));
    assert!(
        ua.matches(&device),
        "no member name in common: matches as the rule is written"
    );
    // Simple against complex: the simple identifier must match one member.
    assert!(s(user_a).matches(&ua_t) && ua_t.matches(&s(user_a)));
    assert!(s(tenant).matches(&ub_t));
    assert!(!s(user_b).matches(&ua_t));
    assert!(!s(r#"{"format":"opaque","id":"other"}"#).matches(&device));
    // identical needs the same member names.
    assert!(ua_t.identical(&c(&format!(r#""tenant":{tenant},"user":{user_a}"#))));
    assert!(!ua_t.identical(&ua));
}

#[test]
fn aliases_match_through_any_identifier() {
    let aliases = s(
        r#"{"format":"aliases","identifiers":[{"format":"email","email":"a@example.com"},{"format":"phone_number","phone_number":"+12065550100"}]}"#,
    );
    let phone = s(r#"{"format":"phone_number","phone_number":"+12065550100"}"#);
    let other = s(r#"{"format":"email","email":"z@example.com"}"#);
    assert!(aliases.matches(&phone) && phone.matches(&aliases));
    assert!(!aliases.matches(&other));
    let complex = s(
        r#"{"format":"complex","user":{"format":"email","email":"a@example.com"},"device":{"format":"opaque","id":"d"}}"#,
    );
    assert!(aliases.matches(&complex) && complex.matches(&aliases));
    let other_aliases = s(
        r#"{"format":"aliases","identifiers":[{"format":"opaque","id":"x"},{"format":"email","email":"a@example.com"}]}"#,
    );
    assert!(aliases.matches(&other_aliases));
    // An aliases member inside a complex subject also matches through any identifier.
    let complex_alias = s(
        r#"{"format":"complex","user":{"format":"aliases","identifiers":[{"format":"opaque","id":"u"},{"format":"email","email":"a@example.com"}]}}"#,
    );
    assert!(complex_alias.matches(&complex));
    assert!(!aliases.identical(&other_aliases));
}

// ---- robustness -------------------------------------------------------------------------------

fn arb_json() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "format",
        "subject_type",
        "email",
        "iss",
        "sub",
        "id",
        "identifiers",
        "ip-addresses",
        "user",
        "device",
        "tenant",
        "complex",
        "aliases",
        "opaque",
        "iss_sub",
        "phone",
        "10.0.0.1",
        "::1",
        "",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        names.clone().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map>())),
        ]
    })
}

/// Objects shaped like subject identifiers (valid or nearly), nested like real ones.
fn arb_subjectish() -> impl Strategy<Value = Value> {
    let format = prop::sample::select(vec![
        "email",
        "iss_sub",
        "opaque",
        "phone",
        "iss-sub",
        "jwt_id",
        "did",
        "catalog_item",
        "",
    ]);
    let key = prop::sample::select(vec!["format", "format", "subject_type"]);
    let member = prop::sample::select(vec![
        "email",
        "iss",
        "sub",
        "id",
        "phone_number",
        "jti",
        "url",
        "x",
    ]);
    let text = prop::sample::select(vec!["a@example.com", "u1", "10.0.0.1", "::1", "1.2.3", ""])
        .prop_map(Value::from);
    let simple = (
        key,
        format,
        prop::collection::vec((member, text.clone()), 0..4),
    )
        .prop_map(|(key, format, members)| {
            let mut m = Map::new();
            m.insert(key, format);
            for (name, value) in members {
                m.insert(name, value);
            }
            Value::Object(m)
        });
    simple.prop_recursive(2, 16, 4, move |inner| {
        let names = prop::sample::select(vec!["user", "device", "tenant", "site", "format"]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|ids| {
                let mut m = Map::new();
                m.insert("format", "aliases");
                m.insert("identifiers", ids);
                Value::Object(m)
            }),
            prop::collection::vec((names, inner), 0..4).prop_map(|members| {
                let mut m = Map::new();
                m.insert("format", "complex");
                for (name, value) in members {
                    m.insert(name, value);
                }
                Value::Object(m)
            }),
            prop::collection::vec(text.clone(), 0..3).prop_map(|ips| {
                let mut m = Map::new();
                m.insert("format", "ip-addresses");
                m.insert("ip-addresses", ips);
                Value::Object(m)
            }),
        ]
    })
}

proptest! {
    /// Subject-shaped JSON: no panic; what parses round-trips, matches itself, and
    /// matching is symmetric.
    #[test]
    fn subject_shaped_json_round_trips(a in arb_subjectish(), b in arb_subjectish()) {
        let a = SubjectId::from_value(&a).map(|(id, _)| (id, a));
        let b = SubjectId::from_value(&b).map(|(id, _)| (id, b));
        if let (Ok((x, xv)), Ok((y, _))) = (&a, &b) {
            prop_assert_eq!(&x.to_value(), xv);
            prop_assert!(x.matches(x));
            prop_assert_eq!(x.matches(y), y.matches(x));
            prop_assert_eq!(x.identical(y), y.identical(x));
            if x.identical(y) {
                prop_assert!(x.matches(y));
            }
        }
    }

    /// Any JSON: no panic, and whatever parses round-trips and matches itself.
    #[test]
    fn arbitrary_json_never_panics_and_round_trips(v in arb_json()) {
        if let Ok((id, _)) = SubjectId::from_value(&v) {
            prop_assert_eq!(id.to_value(), v);
            prop_assert!(id.matches(&id));
            prop_assert!(id.identical(&id));
            let _ = id.describe();
        }
    }
}
