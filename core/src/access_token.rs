//! JWT access tokens (RFC 9068): the second verified-JWT profile beside SETs.
//!
//! Both profiles share one path up to the signature ([`crate::jws::PendingSignature`]):
//! strict framing, a usable `alg` from the same allow-list (never `none`, never HMAC), no
//! `crit`, key choice by `kid` honouring the key's `alg` and `use`, keys never taken from
//! the header. What differs is the profile: an access token must be typed `at+jwt`, and
//! its claims follow RFC 9068 section 4 rather than RFC 8417: `iss` equal to the expected
//! issuer, `aud` containing the expected audience, `exp` required and not past, `nbf` and
//! `iat` not in the future (each with the clock skew), and, when asked, a required scope.
//!
//! ```
//! use ssf_core::access_token::{sign, verify, AccessTokenOptions, BearerError};
//! use ssf_core::json::Map;
//! use ssf_core::jwk::JwkSet;
//! use ssf_core::signing::SigningKey;
//! # fn main() -> Result<(), ssf_core::Error> {
//! // The authorization server's key (a test key), and its public JWK Set.
//! let key = SigningKey::from_jwk(r#"{"kty":"EC","crv":"P-256","kid":"as-1",
//!     "x":"x2yXJ5VYc8_9GUqF7GiQD_VnjGc78Y0O1YpqsoTeOZI",
//!     "y":"s86VXJufEb4OFBB9tAcnJQLR7hTWfNMwpLTYZAfRgbI",
//!     "d":"SDCP_jYOIULqDUKwTszZEf-XniM4XW69aOf_tPFFPR4"}"#)?;
//! let mut jwks = Map::new();
//! jwks.insert("keys", vec![ssf_core::json::Value::Object(key.public_jwk_map())]);
//! let keys = JwkSet::from_map(&jwks)?;
//!
//! let now = 1_700_000_000; // seconds: no_std has no clock
//! let mut claims = Map::new();
//! claims.insert("iss", "https://as.example.com");
//! claims.insert("aud", "https://ssf.example.com");
//! claims.insert("exp", now + 300);
//! claims.insert("client_id", "receiver-b");
//! claims.insert("scope", "openid ssf");
//! let token = sign(&claims, &key)?;
//!
//! let mut opts = AccessTokenOptions::new(now, "https://as.example.com", "https://ssf.example.com");
//! opts.scope = Some("ssf".into());
//! let at = verify(&token, &keys, &opts)?;
//! assert_eq!(at.client_id.as_deref(), Some("receiver-b"));
//!
//! // A missing scope is a 403, anything else a 401 (RFC 6750 section 3.1).
//! opts.scope = Some("admin".into());
//! let e = verify(&token, &keys, &opts).unwrap_err();
//! assert_eq!(BearerError::of(&e), BearerError::InsufficientScope);
//! opts.now = now + 3600;
//! let e = verify(&token, &keys, &opts).unwrap_err();
//! assert_eq!((BearerError::of(&e).as_str(), e.reason()), ("invalid_token", "expired"));
//! # Ok(()) }
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::alg::Algorithm;
use crate::crypto::{default_provider, CryptoProvider};
use crate::error::Error;
use crate::json::{Map, Value};
use crate::jwk::JwkSet;
use crate::jws::{Header, SignatureVerdict};
use crate::set::{audience_list, numeric_date};
use crate::signing::SigningKey;

/// Default tolerance for clocks that disagree, in seconds. Smaller than a SET's
/// ([`crate::set::DEFAULT_CLOCK_SKEW`]): here it also lengthens the life of every token
/// past its `exp`.
pub const DEFAULT_CLOCK_SKEW: u64 = 60;

/// What a verifier of access tokens expects. Build with [`AccessTokenOptions::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessTokenOptions {
    /// The current time, seconds since the epoch.
    pub now: i64,
    /// The authorization server's issuer identifier; `iss` must equal it exactly
    /// (RFC 9068 section 4).
    pub issuer: String,
    /// The resource server's identifier; `aud` must contain it.
    pub audience: String,
    /// Scopes the token must carry, space-delimited like the `scope` claim (every one of
    /// them is required). `None` skips the check.
    pub scope: Option<String>,
    /// Algorithms accepted. `None` accepts every asymmetric algorithm the provider
    /// supports; HMAC and `none` are never accepted either way.
    pub algorithms: Option<Vec<Algorithm>>,
    /// How far `exp`, `nbf` and `iat` may be off, in seconds.
    pub clock_skew: u64,
}

impl AccessTokenOptions {
    /// Options at time `now` for tokens of `issuer` meant for `audience`, with the default
    /// clock skew, any asymmetric algorithm and no scope requirement.
    pub fn new(now: i64, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        AccessTokenOptions {
            now,
            issuer: issuer.into(),
            audience: audience.into(),
            scope: None,
            algorithms: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }
}

/// A verified access token. `raw` holds every claim as sent.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessToken {
    /// The protected header.
    pub header: Header,
    /// `iss`.
    pub iss: String,
    /// `aud`, as a list (a single string becomes one item).
    pub aud: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
    /// `nbf`, if present.
    pub nbf: Option<i64>,
    /// `iat`, if present.
    pub iat: Option<i64>,
    /// `sub`, if present.
    pub sub: Option<String>,
    /// `client_id`, if present.
    pub client_id: Option<String>,
    /// `jti`, if present.
    pub jti: Option<String>,
    /// The scopes of the space-delimited `scope` claim, in order (empty without one).
    pub scopes: Vec<String>,
    /// Every claim as sent.
    pub raw: Map,
}

impl AccessToken {
    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// A claim that is a non-empty string (`sub`, `client_id` or any other), if present.
    pub fn string_claim(&self, name: &str) -> Option<&str> {
        self.raw.get_str(name).filter(|s| !s.is_empty())
    }
}

/// The RFC 6750 section 3.1 error a resource server answers with: what decides between
/// `401` and `403`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BearerError {
    /// Malformed, expired, revoked or otherwise invalid: `401`.
    InvalidToken,
    /// Valid, but without the scope the request needs: `403`.
    InsufficientScope,
}

impl BearerError {
    /// The error of a failed verification: every failure but a missing scope makes the
    /// token invalid.
    pub fn of(e: &Error) -> Self {
        match e {
            Error::InsufficientScope(_) => BearerError::InsufficientScope,
            _ => BearerError::InvalidToken,
        }
    }

    /// The registered `error` value, as sent in `WWW-Authenticate`.
    pub const fn as_str(self) -> &'static str {
        match self {
            BearerError::InvalidToken => "invalid_token",
            BearerError::InsufficientScope => "insufficient_scope",
        }
    }

    /// The HTTP status that goes with it.
    pub const fn status(self) -> u16 {
        match self {
            BearerError::InvalidToken => 401,
            BearerError::InsufficientScope => 403,
        }
    }
}

/// Verifies `token` against `keys` with the default crypto provider, then validates it.
pub fn verify(token: &str, keys: &JwkSet, opts: &AccessTokenOptions) -> Result<AccessToken, Error> {
    verify_with(token, keys, opts, default_provider())
}

/// [`verify`] with a chosen crypto provider. Same order as for SETs: framing and header,
/// key selection, signature, then the claims (never interpreted before the signature).
pub fn verify_with(
    token: &str,
    keys: &JwkSet,
    opts: &AccessTokenOptions,
    provider: &dyn CryptoProvider,
) -> Result<AccessToken, Error> {
    let pending = begin_verify(token, keys, opts)?;
    let verified = pending.check_with(provider)?;
    pending.finish_with_candidate(verified, opts)
}

/// Signs `claims` as an access token (`typ` `at+jwt`), after checking that they have the
/// structure [`verify`] requires (`iss`, `aud`, `exp`, typed optional claims): for
/// tests and for small authorization servers.
pub fn sign(claims: &Map, key: &SigningKey) -> Result<String, Error> {
    let mut header = Map::new();
    header.insert("alg", key.alg().name());
    read_claims(Header::from_map(header)?, claims.clone())?;
    crate::builder::sign_compact(crate::jws::AT_TYP, claims, key)
}

/// An access token waiting for its signature check; see [`begin_verify`].
pub type PendingAccessToken<'t, 'k> = crate::jws::PendingSignature<'t, 'k, AccessToken>;

/// Verification split around the signature check, for asynchronous cryptography
/// (WebCrypto), exactly as [`crate::set::begin_verify`]: check the signature under each of
/// [`PendingAccessToken::candidates`], then call
/// [`PendingAccessToken::finish_with_candidate`].
pub fn begin_verify<'t, 'k>(
    token: &'t str,
    keys: &'k JwkSet,
    opts: &AccessTokenOptions,
) -> Result<PendingAccessToken<'t, 'k>, Error> {
    PendingAccessToken::begin(token, keys, opts.algorithms.as_deref(), |header, _| {
        header.check_access_token_typ()
    })
}

impl PendingAccessToken<'_, '_> {
    /// Takes the verdict for [`PendingAccessToken::key`] and, if valid, applies the claim
    /// rules.
    pub fn finish(
        self,
        verdict: SignatureVerdict,
        opts: &AccessTokenOptions,
    ) -> Result<AccessToken, Error> {
        self.finish_with_candidate(verdict.as_candidate(), opts)
    }

    /// Takes the index of the candidate the signature verified under (`None`: none) and,
    /// if there is one, applies the claim rules.
    pub fn finish_with_candidate(
        self,
        verified: Option<usize>,
        opts: &AccessTokenOptions,
    ) -> Result<AccessToken, Error> {
        let (header, raw) = self.into_verified(verified)?;
        let token = read_claims(header, raw)?;
        check_expectations(&token, opts)?;
        Ok(token)
    }
}

/// The structure RFC 9068 and RFC 7519 give the claims, before any expectation.
fn read_claims(header: Header, raw: Map) -> Result<AccessToken, Error> {
    let iss = required(&raw, "iss", non_empty_string)?;
    let aud = required(&raw, "aud", |v| audience_list(v).ok())?;
    let exp = required(&raw, "exp", numeric_date)?;
    let nbf = optional(&raw, "nbf", numeric_date)?;
    let iat = optional(&raw, "iat", numeric_date)?;
    let sub = optional(&raw, "sub", non_empty_string)?;
    let client_id = optional(&raw, "client_id", non_empty_string)?;
    let jti = optional(&raw, "jti", non_empty_string)?;
    let scope = optional(&raw, "scope", |v| v.as_str().map(String::from))?;
    Ok(AccessToken {
        header,
        iss,
        aud,
        exp,
        nbf,
        iat,
        sub,
        client_id,
        jti,
        scopes: scope.as_deref().map(split_scope).unwrap_or_default(),
        raw,
    })
}

fn non_empty_string(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(String::from)
}

/// A claim that must be present and readable by `read`.
fn required<T>(
    raw: &Map,
    name: &'static str,
    read: impl Fn(&Value) -> Option<T>,
) -> Result<T, Error> {
    optional(raw, name, read)?.ok_or(Error::MissingClaim(name))
}

/// A claim that may be absent, but when present must be readable by `read`.
fn optional<T>(
    raw: &Map,
    name: &'static str,
    read: impl Fn(&Value) -> Option<T>,
) -> Result<Option<T>, Error> {
    raw.get(name)
        .map(|v| read(v).ok_or(Error::InvalidClaim(name)))
        .transpose()
}

/// The scopes of a space-delimited scope string (RFC 6749 section 3.3); runs of spaces
/// separate like one.
fn split_scope(scope: &str) -> Vec<String> {
    scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The caller's expectations, in the order RFC 9068 section 4 lists them.
fn check_expectations(token: &AccessToken, opts: &AccessTokenOptions) -> Result<(), Error> {
    if token.iss != opts.issuer {
        return Err(Error::WrongIssuer(token.iss.clone()));
    }
    if !token.aud.contains(&opts.audience) {
        return Err(Error::WrongAudience);
    }
    let skew = i64::try_from(opts.clock_skew).unwrap_or(i64::MAX);
    // RFC 7519 section 4.1.4: the current time must be before exp.
    if opts.now.saturating_sub(skew) >= token.exp {
        return Err(Error::Expired);
    }
    let latest = opts.now.saturating_add(skew);
    if token.nbf.is_some_and(|nbf| nbf > latest) {
        return Err(Error::NotYetValid);
    }
    if token.iat.is_some_and(|iat| iat > latest) {
        return Err(Error::IssuedInFuture);
    }
    for needed in opts.scope.as_deref().map(split_scope).unwrap_or_default() {
        if !token.has_scope(&needed) {
            return Err(Error::InsufficientScope(needed));
        }
    }
    Ok(())
}
