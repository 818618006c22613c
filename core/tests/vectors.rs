//! Every vector in the shared test data and every SET in the spec examples: decoded,
//! round-tripped, and where signed, verified or rejected as the vector's `expected` says.

mod common;

use common::*;
use ssf_core::builder::sign_claims;
use ssf_core::error::Error;
use ssf_core::issue::Severity;
use ssf_core::json::{Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::jws::CompactJws;
use ssf_core::set::{check_claims, inspect, verify, Profile, VerifyOptions};
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get(name)
        .unwrap_or_else(|| panic!("vector has no {name}"))
}

fn jwks(v: &Value) -> JwkSet {
    JwkSet::from_map(field(v, "jwks").as_object().unwrap()).expect("vector JWKS")
}

fn issue_codes(token: &str) -> Vec<&'static str> {
    inspect(token, None)
        .expect("decodes")
        .issues
        .iter()
        .map(|i| i.code)
        .collect()
}

#[test]
fn signed_vectors_verify_or_fail_as_expected() {
    for (name, v) in vector_files("signed") {
        let token = field(&v, "token").as_str().unwrap();
        let claims = CompactJws::parse(token).unwrap().claims().unwrap();
        let expected = field(field(&v, "expected"), "signature").as_str().unwrap();
        let mut o = VerifyOptions::new(claims.get("iat").unwrap().as_i64().unwrap() + 60);
        // These SETs predate SSF 1.0's top-level sub_id: check them as plain RFC 8417 SETs.
        o.profile = Profile::RFC8417;
        let result = verify(token, &jwks(&v), &o);
        if expected == "valid" {
            let set = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            if let Some(want) = v.get("claims") {
                assert_eq!(&Value::Object(set.claims.raw.clone()), want, "{name}");
            }
            let exp = field(&v, "expected");
            if let Some(iss) = exp.get("iss").and_then(Value::as_str) {
                o.issuer = Some(iss.into());
                o.audience = exp.get("aud").and_then(Value::as_str).map(Into::into);
                assert!(
                    verify(token, &jwks(&v), &o).is_ok(),
                    "{name} with issuer and audience"
                );
                o.issuer = Some("https://not-the-issuer.example/".into());
                assert!(matches!(
                    verify(token, &jwks(&v), &o),
                    Err(Error::WrongIssuer(_))
                ));
            }
            // Under the SSF profile the missing sub_id is the one problem.
            let mut ssf = VerifyOptions::new(o.now);
            ssf.profile = Profile::SSF;
            assert_eq!(
                verify(token, &jwks(&v), &ssf).unwrap_err(),
                Error::SubIdMissing,
                "{name}"
            );
        } else {
            assert!(expected.starts_with("invalid"), "{name}: {expected}");
            assert_eq!(result.unwrap_err(), Error::BadSignature, "{name}");
        }
    }
}

#[test]
fn golden_rs256_token_is_reproduced_byte_for_byte() {
    let (_, v) = vector_files("signed")
        .into_iter()
        .find(|(n, _)| n.starts_with("i2goSignals"))
        .expect("golden vector");
    let token = field(&v, "token").as_str().unwrap();
    let pem = field(&v, "private_key_pem_pkcs1").as_str().unwrap();
    let key = SigningKey::from_pkcs8_pem(pem, Algorithm::RS256)
        .expect("PKCS#1 RSA private key")
        .with_kid("golden-kid".into());
    let claims = CompactJws::parse(token).unwrap().claims().unwrap();
    let ours = sign_claims(&claims, &key, Profile::RFC8417).unwrap();
    assert_eq!(ours, token);
}

#[test]
fn jws_vectors_verify_as_jws_but_are_not_sets() {
    for (name, v) in vector_files("jws") {
        let token = field(&v, "token").as_str().unwrap();
        let alg = Algorithm::from_name(field(&v, "alg").as_str().unwrap()).unwrap();
        let mut o = VerifyOptions::new(1_300_000_000);
        o.profile = Profile::RFC8417;
        o.algorithms = Some(vec![alg]);
        let err = verify(token, &jwks(&v), &o).unwrap_err();
        // The signature checked out; what fails is SET validation.
        assert_eq!(
            err.code(),
            ssf_core::ErrCode::InvalidRequest,
            "{name}: {err}"
        );
        assert_ne!(err, Error::BadSignature);
        // Under the SSF profile the missing typ is found first.
        let mut ssf = o.clone();
        ssf.profile = Profile::SSF;
        assert_eq!(
            verify(token, &jwks(&v), &ssf).unwrap_err(),
            Error::TypMissing,
            "{name}"
        );
    }
}

#[test]
fn unsecured_set_decodes_and_never_verifies() {
    for (name, v) in vector_files("unsecured") {
        let token = field(&v, "token").as_str().unwrap();
        let found = inspect(token, None).expect("decodes");
        assert_eq!(
            &Value::Object(found.claims.clone()),
            field(&v, "claims"),
            "{name}"
        );
        assert!(found
            .issues
            .iter()
            .any(|i| i.code == "alg_none" && i.severity == Severity::Error));
        let empty = JwkSet::from_json(r#"{"keys":[]}"#).unwrap();
        assert_eq!(
            verify(token, &empty, &VerifyOptions::new(2_000_000_000)).unwrap_err(),
            Error::AlgNone
        );
    }
}

#[test]
fn decode_only_vectors_explain_their_problems() {
    let files = vector_files("decode-only");
    let by_name = |prefix: &str| -> &Value {
        &files
            .iter()
            .find(|(n, _)| n.starts_with(prefix))
            .expect(prefix)
            .1
    };
    let token = |v: &Value| field(v, "token").as_str().unwrap().to_string();

    let push = by_name("rfc8935_push_example_hs256");
    let codes = issue_codes(&token(push));
    for c in ["alg_hmac", "sub_id_missing", "legacy_event_subject"] {
        assert!(codes.contains(&c), "rfc8935 push: missing {c} in {codes:?}");
    }
    let found = inspect(&token(push), None).unwrap();
    assert_eq!(&Value::Object(found.claims), field(push, "claims"));
    let subject = found.subject.expect("legacy in-event subject is found");
    assert_eq!(subject.format(), "iss_sub");

    let duo = by_name("duo_polling_response");
    let codes = issue_codes(&token(duo));
    for c in ["typ_wrong", "alg_hmac", "legacy_event_uri"] {
        assert!(codes.contains(&c), "duo: missing {c} in {codes:?}");
    }

    let login = by_name("login_gov_risc");
    let found = inspect(&token(login), None).unwrap();
    let codes: Vec<_> = found.issues.iter().map(|i| i.code).collect();
    assert!(codes.contains(&"legacy_event_subject"), "{codes:?}");
    assert!(codes.contains(&"sub_id_missing"), "{codes:?}");
    let set = found.set.expect("structure is readable");
    assert!(matches!(
        set.claims.events[0],
        ssf_core::events::Event::Unknown { .. }
    ));
    assert_eq!(found.subject.expect("legacy subject").format(), "iss_sub");

    let poll = by_name("rfc8936_poll_response_unsecured");
    let sets = field(field(poll, "poll_response"), "sets")
        .as_object()
        .unwrap();
    assert_eq!(sets.len(), 2);
    for (jti, set) in sets.iter() {
        let found = inspect(set.as_str().unwrap(), None).unwrap();
        assert_eq!(
            found.claims.get_str("jti"),
            Some(jti),
            "poll map key is the jti"
        );
        assert!(found.issues.iter().any(|i| i.code == "alg_none"));
    }
}

/// Signs a spec example with a test key, verifies it, and checks nothing was lost.
fn sign_verify_round_trip(title: &str, claims: &Map) {
    let key = es256();
    let token = sign_claims(claims, &key, Profile::SSF).unwrap_or_else(|e| panic!("{title}: {e}"));
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap();
    let set = verify(&token, &jwks_of(&[&key]), &VerifyOptions::new(iat))
        .unwrap_or_else(|e| panic!("{title}: {e}"));
    assert_eq!(&set.claims.raw, claims, "{title}: claims round trip");
    let events = claims.get("events").and_then(Value::as_object).unwrap();
    for (ev, (uri, payload)) in set.claims.events.iter().zip(events.iter()) {
        assert_eq!(ev.uri(), uri, "{title}");
        assert_eq!(&ev.to_value(), payload, "{title}: event round trip");
    }
    let sub = set.claims.sub_id.expect("sub_id");
    assert_eq!(
        &sub.to_value(),
        claims.get("sub_id").unwrap(),
        "{title}: subject round trip"
    );
}

#[test]
fn spec_example_claim_sets_round_trip() {
    let mut n = 0;
    for (name, v) in vector_files("spec-examples") {
        if field(&v, "kind").as_str() != Some("set_claims") {
            continue;
        }
        let claims = field(&v, "value").as_object().unwrap();
        sign_verify_round_trip(&name, claims);
        n += 1;
    }
    assert!(n >= 25, "only {n} claim sets");
}

#[test]
fn every_set_in_the_spec_texts() {
    let text = std::fs::read_to_string(shared_dir().join("spec/spec-examples.json")).unwrap();
    let all = parse(&text);
    let mut checked = 0;
    for ex in field(&all, "examples").as_array().unwrap() {
        let title = ex.get("title").and_then(Value::as_str).unwrap_or("");
        let Some(Value::Object(claims)) = ex.get("json") else {
            continue;
        };
        if !claims.contains_key("events") {
            continue;
        }
        checked += 1;
        // Spec examples that break the SSF profile, and how (see ssf-digest.md section 11).
        match check_claims(claims, Profile::SSF) {
            Ok(_) => sign_verify_round_trip(title, claims),
            Err(e) => {
                // RFC 9493's example is a fragment without jti; RFC 8936's second SET has sub.
                let expected = if !claims.contains_key("jti") {
                    Error::MissingClaim("jti")
                } else if claims.contains_key("sub") {
                    Error::SubPresent
                } else {
                    Error::SubIdMissing
                };
                assert_eq!(e, expected, "{title}");
                if expected == Error::SubIdMissing {
                    // Still a valid RFC 8417 SET.
                    check_claims(claims, Profile::RFC8417)
                        .unwrap_or_else(|e| panic!("{title}: {e}"));
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} SET examples");
    for c in field(&all, "compact_sets").as_array().unwrap() {
        let compact = field(c, "compact").as_str().unwrap();
        let found = inspect(compact, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&Value::Object(found.claims), field(c, "payload_decoded"));
    }
}
