//! Keys: the worker's own signing key, and the upstream sources' JWKS with a cache.
//!
//! **Signing key.** `SSF_SIGNING_JWK` (a private JWK) if set; otherwise a key generated once
//! (`GENERATED_KEY_ALG`) and kept in KV under `worker:signing-jwk`. A key without `kid` gets
//! its RFC 7638 thumbprint as `kid`. Parsed once per isolate.
//!
//! **Source JWKS.** A stream's `source` gives its upstream's keys inline (`jwks`) or by
//! `jwks_uri`. Fetched sets are cached per isolate and in KV (`jwks:{sha256(uri)}`) for
//! `JWKS_CACHE_SECONDS`; when the cache is stale and the fetch fails, the stale keys are
//! used. A SET whose `kid` is unknown triggers one refetch, at most one per source per
//! `JWKS_REFETCH_SECONDS` (the first fetch of a source, and fetches because the cache
//! expired, do not count), so key rotation works and a flood of unknown `kid`s cannot hammer
//! the upstream.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use sha2::{Digest, Sha256};
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::signing::SigningKey;
use ssf_core::Algorithm;
use worker::{Env, Fetch, Method, Request, RequestInit};

use crate::config::{
    knob, var, JWKS_CACHE_SECONDS, JWKS_REFETCH_SECONDS, KV_BINDING, VAR_SIGNING_JWK,
};
use crate::http::{now_ms, ApiError};
use crate::streams::kv_err;

/// Algorithm of the key generated when `SSF_SIGNING_JWK` is not set. (Set `SSF_SIGNING_JWK`
/// to an RSA key of 2048 bits or more for the CAEP interoperability profile's RS256.)
pub const GENERATED_KEY_ALG: Algorithm = Algorithm::ES256;
const SIGNING_KEY_KV: &str = "worker:signing-jwk";
/// Largest JWKS document fetched from a `jwks_uri`.
const MAX_JWKS_BYTES: usize = ssf_core::limits::MAX_JWKS_LEN;

thread_local! {
    static SIGNING_KEY: RefCell<Option<(String, Rc<SigningKey>)>> = const { RefCell::new(None) };
    static JWKS_CACHE: RefCell<HashMap<String, CachedJwks>> = RefCell::new(HashMap::new());
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
        None => {
            let kv = env.kv(KV_BINDING)?;
            match kv.get(SIGNING_KEY_KV).text().await.map_err(kv_err)? {
                Some(j) => j,
                None => {
                    let key = SigningKey::generate(GENERATED_KEY_ALG).map_err(|e| {
                        ApiError::internal(format!("cannot generate a signing key: {e}"))
                    })?;
                    let j = Value::Object(key.to_jwk_map()).to_json();
                    kv.put(SIGNING_KEY_KV, j.clone())
                        .map_err(kv_err)?
                        .execute()
                        .await
                        .map_err(kv_err)?;
                    // Another isolate may have raced us: use what the store holds.
                    kv.get(SIGNING_KEY_KV)
                        .text()
                        .await
                        .map_err(kv_err)?
                        .unwrap_or(j)
                }
            }
        }
    };
    let mut key = SigningKey::from_jwk(&jwk_json).map_err(|e| {
        worker::console_error!("{VAR_SIGNING_JWK} (or the stored key) is unusable: {e}");
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

/// Keys given inline in `source.jwks`, parsed once per isolate.
pub fn inline_keys(jwks: &Map) -> Result<Rc<JwkSet>, ssf_core::Error> {
    let text = Value::Object(jwks.clone()).to_json();
    let tag = format!("inline:{}", sha_hex(&text));
    if let Some(c) = JWKS_CACHE.with(|c| c.borrow().get(&tag).cloned()) {
        return Ok(c.keys);
    }
    let keys = Rc::new(JwkSet::from_map(jwks)?);
    JWKS_CACHE.with(|c| {
        c.borrow_mut().insert(
            tag,
            CachedJwks {
                keys: keys.clone(),
                fetched_at: 0,
            },
        )
    });
    Ok(keys)
}

/// A source JWKS cache over KV and memory.
pub struct JwksCache<'a> {
    env: &'a Env,
}

/// The keys of a `jwks_uri`, and whether they were fetched by this very call.
pub struct FetchedKeys {
    pub keys: Rc<JwkSet>,
    pub fresh: bool,
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
        let mem = JWKS_CACHE.with(|c| c.borrow().get(uri).cloned());
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
                    self.remember(uri, keys.clone(), at);
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

    /// Refetches `uri` after an unknown `kid`, if the source's refetch budget allows.
    /// `None` when rate limited.
    pub async fn refetch(&self, uri: &str) -> Result<Option<Rc<JwkSet>>, ApiError> {
        let now = now_ms();
        let interval =
            knob(self.env, "SSF_JWKS_REFETCH_SECONDS", JWKS_REFETCH_SECONDS) as i64 * 1000;
        let kv = self.env.kv(KV_BINDING)?;
        let gate_key = format!("jwks-refetch:{}", sha_hex(uri));
        let mem_gate = format!("refetch:{uri}");
        let last_mem = JWKS_CACHE.with(|c| c.borrow().get(&mem_gate).map(|c| c.fetched_at));
        let last_kv = kv
            .get(&gate_key)
            .text()
            .await
            .map_err(kv_err)?
            .and_then(|s| s.parse::<i64>().ok());
        let last = last_mem.into_iter().chain(last_kv).max();
        if let Some(t) = last {
            if now - t < interval {
                return Ok(None);
            }
        }
        JWKS_CACHE.with(|c| {
            c.borrow_mut().insert(
                mem_gate,
                CachedJwks {
                    keys: Rc::new(JwkSet::from_keys(Vec::new())),
                    fetched_at: now,
                },
            )
        });
        kv.put(&gate_key, now.to_string())
            .map_err(kv_err)?
            .execute()
            .await
            .map_err(kv_err)?;
        self.fetch(uri).await.map(Some)
    }

    fn remember(&self, uri: &str, keys: Rc<JwkSet>, at: i64) {
        JWKS_CACHE.with(|c| {
            c.borrow_mut().insert(
                uri.to_string(),
                CachedJwks {
                    keys,
                    fetched_at: at,
                },
            )
        });
    }

    async fn fetch(&self, uri: &str) -> Result<Rc<JwkSet>, ApiError> {
        let unavailable = |why: String| {
            worker::console_warn!("JWKS fetch of {uri} failed: {why}");
            ApiError::new(
                503,
                "temporarily_unavailable",
                "the source's JWKS could not be fetched; retry later",
            )
        };
        let mut init = RequestInit::new();
        init.with_method(Method::Get);
        let req = Request::new_with_init(uri, &init).map_err(|e| unavailable(e.to_string()))?;
        req.headers()
            .set("Accept", "application/jwk-set+json, application/json")
            .map_err(|e| unavailable(e.to_string()))?;
        let mut resp = Fetch::Request(req)
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if resp.status_code() != 200 {
            return Err(unavailable(format!("HTTP {}", resp.status_code())));
        }
        let body = resp.bytes().await.map_err(|e| unavailable(e.to_string()))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err(unavailable("document too large".into()));
        }
        let text = String::from_utf8(body).map_err(|_| unavailable("not UTF-8".into()))?;
        let keys = Rc::new(JwkSet::from_json(&text).map_err(|e| unavailable(e.to_string()))?);
        let now = now_ms();
        self.remember(uri, keys.clone(), now);
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
