//! The SSF 1.0 management API (section 8): configuration, status, subjects, verification;
//! plus the operators' queue view. All of it needs a bearer token from `SSF_TOKENS`; a
//! stream of another receiver is answered `404`, like one that does not exist. Every answer
//! carries `Cache-Control: no-store`.
//!
//! Transmitter decisions made here:
//! - delivery is poll only (`urn:ietf:rfc:8936`); a create or update asking for push is `400`;
//! - `aud` of a stream is the receiver id; `events_supported` is every event type of the
//!   `ssf-core` catalogue; `events_delivered` is core's `deliverable_events`:
//!   `events_requested` ∩ supported, or every supported event when `events_requested` is
//!   absent;
//! - the `push` extension (`endpoint_url`, `authorization_header`) is minted at creation;
//! - status changes made through the status endpoint are announced with a stream-updated
//!   SET in the stream (held while paused; dropped while disabled, as every SET is).

use ssf_core::builder::SetBuilder;
use ssf_core::events::{Event, StreamStatus as EventStatus};
use ssf_core::json::Value;
use ssf_core::subject::SubjectId;
use ssf_core::wire::{
    apply_patch, apply_replace, AddSubjectRequest, Audience, CreateStreamRequest, PushEndpoint,
    RemoveSubjectRequest, Status, StreamConfig, StreamStatus, TransmitterSupplied,
    UpdateStreamRequest, UrlPolicy, VerificationRequest,
};
use worker::{Env, Method, Request};

use crate::auth::{authenticate, Receiver};
use crate::config::*;
use crate::http::{
    empty, mgmt_json, now_secs, origin, query_param, read_json_object, ApiError, HandlerResult,
};
use crate::keys::signing_key;
use crate::queue::{Enqueued, QueueClient};
use crate::streams::{random_id, StreamRecord, Streams};

/// URLs in `source` (and push `delivery`) must be https, or http to the local machine.
const URL_POLICY: UrlPolicy = UrlPolicy::AllowLoopbackHttp;

fn core_400(e: ssf_core::Error) -> ApiError {
    ApiError::bad_request(e.to_string())
}

fn every_event_type() -> Vec<String> {
    ssf_core::events::catalog()
        .iter()
        .filter(|t| !t.deprecated)
        .map(|t| t.uri.to_string())
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

/// Transmitter policy applied after every create / update / replace.
fn finish_config(cfg: &mut StreamConfig) -> Result<(), ApiError> {
    if !cfg.delivery.is_poll() {
        return Err(ApiError::bad_request(format!(
            "unsupported delivery method {:?}: this transmitter delivers by poll ({METHOD_POLL})",
            cfg.delivery.method
        )));
    }
    Ok(())
}

/// The URLs of a `source` (issuer, `jwks_uri`). (A poll `delivery` URL is ours; push
/// delivery is refused by `finish_config`.)
fn validate_source(source: Option<&ssf_core::wire::Source>) -> Result<(), ApiError> {
    match source {
        Some(s) => s
            .validate(URL_POLICY)
            .map_err(|e| ApiError::bad_request(format!("source: {e}"))),
        None => Ok(()),
    }
}

/// `stream_id` from the query (`400` when missing).
fn stream_id_param(req: &Request) -> Result<String, ApiError> {
    query_param(req, "stream_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("the stream_id query parameter is required"))
}

// ---- configuration endpoint ---------------------------------------------------------------

pub async fn configuration(mut req: Request, env: &Env) -> HandlerResult {
    let receiver = authenticate(&req, env)?;
    let streams = Streams::new(env)?;
    let origin = origin(&req);
    match req.method() {
        Method::Post => create(&mut req, env, &streams, &receiver, &origin).await,
        Method::Get => {
            if let Some(id) = query_param(&req, "stream_id") {
                let rec = streams.get_owned(&id, &receiver.id).await?;
                let cfg = served_config(env, &origin, &rec)?;
                Ok(mgmt_json(200, &cfg.to_value()))
            } else {
                let mut out = Vec::new();
                for rec in streams.list(&receiver.id).await? {
                    out.push(served_config(env, &origin, &rec)?);
                }
                Ok(mgmt_json(200, &StreamConfig::list_to_value(&out)))
            }
        }
        Method::Patch | Method::Put => {
            let replace = req.method() == Method::Put;
            let body = read_json_object(&mut req).await?;
            let update = UpdateStreamRequest::from_value(&Value::Object(body)).map_err(core_400)?;
            let mut rec = streams.get_owned(&update.stream_id, &receiver.id).await?;
            validate_source(update.source.as_ref())?;
            let mut cfg = served_config(env, &origin, &rec)?;
            let poll = poll_url(&origin, &rec.id);
            if replace {
                apply_replace(&mut cfg, &update, &poll).map_err(core_400)?;
            } else {
                apply_patch(&mut cfg, &update, &poll).map_err(core_400)?;
            }
            finish_config(&mut cfg)?;
            rec.config = config_object(&cfg);
            streams.put(&rec).await?;
            Ok(mgmt_json(200, &cfg.to_value()))
        }
        Method::Delete => {
            let id = stream_id_param(&req)?;
            let rec = streams.get_owned(&id, &receiver.id).await?;
            streams.delete(&rec).await?;
            QueueClient::for_stream(env, &rec.id)?.destroy().await?;
            empty(204)
        }
        _ => Err(ApiError::method_not_allowed(
            "GET, POST, PATCH, PUT, DELETE",
        )),
    }
}

async fn create(
    req: &mut Request,
    env: &Env,
    streams: &Streams,
    receiver: &Receiver,
    origin: &str,
) -> HandlerResult {
    let body = read_json_object(req).await?;
    let create = CreateStreamRequest::from_value(&Value::Object(body)).map_err(core_400)?;
    validate_source(create.source.as_ref())?;
    if streams.list(&receiver.id).await?.len() >= MAX_STREAMS_PER_RECEIVER {
        return Err(ApiError::new(
            409,
            "conflict",
            format!("a receiver may have at most {MAX_STREAMS_PER_RECEIVER} streams"),
        ));
    }
    let id = random_id()?;
    let push_authorization = format!("Bearer {}{}", random_id()?, random_id()?);
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
    finish_config(&mut cfg)?;
    let rec = StreamRecord {
        id,
        owner: receiver.id.clone(),
        config: config_object(&cfg),
        push_authorization,
        subjects_added: Vec::new(),
        subjects_removed: Vec::new(),
    };
    streams.put(&rec).await?;
    Ok(mgmt_json(201, &cfg.to_value()))
}

// ---- status endpoint ----------------------------------------------------------------------

pub async fn status(mut req: Request, env: &Env) -> HandlerResult {
    let receiver = authenticate(&req, env)?;
    let streams = Streams::new(env)?;
    match req.method() {
        Method::Get => {
            let id = stream_id_param(&req)?;
            let rec = streams.get_owned(&id, &receiver.id).await?;
            let (status, reason) = QueueClient::for_stream(env, &rec.id)?.status().await?;
            Ok(mgmt_json(200, &status_value(&rec.id, &status, reason)))
        }
        Method::Post => {
            let body = read_json_object(&mut req).await?;
            let wanted = StreamStatus::from_value(&Value::Object(body)).map_err(core_400)?;
            let rec = streams.get_owned(&wanted.stream_id, &receiver.id).await?;
            let q = QueueClient::for_stream(env, &rec.id)?;
            let origin = origin(&req);
            // Announce the change in the stream. Going to enabled: after the change (so it is
            // delivered); to paused or disabled: before it (so it is queued first).
            let changes = q.status().await?.0 != wanted.status.as_str();
            let event_status = match wanted.status {
                Status::Enabled => EventStatus::Enabled,
                Status::Paused => EventStatus::Paused,
                Status::Disabled => EventStatus::Disabled,
            };
            let event = Event::stream_updated(event_status, wanted.reason.clone());
            if changes && wanted.status != Status::Enabled {
                emit(env, &origin, &rec, &q, &event, None).await?;
            }
            let changed = q
                .set_status(wanted.status.as_str(), wanted.reason.as_deref())
                .await?;
            if changed && wanted.status == Status::Enabled {
                emit(env, &origin, &rec, &q, &event, None).await?;
            }
            let (status, reason) = q.status().await?;
            Ok(mgmt_json(200, &status_value(&rec.id, &status, reason)))
        }
        _ => Err(ApiError::method_not_allowed("GET, POST")),
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

fn same_subject(a: &Value, b: &SubjectId) -> bool {
    SubjectId::from_value(a)
        .map(|(s, _)| s.identical(b))
        .unwrap_or(false)
}

pub async fn add_subject(mut req: Request, env: &Env) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env)?;
    let body = read_json_object(&mut req).await?;
    let add = AddSubjectRequest::from_value(&Value::Object(body)).map_err(core_400)?;
    let streams = Streams::new(env)?;
    let mut rec = streams.get_owned(&add.stream_id, &receiver.id).await?;
    rec.subjects_removed
        .retain(|v| !same_subject(v, &add.subject));
    if !rec
        .subjects_added
        .iter()
        .any(|v| same_subject(v, &add.subject))
    {
        rec.subjects_added.push(add.subject.to_value());
    }
    streams.put(&rec).await?;
    empty(200)
}

pub async fn remove_subject(mut req: Request, env: &Env) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env)?;
    let body = read_json_object(&mut req).await?;
    let remove = RemoveSubjectRequest::from_value(&Value::Object(body)).map_err(core_400)?;
    let streams = Streams::new(env)?;
    let mut rec = streams.get_owned(&remove.stream_id, &receiver.id).await?;
    rec.subjects_added
        .retain(|v| !same_subject(v, &remove.subject));
    if !rec
        .subjects_removed
        .iter()
        .any(|v| same_subject(v, &remove.subject))
    {
        rec.subjects_removed.push(remove.subject.to_value());
    }
    streams.put(&rec).await?;
    empty(204)
}

// ---- verification -------------------------------------------------------------------------

pub async fn verification(mut req: Request, env: &Env) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env)?;
    let body = read_json_object(&mut req).await?;
    let v = VerificationRequest::from_value(&Value::Object(body)).map_err(core_400)?;
    let streams = Streams::new(env)?;
    let rec = streams.get_owned(&v.stream_id, &receiver.id).await?;
    let q = QueueClient::for_stream(env, &rec.id)?;
    let min_ms = knob(
        env,
        "SSF_MIN_VERIFICATION_INTERVAL",
        MIN_VERIFICATION_INTERVAL,
    ) as i64
        * 1000;
    let event = Event::verification(v.state.clone());
    match emit(env, &origin(&req), &rec, &q, &event, Some(min_ms)).await? {
        Enqueued::TooSoon => {
            let mut e = ApiError::new(
                429,
                "too_many_requests",
                "verification requested sooner than min_verification_interval",
            );
            e.challenge = false;
            Err(e)
        }
        Enqueued::Full => Err(ApiError::new(
            429,
            "too_many_requests",
            "the stream's queue is full",
        )),
        _ => empty(204),
    }
}

/// Signs one of the worker's own SETs about the stream (`sub_id` = the stream's opaque
/// subject, `iss` = the issuer, `aud` = the stream's `aud`) and queues it.
async fn emit(
    env: &Env,
    origin: &str,
    rec: &StreamRecord,
    q: &QueueClient,
    event: &Event,
    min_interval_ms: Option<i64>,
) -> Result<Enqueued, ApiError> {
    let cfg = served_config(env, origin, rec)?;
    let key = signing_key(env).await?;
    let jti = random_id()?;
    let builder = SetBuilder::new(&cfg.iss, &jti, now_secs());
    let builder = match &cfg.aud {
        Audience::One(a) => builder.audience(a),
        Audience::Many(list) => builder.audiences(list.iter().map(String::as_str)),
    };
    let token = builder
        .subject(&SubjectId::opaque(&rec.id))
        .event(event)
        .sign(&key)
        .map_err(|e| ApiError::internal(format!("cannot sign: {e}")))?;
    q.enqueue(&jti, &token, min_interval_ms).await
}

// ---- operators' view ----------------------------------------------------------------------

/// `GET /ssf/queue?stream_id=...`: the stream's queue counters and the `setErrs` its poller
/// reported (newest first).
pub async fn queue_info(req: Request, env: &Env) -> HandlerResult {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return Err(ApiError::method_not_allowed("GET"));
    }
    let receiver = authenticate(&req, env)?;
    let id = stream_id_param(&req)?;
    let streams = Streams::new(env)?;
    let rec = streams.get_owned(&id, &receiver.id).await?;
    let mut info = QueueClient::for_stream(env, &rec.id)?.info().await?;
    info.insert("stream_id", rec.id.as_str());
    Ok(mgmt_json(200, &Value::Object(info)))
}
