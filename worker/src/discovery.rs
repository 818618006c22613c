//! `GET /.well-known/ssf-configuration` (SSF 1.0 section 7) and the worker's `jwks_uri`.
//!
//! The issuer is `SSF_ISSUER` or the request origin. When the issuer has a path, the
//! document is also served at the well-known URL SSF derives from it
//! (`/.well-known/ssf-configuration/{path}`). Endpoints are advertised on the request origin,
//! so a local `wrangler dev` advertises URLs that work locally.

use ssf_core::json::Value;
use ssf_core::wire::{discovery_url, AuthorizationScheme, DefaultSubjects, TransmitterMetadata};
use worker::{Env, Request};

use crate::config::*;
use crate::http::{json_response, origin, ApiError, HandlerResult};
use crate::keys::public_jwks;

/// The transmitter metadata for a request arriving at `origin`.
pub fn metadata_for(env: &Env, origin: &str) -> TransmitterMetadata {
    let issuer = issuer(env, origin);
    let mut md = TransmitterMetadata::new(issuer);
    md.jwks_uri = Some(format!("{origin}{JWKS_PATH}"));
    md.delivery_methods_supported = Some(vec![METHOD_PUSH.to_string(), METHOD_POLL.to_string()]);
    md.configuration_endpoint = Some(format!("{origin}{CONFIGURATION_PATH}"));
    md.status_endpoint = Some(format!("{origin}{STATUS_PATH}"));
    md.add_subject_endpoint = Some(format!("{origin}{ADD_SUBJECT_PATH}"));
    md.remove_subject_endpoint = Some(format!("{origin}{REMOVE_SUBJECT_PATH}"));
    md.verification_endpoint = Some(format!("{origin}{VERIFICATION_PATH}"));
    md.authorization_schemes = Some(authorization_schemes(env));
    md.default_subjects = Some(if default_subjects_all(env) {
        DefaultSubjects::All
    } else {
        DefaultSubjects::None
    });
    md
}

/// Static bearer tokens (`SSF_TOKENS`, RFC 6750) always; OAuth 2.0 (RFC 6749) only when
/// `SSF_OAUTH` is set and usable, so a client never goes looking for an authorization
/// server that is not there.
fn authorization_schemes(env: &Env) -> Vec<AuthorizationScheme> {
    let mut schemes = vec![AuthorizationScheme::new(BEARER_SPEC_URN)];
    if crate::auth::oauth::configured(env) {
        schemes.push(AuthorizationScheme::new(
            ssf_core::wire::metadata::OAUTH2_SPEC_URN,
        ));
    }
    schemes
}

pub fn metadata(req: &Request, env: &Env) -> HandlerResult {
    let origin = origin(req);
    let md = metadata_for(env, &origin);
    let path = req.path();
    if path != DISCOVERY_PATH {
        // Only the well-known URL derived from the issuer's own path.
        let derived = discovery_url(&md.issuer).unwrap_or_default();
        let derived_path = derived
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_default();
        if derived_path != path {
            return Err(ApiError::not_found("no such endpoint"));
        }
    }
    Ok(json_response(200, &md.to_value()))
}

pub async fn jwks(env: &Env) -> HandlerResult {
    let body: Value = public_jwks(env).await?;
    let mut r = json_response(200, &body);
    let _ = r
        .headers_mut()
        .set("Content-Type", "application/jwk-set+json");
    let _ = r.headers_mut().set("Cache-Control", "max-age=300");
    Ok(r)
}
