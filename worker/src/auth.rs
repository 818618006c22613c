//! Bearer authorization of the management and poll APIs (`SSF_TOKENS`, and OAuth access
//! tokens when `SSF_OAUTH` is set: see `oauth`), and the constant-time comparison used for
//! push credentials too.
//!
//! `SSF_TOKENS` is a JSON object mapping each bearer token to a receiver id. A token that is
//! none of them is checked as an access token when `SSF_OAUTH` is set; both kinds name
//! receivers in the same space of ids. Tokens are never logged. Comparison hashes both sides with SHA-256 and compares the digests in constant
//! time, so neither the content nor the length of a configured token leaks through timing.

use sha2::{Digest, Sha256};
use ssf_core::json::{parse_object, Value};
use subtle::ConstantTimeEq;
use worker::{Env, Request};

use crate::config::{var, VAR_TOKENS};
use crate::http::ApiError;

pub mod oauth;

/// The authenticated caller of the management / poll API.
#[derive(Clone, Debug)]
pub struct Receiver {
    pub id: String,
}

/// Constant-time equality of two secrets (via their SHA-256 digests).
pub fn secrets_equal(a: &[u8], b: &[u8]) -> bool {
    let da = Sha256::digest(a);
    let db = Sha256::digest(b);
    bool::from(da.as_slice().ct_eq(db.as_slice()))
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer_token(req: &Request) -> Option<String> {
    let h = req.headers().get("Authorization").ok().flatten()?;
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let t = rest.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// Authenticates the request: a static token of `SSF_TOKENS`, else an access token of
/// `SSF_OAUTH`. `401` (with `WWW-Authenticate: Bearer`) when the header is missing or the
/// token is neither; `403` for an access token without the configured scope.
pub async fn authenticate(req: &Request, env: &Env) -> Result<Receiver, ApiError> {
    let token = bearer_token(req).ok_or_else(|| {
        ApiError::unauthorized("missing bearer token (Authorization: Bearer <token>)")
    })?;
    let oauth = oauth::config(env);
    if let Some(id) = static_receiver(env, &token, matches!(oauth, Ok(Some(_))))? {
        return Ok(Receiver { id });
    }
    match oauth? {
        Some(cfg) => Ok(Receiver {
            id: cfg.receiver(env, &token).await?,
        }),
        None => Err(ApiError::unauthorized("invalid bearer token")),
    }
}

/// The receiver `SSF_TOKENS` maps `token` to, if any. An absent `SSF_TOKENS` is worth a
/// log line only when there is no other way in (`oauth_configured`).
fn static_receiver(
    env: &Env,
    token: &str,
    oauth_configured: bool,
) -> Result<Option<String>, ApiError> {
    let Some(tokens) = var(env, VAR_TOKENS) else {
        if !oauth_configured {
            worker::console_error!("{VAR_TOKENS} is not configured: every request is refused");
        }
        return Ok(None);
    };
    let map = parse_object(tokens.as_bytes(), ssf_core::error::Part::Document).map_err(|e| {
        worker::console_error!("{VAR_TOKENS} is not a JSON object: {e}");
        ApiError::internal("server misconfigured")
    })?;
    // Compare against every configured token, without stopping at the first match.
    let mut found: Option<String> = None;
    for (candidate, receiver) in map.iter() {
        if secrets_equal(candidate.as_bytes(), token.as_bytes()) {
            if let Value::String(r) = receiver {
                found = Some(r.clone());
            }
        }
    }
    Ok(found.filter(|id| !id.is_empty()))
}
