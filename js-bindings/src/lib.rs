//! # ssf-wasm
//!
//! The wasm-bindgen face of `ssf-core`, shipped on npm as `shared-signals`.
//!
//! This crate is a thin adapter: every rule (framing, header checks, key selection, SET
//! profile, event catalogue) lives in `ssf-core`. What is here only moves data across the
//! JavaScript boundary:
//!
//! - inputs arrive as strings (the token, JSON texts made by `JSON.stringify` in the
//!   hand-written JS layer of the package), so no JS object is walked from Rust;
//! - results leave as JSON text (built with core's order-preserving JSON writer) that the
//!   JS layer hands to `JSON.parse`;
//! - failures leave as a thrown JS string holding `{"code","reason","message"}`, which the
//!   JS layer turns into a `SetError`. Argument type checks (`TypeError`) are the JS layer's.
//!
//! Signature arithmetic can be delegated to the host (Node's `crypto.verify`): see [`host`].

#![forbid(unsafe_code)]

mod explain;
mod host;
mod wire;

use ssf_core::access_token::{self, AccessTokenOptions, BearerError};
use ssf_core::crypto::{default_provider, CryptoProvider};
use ssf_core::json::{self, Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::set::{self, Profile, VerifyOptions};
use ssf_core::signing::SigningKey;
use ssf_core::{Algorithm, Error};
use wasm_bindgen::prelude::*;

pub use host::HostVerifier;

/// The JSON text of a failure, thrown to JS as a string.
fn fail(e: &Error) -> String {
    let mut m = Map::new();
    m.insert("code", e.code().as_str());
    m.insert("reason", e.reason());
    m.insert("message", alloc_string(e));
    Value::from(m).to_json()
}

fn alloc_string(e: &Error) -> String {
    use core::fmt::Write;
    let mut s = String::new();
    let _ = write!(s, "{e}");
    s
}

/// Maps the JS profile name to core's profile. The JS layer only passes names that
/// [`profiles`] lists.
fn profile_named(name: &str) -> Profile {
    Profile::named(name).unwrap_or_default()
}

/// Core's algorithm table, as JSON text: `{"<alg>": {"scheme": "ecdsa" | "rsa-pkcs1-v1_5" |
/// "rsa-pss" | "eddsa", "hash": "sha256" | ... | null, "saltLength": n | null, "curve":
/// "P-256" | ... | null}}`, so the host crypto does not keep a table of its own.
#[wasm_bindgen(js_name = algorithmTable)]
pub fn algorithm_table() -> String {
    use ssf_core::alg::{HashAlg, Scheme};
    let mut table = Map::new();
    for alg in Algorithm::ALL {
        let mut m = Map::new();
        let scheme = match alg.scheme() {
            Scheme::Ecdsa => "ecdsa",
            Scheme::RsaPkcs1v15 => "rsa-pkcs1-v1_5",
            Scheme::RsaPss => "rsa-pss",
            Scheme::EdDsa => "eddsa",
        };
        m.insert("scheme", scheme);
        let or_null = |v: Option<Value>| v.unwrap_or(Value::Null);
        m.insert(
            "hash",
            or_null(alg.hash().map(|h| HashAlg::openssl_name(h).into())),
        );
        m.insert(
            "saltLength",
            or_null(alg.pss_salt_len().map(|n| (n as i64).into())),
        );
        m.insert("curve", or_null(alg.curve().map(Value::from)));
        table.insert(alg.name(), m);
    }
    Value::Object(table).to_json()
}

/// Every profile with its rules, as JSON text: `[{"name", "summary", "rules": [{"code",
/// "relaxes", "summary", "reason", "source"}]}]`, the default first.
#[wasm_bindgen]
pub fn profiles() -> String {
    let list = Profile::ALL
        .iter()
        .map(|p| {
            let rules = p
                .rules()
                .iter()
                .map(|r| {
                    let mut m = Map::new();
                    m.insert("code", r.code());
                    m.insert("relaxes", r.relaxes());
                    m.insert("summary", r.summary());
                    m.insert("reason", r.reason());
                    m.insert("source", r.source());
                    Value::Object(m)
                })
                .collect::<Vec<_>>();
            let mut m = Map::new();
            m.insert("name", p.name());
            m.insert("summary", p.summary());
            m.insert("rules", rules);
            Value::Object(m)
        })
        .collect::<Vec<_>>();
    Value::Array(list).to_json()
}

/// Names of the signature algorithms the pure-Rust provider verifies (the same in every
/// runtime; the host provider only makes some of them faster).
#[wasm_bindgen(js_name = supportedAlgorithms)]
pub fn supported_algorithms() -> String {
    let provider = ssf_core::crypto::default_provider();
    let names: Vec<Value> = Algorithm::ALL
        .into_iter()
        .filter(|a| provider.supports(*a))
        .map(|a| Value::from(a.name()))
        .collect();
    Value::from(names).to_json()
}

/// The largest token core accepts, in bytes (the JS layer refuses far larger strings
/// before copying them into wasm memory).
#[wasm_bindgen(js_name = maxTokenLength)]
pub fn max_token_length() -> usize {
    ssf_core::limits::MAX_TOKEN_LEN
}

/// A parsed JWK Set. Made once per JWKS by the JS layer and reused across verifications.
#[wasm_bindgen]
pub struct Keys {
    set: JwkSet,
}

#[wasm_bindgen]
impl Keys {
    /// Parses a JWK Set document (JSON text).
    #[wasm_bindgen(constructor)]
    pub fn new(jwks_json: &str) -> Result<Keys, String> {
        JwkSet::from_json(jwks_json)
            .map(|set| Keys { set })
            .map_err(|e| fail(&e))
    }

    /// How many keys the set holds.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.set.keys().len()
    }

    /// The required public members of key `index` (its RFC 7638 thumbprint input) as JSON
    /// text: what the host needs to import the key.
    #[wasm_bindgen(js_name = keyJson)]
    pub fn key_json(&self, index: usize) -> Option<String> {
        self.set.keys().get(index).map(|k| k.thumbprint_input())
    }

    /// The RFC 7638 thumbprint of key `index` (the host caches imported keys under it).
    pub fn thumbprint(&self, index: usize) -> Option<String> {
        self.set.keys().get(index).map(|k| k.thumbprint())
    }
}

/// Decodes and explains a compact SET without checking its signature.
///
/// `options_json` is `null` or the same options text [`verify`] takes (for the issuer,
/// audience, clock and profile expectations to be reported as issues).
#[wasm_bindgen]
pub fn decode(token: &str, options_json: Option<String>) -> Result<String, String> {
    let opts = match options_json.as_deref() {
        Some(text) => Some(read_options(text).map_err(|e| fail(&e))?),
        None => None,
    };
    set::inspect(token, opts.as_ref())
        .map(|ins| explain::inspection(&ins))
        .map_err(|e| fail(&e))
}

/// Verifies a compact SET against `keys` and validates it.
///
/// `options_json`: `{"now": int, "issuer"?, "audience"?, "algorithms"?: [names],
/// "clockSkew"?: int, "maxAge"?: int, "profile"?: one of the names [`profiles`] lists}`.
/// `host`, when given, does the signature arithmetic (see [`host`]).
#[wasm_bindgen]
pub fn verify(
    token: &str,
    keys: &Keys,
    options_json: &str,
    host: Option<HostVerifier>,
) -> Result<String, String> {
    let opts = read_options(options_json).map_err(|e| fail(&e))?;
    with_provider(host, &keys.set, |provider| {
        set::verify_with(token, &keys.set, &opts, provider)
    })
    .map(|s| explain::verified(&s))
    .map_err(|e| fail(&e))
}

/// Runs `f` with the host's provider when there is a host, else core's default one.
fn with_provider<T>(
    host: Option<HostVerifier>,
    keys: &JwkSet,
    f: impl FnOnce(&dyn CryptoProvider) -> T,
) -> T {
    match host {
        Some(h) => host::with_host(h, keys, f),
        None => f(default_provider()),
    }
}

/// Reads the options text built by the JS layer (which has already type-checked it).
fn read_options(text: &str) -> Result<VerifyOptions, Error> {
    let map = json::parse_object(text.as_bytes(), ssf_core::error::Part::Document)?;
    let string = |name: &'static str| -> Option<String> { map.get_str(name).map(String::from) };
    let mut opts = VerifyOptions::new(opt_int(&map, "now")?.unwrap_or(0));
    opts.issuer = string("issuer");
    opts.audience = string("audience");
    if let Some(skew) = opt_int(&map, "clockSkew")? {
        opts.clock_skew = u64::try_from(skew).unwrap_or(0);
    }
    opts.max_age = opt_int(&map, "maxAge")?.map(|a| u64::try_from(a).unwrap_or(0));
    opts.algorithms = opt_algorithms(&map)?;
    if let Some(p) = map.get_str("profile") {
        opts.profile = profile_named(p);
    }
    Ok(opts)
}

/// An integer option; absent and `null` are `None`.
fn opt_int(map: &Map, name: &'static str) -> Result<Option<i64>, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or(Error::InvalidClaim(name)),
    }
}

/// The `algorithms` option, by name.
fn opt_algorithms(map: &Map) -> Result<Option<Vec<Algorithm>>, Error> {
    let Some(list) = map.get("algorithms").and_then(Value::as_array) else {
        return Ok(None);
    };
    list.iter()
        .map(|v| {
            let name = v.as_str().unwrap_or_default();
            Algorithm::from_name(name).ok_or_else(|| Error::UnsupportedAlgorithm(name.into()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Verifies a JWT access token (RFC 9068) against `keys`: core's access-token profile.
///
/// `options_json`: `{"now": int, "issuer", "audience", "scope"?, "algorithms"?: [names],
/// "clockSkew"?: int}`. A failure is thrown like [`verify`]'s, except that `code` is the
/// RFC 6750 error (`invalid_token` or `insufficient_scope`) and `status` its HTTP status.
#[wasm_bindgen(js_name = verifyAccessToken)]
pub fn verify_access_token(
    token: &str,
    keys: &Keys,
    options_json: &str,
    host: Option<HostVerifier>,
) -> Result<String, String> {
    let opts = read_access_token_options(options_json).map_err(|e| fail_access_token(&e))?;
    with_provider(host, &keys.set, |provider| {
        access_token::verify_with(token, &keys.set, &opts, provider)
    })
    .map(|at| explain::access_token(&at))
    .map_err(|e| fail_access_token(&e))
}

fn read_access_token_options(text: &str) -> Result<AccessTokenOptions, Error> {
    let map = json::parse_object(text.as_bytes(), ssf_core::error::Part::Document)?;
    let string = |name: &'static str| -> Result<String, Error> {
        map.get_str(name)
            .map(String::from)
            .ok_or(Error::MissingClaim(name))
    };
    let now = opt_int(&map, "now")?.unwrap_or(0);
    let mut opts = AccessTokenOptions::new(now, string("issuer")?, string("audience")?);
    opts.scope = map.get_str("scope").map(String::from);
    opts.algorithms = opt_algorithms(&map)?;
    if let Some(skew) = opt_int(&map, "clockSkew")? {
        opts.clock_skew = u64::try_from(skew).unwrap_or(0);
    }
    Ok(opts)
}

/// The JSON text of an access-token failure: the RFC 6750 error as `code`.
fn fail_access_token(e: &Error) -> String {
    let bearer = BearerError::of(e);
    let mut m = Map::new();
    m.insert("code", bearer.as_str());
    m.insert("reason", e.reason());
    m.insert("message", alloc_string(e));
    m.insert("status", i64::from(bearer.status()));
    Value::from(m).to_json()
}

/// Signs a claims set (JSON text) after checking it against the profile.
///
/// `key` is a private JWK (JSON text) or a PEM private key. `alg`, when given, chooses the
/// algorithm (it must fit the key type); otherwise the key's own `alg`, or the default of
/// its type (ES256, ES384, ES512, RS256, EdDSA).
#[wasm_bindgen]
pub fn sign(
    claims_json: &str,
    key: &str,
    alg: Option<String>,
    kid: Option<String>,
    profile: Option<String>,
) -> Result<String, String> {
    let run = || -> Result<String, Error> {
        let claims = json::parse_object(claims_json.as_bytes(), ssf_core::error::Part::Payload)?;
        let alg = match alg.as_deref() {
            Some(name) => Some(
                Algorithm::from_name(name)
                    .ok_or_else(|| Error::UnsupportedAlgorithm(name.into()))?,
            ),
            None => None,
        };
        let mut signing_key = signing_key(key, alg)?;
        if let Some(kid) = kid {
            signing_key = signing_key.with_kid(kid);
        }
        let profile = profile_named(profile.as_deref().unwrap_or("ssf"));
        ssf_core::builder::sign_claims(&claims, &signing_key, profile)
    };
    run().map_err(|e| fail(&e))
}

fn signing_key(key: &str, alg: Option<Algorithm>) -> Result<SigningKey, Error> {
    let trimmed = key.trim_start();
    if trimmed.starts_with("-----BEGIN") {
        if let Some(alg) = alg {
            return SigningKey::from_pkcs8_pem(trimmed, alg);
        }
        // Without an alg, the key type decides, as for a JWK without `alg`: each key type
        // fits exactly one of these, and RSA is taken as RS256.
        let mut first_err = None;
        for alg in [
            Algorithm::ES256,
            Algorithm::RS256,
            Algorithm::ES384,
            Algorithm::ES512,
            Algorithm::EdDSA,
        ] {
            match SigningKey::from_pkcs8_pem(trimmed, alg) {
                Ok(k) => return Ok(k),
                // Keep the most precise failure (say weak_key over "wrong key type").
                Err(e) => {
                    let vague = |e: &Error| matches!(e, Error::InvalidSigningKey(_));
                    if first_err.as_ref().is_none_or(|f| vague(f) && !vague(&e)) {
                        first_err = Some(e);
                    }
                }
            }
        }
        return Err(first_err.unwrap_or(Error::InvalidSigningKey("not a PEM private key")));
    }
    let k = SigningKey::from_jwk(key)?;
    match alg {
        Some(a) if a != k.alg() => k.with_alg(a),
        _ => Ok(k),
    }
}

/// Generates a key pair: `{"privateJwk", "publicJwk"}` with `kid` = RFC 7638 thumbprint.
///
/// `fresh_jwk`, when given, is a private JWK the host has just generated with its native
/// key generation (much faster for RSA); it is read and checked by core like any other
/// key, and gets the same `kid`, `alg` and `use` as a key generated here.
#[wasm_bindgen]
pub fn generate(alg: &str, fresh_jwk: Option<String>) -> Result<String, String> {
    let run = || -> Result<String, Error> {
        let alg =
            Algorithm::from_name(alg).ok_or_else(|| Error::UnsupportedAlgorithm(alg.into()))?;
        let key = match fresh_jwk.as_deref() {
            Some(jwk) => SigningKey::from_jwk(jwk)?.with_alg(alg)?,
            None => SigningKey::generate(alg)?,
        };
        let thumbprint = key.public_jwk().thumbprint();
        let key = key.with_kid(thumbprint);
        let mut out = Map::new();
        out.insert("privateJwk", key.to_jwk_map());
        out.insert("publicJwk", key.public_jwk_map());
        Ok(Value::from(out).to_json())
    };
    run().map_err(|e| fail(&e))
}

/// Every event type of the catalogue, as JSON text.
#[wasm_bindgen]
pub fn catalog() -> String {
    explain::catalog()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIMS: &str = r#"{"iss":"https://idp.example.com/","jti":"j1","iat":1750000000,"aud":"https://rp.example.com/","sub_id":{"format":"opaque","id":"u1"},"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{"event_timestamp":1749999990}}}"#;

    fn parse(text: &str) -> Map {
        json::parse_object(text.as_bytes(), ssf_core::error::Part::Document).expect("JSON")
    }

    fn key_pair(alg: &str) -> (String, String) {
        let pair = parse(&generate(alg, None).expect("generate"));
        let get = |name| {
            Value::from(
                pair.get(name)
                    .and_then(Value::as_object)
                    .cloned()
                    .expect(name),
            )
            .to_json()
        };
        (get("privateJwk"), get("publicJwk"))
    }

    #[test]
    fn sign_verify_decode_round_trip() {
        let (private, public) = key_pair("ES256");
        let token = sign(CLAIMS, &private, None, None, None).expect("sign");
        let keys = Keys::new(&format!(r#"{{"keys":[{public}]}}"#)).expect("keys");
        assert_eq!(keys.count(), 1);
        let opts =
            r#"{"now":1750000000,"issuer":"https://idp.example.com/","algorithms":["ES256"]}"#;
        let verified = parse(&verify(&token, &keys, opts, None).expect("verify"));
        assert_eq!(
            verified.get("claims").map(Value::to_json),
            Some(Value::from(parse(CLAIMS)).to_json())
        );
        let events = verified
            .get("events")
            .and_then(Value::as_array)
            .expect("events");
        assert_eq!(
            events[0].get("type").and_then(Value::as_str),
            Some("https://schemas.openid.net/secevent/caep/event-type/session-revoked")
        );
        let decoded = parse(&decode(&token, None).expect("decode"));
        assert!(decoded.get("issues").and_then(Value::as_array).is_some());
    }

    #[test]
    fn failures_carry_code_reason_and_message() {
        let (private, public) = key_pair("ES256");
        let token = sign(CLAIMS, &private, None, None, None).expect("sign");
        let keys = Keys::new(&format!(r#"{{"keys":[{public}]}}"#)).expect("keys");
        let err = parse(
            &verify(
                &token,
                &keys,
                r#"{"now":1750000000,"issuer":"https://other.example/"}"#,
                None,
            )
            .unwrap_err(),
        );
        assert_eq!(err.get_str("code"), Some("invalid_issuer"));
        assert_eq!(err.get_str("reason"), Some("wrong_issuer"));
        assert!(err.get_str("message").is_some_and(|m| !m.is_empty()));
        let err = parse(&decode("not a token", None).unwrap_err());
        assert_eq!(err.get_str("reason"), Some("malformed_jws"));
        let err = parse(&sign(CLAIMS, &private, Some("HS256".into()), None, None).unwrap_err());
        assert_eq!(err.get_str("reason"), Some("unsupported_alg"));
    }

    #[test]
    fn options_text_maps_to_core_options() {
        let o = read_options(
            r#"{"now":5,"clockSkew":7,"maxAge":9,"profile":"rfc8417","audience":"a"}"#,
        )
        .expect("options");
        assert_eq!((o.now, o.clock_skew, o.max_age), (5, 7, Some(9)));
        assert_eq!(o.profile, Profile::RFC8417);
        assert_eq!(o.audience.as_deref(), Some("a"));
        assert!(read_options(r#"{"algorithms":["none"]}"#).is_err());
        assert_eq!(profile_named("caep-interop"), Profile::CAEP_INTEROP);
    }

    #[test]
    fn the_algorithm_table_is_cores() {
        let table = json::parse_object(
            algorithm_table().as_bytes(),
            ssf_core::error::Part::Document,
        )
        .unwrap();
        assert_eq!(table.len(), Algorithm::ALL.len());
        let ps384 = table.get("PS384").and_then(Value::as_object).unwrap();
        assert_eq!(ps384.get_str("scheme"), Some("rsa-pss"));
        assert_eq!(ps384.get_str("hash"), Some("sha384"));
        assert_eq!(ps384.get("saltLength").and_then(Value::as_i64), Some(48));
        let es512 = table.get("ES512").and_then(Value::as_object).unwrap();
        assert_eq!(es512.get_str("curve"), Some("P-521"));
        let eddsa = table.get("EdDSA").and_then(Value::as_object).unwrap();
        assert_eq!(eddsa.get("hash"), Some(&Value::Null));
    }
}
