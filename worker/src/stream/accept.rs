//! A push, checked and stored by the stream's object (the worker only bounded the body).
//! Steps 4 to 6 are also what every SET polled from a registered upstream goes through
//! (`upstream`): one code path for both ways in.
//!
//! Order of checks, each with its answer:
//! 1. the stream exists, else `404`;
//! 2. `Authorization` equals the stream's push credential (or a rotated-out one still in
//!    its grace period), compared in constant time, else `401 authentication_failed`;
//! 3. `Content-Type: application/secevent+jwt`, else `400 invalid_request`;
//! 4. the SET verified against the source: bad token or profile -> `400 invalid_request`
//!    (an `iat` older than the retention period included: its tombstone may be gone, so it
//!    could be delivered twice); unknown key, bad signature, disallowed `alg` -> `400
//!    invalid_key`; wrong `iss` -> `400 invalid_issuer`; wrong `aud` -> `400
//!    invalid_audience`. An unknown `kid` refetches the source JWKS once, at most once per
//!    `JWKS_REFETCH_SECONDS` for this stream; while that gate is closed the push is `503`
//!    with `Retry-After`, since the key may well exist and the SET be good;
//! 5. core's stream filter (canonical event types, subject settings): a SET the stream does
//!    not take is answered `202` and not queued;
//! 6. stored (a repeated `jti` is stored once), then `202`; a full queue is `429`.
//!
//! Every answer after step 2 is an activity entry (`push_accepted`, `push_duplicate`,
//! `push_rejected`); a push failing step 2 is only counted, since anyone can send one.

use ssf_core::json::{Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::set::{begin_verify, Set, VerifyOptions};
use ssf_core::wire::Source;
use worker::{Request, Response};

use super::record::{Settings, SourceKeySet};
use super::SsfQueue;
use crate::auth::secrets_equal;
use crate::config::{knob, CLOCK_SKEW_SECONDS, JWKS_REFETCH_SECONDS, RETENTION_SECONDS};
use crate::http::{media_type, now_ms, now_secs, ApiError, HandlerResult, MAX_BODY_BYTES};
use crate::keys::JwksCache;
use crate::webcrypto;

impl SsfQueue {
    pub(super) async fn push(&self, req: &mut Request) -> HandlerResult {
        let settings = self
            .settings()?
            .ok_or_else(|| ApiError::not_found("no such stream"))?;
        let rec = &settings.rec;
        let given = req
            .headers()
            .get("Authorization")
            .ok()
            .flatten()
            .unwrap_or_default();
        let now = now_ms();
        let current = secrets_equal(given.as_bytes(), rec.push_authorization.as_bytes());
        let previous = rec.previous_push.as_ref().is_some_and(|(old, until)| {
            now < *until && secrets_equal(given.as_bytes(), old.as_bytes())
        });
        if given.is_empty() || !(current | previous) {
            self.count_unauthenticated();
            return Err(ApiError::unauthorized(
                "missing or wrong Authorization for this stream's push endpoint",
            ));
        }
        // From here on the push came from the stream's upstream: each refusal is an entry.
        let token = match read_push_body(req).await {
            Ok(t) => t,
            Err(e) => {
                self.record_rejection(&e, None);
                return Err(e);
            }
        };
        let answer = self.accept(&settings, &token).await;
        if let Err(e) = &answer {
            self.record_rejection(e, Some(&token));
        }
        answer?;
        accepted()
    }

    /// Steps 4 to 6 for one SET, pushed or polled from the upstream (one code path for
    /// both): verified against the source, noted when it speaks about the registration,
    /// filtered, stored. `Ok` = stored, already held, or not taken by the stream.
    pub(super) async fn accept(&self, settings: &Settings, token: &str) -> Result<(), ApiError> {
        let (source, keys) = settings
            .source
            .as_ref()
            .map_err(|why| ApiError::internal(why.clone()))?
            .as_ref()
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "access_denied",
                    "this stream has no source: set one with the configuration endpoint",
                )
            })?;
        let set = self.verify_against_source(token, source, keys).await?;
        if settings.rec.upstream.is_some() {
            self.note_upstream_set(&set)?;
        }
        if !settings.filter.takes(&set.claims) {
            return Ok(());
        }
        let now = now_ms();
        self.prune_if_due(now, false)?;
        let claims = &set.claims;
        match self.store(&claims.jti, token, now, false)? {
            "full" => Err(ApiError::too_many(
                "the stream's queue is full; retry later",
            )),
            "stored" => {
                self.record_activity("push_accepted", accepted_fields(claims));
                Ok(())
            }
            "duplicate" => {
                let mut f = Map::new();
                f.insert("jti", claims.jti.as_str());
                self.record_activity("push_duplicate", f);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn options(&self, source: &Source) -> VerifyOptions {
        let mut opts = VerifyOptions::new(now_secs());
        opts.issuer = Some(source.issuer.clone());
        opts.audience = Some(source.audience.clone());
        opts.algorithms = source.algorithms.clone();
        opts.profile = source.profile();
        opts.clock_skew = CLOCK_SKEW_SECONDS;
        opts.max_age = Some(knob(&self.env, "SSF_RETENTION_SECONDS", RETENTION_SECONDS));
        opts
    }

    async fn verify_against_source(
        &self,
        token: &str,
        source: &Source,
        keys: &SourceKeySet,
    ) -> Result<Set, ApiError> {
        let opts = self.options(source);
        let uri = match keys {
            SourceKeySet::Inline(keys) => {
                return verify_push(token, keys, &opts)
                    .await
                    .map_err(|e| ApiError::from_core(&e))
            }
            SourceKeySet::Uri(u) => u.as_str(),
        };
        let cache = JwksCache::new(&self.env);
        let got = cache.get(uri).await?;
        match verify_push(token, &got.keys, &opts).await {
            Ok(s) => Ok(s),
            Err(e) if e.is_key_not_found() && !got.fresh => {
                self.open_refetch_gate()?;
                let keys = cache.fetch(uri).await?;
                verify_push(token, &keys, &opts)
                    .await
                    .map_err(|e| ApiError::from_core(&e))
            }
            Err(e) => Err(ApiError::from_core(&e)),
        }
    }

    /// Passes the stream's JWKS refetch gate (and closes it behind), or answers `503`
    /// with the seconds until it opens.
    fn open_refetch_gate(&self) -> Result<(), ApiError> {
        let now = now_ms();
        let interval = self.ms("SSF_JWKS_REFETCH_SECONDS", JWKS_REFETCH_SECONDS);
        let last = self
            .meta_get("jwks_refetch_at")?
            .and_then(|v| v.parse::<i64>().ok());
        if let Some(t) = last {
            if now - t < interval {
                let wait = ((t + interval - now) + 999) / 1000;
                return Err(ApiError::keys_unavailable(
                    "the SET names a key the source's JWKS does not have, and the JWKS was \
                     refetched moments ago; retry later",
                    Some(wait.max(1) as u64),
                ));
            }
        }
        self.meta_set("jwks_refetch_at", &now.to_string())?;
        Ok(())
    }
}

/// The SET of a push: the right media type, bounded, UTF-8.
async fn read_push_body(req: &mut Request) -> Result<String, ApiError> {
    match media_type(req).as_deref() {
        Some(ssf_core::jws::SET_MEDIA_TYPE) => {}
        other => {
            return Err(ApiError::bad_request(format!(
                "Content-Type must be {}, not {:?}",
                ssf_core::jws::SET_MEDIA_TYPE,
                other.unwrap_or("")
            )))
        }
    }
    let body = req.bytes().await?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            413,
            "invalid_request",
            format!("request body larger than {MAX_BODY_BYTES} bytes"),
        ));
    }
    let token =
        std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
    Ok(token.trim().to_string())
}

/// `push_accepted {jti, iss, events, sub_id}`: what the SET is about, never the SET.
fn accepted_fields(claims: &ssf_core::set::Claims) -> Map {
    let mut f = Map::new();
    f.insert("jti", claims.jti.as_str());
    f.insert("iss", claims.iss.as_str());
    let events = claims.event_uris().map(Value::from).collect();
    f.insert("events", Value::Array(events));
    let sub_id = claims.sub_id.as_ref().map(|s| s.to_value());
    f.insert("sub_id", sub_id.unwrap_or(Value::Null));
    f
}

fn accepted() -> HandlerResult {
    Ok(Response::empty()?.with_status(202))
}

/// Verifies a pushed SET with `keys`: core applies every rule, WebCrypto checks the
/// signature (core's own provider when WebCrypto cannot answer). A SET without `kid` is
/// checked under each key core names as a candidate, in order, until one verifies.
pub async fn verify_push(
    token: &str,
    keys: &JwkSet,
    opts: &VerifyOptions,
) -> Result<Set, ssf_core::Error> {
    let pending = begin_verify(token, keys, opts)?;
    let verified = webcrypto::verified_candidate(&pending).await;
    pending.finish_with_candidate(verified, opts)
}
