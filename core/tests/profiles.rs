//! The named profiles (issue "receive from the transmitters deployed today") and the
//! strictness rules every profile shares: SETs shaped as Google and Okta document them,
//! signed here with a test key, pass under their profile and fail under `ssf`; what
//! protects the receiver holds under every relaxed profile.

mod common;

use common::{claims_text, es256, forge, header_text, jwks_of, obj, opts, parse, rs256, AUD, ISS};
use ssf_core::builder::{sign_claims, SetBuilder};
use ssf_core::events::Event;
use ssf_core::json::{Map, Value};
use ssf_core::set::{event_timestamp, inspect, verify, Profile, Rule, VerifyOptions};
use ssf_core::signing::SigningKey;
use ssf_core::subject::SubjectId;
use ssf_core::{ErrCode, Error};

fn transmitter_sets() -> Vec<Map> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/transmitters.json"
    );
    let text = std::fs::read_to_string(path).expect("transmitters.json");
    match parse(&text).get("sets") {
        Some(Value::Array(sets)) => sets
            .iter()
            .map(|s| s.as_object().expect("set").clone())
            .collect(),
        _ => panic!("no sets"),
    }
}

fn text(v: &Map, name: &str) -> String {
    v.get(name).and_then(Value::as_str).expect(name).to_string()
}

fn member(v: &Map, name: &str) -> Map {
    v.get(name).and_then(Value::as_object).expect(name).clone()
}

/// Signs a vector's claims under its documented header shape.
fn sign_vector(v: &Map, claims: &Map, key: &SigningKey) -> String {
    let mut header = member(v, "header");
    header.insert("kid", key.kid().unwrap_or(""));
    forge(
        &Value::Object(header).to_json(),
        &Value::Object(claims.clone()).to_json(),
        key,
    )
}

fn opts_for(v: &Map, claims: &Map, profile: Profile) -> VerifyOptions {
    let iat = claims.get("iat").and_then(Value::as_i64).expect("iat");
    let mut o = VerifyOptions::new(iat + 60);
    o.issuer = Some(text(claims, "iss"));
    o.audience = Some(text(claims, "aud"));
    o.profile = Profile::named(&text(v, "profile")).unwrap_or(profile);
    o
}

#[test]
fn documented_transmitter_sets_pass_under_their_profile_and_fail_under_ssf() {
    let key = rs256();
    let keys = jwks_of(&[&key]);
    let sets = transmitter_sets();
    assert_eq!(sets.len(), 5);
    for v in &sets {
        let name = text(v, "name");
        let claims = member(v, "claims");
        let token = sign_vector(v, &claims, &key);
        let o = opts_for(v, &claims, Profile::SSF);
        let set = verify(&token, &keys, &o).unwrap_or_else(|e| panic!("{name}: {e}"));
        // The subject filters and the audit trail use: sub_id, else the in-event subject.
        let subject = ssf_core::filter::subject_of(&set.claims);
        match v.get("subject").and_then(Value::as_str) {
            Some(format) => assert_eq!(
                subject.map(|s| s.format().to_string()),
                Some(format.into()),
                "{name}"
            ),
            None => assert!(subject.is_none(), "{name}"),
        }
        let mut strict = o.clone();
        strict.profile = Profile::SSF;
        let err = verify(&token, &keys, &strict).unwrap_err();
        assert_eq!(err.reason(), text(v, "ssf_refusal"), "{name}: {err}");
        // Under the profile of the other transmitter it fails too: profiles are not a
        // single "lenient" switch.
        let other = if o.profile == Profile::GOOGLE {
            Profile::OKTA
        } else {
            Profile::GOOGLE
        };
        strict.profile = other;
        let other_result = verify(&token, &keys, &strict);
        if name.starts_with("google") {
            assert_eq!(other_result.unwrap_err(), Error::TypMissing, "{name}");
        }
    }
}

#[test]
fn okta_nested_subject_is_read_as_complex_and_its_milliseconds_as_seconds() {
    let key = rs256();
    let v = transmitter_sets()
        .into_iter()
        .find(|v| text(v, "name") == "okta-session-revoked")
        .unwrap();
    let claims = member(&v, "claims");
    let token = sign_vector(&v, &claims, &key);
    let o = opts_for(&v, &claims, Profile::OKTA);
    let set = verify(&token, &jwks_of(&[&key]), &o).unwrap();
    let codes: Vec<_> = set.warnings.iter().map(|i| i.code).collect();
    assert!(codes.contains(&"legacy_nested_subject"), "{codes:?}");
    assert!(codes.contains(&"event_timestamp_milliseconds"), "{codes:?}");
    let subject = ssf_core::filter::subject_of(&set.claims).unwrap();
    assert_eq!(
        subject.describe(),
        "complex {user: email john.doe@example.com}"
    );
    let payload = set.claims.events[0].to_value();
    assert_eq!(
        event_timestamp(&payload, Profile::OKTA),
        Some(1_764_547_199)
    );
    // Elsewhere the value is left as sent (and reported): it is not a date in seconds.
    assert_eq!(event_timestamp(&payload, Profile::RFC8417), None);
    let found = inspect(&token, Some(&o)).unwrap();
    assert!(found.is_valid_structure(), "{:?}", found.issues);
    // The event as delivered is the event as received: no normalisation on the wire.
    assert_eq!(Value::Object(set.claims.raw.clone()), Value::Object(claims));
}

#[test]
fn relaxed_profiles_keep_every_protection() {
    let key = rs256();
    // Another key under the same kid as the trusted one.
    let other = common::key("rsa2048-other.pem", ssf_core::Algorithm::RS256, "rsa-1");
    let keys = jwks_of(&[&key]);
    for v in transmitter_sets() {
        let name = text(&v, "name");
        let claims = member(&v, "claims");
        let o = opts_for(&v, &claims, Profile::SSF);
        // Signed by someone else under the same kid.
        let forged = sign_vector(&v, &claims, &other);
        assert_eq!(
            verify(&forged, &keys, &o).unwrap_err(),
            Error::BadSignature,
            "{name}"
        );
        let token = sign_vector(&v, &claims, &key);
        let mut wrong = o.clone();
        wrong.issuer = Some("https://evil.example/".into());
        assert_eq!(
            verify(&token, &keys, &wrong).unwrap_err().code(),
            ErrCode::InvalidIssuer
        );
        let mut wrong = o.clone();
        wrong.audience = Some("https://someone-else.example/".into());
        assert_eq!(
            verify(&token, &keys, &wrong).unwrap_err(),
            Error::WrongAudience
        );
        // alg none, with the header shape of the transmitter.
        let mut header = member(&v, "header");
        header.insert("alg", "none");
        let unsecured = format!(
            "{}.{}.",
            ssf_core::base64url::encode(Value::Object(header).to_json().as_bytes()),
            ssf_core::base64url::encode(Value::Object(claims.clone()).to_json().as_bytes())
        );
        assert_eq!(
            verify(&unsecured, &keys, &o).unwrap_err(),
            Error::AlgNone,
            "{name}"
        );
        // An ID-token look-alike: top-level sub and no events.
        let mut id_token = claims.clone();
        id_token.remove("events");
        id_token.insert("sub", "7375626A656374");
        let t = sign_vector(&v, &id_token, &key);
        assert_eq!(
            verify(&t, &keys, &o).unwrap_err().code(),
            ErrCode::InvalidRequest,
            "{name}"
        );
        // exp is refused everywhere.
        let mut with_exp = claims.clone();
        with_exp.insert("exp", 4_000_000_000i64);
        let t = sign_vector(&v, &with_exp, &key);
        assert_eq!(
            verify(&t, &keys, &o).unwrap_err(),
            Error::ExpPresent,
            "{name}"
        );
    }
}

#[test]
fn an_event_without_any_subject_is_refused_under_google_and_okta() {
    let key = rs256();
    let keys = jwks_of(&[&key]);
    for v in transmitter_sets() {
        let mut claims = member(&v, "claims");
        let Some(Value::Object(events)) = claims.get("events").cloned() else {
            panic!()
        };
        let (uri, payload) = events.iter().next().unwrap();
        if uri.ends_with("/verification") {
            continue; // about the stream: no subject needed
        }
        let mut payload = payload.as_object().unwrap().clone();
        payload.remove("subject");
        let mut stripped = Map::new();
        stripped.insert(uri.to_string(), payload);
        claims.insert("events", stripped);
        let token = sign_vector(&v, &claims, &key);
        let o = opts_for(&v, &claims, Profile::SSF);
        let err = verify(&token, &keys, &o).unwrap_err();
        assert_eq!(
            err.reason(),
            "subject_missing",
            "{}: {err}",
            text(&v, "name")
        );
        // Plain RFC 8417 leaves subjects to the event profile: a warning there.
        let mut plain = o.clone();
        plain.profile = Profile::RFC8417;
        if text(&v, "transmitter") == "okta" {
            let set = verify(&token, &keys, &plain).unwrap();
            assert!(set.warnings.iter().any(|i| i.code == "subject_missing"));
        }
    }
}

#[test]
fn google_issuer_matches_with_or_without_the_trailing_slash_only_under_google() {
    let key = rs256();
    let keys = jwks_of(&[&key]);
    let v = transmitter_sets().into_iter().next().unwrap();
    let claims = member(&v, "claims");
    let token = sign_vector(&v, &claims, &key);
    let mut o = opts_for(&v, &claims, Profile::GOOGLE);
    o.issuer = Some("https://accounts.google.com".into());
    verify(&token, &keys, &o).expect("without the slash");
    o.issuer = Some("https://accounts.google.com//".into());
    assert!(verify(&token, &keys, &o).is_err(), "one slash only");
    o.issuer = Some("https://accounts.google.co".into());
    assert!(verify(&token, &keys, &o).is_err());
    o.issuer = Some("https://accounts.google.com".into());
    o.profile = Profile::RFC8417;
    assert_eq!(
        verify(&token, &keys, &o).unwrap_err().code(),
        ErrCode::InvalidIssuer
    );
}

// ---- issue 12: strictness shared by every profile ------------------------------------------

fn claims_with(edit: impl FnOnce(&mut Map)) -> Map {
    let mut c = obj(&claims_text());
    edit(&mut c);
    c
}

fn sign_text(claims: &Map, key: &SigningKey) -> String {
    let header = header_text(key.alg().name(), key.kid().unwrap());
    forge(&header, &Value::Object(claims.clone()).to_json(), key)
}

#[test]
fn event_names_must_be_uris_in_verify_inspect_and_the_builder() {
    let key = rs256(); // RS256, so that caep-interop is left only the event name to refuse
    let keys = jwks_of(&[&key]);
    for bad in ["custom event", "", "/relative/path", "no-scheme"] {
        let claims = claims_with(|c| {
            let mut events = Map::new();
            events.insert(bad, Map::new());
            c.insert("events", events);
        });
        let token = sign_text(&claims, &key);
        for profile in Profile::ALL {
            let mut o = opts();
            o.profile = profile;
            let err = verify(&token, &keys, &o).unwrap_err();
            assert_eq!(
                err.reason(),
                "invalid_event",
                "{bad:?} {}: {err}",
                profile.name()
            );
        }
        let found = inspect(&token, None).unwrap();
        assert!(
            found.issues.iter().any(|i| i.code == "invalid_event"),
            "{bad:?}"
        );
        assert_eq!(
            sign_claims(&claims, &key, Profile::RFC8417)
                .unwrap_err()
                .reason(),
            "invalid_event"
        );
        assert!(Event::from_parts(bad, Map::new()).is_err(), "{bad:?}");
    }
    for good in [
        "urn:example:event:1",
        "tag:example.com,2026:event",
        "https://example.com/e",
    ] {
        let claims = claims_with(|c| {
            let mut events = Map::new();
            events.insert(good, Map::new());
            c.insert("events", events);
        });
        verify(&sign_text(&claims, &key), &keys, &opts()).unwrap_or_else(|e| panic!("{good}: {e}"));
        sign_claims(&claims, &key, Profile::SSF).unwrap();
    }
}

#[test]
fn a_non_string_txn_is_refused_in_verify_and_when_signing() {
    let key = es256();
    let claims = claims_with(|c| {
        c.insert("txn", 8_675_309i64);
    });
    let err = verify(&sign_text(&claims, &key), &jwks_of(&[&key]), &opts()).unwrap_err();
    assert_eq!(err, Error::InvalidClaim("txn"));
    assert_eq!(
        sign_claims(&claims, &key, Profile::SSF).unwrap_err(),
        Error::InvalidClaim("txn")
    );
    let built = SetBuilder::new(ISS, "j1", common::NOW)
        .audience(AUD)
        .subject(&SubjectId::opaque("x"))
        .event(&Event::from_parts(common::SESSION_REVOKED, Map::new()).unwrap())
        .claim("txn", true)
        .build();
    assert_eq!(built.unwrap_err(), Error::InvalidClaim("txn"));
}

#[test]
fn caep_interop_requires_rs256_and_reason_admin_each_with_its_own_reason() {
    let (es, rs) = (es256(), rs256());
    let keys = jwks_of(&[&es, &rs]);
    let mut o = opts();
    o.profile = Profile::CAEP_INTEROP;
    let good = obj(&claims_text());
    verify(&sign_text(&good, &rs), &keys, &o).expect("RS256 with reason_admin");
    let err = verify(&sign_text(&good, &es), &keys, &o).unwrap_err();
    assert_eq!(err.reason(), "rs256_required", "{err}");
    assert_eq!(err.code(), ErrCode::InvalidKey);
    assert!(err.to_string().contains("ES256"), "{err}");
    // The signer applies the same rule.
    let err = sign_claims(&good, &es, Profile::CAEP_INTEROP).unwrap_err();
    assert_eq!(err.reason(), "rs256_required");
    verify(
        &sign_claims(&good, &rs, Profile::CAEP_INTEROP).unwrap(),
        &keys,
        &o,
    )
    .unwrap();
    // Still fine under plain SSF.
    o.profile = Profile::SSF;
    verify(&sign_text(&good, &es), &keys, &o).unwrap();

    for reason in [None, Some(Value::Object(Map::new()))] {
        let claims = claims_with(|c| {
            let mut events = Map::new();
            let mut payload = Map::new();
            payload.insert("event_timestamp", 1_699_999_990i64);
            if let Some(r) = reason.clone() {
                payload.insert("reason_admin", r);
            }
            events.insert(common::SESSION_REVOKED, payload);
            c.insert("events", events);
        });
        let token = sign_text(&claims, &rs);
        o.profile = Profile::CAEP_INTEROP;
        let err = verify(&token, &keys, &o).unwrap_err();
        let expected = if reason.is_none() {
            "reason_admin_required"
        } else {
            "invalid_event"
        };
        assert_eq!(err.reason(), expected, "{err}");
        if reason.is_none() {
            o.profile = Profile::SSF;
            verify(&token, &keys, &o).expect("SSF leaves reason_admin optional");
            let found = inspect(
                &token,
                Some(&{
                    let mut i = opts();
                    i.profile = Profile::CAEP_INTEROP;
                    i
                }),
            )
            .unwrap();
            let codes: Vec<_> = found.issues.iter().map(|i| i.code).collect();
            assert!(codes.contains(&"reason_admin_required"), "{codes:?}");
        }
    }
    assert!(Rule::Rs256Required.source().contains("9.4"));
}

#[test]
fn messages_cite_the_section_that_holds_the_rule() {
    assert!(Error::SubIdMissing.to_string().contains("section 3.1"));
    assert!(Error::SubPresent.to_string().contains("SSF 1.0 section 4"));
    assert!(Error::ExpPresent.to_string().contains("SSF 1.0 section 4"));
    assert!(Error::TypMissing.to_string().contains("SSF 1.0 section 4"));
    let err = Event::from_parts("x y", Map::new()).unwrap_err();
    assert!(err.to_string().contains("RFC 8417 section 2.2"), "{err}");
}

#[test]
fn risc_identifier_events_need_an_email_or_phone_subject_except_under_relaxed_profiles() {
    let key = rs256();
    let keys = jwks_of(&[&key]);
    let changed = "https://schemas.openid.net/secevent/risc/event-type/identifier-changed";
    let recycled = "https://schemas.openid.net/secevent/risc/event-type/identifier-recycled";
    for uri in [changed, recycled] {
        let claims = claims_with(|c| {
            let mut events = Map::new();
            events.insert(uri, Map::new());
            c.insert("events", events);
        });
        let token = sign_text(&claims, &key);
        for profile in [Profile::SSF, Profile::CAEP_INTEROP] {
            let mut o = opts();
            o.profile = profile;
            let err = verify(&token, &keys, &o).unwrap_err();
            assert_eq!(err.reason(), "identifier_subject_format", "{uri}: {err}");
            assert!(err.to_string().contains("opaque"), "{err}");
        }
        let mut o = opts();
        o.profile = Profile::RFC8417;
        let set = verify(&token, &keys, &o).unwrap();
        assert!(set
            .warnings
            .iter()
            .any(|i| i.code == "identifier_subject_format"));
        // An email subject is fine everywhere.
        let email = claims_with(|c| {
            c.insert("sub_id", SubjectId::email("old@example.com").to_value());
            let mut events = Map::new();
            events.insert(uri, Map::new());
            c.insert("events", events);
        });
        verify(&sign_text(&email, &key), &keys, &opts()).unwrap();
    }
}

#[test]
fn a_source_names_its_profile_exactly() {
    use ssf_core::wire::stream::Source;
    let source = |profile: &str| {
        parse(&format!(
            r#"{{"issuer":"https://accounts.google.com/","jwks_uri":"https://www.googleapis.com/oauth2/v3/certs","audience":"a"{profile}}}"#
        ))
    };
    let s = Source::from_value(&source("")).unwrap();
    assert_eq!((s.profile, s.profile()), (None, Profile::SSF));
    let s = Source::from_value(&source(r#","profile":"google""#)).unwrap();
    assert_eq!(s.profile(), Profile::GOOGLE);
    assert_eq!(s.to_value(), source(r#","profile":"google""#));
    for bad in [
        r#","profile":"Google""#,
        r#","profile":"strict""#,
        r#","profile":1"#,
    ] {
        let err = Source::from_value(&source(bad)).unwrap_err().to_string();
        assert!(
            err.contains("source.profile") || err.contains("profile"),
            "{err}"
        );
        assert!(err.contains(Profile::NAMES), "{bad}: {err}");
    }
}

#[test]
fn malformed_legacy_subjects_are_refused_not_guessed() {
    let key = rs256();
    let keys = jwks_of(&[&key]);
    let sets = transmitter_sets();
    let okta = sets
        .iter()
        .find(|v| text(v, "name") == "okta-session-revoked")
        .unwrap();
    let google = sets
        .iter()
        .find(|v| text(v, "name") == "google-token-revoked")
        .unwrap();
    let bad_subjects = [
        (okta, r#"{"user": {"format": "email"}}"#), // member without its value
        (
            okta,
            r#"{"user": {"format": "email", "email": "a@example.com"}, "device": "d1"}"#,
        ), // a facet that is not an identifier
        (
            okta,
            r#"{"user": {"format": "complex", "user": {"format": "email", "email": "a@example.com"}}}"#,
        ), // nested complex
        (
            google,
            r#"{"subject_type": "oauth_token", "token_type": "refresh_token"}"#,
        ), // no token
        (
            google,
            r#"{"subject_type": "oauth_token", "token_type": "", "token": "t"}"#,
        ), // empty member
    ];
    for (v, subject) in bad_subjects {
        let mut claims = member(v, "claims");
        let Some(Value::Object(events)) = claims.get("events").cloned() else {
            panic!()
        };
        let (uri, payload) = events.iter().next().unwrap();
        let mut payload = payload.as_object().unwrap().clone();
        payload.insert("subject", parse(subject));
        let mut replaced = Map::new();
        replaced.insert(uri.to_string(), payload);
        claims.insert("events", replaced);
        let token = sign_vector(v, &claims, &key);
        let err = verify(&token, &keys, &opts_for(v, &claims, Profile::SSF)).unwrap_err();
        // A catalogued event refuses its own payload; for token-revoked (outside the
        // catalogue) the subject itself is what is refused, never "no subject".
        let expected = if uri.contains("/oauth/") {
            "invalid_subject"
        } else {
            "invalid_event"
        };
        assert_eq!(err.reason(), expected, "{subject}: {err}");
    }
}
