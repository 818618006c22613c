//! `ssf-worker`: an OpenID Shared Signals Framework 1.0 edge endpoint on Cloudflare Workers.
//!
//! Toward upstream transmitters it is an SSF **receiver**: each stream has an RFC 8935 push
//! endpoint whose SETs are verified against the stream's `source` (issuer, keys, audience).
//! Toward the relying party's backend it is an SSF **transmitter**: the same stream is read
//! with RFC 8936 poll, managed with the SSF 1.0 management API.
//!
//! This file is only the router; one module per concept does the work:
//! `activity` (the activity log's endpoint), `auth` (bearer tokens), `stream` (the
//! per-stream Durable Object: settings, push checks, queue, activity), `directory` (the
//! streams taking originated events), `emit` (`POST /ssf/events`), `upstream` (registering
//! at upstream transmitters), `streams` (the receivers' index of stream ids in KV), `node` (the node-wide
//! Durable Object), `push`, `poll`, `management`, `keys` (the worker's signing key and the
//! sources' JWKS cache), `fetch` (every outgoing request), `webcrypto` (signature checks by
//! the runtime), `discovery`.

mod activity;
mod auth;
mod config;
mod directory;
mod discovery;
mod emit;
mod fetch;
mod http;
mod keys;
mod lru;
mod management;
mod node;
mod poll;
mod push;
mod stream;
mod streams;
mod upstream;
mod webcrypto;

pub use directory::SsfDirectory;
pub use node::SsfNode;
pub use stream::SsfQueue;

use worker::{event, Context, Env, MessageBatch, Method, Request, Response, Result};

use crate::config::*;
use crate::http::{ApiError, HandlerResult};

/// Shown at `/` when the static inspector (`www/`) is not deployed with the worker.
const PLACEHOLDER_PAGE: &str =
    "<!doctype html><meta charset=utf-8><title>SSF edge receiver</title>\
<h1>SSF edge receiver</h1><p>The SET inspector is not built yet. Discovery: \
<a href=\"/.well-known/ssf-configuration\">/.well-known/ssf-configuration</a></p>";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Ok(match route(req, &env).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    })
}

/// The Cloudflare Queue `SSF_EMIT_QUEUE` (originated events beyond what a request reaches).
#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> Result<()> {
    emit::consume(batch, &env).await
}

async fn route(req: Request, env: &Env) -> HandlerResult {
    let path = req.path();
    let method = req.method();
    let get = matches!(method, Method::Get | Method::Head);
    match path.as_str() {
        p if p.starts_with(DISCOVERY_PATH) && get => discovery::metadata(&req, env),
        JWKS_PATH if get => discovery::jwks(env).await,
        DISCOVERY_PATH | JWKS_PATH => Err(ApiError::method_not_allowed("GET, HEAD")),
        CONFIGURATION_PATH => management::configuration(req, env).await,
        ROTATE_PUSH_PATH => management::rotate_push(req, env).await,
        STATUS_PATH => management::status(req, env).await,
        ADD_SUBJECT_PATH => management::add_subject(req, env).await,
        REMOVE_SUBJECT_PATH => management::remove_subject(req, env).await,
        VERIFICATION_PATH => management::verification(req, env).await,
        QUEUE_INFO_PATH => management::queue_info(req, env).await,
        EVENTS_PATH => emit::handle(req, env).await,
        ACTIVITY_PATH => activity::handle(req, env).await,
        p if p.starts_with(PUSH_PREFIX) => {
            let id = p[PUSH_PREFIX.len()..].to_string();
            push::handle(req, env, &id).await
        }
        p if p.starts_with(POLL_PREFIX) => {
            let id = p[POLL_PREFIX.len()..].to_string();
            poll::handle(req, env, &id).await
        }
        "/" | "/index.html" if get => Ok(Response::from_html(PLACEHOLDER_PAGE)?),
        _ => Err(ApiError::not_found("no such endpoint")),
    }
}
