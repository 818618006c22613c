//! The SSF 1.0 management API (section 8): configuration, status, subjects, verification;
//! plus the operators' queue view. All of it needs a bearer token (`SSF_TOKENS` or an
//! `SSF_OAUTH` access token, see `auth`); a stream of another receiver is answered `404`,
//! like one that does not exist. Every answer carries `Cache-Control: no-store`.
//!
//! Transmitter decisions made here:
//! - delivery is poll (`urn:ietf:rfc:8936`, the default) or push (`urn:ietf:rfc:8935`) to the
//!   receiver's `endpoint_url` with its optional `authorization_header` (see
//!   `stream::delivery`); any other method is `400`;
//! - `aud` of a stream is the receiver id; `events_supported` is every event type of the
//!   `ssf-core` catalogue; `events_delivered` is core's `deliverable_events`:
//!   `events_requested` ∩ supported, or every supported event when `events_requested` is
//!   absent;
//! - the `push` extension (`endpoint_url`, `authorization_header`) is minted at creation and
//!   replaced by `POST /ssf/streams/rotate-push` (the old value optionally kept working for
//!   a grace period);
//! - status changes made through the status endpoint are announced with a stream-updated
//!   SET stored in the same step as the change; it stays deliverable while the stream is
//!   paused or disabled, since SSF 1.0 sends it before delivery stops;
//! - a `source` carrying `register` is first registered at the upstream (`upstream`): the
//!   create answers `201` once the upstream stream exists, `502` with nothing left on
//!   either side otherwise; its status changes and delete are applied upstream too (best
//!   effort, shown in `source.registration.error`).
//!
//! Every stream is read from and written to its own Durable Object (`stream`), which is
//! the source of truth; writes are compare-and-set there, so concurrent changes never lose
//! one. KV holds only the receiver's index of stream ids.

use ssf_core::builder::SetBuilder;
use ssf_core::events::{Event, StreamStatus as EventStatus};
use ssf_core::json::{Map, Value};
use ssf_core::subject::SubjectId;
use ssf_core::wire::{
    apply_patch, apply_replace, AddSubjectRequest, Audience, CreateStreamRequest, PushEndpoint,
    RemoveSubjectRequest, Status, StreamConfig, StreamStatus, TransmitterSupplied,
    UpdateStreamRequest, VerificationRequest,
};
use worker::{Env, Method, Request};

use crate::auth::{authenticate, Receiver};
use crate::config::*;
use crate::fetch::UrlRules;
use crate::http::{
    empty, mgmt_json, now_ms, now_secs, origin, query_param, read_json_object, ApiError,
    HandlerResult,
};
use crate::keys::signing_key;
use crate::stream::record::StreamRecord;
use crate::stream::{Enqueued, StreamClient};
use crate::streams::{random_id, StreamIndex};
use crate::upstream;
use ssf_core::wire::upstream::Register;

fn core_400(e: ssf_core::Error) -> ApiError {
    ApiError::bad_request(e.to_string())
}

/// `events_supported`: every type of the catalogue, deprecated ones included (transmitters
/// in the field still send RISC `sessions-revoked`; a receiver may ask for it), and the
/// pre-1.0 types core recognises (Google's OAuth token-revoked).
fn every_event_type() -> Vec<String> {
    let legacy = ssf_core::events::LEGACY_EVENT_TYPES.iter().copied();
    ssf_core::events::catalog()
        .iter()
        .map(|t| t.uri)
        .chain(legacy)
        .map(String::from)
        .collect()
}

/// The stream's configuration as served from `origin`: the stored one with the members
/// that depend on where the worker is reached (`iss`, poll URL, push URL) filled in.
pub fn served_config(
    env: &Env,
    origin: &str,
    rec: &StreamRecord,
) -> Result<StreamConfig, ApiError> {
    let mut cfg = StreamConfig::from_value(&Value::Object(rec.config.clone())).map_err(|e| {
        worker::console_error!("stored stream {} is unreadable: {e}", rec.id);
        ApiError::internal("stored stream unreadable")
    })?;
    cfg.iss = issuer(env, origin);
    if cfg.delivery.is_poll() {
        cfg.delivery.endpoint_url = Some(poll_url(origin, &rec.id));
    }
    cfg.push = Some(PushEndpoint::new(
        push_url(origin, &rec.id),
        rec.push_authorization.clone(),
    ));
    Ok(cfg)
}

fn poll_url(origin: &str, id: &str) -> String {
    format!("{origin}{POLL_PREFIX}{id}")
}

fn push_url(origin: &str, id: &str) -> String {
    format!("{origin}{PUSH_PREFIX}{id}")
}

fn config_object(cfg: &StreamConfig) -> ssf_core::json::Map {
    match cfg.to_value() {
        Value::Object(m) => m,
        _ => Default::default(),
    }
}

/// Transmitter policy applied after every create / update / replace: poll, or push to a
/// receiver's `endpoint_url` that the outbound rules allow (`https`; loopback `http` only
/// in a local deployment; no user information or fragment).
fn finish_config(env: &Env, cfg: &mut StreamConfig) -> Result<(), ApiError> {
    // The read shows the profile the source's SETs are checked by, the default included.
    if let Some(source) = cfg.source.as_mut() {
        source.profile = Some(source.profile());
    }
    if cfg.delivery.is_poll() {
        return Ok(());
    }
    if !cfg.delivery.is_push() {
        return Err(ApiError::bad_request(format!(
            "unsupported delivery method {:?}: this transmitter delivers by {METHOD_PUSH} or {METHOD_POLL}",
            cfg.delivery.method
        )));
    }
    let rules = UrlRules::from_env(env);
    cfg.delivery
        .validate(rules.core_policy())
        .map_err(|e| ApiError::bad_request(format!("delivery: {e}")))?;
    let url = cfg.delivery.endpoint_url.as_deref().unwrap_or_default();
    rules
        .check(url)
        .map_err(|why| ApiError::bad_request(format!("delivery.endpoint_url: {why}")))
}

/// The URLs of a `source`: core's syntax rules, and for the `jwks_uri` the worker will
/// fetch, the deployment's outbound rules (`fetch::UrlRules`), so a URL the worker would
/// refuse to call is a `400` now rather than a failure at the first push. (A poll
/// `delivery` URL is ours; a push one is checked by `finish_config`.)
fn validate_source(env: &Env, source: Option<&ssf_core::wire::Source>) -> Result<(), ApiError> {
    let Some(s) = source else {
        return Ok(());
    };
    let rules = UrlRules::from_env(env);
    s.validate(rules.core_policy())
        .map_err(|e| ApiError::bad_request(format!("source: {e}")))?;
    if let ssf_core::wire::SourceKeys::JwksUri(uri) = &s.keys {
        rules
            .check(uri)
            .map_err(|why| ApiError::bad_request(format!("source.jwks_uri: {why}")))?;
    }
    Ok(())
}

/// `stream_id` from the query (`400` when missing).
fn stream_id_param(req: &Request) -> Result<String, ApiError> {
    query_param(req, "stream_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("the stream_id query parameter is required"))
}

// ---- configuration endpoint ---------------------------------------------------------------

pub async fn configuration(mut req: Request, env: &Env) -> HandlerResult {
    let receiver = authenticate(&req, env).await?;
    let origin = origin(&req);
    match req.method() {
        Method::Post => create(&mut req, env, &receiver, &origin).await,
        Method::Get => {
            if let Some(id) = query_param(&req, "stream_id") {
                let rec = StreamClient::new(env, &id, &receiver.id)?.load().await?.rec;
                let cfg = served_config(env, &origin, &rec)?;
                Ok(mgmt_json(200, &cfg.to_value()))
            } else {
                let mut out = Vec::new();
                for rec in list(env, &receiver).await? {
                    out.push(served_config(env, &origin, &rec)?);
                }
                Ok(mgmt_json(200, &StreamConfig::list_to_value(&out)))
            }
        }
        Method::Patch | Method::Put => {
            let replace = req.method() == Method::Put;
            let body = read_json_object(&mut req).await?;
            let update = UpdateStreamRequest::from_value(&Value::Object(body)).map_err(core_400)?;
            ssf_core::wire::intake::check_update(&update).map_err(core_400)?;
            validate_source(env, update.source.as_ref())?;
            let client = StreamClient::new(env, &update.stream_id, &receiver.id)?;
            let (_, cfg) = client
                .update(|rec| {
                    let mut cfg = served_config(env, &origin, rec)?;
                    let registered = rec.upstream.is_some().then(|| cfg.source.clone());
                    if registered.is_some() && update.source.is_some() {
                        return Err(ApiError::bad_request(
                            "source: a registered source is kept up to date by its \
                             registration; delete the stream and create it again to change it",
                        ));
                    }
                    let poll = poll_url(&origin, &rec.id);
                    if replace {
                        apply_replace(&mut cfg, &update, &poll).map_err(core_400)?;
                    } else {
                        apply_patch(&mut cfg, &update, &poll).map_err(core_400)?;
                    }
                    if let Some(source) = registered {
                        cfg.source = source;
                    }
                    finish_config(env, &mut cfg)?;
                    rec.config = config_object(&cfg);
                    Ok(cfg)
                })
                .await?;
            Ok(mgmt_json(200, &with_undelivered(&cfg)))
        }
        Method::Delete => {
            let id = stream_id_param(&req)?;
            let client = StreamClient::new(env, &id, &receiver.id)?;
            let rec = client.load().await?.rec;
            if let Some(link) = rec.upstream.as_ref().and_then(upstream::Link::from_value) {
                // Best effort: the delete succeeds whatever the upstream says.
                let outcome = match upstream::authorization(env, &link.register).await {
                    Ok(auth) => {
                        upstream::unregister(
                            env,
                            &link.transmitter,
                            &auth,
                            &link.upstream_stream_id,
                        )
                        .await
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = outcome {
                    worker::console_warn!("stream {id}: upstream stream not deleted: {}", e.0);
                }
            }
            client.delete().await?;
            StreamIndex::new(env)?.remove(&receiver.id, &id).await?;
            empty(204)
        }
        _ => Err(ApiError::method_not_allowed(
            "GET, POST, PATCH, PUT, DELETE",
        )),
    }
}

/// Every stream of `receiver`: the index's candidates, each read from its object (a
/// deleted one, or one the index lists wrongly, is skipped).
async fn list(env: &Env, receiver: &Receiver) -> Result<Vec<StreamRecord>, ApiError> {
    let mut out = Vec::new();
    for id in StreamIndex::new(env)?.list(&receiver.id).await? {
        match StreamClient::new(env, &id, &receiver.id)?.load().await {
            Ok(l) => out.push(l.rec),
            Err(e) if e.status == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

async fn create(req: &mut Request, env: &Env, receiver: &Receiver, origin: &str) -> HandlerResult {
    let mut body = read_json_object(req).await?;
    let register = take_register(env, &mut body)?;
    if register.is_some() {
        // Everything but the upstream's part is checked before the upstream is called.
        let mut probe = body.clone();
        fill_source(&mut probe, "https://upstream.invalid/jwks", "upstream");
        let probe = CreateStreamRequest::from_value(&Value::Object(probe)).map_err(core_400)?;
        ssf_core::wire::intake::check_create(&probe).map_err(core_400)?;
    } else {
        let create =
            CreateStreamRequest::from_value(&Value::Object(body.clone())).map_err(core_400)?;
        ssf_core::wire::intake::check_create(&create).map_err(core_400)?;
        validate_source(env, create.source.as_ref())?;
    }
    let index = StreamIndex::new(env)?;
    if index.list(&receiver.id).await?.len() >= MAX_STREAMS_PER_RECEIVER {
        return Err(ApiError::conflict(format!(
            "a receiver may have at most {MAX_STREAMS_PER_RECEIVER} streams"
        )));
    }
    let id = random_id()?;
    let push_authorization = new_push_credential()?;
    let Some(register) = register else {
        return create_stream(env, receiver, origin, &id, push_authorization, body, None).await;
    };
    let (link, auth) =
        register_upstream(env, origin, &id, &push_authorization, &register, &mut body).await?;
    let created = create_stream(
        env,
        receiver,
        origin,
        &id,
        push_authorization,
        body,
        Some(&link),
    )
    .await;
    if let Err(e) = created {
        // Nothing is left upstream when our side could not be stored.
        let _ = upstream::unregister(env, &link.transmitter, &auth, &link.upstream_stream_id).await;
        return Err(e);
    }
    let client = StreamClient::new(env, &id, &receiver.id)?;
    let state = link.verification_state.as_deref().unwrap_or_default();
    if let Err(e) = upstream::verify(
        env,
        &link.transmitter,
        &auth,
        &link.upstream_stream_id,
        state,
    )
    .await
    {
        let mut set = Map::new();
        set.insert("error", e.0.as_str());
        client.registration_change(set, &[]).await?;
    }
    let rec = client.load().await?.rec;
    Ok(mgmt_json(
        201,
        &served_config(env, origin, &rec)?.to_value(),
    ))
}

/// Removes `source.register` from a create request and reads it; a registered source may
/// not give what the registration finds out (keys, audience).
fn take_register(env: &Env, body: &mut Map) -> Result<Option<Register>, ApiError> {
    let Some(Value::Object(source)) = body.get_mut("source") else {
        return Ok(None);
    };
    let Some(value) = source.remove("register") else {
        return Ok(None);
    };
    let register =
        Register::from_value(&value).map_err(|e| ApiError::bad_request(e.to_string()))?;
    for name in ["jwks", "jwks_uri", "audience", "registration"] {
        if source.contains_key(name) {
            return Err(ApiError::bad_request(format!(
                "source.{name}: a registered source takes it from the upstream; do not give it"
            )));
        }
    }
    let rules = UrlRules::from_env(env);
    let issuer = source.get_str("issuer").unwrap_or_default();
    ssf_core::wire::check_issuer_url(issuer, rules.core_policy())
        .map_err(|e| ApiError::bad_request(format!("source.issuer: {e}")))?;
    rules
        .check(issuer)
        .map_err(|why| ApiError::bad_request(format!("source.issuer: {why}")))?;
    for (name, url) in register.urls() {
        rules
            .check(url)
            .map_err(|why| ApiError::bad_request(format!("source.register.{name}: {why}")))?;
    }
    Ok(Some(register))
}

/// Sets the source's keys and audience (from the upstream).
fn fill_source(body: &mut Map, jwks_uri: &str, audience: &str) {
    if let Some(Value::Object(source)) = body.get_mut("source") {
        source.insert("jwks_uri", jwks_uri);
        source.insert("audience", audience);
    }
}

/// Registers stream `id` at the upstream and completes the create request's source with
/// what the upstream said. `502` (nothing left upstream) when that fails.
async fn register_upstream(
    env: &Env,
    origin: &str,
    id: &str,
    push_authorization: &str,
    register: &Register,
    body: &mut Map,
) -> Result<(upstream::Link, String), ApiError> {
    let issuer = body
        .get("source")
        .and_then(Value::as_object)
        .and_then(|s| s.get_str("issuer"))
        .unwrap_or_default()
        .to_string();
    let events = body
        .get("events_requested")
        .map(|v| crate::stream::record::string_list(Some(v)));
    let auth = upstream::authorization(env, register)
        .await
        .map_err(upstream::UpstreamError::into_api)?;
    let push = push_url(origin, id);
    let registered = upstream::register(
        env,
        &issuer,
        register,
        events,
        (&push, push_authorization),
        &auth,
    )
    .await
    .map_err(upstream::UpstreamError::into_api)?;
    let jwks_uri = registered
        .transmitter
        .metadata
        .jwks_uri
        .clone()
        .unwrap_or_default();
    if let Err(why) = UrlRules::from_env(env).check(&jwks_uri) {
        let _ = upstream::unregister(
            env,
            &registered.transmitter,
            &auth,
            &registered.upstream_stream_id,
        )
        .await;
        return Err(upstream::UpstreamError(format!("discovery: jwks_uri: {why}")).into_api());
    }
    fill_source(body, &jwks_uri, &registered.audience);
    let mut registration = Map::new();
    registration.insert("state", "registered");
    registration.insert("upstream_stream_id", registered.upstream_stream_id.as_str());
    registration.insert("delivery", register.delivery.as_str());
    // What the upstream will really send: a receiver that asked for more learns it now.
    registration.insert(
        "events_delivered",
        Value::Array(
            registered
                .events_delivered
                .iter()
                .map(|e| Value::from(e.as_str()))
                .collect(),
        ),
    );
    if let Some(Value::Object(source)) = body.get_mut("source") {
        source.insert("register", register.redacted());
        source.insert("registration", Value::Object(registration));
    }
    let link = upstream::Link {
        register: register.clone(),
        transmitter: registered.transmitter,
        upstream_stream_id: registered.upstream_stream_id,
        poll_endpoint: registered.poll_endpoint,
        verification_state: Some(random_id()?),
    };
    Ok((link, auth))
}

/// Stores a new stream (`link`: its registration).
async fn create_stream(
    env: &Env,
    receiver: &Receiver,
    origin: &str,
    id: &str,
    push_authorization: String,
    body: Map,
    link: Option<&upstream::Link>,
) -> HandlerResult {
    let create = CreateStreamRequest::from_value(&Value::Object(body)).map_err(core_400)?;
    if link.is_none() {
        ssf_core::wire::intake::check_create(&create).map_err(core_400)?;
    }
    validate_source(env, create.source.as_ref())?;
    let index = StreamIndex::new(env)?;
    let id = id.to_string();
    let min_interval = knob(
        env,
        "SSF_MIN_VERIFICATION_INTERVAL",
        MIN_VERIFICATION_INTERVAL,
    );
    let supplied = TransmitterSupplied {
        stream_id: id.clone(),
        iss: issuer(env, origin),
        aud: Audience::One(receiver.id.clone()),
        events_supported: every_event_type(),
        poll_endpoint_url: poll_url(origin, &id),
        min_verification_interval: (min_interval > 0).then_some(min_interval as u32),
        inactivity_timeout: None,
        push: Some(PushEndpoint::new(
            push_url(origin, &id),
            push_authorization.clone(),
        )),
    };
    let mut cfg = create.into_config(supplied).map_err(core_400)?;
    finish_config(env, &mut cfg)?;
    let mut rec = StreamRecord::new(
        id.clone(),
        receiver.id.clone(),
        config_object(&cfg),
        push_authorization,
    );
    rec.upstream = link.map(upstream::Link::to_value);
    // Index first: a stream the index lists but whose object has no record is skipped by
    // every read, while a stream missing from the index could never be listed.
    index.add(&receiver.id, &id).await?;
    if !StreamClient::new(env, &id, &receiver.id)?
        .create(&rec)
        .await?
    {
        return Err(ApiError::internal("stream id collision; retry"));
    }
    Ok(mgmt_json(201, &with_undelivered(&cfg)))
}

/// The configuration as answered to a create or update: with `events_undelivered` (an
/// extension, not stored) listing each requested event type this transmitter does not
/// deliver, so a receiver that asked for one learns it now rather than waiting for events
/// that never come. Absent when every requested type is delivered.
fn with_undelivered(cfg: &StreamConfig) -> Value {
    let mut v = cfg.to_value();
    let requested = cfg.events_requested.as_deref().unwrap_or_default();
    let missing = ssf_core::filter::undelivered_events(requested, &cfg.events_delivered);
    if let (Value::Object(m), false) = (&mut v, missing.is_empty()) {
        let entries = missing
            .into_iter()
            .map(|uri| {
                let mut e = Map::new();
                e.insert("uri", uri);
                e.insert("why", "not an event type this transmitter supports");
                Value::Object(e)
            })
            .collect();
        m.insert("events_undelivered", Value::Array(entries));
    }
    v
}

/// A fresh push credential: `Bearer` and 256 random bits.
fn new_push_credential() -> Result<String, ApiError> {
    Ok(format!("Bearer {}{}", random_id()?, random_id()?))
}

/// `POST /ssf/streams/rotate-push` `{"stream_id", "grace_seconds"?}`: mints a new push
/// credential and answers the stream's configuration carrying it. The old one stops
/// working at once, or after `grace_seconds` (at most `MAX_PUSH_GRACE_SECONDS`), so an
/// upstream can be switched over without losing a push.
pub async fn rotate_push(mut req: Request, env: &Env) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env).await?;
    let origin = origin(&req);
    let body = read_json_object(&mut req).await?;
    let (id, grace) = rotate_request(&body)?;
    let fresh = new_push_credential()?;
    let (rec, _) = StreamClient::new(env, &id, &receiver.id)?
        .update(|rec| {
            rec.previous_push = (grace > 0).then(|| {
                (
                    rec.push_authorization.clone(),
                    now_ms() + (grace as i64) * 1000,
                )
            });
            rec.push_authorization = fresh.clone();
            Ok(())
        })
        .await?;
    let cfg = served_config(env, &origin, &rec)?;
    Ok(mgmt_json(200, &cfg.to_value()))
}

fn rotate_request(body: &Map) -> Result<(String, u64), ApiError> {
    for name in body.keys() {
        if name != "stream_id" && name != "grace_seconds" {
            return Err(ApiError::bad_request(format!(
                "unknown member {name:?} (expected stream_id, grace_seconds)"
            )));
        }
    }
    let id = body
        .get_str("stream_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("stream_id (a string) is required"))?;
    let grace = match body.get("grace_seconds") {
        None => 0,
        Some(v) => v
            .as_i64()
            .filter(|g| (0..=MAX_PUSH_GRACE_SECONDS as i64).contains(g))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "grace_seconds must be an integer from 0 to {MAX_PUSH_GRACE_SECONDS}"
                ))
            })? as u64,
    };
    Ok((id.to_string(), grace))
}

// ---- status endpoint ----------------------------------------------------------------------

pub async fn status(mut req: Request, env: &Env) -> HandlerResult {
    let receiver = authenticate(&req, env).await?;
    match req.method() {
        Method::Get => {
            let id = stream_id_param(&req)?;
            let (status, reason) = StreamClient::new(env, &id, &receiver.id)?.status().await?;
            Ok(mgmt_json(200, &status_value(&id, &status, reason)))
        }
        Method::Post => {
            let body = read_json_object(&mut req).await?;
            let wanted = StreamStatus::from_value(&Value::Object(body)).map_err(core_400)?;
            let client = StreamClient::new(env, &wanted.stream_id, &receiver.id)?;
            let rec = client.load().await?.rec;
            // The announcement is signed up front; the object stores it only if the status
            // really changes, in the same step as the change.
            let event_status = match wanted.status {
                Status::Enabled => EventStatus::Enabled,
                Status::Paused => EventStatus::Paused,
                Status::Disabled => EventStatus::Disabled,
            };
            // The SET says who made the change: a backend polling the stream cannot tell a
            // pause its own operator asked for from one the transmitter decided.
            let who = format!(
                "{} at the receiver's request (status endpoint)",
                wanted.status.as_str()
            );
            let event = Event::stream_updated(
                event_status,
                Some(match &wanted.reason {
                    Some(r) => format!("{who}: {r}"),
                    None => who,
                }),
            );
            let (jti, token) = sign_own(env, &origin(&req), &rec, &event).await?;
            let (status, reason, _) = client
                .set_status(
                    wanted.status.as_str(),
                    wanted.reason.as_deref(),
                    Some((&jti, &token)),
                )
                .await?;
            // Applied upstream whether or not ours changed: the receiver asking for
            // `enabled` wants the upstream enabled too, even if only the upstream paused.
            if let Some(link) = rec.upstream.as_ref().and_then(upstream::Link::from_value) {
                status_upstream(env, &client, &link, &wanted).await?;
            }
            Ok(mgmt_json(200, &status_value(&rec.id, &status, reason)))
        }
        _ => Err(ApiError::method_not_allowed("GET, POST")),
    }
}

/// Applies a status change at the upstream, best effort: our status is changed either
/// way; the registration says whether the upstream followed.
async fn status_upstream(
    env: &Env,
    client: &StreamClient,
    link: &upstream::Link,
    wanted: &StreamStatus,
) -> Result<(), ApiError> {
    let outcome = match upstream::authorization(env, &link.register).await {
        Ok(auth) => {
            upstream::apply_status(
                env,
                &link.transmitter,
                &auth,
                &link.upstream_stream_id,
                wanted.status,
                wanted.reason.as_deref(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    let mut set = Map::new();
    match outcome {
        Ok(()) => {
            set.insert("upstream_status", wanted.status.as_str());
            client.registration_change(set, &["error"]).await
        }
        Err(e) => {
            set.insert("error", e.0.as_str());
            client.registration_change(set, &[]).await
        }
    }
}

fn status_value(id: &str, status: &str, reason: Option<String>) -> Value {
    let mut s = StreamStatus::new(id, Status::from_name(status).unwrap_or(Status::Enabled));
    if let Some(r) = reason {
        s = s.with_reason(r);
    }
    s.to_value()
}

// ---- subjects -----------------------------------------------------------------------------

/// Adds (`add`) or removes a subject: one step of the stream's object, so concurrent
/// changes to the subject lists never lose one.
async fn change_subject(
    req: &mut Request,
    env: &Env,
    receiver: &Receiver,
    add: bool,
) -> Result<(), ApiError> {
    let body = Value::Object(read_json_object(req).await?);
    let (stream_id, subject) = if add {
        let r = AddSubjectRequest::from_value(&body).map_err(core_400)?;
        (r.stream_id, r.subject)
    } else {
        let r = RemoveSubjectRequest::from_value(&body).map_err(core_400)?;
        (r.stream_id, r.subject)
    };
    StreamClient::new(env, &stream_id, &receiver.id)?
        .change_subject(&subject, add)
        .await
}

pub async fn add_subject(mut req: Request, env: &Env) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env).await?;
    change_subject(&mut req, env, &receiver, true).await?;
    empty(200)
}

pub async fn remove_subject(mut req: Request, env: &Env) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env).await?;
    change_subject(&mut req, env, &receiver, false).await?;
    empty(204)
}

// ---- verification -------------------------------------------------------------------------

pub async fn verification(mut req: Request, env: &Env) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env).await?;
    let body = read_json_object(&mut req).await?;
    let v = VerificationRequest::from_value(&Value::Object(body)).map_err(core_400)?;
    let client = StreamClient::new(env, &v.stream_id, &receiver.id)?;
    let rec = client.load().await?.rec;
    let min_ms = knob(
        env,
        "SSF_MIN_VERIFICATION_INTERVAL",
        MIN_VERIFICATION_INTERVAL,
    ) as i64
        * 1000;
    let event = Event::verification(v.state.clone());
    let (jti, token) = sign_own(env, &origin(&req), &rec, &event).await?;
    match client
        .enqueue_verification(&jti, &token, min_ms, v.state.as_deref())
        .await?
    {
        Enqueued::TooSoon => Err(ApiError::too_many(
            "verification requested sooner than min_verification_interval",
        )),
        Enqueued::Full => Err(ApiError::too_many("the stream's queue is full")),
        _ => empty(204),
    }
}

/// Signs one of the worker's own SETs about the stream (`sub_id` = the stream's opaque
/// subject, `iss` = the issuer, `aud` = the stream's `aud`): `(jti, SET)`.
async fn sign_own(
    env: &Env,
    origin: &str,
    rec: &StreamRecord,
    event: &Event,
) -> Result<(String, String), ApiError> {
    let cfg = served_config(env, origin, rec)?;
    let key = signing_key(env).await?;
    let jti = random_id()?;
    let builder = SetBuilder::new(&cfg.iss, &jti, now_secs());
    let builder = match &cfg.aud {
        Audience::One(a) => builder.audience(a),
        Audience::Many(list) => builder.audiences(list.iter().map(String::as_str)),
    };
    let claims = builder
        .subject(&SubjectId::opaque(&rec.id))
        .event(event)
        .build()
        .map_err(|e| ApiError::internal(format!("cannot sign: {e}")))?;
    let token = crate::webcrypto::sign_set(&claims, &key, ssf_core::set::Profile::SSF)
        .await
        .map_err(|e| ApiError::internal(format!("cannot sign: {e}")))?;
    Ok((jti, token))
}

// ---- operators' view ----------------------------------------------------------------------

/// `GET /ssf/queue?stream_id=...`: the stream's queue counters and the `setErrs` its poller
/// reported (newest first), with the console's health summary (`depth`,
/// `oldest_pending_age_ms`, `rejections_last_hour`; see `stream::activity`).
pub async fn queue_info(req: Request, env: &Env) -> HandlerResult {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return Err(ApiError::method_not_allowed("GET"));
    }
    let receiver = authenticate(&req, env).await?;
    let id = stream_id_param(&req)?;
    let mut info = StreamClient::new(env, &id, &receiver.id)?.info().await?;
    info.insert("stream_id", id.as_str());
    Ok(mgmt_json(200, &Value::Object(info)))
}
