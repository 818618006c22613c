//! The receiver's side of SSF 1.0 as requests to send and answers to read, without I/O: a
//! receiver registering at a transmitter (discovery, stream creation, status, verification,
//! deletion), RFC 8936 polling, and the OAuth 2.0 client-credentials token request (RFC
//! 6749 section 4.4) it may need for them.
//!
//! Each call is a builder that returns a [`ClientRequest`] (method, URL, headers, body) and
//! a reader of the answer (`status`, `body`) that checks what SSF requires of it: the
//! discovered `issuer` is the one asked for (SSF 1.0 section 7.2), the created stream's
//! `iss` is the transmitter's (section 8.1.1.1), the answer has the status and shape its
//! endpoint defines. An answer that breaks a rule is an [`Error::UpstreamAnswer`] naming
//! the call, the status and what was wrong; the transmitter's own error description is
//! quoted, bounded, so an operator learns why it refused.
//!
//! The HTTP is the caller's (a Worker's `fetch`, Node's, a test's).
//!
//! ```
//! use ssf_core::wire::client::{Transmitter, discovery_request};
//!
//! let req = discovery_request("https://idp.example.com/tenant-1", None)?;
//! assert_eq!(req.url, "https://idp.example.com/.well-known/ssf-configuration/tenant-1");
//! let body = br#"{"spec_version": "1_0", "issuer": "https://idp.example.com/tenant-1",
//!   "jwks_uri": "https://idp.example.com/jwks",
//!   "configuration_endpoint": "https://idp.example.com/ssf/streams",
//!   "delivery_methods_supported": ["urn:ietf:rfc:8935"]}"#;
//! let tx = Transmitter::from_discovery("https://idp.example.com/tenant-1", 200, body)?;
//! let delete = tx.delete_stream("Bearer t", "s-1")?;
//! assert_eq!(delete.method, "DELETE");
//! assert_eq!(delete.url, "https://idp.example.com/ssf/streams?stream_id=s-1");
//! # Ok::<(), ssf_core::Error>(())
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::error::Error;
use crate::json::{parse, Map, Value};

use super::metadata::{discovery_url, TransmitterMetadata};
use super::poll::{PollRequest, PollResponse};
use super::push::PushError;
use super::status::{Status, StreamStatus};
use super::stream::{CreateStreamRequest, StreamConfig};

/// The most of a transmitter's error text quoted in an error.
const MAX_QUOTED: usize = 300;

/// An HTTP request to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRequest {
    /// `GET`, `POST`, `DELETE`.
    pub method: &'static str,
    /// The URL.
    pub url: String,
    /// Header names and values (`Authorization` among them when the call needs it).
    pub headers: Vec<(&'static str, String)>,
    /// The body, if any.
    pub body: Option<String>,
}

impl ClientRequest {
    fn new(method: &'static str, url: String) -> Self {
        ClientRequest {
            method,
            url,
            headers: vec![("Accept", "application/json".into())],
            body: None,
        }
    }

    fn authorized(mut self, authorization: &str) -> Self {
        self.headers.push(("Authorization", authorization.into()));
        self
    }

    fn json(mut self, body: &Value) -> Self {
        self.headers
            .push(("Content-Type", "application/json".into()));
        self.body = Some(body.to_json());
        self
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The discovery request for `issuer`: `configuration_url` when given, else the SSF
/// well-known URL of the issuer (path inserted, SSF 1.0 section 7.2).
pub fn discovery_request(
    issuer: &str,
    configuration_url: Option<&str>,
) -> Result<ClientRequest, Error> {
    let url = match configuration_url {
        Some(u) => u.to_string(),
        None => discovery_url(issuer)?,
    };
    Ok(ClientRequest::new("GET", url))
}

/// A transmitter as its discovery document describes it.
#[derive(Clone, Debug)]
pub struct Transmitter {
    /// The discovery document.
    pub metadata: TransmitterMetadata,
}

impl Transmitter {
    /// Reads the answer to [`discovery_request`]: `200`, a valid document whose `issuer`
    /// is `expected_issuer` byte for byte, with a `jwks_uri` and a `configuration_endpoint`
    /// (a receiver cannot register without them).
    pub fn from_discovery(expected_issuer: &str, status: u16, body: &[u8]) -> Result<Self, Error> {
        const CALL: &str = "discovery";
        let value = answer(CALL, status, body, &[200])?;
        let metadata = TransmitterMetadata::from_value(&value).map_err(|e| bad(CALL, status, e))?;
        if metadata.issuer != expected_issuer {
            return Err(upstream(
                CALL,
                status,
                format!(
                    "the document's issuer {:?} is not the issuer asked for, {expected_issuer:?}",
                    metadata.issuer
                ),
            ));
        }
        for (name, present) in [
            ("jwks_uri", metadata.jwks_uri.is_some()),
            (
                "configuration_endpoint",
                metadata.configuration_endpoint.is_some(),
            ),
        ] {
            if !present {
                return Err(upstream(
                    CALL,
                    status,
                    format!("the document has no {name}"),
                ));
            }
        }
        Ok(Transmitter { metadata })
    }

    fn endpoint(&self, name: &'static str, url: &Option<String>) -> Result<String, Error> {
        url.clone()
            .ok_or_else(|| upstream(name, 0, format!("the transmitter's metadata has no {name}")))
    }

    fn configuration(&self) -> Result<String, Error> {
        self.endpoint(
            "configuration_endpoint",
            &self.metadata.configuration_endpoint,
        )
    }

    /// `POST configuration_endpoint` with the create request.
    pub fn create_stream(
        &self,
        authorization: &str,
        request: &CreateStreamRequest,
    ) -> Result<ClientRequest, Error> {
        Ok(ClientRequest::new("POST", self.configuration()?)
            .authorized(authorization)
            .json(&request.to_value()))
    }

    /// Reads the answer to [`Transmitter::create_stream`]: `201` (or `200`), a stream
    /// configuration whose `iss` is the transmitter's issuer (SSF 1.0 section 8.1.1.1).
    pub fn read_created(&self, status: u16, body: &[u8]) -> Result<StreamConfig, Error> {
        const CALL: &str = "stream creation";
        let value = answer(CALL, status, body, &[200, 201])?;
        let config = StreamConfig::from_value(&value).map_err(|e| bad(CALL, status, e))?;
        if config.iss != self.metadata.issuer {
            return Err(upstream(
                CALL,
                status,
                format!(
                    "the stream's iss {:?} is not the transmitter's issuer {:?}",
                    config.iss, self.metadata.issuer
                ),
            ));
        }
        Ok(config)
    }

    /// `DELETE configuration_endpoint?stream_id=`.
    pub fn delete_stream(
        &self,
        authorization: &str,
        stream_id: &str,
    ) -> Result<ClientRequest, Error> {
        let url = with_query(&self.configuration()?, "stream_id", stream_id);
        Ok(ClientRequest::new("DELETE", url).authorized(authorization))
    }

    /// Reads the answer to [`Transmitter::delete_stream`]: `204` or `200`; `404` (already
    /// gone) counts as deleted.
    pub fn read_deleted(status: u16, body: &[u8]) -> Result<(), Error> {
        answer("stream deletion", status, body, &[200, 202, 204, 404]).map(drop)
    }

    /// `POST status_endpoint` `{"stream_id", "status", "reason"?}`.
    pub fn update_status(
        &self,
        authorization: &str,
        stream_id: &str,
        status: Status,
        reason: Option<&str>,
    ) -> Result<ClientRequest, Error> {
        let url = self.endpoint("status_endpoint", &self.metadata.status_endpoint)?;
        let mut s = StreamStatus::new(stream_id, status);
        s.reason = reason.map(str::to_string);
        Ok(ClientRequest::new("POST", url)
            .authorized(authorization)
            .json(&s.to_value()))
    }

    /// Reads the answer to [`Transmitter::update_status`] (or to a status read): `200` and
    /// a stream status; `204` (no body) is taken as done.
    pub fn read_status(status: u16, body: &[u8]) -> Result<Option<StreamStatus>, Error> {
        const CALL: &str = "stream status";
        if status == 204 {
            return Ok(None);
        }
        let value = answer(CALL, status, body, &[200])?;
        StreamStatus::from_value(&value)
            .map(Some)
            .map_err(|e| bad(CALL, status, e))
    }

    /// `POST verification_endpoint` `{"stream_id", "state"}`.
    pub fn request_verification(
        &self,
        authorization: &str,
        stream_id: &str,
        state: &str,
    ) -> Result<ClientRequest, Error> {
        let url = self.endpoint(
            "verification_endpoint",
            &self.metadata.verification_endpoint,
        )?;
        let req = super::verification::VerificationRequest::new(stream_id).with_state(state);
        Ok(ClientRequest::new("POST", url)
            .authorized(authorization)
            .json(&req.to_value()))
    }

    /// Reads the answer to [`Transmitter::request_verification`]: `204` (or another 2xx).
    pub fn read_verification(status: u16, body: &[u8]) -> Result<(), Error> {
        answer("verification request", status, body, &[200, 202, 204]).map(drop)
    }
}

/// An RFC 8936 poll request to `endpoint`.
pub fn poll_request(endpoint: &str, authorization: &str, request: &PollRequest) -> ClientRequest {
    ClientRequest::new("POST", endpoint.to_string())
        .authorized(authorization)
        .json(&request.to_value())
}

/// Reads the answer to [`poll_request`]: `200` and a poll response.
pub fn read_poll(status: u16, body: &[u8]) -> Result<PollResponse, Error> {
    const CALL: &str = "poll";
    let value = answer(CALL, status, body, &[200])?;
    PollResponse::from_value(&value).map_err(|e| bad(CALL, status, e))
}

/// OAuth 2.0 client credentials (RFC 6749 section 4.4) authenticated with
/// `client_secret_basic` (section 2.3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The authorization server's token endpoint.
    pub token_endpoint: String,
    /// The client identifier.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The scope to ask for, if any.
    pub scope: Option<String>,
}

/// An access token as a token endpoint issued it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// `access_token`.
    pub access_token: String,
    /// `expires_in`, seconds, when given.
    pub expires_in: Option<u64>,
}

impl AccessToken {
    /// The `Authorization` value carrying it.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.access_token)
    }
}

impl ClientCredentials {
    /// The token request: `POST token_endpoint`, `grant_type=client_credentials` (and
    /// `scope`), the client authenticated with HTTP Basic over the form-encoded id and
    /// secret, as section 2.3.1 asks.
    pub fn token_request(&self) -> ClientRequest {
        let mut body = String::from("grant_type=client_credentials");
        if let Some(scope) = &self.scope {
            body.push_str("&scope=");
            body.push_str(&form_encode(scope));
        }
        let basic = format!(
            "{}:{}",
            form_encode(&self.client_id),
            form_encode(&self.client_secret)
        );
        let mut req = ClientRequest::new("POST", self.token_endpoint.clone())
            .authorized(&format!("Basic {}", base64_standard(basic.as_bytes())));
        req.headers
            .push(("Content-Type", "application/x-www-form-urlencoded".into()));
        req.body = Some(body);
        req
    }

    /// Reads the token endpoint's answer: `200`, `token_type` `Bearer` (any case), a
    /// non-empty `access_token`, `expires_in` a non-negative integer when present.
    pub fn read_token(status: u16, body: &[u8]) -> Result<AccessToken, Error> {
        const CALL: &str = "token request";
        let value = answer(CALL, status, body, &[200])?;
        let Value::Object(m) = &value else {
            return Err(upstream(
                CALL,
                status,
                "the answer is not a JSON object".into(),
            ));
        };
        let token = m
            .get_str("access_token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| upstream(CALL, status, "the answer has no access_token".into()))?;
        if !m
            .get_str("token_type")
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
        {
            return Err(upstream(CALL, status, "token_type is not Bearer".into()));
        }
        let expires_in =
            match m.get("expires_in") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_i64().and_then(|n| u64::try_from(n).ok()).ok_or_else(
                    || {
                        upstream(
                            CALL,
                            status,
                            "expires_in is not a non-negative integer".into(),
                        )
                    },
                )?),
            };
        Ok(AccessToken {
            access_token: token.to_string(),
            expires_in,
        })
    }
}

/// The JSON body of an answer whose status is one of `ok`; otherwise an error quoting the
/// transmitter's `description` / `error_description` / `err` when it gave one.
fn answer(call: &'static str, status: u16, body: &[u8], ok: &[u16]) -> Result<Value, Error> {
    if !ok.contains(&status) {
        let parsed = parse(body, crate::error::Part::Document).ok();
        let why = parsed
            .as_ref()
            .and_then(Value::as_object)
            .and_then(|m| {
                ["description", "error_description", "detail", "err", "error"]
                    .iter()
                    .find_map(|k| m.get_str(k))
            })
            .map(|d| format!(": {}", quote(d)))
            .unwrap_or_default();
        return Err(upstream(call, status, format!("answered {status}{why}")));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    parse(body, crate::error::Part::Document)
        .map_err(|e| upstream(call, status, format!("the answer is not JSON: {e}")))
}

/// Bounded, single-line quotation of a peer's text.
fn quote(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_QUOTED)
        .collect();
    if text.chars().count() > MAX_QUOTED {
        out.push('…');
    }
    out
}

fn upstream(call: &'static str, status: u16, detail: String) -> Error {
    Error::UpstreamAnswer {
        call,
        status,
        detail,
    }
}

fn bad(call: &'static str, status: u16, e: Error) -> Error {
    upstream(call, status, e.to_string())
}

fn with_query(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{name}={}", form_encode(value))
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Base64 with the standard alphabet and padding (RFC 4648 section 4), as HTTP Basic uses.
fn base64_standard(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A `setErrs` entry for a SET that failed the receiver's checks.
pub fn set_error(e: &Error) -> PushError {
    PushError::new(e.code(), e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded_then_base64() {
        // RFC 6749 2.3.1: "client_id:client_secret" with each part form-encoded first.
        let c = ClientCredentials {
            token_endpoint: "https://as.example.com/token".into(),
            client_id: "s6BhdRkqt3".into(),
            client_secret: "7Fjfp0ZBr1KtDRbnfVdmIw".into(),
            scope: Some("ssf.manage ssf.read".into()),
        };
        let r = c.token_request();
        assert_eq!(
            r.header("authorization"),
            Some("Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3")
        );
        assert_eq!(
            r.body.as_deref(),
            Some("grant_type=client_credentials&scope=ssf.manage+ssf.read")
        );
        let odd = ClientCredentials {
            client_id: "a:b".into(),
            client_secret: "p@ss w%rd".into(),
            ..c
        };
        // "a%3Ab:p%40ss+w%25rd"
        assert_eq!(
            odd.token_request().header("authorization"),
            Some("Basic YSUzQWI6cCU0MHNzK3clMjVyZA==")
        );
        assert_eq!(base64_standard(b"a"), "YQ==");
        assert_eq!(base64_standard(b"ab"), "YWI=");
    }

    #[test]
    fn token_answers_are_checked() {
        let ok = ClientCredentials::read_token(
            200,
            br#"{"access_token":"t","token_type":"bearer","expires_in":2}"#,
        )
        .unwrap();
        assert_eq!(ok.authorization(), "Bearer t");
        assert_eq!(ok.expires_in, Some(2));
        for (status, body) in [
            (200, &br#"{"token_type":"Bearer"}"#[..]),
            (200, br#"{"access_token":"t","token_type":"mac"}"#),
            (
                200,
                br#"{"access_token":"t","token_type":"Bearer","expires_in":-1}"#,
            ),
            (401, br#"{"error":"invalid_client"}"#),
            (200, b"not json"),
        ] {
            let e = ClientCredentials::read_token(status, body).unwrap_err();
            assert!(matches!(e, Error::UpstreamAnswer { .. }), "{e}");
        }
        let e = ClientCredentials::read_token(401, br#"{"error_description":"bad secret"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("bad secret"), "{e}");
    }

    #[test]
    fn discovery_must_name_the_issuer_asked_for() {
        let body = br#"{"issuer": "https://evil.example.com", "jwks_uri": "https://e/j",
            "configuration_endpoint": "https://e/s"}"#;
        let e = Transmitter::from_discovery("https://idp.example.com", 200, body).unwrap_err();
        assert!(e.to_string().contains("not the issuer asked for"), "{e}");
        let no_config = br#"{"issuer": "https://idp.example.com", "jwks_uri": "https://e/j"}"#;
        assert!(Transmitter::from_discovery("https://idp.example.com", 200, no_config).is_err());
        assert!(Transmitter::from_discovery("https://idp.example.com", 404, b"").is_err());
    }

    #[test]
    fn a_created_stream_must_carry_the_transmitters_issuer() {
        let body =
            br#"{"issuer": "https://idp.example.com", "jwks_uri": "https://idp.example.com/j",
            "configuration_endpoint": "https://idp.example.com/s",
            "verification_endpoint": "https://idp.example.com/v"}"#;
        let tx = Transmitter::from_discovery("https://idp.example.com", 200, body).unwrap();
        let stream = |iss: &str| {
            format!(
                r#"{{"stream_id": "s1", "iss": "{iss}", "aud": "rp", "events_delivered": [],
                "delivery": {{"method": "urn:ietf:rfc:8935", "endpoint_url": "https://rp/push"}}}}"#
            )
        };
        let ok = tx
            .read_created(201, stream("https://idp.example.com").as_bytes())
            .unwrap();
        assert_eq!(ok.stream_id, "s1");
        let e = tx
            .read_created(201, stream("https://other.example.com").as_bytes())
            .unwrap_err();
        assert!(
            e.to_string().contains("not the transmitter's issuer"),
            "{e}"
        );
        let e = tx
            .read_created(400, br#"{"description": "events_requested: unknown type"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("unknown type"), "{e}");
        let v = tx.request_verification("Bearer x", "s1", "st-1").unwrap();
        assert_eq!(v.url, "https://idp.example.com/v");
        assert_eq!(
            v.body.as_deref(),
            Some(r#"{"stream_id":"s1","state":"st-1"}"#)
        );
        assert!(tx
            .update_status("Bearer x", "s1", Status::Paused, None)
            .is_err());
    }
}
