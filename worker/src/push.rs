//! RFC 8935 push endpoint (`POST /ssf/push/{stream_id}`): the upstream transmitter of a
//! stream (its `source`) delivers SETs here.
//!
//! Order of checks, each with its answer:
//! 1. method `POST`, else `405`; the stream exists, else `404`;
//! 2. `Authorization` equals the stream's `push.authorization_header` (constant time), else
//!    `401 authentication_failed`;
//! 3. `Content-Type: application/secevent+jwt`, else `400 invalid_request`;
//! 4. a body of at most 64 KiB, refused with `413` before being read whole;
//! 5. the SET verified against the source: bad token or profile -> `400 invalid_request`;
//!    unknown key, bad signature, disallowed `alg` -> `400 invalid_key`; wrong `iss` ->
//!    `400 invalid_issuer`; wrong `aud` -> `400 invalid_audience`. An unknown `kid` refetches
//!    the source JWKS once (rate limited, see `keys`);
//! 6. events not in `events_delivered`, and subjects the stream's subject settings exclude,
//!    are answered `202` and not queued;
//! 7. stored in the stream's queue (a repeated `jti` is stored once), then `202`.

use std::rc::Rc;

use ssf_core::json::Value;
use ssf_core::jwk::JwkSet;
use ssf_core::set::{verify, Set, VerifyOptions};
use ssf_core::subject::SubjectId;
use ssf_core::wire::{Source, SourceKeys};
use worker::{Env, Method, Request, Response};

use crate::auth::secrets_equal;
use crate::config::{default_subjects_all, CLOCK_SKEW_SECONDS};
use crate::http::{media_type, now_secs, read_body_limited, ApiError, HandlerResult};
use crate::keys::{inline_keys, JwksCache};
use crate::queue::{Enqueued, QueueClient};
use crate::streams::{StreamRecord, Streams};

/// Largest SET accepted by push.
pub const MAX_SET_BYTES: usize = 64 * 1024;

/// Verifies a pushed SET against the stream's source with the given keys.
pub fn verify_push(
    token: &str,
    source: &Source,
    keys: &JwkSet,
    now: i64,
) -> Result<Set, ssf_core::Error> {
    let mut opts = VerifyOptions::new(now);
    opts.issuer = Some(source.issuer.clone());
    opts.audience = Some(source.audience.clone());
    opts.algorithms = source.algorithms.clone();
    opts.clock_skew = CLOCK_SKEW_SECONDS;
    verify(token, keys, &opts)
}

fn is_unknown_key(e: &ssf_core::Error) -> bool {
    matches!(e.reason(), "unknown_kid" | "no_usable_key")
}

pub async fn handle(mut req: Request, env: &Env, stream_id: &str) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let streams = Streams::new(env)?;
    let rec = streams
        .get_any(stream_id)
        .await?
        .ok_or_else(|| ApiError::new(404, "invalid_request", "no such stream"))?;

    let given = req
        .headers()
        .get("Authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    if given.is_empty() || !secrets_equal(given.as_bytes(), rec.push_authorization.as_bytes()) {
        return Err(ApiError::unauthorized(
            "missing or wrong Authorization for this stream's push endpoint",
        ));
    }

    match media_type(&req).as_deref() {
        Some(ssf_core::jws::SET_MEDIA_TYPE) => {}
        other => {
            return Err(ApiError::bad_request(format!(
                "Content-Type must be {}, not {:?}",
                ssf_core::jws::SET_MEDIA_TYPE,
                other.unwrap_or("")
            )))
        }
    }
    let body = read_body_limited(&mut req, MAX_SET_BYTES, "invalid_request").await?;
    let token = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("the body is not UTF-8"))?
        .trim();

    let source = rec
        .config
        .get("source")
        .map(Source::from_value)
        .transpose()
        .map_err(|e| ApiError::internal(format!("stored source unreadable: {e}")))?
        .ok_or_else(|| {
            ApiError::new(
                400,
                "access_denied",
                "this stream has no source: set one with the configuration endpoint",
            )
        })?;

    let set = verify_against_source(env, token, &source).await?;

    if !wanted(&rec, &set, default_subjects_all(env)) {
        return accepted();
    }
    let q = QueueClient::for_stream(env, &rec.id)?;
    match q.enqueue(&set.claims.jti, token, None).await? {
        Enqueued::Stored | Enqueued::Duplicate | Enqueued::Dropped => accepted(),
        Enqueued::Full | Enqueued::TooSoon => Err(ApiError::new(
            429,
            "access_denied",
            "the stream's queue is full; retry later",
        )),
    }
}

fn accepted() -> HandlerResult {
    Ok(Response::empty()?.with_status(202))
}

async fn verify_against_source(env: &Env, token: &str, source: &Source) -> Result<Set, ApiError> {
    let now = now_secs();
    let uri = match &source.keys {
        SourceKeys::Jwks(j) => {
            let keys = inline_keys(j).map_err(|e| ApiError::from_core(&e))?;
            return verify_push(token, source, &keys, now).map_err(|e| ApiError::from_core(&e));
        }
        SourceKeys::JwksUri(u) => u.as_str(),
    };
    let cache = JwksCache::new(env);
    let got = cache.get(uri).await?;
    match verify_push(token, source, &got.keys, now) {
        Ok(s) => Ok(s),
        Err(e) if is_unknown_key(&e) && !got.fresh => {
            let keys: Option<Rc<JwkSet>> = cache.refetch(uri).await?;
            match keys {
                Some(k) => verify_push(token, source, &k, now).map_err(|e| ApiError::from_core(&e)),
                None => Err(ApiError::from_core(&e)),
            }
        }
        Err(e) => Err(ApiError::from_core(&e)),
    }
}

/// Whether the stream wants this SET: its event is delivered and its subject included.
pub fn wanted(rec: &StreamRecord, set: &Set, default_all: bool) -> bool {
    let delivered: Vec<&str> = rec
        .config
        .get("events_delivered")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !set.claims.event_uris().any(|u| delivered.contains(&u)) {
        return false;
    }
    subject_included(rec, set.claims.sub_id.as_ref(), default_all)
}

/// Subject settings: with `default_subjects` `ALL`, every subject except removed ones; with
/// `NONE`, only added ones. Matching is SSF's (complex subjects match member-wise, a member
/// missing on either side acts as a wildcard). The stream's own subject is always included.
pub fn subject_included(
    rec: &StreamRecord,
    subject: Option<&SubjectId>,
    default_all: bool,
) -> bool {
    let Some(subject) = subject else {
        return default_all;
    };
    if subject.identical(&SubjectId::opaque(&rec.id)) {
        return true;
    }
    let parse = |v: &Value| SubjectId::from_value(v).ok().map(|(s, _)| s);
    let matches_any = |list: &[Value]| list.iter().filter_map(parse).any(|s| s.matches(subject));
    if matches_any(&rec.subjects_added) {
        return true;
    }
    default_all && !matches_any(&rec.subjects_removed)
}
