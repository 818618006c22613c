//! HTTP plumbing shared by the handlers: JSON bodies, JSON errors, bounded body reads.
//!
//! Every error the worker answers is a JSON object `{"err": ..., "description": ...}` (the
//! RFC 8935 shape), with `Content-Language: en`, on every endpoint alike. The HTTP status
//! says what happened; `err` is always a value of the RFC 8935 "Security Event Token Error
//! Codes" registry (which RFC 8936 `setErrs` share, SSF adding `invalid_state`), so a client
//! switching on it never meets a private code. The one table (README "Errors"):
//!
//! | situation | status | `err` |
//! |---|---|---|
//! | bad SET: syntax, profile, event | 400 | `invalid_request` |
//! | bad SET: unknown key, bad signature, disallowed `alg` | 400 | `invalid_key` |
//! | bad SET: wrong `iss` / `aud` | 400 | `invalid_issuer` / `invalid_audience` |
//! | malformed or unknown-member request body, bad query | 400 | `invalid_request` |
//! | missing or wrong credentials | 401 | `authentication_failed` |
//! | OAuth access token without the configured scope | 403 | `access_denied` |
//! | no such stream (or another receiver's), no such endpoint | 404 | `invalid_request` |
//! | wrong method | 405 (+ `Allow`) | `invalid_request` |
//! | concurrent change, stream limit | 409 | `invalid_request` |
//! | body too large | 413 | `invalid_request` |
//! | wrong `Content-Type` | 415 (push and poll: 400) | `invalid_request` |
//! | queue full, verification too soon | 429 | `access_denied` |
//! | stream without a source | 400 | `access_denied` |
//! | source keys not obtainable now | 503 (+ `Retry-After`) | `invalid_key` |
//! | the worker's own failure | 500 | `server_error` (the registry has no such code) |

use futures_util::StreamExt;
use ssf_core::json::{Map, Value};
use worker::{Headers, Request, Response};

/// The largest request body any endpoint accepts (a SET, a management or poll request):
/// core's token limit, so a push body and the SET inside it are bounded alike.
pub const MAX_BODY_BYTES: usize = ssf_core::limits::MAX_TOKEN_LEN;

/// A failed request, turned into a JSON error response at the edge of the router.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub err: &'static str,
    pub description: String,
    /// Adds `WWW-Authenticate: Bearer` (401 answers).
    pub challenge: bool,
    /// With `challenge`, the RFC 6750 `error` of the challenge (`invalid_token`,
    /// `insufficient_scope`), for answers about an OAuth access token.
    pub bearer_error: Option<&'static str>,
    /// Adds `Allow` (405 answers).
    pub allow: Option<&'static str>,
    /// Adds `Retry-After` in seconds (503 and 429 answers).
    pub retry_after: Option<u64>,
    /// Core's short name for why a SET was refused (the activity log's `reason`).
    pub reason: Option<&'static str>,
}

pub type HandlerResult = std::result::Result<Response, ApiError>;

impl ApiError {
    pub fn new(status: u16, err: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            err,
            description: description.into(),
            challenge: false,
            bearer_error: None,
            allow: None,
            retry_after: None,
            reason: None,
        }
    }

    /// `503 invalid_key`: the source's keys cannot be had at the moment (fetch failed, or
    /// an unknown `kid` arrived while refetches are held back); retry later (after
    /// `retry_after` seconds when known).
    pub fn keys_unavailable(description: impl Into<String>, retry_after: Option<u64>) -> Self {
        let mut e = Self::new(503, "invalid_key", description);
        e.retry_after = retry_after;
        e
    }

    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", description)
    }

    pub fn unauthorized(description: impl Into<String>) -> Self {
        let mut e = Self::new(401, "authentication_failed", description);
        e.challenge = true;
        e
    }

    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(404, "invalid_request", description)
    }

    /// `409`: the request cannot be applied in the stream's current state.
    pub fn conflict(description: impl Into<String>) -> Self {
        Self::new(409, "invalid_request", description)
    }

    /// `429`: the stream takes no more for now.
    pub fn too_many(description: impl Into<String>) -> Self {
        Self::new(429, "access_denied", description)
    }

    pub fn method_not_allowed(allow: &'static str) -> Self {
        let mut e = Self::new(
            405,
            "invalid_request",
            format!("method not allowed; allowed methods: {allow}"),
        );
        e.allow = Some(allow);
        e
    }

    pub fn internal(description: impl Into<String>) -> Self {
        Self::new(500, "server_error", description)
    }

    /// The error from `ssf_core` as an RFC 8935 `400` (its `err` code and message).
    pub fn from_core(e: &ssf_core::Error) -> Self {
        let mut out = Self::new(400, e.code().as_str(), format!("{} ({})", e, e.reason()));
        out.reason = Some(e.reason());
        out
    }

    pub fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("err", self.err);
        body.insert("description", self.description);
        let mut resp = json_response(self.status, &Value::Object(body));
        let h = resp.headers_mut();
        let _ = h.set("Content-Language", "en");
        let _ = h.set("Cache-Control", "no-store");
        match (self.challenge, self.bearer_error) {
            (true, Some(error)) => {
                let _ = h.set("WWW-Authenticate", &format!("Bearer error=\"{error}\""));
            }
            (true, None) => {
                let _ = h.set("WWW-Authenticate", "Bearer");
            }
            (false, _) => {}
        }
        if let Some(allow) = self.allow {
            let _ = h.set("Allow", allow);
        }
        if let Some(secs) = self.retry_after {
            let _ = h.set("Retry-After", &secs.to_string());
        }
        resp
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        worker::console_error!("internal error: {e}");
        ApiError::internal("internal error")
    }
}

/// A JSON response with the given status.
pub fn json_response(status: u16, body: &Value) -> Response {
    let headers = Headers::new();
    let _ = headers.set("Content-Type", "application/json");
    match Response::from_bytes(body.to_json().into_bytes()) {
        Ok(r) => r.with_status(status).with_headers(headers),
        Err(_) => Response::empty()
            .map(|r| r.with_status(500))
            .unwrap_or_else(|_| unreachable_response()),
    }
}

/// A JSON response for the management API (`Cache-Control: no-store`).
pub fn mgmt_json(status: u16, body: &Value) -> Response {
    let mut r = json_response(status, body);
    let _ = r.headers_mut().set("Cache-Control", "no-store");
    r
}

/// An empty response with the given status, `Cache-Control: no-store`.
pub fn empty(status: u16) -> HandlerResult {
    let mut r = Response::empty()?.with_status(status);
    let _ = r.headers_mut().set("Cache-Control", "no-store");
    Ok(r)
}

fn unreachable_response() -> Response {
    // Response::empty never fails in practice; this keeps the signatures infallible.
    Response::error("internal error", 500).expect("plain response")
}

/// The media type of a request (lower-cased, parameters dropped), if any.
pub fn media_type(req: &Request) -> Option<String> {
    let ct = req.headers().get("Content-Type").ok().flatten()?;
    let mt = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(mt)
}

/// Reads the request body, refusing (413) anything over `limit` bytes without reading it
/// whole: a declared `Content-Length` over the limit is refused before reading, and a body
/// without one is read chunk by chunk and abandoned as soon as it passes the limit.
pub async fn read_body_limited(
    req: &mut Request,
    limit: usize,
    err: &'static str,
) -> std::result::Result<Vec<u8>, ApiError> {
    let too_large = || ApiError::new(413, err, format!("request body larger than {limit} bytes"));
    if let Some(len) = req.headers().get("Content-Length").ok().flatten() {
        match len.trim().parse::<u64>() {
            Ok(n) if n > limit as u64 => return Err(too_large()),
            // The runtime holds the body to its declared length, so it can be taken in one
            // piece: one call instead of a stream reader's several per chunk.
            Ok(_) => return Ok(req.bytes().await?),
            Err(_) => return Err(ApiError::new(400, err, "invalid Content-Length")),
        }
    }
    let mut out = Vec::new();
    let mut stream = match req.stream() {
        Ok(s) => s,
        // No body at all.
        Err(_) => return Ok(out),
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if out.len() + chunk.len() > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads a JSON object body for the management and poll APIs (`400 invalid_request` if it is
/// not one). The media type, when given, must be JSON.
pub async fn read_json_object(req: &mut Request) -> std::result::Result<Map, ApiError> {
    if let Some(mt) = media_type(req) {
        if mt != "application/json" && !mt.ends_with("+json") {
            return Err(ApiError::new(
                415,
                "invalid_request",
                format!("Content-Type must be application/json, not {mt:?}"),
            ));
        }
    }
    let body = read_body_limited(req, MAX_BODY_BYTES, "invalid_request").await?;
    ssf_core::json::parse_object(&body, ssf_core::error::Part::Document)
        .map_err(|e| ApiError::bad_request(format!("request body is not a JSON object: {e}")))
}

/// The value of query parameter `name`, if present.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    let url = req.url().ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `scheme://host[:port]` of the request.
pub fn origin(req: &Request) -> String {
    match req.url() {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => String::new(),
    }
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// Now, in seconds since the epoch.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}
