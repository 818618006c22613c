//! Registering at upstream transmitters (DESIGN section 10): the worker does the
//! receiver's side of SSF itself when a stream's `source` carries `register`.
//!
//! The calls are core's (`wire::client`: request builders and answer readers with SSF's
//! rules); this module only sends them through `fetch` (the deployment's URL policy, no
//! redirects, bounded bodies, timeouts) and strings them together:
//! - [`register`]: discovery (`issuer` must be the one asked for), an access token when
//!   the registration uses client credentials, the upstream stream (push to our push URL
//!   with a fresh `authorization_header`, or poll), its `iss` checked and its `aud` kept as
//!   the expected audience;
//! - [`verify`]: a verification request with a random `state`;
//! - [`unregister`] and [`apply_status`]: our delete and status changes applied upstream.
//!
//! Secrets (the bearer token, the client secret, access tokens, the push credential we
//! give the upstream) never enter an error message or a log line: errors name the call and
//! the upstream's status and description only.

use ssf_core::json::{Map, Value};
use ssf_core::wire::client::{ClientCredentials, ClientRequest, Transmitter};
use ssf_core::wire::upstream::{Register, UpstreamAuth, UpstreamDelivery};
use ssf_core::wire::{CreateStreamRequest, Delivery, Status};
use worker::{Env, Method};

use crate::fetch::{Fetched, Outbound};
use crate::http::ApiError;

/// Largest answer read from an upstream's management API or token endpoint.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// A failed step of talking to the upstream: what to put in `registration.error` and in
/// a `502`'s description (never a secret).
#[derive(Debug)]
pub struct UpstreamError(pub String);

impl UpstreamError {
    pub fn into_api(self) -> ApiError {
        ApiError::new(
            502,
            "server_error",
            format!("the upstream transmitter: {}", self.0),
        )
    }
}

impl From<ssf_core::Error> for UpstreamError {
    fn from(e: ssf_core::Error) -> Self {
        UpstreamError(e.to_string())
    }
}

/// Sends one of core's client requests under the outbound rules.
pub async fn send(
    env: &Env,
    call: &str,
    req: &ClientRequest,
    timeout_secs: Option<u64>,
) -> Result<Fetched, UpstreamError> {
    let method = match req.method {
        "GET" => Method::Get,
        "DELETE" => Method::Delete,
        _ => Method::Post,
    };
    let mut out = Outbound::get(&req.url, MAX_ANSWER_BYTES);
    out.method = method;
    out.body = req.body.as_ref().map(|b| b.as_bytes().to_vec());
    out.timeout_secs = timeout_secs;
    for (name, value) in &req.headers {
        out = out.header(name, value.clone());
    }
    out.send(env)
        .await
        .map_err(|e| UpstreamError(format!("{call} ({}): {e}", host_of(&req.url))))
}

/// `scheme://host` of a URL, for messages (never its path or query, which may carry ids).
fn host_of(url: &str) -> &str {
    let after = url.find("://").map(|i| i + 3).unwrap_or(0);
    let end = url[after..]
        .find(['/', '?', '#'])
        .map(|i| after + i)
        .unwrap_or(url.len());
    &url[..end]
}

/// An access token from the client-credentials grant: `(Authorization value, expires_in)`.
pub async fn fetch_token(
    env: &Env,
    c: &ClientCredentials,
) -> Result<(String, Option<u64>), UpstreamError> {
    let got = send(env, "token request", &c.token_request(), None).await?;
    let token = ClientCredentials::read_token(got.status, &got.body)?;
    Ok((token.authorization(), token.expires_in))
}

/// The `Authorization` value for the upstream's API: the bearer token, or a fresh access
/// token.
pub async fn authorization(env: &Env, register: &Register) -> Result<String, UpstreamError> {
    match &register.auth {
        UpstreamAuth::Bearer(t) => Ok(format!("Bearer {t}")),
        UpstreamAuth::ClientCredentials(c) => Ok(fetch_token(env, c).await?.0),
    }
}

/// Reads the upstream's discovery document.
pub async fn discover(
    env: &Env,
    issuer: &str,
    register: &Register,
) -> Result<Transmitter, UpstreamError> {
    let req =
        ssf_core::wire::client::discovery_request(issuer, register.configuration_url.as_deref())?;
    let got = send(env, "discovery", &req, None).await?;
    Ok(Transmitter::from_discovery(issuer, got.status, &got.body)?)
}

/// What a registration established.
pub struct Registered {
    pub transmitter: Transmitter,
    pub upstream_stream_id: String,
    /// The `aud` of the upstream's SETs (its first value when it gave several).
    pub audience: String,
    /// The upstream's poll endpoint (poll registrations).
    pub poll_endpoint: Option<String>,
    /// The event types the upstream said it will deliver.
    pub events_delivered: Vec<String>,
}

/// Discovery and the upstream stream. `push` = our push URL and the `Authorization` value
/// the upstream must send there (push registrations). On failure nothing is left upstream.
pub async fn register(
    env: &Env,
    issuer: &str,
    register: &Register,
    events_requested: Option<Vec<String>>,
    push: (&str, &str),
    auth: &str,
) -> Result<Registered, UpstreamError> {
    let transmitter = discover(env, issuer, register).await?;
    let method = match register.delivery {
        UpstreamDelivery::Push => ssf_core::wire::PUSH_METHOD,
        UpstreamDelivery::Poll => ssf_core::wire::POLL_METHOD,
    };
    if !transmitter.metadata.supports_delivery(method) {
        return Err(UpstreamError(format!(
            "discovery: the transmitter does not offer {method} delivery"
        )));
    }
    let mut delivery = Delivery::new(method);
    if register.delivery == UpstreamDelivery::Push {
        delivery.endpoint_url = Some(push.0.to_string());
        delivery.authorization_header = Some(push.1.to_string());
    }
    let mut create = CreateStreamRequest::new();
    create.delivery = Some(delivery);
    create.events_requested = events_requested;
    create.description = Some("registered by an SSF edge node".into());
    let req = transmitter.create_stream(auth, &create)?;
    let got = send(env, "stream creation", &req, None).await?;
    let config = match transmitter.read_created(got.status, &got.body) {
        Ok(c) => c,
        Err(e) => {
            // A stream the upstream did create but we cannot use is deleted again.
            if let Some(id) = created_stream_id(got.status, &got.body) {
                let _ = unregister(env, &transmitter, auth, &id).await;
            }
            return Err(e.into());
        }
    };
    match registered_stream(register, &config) {
        Ok((audience, poll_endpoint)) => Ok(Registered {
            transmitter,
            upstream_stream_id: config.stream_id,
            audience,
            poll_endpoint,
            events_delivered: config.events_delivered,
        }),
        Err(e) => {
            // Nothing is left upstream when the stream is not one we can use.
            let _ = unregister(env, &transmitter, auth, &config.stream_id).await;
            Err(e)
        }
    }
}

/// The `stream_id` of a successful creation answer, however wrong the rest of it is.
fn created_stream_id(status: u16, body: &[u8]) -> Option<String> {
    if !(200..300).contains(&status) {
        return None;
    }
    let m = ssf_core::json::parse_object(body, ssf_core::error::Part::Document).ok()?;
    m.get_str("stream_id")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The audience and (poll) endpoint of a created upstream stream, or why it is unusable.
fn registered_stream(
    register: &Register,
    config: &ssf_core::wire::StreamConfig,
) -> Result<(String, Option<String>), UpstreamError> {
    let audience = match &config.aud {
        ssf_core::wire::Audience::One(a) => a.clone(),
        ssf_core::wire::Audience::Many(list) => list.first().cloned().unwrap_or_default(),
    };
    if audience.is_empty() {
        return Err(UpstreamError(
            "stream creation: the stream has no aud".into(),
        ));
    }
    if register.delivery == UpstreamDelivery::Push {
        return Ok((audience, None));
    }
    match (&config.delivery.endpoint_url, config.delivery.is_poll()) {
        (Some(url), true) => Ok((audience, Some(url.clone()))),
        _ => Err(UpstreamError(
            "stream creation: the stream does not deliver by poll".into(),
        )),
    }
}

/// Asks the upstream for a verification SET carrying `state`.
pub async fn verify(
    env: &Env,
    transmitter: &Transmitter,
    auth: &str,
    upstream_stream_id: &str,
    state: &str,
) -> Result<(), UpstreamError> {
    let req = transmitter.request_verification(auth, upstream_stream_id, state)?;
    let got = send(env, "verification request", &req, None).await?;
    Ok(Transmitter::read_verification(got.status, &got.body)?)
}

/// Deletes the upstream stream.
pub async fn unregister(
    env: &Env,
    transmitter: &Transmitter,
    auth: &str,
    upstream_stream_id: &str,
) -> Result<(), UpstreamError> {
    let req = transmitter.delete_stream(auth, upstream_stream_id)?;
    let got = send(env, "stream deletion", &req, None).await?;
    Ok(Transmitter::read_deleted(got.status, &got.body)?)
}

/// Applies a status change upstream.
pub async fn apply_status(
    env: &Env,
    transmitter: &Transmitter,
    auth: &str,
    upstream_stream_id: &str,
    status: Status,
    reason: Option<&str>,
) -> Result<(), UpstreamError> {
    let req = transmitter.update_status(auth, upstream_stream_id, status, reason)?;
    let got = send(env, "status change", &req, None).await?;
    Transmitter::read_status(got.status, &got.body)?;
    Ok(())
}

/// What the stream's record keeps about its registration (private: secrets included).
#[derive(Clone, Debug)]
pub struct Link {
    pub register: Register,
    pub transmitter: Transmitter,
    pub upstream_stream_id: String,
    pub poll_endpoint: Option<String>,
    /// The `state` of the verification we asked for.
    pub verification_state: Option<String>,
}

impl Link {
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("register", self.register.to_value());
        m.insert("metadata", self.transmitter.metadata.to_value());
        m.insert("upstream_stream_id", self.upstream_stream_id.as_str());
        if let Some(p) = &self.poll_endpoint {
            m.insert("poll_endpoint", p.as_str());
        }
        if let Some(s) = &self.verification_state {
            m.insert("verification_state", s.as_str());
        }
        Value::Object(m)
    }

    pub fn from_value(v: &Value) -> Option<Link> {
        let m = v.as_object()?;
        let metadata = ssf_core::wire::TransmitterMetadata::from_value(m.get("metadata")?).ok()?;
        Some(Link {
            register: Register::from_value(m.get("register")?).ok()?,
            transmitter: Transmitter { metadata },
            upstream_stream_id: m.get_str("upstream_stream_id")?.to_string(),
            poll_endpoint: m.get_str("poll_endpoint").map(str::to_string),
            verification_state: m.get_str("verification_state").map(str::to_string),
        })
    }
}
