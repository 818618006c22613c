//! Helpers shared by the integration tests: fixed test keys, token forging, vector files.
#![allow(dead_code)]

use std::path::PathBuf;

use ssf_core::base64url;
use ssf_core::json::{self, Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;

/// The shared test data, read in place beside the checkout.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

pub fn data(name: &str) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn parse(text: &str) -> Value {
    json::parse(text.as_bytes(), ssf_core::error::Part::Document).expect("test JSON")
}

pub fn obj(text: &str) -> Map {
    match parse(text) {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

/// A fixed test key from tests/data with a kid.
pub fn key(file: &str, alg: Algorithm, kid: &str) -> SigningKey {
    SigningKey::from_pkcs8_pem(&data(file), alg)
        .expect("test key")
        .with_kid(kid.into())
}

pub fn es256() -> SigningKey {
    key("p256.pem", Algorithm::ES256, "ec-1")
}

pub fn rs256() -> SigningKey {
    key("rsa2048.pem", Algorithm::RS256, "rsa-1")
}

pub fn jwks_of(keys: &[&SigningKey]) -> JwkSet {
    let list: Vec<Value> = keys
        .iter()
        .map(|k| Value::Object(k.public_jwk_map()))
        .collect();
    let mut m = Map::new();
    m.insert("keys", list);
    JwkSet::from_map(&m).expect("jwks")
}

/// Signs arbitrary header and payload TEXT (not re-serialized), so tests can sign
/// malformed JSON and prove the verifier rejects it for the right reason.
pub fn forge(header: &str, payload: &str, key: &SigningKey) -> String {
    let mut t = base64url::encode(header.as_bytes());
    t.push('.');
    t.push_str(&base64url::encode(payload.as_bytes()));
    let sig = key.sign(t.as_bytes()).expect("sign");
    t.push('.');
    t.push_str(&base64url::encode(&sig));
    t
}

/// A textbook HMAC-SHA256, so the test can mount the real attack: HS256 keyed with the
/// RSA public key the verifier trusts.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x36)
        .chain(msg.iter().copied())
        .collect();
    let ih = Sha256::digest(&inner);
    let outer: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x5c)
        .chain(ih.iter().copied())
        .collect();
    Sha256::digest(&outer).to_vec()
}

pub const NOW: i64 = 1_700_000_000;
pub const ISS: &str = "https://idp.example.com/";
pub const AUD: &str = "https://sp.example.com/caep";
pub const SESSION_REVOKED: &str =
    "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

/// A valid SSF claims set as JSON text, with `iat` = NOW.
pub fn claims_text() -> String {
    format!(
        r#"{{"iss":"{ISS}","jti":"24c63fb56e5a2d77a6b512616ca9fa24","iat":{NOW},"aud":"{AUD}","txn":"8675309","sub_id":{{"format":"opaque","id":"dMTlD|1600802906337.16"}},"events":{{"{SESSION_REVOKED}":{{"event_timestamp":1699999990,"initiating_entity":"policy","reason_admin":{{"en":"Landspeed Policy Violation"}}}}}}}}"#
    )
}

pub fn header_text(alg: &str, kid: &str) -> String {
    format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"secevent+jwt"}}"#)
}

pub fn opts() -> ssf_core::set::VerifyOptions {
    let mut o = ssf_core::set::VerifyOptions::new(NOW);
    o.issuer = Some(ISS.into());
    o.audience = Some(AUD.into());
    o
}

/// Every JSON file under a vectors folder, with its parsed content.
pub fn vector_files(folder: &str) -> Vec<(String, Value)> {
    let dir = shared_dir().join("vectors").join(folder);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read vector");
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                parse(&text),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no vectors in {}", dir.display());
    out
}
