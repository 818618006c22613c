//! Keys: the worker's own signing key, and the upstream sources' JWKS with a cache.
//!
//! **Signing key.** `SSF_SIGNING_JWK` (a private JWK) if set; otherwise the key the node
//! Durable Object generated once (`node`). A key without `kid` gets its RFC 7638
//! thumbprint as `kid`. Parsed once per isolate; `jwks_uri` serves the same key, so the
//! key in use is always the key served.
//!
//! **Source JWKS.** A stream's `source` gives its upstream's keys inline (`jwks`) or by
//! `jwks_uri`. Fetched sets (through `fetch`, with its URL policy, no redirects, size limit
//! and timeout) are cached per isolate (at most `MAX_CACHED_JWKS`, least recently used
//! dropped first) and in KV (`jwks:{sha256(uri)}`) for `JWKS_CACHE_SECONDS`; when the cache
//! is stale and the fetch fails, the stale keys are used. The cache is shared by every
//! stream naming the same URI (the document is the same for all); the refetch an unknown
//! `kid` asks for is gated per stream, by the stream's Durable Object.

use std::cell::RefCell;
use std::rc::Rc;

use sha2::{Digest, Sha256};
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;
use worker::Env;

use crate::config::{knob, var, JWKS_CACHE_SECONDS, KV_BINDING, MAX_CACHED_JWKS, VAR_SIGNING_JWK};
use crate::fetch::Outbound;
use crate::http::{now_ms, ApiError};
use crate::lru::Lru;
use crate::streams::kv_err;

/// Algorithm of the key generated when `SSF_SIGNING_JWK` is not set. (Set `SSF_SIGNING_JWK`
/// to an RSA key of 2048 bits or more for the CAEP interoperability profile's RS256.)
pub const GENERATED_KEY_ALG: Algorithm = Algorithm::ES256;
/// Largest JWKS document fetched from a `jwks_uri`.
const MAX_JWKS_BYTES: usize = ssf_core::limits::MAX_JWKS_LEN;

thread_local! {
    static SIGNING_KEY: RefCell<Option<(String, Rc<SigningKey>)>> = const { RefCell::new(None) };
    static JWKS_CACHE: RefCell<Lru<CachedJwks>> = RefCell::new(Lru::new(MAX_CACHED_JWKS));
}

#[derive(Clone)]
struct CachedJwks {
    keys: Rc<JwkSet>,
    fetched_at: i64,
}

/// The worker's signing key.
pub async fn signing_key(env: &Env) -> Result<Rc<SigningKey>, ApiError> {
    let configured = var(env, VAR_SIGNING_JWK);
    let cache_tag = configured.clone().unwrap_or_default();
    if let Some(k) = SIGNING_KEY.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(tag, _)| *tag == cache_tag)
            .map(|(_, k)| k.clone())
    }) {
        return Ok(k);
    }
    let jwk_json = match configured {
        Some(j) => j,
        None => crate::node::generated_signing_jwk(env).await?,
    };
    let mut key = SigningKey::from_jwk(&jwk_json).map_err(|e| {
        worker::console_error!("{VAR_SIGNING_JWK} (or the generated key) is unusable: {e}");
        ApiError::internal("signing key unusable")
    })?;
    if key.kid().is_none() {
        let kid = key.public_jwk().thumbprint();
        key = key.with_kid(kid);
    }
    let key = Rc::new(key);
    SIGNING_KEY.with(|c| *c.borrow_mut() = Some((cache_tag, key.clone())));
    Ok(key)
}

/// The worker's public JWK Set (`jwks_uri`).
pub async fn public_jwks(env: &Env) -> Result<Value, ApiError> {
    let key = signing_key(env).await?;
    let mut jwk = key.public_jwk_map();
    if !jwk.contains_key("kid") {
        if let Some(kid) = key.kid() {
            jwk.insert("kid", kid);
        }
    }
    if !jwk.contains_key("alg") {
        jwk.insert("alg", key.alg().name());
    }
    if !jwk.contains_key("use") {
        jwk.insert("use", "sig");
    }
    let mut m = Map::new();
    m.insert("keys", Value::Array(vec![Value::Object(jwk)]));
    Ok(Value::Object(m))
}

fn sha_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn cached(uri: &str) -> Option<CachedJwks> {
    JWKS_CACHE.with(|c| c.borrow_mut().get(uri))
}

fn remember(uri: &str, keys: Rc<JwkSet>, fetched_at: i64) {
    JWKS_CACHE.with(|c| c.borrow_mut().insert(uri, CachedJwks { keys, fetched_at }));
}

/// The keys of a `jwks_uri`, and whether they were fetched by this very call.
pub struct FetchedKeys {
    pub keys: Rc<JwkSet>,
    pub fresh: bool,
}

/// A source JWKS cache over KV and memory.
pub struct JwksCache<'a> {
    env: &'a Env,
}

impl<'a> JwksCache<'a> {
    pub fn new(env: &'a Env) -> Self {
        JwksCache { env }
    }

    fn ttl_ms(&self) -> i64 {
        knob(self.env, "SSF_JWKS_CACHE_SECONDS", JWKS_CACHE_SECONDS) as i64 * 1000
    }

    /// The cached keys of `uri`, fetching them when absent or stale.
    pub async fn get(&self, uri: &str) -> Result<FetchedKeys, ApiError> {
        let now = now_ms();
        let mem = cached(uri);
        if let Some(c) = &mem {
            if now - c.fetched_at < self.ttl_ms() {
                return Ok(FetchedKeys {
                    keys: c.keys.clone(),
                    fresh: false,
                });
            }
        }
        let kv = self.env.kv(KV_BINDING)?;
        let kv_key = format!("jwks:{}", sha_hex(uri));
        let stored = kv.get(&kv_key).text().await.map_err(kv_err)?;
        let mut stale: Option<Rc<JwkSet>> = mem.map(|c| c.keys);
        if let Some(s) = stored {
            if let Ok(m) = parse_object(s.as_bytes(), ssf_core::error::Part::Document) {
                let at = m.get("fetched_at").and_then(Value::as_i64).unwrap_or(0);
                if let Some(Ok(keys)) = m.get_str("jwks").map(JwkSet::from_json) {
                    let keys = Rc::new(keys);
                    remember(uri, keys.clone(), at);
                    if now - at < self.ttl_ms() {
                        return Ok(FetchedKeys { keys, fresh: false });
                    }
                    stale = Some(keys);
                }
            }
        }
        match self.fetch(uri).await {
            Ok(keys) => Ok(FetchedKeys { keys, fresh: true }),
            Err(e) => match stale {
                Some(keys) => {
                    worker::console_warn!("JWKS refresh of {uri} failed, using stale keys");
                    Ok(FetchedKeys { keys, fresh: false })
                }
                None => Err(e),
            },
        }
    }

    /// Fetches `uri` now (after an unknown `kid`; the caller decides whether its gate
    /// allows it) and caches the result.
    pub async fn fetch(&self, uri: &str) -> Result<Rc<JwkSet>, ApiError> {
        let unavailable = |why: String| {
            worker::console_warn!("JWKS fetch of {uri} failed: {why}");
            ApiError::keys_unavailable("the source's JWKS could not be fetched; retry later", None)
        };
        let got = Outbound::get(uri, MAX_JWKS_BYTES)
            .header("Accept", "application/jwk-set+json, application/json")
            .send(self.env)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if got.status != 200 {
            return Err(unavailable(format!("HTTP {}", got.status)));
        }
        let text = String::from_utf8(got.body).map_err(|_| unavailable("not UTF-8".into()))?;
        let keys = Rc::new(JwkSet::from_json(&text).map_err(|e| unavailable(e.to_string()))?);
        let now = now_ms();
        remember(uri, keys.clone(), now);
        let mut rec = Map::new();
        rec.insert("fetched_at", now);
        rec.insert("jwks", text);
        let kv = self.env.kv(KV_BINDING)?;
        kv.put(
            &format!("jwks:{}", sha_hex(uri)),
            Value::Object(rec).to_json(),
        )
        .map_err(kv_err)?
        .execute()
        .await
        .map_err(kv_err)?;
        Ok(keys)
    }
}
