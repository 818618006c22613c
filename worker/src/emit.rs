//! `POST /ssf/events` (DESIGN section 9): the node transmits events of its own.
//!
//! An organisation's backend (an IdP, a threat-intelligence system) authenticates with one
//! of `SSF_EMITTER_TOKENS` (a JSON array; without it the endpoint does not exist) and hands
//! over `{"sub_id", "events", "txn"?}`, checked by core (`wire::EmitRequest`). Every stream
//! without a `source`, of any receiver, that takes one of the events for the subject gets
//! its own SET, signed with the node's key, `aud` its own, a fresh `jti`.
//!
//! Targets come from the directory (`directory`), which is strongly consistent; each one's
//! object decides again and stores its SET (`stream::emit`). Up to
//! `SSF_EMIT_DIRECT_TARGETS` targets are reached from the request itself,
//! `SSF_EMIT_CONCURRENCY` at a time; the others, and any that could not be reached, are
//! handed to the Cloudflare Queue `SSF_EMIT_QUEUE` when it is bound, with their `jti`
//! minted here, so its consumer stores exactly the SETs the answer names (a repeat is a
//! duplicate `jti`, stored once). The answer is `202` only once every target's SET is held
//! by its stream's queue or by the Cloudflare Queue; a target whose queue is full is named
//! under `refused` instead of failing everyone else's delivery.

use futures_util::stream::{self, StreamExt};
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::wire::EmitRequest;
use worker::{Env, MessageBatch, MessageExt, Method, Request, RequestInit};

use crate::auth::{authenticate, bearer_token, secrets_equal};
use crate::config::*;
use crate::directory;
use crate::http::{json_response, origin, read_json_object, ApiError, HandlerResult};
use crate::stream::whole_body;
use crate::streams::{is_valid_id, random_id};

/// Targets per Cloudflare Queue message (a message is at most 128 KB: the request of at
/// most 64 KiB plus this many ids and `jti`s).
const TARGETS_PER_MESSAGE: usize = 100;

pub async fn handle(mut req: Request, env: &Env) -> HandlerResult {
    let Some(tokens) = var(env, VAR_EMITTER_TOKENS) else {
        return Err(ApiError::not_found("no such endpoint"));
    };
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    authorize(&req, env, &tokens).await?;
    let body = read_json_object(&mut req).await?;
    let request = EmitRequest::from_value(&Value::Object(body))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let emission = Emission::new(&issuer(env, &origin(&req)), request.to_value());
    let targets = directory::targets(env, &request.sub_id, request.event_uris()).await?;
    let answer = fan_out(env, &emission, targets).await?;
    Ok(json_response(202, &answer))
}

/// An emitter token lets the request through; a receiver's token is `403`; anything else
/// `401`. Every configured token is compared, in constant time.
async fn authorize(req: &Request, env: &Env, tokens: &str) -> Result<(), ApiError> {
    let list = emitter_tokens(tokens).ok_or_else(|| {
        worker::console_error!("{VAR_EMITTER_TOKENS} is not a JSON array of strings");
        ApiError::internal("server misconfigured")
    })?;
    let token = bearer_token(req).ok_or_else(|| {
        ApiError::unauthorized("missing bearer token (Authorization: Bearer <emitter token>)")
    })?;
    let mut known = false;
    for candidate in &list {
        known |= secrets_equal(candidate.as_bytes(), token.as_bytes());
    }
    if known {
        return Ok(());
    }
    if authenticate(req, env).await.is_ok() {
        return Err(ApiError::new(
            403,
            "access_denied",
            "a receiver's token cannot originate events; use an emitter token",
        ));
    }
    Err(ApiError::unauthorized("invalid bearer token"))
}

/// `SSF_EMITTER_TOKENS`: a JSON array of non-empty strings.
fn emitter_tokens(text: &str) -> Option<Vec<String>> {
    let v = ssf_core::json::parse(text.as_bytes(), ssf_core::error::Part::Document).ok()?;
    v.as_array()?
        .iter()
        .map(|t| t.as_str().filter(|s| !s.is_empty()).map(str::to_string))
        .collect()
}

/// What every target's object is handed: the issuer and the checked request, as the JSON
/// object `{"iss", "request"}` (serialised once, not once per target).
struct Emission {
    json: String,
}

impl Emission {
    fn new(iss: &str, request: Value) -> Self {
        let mut m = Map::new();
        m.insert("iss", iss);
        m.insert("request", request);
        Emission {
            json: Value::Object(m).to_json(),
        }
    }

    /// The object with `"jti"` added (`jti` is ours: hex digits, nothing to escape).
    fn with_jti(&self, jti: &str) -> String {
        format!("{{\"jti\":\"{jti}\",{}", &self.json[1..])
    }
}

/// What one target's object did.
enum Outcome {
    Stored,
    NotTaken,
    Full,
}

async fn fan_out(env: &Env, emission: &Emission, targets: Vec<String>) -> Result<Value, ApiError> {
    let queue = env.queue(EMIT_QUEUE_BINDING).ok();
    let direct_max = if queue.is_some() {
        knob(env, "SSF_EMIT_DIRECT_TARGETS", EMIT_DIRECT_TARGETS) as usize
    } else {
        usize::MAX
    };
    let concurrency = knob(env, "SSF_EMIT_CONCURRENCY", EMIT_CONCURRENCY).max(1) as usize;
    let mut minted = Vec::with_capacity(targets.len());
    for id in targets {
        minted.push((id, random_id()?));
    }
    let split = minted.len().min(direct_max);
    let mut later: Vec<(String, String)> = minted.split_off(split);
    let results: Vec<_> = stream::iter(minted.into_iter().map(|(id, jti)| async move {
        let outcome = deliver_to(env, emission, &id, &jti).await;
        (id, jti, outcome)
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;

    let mut sets = Map::new();
    let mut refused = Map::new();
    let mut unreached = 0usize;
    for (id, jti, outcome) in results {
        match outcome {
            Ok(Outcome::Stored) => {
                sets.insert(id.as_str(), jti.as_str());
            }
            Ok(Outcome::NotTaken) => {}
            Ok(Outcome::Full) => {
                refused.insert(id.as_str(), "queue_full");
            }
            Err(e) => {
                worker::console_error!("emit to stream {id}: {}", e.description);
                unreached += 1;
                later.push((id, jti));
            }
        }
    }
    if !later.is_empty() {
        let Some(queue) = queue else {
            let mut e = ApiError::new(
                503,
                "server_error",
                format!(
                    "{unreached} target stream(s) could not be reached ({} reached); \
                     retrying sends the event again to every target",
                    sets.len()
                ),
            );
            e.retry_after = Some(1);
            return Err(e);
        };
        hand_over(&queue, emission, &later).await?;
        for (id, jti) in &later {
            sets.insert(id.as_str(), jti.as_str());
        }
    }
    let mut answer = Map::new();
    answer.insert("sets", Value::Object(sets));
    if !refused.is_empty() {
        answer.insert("refused", Value::Object(refused));
    }
    Ok(Value::Object(answer))
}

/// Asks stream `id`'s object to sign and store its SET of the emission under `jti`.
async fn deliver_to(
    env: &Env,
    emission: &Emission,
    id: &str,
    jti: &str,
) -> Result<Outcome, ApiError> {
    if !is_valid_id(id) {
        return Ok(Outcome::NotTaken);
    }
    let stub = env.durable_object(QUEUE_BINDING)?.get_by_name(id)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    init.with_body(Some(emission.with_jti(jti).into()));
    let req = Request::new_with_init("https://stream/emit", &init)?;
    let resp = stub.fetch_with_request(req).await?;
    let status = resp.status_code();
    let bytes = whole_body(resp).await?;
    if status != 200 {
        return Err(ApiError::internal(format!("stream answered {status}")));
    }
    let m = parse_object(&bytes, ssf_core::error::Part::Document)
        .map_err(|_| ApiError::internal("stream storage answered garbage"))?;
    Ok(match m.get_str("result") {
        Some("stored" | "duplicate") => Outcome::Stored,
        Some("full") => Outcome::Full,
        // Disabled meanwhile (its SETs are dropped), deleted, or no longer taking the events.
        _ => Outcome::NotTaken,
    })
}

/// Sends `targets` to the Cloudflare Queue, [`TARGETS_PER_MESSAGE`] per message; answers
/// only once the Queue holds every message.
async fn hand_over(
    queue: &worker::Queue,
    emission: &Emission,
    targets: &[(String, String)],
) -> Result<(), ApiError> {
    for chunk in targets.chunks(TARGETS_PER_MESSAGE) {
        let list: Vec<Value> = chunk
            .iter()
            .map(|(id, jti)| Value::Array(vec![id.as_str().into(), jti.as_str().into()]))
            .collect();
        let message = format!(
            "{{\"targets\":{},{}",
            Value::Array(list).to_json(),
            &emission.json[1..]
        );
        queue.send(message).await.map_err(|e| {
            worker::console_error!("emit queue send failed: {e}");
            ApiError::new(
                503,
                "temporarily_unavailable",
                "the event could not be handed to the delivery queue; retry",
            )
        })?;
    }
    Ok(())
}

/// The Cloudflare Queue consumer: stores each message's SETs in their streams; a message
/// with a target that could not be reached, or whose queue is full, is retried whole (the
/// targets already served see their `jti` again and store it once).
pub async fn consume(batch: MessageBatch<String>, env: &Env) -> worker::Result<()> {
    for message in batch.messages()? {
        let Ok(m) = parse_object(message.body().as_bytes(), ssf_core::error::Part::Document) else {
            worker::console_error!("emit queue: unreadable message dropped");
            message.ack();
            continue;
        };
        let (Some(iss), Some(request), Some(targets)) = (
            m.get_str("iss"),
            m.get("request"),
            m.get("targets").and_then(Value::as_array),
        ) else {
            worker::console_error!("emit queue: incomplete message dropped");
            message.ack();
            continue;
        };
        let emission = Emission::new(iss, request.clone());
        let mut all_done = true;
        for t in targets {
            let pair = t.as_array().map(|p| (p.first(), p.get(1)));
            let Some((Some(Value::String(id)), Some(Value::String(jti)))) = pair else {
                continue;
            };
            match deliver_to(env, &emission, id, jti).await {
                Ok(Outcome::Stored | Outcome::NotTaken) => {}
                // The answer already named this SET: a full queue is waited out (the
                // message comes back), not dropped.
                Ok(Outcome::Full) => {
                    worker::console_warn!("emit queue: stream {id}: queue full, retried later");
                    all_done = false;
                }
                Err(e) => {
                    worker::console_error!("emit queue: stream {id}: {}", e.description);
                    all_done = false;
                }
            }
        }
        if all_done {
            message.ack();
        } else {
            message.retry();
        }
    }
    Ok(())
}
