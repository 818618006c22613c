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

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use ssf_core::crypto::default_provider;
use ssf_core::json::Value;
use ssf_core::jwk::JwkSet;
use ssf_core::set::{begin_verify, Set, SignatureVerdict, VerifyOptions};
use ssf_core::subject::SubjectId;
use ssf_core::wire::{Source, SourceKeys};
use worker::{Env, Method, Request, Response};

use crate::auth::secrets_equal;
use crate::config::{default_subjects_all, CLOCK_SKEW_SECONDS, PUSH_TARGET_CACHE_MS};
use crate::http::{media_type, now_ms, now_secs, read_body_limited, ApiError, HandlerResult};
use crate::keys::{inline_keys, JwksCache};
use crate::queue::{Enqueued, QueueClient};
use crate::streams::{StreamRecord, Streams};
use crate::webcrypto;

/// Largest SET accepted by push.
pub const MAX_SET_BYTES: usize = 64 * 1024;

/// What a push needs of a stream, parsed once. Reading the record from KV and re-parsing
/// its source, inline keys and subject lists on every push cost more CPU than the
/// signature check.
///
/// Kept per isolate for `PUSH_TARGET_CACHE_MS` and dropped at once when this isolate
/// changes the stream (`forget`). Another isolate's change is seen within that time, which
/// is well inside what KV itself promises (its reads may be up to 60 s stale at the edge).
struct PushTarget {
    rec: StreamRecord,
    /// The stream's source and its keys; `Ok(None)`: no source yet. A source that cannot
    /// be used is remembered as such and reported only to an authenticated pusher.
    source: Result<Option<(Source, SourceKeySet)>, SourceProblem>,
    delivered: Vec<String>,
    added: Vec<SubjectId>,
    removed: Vec<SubjectId>,
    own_subject: SubjectId,
    loaded_ms: i64,
}

thread_local! {
    static TARGETS: RefCell<HashMap<String, Rc<PushTarget>>> = RefCell::new(HashMap::new());
    /// Counts `forget` calls, so a view read from KV while a write was under way is not
    /// cached over it.
    static WRITES: Cell<u64> = const { Cell::new(0) };
}

/// Most streams whose push view an isolate keeps.
const MAX_CACHED_TARGETS: usize = 1024;

/// Drops this isolate's cached view of `stream_id` (called on every write to the stream).
pub fn forget(stream_id: &str) {
    WRITES.with(|w| w.set(w.get().wrapping_add(1)));
    TARGETS.with(|t| t.borrow_mut().remove(stream_id));
}

/// Where a source's keys come from, ready to use.
enum SourceKeySet {
    Inline(Rc<JwkSet>),
    Uri(String),
}

enum SourceProblem {
    Unreadable(String),
    Keys(ssf_core::Error),
}

impl SourceProblem {
    fn to_api_error(&self) -> ApiError {
        match self {
            SourceProblem::Unreadable(why) => {
                ApiError::internal(format!("stored source unreadable: {why}"))
            }
            SourceProblem::Keys(e) => ApiError::from_core(e),
        }
    }
}

fn read_source(rec: &StreamRecord) -> Result<Option<(Source, SourceKeySet)>, SourceProblem> {
    let Some(value) = rec.config.get("source") else {
        return Ok(None);
    };
    let source = Source::from_value(value).map_err(|e| SourceProblem::Unreadable(e.to_string()))?;
    let keys = match &source.keys {
        SourceKeys::Jwks(j) => SourceKeySet::Inline(inline_keys(j).map_err(SourceProblem::Keys)?),
        SourceKeys::JwksUri(u) => SourceKeySet::Uri(u.clone()),
    };
    Ok(Some((source, keys)))
}

impl PushTarget {
    fn from_record(rec: StreamRecord, now: i64) -> Self {
        let delivered = rec
            .config
            .get("events_delivered")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let subjects = |list: &[Value]| {
            list.iter()
                .filter_map(|v| SubjectId::from_value(v).ok().map(|(s, _)| s))
                .collect()
        };
        PushTarget {
            added: subjects(&rec.subjects_added),
            removed: subjects(&rec.subjects_removed),
            own_subject: SubjectId::opaque(&rec.id),
            source: read_source(&rec),
            delivered,
            rec,
            loaded_ms: now,
        }
    }

    async fn load(env: &Env, stream_id: &str) -> Result<Option<Rc<Self>>, ApiError> {
        let now = now_ms();
        let cached = TARGETS.with(|t| t.borrow().get(stream_id).cloned());
        if let Some(t) = cached.filter(|t| now - t.loaded_ms < PUSH_TARGET_CACHE_MS) {
            return Ok(Some(t));
        }
        let writes = WRITES.with(Cell::get);
        let Some(rec) = Streams::new(env)?.get_any(stream_id).await? else {
            forget(stream_id);
            return Ok(None);
        };
        let target = Rc::new(PushTarget::from_record(rec, now));
        if WRITES.with(Cell::get) != writes {
            return Ok(Some(target));
        }
        TARGETS.with(|t| {
            let mut t = t.borrow_mut();
            if t.len() >= MAX_CACHED_TARGETS {
                t.clear();
            }
            t.insert(stream_id.to_string(), target.clone());
        });
        Ok(Some(target))
    }

    /// Whether the stream wants this SET: its event is delivered and its subject included.
    fn wants(&self, set: &Set, default_all: bool) -> bool {
        set.claims
            .event_uris()
            .any(|u| self.delivered.iter().any(|d| d == u))
            && self.includes(set.claims.sub_id.as_ref(), default_all)
    }

    /// Subject settings: with `default_subjects` `ALL`, every subject except removed ones;
    /// with `NONE`, only added ones. Matching is SSF's (complex subjects match member-wise,
    /// a member missing on either side acts as a wildcard). The stream's own subject is
    /// always included.
    fn includes(&self, subject: Option<&SubjectId>, default_all: bool) -> bool {
        let Some(subject) = subject else {
            return default_all;
        };
        if subject.identical(&self.own_subject) || self.added.iter().any(|s| s.matches(subject)) {
            return true;
        }
        default_all && !self.removed.iter().any(|s| s.matches(subject))
    }
}

/// The verification options for a SET pushed by `source`.
fn options(source: &Source, now: i64) -> VerifyOptions {
    let mut opts = VerifyOptions::new(now);
    opts.issuer = Some(source.issuer.clone());
    opts.audience = Some(source.audience.clone());
    opts.algorithms = source.algorithms.clone();
    opts.clock_skew = CLOCK_SKEW_SECONDS;
    opts
}

/// Verifies a pushed SET with `keys`: core applies every rule, WebCrypto checks the
/// signature (core's own provider when WebCrypto cannot answer).
pub async fn verify_push(
    token: &str,
    source: &Source,
    keys: &JwkSet,
    now: i64,
) -> Result<Set, ssf_core::Error> {
    let opts = options(source, now);
    let pending = begin_verify(token, keys, &opts)?;
    let (alg, key) = (pending.algorithm(), pending.key());
    let (input, signature) = (pending.signing_input(), pending.signature());
    let valid = match webcrypto::verify(alg, key, input, signature).await {
        Some(v) => v,
        None => default_provider()
            .verify(alg, key, input, signature)
            .is_ok(),
    };
    pending.finish(SignatureVerdict::from_bool(valid), &opts)
}

fn is_unknown_key(e: &ssf_core::Error) -> bool {
    matches!(e.reason(), "unknown_kid" | "no_usable_key")
}

pub async fn handle(mut req: Request, env: &Env, stream_id: &str) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let target = PushTarget::load(env, stream_id)
        .await?
        .ok_or_else(|| ApiError::new(404, "invalid_request", "no such stream"))?;

    let given = req
        .headers()
        .get("Authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    if given.is_empty()
        || !secrets_equal(given.as_bytes(), target.rec.push_authorization.as_bytes())
    {
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

    let (source, keys) = target
        .source
        .as_ref()
        .map_err(SourceProblem::to_api_error)?
        .as_ref()
        .ok_or_else(|| {
            ApiError::new(
                400,
                "access_denied",
                "this stream has no source: set one with the configuration endpoint",
            )
        })?;
    let set = verify_against_source(env, token, source, keys).await?;

    if !target.wants(&set, default_subjects_all(env)) {
        return accepted();
    }
    let q = QueueClient::for_stream(env, &target.rec.id)?;
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

async fn verify_against_source(
    env: &Env,
    token: &str,
    source: &Source,
    keys: &SourceKeySet,
) -> Result<Set, ApiError> {
    let now = now_secs();
    let uri = match keys {
        SourceKeySet::Inline(keys) => {
            return verify_push(token, source, keys, now)
                .await
                .map_err(|e| ApiError::from_core(&e))
        }
        SourceKeySet::Uri(u) => u.as_str(),
    };
    let cache = JwksCache::new(env);
    let got = cache.get(uri).await?;
    match verify_push(token, source, &got.keys, now).await {
        Ok(s) => Ok(s),
        Err(e) if is_unknown_key(&e) && !got.fresh => {
            let keys: Option<Rc<JwkSet>> = cache.refetch(uri).await?;
            match keys {
                Some(k) => verify_push(token, source, &k, now)
                    .await
                    .map_err(|e| ApiError::from_core(&e)),
                None => Err(ApiError::from_core(&e)),
            }
        }
        Err(e) => Err(ApiError::from_core(&e)),
    }
}
