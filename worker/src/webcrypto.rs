//! Signature checks by the runtime's WebCrypto (`crypto.subtle`, native code in workerd),
//! and the signatures of the worker's own SETs (see [`sign_set`]).
//!
//! Core parses the token, applies the header rules and picks and validates the key
//! (`set::begin_verify`); this module is asked only whether the bytes verify. WebCrypto is
//! asynchronous, which is why it cannot sit behind core's synchronous `CryptoProvider`.
//!
//! Imported keys are cached per isolate, keyed by algorithm and the key's RFC 7638
//! thumbprint input (its public material), so a rotated key is a different entry.
//! Anything other than a clear answer from WebCrypto (an import or call that throws, an
//! algorithm the runtime lacks) yields `None`, and the caller falls back to core's pure-Rust
//! provider. EdDSA always goes there: core verifies Ed25519 strictly (RFC 8032 section
//! 5.1.7, small-order `R` refused), which WebCrypto's Ed25519 does not promise, and the
//! verdict must not depend on the runtime.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use ssf_core::alg::{HashAlg, Scheme};
use ssf_core::crypto::default_provider;
use ssf_core::jwk::Jwk;
use ssf_core::jws::PendingSignature;
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;

use crate::lru::Lru;

/// Imported keys kept per isolate (least recently used dropped first: a flood of distinct
/// keys must not grow memory without bound).
const MAX_CACHED_KEYS: usize = 256;

thread_local! {
    static KEYS: RefCell<Lru<JsValue>> = RefCell::new(Lru::new(MAX_CACHED_KEYS));
}

/// `Some(true)` if `signature` verifies over `input` under `key` with `alg`, `Some(false)`
/// if it does not, `None` if WebCrypto could not answer.
pub async fn verify(alg: Algorithm, key: &Jwk, input: &[u8], signature: &[u8]) -> Option<bool> {
    let subtle = subtle()?;
    let crypto_key = imported(&subtle, alg, key).await?;
    let params = verify_params(alg)?;
    let verify: Function = Reflect::get(&subtle, &"verify".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of4(
        &params,
        &crypto_key,
        &Uint8Array::from(signature),
        &Uint8Array::from(input),
    );
    let promise: Promise = verify.apply(&subtle, &args).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// The index of the first of a pending token's candidate keys under which its signature
/// verifies (`None`: under none), by WebCrypto where it can answer and core's provider
/// where it cannot. Works for every verified-JWT profile of core (SETs, access tokens).
pub async fn verified_candidate<T>(pending: &PendingSignature<'_, '_, T>) -> Option<usize> {
    let alg = pending.algorithm();
    let (input, signature) = (pending.signing_input(), pending.signature());
    for (index, key) in pending.candidates().iter().enumerate() {
        let valid = match verify(alg, key, input, signature).await {
            Some(v) => v,
            None => default_provider()
                .verify(alg, key, input, signature)
                .is_ok(),
        };
        if valid {
            return Some(index);
        }
    }
    None
}

/// Signs one of the worker's own SETs: core checks the claims and builds the signing input
/// (`builder::prepare_set`), WebCrypto signs it natively (several times faster than
/// wasm), and core's signer is used whenever WebCrypto cannot (EdDSA, an import the
/// runtime refuses).
pub async fn sign_set(
    claims: &ssf_core::json::Map,
    key: &SigningKey,
    profile: ssf_core::set::Profile,
) -> Result<String, ssf_core::Error> {
    let unsigned = ssf_core::builder::prepare_set(claims, key, profile)?;
    if let Some(signature) = native_signature(key, unsigned.signing_input()).await {
        if let Ok(token) = unsigned.clone().finish(&signature) {
            return Ok(token);
        }
    }
    let signature = key.sign(unsigned.signing_input())?;
    unsigned.finish(&signature)
}

async fn native_signature(key: &SigningKey, input: &[u8]) -> Option<Vec<u8>> {
    let subtle = subtle()?;
    let alg = key.alg();
    let private = private_key(&subtle, key).await?;
    let sign: Function = Reflect::get(&subtle, &"sign".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of3(&verify_params(alg)?, &private, &Uint8Array::from(input));
    let promise: Promise = sign.apply(&subtle, &args).ok()?.dyn_into().ok()?;
    let buffer = JsFuture::from(promise).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// The signing key imported for `sign` (cached per isolate by its public material).
async fn private_key(subtle: &JsValue, key: &SigningKey) -> Option<JsValue> {
    let alg = key.alg();
    let public = key.public_jwk();
    let cache_key = format!("sign:{}:{}", alg.name(), public.thumbprint_input());
    if let Some(k) = KEYS.with(|c| c.borrow_mut().get(&cache_key)) {
        return Some(k);
    }
    let jwk = Object::new();
    for (name, value) in key.to_jwk_map().iter() {
        if matches!(
            name,
            "kty" | "crv" | "x" | "y" | "d" | "n" | "e" | "p" | "q" | "dp" | "dq" | "qi"
        ) {
            Reflect::set(&jwk, &name.into(), &value.as_str()?.into()).ok()?;
        }
    }
    import_cached(subtle, cache_key, &jwk.into(), alg, "sign").await
}

fn subtle() -> Option<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    Reflect::get(&crypto, &"subtle".into())
        .ok()
        .filter(|s| s.is_object())
}

async fn imported(subtle: &JsValue, alg: Algorithm, key: &Jwk) -> Option<JsValue> {
    let cache_key = format!("{}:{}", alg.name(), key.thumbprint_input());
    if let Some(k) = KEYS.with(|c| c.borrow_mut().get(&cache_key)) {
        return Some(k);
    }
    import_cached(subtle, cache_key, &public_jwk(key)?, alg, "verify").await
}

/// Imports `jwk` for `usage` (`sign` or `verify`) and keeps it under `cache_key`.
async fn import_cached(
    subtle: &JsValue,
    cache_key: String,
    jwk: &JsValue,
    alg: Algorithm,
    usage: &str,
) -> Option<JsValue> {
    let import: Function = Reflect::get(subtle, &"importKey".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of5(
        &"jwk".into(),
        jwk,
        &import_params(alg)?,
        &JsValue::FALSE,
        &Array::of1(&usage.into()),
    );
    let promise: Promise = import.apply(subtle, &args).ok()?.dyn_into().ok()?;
    let crypto_key = JsFuture::from(promise).await.ok()?;
    KEYS.with(|c| c.borrow_mut().insert(&cache_key, crypto_key.clone()));
    Some(crypto_key)
}

/// The key's public material only: `alg`, `use` and `key_ops` were already judged by core,
/// and WebCrypto would reject some legitimate spellings of them.
fn public_jwk(key: &Jwk) -> Option<JsValue> {
    let jwk = Object::new();
    for (name, value) in key.to_map().iter() {
        if matches!(name, "kty" | "crv" | "x" | "y" | "n" | "e") {
            Reflect::set(&jwk, &name.into(), &value.as_str()?.into()).ok()?;
        }
    }
    Some(jwk.into())
}

/// The WebCrypto hash name, from core's algorithm table.
fn hash(alg: Algorithm) -> Option<&'static str> {
    alg.hash().map(HashAlg::webcrypto_name)
}

fn object(members: &[(&str, JsValue)]) -> Option<JsValue> {
    let o = Object::new();
    for (k, v) in members {
        Reflect::set(&o, &(*k).into(), v).ok()?;
    }
    Some(o.into())
}

fn import_params(alg: Algorithm) -> Option<JsValue> {
    match alg.scheme() {
        Scheme::Ecdsa => object(&[
            ("name", "ECDSA".into()),
            ("namedCurve", alg.curve()?.into()),
        ]),
        Scheme::RsaPkcs1v15 => object(&[
            ("name", "RSASSA-PKCS1-v1_5".into()),
            ("hash", hash(alg)?.into()),
        ]),
        Scheme::RsaPss => object(&[("name", "RSA-PSS".into()), ("hash", hash(alg)?.into())]),
        // Core's strict check instead (see the module documentation).
        Scheme::EdDsa => None,
    }
}

fn verify_params(alg: Algorithm) -> Option<JsValue> {
    match alg.scheme() {
        // WebCrypto's ECDSA signatures are r || s, the JWS form (132 octets for P-521).
        Scheme::Ecdsa => object(&[("name", "ECDSA".into()), ("hash", hash(alg)?.into())]),
        Scheme::RsaPkcs1v15 => object(&[("name", "RSASSA-PKCS1-v1_5".into())]),
        Scheme::RsaPss => object(&[
            ("name", "RSA-PSS".into()),
            ("saltLength", alg.pss_salt_len()?.into()),
        ]),
        Scheme::EdDsa => None,
    }
}
