//! JWK parsing, key selection, signature providers and signing keys, through the public API.
//!
//! Vectors: RFC 7515 A.2 / A.3 and RFC 8037 A.4 (`shared/vectors/jws`), real SETs from
//! duo-labs/sharedsignals and i2goSignals (`shared/vectors/signed`), and
//! `tests/data/crypto-fixtures.json` (throwaway keys and signatures made with OpenSSL and
//! Python `cryptography`, so every algorithm is checked against another implementation).
#![cfg(feature = "rustcrypto")]

use std::path::PathBuf;

use ssf_core::base64url;
use ssf_core::crypto::{self, default_provider, CryptoProvider, RustCrypto};
use ssf_core::error::{Error, Part};
use ssf_core::json::{self, Map, Value};
use ssf_core::jwk::{EcCurve, Jwk, JwkSet, KeyParams};
use ssf_core::jws::CompactJws;
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;

// ---- helpers ---------------------------------------------------------------------------

fn shared_vector(rel: &str) -> Map {
    let path =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors")).join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    json::parse_object(text.as_bytes(), Part::Document).expect("vector JSON")
}

fn fixtures() -> Map {
    let text = include_str!("data/crypto-fixtures.json");
    json::parse_object(text.as_bytes(), Part::Document).expect("fixture JSON")
}

fn obj(text: &str) -> Map {
    json::parse_object(text.as_bytes(), Part::Document).expect("test JSON")
}

fn get<'a>(m: &'a Map, path: &[&str]) -> &'a Value {
    let mut v = m
        .get(path[0])
        .unwrap_or_else(|| panic!("missing {}", path[0]));
    for p in &path[1..] {
        v = v.get(p).unwrap_or_else(|| panic!("missing {p}"));
    }
    v
}

fn get_str<'a>(m: &'a Map, path: &[&str]) -> &'a str {
    get(m, path).as_str().expect("string")
}

fn get_map(m: &Map, path: &[&str]) -> Map {
    get(m, path).as_object().expect("object").clone()
}

/// Every provider compiled in.
fn providers() -> Vec<(&'static str, &'static dyn CryptoProvider)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, &'static dyn CryptoProvider)> =
        vec![("default", default_provider()), ("rustcrypto", &RustCrypto)];
    #[cfg(feature = "ring")]
    v.push(("ring", &ssf_core::crypto::Ring));
    v
}

/// Verifies a compact JWS against a key set the way a receiver does.
fn verify_token(token: &str, set: &JwkSet, provider: &dyn CryptoProvider) -> Result<(), Error> {
    let jws = CompactJws::parse(token)?;
    let alg = jws.header.check_for_verification()?;
    let key = set.select(jws.header.kid.as_deref(), alg)?;
    provider.verify(alg, key, jws.signing_input, &jws.signature)
}

fn set_of(keys: &[Map]) -> JwkSet {
    let mut m = Map::new();
    m.insert(
        "keys",
        keys.iter().cloned().map(Value::Object).collect::<Vec<_>>(),
    );
    JwkSet::from_map(&m).expect("set")
}

fn with(mut m: Map, k: &str, v: impl Into<Value>) -> Map {
    m.insert(k, v);
    m
}

fn without(mut m: Map, k: &str) -> Map {
    m.remove(k);
    m
}

fn fixture_key(name: &str) -> Map {
    get_map(&fixtures(), &["keys", name])
}

fn sig_of(fx: &Map, alg: &str) -> Vec<u8> {
    base64url::decode(get_str(fx, &["sigs", alg]).as_bytes()).expect("sig b64")
}

fn message() -> String {
    get_str(&fixtures(), &["message"]).to_string()
}

// ---- the JWS vectors -----------------------------------------------------------------------

#[test]
fn rfc_jws_vectors_verify() {
    for (file, alg) in [
        ("jws/rfc7515_A2_RS256.json", Algorithm::RS256),
        ("jws/rfc7515_A3_ES256.json", Algorithm::ES256),
        ("jws/rfc8037_A4_EdDSA_Ed25519.json", Algorithm::EdDSA),
    ] {
        let v = shared_vector(file);
        let set = JwkSet::from_map(&get_map(&v, &["jwks"])).unwrap();
        assert_eq!(set.len(), 1, "{file}");
        assert!(set.skipped().is_empty(), "{file}");
        let token = get_str(&v, &["token"]);
        let jws = CompactJws::parse(token).unwrap();
        assert_eq!(jws.header.check_for_verification().unwrap(), alg);
        for (name, p) in providers() {
            assert_eq!(verify_token(token, &set, p), Ok(()), "{file} with {name}");
            // One bit flipped in the signature: refused.
            let mut bad = jws.signature.clone();
            bad[7] ^= 0x10;
            let key = set.select(None, alg).unwrap();
            assert_eq!(
                p.verify(alg, key, jws.signing_input, &bad),
                Err(Error::BadSignature)
            );
            // Another signing input: refused.
            let mut input = jws.signing_input.to_vec();
            input.push(b'x');
            assert_eq!(
                p.verify(alg, key, &input, &jws.signature),
                Err(Error::BadSignature)
            );
            assert!(p.supports(alg));
        }
        // The checked entry point agrees.
        let key = set.select(None, alg).unwrap();
        assert_eq!(
            crypto::verify(
                default_provider(),
                alg,
                key,
                jws.signing_input,
                &jws.signature
            ),
            Ok(())
        );
    }
}

#[test]
fn duo_labs_sets() {
    let good = shared_vector("signed/duo-labs_es256_verification_valid.json");
    let bad = shared_vector("signed/duo-labs_es256_verification_wrong_key_same_kid.json");
    for (name, p) in providers() {
        let set = JwkSet::from_map(&get_map(&good, &["jwks"])).unwrap();
        assert_eq!(
            verify_token(get_str(&good, &["token"]), &set, p),
            Ok(()),
            "{name}"
        );
        // Same kid, another key: the key is selected, the signature fails.
        let set = JwkSet::from_map(&get_map(&bad, &["jwks"])).unwrap();
        assert_eq!(
            verify_token(get_str(&bad, &["token"]), &set, p),
            Err(Error::BadSignature),
            "{name}"
        );
    }
}

#[test]
fn i2go_signals_golden_rs256_is_reproduced_byte_for_byte() {
    let v = shared_vector("signed/i2goSignals_rs256_risc_account_disabled_golden.json");
    let token = get_str(&v, &["token"]);
    let jws = CompactJws::parse(token).unwrap();
    let set = JwkSet::from_map(&get_map(&v, &["jwks"])).unwrap();
    for (name, p) in providers() {
        assert_eq!(verify_token(token, &set, p), Ok(()), "{name}");
    }
    // PKCS#1 "RSA PRIVATE KEY" PEM.
    let key = SigningKey::from_pkcs8_pem(get_str(&v, &["private_key_pem_pkcs1"]), Algorithm::RS256)
        .unwrap()
        .with_kid("golden-kid".into());
    assert_eq!(key.sign(jws.signing_input).unwrap(), jws.signature);
    // The public half is the published key.
    assert_eq!(key.public_jwk().thumbprint(), set.keys()[0].thumbprint());
    // Through a private JWK export and re-import: same signature.
    let again = SigningKey::from_jwk_map(&key.to_jwk_map()).unwrap();
    assert_eq!(again.sign(jws.signing_input).unwrap(), jws.signature);
    assert_eq!(again.kid(), Some("golden-kid"));
    assert_eq!(again.alg(), Algorithm::RS256);
}

// ---- independent signatures (Python cryptography) ------------------------------------------

#[test]
fn signatures_from_another_implementation_verify() {
    let msg = message();
    let cases = [
        ("p256", "ES256", Algorithm::ES256),
        ("p384", "ES384", Algorithm::ES384),
        ("rsa2048", "RS256", Algorithm::RS256),
        ("rsa2048", "RS384", Algorithm::RS384),
        ("rsa2048", "RS512", Algorithm::RS512),
        ("rsa2048", "PS256", Algorithm::PS256),
        ("rsa2048", "PS384", Algorithm::PS384),
        ("rsa2048", "PS512", Algorithm::PS512),
        ("ed25519", "EdDSA", Algorithm::EdDSA),
    ];
    for (key_name, sig_name, alg) in cases {
        let fx = fixture_key(key_name);
        let jwk = Jwk::from_map(&get_map(&fx, &["public"])).unwrap();
        let sig = sig_of(&fx, sig_name);
        for (name, p) in providers() {
            assert_eq!(
                p.verify(alg, &jwk, msg.as_bytes(), &sig),
                Ok(()),
                "{sig_name} {name}"
            );
            assert_eq!(
                p.verify(alg, &jwk, b"another message", &sig),
                Err(Error::BadSignature),
                "{sig_name} {name}"
            );
        }
    }
}

#[test]
fn pss_salt_length_must_equal_hash_length() {
    // RFC 7518 section 3.5: PS256 uses a 32-octet salt. A PSS signature with another salt
    // length is valid RSASSA-PSS but not PS256.
    let fx = fixture_key("rsa2048");
    let jwk = Jwk::from_map(&get_map(&fx, &["public"])).unwrap();
    let sig = sig_of(&fx, "PS256_maxsalt");
    for (name, p) in providers() {
        assert_eq!(
            p.verify(Algorithm::PS256, &jwk, message().as_bytes(), &sig),
            Err(Error::BadSignature),
            "{name}"
        );
    }
    // A PS384 signature is not a PS256 one, nor an RS256 one.
    let ps384 = sig_of(&fx, "PS384");
    let ps256 = sig_of(&fx, "PS256");
    for (_, p) in providers() {
        assert_eq!(
            p.verify(Algorithm::PS256, &jwk, message().as_bytes(), &ps384),
            Err(Error::BadSignature)
        );
        assert_eq!(
            p.verify(Algorithm::RS256, &jwk, message().as_bytes(), &ps256),
            Err(Error::BadSignature)
        );
    }
}

#[test]
fn thumbprints() {
    // RFC 7638 section 3.1.
    let rfc = obj(
        r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#,
    );
    let jwk = Jwk::from_map(&rfc).unwrap();
    assert_eq!(
        jwk.thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert!(jwk
        .thumbprint_input()
        .starts_with(r#"{"e":"AQAB","kty":"RSA","n":"0vx7"#));
    for name in ["p256", "p384", "rsa2048", "ed25519"] {
        let fx = fixture_key(name);
        let jwk = Jwk::from_map(&get_map(&fx, &["public"])).unwrap();
        assert_eq!(jwk.thumbprint(), get_str(&fx, &["thumbprint"]), "{name}");
        let key = SigningKey::from_jwk_map(&get_map(&fx, &["private"])).unwrap();
        assert_eq!(key.public_jwk().thumbprint(), jwk.thumbprint(), "{name}");
    }
}

// ---- signing ---------------------------------------------------------------------------------

fn pem_keys() -> Vec<(SigningKey, &'static str)> {
    let fx = fixtures();
    let pem = |k: &str, member: &str| get_str(&fx, &["keys", k, member]).to_string();
    let mut out = Vec::new();
    for (k, member, alg) in [
        ("p256", "pem", Algorithm::ES256),
        ("p256", "sec1_pem", Algorithm::ES256),
        ("p384", "pem", Algorithm::ES384),
        ("rsa2048", "pem", Algorithm::RS256),
        ("rsa2048", "pkcs1_pem", Algorithm::RS384),
        ("rsa2048", "pem", Algorithm::RS512),
        ("rsa2048", "pkcs1_pem", Algorithm::PS256),
        ("rsa2048", "pem", Algorithm::PS384),
        ("rsa2048", "pem", Algorithm::PS512),
        ("ed25519", "pem", Algorithm::EdDSA),
    ] {
        let key = SigningKey::from_pkcs8_pem(&pem(k, member), alg)
            .unwrap_or_else(|e| panic!("{k} {member} {alg}: {e}"))
            .with_kid(format!("{k}-{alg}"));
        assert_eq!(key.alg(), alg);
        out.push((key, k));
    }
    out
}

/// A deterministic "random" source for PSS in tests (never for real keys).
fn counter_fill() -> impl FnMut(&mut [u8]) -> Result<(), Error> {
    let mut n = 0u8;
    move |buf: &mut [u8]| {
        for b in buf {
            n = n.wrapping_add(97);
            *b = n;
        }
        Ok(())
    }
}

fn sign_any(key: &SigningKey, input: &[u8]) -> Vec<u8> {
    let mut fill = counter_fill();
    key.sign_with_rng(input, &mut fill).unwrap()
}

#[test]
fn pem_keys_sign_and_verify_round_trip() {
    let input = b"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0";
    let keys = pem_keys();
    let publics: Vec<Map> = keys.iter().map(|(k, _)| k.public_jwk_map()).collect();
    let set = set_of(&publics);
    assert_eq!(set.len(), keys.len());
    for (key, fixture) in &keys {
        let sig = sign_any(key, input);
        let jwk = set.select(key.kid(), key.alg()).unwrap();
        assert_eq!(jwk.kid(), key.kid());
        for (name, p) in providers() {
            assert_eq!(
                p.verify(key.alg(), jwk, input, &sig),
                Ok(()),
                "{} {name}",
                key.alg()
            );
        }
        // The public JWK is the fixture's.
        let fx = fixture_key(fixture);
        assert_eq!(jwk.thumbprint(), get_str(&fx, &["thumbprint"]));
        let m = key.public_jwk_map();
        assert_eq!(m.get_str("use"), Some("sig"));
        assert_eq!(m.get_str("alg"), Some(key.alg().name()));
        assert!(!m.contains_key("d"));
    }
}

#[test]
fn deterministic_algorithms_are_deterministic() {
    let input = b"a.b";
    for (key, _) in pem_keys() {
        let a = sign_any(&key, input);
        let b = sign_any(&key, input);
        match key.alg() {
            Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => {}
            _ => assert_eq!(a, b, "{}", key.alg()),
        }
        let expected_len = match key.alg() {
            Algorithm::ES256 | Algorithm::EdDSA => 64,
            Algorithm::ES384 => 96,
            _ => 256,
        };
        assert_eq!(a.len(), expected_len, "{}", key.alg());
    }
}

#[test]
fn private_jwks_match_the_pem_keys() {
    let msg = message();
    for (name, alg) in [
        ("p256", Algorithm::ES256),
        ("p384", Algorithm::ES384),
        ("rsa2048", Algorithm::RS256),
        ("ed25519", Algorithm::EdDSA),
    ] {
        let fx = fixture_key(name);
        let from_jwk = SigningKey::from_jwk_map(&get_map(&fx, &["private"])).unwrap();
        assert_eq!(from_jwk.alg(), alg, "default alg of {name}");
        let from_pem = SigningKey::from_pkcs8_pem(get_str(&fx, &["pem"]), alg).unwrap();
        assert_eq!(
            from_jwk.sign(msg.as_bytes()).unwrap(),
            from_pem.sign(msg.as_bytes()).unwrap()
        );
        // Export and re-import the private JWK: same members as the independent export.
        let exported = from_pem.to_jwk_map();
        let private = get_map(&fx, &["private"]);
        for (k, v) in private.iter() {
            assert_eq!(exported.get(k), Some(v), "{name} member {k}");
        }
        // Ed25519 and RSA signatures are fully deterministic: equal to the fixture's.
        if matches!(alg, Algorithm::EdDSA | Algorithm::RS256) {
            assert_eq!(
                from_jwk.sign(msg.as_bytes()).unwrap(),
                sig_of(&fx, alg.name()),
                "{name}"
            );
        }
        // Also readable from JSON text.
        let text = Value::Object(private).to_json();
        assert!(SigningKey::from_jwk(&text).is_ok());
    }
}

#[test]
fn private_jwk_consistency_is_checked() {
    let ec = get_map(&fixture_key("p256"), &["private"]);
    let other_x = get_str(&fixture_key("p384"), &["public", "x"]).to_string();
    let bad_x = with(
        ec.clone(),
        "x",
        get_str(
            &obj(r#"{"x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"}"#),
            &["x"],
        ),
    );
    assert!(matches!(
        SigningKey::from_jwk_map(&bad_x),
        Err(Error::InvalidSigningKey(_))
    ));
    assert!(matches!(
        SigningKey::from_jwk_map(&with(ec.clone(), "x", other_x)),
        Err(Error::InvalidSigningKey(_))
    ));
    assert!(matches!(
        SigningKey::from_jwk_map(&without(ec.clone(), "d")),
        Err(Error::InvalidSigningKey(_))
    ));
    assert!(matches!(
        SigningKey::from_jwk_map(&with(ec.clone(), "d", "AAAA")),
        Err(Error::InvalidSigningKey(_))
    ));
    // alg must fit, use must be sig, key_ops must allow sign.
    assert!(SigningKey::from_jwk_map(&with(ec.clone(), "alg", "ES256")).is_ok());
    for (k, v) in [
        ("alg", Value::from("RS256")),
        ("alg", "HS256".into()),
        ("use", "enc".into()),
    ] {
        assert!(
            matches!(
                SigningKey::from_jwk_map(&with(ec.clone(), k, v)),
                Err(Error::InvalidSigningKey(_))
            ),
            "{k}"
        );
    }
    let ops = |list: &[&str]| Value::from(list.iter().map(|s| Value::from(*s)).collect::<Vec<_>>());
    assert!(SigningKey::from_jwk_map(&with(ec.clone(), "key_ops", ops(&["sign"]))).is_ok());
    assert!(SigningKey::from_jwk_map(&with(ec.clone(), "key_ops", ops(&["verify"]))).is_err());

    let rsa = get_map(&fixture_key("rsa2048"), &["private"]);
    // A wrong CRT value is caught.
    let dq = get_str(&rsa, &["dp"]).to_string();
    assert!(matches!(
        SigningKey::from_jwk_map(&with(rsa.clone(), "dq", dq)),
        Err(Error::InvalidSigningKey(_))
    ));
    let qi = get_str(&rsa, &["p"]).to_string();
    assert!(matches!(
        SigningKey::from_jwk_map(&with(rsa.clone(), "qi", qi)),
        Err(Error::InvalidSigningKey(_))
    ));
    // Swapped primes (qi then no longer fits).
    let (p, q) = (
        get_str(&rsa, &["p"]).to_string(),
        get_str(&rsa, &["q"]).to_string(),
    );
    assert!(SigningKey::from_jwk_map(&with(with(rsa.clone(), "p", q), "q", p)).is_err());
    // Some CRT members but not all: refused (RFC 7518 section 6.3.2).
    assert!(matches!(
        SigningKey::from_jwk_map(&without(rsa.clone(), "qi")),
        Err(Error::InvalidSigningKey(_))
    ));
    // None at all: the primes are recovered, and signatures are identical.
    let mut bare = rsa.clone();
    for m in ["p", "q", "dp", "dq", "qi"] {
        bare.remove(m);
    }
    let msg = message();
    let full = SigningKey::from_jwk_map(&rsa).unwrap();
    let recovered = SigningKey::from_jwk_map(&bare).unwrap();
    assert_eq!(
        full.sign(msg.as_bytes()).unwrap(),
        recovered.sign(msg.as_bytes()).unwrap()
    );
    // A d of another key.
    let other = with(rsa.clone(), "d", get_str(&rsa, &["dp"]));
    assert!(SigningKey::from_jwk_map(&other).is_err());
    // Multi-prime and symmetric keys are refused.
    assert!(SigningKey::from_jwk_map(&with(rsa.clone(), "oth", Value::Array(vec![]))).is_err());
    assert!(matches!(
        SigningKey::from_jwk(r#"{"kty":"oct","k":"c2VjcmV0"}"#),
        Err(Error::InvalidSigningKey(_))
    ));

    let ed = get_map(&fixture_key("ed25519"), &["private"]);
    let wrong = with(
        ed.clone(),
        "x",
        get_str(&fixture_key("p256"), &["public", "x"]),
    );
    assert!(SigningKey::from_jwk_map(&wrong).is_err());
}

#[test]
fn pem_labels_and_key_sizes() {
    let fx = fixtures();
    let p256 = get_str(&fx, &["keys", "p256", "pem"]);
    let rsa = get_str(&fx, &["keys", "rsa2048", "pem"]);
    // A key of another type than alg.
    assert!(matches!(
        SigningKey::from_pkcs8_pem(p256, Algorithm::RS256),
        Err(Error::InvalidSigningKey(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs8_pem(p256, Algorithm::ES384),
        Err(Error::InvalidSigningKey(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs8_pem(rsa, Algorithm::ES256),
        Err(Error::InvalidSigningKey(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs8_pem("hello", Algorithm::ES256),
        Err(Error::InvalidSigningKey(_))
    ));
    let encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
    assert!(matches!(
        SigningKey::from_pkcs8_pem(encrypted, Algorithm::ES256),
        Err(Error::InvalidSigningKey(_))
    ));
    let corrupt = p256.replace("M", "N");
    assert!(SigningKey::from_pkcs8_pem(&corrupt, Algorithm::ES256).is_err());
    // 1024-bit RSA is refused with the precise reason.
    let weak = get_str(&fx, &["keys", "rsa1024", "pem"]);
    assert_eq!(
        SigningKey::from_pkcs8_pem(weak, Algorithm::RS256).unwrap_err(),
        Error::WeakRsaKey { bits: 1024 }
    );
    // with_alg switches between algorithms of the same key type only.
    let k = SigningKey::from_pkcs8_pem(rsa, Algorithm::RS256).unwrap();
    let k = k.with_alg(Algorithm::PS256).unwrap();
    assert_eq!(k.alg(), Algorithm::PS256);
    assert!(matches!(
        k.with_alg(Algorithm::ES256),
        Err(Error::InvalidSigningKey(_))
    ));
}

#[test]
fn debug_never_shows_private_material() {
    for (key, _) in pem_keys() {
        let shown = format!("{key:?}");
        let d = key.to_jwk_map().get_str("d").unwrap().to_string();
        assert!(!shown.contains(&d), "{shown}");
        assert!(!shown.contains(&d[..12]), "{shown}");
        assert!(shown.contains("SigningKey"));
    }
}

#[cfg(not(feature = "getrandom"))]
#[test]
fn pss_without_randomness_is_an_rng_error() {
    let fx = fixtures();
    let key =
        SigningKey::from_pkcs8_pem(get_str(&fx, &["keys", "rsa2048", "pem"]), Algorithm::PS256)
            .unwrap();
    assert_eq!(key.sign(b"a.b"), Err(Error::Rng));
    let mut failing = |_: &mut [u8]| Err(Error::Rng);
    assert_eq!(key.sign_with_rng(b"a.b", &mut failing), Err(Error::Rng));
}

#[cfg(feature = "getrandom")]
#[test]
fn generated_keys_round_trip_for_every_algorithm() {
    let input = b"eyJhbGciOiJQUzI1NiJ9.eyJqdGkiOiIxIn0";
    let is_rsa = |a: Algorithm| a.name().starts_with("RS") || a.name().starts_with("PS");
    // One RSA generation (the slow part), then every RSA algorithm with that key.
    let rsa = SigningKey::generate(Algorithm::RS256).unwrap();
    for alg in Algorithm::ALL {
        let key = if is_rsa(alg) {
            SigningKey::from_jwk_map(&rsa.to_jwk_map())
                .unwrap()
                .with_alg(alg)
                .unwrap()
        } else {
            SigningKey::generate(alg).unwrap()
        }
        .with_kid(format!("gen-{alg}"));
        assert_eq!(key.alg(), alg);
        let sig = key.sign(input).unwrap();
        let set = set_of(&[key.public_jwk_map()]);
        let jwk = set.select(Some(&format!("gen-{alg}")), alg).unwrap();
        for (name, p) in providers() {
            // ring has no P-521: it must say so rather than refuse the signature.
            let want = if p.supports(alg) {
                Ok(())
            } else {
                Err(Error::UnsupportedAlgorithm(alg.name().into()))
            };
            assert_eq!(p.verify(alg, jwk, input, &sig), want, "{alg} {name}");
        }
        if let Some(bits) = jwk.rsa_bits() {
            assert_eq!(bits, 2048);
        }
        // Private JWK export / import keeps the key.
        let back = SigningKey::from_jwk_map(&key.to_jwk_map()).unwrap();
        assert_eq!(back.public_jwk().thumbprint(), jwk.thumbprint());
        assert_eq!(back.kid(), key.kid());
        // PSS signatures are randomized.
        if alg.name().starts_with('P') {
            assert_ne!(key.sign(input).unwrap(), sig);
        }
    }
}

// ---- key sets and selection -------------------------------------------------------------------

fn rsa1024_public() -> Map {
    with(get_map(&fixture_key("rsa1024"), &["public"]), "kid", "weak")
}

#[test]
fn weak_rsa_keys_are_skipped_with_their_reason() {
    let strong = with(
        get_map(&fixture_key("rsa2048"), &["public"]),
        "kid",
        "strong",
    );
    let set = set_of(&[rsa1024_public(), strong]);
    assert_eq!(set.len(), 1);
    assert_eq!(set.skipped().len(), 1);
    assert_eq!(
        set.skipped()[0],
        (Some("weak".to_string()), Error::WeakRsaKey { bits: 1024 })
    );
    assert_eq!(
        set.select(Some("weak"), Algorithm::RS256).unwrap_err(),
        Error::WeakRsaKey { bits: 1024 }
    );
    assert_eq!(
        set.select(Some("strong"), Algorithm::RS256).unwrap().kid(),
        Some("strong")
    );
    // Without a kid only the usable key counts.
    assert_eq!(
        set.select(None, Algorithm::RS256).unwrap().kid(),
        Some("strong")
    );
    assert_eq!(
        Jwk::from_map(&rsa1024_public()).unwrap_err(),
        Error::WeakRsaKey { bits: 1024 }
    );
}

#[test]
fn symmetric_keys_are_never_selectable() {
    let oct =
        obj(r#"{"kty":"oct","kid":"h","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0","alg":"HS256"}"#);
    let ec = with(get_map(&fixture_key("p256"), &["public"]), "kid", "e");
    let set = set_of(&[oct.clone(), ec]);
    assert_eq!(set.len(), 1);
    assert!(matches!(Jwk::from_map(&oct), Err(Error::InvalidJwk(_))));
    for alg in Algorithm::ALL {
        let err = set.select(Some("h"), alg).unwrap_err();
        assert!(matches!(err, Error::InvalidJwk(_)), "{alg}: {err:?}");
        assert!(set.candidates(Some("h"), alg).next().is_none());
    }
    // HS256 itself never becomes an Algorithm.
    assert_eq!(
        Algorithm::from_header("HS256"),
        Err(Error::AlgHmac("HS256".into()))
    );
    // A set of only an oct key has no usable key.
    let only = set_of(&[oct]);
    assert!(only.is_empty());
    assert_eq!(
        only.select(None, Algorithm::ES256).unwrap_err(),
        Error::NoUsableKey
    );
}

#[test]
fn key_alg_use_and_key_ops_are_honoured() {
    let base = with(get_map(&fixture_key("rsa2048"), &["public"]), "kid", "k");
    let ops = |list: &[&str]| Value::from(list.iter().map(|s| Value::from(*s)).collect::<Vec<_>>());
    let ok = [
        with(base.clone(), "alg", "RS256"),
        with(base.clone(), "use", "sig"),
        with(base.clone(), "key_ops", ops(&["verify"])),
        with(base.clone(), "key_ops", ops(&["sign", "verify"])),
    ];
    for m in ok {
        let jwk = Jwk::from_map(&m).unwrap();
        assert_eq!(jwk.check_alg(Algorithm::RS256), Ok(()));
        assert_eq!(
            set_of(&[m])
                .select(Some("k"), Algorithm::RS256)
                .map(|k| k.kid()),
            Ok(Some("k"))
        );
    }
    let refused = [
        with(base.clone(), "alg", "RS384"),
        with(base.clone(), "alg", "PS256"),
        with(base.clone(), "alg", "RSA-OAEP"),
        with(base.clone(), "use", "enc"),
        with(base.clone(), "key_ops", ops(&["encrypt"])),
        with(base.clone(), "key_ops", ops(&[])),
    ];
    for m in refused {
        let jwk = Jwk::from_map(&m).unwrap();
        assert!(
            matches!(jwk.check_alg(Algorithm::RS256), Err(Error::KeyMismatch(_))),
            "{m:?}"
        );
        let set = set_of(&[m]);
        assert!(matches!(
            set.select(Some("k"), Algorithm::RS256),
            Err(Error::KeyMismatch(_))
        ));
        assert_eq!(
            set.select(None, Algorithm::RS256).unwrap_err(),
            Error::NoUsableKey
        );
        // Providers refuse too (defence in depth), before any arithmetic.
        for (_, p) in providers() {
            assert!(matches!(
                p.verify(Algorithm::RS256, &jwk, b"x", &[0; 256]),
                Err(Error::KeyMismatch(_))
            ));
        }
    }
    let jwk = Jwk::from_map(&with(base.clone(), "alg", "RS384")).unwrap();
    assert_eq!(jwk.alg(), Some(Algorithm::RS384));
    assert_eq!(jwk.alg_member(), Some("RS384"));
    // Malformed metadata makes the key invalid.
    for m in [
        with(base.clone(), "key_ops", "verify"),
        with(base.clone(), "key_ops", ops(&["verify", "verify"])),
        with(base.clone(), "use", 1i64),
        with(base.clone(), "kid", 7i64),
        with(base.clone(), "alg", Value::Null),
    ] {
        assert!(
            matches!(Jwk::from_map(&m), Err(Error::InvalidJwk(_))),
            "{m:?}"
        );
    }
    // RFC 9864 fully-specified "Ed25519" is the same algorithm as EdDSA for a key.
    let ed = with(
        get_map(&fixture_key("ed25519"), &["public"]),
        "alg",
        "Ed25519",
    );
    let jwk = Jwk::from_map(&ed).unwrap();
    assert_eq!(jwk.alg(), Some(Algorithm::EdDSA));
    assert_eq!(jwk.check_alg(Algorithm::EdDSA), Ok(()));
}

#[test]
fn key_types_must_fit_the_algorithm() {
    let ec = Jwk::from_map(&get_map(&fixture_key("p256"), &["public"])).unwrap();
    let ec384 = Jwk::from_map(&get_map(&fixture_key("p384"), &["public"])).unwrap();
    let rsa = Jwk::from_map(&get_map(&fixture_key("rsa2048"), &["public"])).unwrap();
    let ed = Jwk::from_map(&get_map(&fixture_key("ed25519"), &["public"])).unwrap();
    for alg in Algorithm::ALL {
        let fits = |k: &Jwk| k.check_alg(alg).is_ok();
        assert_eq!(fits(&ec), alg == Algorithm::ES256, "{alg}");
        assert_eq!(fits(&ec384), alg == Algorithm::ES384, "{alg}");
        assert_eq!(fits(&ed), alg == Algorithm::EdDSA, "{alg}");
        assert_eq!(
            fits(&rsa),
            alg.name().starts_with("RS") || alg.name().starts_with("PS"),
            "{alg}"
        );
    }
    // An EC key named by a token that says RS256: KeyMismatch.
    let set = set_of(&[with(ec.to_map(), "kid", "k")]);
    assert!(matches!(
        set.select(Some("k"), Algorithm::RS256),
        Err(Error::KeyMismatch(_))
    ));
    assert!(matches!(
        set.select(Some("k"), Algorithm::ES384),
        Err(Error::KeyMismatch(_))
    ));
    for (_, p) in providers() {
        assert!(matches!(
            p.verify(Algorithm::RS256, &ec, b"x", &[0; 64]),
            Err(Error::KeyMismatch(_))
        ));
        assert!(matches!(
            p.verify(Algorithm::ES256, &rsa, b"x", &[0; 256]),
            Err(Error::KeyMismatch(_))
        ));
        assert!(matches!(
            p.verify(Algorithm::EdDSA, &ec, b"x", &[0; 64]),
            Err(Error::KeyMismatch(_))
        ));
    }
    // Accessors.
    assert_eq!(ec.kty(), "EC");
    assert!(
        matches!(ec.params(), KeyParams::Ec { curve: EcCurve::P256, x, y } if x.len() == 32 && y.len() == 32)
    );
    assert!(matches!(
        ec384.params(),
        KeyParams::Ec {
            curve: EcCurve::P384,
            ..
        }
    ));
    assert!(matches!(ed.params(), KeyParams::Ed25519 { x } if x.len() == 32));
    assert!(matches!(rsa.params(), KeyParams::Rsa { n, e } if n.len() == 256 && e == [1, 0, 1]));
    assert_eq!(rsa.rsa_bits(), Some(2048));
    assert_eq!(ec.rsa_bits(), None);
}

#[test]
fn selection_by_kid() {
    let a = with(get_map(&fixture_key("p256"), &["public"]), "kid", "a");
    let b = with(get_map(&fixture_key("rsa2048"), &["public"]), "kid", "b");
    let c = with(get_map(&fixture_key("p384"), &["public"]), "kid", "a");
    let set = set_of(&[a.clone(), b.clone(), c]);
    assert_eq!(
        set.select(Some("zzz"), Algorithm::ES256).unwrap_err(),
        Error::UnknownKid("zzz".into())
    );
    // kid matching is exact.
    assert_eq!(
        set.select(Some("A"), Algorithm::ES256).unwrap_err(),
        Error::UnknownKid("A".into())
    );
    // Two keys share kid "a": the one that fits alg is chosen.
    assert_eq!(
        set.select(Some("a"), Algorithm::ES256).unwrap().params(),
        Jwk::from_map(&a).unwrap().params()
    );
    assert!(matches!(
        set.select(Some("a"), Algorithm::ES384).unwrap().params(),
        KeyParams::Ec {
            curve: EcCurve::P384,
            ..
        }
    ));
    assert!(matches!(
        set.select(Some("a"), Algorithm::RS256),
        Err(Error::KeyMismatch(_))
    ));
    // Without kid: exactly one key must fit.
    assert_eq!(set.select(None, Algorithm::RS256).unwrap().kid(), Some("b"));
    let two_ec = set_of(&[a.clone(), with(a.clone(), "kid", "a2")]);
    assert_eq!(
        two_ec.select(None, Algorithm::ES256).unwrap_err(),
        Error::NoUsableKey
    );
    assert_eq!(two_ec.candidates(None, Algorithm::ES256).count(), 2);
    assert_eq!(
        set_of(&[]).select(None, Algorithm::ES256).unwrap_err(),
        Error::NoUsableKey
    );
    // from_keys / keys / to_map.
    let set = JwkSet::from_keys(vec![Jwk::from_map(&a).unwrap()]);
    assert_eq!(set.keys().len(), 1);
    let back = JwkSet::from_map(&set.to_map()).unwrap();
    assert_eq!(back.keys(), set.keys());
}

#[test]
fn jwk_parsing_is_strict() {
    let ec = get_map(&fixture_key("p256"), &["public"]);
    let rsa = get_map(&fixture_key("rsa2048"), &["public"]);
    let ed = get_map(&fixture_key("ed25519"), &["public"]);
    let x = get_str(&ec, &["x"]).to_string();
    let n = base64url::decode(get_str(&rsa, &["n"]).as_bytes()).unwrap();
    let mut padded_n = vec![0u8];
    padded_n.extend_from_slice(&n);
    let mut even_n = n.clone();
    *even_n.last_mut().unwrap() &= 0xfe;
    let mut off_curve_y = base64url::decode(get_str(&ec, &["y"]).as_bytes()).unwrap();
    off_curve_y[31] ^= 1;
    let b = |bytes: &[u8]| Value::from(base64url::encode(bytes));
    let bad: Vec<(Map, &str)> = vec![
        (without(ec.clone(), "kty"), "no kty"),
        (with(ec.clone(), "kty", "ec"), "kty is case-sensitive"),
        (with(ec.clone(), "crv", "P-521"), "unsupported curve"),
        (with(ec.clone(), "crv", "secp256k1"), "unsupported curve"),
        (without(ec.clone(), "y"), "EC without y"),
        (with(ec.clone(), "x", &x[..40]), "short x"),
        (with(ec.clone(), "x", format!("{x}AAAA")), "long x"),
        (with(ec.clone(), "x", format!("{x}=")), "padded base64"),
        (
            with(ec.clone(), "y", b(&off_curve_y)),
            "point off the curve",
        ),
        (with(ec.clone(), "x", b(&[0; 32])), "x of zeros"),
        (with(ec.clone(), "d", "AAAA"), "private member"),
        (
            with(rsa.clone(), "n", b(&padded_n)),
            "n with a leading zero octet",
        ),
        (with(rsa.clone(), "n", b(&even_n)), "even modulus"),
        (with(rsa.clone(), "e", "AQ"), "e = 1"),
        (with(rsa.clone(), "e", "Ag"), "e = 2"),
        (with(rsa.clone(), "e", "AAEAAQ"), "e with a leading zero"),
        (with(rsa.clone(), "e", b(&[1; 9])), "e too large"),
        (with(rsa.clone(), "e", ""), "empty e"),
        (without(rsa.clone(), "e"), "no e"),
        (with(rsa.clone(), "n", 5i64), "n not a string"),
        (with(rsa.clone(), "p", "AQAB"), "private RSA member"),
        (with(ed.clone(), "crv", "Ed448"), "Ed448"),
        (with(ed.clone(), "crv", "X25519"), "X25519"),
        (
            with(ed.clone(), "x", b(&[0; 32])),
            "small-order Ed25519 key",
        ),
        (with(ed.clone(), "x", b(&[1; 31])), "short Ed25519 key"),
        (obj(r#"{"kty":"oct","k":"AAAA"}"#), "oct"),
        (obj(r#"{"kty":"RSA-PSS"}"#), "unknown kty"),
    ];
    for (m, why) in bad {
        let err = Jwk::from_map(&m).unwrap_err();
        assert!(matches!(err, Error::InvalidJwk(_)), "{why}: {err:?}");
    }
    // A modulus over 8192 bits.
    let mut huge = vec![0xc5u8; 1025];
    huge[1024] |= 1;
    assert!(matches!(
        Jwk::from_map(&with(rsa.clone(), "n", b(&huge))),
        Err(Error::InvalidJwk(_))
    ));
    // Unknown members are kept, private ones never appear.
    let extra = with(ec.clone(), "x5t", "abc");
    assert_eq!(Jwk::from_map(&extra).unwrap().to_map(), extra);
    assert!(Jwk::from_json(&Value::Object(ec.clone()).to_json()).is_ok());
    assert!(Jwk::from_json("[1]").is_err());
}

#[test]
fn jwk_set_limits_and_shape() {
    let ec = get_map(&fixture_key("p256"), &["public"]);
    assert!(matches!(JwkSet::from_json("{}"), Err(Error::InvalidJwk(_))));
    assert!(matches!(
        JwkSet::from_json(r#"{"keys":{}}"#),
        Err(Error::InvalidJwk(_))
    ));
    assert!(matches!(
        JwkSet::from_json("[]"),
        Err(Error::NotAnObject { .. })
    ));
    assert!(matches!(
        JwkSet::from_json(r#"{"keys":[],"keys":[]}"#),
        Err(Error::DuplicateMember { .. })
    ));
    let many: Vec<Value> = (0..=ssf_core::limits::MAX_JWKS_KEYS)
        .map(|_| Value::Object(ec.clone()))
        .collect();
    let mut m = Map::new();
    m.insert("keys", many);
    assert!(matches!(JwkSet::from_map(&m), Err(Error::TooLarge { .. })));
    let big = format!(
        r#"{{"keys":[],"pad":"{}"}}"#,
        "a".repeat(ssf_core::limits::MAX_JWKS_LEN)
    );
    assert!(matches!(
        JwkSet::from_json(&big),
        Err(Error::TooLarge { .. })
    ));
    // Entries that are not objects are skipped, not fatal.
    let set = JwkSet::from_json(&format!(
        r#"{{"keys":[1,"x",{}]}}"#,
        Value::Object(ec).to_json()
    ))
    .unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(set.skipped().len(), 2);
}

// ---- signature encodings ------------------------------------------------------------------------

#[test]
fn signature_lengths_and_ranges() {
    let msg = message();
    let cases = [
        ("p256", "ES256", Algorithm::ES256, 32usize),
        ("p384", "ES384", Algorithm::ES384, 48),
    ];
    for (key_name, sig_name, alg, half) in cases {
        let fx = fixture_key(key_name);
        let jwk = Jwk::from_map(&get_map(&fx, &["public"])).unwrap();
        let sig = sig_of(&fx, sig_name);
        let mut variants: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "empty"),
            (sig[..sig.len() - 1].to_vec(), "one octet short"),
            ([sig.clone(), vec![0]].concat(), "one octet long"),
            ([vec![0], sig.clone()].concat(), "leading zero"),
            (vec![0; 2 * half], "r = s = 0"),
            ([vec![0; half], sig[half..].to_vec()].concat(), "r = 0"),
            ([sig[..half].to_vec(), vec![0; half]].concat(), "s = 0"),
            (vec![0xff; 2 * half], "r, s >= n"),
        ];
        // DER, as some libraries (wrongly, for JWS) produce.
        let mut der = vec![0x30, 0x00];
        for part in [&sig[..half], &sig[half..]] {
            der.push(0x02);
            der.push(half as u8 + 1);
            der.push(0);
            der.extend_from_slice(part);
        }
        der[1] = (der.len() - 2) as u8;
        variants.push((der, "DER encoding"));
        // r and s swapped.
        variants.push((
            [sig[half..].to_vec(), sig[..half].to_vec()].concat(),
            "swapped",
        ));
        for (name, p) in providers() {
            assert_eq!(p.verify(alg, &jwk, msg.as_bytes(), &sig), Ok(()));
            for (v, why) in &variants {
                assert_eq!(
                    p.verify(alg, &jwk, msg.as_bytes(), v),
                    Err(Error::BadSignature),
                    "{sig_name} {why} {name}"
                );
            }
        }
    }
    let fx = fixture_key("rsa2048");
    let jwk = Jwk::from_map(&get_map(&fx, &["public"])).unwrap();
    let n = match jwk.params() {
        KeyParams::Rsa { n, .. } => n.to_vec(),
        _ => unreachable!(),
    };
    for alg_name in ["RS256", "PS256"] {
        let alg = Algorithm::from_name(alg_name).unwrap();
        let sig = sig_of(&fx, alg_name);
        let variants: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "empty"),
            (sig[1..].to_vec(), "one octet short"),
            ([vec![0], sig.clone()].concat(), "leading zero"),
            ([sig.clone(), vec![0]].concat(), "trailing zero"),
            (n.clone(), "s = n"),
            (vec![0xff; 256], "s > n"),
            (vec![0; 256], "s = 0"),
            (
                {
                    let mut one = vec![0; 256];
                    one[255] = 1;
                    one
                },
                "s = 1",
            ),
        ];
        for (name, p) in providers() {
            for (v, why) in &variants {
                assert_eq!(
                    p.verify(alg, &jwk, msg.as_bytes(), v),
                    Err(Error::BadSignature),
                    "{alg_name} {why} {name}"
                );
            }
        }
    }
    let fx = fixture_key("ed25519");
    let jwk = Jwk::from_map(&get_map(&fx, &["public"])).unwrap();
    let sig = sig_of(&fx, "EdDSA");
    // S + L (non-canonical S) must be refused (RFC 8032 section 5.1.7).
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut s_plus_l = sig.clone();
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s_plus_l[32 + i]) + u16::from(l[i]) + carry;
        s_plus_l[32 + i] = v as u8;
        carry = v >> 8;
    }
    for (name, p) in providers() {
        for (v, why) in [
            (sig[..63].to_vec(), "short"),
            ([sig.clone(), vec![0]].concat(), "long"),
            (vec![0; 64], "zeros"),
            (s_plus_l.clone(), "S + L"),
        ] {
            assert_eq!(
                p.verify(Algorithm::EdDSA, &jwk, msg.as_bytes(), &v),
                Err(Error::BadSignature),
                "{why} {name}"
            );
        }
    }
}

/// A header naming RFC 9864's fully-specified `Ed25519` verifies as EdDSA; its casing is
/// exact, like every other algorithm name.
#[cfg(feature = "getrandom")]
#[test]
fn header_alg_ed25519_is_eddsa() {
    use ssf_core::set::{verify, VerifyOptions};
    let key = SigningKey::generate(Algorithm::EdDSA)
        .unwrap()
        .with_kid("ed".into());
    let keys = JwkSet::from_keys(vec![key.public_jwk()]);
    let claims = r#"{"iss":"https://idp.example.com/","jti":"j1","iat":1700000000,"aud":"https://sp.example.com/","sub_id":{"format":"opaque","id":"x"},"events":{"https://schemas.openid.net/secevent/ssf/event-type/verification":{}}}"#;
    let token = |alg: &str| {
        let header = format!(r#"{{"alg":"{alg}","kid":"ed","typ":"secevent+jwt"}}"#);
        let mut t = base64url::encode(header.as_bytes());
        t.push('.');
        t.push_str(&base64url::encode(claims.as_bytes()));
        let sig = key.sign(t.as_bytes()).unwrap();
        t.push('.');
        t.push_str(&base64url::encode(&sig));
        t
    };
    let opts = VerifyOptions::new(1_700_000_000);
    let set = verify(&token("Ed25519"), &keys, &opts).expect("Ed25519 header");
    assert_eq!(set.header.algorithm(), Ok(Algorithm::EdDSA));
    assert!(verify(&token("EdDSA"), &keys, &opts).is_ok());
    assert_eq!(
        verify(&token("ed25519"), &keys, &opts).unwrap_err(),
        Error::AlgNotAllowed("ed25519".into())
    );
    let mut only_es = VerifyOptions::new(1_700_000_000);
    only_es.algorithms = Some(vec![Algorithm::ES256]);
    assert_eq!(
        verify(&token("Ed25519"), &keys, &only_es).unwrap_err(),
        Error::AlgNotAllowed("EdDSA".into())
    );
}
