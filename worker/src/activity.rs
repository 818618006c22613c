//! `GET /ssf/activity?stream_id=ID[&after=ID][&limit=N][&kind=K]` (DESIGN.md section 12):
//! one page of a stream's activity log, oldest first, for the stream's receiver (bearer
//! token; another receiver's stream is `404`, as one that does not exist). `next` is the
//! `id` of the last entry returned, to pass as `after`; null when there is no more. The
//! log itself is kept by the stream's object (`stream::activity`).

use ssf_core::json::Value;
use worker::{Env, Method, Request};

use crate::auth::authenticate;
use crate::http::{mgmt_json, query_param, ApiError, HandlerResult};
use crate::stream::activity::{PageRequest, DEFAULT_PAGE, MAX_PAGE};
use crate::stream::StreamClient;

pub async fn handle(req: Request, env: &Env) -> HandlerResult {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return Err(ApiError::method_not_allowed("GET"));
    }
    let receiver = authenticate(&req, env).await?;
    let id = query_param(&req, "stream_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("the stream_id query parameter is required"))?;
    let page = page_request(&req)?;
    let answer = StreamClient::new(env, &id, &receiver.id)?
        .activity(&page)
        .await?;
    Ok(mgmt_json(200, &Value::Object(answer)))
}

fn page_request(req: &Request) -> Result<PageRequest, ApiError> {
    let after = match query_param(req, "after") {
        None => 0,
        Some(a) => a
            .parse::<i64>()
            .ok()
            .filter(|a| *a >= 0)
            .ok_or_else(|| ApiError::bad_request("after must be an entry id (an integer)"))?,
    };
    let limit = match query_param(req, "limit") {
        None => DEFAULT_PAGE,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=MAX_PAGE).contains(l))
            .ok_or_else(|| {
                ApiError::bad_request(format!("limit must be an integer from 1 to {MAX_PAGE}"))
            })?,
    };
    let kind = match query_param(req, "kind") {
        None => None,
        Some(k) if is_kind_name(&k) => Some(k),
        Some(_) => return Err(ApiError::bad_request("kind must be an entry kind name")),
    };
    Ok(PageRequest { after, limit, kind })
}

/// Entry kinds are short snake_case names; anything else cannot match one.
fn is_kind_name(k: &str) -> bool {
    !k.is_empty() && k.len() <= 40 && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}
