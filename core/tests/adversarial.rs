//! Attacks and malformed input, each asserting the exact error and its RFC 8935 code.

mod common;

use common::*;
use ssf_core::error::{ErrCode, Error, Part};
use ssf_core::jwk::JwkSet;
use ssf_core::limits::{MAX_JSON_DEPTH, MAX_TOKEN_LEN};
use ssf_core::set::verify;
use ssf_core::{base64url, Algorithm};

fn verify_es(token: &str) -> Result<ssf_core::set::Set, Error> {
    verify(token, &jwks_of(&[&es256()]), &opts())
}

/// Signs `claims` (text) with the ES256 test key and a proper SET header.
fn signed(claims: &str) -> String {
    forge(&header_text("ES256", "ec-1"), claims, &es256())
}

fn with_claims(edit: impl FnOnce(&mut ssf_core::json::Map)) -> String {
    let mut m = obj(&claims_text());
    edit(&mut m);
    signed(&ssf_core::json::Value::Object(m).to_json())
}

#[test]
fn baseline_token_verifies() {
    let set = verify_es(&signed(&claims_text())).expect("valid SET");
    assert_eq!(set.claims.iss, ISS);
    assert_eq!(set.claims.events.len(), 1);
    assert_eq!(set.claims.events[0].uri(), SESSION_REVOKED);
}

#[test]
fn alg_none_in_every_casing() {
    for none in ["none", "None", "NONE", "nOnE", "NoNe"] {
        let header = format!(r#"{{"alg":"{none}","typ":"secevent+jwt"}}"#);
        let token = format!(
            "{}.{}.",
            base64url::encode(header.as_bytes()),
            base64url::encode(claims_text().as_bytes())
        );
        let err = verify_es(&token).unwrap_err();
        assert_eq!(err, Error::AlgNone, "{none}");
        assert_eq!(err.code(), ErrCode::InvalidKey);
        assert_eq!(err.reason(), "alg_none");
    }
}

#[test]
fn hs256_signed_with_the_rsa_public_key() {
    let rsa = rs256();
    let jwks = jwks_of(&[&rsa]);
    let public_jwk = ssf_core::json::Value::Object(rsa.public_jwk_map()).to_json();
    for secret in [public_jwk.as_bytes(), data("rsa2048.pem").as_bytes()] {
        for alg in ["HS256", "hs256", "HS512"] {
            let mut t = base64url::encode(header_text(alg, "rsa-1").as_bytes());
            t.push('.');
            t.push_str(&base64url::encode(claims_text().as_bytes()));
            let mac = hmac_sha256(secret, t.as_bytes());
            t.push('.');
            t.push_str(&base64url::encode(&mac));
            let err = verify(&t, &jwks, &opts()).unwrap_err();
            assert_eq!(err, Error::AlgHmac(alg.into()));
            assert_eq!(err.code(), ErrCode::InvalidKey);
        }
    }
}

#[test]
fn typ_missing_or_wrong() {
    let t = forge(r#"{"alg":"ES256","kid":"ec-1"}"#, &claims_text(), &es256());
    assert_eq!(verify_es(&t).unwrap_err(), Error::TypMissing);
    for typ in ["JWT", "at+jwt", "secevent", "application/jwt"] {
        let h = format!(r#"{{"alg":"ES256","kid":"ec-1","typ":"{typ}"}}"#);
        let err = verify_es(&forge(&h, &claims_text(), &es256())).unwrap_err();
        assert_eq!(err, Error::TypWrong(typ.into()));
        assert_eq!(err.code(), ErrCode::InvalidRequest);
    }
    // The media-type form is the same type (RFC 7515 section 4.1.9).
    let h = r#"{"alg":"ES256","kid":"ec-1","typ":"application/secevent+jwt"}"#;
    assert!(verify_es(&forge(h, &claims_text(), &es256())).is_ok());
}

#[test]
fn sub_or_exp_present() {
    let t = with_claims(|m| {
        m.insert("sub", "user");
    });
    assert_eq!(verify_es(&t).unwrap_err(), Error::SubPresent);
    let t = with_claims(|m| {
        m.insert("exp", NOW + 60);
    });
    let err = verify_es(&t).unwrap_err();
    assert_eq!(err, Error::ExpPresent);
    assert_eq!(err.reason(), "exp_present");
}

#[test]
fn events_empty_missing_or_not_an_object() {
    let t = with_claims(|m| {
        m.insert("events", ssf_core::json::Map::new());
    });
    assert_eq!(verify_es(&t).unwrap_err(), Error::EventsEmpty);
    let t = with_claims(|m| {
        m.remove("events");
    });
    assert_eq!(verify_es(&t).unwrap_err(), Error::MissingClaim("events"));
    let t = with_claims(|m| {
        m.insert("events", "session-revoked");
    });
    assert_eq!(verify_es(&t).unwrap_err(), Error::InvalidClaim("events"));
}

#[test]
fn required_claims_missing() {
    for claim in ["iss", "iat", "jti"] {
        let t = with_claims(|m| {
            m.remove(claim);
        });
        let err = verify_es(&t).unwrap_err();
        assert_eq!(err, Error::MissingClaim(claim));
        assert_eq!(err.code(), ErrCode::InvalidRequest);
    }
    let t = with_claims(|m| {
        m.remove("sub_id");
    });
    assert_eq!(verify_es(&t).unwrap_err(), Error::SubIdMissing);
    for (claim, bad) in [
        ("iss", "1"),
        ("jti", "\"\""),
        ("iat", "\"1700000000\""),
        ("iat", "-5"),
    ] {
        let t = with_claims(|m| {
            m.insert(claim, parse(bad));
        });
        assert_eq!(
            verify_es(&t).unwrap_err(),
            Error::InvalidClaim(claim),
            "{claim}={bad}"
        );
    }
}

#[test]
fn duplicate_json_members() {
    // In the payload, validly signed: a parser keeping the last value would see another iss.
    let dup = claims_text().replacen('{', r#"{"iss":"https://evil.example/","#, 1);
    let err = verify_es(&signed(&dup)).unwrap_err();
    assert_eq!(
        err,
        Error::DuplicateMember {
            part: Part::Payload,
            name: "iss".into()
        }
    );
    assert_eq!(err.reason(), "duplicate_member");
    // In the header.
    let h = r#"{"alg":"ES256","kid":"ec-1","typ":"secevent+jwt","alg":"none"}"#;
    let err = verify_es(&forge(h, &claims_text(), &es256())).unwrap_err();
    assert_eq!(
        err,
        Error::DuplicateMember {
            part: Part::Header,
            name: "alg".into()
        }
    );
    // Nested, inside an event.
    let nested = claims_text().replace(
        r#""initiating_entity":"policy""#,
        r#""initiating_entity":"policy","initiating_entity":"user""#,
    );
    assert!(matches!(
        verify_es(&signed(&nested)),
        Err(Error::DuplicateMember { .. })
    ));
}

#[test]
fn non_canonical_base64() {
    let good = signed(&claims_text());
    let (rest, sig) = good.rsplit_once('.').unwrap();
    // Padding.
    let padded = format!("{rest}.{sig}==");
    assert_eq!(
        verify_es(&padded).unwrap_err(),
        Error::Base64 {
            part: Part::Signature
        }
    );
    // Standard alphabet instead of URL-safe.
    let std_alpha = format!("{rest}.{}", sig.replace('-', "+").replace('_', "/"));
    if std_alpha != good {
        assert_eq!(
            verify_es(&std_alpha).unwrap_err(),
            Error::Base64 {
                part: Part::Signature
            }
        );
    }
    // Non-zero trailing bits: the same bytes, a different string.
    let (h, p) = rest.split_once('.').unwrap();
    let last = p.chars().last().unwrap();
    if p.len() % 4 != 0 {
        let idx = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .find(last)
            .unwrap();
        let tweaked = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .chars()
            .nth(idx + 1)
            .unwrap();
        let t = format!("{h}.{}{tweaked}.{sig}", &p[..p.len() - 1]);
        assert_eq!(
            verify_es(&t).unwrap_err(),
            Error::Base64 {
                part: Part::Payload
            }
        );
    }
    // Whitespace inside a segment.
    let t = format!("{h}.{} {}.{sig}", &p[..4], &p[4..]);
    assert_eq!(
        verify_es(&t).unwrap_err(),
        Error::Base64 {
            part: Part::Payload
        }
    );
}

#[test]
fn trailing_data() {
    let good = signed(&claims_text());
    assert!(matches!(
        verify_es(&format!("{good}.")),
        Err(Error::Malformed(_))
    ));
    assert!(matches!(
        verify_es(&format!("{good}.eyJ9")),
        Err(Error::Malformed(_))
    ));
    // Surrounding whitespace (an HTTP body's final newline) is not trailing data.
    assert!(verify_es(&format!("{good}\r\n")).is_ok());
    // Data after the JSON value inside a validly signed payload.
    let t = signed(&format!("{} {{}}", claims_text()));
    assert_eq!(
        verify_es(&t).unwrap_err(),
        Error::TrailingData {
            part: Part::Payload
        }
    );
}

#[test]
fn huge_numbers() {
    // Written into the signed text: a Map cannot even hold 1e400.
    let text = claims_text().replace(&format!("\"iat\":{NOW}"), "\"iat\":1e400");
    assert_eq!(
        verify_es(&signed(&text)).unwrap_err(),
        Error::NumberOutOfRange {
            part: Part::Payload
        }
    );
    let text = claims_text().replace(
        &format!("\"iat\":{NOW}"),
        &format!("\"iat\":{}", "9".repeat(60)),
    );
    assert_eq!(
        verify_es(&signed(&text)).unwrap_err(),
        Error::NumberOutOfRange {
            part: Part::Payload
        }
    );
    // Parses as a number but is no date.
    let text = claims_text().replace(&format!("\"iat\":{NOW}"), "\"iat\":99999999999999999999");
    assert_eq!(
        verify_es(&signed(&text)).unwrap_err(),
        Error::InvalidClaim("iat")
    );
}

#[test]
fn huge_number_literal_is_refused_by_the_json_reader() {
    let err = ssf_core::json::parse(b"1e400", Part::Document).unwrap_err();
    assert_eq!(
        err,
        Error::NumberOutOfRange {
            part: Part::Document
        }
    );
}

#[test]
fn deep_nesting() {
    let deep = "[".repeat(MAX_JSON_DEPTH + 8) + &"]".repeat(MAX_JSON_DEPTH + 8);
    let text = claims_text().replace(r#""initiating_entity":"policy""#, &format!(r#""x":{deep}"#));
    assert_eq!(
        verify_es(&signed(&text)).unwrap_err(),
        Error::TooDeep {
            part: Part::Payload
        }
    );
}

#[test]
fn oversized_input() {
    let big = format!("{}.{}.{}", "a".repeat(MAX_TOKEN_LEN), "b", "c");
    let err = verify_es(&big).unwrap_err();
    assert!(matches!(
        err,
        Error::TooLarge {
            what: "token",
            limit: MAX_TOKEN_LEN
        }
    ));
    assert_eq!(err.code(), ErrCode::InvalidRequest);
}

#[test]
fn unknown_kid_and_wrong_key_with_the_same_kid() {
    let t = forge(
        &header_text("ES256", "no-such-kid"),
        &claims_text(),
        &es256(),
    );
    assert_eq!(
        verify_es(&t).unwrap_err(),
        Error::UnknownKid("no-such-kid".into())
    );
    // An attacker signs with their own key under the victim's kid.
    let attacker = key("p256-other.pem", Algorithm::ES256, "ec-1");
    let t = forge(&header_text("ES256", "ec-1"), &claims_text(), &attacker);
    let err = verify_es(&t).unwrap_err();
    assert_eq!(err, Error::BadSignature);
    assert_eq!(err.code(), ErrCode::InvalidKey);
    let attacker = key("rsa2048-other.pem", Algorithm::RS256, "rsa-1");
    let t = forge(&header_text("RS256", "rsa-1"), &claims_text(), &attacker);
    assert_eq!(
        verify(&t, &jwks_of(&[&rs256()]), &opts()).unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn embedded_and_remote_keys_are_never_used() {
    let attacker = key("p256-other.pem", Algorithm::ES256, "ec-1");
    let jwk = ssf_core::json::Value::Object(attacker.public_jwk_map()).to_json();
    let h = format!(
        r#"{{"alg":"ES256","kid":"ec-1","typ":"secevent+jwt","jwk":{jwk},"jku":"https://evil.example/jwks","x5u":"https://evil.example/cert"}}"#
    );
    let t = forge(&h, &claims_text(), &attacker);
    assert_eq!(verify_es(&t).unwrap_err(), Error::BadSignature);
}

#[test]
fn rsa_key_under_2048_bits() {
    let weak =
        JwkSet::from_json(&data("rsa1024.jwks.json")).expect("a set with a weak key still parses");
    let t = format!(
        "{}.{}.{}",
        base64url::encode(header_text("RS256", "weak").as_bytes()),
        base64url::encode(claims_text().as_bytes()),
        base64url::encode(&[1u8; 128])
    );
    let err = verify(&t, &weak, &opts()).unwrap_err();
    assert_eq!(err, Error::WeakRsaKey { bits: 1024 });
    assert_eq!(err.code(), ErrCode::InvalidKey);
}

#[test]
fn future_iat_beyond_skew() {
    let skew = opts().clock_skew as i64;
    let t = with_claims(|m| {
        m.insert("iat", NOW + skew + 1);
    });
    let err = verify_es(&t).unwrap_err();
    assert_eq!(err, Error::IssuedInFuture);
    assert_eq!(err.reason(), "iat_in_future");
    let t = with_claims(|m| {
        m.insert("iat", NOW + skew);
    });
    assert!(verify_es(&t).is_ok(), "within skew is accepted");
}

#[test]
fn max_age_when_asked() {
    let t = with_claims(|m| {
        m.insert("iat", NOW - 3600);
    });
    assert!(
        verify_es(&t).is_ok(),
        "no max age by default: paused streams deliver late"
    );
    let mut o = opts();
    o.max_age = Some(600);
    assert_eq!(
        verify(&t, &jwks_of(&[&es256()]), &o).unwrap_err(),
        Error::TooOld
    );
}

#[test]
fn issuer_and_audience() {
    let t = signed(&claims_text());
    let keys = jwks_of(&[&es256()]);
    let mut o = opts();
    o.issuer = Some("https://other.example/".into());
    let err = verify(&t, &keys, &o).unwrap_err();
    assert_eq!(err, Error::WrongIssuer(ISS.into()));
    assert_eq!(err.code(), ErrCode::InvalidIssuer);
    let mut o = opts();
    o.audience = Some("https://other.example/".into());
    let err = verify(&t, &keys, &o).unwrap_err();
    assert_eq!(err, Error::WrongAudience);
    assert_eq!(err.code(), ErrCode::InvalidAudience);
    // An array aud containing the audience is accepted.
    let t = with_claims(|m| {
        m.insert("aud", parse(&format!(r#"["https://a.example","{AUD}"]"#)));
    });
    assert!(verify(&t, &keys, &opts()).is_ok());
}

#[test]
fn crit_and_algorithm_allow_list() {
    let h = r#"{"alg":"ES256","kid":"ec-1","typ":"secevent+jwt","crit":["exp"],"exp":1}"#;
    assert_eq!(
        verify_es(&forge(h, &claims_text(), &es256())).unwrap_err(),
        Error::CritUnsupported
    );
    let t = signed(&claims_text());
    let mut o = opts();
    o.algorithms = Some(vec![Algorithm::RS256]);
    assert_eq!(
        verify(&t, &jwks_of(&[&es256()]), &o).unwrap_err(),
        Error::AlgNotAllowed("ES256".into())
    );
    let h = r#"{"alg":"XS999","kid":"ec-1","typ":"secevent+jwt"}"#;
    assert_eq!(
        verify_es(&forge(h, &claims_text(), &es256())).unwrap_err(),
        Error::AlgNotAllowed("XS999".into())
    );
}

#[test]
fn key_type_confusion() {
    // An RS256 header naming an EC key's kid.
    let t = forge(&header_text("RS256", "ec-1"), &claims_text(), &rs256());
    assert!(matches!(verify_es(&t), Err(Error::KeyMismatch(_))));
}

#[test]
fn tampered_payload() {
    let good = signed(&claims_text());
    let parts: Vec<&str> = good.split('.').collect();
    let other = claims_text().replace("8675309", "8675310");
    let t = format!(
        "{}.{}.{}",
        parts[0],
        base64url::encode(other.as_bytes()),
        parts[2]
    );
    assert_eq!(verify_es(&t).unwrap_err(), Error::BadSignature);
}

#[test]
fn invalid_event_payload_is_invalid_request() {
    let text = claims_text().replace(
        r#""initiating_entity":"policy""#,
        r#""initiating_entity":"robot""#,
    );
    let err = verify_es(&signed(&text)).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidEvent { uri, .. } if uri == SESSION_REVOKED),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrCode::InvalidRequest);
}

/// The split verification (`begin_verify` + the caller's verdict + `finish`) must decide
/// exactly as `verify` does, and a caller's "invalid" must never be overridden.
#[test]
fn split_verification_agrees_with_verify() {
    use ssf_core::crypto::default_provider;
    use ssf_core::set::{begin_verify, SignatureVerdict};

    let keys = jwks_of(&[&es256(), &rs256()]);
    let good = signed(&claims_text());
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64url::encode(claims_text().replace("8675309", "1").as_bytes()),
        parts[2]
    );
    let cases = [
        good.clone(),
        tampered,
        signed(&claims_text().replace(ISS, "https://evil.example/")),
        signed(&claims_text().replace(AUD, "https://other.example/")),
        forge(&header_text("RS256", "rsa-1"), &claims_text(), &rs256()),
        forge(
            &header_text("ES256", "no-such-kid"),
            &claims_text(),
            &es256(),
        ),
        forge(&header_text("RS256", "ec-1"), &claims_text(), &rs256()),
        format!("{}.{}.", parts[0], parts[1]),
        "not a token".to_string(),
    ];
    let opts = opts();
    for token in &cases {
        let whole = verify(token, &keys, &opts);
        let split = begin_verify(token, &keys, &opts).and_then(|p| {
            let ok = default_provider()
                .verify(p.algorithm(), p.key(), p.signing_input(), p.signature())
                .is_ok();
            p.finish(SignatureVerdict::from_bool(ok), &opts)
        });
        assert_eq!(whole, split, "{token}");
    }
    let pending = begin_verify(&good, &keys, &opts).expect("header and key are fine");
    assert_eq!(pending.algorithm(), Algorithm::ES256);
    assert_eq!(
        pending
            .finish(SignatureVerdict::Invalid, &opts)
            .unwrap_err(),
        Error::BadSignature
    );
}
