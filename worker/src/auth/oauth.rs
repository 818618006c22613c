//! OAuth 2.0 JWT access tokens (RFC 9068) from the one authorization server `SSF_OAUTH`
//! names: its configuration, its keys and the check of one token.
//!
//! `SSF_OAUTH = {"issuer", "jwks_uri" | "jwks", "audience", "algorithms"?,
//! "receiver_claim"?: "client_id" (default) | "sub", "scope"?}`. The rules are core's
//! (`ssf_core::access_token`); this module only finds the keys and checks the signature
//! with WebCrypto. A `jwks_uri` shares the sources' JWKS cache (`keys::JwksCache`). An
//! unknown `kid` refetches it once, at most once per `JWKS_REFETCH_SECONDS` per isolate
//! (there is no stream Durable Object to hold the gate, and a flood of made-up `kid`s must
//! not reach the authorization server); while the gate is closed such a token is refused
//! as invalid, like any token whose key is unknown.
//!
//! A configuration that cannot be used fails closed: no access token is accepted, the
//! request is answered `500`, and the log says what is wrong (never the variable's text:
//! an inline `jwks` pasted with private members must not reach the logs).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use ssf_core::access_token::{begin_verify, AccessToken, AccessTokenOptions, BearerError};
use ssf_core::json::{parse_object, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::wire::{Source, SourceKeys};
use worker::Env;

use crate::config::{knob, var, DEFAULT_RECEIVER_CLAIM, JWKS_REFETCH_SECONDS, VAR_OAUTH};
use crate::fetch::UrlRules;
use crate::http::{now_ms, now_secs, ApiError};
use crate::keys::JwksCache;
use crate::webcrypto;

/// The claims that may name the receiver.
const RECEIVER_CLAIMS: [&str; 2] = ["client_id", "sub"];

/// `SSF_OAUTH`, parsed.
pub struct OAuthConfig {
    issuer: String,
    audience: String,
    algorithms: Option<Vec<ssf_core::Algorithm>>,
    keys: Keys,
    receiver_claim: &'static str,
    scope: Option<String>,
}

enum Keys {
    Inline(Rc<JwkSet>),
    Uri(String),
}

thread_local! {
    /// The parsed configuration, with the variable's text it came from.
    static CONFIG: RefCell<Option<(String, Rc<OAuthConfig>)>> = const { RefCell::new(None) };
    /// When this isolate last refetched the JWKS for an unknown `kid` (ms).
    static LAST_REFETCH: Cell<Option<i64>> = const { Cell::new(None) };
}

/// The configuration: `Ok(None)` when `SSF_OAUTH` is not set; `Err` (already logged) when
/// it is set and unusable.
pub fn config(env: &Env) -> Result<Option<Rc<OAuthConfig>>, ApiError> {
    let Some(text) = var(env, VAR_OAUTH) else {
        return Ok(None);
    };
    let cached = CONFIG.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(t, _)| *t == text)
            .map(|(_, cfg)| cfg.clone())
    });
    if let Some(cfg) = cached {
        return Ok(Some(cfg));
    }
    let cfg = Rc::new(parse(&text, UrlRules::from_env(env)).map_err(|why| {
        worker::console_error!("{VAR_OAUTH} is unusable, no access token is accepted: {why}");
        ApiError::internal("server misconfigured")
    })?);
    CONFIG.with(|c| *c.borrow_mut() = Some((text, cfg.clone())));
    Ok(Some(cfg))
}

/// Whether `SSF_OAUTH` is set and usable (what discovery advertises).
pub fn configured(env: &Env) -> bool {
    matches!(config(env), Ok(Some(_)))
}

/// Reads `SSF_OAUTH`: the source-like members by core's `Source` rules, plus
/// `receiver_claim` and `scope`; anything else is refused, as a typo must not pass for
/// a setting.
fn parse(text: &str, urls: UrlRules) -> Result<OAuthConfig, String> {
    let map = parse_object(text.as_bytes(), ssf_core::error::Part::Document)
        .map_err(|e| format!("not a JSON object ({})", e.reason()))?;
    let source = Source::from_value(&Value::Object(map)).map_err(|e| e.to_string())?;
    if source.profile.is_some() {
        return Err("member profile is for stream sources, not access tokens".into());
    }
    let mut receiver_claim = DEFAULT_RECEIVER_CLAIM;
    let mut scope = None;
    for (name, value) in source.extra.iter() {
        match (name, value) {
            ("receiver_claim", Value::String(c)) => {
                receiver_claim = RECEIVER_CLAIMS
                    .into_iter()
                    .find(|known| known == c)
                    .ok_or("receiver_claim must be \"client_id\" or \"sub\"")?;
            }
            ("scope", Value::String(s)) if !s.trim().is_empty() => scope = Some(s.clone()),
            ("receiver_claim" | "scope", _) => {
                return Err(format!("member {name} must be a non-empty string"))
            }
            _ => return Err(format!("unknown member {name}")),
        }
    }
    let keys = match &source.keys {
        SourceKeys::Jwks(set) => Keys::Inline(Rc::new(
            JwkSet::from_map(set).map_err(|e| format!("jwks unusable: {e}"))?,
        )),
        SourceKeys::JwksUri(uri) => {
            urls.check(uri)?;
            Keys::Uri(uri.clone())
        }
    };
    Ok(OAuthConfig {
        issuer: source.issuer,
        audience: source.audience,
        algorithms: source.algorithms,
        keys,
        receiver_claim,
        scope,
    })
}

impl OAuthConfig {
    fn options(&self) -> AccessTokenOptions {
        let mut opts = AccessTokenOptions::new(now_secs(), &self.issuer, &self.audience);
        opts.scope = self.scope.clone();
        opts.algorithms = self.algorithms.clone();
        opts
    }

    /// The receiver id of a valid `token`: `401 invalid_token` for a token that is not
    /// one, `403 insufficient_scope` for one without the configured scope, `503` when the
    /// keys cannot be fetched.
    pub async fn receiver(&self, env: &Env, token: &str) -> Result<String, ApiError> {
        let at = self.verify(env, token).await?.map_err(|e| refusal(&e))?;
        match at.string_claim(self.receiver_claim) {
            Some(id) => Ok(id.to_string()),
            None => Err(refusal(&ssf_core::Error::MissingClaim(self.receiver_claim))),
        }
    }

    /// Core's verdict on `token`; the outer error is about the keys, not the token.
    async fn verify(
        &self,
        env: &Env,
        token: &str,
    ) -> Result<Result<AccessToken, ssf_core::Error>, ApiError> {
        let opts = self.options();
        let uri = match &self.keys {
            Keys::Inline(keys) => return Ok(check(token, keys, &opts).await),
            Keys::Uri(uri) => uri,
        };
        let cache = JwksCache::new(env);
        let got = cache.get(uri).await?;
        match check(token, &got.keys, &opts).await {
            Err(e) if e.is_key_not_found() && !got.fresh && refetch_gate_open(env) => {
                let keys = cache.fetch(uri).await?;
                Ok(check(token, &keys, &opts).await)
            }
            verdict => Ok(verdict),
        }
    }
}

/// Core's rules, with the signature checked by WebCrypto.
async fn check(
    token: &str,
    keys: &JwkSet,
    opts: &AccessTokenOptions,
) -> Result<AccessToken, ssf_core::Error> {
    let pending = begin_verify(token, keys, opts)?;
    let verified = webcrypto::verified_candidate(&pending).await;
    pending.finish_with_candidate(verified, opts)
}

/// Passes this isolate's refetch gate and closes it behind, or says it is closed.
fn refetch_gate_open(env: &Env) -> bool {
    let now = now_ms();
    let interval = knob(env, "SSF_JWKS_REFETCH_SECONDS", JWKS_REFETCH_SECONDS) as i64 * 1000;
    LAST_REFETCH.with(|last| {
        if last.get().is_some_and(|t| now - t < interval) {
            return false;
        }
        last.set(Some(now));
        true
    })
}

/// The answer to a refused access token (RFC 6750 section 3.1). The reason is core's
/// stable code; the token itself is never echoed or logged.
fn refusal(e: &ssf_core::Error) -> ApiError {
    let bearer = BearerError::of(e);
    let mut err = match bearer {
        BearerError::InvalidToken => {
            ApiError::unauthorized(format!("invalid access token: {} ({})", e, e.reason()))
        }
        BearerError::InsufficientScope => {
            let mut err = ApiError::new(403, "access_denied", format!("{e}"));
            err.challenge = true;
            err
        }
    };
    err.bearer_error = Some(bearer.as_str());
    err
}
