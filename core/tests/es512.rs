//! ES512 (ECDSA P-521 with SHA-512, RFC 7518 section 3.4), issue 12 item 4: keys, signing,
//! verification through every provider that has P-521, and `unsupported_alg` (never
//! `alg_not_allowed`) from the ones that do not. The fixture was made with Python
//! `cryptography`, so the Rust code is checked against another implementation.

mod common;

use common::*;
use ssf_core::base64url;
use ssf_core::crypto::{self, NoCrypto, RustCrypto};
use ssf_core::json::{Map, Value};
use ssf_core::jwk::{EcCurve, Jwk, JwkSet, KeyParams};
use ssf_core::set::{verify, verify_with};
use ssf_core::signing::SigningKey;
use ssf_core::{Algorithm, Error};

fn fixture() -> Map {
    obj(&data("p521-fixture.json"))
}

fn member(m: &Map, name: &str) -> Map {
    m.get(name)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_else(|| panic!("fixture member {name}"))
}

fn text<'m>(m: &'m Map, name: &str) -> &'m str {
    m.get_str(name)
        .unwrap_or_else(|| panic!("fixture member {name}"))
}

fn pem_key() -> SigningKey {
    SigningKey::from_pkcs8_pem(&data("p521.pem"), Algorithm::ES512).expect("P-521 PKCS#8")
}

fn es512_set(key: &SigningKey) -> JwkSet {
    jwks_of(&[key])
}

#[test]
fn the_name_is_known() {
    assert_eq!(Algorithm::from_name("ES512"), Some(Algorithm::ES512));
    assert_eq!(Algorithm::from_header("ES512"), Ok(Algorithm::ES512));
    assert!(Algorithm::ALL.contains(&Algorithm::ES512));
    assert_eq!(EcCurve::from_name("P-521"), Some(EcCurve::P521));
    assert_eq!(EcCurve::P521.coordinate_len(), 66);
    assert_eq!(EcCurve::P521.algorithm(), Algorithm::ES512);
}

#[test]
fn public_jwk_of_66_octet_coordinates() {
    let fx = fixture();
    let public = member(&fx, "public");
    let key = Jwk::from_map(&public).expect("P-521 public JWK");
    assert_eq!(key.kty(), "EC");
    assert!(matches!(
        key.params(),
        KeyParams::Ec { curve: EcCurve::P521, x, y } if x.len() == 66 && y.len() == 66
    ));
    assert_eq!(key.thumbprint(), text(&fx, "thumbprint"));
    assert!(key.check_alg(Algorithm::ES512).is_ok());
    for other in [Algorithm::ES256, Algorithm::ES384, Algorithm::RS512] {
        assert!(matches!(key.check_alg(other), Err(Error::KeyMismatch(_))));
    }
    // A coordinate one octet short (leading zero dropped) or one octet long is refused.
    let x = base64url::decode(text(&public, "x").as_bytes()).unwrap();
    for bad in [x[1..].to_vec(), [&[0u8][..], &x].concat()] {
        let mut m = public.clone();
        m.insert("x", base64url::encode(&bad));
        assert!(matches!(Jwk::from_map(&m), Err(Error::InvalidJwk(_))));
    }
    // A point not on the curve is refused.
    let mut y = base64url::decode(text(&public, "y").as_bytes()).unwrap();
    y[65] ^= 1;
    let mut m = public.clone();
    m.insert("y", base64url::encode(&y));
    assert_eq!(
        Jwk::from_map(&m).unwrap_err(),
        Error::InvalidJwk("the EC point is not on the curve")
    );
    // x = p (the field prime, 2^521 - 1) is not a field element.
    let mut m = public;
    let mut p = vec![0xffu8; 66];
    p[0] = 0x01;
    m.insert("x", base64url::encode(&p));
    assert!(matches!(Jwk::from_map(&m), Err(Error::InvalidJwk(_))));
}

#[test]
fn a_signature_from_another_implementation_verifies() {
    let fx = fixture();
    let key = Jwk::from_map(&member(&fx, "public")).unwrap();
    let msg = text(&fx, "message").as_bytes();
    let sig = base64url::decode(text(&fx, "sig").as_bytes()).unwrap();
    assert_eq!(sig.len(), 132);
    assert_eq!(
        crypto::verify(&RustCrypto, Algorithm::ES512, &key, msg, &sig),
        Ok(())
    );
    // Any change, and the wrong lengths, are bad signatures.
    let mut flipped = sig.clone();
    flipped[100] ^= 0x40;
    for bad in [flipped, sig[..131].to_vec(), [&sig[..], &[0]].concat()] {
        assert_eq!(
            crypto::verify(&RustCrypto, Algorithm::ES512, &key, msg, &bad),
            Err(Error::BadSignature)
        );
    }
    assert_eq!(
        crypto::verify(&RustCrypto, Algorithm::ES512, &key, b"other", &sig),
        Err(Error::BadSignature)
    );
}

#[test]
fn private_keys_from_jwk_pkcs8_and_sec1_agree() {
    let fx = fixture();
    let from_jwk = SigningKey::from_jwk_map(&member(&fx, "private")).expect("private JWK");
    assert_eq!(
        from_jwk.alg(),
        Algorithm::ES512,
        "default alg of a P-521 key"
    );
    let from_pem = pem_key();
    let from_sec1 = SigningKey::from_pkcs8_pem(text(&fx, "sec1_pem"), Algorithm::ES512)
        .expect("SEC1 EC PRIVATE KEY");
    let public = Jwk::from_map(&member(&fx, "public")).unwrap();
    for k in [&from_jwk, &from_pem, &from_sec1] {
        assert_eq!(k.public_jwk().params(), public.params());
    }
    // The private JWK written back is the one read.
    let written = from_pem.to_jwk_map();
    assert_eq!(written.get_str("d"), member(&fx, "private").get_str("d"));
    assert_eq!(written.get_str("crv"), Some("P-521"));
    // A P-521 PEM is not a key for the other ECDSA algorithms, and theirs not for ES512.
    assert!(SigningKey::from_pkcs8_pem(&data("p521.pem"), Algorithm::ES256).is_err());
    assert!(SigningKey::from_pkcs8_pem(&data("p256.pem"), Algorithm::ES512).is_err());
    // d of the wrong size, or not belonging to x and y.
    let mut m = member(&fx, "private");
    m.insert("d", base64url::encode(&[1u8; 65]));
    assert!(matches!(
        SigningKey::from_jwk_map(&m),
        Err(Error::InvalidSigningKey(_))
    ));
    let mut m = member(&fx, "private");
    let mut d = vec![0u8; 66];
    d[65] = 7;
    m.insert("d", base64url::encode(&d));
    assert_eq!(
        SigningKey::from_jwk_map(&m).unwrap_err(),
        Error::InvalidSigningKey("x and y do not belong to d")
    );
}

#[test]
fn signed_sets_verify_through_the_jws_path() {
    let key = pem_key().with_kid("p521-1".into());
    let keys = es512_set(&key);
    let token = forge(&header_text("ES512", "p521-1"), &claims_text(), &key);
    let sig = base64url::decode(token.rsplit('.').next().unwrap().as_bytes()).unwrap();
    assert_eq!(
        sig.len(),
        132,
        "JWS ES512 signatures are r || s of 66 octets each"
    );
    let set = verify(&token, &keys, &opts()).expect("ES512 SET verifies");
    assert_eq!(set.header.algorithm(), Ok(Algorithm::ES512));
    assert!(verify_with(&token, &keys, &opts(), &RustCrypto).is_ok());
    // ECDSA signing is deterministic (RFC 6979).
    assert_eq!(
        token,
        forge(&header_text("ES512", "p521-1"), &claims_text(), &key)
    );
    // Without kid, the one P-521 key is the candidate.
    let no_kid = forge(
        r#"{"alg":"ES512","typ":"secevent+jwt"}"#,
        &claims_text(),
        &key,
    );
    assert!(verify(&no_kid, &keys, &opts()).is_ok());
    // The header's alg must fit the key: a P-521 key never verifies ES256 or ES384.
    let es256 = forge(&header_text("ES256", "p521-1"), &claims_text(), &es256());
    assert!(matches!(
        verify(&es256, &keys, &opts()),
        Err(Error::KeyMismatch(_))
    ));
}

#[cfg(feature = "getrandom")]
#[test]
fn generated_keys_sign_and_verify() {
    let key = SigningKey::generate(Algorithm::ES512)
        .unwrap()
        .with_kid("gen".into());
    let map = key.to_jwk_map();
    assert_eq!(map.get_str("crv"), Some("P-521"));
    assert_eq!(map.get_str("alg"), Some("ES512"));
    let token = forge(&header_text("ES512", "gen"), &claims_text(), &key);
    assert!(verify(&token, &jwks_of(&[&key]), &opts()).is_ok());
    // The private JWK reads back as the same key.
    let again = SigningKey::from_jwk_map(&map).unwrap();
    assert_eq!(again.public_jwk(), key.public_jwk());
}

#[test]
fn a_provider_without_p521_says_unsupported_alg() {
    let key = pem_key().with_kid("p521-1".into());
    let keys = es512_set(&key);
    let token = forge(&header_text("ES512", "p521-1"), &claims_text(), &key);
    let err = verify_with(&token, &keys, &opts(), &NoCrypto).unwrap_err();
    assert_eq!(err, Error::UnsupportedAlgorithm("ES512".into()));
    assert_eq!(err.reason(), "unsupported_alg");
    #[cfg(feature = "ring")]
    {
        use ssf_core::crypto::CryptoProvider as _;
        let ring = ssf_core::crypto::Ring;
        assert!(!ring.supports(Algorithm::ES512));
        assert!(ring.supports(Algorithm::ES384));
        let err = verify_with(&token, &keys, &opts(), &ring).unwrap_err();
        assert_eq!(err.reason(), "unsupported_alg");
        let jwk = key.public_jwk();
        assert_eq!(
            ring.verify(Algorithm::ES512, &jwk, b"x", &[0; 132]),
            Err(Error::UnsupportedAlgorithm("ES512".into()))
        );
    }
}

#[test]
fn alg_not_allowed_only_when_the_caller_restricts() {
    let key = pem_key().with_kid("p521-1".into());
    let keys = es512_set(&key);
    let token = forge(&header_text("ES512", "p521-1"), &claims_text(), &key);
    let mut o = opts();
    o.algorithms = Some(vec![Algorithm::ES256, Algorithm::RS256]);
    assert_eq!(
        verify(&token, &keys, &o).unwrap_err(),
        Error::AlgNotAllowed("ES512".into())
    );
    o.algorithms = Some(vec![Algorithm::ES512]);
    assert!(verify(&token, &keys, &o).is_ok());
    o.algorithms = None;
    assert!(verify(&token, &keys, &o).is_ok());
}
