//! SSF stream configuration (SSF 1.0 section 8.1.1) and the rules of the configuration
//! endpoint: create (`POST`), update (`PATCH`) and replace (`PUT`).
//!
//! # Who supplies what
//!
//! Each member of a stream configuration is supplied either by the receiver or by the
//! transmitter ([`StreamConfig::RECEIVER_SUPPLIED`], [`StreamConfig::TRANSMITTER_SUPPLIED`]).
//! `delivery` is the receiver's, except that the `endpoint_url` of a poll delivery is the
//! transmitter's poll URL.
//!
//! This crate adds two members to the standard ones:
//! * `source` (receiver-supplied): the upstream transmitter whose pushes land in this stream:
//!   `{issuer, jwks_uri | jwks, audience, algorithms?, profile?}` ([`Source`]);
//! * `push` (transmitter-supplied): where and with which `Authorization` value the upstream
//!   pushes: `{endpoint_url, authorization_header}` ([`PushEndpoint`]).
//!
//! # The rules, as functions
//!
//! * Create: [`CreateStreamRequest`] accepts receiver-supplied members only. A
//!   transmitter-supplied member in a create request is an error (`400`): the receiver cannot
//!   choose it, and accepting it silently would let the receiver believe it had.
//!   [`CreateStreamRequest::into_config`] completes the configuration with the
//!   transmitter's values ([`TransmitterSupplied`]); no `delivery` means poll.
//! * Update: [`apply_patch`] applies the receiver-supplied members present in an
//!   [`UpdateStreamRequest`] and keeps the others; transmitter-supplied members present must
//!   equal the current values (JSON equality, member order ignored).
//! * Replace: [`apply_replace`] is the same, but receiver-supplied members absent from the
//!   request are deleted (an absent `delivery` falls back to poll, as on create).
//!
//! Both recompute `events_delivered` (see [`deliverable_events`]) when `events_requested`
//! may have changed, and change nothing when they fail.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::alg::Algorithm;
use crate::error::Error;
use crate::json::{Map, Value};
use crate::set::Profile;

use super::{
    check_url_in, invalid, json_text, nested, same_json, str_array, uint_value, MemberOrder, Obj,
    UrlPolicy, Writer,
};

/// The delivery method URI of push delivery (RFC 8935).
pub const PUSH_METHOD: &str = "urn:ietf:rfc:8935";
/// The delivery method URI of poll delivery (RFC 8936).
pub const POLL_METHOD: &str = "urn:ietf:rfc:8936";

// ---- aud ------------------------------------------------------------------------------------

/// `aud`: one audience string or an array of them; which one was used is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// A single string.
    One(String),
    /// An array of strings (never empty).
    Many(Vec<String>),
}

impl Audience {
    /// The audience values.
    pub fn values(&self) -> &[String] {
        match self {
            Audience::One(a) => core::slice::from_ref(a),
            Audience::Many(list) => list,
        }
    }

    /// Whether `aud` contains `audience`.
    pub fn contains(&self, audience: &str) -> bool {
        self.values().iter().any(|a| a == audience)
    }

    /// The audience as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            Audience::One(a) => Value::from(a.as_str()),
            Audience::Many(list) => str_array(list),
        }
    }

    fn read(obj: &Obj<'_>, name: &str, v: &Value) -> Result<Self, Error> {
        match v {
            Value::String(_) => obj.nonempty(name, v).map(Audience::One),
            Value::Array(_) => {
                let list = obj.list(name, v)?;
                if list.is_empty() {
                    return Err(obj.err(name, "must not be an empty array"));
                }
                Ok(Audience::Many(list))
            }
            other => Err(obj.err(
                name,
                &format!(
                    "must be a string or an array of strings, not {}",
                    other.type_name()
                ),
            )),
        }
    }
}

// ---- delivery -------------------------------------------------------------------------------

/// `delivery`: the delivery method and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// `method` (required): a delivery method URI ([`PUSH_METHOD`], [`POLL_METHOD`] or
    /// another one).
    pub method: String,
    /// `endpoint_url`: for push the receiver's URL (required), for poll the transmitter's.
    pub endpoint_url: Option<String>,
    /// `authorization_header`: for push, the `Authorization` value the transmitter sends.
    pub authorization_header: Option<String>,
    /// Members this crate does not know (other methods' parameters), in order.
    pub extra: Map,
    order: MemberOrder,
}

const DELIVERY: &str = "delivery";
const DELIVERY_KNOWN: &[&str] = &["method", "endpoint_url", "authorization_header"];

impl Delivery {
    /// A delivery with `method` and no parameters (for example a receiver asking for poll).
    pub fn new(method: impl Into<String>) -> Self {
        Delivery {
            method: method.into(),
            endpoint_url: None,
            authorization_header: None,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Push delivery to the receiver's `endpoint_url`.
    pub fn push(endpoint_url: impl Into<String>, authorization_header: Option<String>) -> Self {
        Delivery {
            endpoint_url: Some(endpoint_url.into()),
            authorization_header,
            ..Delivery::new(PUSH_METHOD)
        }
    }

    /// Poll delivery from the transmitter's `endpoint_url`.
    pub fn poll(endpoint_url: impl Into<String>) -> Self {
        Delivery {
            endpoint_url: Some(endpoint_url.into()),
            ..Delivery::new(POLL_METHOD)
        }
    }

    /// Whether the method is push (RFC 8935).
    pub fn is_push(&self) -> bool {
        self.method == PUSH_METHOD
    }

    /// Whether the method is poll (RFC 8936).
    pub fn is_poll(&self) -> bool {
        self.method == POLL_METHOD
    }

    /// Reads a delivery object: `method` non-empty, `endpoint_url` and
    /// `authorization_header` non-empty strings when present, `endpoint_url` present for
    /// push. Members of other methods are kept in `extra`.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, DELIVERY)?;
        let delivery = Delivery {
            method: obj.req_nonempty("method")?,
            endpoint_url: obj.opt_nonempty("endpoint_url")?,
            authorization_header: obj.opt_nonempty("authorization_header")?,
            extra: obj.extra(DELIVERY_KNOWN),
            order: obj.order(),
        };
        if delivery.is_push() && delivery.endpoint_url.is_none() {
            return Err(obj.err("endpoint_url", "is required for push delivery"));
        }
        Ok(delivery)
    }

    /// The delivery as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("method", self.method.as_str())
            .opt("endpoint_url", self.endpoint_url.as_deref())
            .opt("authorization_header", self.authorization_header.as_deref())
            .extra(&self.extra)
            .finish(&self.order)
    }

    /// Checks `endpoint_url` (push and poll) under `policy`.
    pub fn validate(&self, policy: UrlPolicy) -> Result<(), Error> {
        match &self.endpoint_url {
            Some(url) if self.is_push() || self.is_poll() => {
                check_url_in(DELIVERY, "endpoint_url", url, policy, false)
            }
            _ => Ok(()),
        }
    }
}

// ---- source (extension) --------------------------------------------------------------------

/// Where the keys of a [`Source`] come from: exactly one of `jwks_uri` and `jwks`.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceKeys {
    /// `jwks_uri`: fetched (and cached) from this URL.
    JwksUri(String),
    /// `jwks`: a JWK Set given inline (an object with a `keys` array; the keys themselves
    /// are checked by the JWK parser).
    Jwks(Map),
}

/// `source` (extension, receiver-supplied): the upstream transmitter whose pushes land in
/// the stream, and how to verify them.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// `issuer` (required): the upstream's issuer, compared with each SET's `iss`.
    pub issuer: String,
    /// `jwks_uri` or `jwks` (exactly one is required).
    pub keys: SourceKeys,
    /// `audience` (required): the `aud` value the upstream's SETs must contain.
    pub audience: String,
    /// `algorithms`: the accepted JWS algorithms (absent: the library's defaults). Never
    /// `none` or HMAC; never empty.
    pub algorithms: Option<Vec<Algorithm>>,
    /// `profile`: the rules the upstream's SETs are checked by, one of
    /// [`Profile::NAMES`]; absent means `ssf` (see [`Source::profile`]).
    pub profile: Option<Profile>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const SOURCE: &str = "source";
/// The members of a source object.
pub const SOURCE_KNOWN: &[&str] = &[
    "issuer",
    "jwks_uri",
    "jwks",
    "audience",
    "algorithms",
    "profile",
];

impl Source {
    /// A source.
    pub fn new(issuer: impl Into<String>, keys: SourceKeys, audience: impl Into<String>) -> Self {
        Source {
            issuer: issuer.into(),
            keys,
            audience: audience.into(),
            algorithms: None,
            profile: None,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// The profile its SETs are checked by (`ssf` when none was given).
    pub fn profile(&self) -> Profile {
        self.profile.unwrap_or_default()
    }

    /// Reads a source object.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, SOURCE)?;
        let keys = match (obj.get("jwks_uri"), obj.get("jwks")) {
            (Some(uri), None) => SourceKeys::JwksUri(obj.nonempty("jwks_uri", uri)?),
            (None, Some(Value::Object(set))) => match set.get("keys") {
                Some(Value::Array(_)) => SourceKeys::Jwks(set.clone()),
                _ => {
                    return Err(obj.err(
                        "jwks",
                        "must be a JWK Set (an object with a \"keys\" array)",
                    ))
                }
            },
            (None, Some(other)) => {
                return Err(obj.err(
                    "jwks",
                    &format!("must be a JWK Set object, not {}", other.type_name()),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    SOURCE,
                    "give exactly one of \"jwks_uri\" and \"jwks\", not both",
                ))
            }
            (None, None) => {
                return Err(invalid(
                    SOURCE,
                    "one of \"jwks_uri\" and \"jwks\" is required",
                ))
            }
        };
        let algorithms = obj
            .opt_list("algorithms")?
            .map(|names| {
                if names.is_empty() {
                    return Err(obj.err("algorithms", "must not be empty"));
                }
                names
                    .iter()
                    .map(|n| {
                        Algorithm::from_header(n)
                            .map_err(|e| obj.err("algorithms", &format!("holds {n:?}: {e}")))
                    })
                    .collect()
            })
            .transpose()?;
        let profile = match obj.get("profile") {
            None => None,
            Some(Value::String(name)) => Some(Profile::named(name).ok_or_else(|| {
                obj.err(
                    "profile",
                    &format!("{name:?} is not a profile; one of: {}", Profile::NAMES),
                )
            })?),
            Some(other) => {
                return Err(obj.err(
                    "profile",
                    &format!(
                        "must be a string, one of: {}; not {}",
                        Profile::NAMES,
                        other.type_name()
                    ),
                ))
            }
        };
        Ok(Source {
            issuer: obj.req_nonempty("issuer")?,
            keys,
            audience: obj.req_nonempty("audience")?,
            algorithms,
            profile,
            extra: obj.extra(SOURCE_KNOWN),
            order: obj.order(),
        })
    }

    /// The source as JSON.
    pub fn to_value(&self) -> Value {
        let (name, keys) = match &self.keys {
            SourceKeys::JwksUri(uri) => ("jwks_uri", Value::from(uri.as_str())),
            SourceKeys::Jwks(set) => ("jwks", Value::Object(set.clone())),
        };
        let algorithms = self
            .algorithms
            .as_ref()
            .map(|algs| Value::Array(algs.iter().map(|a| Value::from(a.name())).collect()));
        Writer::new()
            .put("issuer", self.issuer.as_str())
            .put(name, keys)
            .put("audience", self.audience.as_str())
            .opt("algorithms", algorithms)
            .opt("profile", self.profile.map(|p| Value::from(p.name())))
            .extra(&self.extra)
            .finish(&self.order)
    }

    /// Checks `issuer` (an issuer URL) and `jwks_uri` under `policy`.
    pub fn validate(&self, policy: UrlPolicy) -> Result<(), Error> {
        check_url_in(SOURCE, "issuer", &self.issuer, policy, true)?;
        match &self.keys {
            SourceKeys::JwksUri(uri) => check_url_in(SOURCE, "jwks_uri", uri, policy, false),
            SourceKeys::Jwks(_) => Ok(()),
        }
    }
}

// ---- push (extension) -----------------------------------------------------------------------

/// `push` (extension, transmitter-supplied): where the upstream transmitter pushes SETs for
/// this stream, and the exact `Authorization` header value it must send.
#[derive(Clone, Debug, PartialEq)]
pub struct PushEndpoint {
    /// `endpoint_url` (required).
    pub endpoint_url: String,
    /// `authorization_header` (required): the whole header value, e.g. `Bearer ...`.
    pub authorization_header: String,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const PUSH: &str = "push";
const PUSH_KNOWN: &[&str] = &["endpoint_url", "authorization_header"];

impl PushEndpoint {
    /// A push endpoint.
    pub fn new(endpoint_url: impl Into<String>, authorization_header: impl Into<String>) -> Self {
        PushEndpoint {
            endpoint_url: endpoint_url.into(),
            authorization_header: authorization_header.into(),
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Reads a push endpoint object.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, PUSH)?;
        Ok(PushEndpoint {
            endpoint_url: obj.req_nonempty("endpoint_url")?,
            authorization_header: obj.req_nonempty("authorization_header")?,
            extra: obj.extra(PUSH_KNOWN),
            order: obj.order(),
        })
    }

    /// The push endpoint as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("endpoint_url", self.endpoint_url.as_str())
            .put("authorization_header", self.authorization_header.as_str())
            .extra(&self.extra)
            .finish(&self.order)
    }
}

// ---- stream configuration -------------------------------------------------------------------

/// A stream configuration, as the configuration endpoint returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamConfig {
    /// `stream_id` (required, transmitter).
    pub stream_id: String,
    /// `iss` (required, transmitter): the `iss` of the stream's SETs.
    pub iss: String,
    /// `aud` (required, transmitter): the `aud` of the stream's SETs.
    pub aud: Audience,
    /// `events_supported` (transmitter).
    pub events_supported: Option<Vec<String>>,
    /// `events_requested` (receiver).
    pub events_requested: Option<Vec<String>>,
    /// `events_delivered` (required, transmitter).
    pub events_delivered: Vec<String>,
    /// `delivery` (required; see the module documentation).
    pub delivery: Delivery,
    /// `min_verification_interval` (transmitter), seconds.
    pub min_verification_interval: Option<u32>,
    /// `description` (receiver).
    pub description: Option<String>,
    /// `inactivity_timeout` (transmitter), seconds.
    pub inactivity_timeout: Option<u32>,
    /// `source` (extension, receiver).
    pub source: Option<Source>,
    /// `push` (extension, transmitter).
    pub push: Option<PushEndpoint>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const CONFIG: &str = "stream configuration";
const CREATE: &str = "stream create request";
const UPDATE: &str = "stream update request";

impl StreamConfig {
    /// Members the receiver supplies (SSF 8.1.1 plus the `source` extension).
    pub const RECEIVER_SUPPLIED: &'static [&'static str] =
        &["events_requested", "delivery", "description", "source"];

    /// Members the transmitter supplies (SSF 8.1.1 plus the `push` extension).
    pub const TRANSMITTER_SUPPLIED: &'static [&'static str] = &[
        "stream_id",
        "iss",
        "aud",
        "events_supported",
        "events_delivered",
        "min_verification_interval",
        "inactivity_timeout",
        "push",
    ];

    /// [`StreamConfig::RECEIVER_SUPPLIED`].
    pub fn receiver_supplied_members() -> &'static [&'static str] {
        Self::RECEIVER_SUPPLIED
    }

    /// [`StreamConfig::TRANSMITTER_SUPPLIED`].
    pub fn transmitter_supplied_members() -> &'static [&'static str] {
        Self::TRANSMITTER_SUPPLIED
    }

    /// A configuration with the required members and nothing else (`events_delivered`
    /// empty).
    pub fn new(
        stream_id: impl Into<String>,
        iss: impl Into<String>,
        aud: Audience,
        delivery: Delivery,
    ) -> Self {
        StreamConfig {
            stream_id: stream_id.into(),
            iss: iss.into(),
            aud,
            events_supported: None,
            events_requested: None,
            events_delivered: Vec::new(),
            delivery,
            min_verification_interval: None,
            description: None,
            inactivity_timeout: None,
            source: None,
            push: None,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Reads a stream configuration: the required members (`stream_id`, `iss`, `aud`,
    /// `events_delivered`, `delivery`) present, every known member of its type, and the
    /// delivery complete (`endpoint_url` for push and poll).
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, CONFIG)?;
        let delivery = obj.opt_nested("delivery", Delivery::from_value)?;
        let delivery = delivery.ok_or_else(|| obj.err("delivery", "is required"))?;
        if delivery.is_poll() && delivery.endpoint_url.is_none() {
            return Err(obj.err("delivery", "needs endpoint_url for poll delivery"));
        }
        Ok(StreamConfig {
            stream_id: obj.req_nonempty("stream_id")?,
            iss: obj.req_nonempty("iss")?,
            aud: Audience::read(&obj, "aud", obj.required("aud")?)?,
            events_supported: obj.opt_list("events_supported")?,
            events_requested: obj.opt_list("events_requested")?,
            events_delivered: obj.list("events_delivered", obj.required("events_delivered")?)?,
            delivery,
            min_verification_interval: obj.opt_uint("min_verification_interval")?,
            description: obj.opt_string("description")?,
            inactivity_timeout: obj.opt_uint("inactivity_timeout")?,
            source: obj.opt_nested("source", Source::from_value)?,
            push: obj.opt_nested("push", PushEndpoint::from_value)?,
            extra: obj.extra(CONFIG_KNOWN),
            order: obj.order(),
        })
    }

    /// The configuration as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("stream_id", self.stream_id.as_str())
            .put("iss", self.iss.as_str())
            .put("aud", self.aud.to_value())
            .put("delivery", self.delivery.to_value())
            .opt(
                "events_supported",
                self.events_supported.as_deref().map(str_array),
            )
            .opt(
                "events_requested",
                self.events_requested.as_deref().map(str_array),
            )
            .put("events_delivered", str_array(&self.events_delivered))
            .opt("description", self.description.as_deref())
            .opt(
                "min_verification_interval",
                self.min_verification_interval.map(uint_value),
            )
            .opt(
                "inactivity_timeout",
                self.inactivity_timeout.map(uint_value),
            )
            .opt("source", self.source.as_ref().map(Source::to_value))
            .opt("push", self.push.as_ref().map(PushEndpoint::to_value))
            .extra(&self.extra)
            .finish(&self.order)
    }

    /// Reads the answer to a read without `stream_id`: an array of configurations.
    pub fn list_from_value(value: &Value) -> Result<Vec<Self>, Error> {
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    StreamConfig::from_value(v).map_err(|e| nested(CONFIG, &format!("[{i}]"), e))
                })
                .collect(),
            other => Err(invalid(
                CONFIG,
                format!(
                    "a list of streams must be an array, not {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// Configurations as a JSON array (the answer to a read without `stream_id`).
    pub fn list_to_value(configs: &[StreamConfig]) -> Value {
        Value::Array(configs.iter().map(StreamConfig::to_value).collect())
    }

    /// Checks the URL rules under `policy`: `iss` is an issuer URL, and the delivery,
    /// `source` and `push` URLs are acceptable.
    pub fn validate(&self, policy: UrlPolicy) -> Result<(), Error> {
        check_url_in(CONFIG, "iss", &self.iss, policy, true)?;
        self.delivery
            .validate(policy)
            .map_err(|e| nested(CONFIG, "delivery", e))?;
        if let Some(source) = &self.source {
            source
                .validate(policy)
                .map_err(|e| nested(CONFIG, "source", e))?;
        }
        if let Some(push) = &self.push {
            check_url_in(
                CONFIG,
                "push.endpoint_url",
                &push.endpoint_url,
                policy,
                false,
            )?;
        }
        Ok(())
    }
}

json_text!(StreamConfig);

const CONFIG_KNOWN: &[&str] = &[
    "stream_id",
    "iss",
    "aud",
    "events_supported",
    "events_requested",
    "events_delivered",
    "delivery",
    "min_verification_interval",
    "description",
    "inactivity_timeout",
    "source",
    "push",
];

/// The events a stream delivers: the requested ones that are supported (all requested
/// ones when `supported` is unknown), in the order requested, without repeats; every
/// supported event when the receiver did not send `events_requested` at all.
///
/// SSF 1.0 makes `events_delivered` a subset of `events_supported` ∩ `events_requested`
/// and leaves the case of an absent `events_requested` to the transmitter; delivering what
/// it supports is what receivers that omit the member expect. An empty list requests
/// nothing and gets nothing (verification and stream-updated events are sent regardless,
/// as SSF allows).
pub fn deliverable_events(
    supported: Option<&[String]>,
    requested: Option<&[String]>,
) -> Vec<String> {
    let Some(requested) = requested else {
        return supported.map(<[String]>::to_vec).unwrap_or_default();
    };
    let mut out: Vec<String> = Vec::new();
    for uri in requested {
        let ok = supported.is_none_or(|s| s.contains(uri));
        if ok && !out.contains(uri) {
            out.push(uri.clone());
        }
    }
    out
}

/// The poll `delivery` of a stream whose transmitter poll URL is `poll_endpoint_url`, or a
/// push / other delivery as given. A poll `endpoint_url` in a request must be absent or
/// equal to the transmitter's.
fn resolve_delivery(
    what: &'static str,
    delivery: Option<&Delivery>,
    poll_endpoint_url: &str,
) -> Result<Delivery, Error> {
    let Some(d) = delivery else {
        return Ok(Delivery::poll(poll_endpoint_url));
    };
    let mut d = d.clone();
    if d.is_poll() {
        match d.endpoint_url.as_deref() {
            None => d.endpoint_url = Some(poll_endpoint_url.to_string()),
            Some(url) if url == poll_endpoint_url => {}
            Some(_) => return Err(invalid(
                what,
                "delivery.endpoint_url of poll delivery is supplied by the Transmitter and differs",
            )),
        }
    } else if d.is_push() && d.endpoint_url.is_none() {
        return Err(invalid(
            what,
            "delivery.endpoint_url is required for push delivery",
        ));
    }
    Ok(d)
}

/// Checks a transmitter-supplied member's type (its value is only compared, never applied).
fn check_transmitter_member(obj: &Obj<'_>, name: &str, v: &Value) -> Result<(), Error> {
    match name {
        "stream_id" | "iss" => obj.nonempty(name, v).map(drop),
        "aud" => Audience::read(obj, name, v).map(drop),
        "events_supported" | "events_delivered" => obj.list(name, v).map(drop),
        "min_verification_interval" | "inactivity_timeout" => obj.uint(name, v).map(drop),
        "push" => PushEndpoint::from_value(v)
            .map(drop)
            .map_err(|e| nested(obj.what(), name, e)),
        _ => Ok(()),
    }
}

/// The receiver-supplied members of a create / update / replace request.
struct ReceiverMembers {
    events_requested: Option<Vec<String>>,
    delivery: Option<Delivery>,
    description: Option<String>,
    source: Option<Source>,
}

impl ReceiverMembers {
    fn read(obj: &Obj<'_>) -> Result<Self, Error> {
        Ok(ReceiverMembers {
            events_requested: obj.opt_list("events_requested")?,
            delivery: obj.opt_nested("delivery", Delivery::from_value)?,
            description: obj.opt_string("description")?,
            source: obj.opt_nested("source", Source::from_value)?,
        })
    }
}

fn validate_receiver_members(
    what: &'static str,
    delivery: Option<&Delivery>,
    source: Option<&Source>,
    policy: UrlPolicy,
) -> Result<(), Error> {
    if let Some(d) = delivery {
        d.validate(policy)
            .map_err(|e| nested(what, "delivery", e))?;
    }
    if let Some(s) = source {
        s.validate(policy).map_err(|e| nested(what, "source", e))?;
    }
    Ok(())
}

// ---- create ---------------------------------------------------------------------------------

/// The body of a create request (`POST` to the configuration endpoint): receiver-supplied
/// members only.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateStreamRequest {
    /// `events_requested`.
    pub events_requested: Option<Vec<String>>,
    /// `delivery`; absent means poll. For poll, `endpoint_url` is normally absent (the
    /// transmitter assigns it).
    pub delivery: Option<Delivery>,
    /// `description`.
    pub description: Option<String>,
    /// `source` (extension).
    pub source: Option<Source>,
    /// Members this crate does not know, in order (kept, but not applied to the stream).
    pub extra: Map,
    order: MemberOrder,
}

/// What the transmitter decides when it creates a stream.
#[derive(Clone, Debug, PartialEq)]
pub struct TransmitterSupplied {
    /// `stream_id`.
    pub stream_id: String,
    /// `iss`.
    pub iss: String,
    /// `aud`.
    pub aud: Audience,
    /// `events_supported`.
    pub events_supported: Vec<String>,
    /// The stream's poll URL (the `delivery.endpoint_url` of poll delivery).
    pub poll_endpoint_url: String,
    /// `min_verification_interval`.
    pub min_verification_interval: Option<u32>,
    /// `inactivity_timeout`.
    pub inactivity_timeout: Option<u32>,
    /// `push` (extension).
    pub push: Option<PushEndpoint>,
}

impl CreateStreamRequest {
    /// An empty create request (`{}`: poll delivery, nothing requested).
    pub fn new() -> Self {
        CreateStreamRequest::default()
    }

    /// Reads a create request. A transmitter-supplied member is an error (see the module
    /// documentation); unknown members are kept in `extra`.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, CREATE)?;
        if let Some(name) = StreamConfig::TRANSMITTER_SUPPLIED
            .iter()
            .find(|n| obj.has(n))
        {
            return Err(obj.err(
                name,
                "is supplied by the Transmitter and cannot be set when creating a stream",
            ));
        }
        let r = ReceiverMembers::read(&obj)?;
        Ok(CreateStreamRequest {
            events_requested: r.events_requested,
            delivery: r.delivery,
            description: r.description,
            source: r.source,
            extra: obj.extra(StreamConfig::RECEIVER_SUPPLIED),
            order: obj.order(),
        })
    }

    /// The request as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .opt("delivery", self.delivery.as_ref().map(Delivery::to_value))
            .opt(
                "events_requested",
                self.events_requested.as_deref().map(str_array),
            )
            .opt("description", self.description.as_deref())
            .opt("source", self.source.as_ref().map(Source::to_value))
            .extra(&self.extra)
            .finish(&self.order)
    }

    /// Checks the URLs of `delivery` and `source` under `policy`.
    pub fn validate(&self, policy: UrlPolicy) -> Result<(), Error> {
        validate_receiver_members(CREATE, self.delivery.as_ref(), self.source.as_ref(), policy)
    }

    /// The new stream's configuration: the request's receiver-supplied members with the
    /// transmitter's values. No `delivery` means poll from `poll_endpoint_url`; a poll
    /// delivery gets that URL (a different one in the request is an error);
    /// `events_delivered` is [`deliverable_events`]. Unknown members are not carried over.
    ///
    /// Whether the delivery method is supported is the caller's decision (SSF allows `400`).
    pub fn into_config(self, supplied: TransmitterSupplied) -> Result<StreamConfig, Error> {
        let delivery =
            resolve_delivery(CREATE, self.delivery.as_ref(), &supplied.poll_endpoint_url)?;
        let events_delivered = deliverable_events(
            Some(&supplied.events_supported),
            self.events_requested.as_deref(),
        );
        Ok(StreamConfig {
            stream_id: supplied.stream_id,
            iss: supplied.iss,
            aud: supplied.aud,
            events_supported: Some(supplied.events_supported),
            events_requested: self.events_requested,
            events_delivered,
            delivery,
            min_verification_interval: supplied.min_verification_interval,
            description: self.description,
            inactivity_timeout: supplied.inactivity_timeout,
            source: self.source,
            push: supplied.push,
            extra: Map::new(),
            order: MemberOrder::default(),
        })
    }
}

json_text!(CreateStreamRequest);

// ---- update / replace -----------------------------------------------------------------------

/// The body of an update (`PATCH`) or replace (`PUT`) request; see [`apply_patch`] and
/// [`apply_replace`].
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateStreamRequest {
    /// `stream_id` (required): the stream to change.
    pub stream_id: String,
    /// `events_requested`.
    pub events_requested: Option<Vec<String>>,
    /// `delivery`.
    pub delivery: Option<Delivery>,
    /// `description`.
    pub description: Option<String>,
    /// `source` (extension).
    pub source: Option<Source>,
    /// Transmitter-supplied members other than `stream_id` sent along, type-checked and
    /// kept as sent: they must equal the stream's current values.
    pub transmitter_supplied: Map,
    /// Members this crate does not know, in order (kept, but not applied to the stream).
    pub extra: Map,
    order: MemberOrder,
}

impl UpdateStreamRequest {
    /// A request that changes nothing on stream `stream_id` (as a `PUT`, it deletes every
    /// receiver-supplied member).
    pub fn new(stream_id: impl Into<String>) -> Self {
        UpdateStreamRequest {
            stream_id: stream_id.into(),
            events_requested: None,
            delivery: None,
            description: None,
            source: None,
            transmitter_supplied: Map::new(),
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Reads an update or replace request: `stream_id` required, every known member
    /// (receiver- or transmitter-supplied) of its type.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, UPDATE)?;
        let stream_id = obj.req_nonempty("stream_id")?;
        let r = ReceiverMembers::read(&obj)?;
        let mut transmitter_supplied = Map::new();
        for name in StreamConfig::TRANSMITTER_SUPPLIED
            .iter()
            .filter(|n| **n != "stream_id")
        {
            if let Some(v) = obj.get(name) {
                check_transmitter_member(&obj, name, v)?;
                transmitter_supplied.insert(*name, v.clone());
            }
        }
        let mut known: Vec<&str> = StreamConfig::RECEIVER_SUPPLIED.to_vec();
        known.extend_from_slice(StreamConfig::TRANSMITTER_SUPPLIED);
        Ok(UpdateStreamRequest {
            stream_id,
            events_requested: r.events_requested,
            delivery: r.delivery,
            description: r.description,
            source: r.source,
            transmitter_supplied,
            extra: obj.extra(&known),
            order: obj.order(),
        })
    }

    /// The request as JSON.
    pub fn to_value(&self) -> Value {
        let mut w = Writer::new();
        w.put("stream_id", self.stream_id.as_str())
            .opt("delivery", self.delivery.as_ref().map(Delivery::to_value))
            .opt(
                "events_requested",
                self.events_requested.as_deref().map(str_array),
            )
            .opt("description", self.description.as_deref())
            .opt("source", self.source.as_ref().map(Source::to_value));
        for (name, v) in self.transmitter_supplied.iter() {
            w.put(name, v.clone());
        }
        w.extra(&self.extra).finish(&self.order)
    }

    /// Checks the URLs of `delivery` and `source` under `policy`.
    pub fn validate(&self, policy: UrlPolicy) -> Result<(), Error> {
        validate_receiver_members(UPDATE, self.delivery.as_ref(), self.source.as_ref(), policy)
    }

    /// Checks that the request is about `config` and that every transmitter-supplied member
    /// it carries equals the current value.
    fn check_against(&self, config: &StreamConfig) -> Result<(), Error> {
        if self.stream_id != config.stream_id {
            return Err(invalid(UPDATE, "stream_id is not the stream being changed"));
        }
        let current = config.to_value();
        for (name, sent) in self.transmitter_supplied.iter() {
            let same = current.get(name).is_some_and(|cur| same_json(cur, sent));
            if !same {
                return Err(invalid(
                    UPDATE,
                    format!(
                        "member {name:?} is supplied by the Transmitter and differs from the current value"
                    ),
                ));
            }
        }
        Ok(())
    }
}

json_text!(UpdateStreamRequest);

/// Applies an update (`PATCH`, SSF 1.0 section 8.1.1.3) to `config`.
///
/// The receiver-supplied members present in `request` replace the current ones; absent ones
/// stay. Transmitter-supplied members present must equal the current values, else the
/// request fails (`400`). `poll_endpoint_url` is the stream's poll URL, used when the
/// delivery becomes poll. When `events_requested` is sent, `events_delivered` is recomputed
/// with [`deliverable_events`]. On error `config` is unchanged.
pub fn apply_patch(
    config: &mut StreamConfig,
    request: &UpdateStreamRequest,
    poll_endpoint_url: &str,
) -> Result<(), Error> {
    request.check_against(config)?;
    let delivery = match &request.delivery {
        Some(d) => Some(resolve_delivery(UPDATE, Some(d), poll_endpoint_url)?),
        None => None,
    };
    if let Some(d) = delivery {
        config.delivery = d;
    }
    if let Some(requested) = &request.events_requested {
        config.events_requested = Some(requested.clone());
        config.events_delivered =
            deliverable_events(config.events_supported.as_deref(), Some(requested));
    }
    if let Some(description) = &request.description {
        config.description = Some(description.clone());
    }
    if let Some(source) = &request.source {
        config.source = Some(source.clone());
    }
    Ok(())
}

/// Applies a replace (`PUT`, SSF 1.0 section 8.1.1.4) to `config`.
///
/// Every receiver-supplied member takes the request's value, and those absent from the
/// request are deleted (an absent `delivery` becomes poll from `poll_endpoint_url`, as on
/// create). Transmitter-supplied members present must equal the current values.
/// `events_delivered` is recomputed. On error `config` is unchanged.
pub fn apply_replace(
    config: &mut StreamConfig,
    request: &UpdateStreamRequest,
    poll_endpoint_url: &str,
) -> Result<(), Error> {
    request.check_against(config)?;
    let delivery = resolve_delivery(UPDATE, request.delivery.as_ref(), poll_endpoint_url)?;
    config.delivery = delivery;
    config.events_requested = request.events_requested.clone();
    config.events_delivered = deliverable_events(
        config.events_supported.as_deref(),
        request.events_requested.as_deref(),
    );
    config.description = request.description.clone();
    config.source = request.source.clone();
    Ok(())
}
