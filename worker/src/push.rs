//! RFC 8935 push endpoint (`POST /ssf/push/{stream_id}`): the upstream transmitter of a
//! stream (its `source`) delivers SETs here.
//!
//! The worker checks only what needs no stream: the method (`405`) and the body size (a
//! body over 64 KiB is refused with `413` before being read whole). Everything that
//! depends on the stream (credential, content type, verification against the source,
//! filtering, storing) is done by the stream's Durable Object, which holds the settings
//! and answers the push itself (see `stream::accept`): so a change to the stream takes
//! effect for the very next push, wherever it lands.

use worker::{Env, Method, Request};

use crate::http::{read_body_limited, ApiError, HandlerResult, MAX_BODY_BYTES};
use crate::stream::forward_push;

pub async fn handle(mut req: Request, env: &Env, stream_id: &str) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let (authorization, content_type) = (header("Authorization"), header("Content-Type"));
    let body = read_body_limited(&mut req, MAX_BODY_BYTES, "invalid_request").await?;
    forward_push(env, stream_id, authorization, content_type, body).await
}
