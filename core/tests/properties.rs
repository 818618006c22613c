//! Properties: build -> sign -> verify -> decode is the identity on claims, and no input
//! makes decoding or verification panic.

mod common;

use common::*;
use proptest::prelude::*;
use ssf_core::builder::SetBuilder;
use ssf_core::events::Event;
use ssf_core::json::{Map, Value};
use ssf_core::jws::CompactJws;
use ssf_core::set::{inspect, verify, VerifyOptions};
use ssf_core::subject::SubjectId;

fn subject(kind: u8, a: &str, b: &str) -> SubjectId {
    let json = match kind % 4 {
        0 => format!(r#"{{"format":"opaque","id":{}}}"#, Value::from(a).to_json()),
        1 => format!(
            r#"{{"format":"email","email":{}}}"#,
            Value::from(format!("{a}@example.com")).to_json()
        ),
        2 => format!(
            r#"{{"format":"iss_sub","iss":"https://idp.example.com/","sub":{}}}"#,
            Value::from(a).to_json()
        ),
        _ => format!(
            r#"{{"format":"complex","user":{{"format":"opaque","id":{}}},"session":{{"format":"opaque","id":{}}}}}"#,
            Value::from(a).to_json(),
            Value::from(b).to_json()
        ),
    };
    SubjectId::from_value(&parse(&json)).expect("subject").0
}

fn event(kind: u8, text: &str, ts: i64) -> Event {
    let (uri, payload) = match kind % 4 {
        0 => (
            "https://schemas.openid.net/secevent/caep/event-type/session-revoked",
            format!(
                r#"{{"event_timestamp":{ts},"reason_admin":{{"en":{}}}}}"#,
                Value::from(text).to_json()
            ),
        ),
        1 => (
            "https://schemas.openid.net/secevent/caep/event-type/credential-change",
            r#"{"credential_type":"fido2-roaming","change_type":"create"}"#.to_string(),
        ),
        2 => (
            "https://schemas.openid.net/secevent/ssf/event-type/verification",
            format!(r#"{{"state":{}}}"#, Value::from(text).to_json()),
        ),
        _ => (
            "https://schemas.openid.net/secevent/risc/event-type/account-disabled",
            r#"{"reason":"hijacking"}"#.to_string(),
        ),
    };
    let Value::Object(m) = parse(&payload) else {
        unreachable!()
    };
    Event::from_parts(uri, m).expect("event")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn build_sign_verify_decode_is_identity(
        iss in "https://[a-z]{1,12}\\.example/[a-zA-Z0-9/_-]{0,16}",
        jti in "[A-Za-z0-9_-]{1,40}",
        iat in 0i64..4_000_000_000,
        aud in proptest::collection::vec("[ -~]{1,30}", 1..4),
        txn in proptest::option::of("\\PC{1,20}"),
        sub_kind in any::<u8>(), a in "\\PC{1,20}", b in "\\PC{1,20}",
        ev_kind in any::<u8>(), text in "\\PC{0,40}",
        rsa in any::<bool>(),
    ) {
        let key = if rsa { rs256() } else { es256() };
        let mut builder = SetBuilder::new(&iss, &jti, iat).audiences(aud.iter().map(String::as_str));
        if let Some(t) = &txn { builder = builder.txn(t); }
        let sub = subject(sub_kind, &a, &b);
        let ev = event(ev_kind, &text, iat);
        let claims = builder.clone().subject(&sub).event(&ev).build().expect("valid claims");
        let token = builder.subject(&sub).event(&ev).sign(&key).expect("signs");

        let mut o = VerifyOptions::new(iat);
        o.issuer = Some(iss.clone());
        o.audience = aud.last().cloned();
        let set = verify(&token, &jwks_of(&[&key]), &o).expect("verifies");
        prop_assert_eq!(&set.claims.raw, &claims);
        prop_assert_eq!(&set.claims.iss, &iss);
        prop_assert_eq!(&set.claims.jti, &jti);
        prop_assert_eq!(set.claims.iat, iat);
        prop_assert_eq!(&set.claims.aud, &aud);
        prop_assert_eq!(&set.claims.txn, &txn);
        prop_assert_eq!(set.claims.sub_id.as_ref(), Some(&sub));
        prop_assert_eq!(&set.claims.events, &vec![ev]);
        let decoded = inspect(&token, Some(&o)).expect("decodes");
        prop_assert!(decoded.is_valid_structure(), "{:?}", decoded.issues);
        prop_assert_eq!(decoded.claims, claims);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = inspect(&text, None);
        let _ = verify(&text, &jwks_of(&[&es256()]), &VerifyOptions::new(NOW));
        let _ = ssf_core::json::parse(&bytes, ssf_core::error::Part::Document);
    }

    #[test]
    fn decoding_arbitrary_segments_never_panics(
        header in proptest::collection::vec(any::<u8>(), 0..200),
        payload in "\\PC{0,300}",
        sig in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let token = format!(
            "{}.{}.{}",
            ssf_core::base64url::encode(&header),
            ssf_core::base64url::encode(payload.as_bytes()),
            ssf_core::base64url::encode(&sig)
        );
        let _ = CompactJws::parse(&token);
        let _ = inspect(&token, None);
        let _ = verify(&token, &jwks_of(&[&es256()]), &VerifyOptions::new(NOW));
    }

    #[test]
    fn mutated_valid_claims_never_panic(
        pos in any::<prop::sample::Index>(), byte in any::<u8>(),
    ) {
        let mut text = claims_text().into_bytes();
        let i = pos.index(text.len());
        text[i] = byte;
        let token = format!(
            "{}.{}.{}",
            ssf_core::base64url::encode(header_text("ES256", "ec-1").as_bytes()),
            ssf_core::base64url::encode(&text),
            "AAAA"
        );
        if let Ok(found) = inspect(&token, Some(&opts())) {
            let _ = Value::Object(found.claims).to_json();
        }
    }
}

#[test]
fn builder_refuses_profile_violations() {
    let ev = event(0, "x", NOW);
    let sub = subject(0, "s", "t");
    let base = || SetBuilder::new(ISS, "j", NOW).subject(&sub).event(&ev);
    assert_eq!(
        base().claim("sub", "x").build().unwrap_err(),
        ssf_core::Error::SubPresent
    );
    assert_eq!(
        base().claim("exp", NOW).build().unwrap_err(),
        ssf_core::Error::ExpPresent
    );
    assert_eq!(
        SetBuilder::new(ISS, "j", NOW)
            .event(&ev)
            .build()
            .unwrap_err(),
        ssf_core::Error::SubIdMissing
    );
    assert_eq!(
        SetBuilder::new(ISS, "j", NOW)
            .subject(&sub)
            .build()
            .unwrap_err(),
        ssf_core::Error::EventsEmpty
    );
    let _: Map = base().build().unwrap();
}

/// The DER inside a PEM test key, and back: the standard base64 alphabet through core's
/// base64url (the tests need no other decoder).
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
        .replace('+', "-")
        .replace('/', "_")
        .replace('=', "");
    ssf_core::base64url::decode(body.as_bytes()).expect("test key PEM")
}

fn der_pem(label: &str, der: &[u8]) -> String {
    let mut b64 = ssf_core::base64url::encode(der)
        .replace('-', "+")
        .replace('_', "/");
    while !b64.len().is_multiple_of(4) {
        b64.push('=');
    }
    format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Private-key PEMs are user input (the CLI, the inspector): a key with any byte
    /// changed, cut anywhere, under any label and read for any algorithm gets an answer,
    /// never a panic; the untouched key still reads.
    #[test]
    fn mangled_private_key_pems_never_panic(
        file in 0usize..3,
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
        label in 0usize..4,
        alg in 0usize..ssf_core::Algorithm::ALL.len(),
    ) {
        let (name, own_alg) = [
            ("p256.pem", ssf_core::Algorithm::ES256),
            ("rsa2048.pem", ssf_core::Algorithm::RS256),
            ("p256-other.pem", ssf_core::Algorithm::ES256),
        ][file];
        let pem = data(name);
        prop_assert!(ssf_core::signing::SigningKey::from_pkcs8_pem(&pem, own_alg).is_ok());
        let mut der = pem_der(&pem);
        let i = at.index(der.len());
        der[i] = byte;
        der.truncate(cut.index(der.len() + 1));
        let label = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "PUBLIC KEY"][label];
        let alg = ssf_core::Algorithm::ALL[alg];
        let _ = ssf_core::signing::SigningKey::from_pkcs8_pem(&der_pem(label, &der), alg);
    }
}
