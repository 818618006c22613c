//! RFC 8936 poll endpoint (`POST /ssf/poll/{stream_id}`), for the stream's receiver
//! (bearer token from `SSF_TOKENS`; another receiver's stream is `404`).
//!
//! Request members (all optional): `maxEvents` (0 = acknowledge only, answered at once),
//! `returnImmediately` (absent or false = long poll, held at most `LONG_POLL_SECONDS`),
//! `ack`, `setErrs`; any other member is refused (`400 invalid_request` naming it). Answer
//! `200 {"sets": {jti: SET}, "moreAvailable": bool}`. An invalid request is
//! `400 invalid_request`. The queue semantics are in `stream::queue`.

use ssf_core::json::{Map, Value};
use ssf_core::wire::PollRequest;
use worker::{Env, Method, Request};

use crate::auth::authenticate;
use crate::http::{json_response, read_body_limited, ApiError, HandlerResult, MAX_BODY_BYTES};
use crate::stream::StreamClient;

pub async fn handle(mut req: Request, env: &Env, stream_id: &str) -> HandlerResult {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let receiver = authenticate(&req, env).await?;
    let client = StreamClient::new(env, stream_id, &receiver.id)?;

    if let Some(mt) = crate::http::media_type(&req) {
        if mt != "application/json" {
            return Err(ApiError::bad_request(format!(
                "Content-Type must be application/json, not {mt:?}"
            )));
        }
    }
    let body = read_body_limited(&mut req, MAX_BODY_BYTES, "invalid_request").await?;
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        ssf_core::json::parse_object(&body, ssf_core::error::Part::Document)
            .map_err(|e| ApiError::bad_request(format!("poll request is not a JSON object: {e}")))?
    };
    // Core's message already says "invalid poll request: ...". Unknown members are refused:
    // a misspelt `returnImmediately` would otherwise hold the request for the long-poll time.
    let parsed = PollRequest::from_value(&Value::Object(request))
        .and_then(|p| ssf_core::wire::intake::check_poll(&p).map(|()| p))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let answer = client.poll(parsed).await?;
    let mut r = json_response(200, &Value::Object(answer));
    let _ = r.headers_mut().set("Cache-Control", "no-store");
    Ok(r)
}
