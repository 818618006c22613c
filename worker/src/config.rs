//! Configuration: the pinned bindings and variables (DESIGN.md section 4), the routes the
//! discovery document advertises, and the documented operating bounds.
//!
//! Pinned names: KV binding `SSF_KV`, Durable Object binding `SSF_QUEUE`, variables
//! `SSF_TOKENS`, `SSF_ISSUER`, `SSF_SIGNING_JWK`.
//!
//! The bounds below are named constants; a few can be lowered (or raised) per deployment with
//! an optional variable of the same name prefixed `SSF_` (the tests use small values).

use worker::Env;

pub const KV_BINDING: &str = "SSF_KV";
pub const QUEUE_BINDING: &str = "SSF_QUEUE";
/// Durable Object binding of the node-wide object (class `SsfNode`, one instance): what
/// must be created exactly once, such as the generated signing key.
pub const NODE_BINDING: &str = "SSF_NODE";
pub const VAR_TOKENS: &str = "SSF_TOKENS";
pub const VAR_ISSUER: &str = "SSF_ISSUER";
pub const VAR_SIGNING_JWK: &str = "SSF_SIGNING_JWK";
/// JSON array of the bearer tokens that may originate events (`POST /ssf/events`).
pub const VAR_EMITTER_TOKENS: &str = "SSF_EMITTER_TOKENS";
/// Durable Object binding of the directory of streams taking originated events (class
/// `SsfDirectory`, one instance).
pub const DIRECTORY_BINDING: &str = "SSF_DIRECTORY";
/// Optional Cloudflare Queue binding through which originated events reach the targets a
/// request does not reach itself.
pub const EMIT_QUEUE_BINDING: &str = "SSF_EMIT_QUEUE";

// ---- routes (advertised by discovery) --------------------------------------------------
pub const DISCOVERY_PATH: &str = "/.well-known/ssf-configuration";
pub const JWKS_PATH: &str = "/ssf/jwks.json";
pub const CONFIGURATION_PATH: &str = "/ssf/streams";
pub const STATUS_PATH: &str = "/ssf/status";
/// Extension: `POST` replaces a stream's push credential (see `management::rotate_push`).
pub const ROTATE_PUSH_PATH: &str = "/ssf/streams/rotate-push";
pub const ADD_SUBJECT_PATH: &str = "/ssf/subjects:add";
pub const REMOVE_SUBJECT_PATH: &str = "/ssf/subjects:remove";
pub const VERIFICATION_PATH: &str = "/ssf/verify";
/// Extension for operators: a stream's queue counters and the `setErrs` its poller reported.
pub const QUEUE_INFO_PATH: &str = "/ssf/queue";
/// `POST`: originate events (DESIGN section 9), with an emitter token.
pub const EVENTS_PATH: &str = "/ssf/events";
/// `POST {POLL_PREFIX}{stream_id}`: the stream's RFC 8936 poll endpoint.
pub const POLL_PREFIX: &str = "/ssf/poll/";
/// `POST {PUSH_PREFIX}{stream_id}`: the stream's RFC 8935 push endpoint (for the upstream).
pub const PUSH_PREFIX: &str = "/ssf/push/";

pub const METHOD_POLL: &str = "urn:ietf:rfc:8936";
pub const METHOD_PUSH: &str = "urn:ietf:rfc:8935";

// ---- bounds ------------------------------------------------------------------------------
/// A long poll (no `returnImmediately`) is held at most this long before answering with no
/// SETs. Override: `SSF_LONG_POLL_SECONDS`.
pub const LONG_POLL_SECONDS: u64 = 20;
/// A SET delivered by poll and not acknowledged is delivered again after this long.
/// Override: `SSF_REDELIVERY_SECONDS`.
pub const REDELIVERY_SECONDS: u64 = 60;
/// A SET is kept at most this long after it was received, acknowledged or not; the `jti` of
/// an acknowledged SET is remembered for as long, so a repeated push is not delivered again.
/// Override: `SSF_RETENTION_SECONDS`.
pub const RETENTION_SECONDS: u64 = 7 * 24 * 3600;
/// At most this many unacknowledged SETs per stream; further pushes are answered `429`.
/// Override: `SSF_MAX_QUEUED_SETS`.
pub const MAX_QUEUED_SETS: u64 = 10_000;
/// At most this many SETs in one poll response (`moreAvailable` tells there are more).
pub const MAX_SETS_PER_POLL: i64 = 100;
/// A source's JWKS fetched from its `jwks_uri` is used for this long before being refetched.
/// Override: `SSF_JWKS_CACHE_SECONDS`.
pub const JWKS_CACHE_SECONDS: u64 = 300;
/// An unknown `kid` triggers at most one JWKS refetch per stream per this interval (the
/// first fetch of a source does not count); while the gate is closed such a push is
/// answered `503` with `Retry-After`. Override: `SSF_JWKS_REFETCH_SECONDS`.
pub const JWKS_REFETCH_SECONDS: u64 = 60;
/// An outgoing request (JWKS fetch, ...) is abandoned after this long, body included.
/// Override: `SSF_FETCH_TIMEOUT_SECONDS`.
pub const FETCH_TIMEOUT_SECONDS: u64 = 10;
/// Push delivery (DESIGN section 8): an attempt without an answer within this long failed.
/// Override: `SSF_PUSH_TIMEOUT_SECONDS`.
pub const PUSH_TIMEOUT_SECONDS: u64 = 10;
/// First retry delay after a retryable push failure; doubled per attempt (with jitter) up
/// to `PUSH_MAX_BACKOFF_SECONDS`. Overrides: `SSF_PUSH_RETRY_SECONDS`,
/// `SSF_PUSH_MAX_BACKOFF_SECONDS`.
pub const PUSH_RETRY_SECONDS: u64 = 2;
pub const PUSH_MAX_BACKOFF_SECONDS: u64 = 300;
/// Most push requests in flight per stream. Override: `SSF_PUSH_CONCURRENCY`.
pub const PUSH_CONCURRENCY: u64 = 4;
/// Longest grace period during which a rotated push credential still works.
pub const MAX_PUSH_GRACE_SECONDS: u64 = 7 * 24 * 3600;
/// Accepted clock skew for a pushed SET's `iat` in the future.
pub const CLOCK_SKEW_SECONDS: u64 = 300;
/// `min_verification_interval` of every stream: verification requests closer than this are
/// answered `429`. 0 = no limit. Override: `SSF_MIN_VERIFICATION_INTERVAL`.
pub const MIN_VERIFICATION_INTERVAL: u64 = 0;
/// Most JWKS documents an isolate keeps parsed (least recently used dropped first).
pub const MAX_CACHED_JWKS: usize = 256;
/// Originated events: at most this many target streams are reached from the request
/// itself; the others go through `SSF_EMIT_QUEUE` when it is bound. Override:
/// `SSF_EMIT_DIRECT_TARGETS`.
pub const EMIT_DIRECT_TARGETS: u64 = 500;
/// Originated events: target streams reached at a time. Override: `SSF_EMIT_CONCURRENCY`.
pub const EMIT_CONCURRENCY: u64 = 16;
/// Upstream poll registrations: a long poll of the upstream is waited for this long (plus
/// 5 s) before it counts as failed. Override: `SSF_UPSTREAM_POLL_SECONDS`.
pub const UPSTREAM_POLL_SECONDS: u64 = 30;
/// Upstream poll registrations: the pause after a poll that brought nothing (the upstream
/// answered at once rather than holding the poll). Override:
/// `SSF_UPSTREAM_POLL_INTERVAL_SECONDS`.
pub const UPSTREAM_POLL_INTERVAL_SECONDS: u64 = 1;
/// Upstream poll registrations: first retry delay after a failed poll, doubled per failure
/// up to `PUSH_MAX_BACKOFF_SECONDS`. Override: `SSF_UPSTREAM_RETRY_SECONDS`.
pub const UPSTREAM_RETRY_SECONDS: u64 = 2;
/// Most streams a receiver may create.
pub const MAX_STREAMS_PER_RECEIVER: usize = 100;

/// A numeric knob: the variable `name` if set to an integer, else `default`.
pub fn knob(env: &Env, name: &str, default: u64) -> u64 {
    env.var(name)
        .ok()
        .and_then(|v| v.to_string().trim().parse::<u64>().ok())
        .unwrap_or(default)
}

/// A boolean variable: `true`, `1` or `yes` (any case) is on; anything else, or absent, off.
pub fn flag(env: &Env, name: &str) -> bool {
    var(env, name)
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

/// An optional string variable (secret or plain var); empty counts as absent.
pub fn var(env: &Env, name: &str) -> Option<String> {
    let v = env.var(name).ok().map(|v| v.to_string())?;
    if v.trim().is_empty() {
        None
    } else {
        Some(v)
    }
}

/// `default_subjects` of this transmitter: `ALL` (every subject is in a new stream until
/// removed) or `NONE` (only added subjects). Variable `SSF_DEFAULT_SUBJECTS`, default `ALL`.
pub fn default_subjects_all(env: &Env) -> bool {
    !matches!(var(env, "SSF_DEFAULT_SUBJECTS").as_deref(), Some("NONE"))
}

/// The issuer: `SSF_ISSUER` if set, else the request origin.
pub fn issuer(env: &Env, origin: &str) -> String {
    match var(env, VAR_ISSUER) {
        Some(i) => i.trim().trim_end_matches('/').to_string(),
        None => origin.to_string(),
    }
}

/// `SSF_OAUTH`: the one authorization server whose JWT access tokens (RFC 9068) the
/// management and poll APIs accept beside `SSF_TOKENS` (see `auth`).
pub const VAR_OAUTH: &str = "SSF_OAUTH";
/// The claim of an access token that names the receiver when `SSF_OAUTH` names none.
pub const DEFAULT_RECEIVER_CLAIM: &str = "client_id";
/// The `spec_urn` discovery lists for `SSF_TOKENS`: bearer tokens (RFC 6750).
pub const BEARER_SPEC_URN: &str = "urn:ietf:rfc:6750";
/// The activity log (DESIGN section 12): entries older than this are deleted. Override:
/// `SSF_ACTIVITY_RETENTION_SECONDS`.
pub const ACTIVITY_RETENTION_SECONDS: u64 = 30 * 24 * 3600;
/// At most this many activity entries per stream (oldest deleted first). Override:
/// `SSF_ACTIVITY_MAX_ENTRIES`.
pub const ACTIVITY_MAX_ENTRIES: u64 = 10_000;
/// `GET {ACTIVITY_PATH}?stream_id=`: a stream's activity log, for its receiver.
pub const ACTIVITY_PATH: &str = "/ssf/activity";
