//! The access-token profile (RFC 9068): tokens signed here in Rust, each rule broken once,
//! and the split (WebCrypto-style) verification agreeing with the one-call verification.

mod common;

use common::*;
use ssf_core::access_token::{
    begin_verify, sign, verify, AccessTokenOptions, BearerError, DEFAULT_CLOCK_SKEW,
};
use ssf_core::base64url;
use ssf_core::error::{ErrCode, Error};
use ssf_core::json::Map;
use ssf_core::jws::SignatureVerdict;

const AS: &str = "https://as.example.com";
const RS: &str = "https://ssf.example.com";

fn claims() -> Map {
    obj(&format!(
        r#"{{"iss":"{AS}","aud":["{RS}","other"],"exp":{},"iat":{NOW},"nbf":{NOW},
            "sub":"user-1","client_id":"receiver-b","jti":"at-1","scope":"openid  ssf"}}"#,
        NOW + 300
    ))
}

fn at_opts() -> AccessTokenOptions {
    AccessTokenOptions::new(NOW, AS, RS)
}

fn header(alg: &str, kid: &str, typ: &str) -> String {
    format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"{typ}"}}"#)
}

fn forged(header: &str, claims: &Map) -> String {
    forge(
        header,
        &ssf_core::json::Value::Object(claims.clone()).to_json(),
        &es256(),
    )
}

fn check(token: &str) -> Result<ssf_core::access_token::AccessToken, Error> {
    verify(token, &jwks_of(&[&es256(), &rs256()]), &at_opts())
}

fn with(name: &str, value: ssf_core::json::Value) -> Map {
    let mut c = claims();
    c.insert(name, value);
    c
}

fn without(name: &str) -> Map {
    let mut c = claims();
    c.remove(name);
    c
}

#[test]
fn valid_tokens_verify_with_each_key_type() {
    for key in [es256(), rs256()] {
        let at = check(&sign(&claims(), &key).unwrap()).unwrap();
        assert_eq!(at.iss, AS);
        assert_eq!(at.aud, ["https://ssf.example.com", "other"]);
        assert_eq!(at.exp, NOW + 300);
        assert_eq!(at.client_id.as_deref(), Some("receiver-b"));
        assert_eq!(at.string_claim("sub"), Some("user-1"));
        assert_eq!(at.scopes, ["openid", "ssf"]);
        assert_eq!(at.header.typ.as_deref(), Some("at+jwt"));
    }
    // The media-type form of typ is the same type.
    let t = forged(&header("ES256", "ec-1", "application/at+jwt"), &claims());
    assert!(check(&t).is_ok());
}

#[test]
fn typ_must_be_at_jwt() {
    for typ in ["secevent+jwt", "JWT", "jwt", "application/jwt"] {
        let err = check(&forged(&header("ES256", "ec-1", typ), &claims())).unwrap_err();
        assert_eq!(err, Error::AccessTokenTyp(Some(typ.into())), "{typ}");
        assert_eq!(err.reason(), "access_token_typ");
    }
    let err = check(&forged(r#"{"alg":"ES256","kid":"ec-1"}"#, &claims())).unwrap_err();
    assert_eq!(err, Error::AccessTokenTyp(None));
    // And a SET can never pass for an access token, nor the other way round.
    let set_verify = ssf_core::set::verify(
        &sign(&claims(), &es256()).unwrap(),
        &jwks_of(&[&es256()]),
        &opts(),
    );
    assert!(matches!(set_verify, Err(Error::TypWrong(_))));
}

#[test]
fn issuer_and_audience_are_exact() {
    let err = check(&sign(&with("iss", format!("{AS}/").into()), &es256()).unwrap()).unwrap_err();
    assert_eq!(err, Error::WrongIssuer(format!("{AS}/")));
    let err =
        check(&sign(&with("aud", "https://elsewhere".into()), &es256()).unwrap()).unwrap_err();
    assert_eq!(err, Error::WrongAudience);
}

#[test]
fn required_claims() {
    for name in ["iss", "aud", "exp"] {
        let t = forged(&header("ES256", "ec-1", "at+jwt"), &without(name));
        assert_eq!(check(&t).unwrap_err(), Error::MissingClaim(name), "{name}");
        // The signer refuses to make such a token in the first place.
        assert_eq!(
            sign(&without(name), &es256()).unwrap_err(),
            Error::MissingClaim(name)
        );
    }
    for (name, bad) in [
        ("exp", ssf_core::json::Value::from("soon")),
        ("nbf", (-1).into()),
        ("iat", "now".into()),
        ("aud", ssf_core::json::Value::Array(vec![])),
        ("client_id", 7.into()),
        ("sub", "".into()),
        ("scope", ssf_core::json::Value::Array(vec!["ssf".into()])),
    ] {
        let t = forged(&header("ES256", "ec-1", "at+jwt"), &with(name, bad));
        assert_eq!(check(&t).unwrap_err(), Error::InvalidClaim(name), "{name}");
    }
}

#[test]
fn clock_rules_with_skew() {
    let skew = DEFAULT_CLOCK_SKEW as i64;
    let at = |name: &str, t: i64| sign(&with(name, t.into()), &es256()).unwrap();
    // exp: still good within the skew, refused at exp + skew.
    assert!(check(&at("exp", NOW - skew + 1)).is_ok());
    let err = check(&at("exp", NOW - skew)).unwrap_err();
    assert_eq!(
        (err.reason(), BearerError::of(&err)),
        ("expired", BearerError::InvalidToken)
    );
    // nbf and iat: refused only beyond the skew into the future.
    assert!(check(&at("nbf", NOW + skew)).is_ok());
    assert_eq!(
        check(&at("nbf", NOW + skew + 1)).unwrap_err(),
        Error::NotYetValid
    );
    assert!(check(&at("iat", NOW + skew)).is_ok());
    assert_eq!(
        check(&at("iat", NOW + skew + 1)).unwrap_err(),
        Error::IssuedInFuture
    );
}

#[test]
fn scope_is_checked_when_asked() {
    let keys = jwks_of(&[&es256()]);
    let token = sign(&claims(), &es256()).unwrap();
    let mut o = at_opts();
    o.scope = Some("ssf".into());
    assert!(verify(&token, &keys, &o).is_ok());
    o.scope = Some("ssf openid".into());
    assert!(verify(&token, &keys, &o).is_ok());
    // A prefix or a substring is not the scope.
    for wanted in ["ss", "ssf:admin", "ssf admin"] {
        o.scope = Some(wanted.into());
        let err = verify(&token, &keys, &o).unwrap_err();
        assert_eq!(
            BearerError::of(&err),
            BearerError::InsufficientScope,
            "{wanted}"
        );
        assert_eq!(BearerError::of(&err).status(), 403);
        assert_eq!(err.code(), ErrCode::AccessDenied);
    }
    o.scope = Some("ssf".into());
    let t = sign(&without("scope"), &es256()).unwrap();
    assert_eq!(
        verify(&t, &keys, &o).unwrap_err(),
        Error::InsufficientScope("ssf".into())
    );
}

#[test]
fn alg_none_and_hmac_with_the_public_key_are_refused() {
    let payload = ssf_core::json::Value::Object(claims()).to_json();
    let body = |h: &str| {
        let mut t = base64url::encode(h.as_bytes());
        t.push('.');
        t.push_str(&base64url::encode(payload.as_bytes()));
        t
    };
    let unsigned = body(&header("none", "rsa-1", "at+jwt")) + ".";
    assert_eq!(check(&unsigned).unwrap_err(), Error::AlgNone);
    let public_jwk = ssf_core::json::Value::Object(rs256().public_jwk_map()).to_json();
    for secret in [public_jwk.as_bytes(), data("rsa2048.pem").as_bytes()] {
        let mut t = body(&header("HS256", "rsa-1", "at+jwt"));
        let mac = hmac_sha256(secret, t.as_bytes());
        t.push('.');
        t.push_str(&base64url::encode(&mac));
        let err = check(&t).unwrap_err();
        assert_eq!(err, Error::AlgHmac("HS256".into()));
        assert_eq!(BearerError::of(&err).as_str(), "invalid_token");
    }
}

#[test]
fn keys_follow_the_set_rules() {
    let t = forged(&header("ES256", "nobody", "at+jwt"), &claims());
    let err = check(&t).unwrap_err();
    assert!(err.is_key_not_found(), "{err:?}");
    assert_eq!(err, Error::UnknownKid("nobody".into()));
    // A signature by another key under a known kid.
    let other = ssf_core::signing::SigningKey::from_pkcs8_pem(
        &data("p256.pem"),
        ssf_core::Algorithm::ES256,
    )
    .unwrap()
    .with_kid("rsa-1".into());
    let err = check(&sign(&claims(), &other).unwrap()).unwrap_err();
    assert!(matches!(err, Error::KeyMismatch(_)), "{err:?}");
    // Tampered payload.
    let good = sign(&claims(), &es256()).unwrap();
    let mut parts: Vec<&str> = good.split('.').collect();
    let evil = base64url::encode(
        ssf_core::json::Value::Object(with("client_id", "receiver-a".into()))
            .to_json()
            .as_bytes(),
    );
    parts[1] = &evil;
    assert_eq!(check(&parts.join(".")).unwrap_err(), Error::BadSignature);
    // The caller's allow-list applies.
    let mut o = at_opts();
    o.algorithms = Some(vec![ssf_core::Algorithm::RS256]);
    let err = verify(&good, &jwks_of(&[&es256()]), &o).unwrap_err();
    assert_eq!(err, Error::AlgNotAllowed("ES256".into()));
}

#[test]
fn claims_are_not_read_before_the_signature() {
    // An expired token with a bad signature is a bad signature, not an expired token.
    let good = sign(&with("exp", (NOW - 3600).into()), &es256()).unwrap();
    let (head, _) = good.rsplit_once('.').unwrap();
    let t = format!("{head}.{}", base64url::encode(&[0u8; 64]));
    assert_eq!(check(&t).unwrap_err(), Error::BadSignature);
}

#[test]
fn split_verification_agrees() {
    let keys = jwks_of(&[&es256()]);
    let token = sign(&claims(), &es256()).unwrap();
    let pending = begin_verify(&token, &keys, &at_opts()).unwrap();
    assert_eq!(pending.candidates().len(), 1);
    let at = pending.finish(SignatureVerdict::Valid, &at_opts()).unwrap();
    assert_eq!(at, verify(&token, &keys, &at_opts()).unwrap());
    let pending = begin_verify(&token, &keys, &at_opts()).unwrap();
    assert_eq!(
        pending.finish(SignatureVerdict::Invalid, &at_opts()),
        Err(Error::BadSignature)
    );
    let pending = begin_verify(&token, &keys, &at_opts()).unwrap();
    assert_eq!(
        pending.finish_with_candidate(Some(1), &at_opts()),
        Err(Error::BadSignature)
    );
}
