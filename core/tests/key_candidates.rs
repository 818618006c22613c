//! A SET without `kid` against a key set with several keys that fit its `alg` (issue 12,
//! item 5): each candidate is tried in key-set order, at most MAX_KEY_CANDIDATES of them.

mod common;

use common::*;
use ssf_core::crypto::default_provider;
use ssf_core::json::{Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::limits::MAX_KEY_CANDIDATES;
use ssf_core::set::{begin_verify, verify, SignatureVerdict};
use ssf_core::signing::SigningKey;
use ssf_core::{Algorithm, ErrCode, Error};

const NO_KID: &str = r#"{"alg":"ES256","typ":"secevent+jwt"}"#;

fn ec_a() -> SigningKey {
    key("p256.pem", Algorithm::ES256, "a")
}

fn ec_b() -> SigningKey {
    key("p256-other.pem", Algorithm::ES256, "b")
}

/// A key set of these public keys, each with the given kid (the same key may appear
/// under several kids: candidates are counted per entry).
fn set_of(entries: &[(&SigningKey, &str)]) -> JwkSet {
    let keys: Vec<Value> = entries
        .iter()
        .map(|(k, kid)| {
            let mut m = k.public_jwk_map();
            m.insert("kid", *kid);
            Value::Object(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("keys", keys);
    JwkSet::from_map(&m).expect("jwks")
}

/// The split path (as the worker and the npm package drive it) with core's provider.
fn split(token: &str, keys: &JwkSet) -> Result<ssf_core::set::Set, Error> {
    let opts = opts();
    let pending = begin_verify(token, keys, &opts)?;
    let verified = pending.candidates().iter().position(|k| {
        default_provider()
            .verify(
                pending.algorithm(),
                k,
                pending.signing_input(),
                pending.signature(),
            )
            .is_ok()
    });
    pending.finish_with_candidate(verified, &opts)
}

#[test]
fn no_kid_signed_by_the_second_key_verifies() {
    let keys = set_of(&[(&ec_a(), "a"), (&ec_b(), "b")]);
    let token = forge(NO_KID, &claims_text(), &ec_b());
    let set = verify(&token, &keys, &opts()).expect("second candidate verifies");
    assert_eq!(set.claims.iss, ISS);
    assert_eq!(split(&token, &keys), Ok(set));
    let pending = begin_verify(&token, &keys, &opts()).unwrap();
    let kids: Vec<_> = pending.candidates().iter().map(|k| k.kid()).collect();
    assert_eq!(kids, [Some("a"), Some("b")]);
    assert_eq!(pending.key().kid(), Some("a"));
}

#[test]
fn no_kid_signed_by_the_first_key_verifies() {
    let keys = set_of(&[(&ec_a(), "a"), (&ec_b(), "b")]);
    let token = forge(NO_KID, &claims_text(), &ec_a());
    assert!(verify(&token, &keys, &opts()).is_ok());
    assert!(split(&token, &keys).is_ok());
}

#[test]
fn no_kid_signed_by_no_candidate_is_bad_signature() {
    let keys = set_of(&[(&ec_a(), "a"), (&ec_a(), "a2")]);
    let token = forge(NO_KID, &claims_text(), &ec_b());
    let err = verify(&token, &keys, &opts()).unwrap_err();
    assert_eq!(err, Error::BadSignature);
    assert_eq!(err.reason(), "bad_signature");
    assert_eq!(split(&token, &keys), Err(Error::BadSignature));
}

#[test]
fn keys_that_do_not_fit_alg_are_not_candidates() {
    // Two RSA keys and one P-256 key: the ES256 SET has exactly one candidate.
    let keys = set_of(&[(&rs256(), "r1"), (&ec_b(), "b"), (&rs256(), "r2")]);
    let token = forge(NO_KID, &claims_text(), &ec_b());
    let pending = begin_verify(&token, &keys, &opts()).unwrap();
    assert_eq!(pending.candidates().len(), 1);
    assert!(verify(&token, &keys, &opts()).is_ok());
    // None fits: still no_usable_key.
    let only_rsa = set_of(&[(&rs256(), "r1"), (&rs256(), "r2")]);
    assert_eq!(
        verify(&token, &only_rsa, &opts()).unwrap_err(),
        Error::NoUsableKey
    );
}

#[test]
fn exactly_the_limit_is_tried_more_is_refused() {
    let (a, b) = (ec_a(), ec_b());
    let token = forge(NO_KID, &claims_text(), &b);
    // MAX_KEY_CANDIDATES fitting keys, the signer last: verifies.
    let mut entries: Vec<(&SigningKey, String)> = (1..MAX_KEY_CANDIDATES)
        .map(|i| (&a, format!("a{i}")))
        .collect();
    entries.push((&b, "b".into()));
    let borrowed: Vec<(&SigningKey, &str)> =
        entries.iter().map(|(k, kid)| (*k, kid.as_str())).collect();
    let keys = set_of(&borrowed);
    assert_eq!(
        begin_verify(&token, &keys, &opts())
            .unwrap()
            .candidates()
            .len(),
        MAX_KEY_CANDIDATES
    );
    assert!(verify(&token, &keys, &opts()).is_ok());
    // One more fitting key, even with the signer first: refused before any check.
    let mut more = vec![(&b, "b")];
    more.extend_from_slice(&borrowed);
    let keys = set_of(&more);
    let err = verify(&token, &keys, &opts()).unwrap_err();
    assert_eq!(
        err,
        Error::TooManyKeyCandidates {
            limit: MAX_KEY_CANDIDATES
        }
    );
    assert_eq!(err.reason(), "too_many_key_candidates");
    assert_eq!(err.code(), ErrCode::InvalidKey);
    assert!(!err.is_key_not_found(), "refetching the keys does not help");
    assert_eq!(split(&token, &keys), Err(err));
}

#[test]
fn with_kid_only_that_key_is_tried() {
    let keys = set_of(&[(&ec_a(), "a"), (&ec_b(), "b")]);
    // Names "a" but is signed by "b"'s key: not rescued by the other candidate.
    let token = forge(&header_text("ES256", "a"), &claims_text(), &ec_b());
    let pending = begin_verify(&token, &keys, &opts()).unwrap();
    assert_eq!(pending.candidates().len(), 1);
    assert_eq!(
        verify(&token, &keys, &opts()).unwrap_err(),
        Error::BadSignature
    );
    let token = forge(&header_text("ES256", "b"), &claims_text(), &ec_b());
    assert!(verify(&token, &keys, &opts()).is_ok());
    assert!(split(&token, &keys).is_ok());
}

#[test]
fn finish_only_accepts_a_candidate() {
    let keys = set_of(&[(&ec_a(), "a"), (&ec_b(), "b")]);
    let token = forge(NO_KID, &claims_text(), &ec_b());
    let finish_at = |i: Option<usize>| {
        begin_verify(&token, &keys, &opts())
            .unwrap()
            .finish_with_candidate(i, &opts())
    };
    assert_eq!(finish_at(None), Err(Error::BadSignature));
    assert_eq!(finish_at(Some(2)), Err(Error::BadSignature));
    assert_eq!(finish_at(Some(usize::MAX)), Err(Error::BadSignature));
    assert!(finish_at(Some(1)).is_ok());
    // The single-key form still works: a verdict about key().
    let one = set_of(&[(&ec_b(), "b")]);
    let pending = begin_verify(&token, &one, &opts()).unwrap();
    assert!(pending.finish(SignatureVerdict::Valid, &opts()).is_ok());
    let pending = begin_verify(&token, &one, &opts()).unwrap();
    assert_eq!(
        pending.finish(SignatureVerdict::Invalid, &opts()),
        Err(Error::BadSignature)
    );
}
