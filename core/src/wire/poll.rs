//! RFC 8936 poll delivery: the request a receiver posts and the response it gets.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;
use crate::json::{Map, Value};

use super::push::PushError;
use super::{invalid, json_text, nested, str_array, uint_value, MemberOrder, Obj, Writer};

/// A poll request (RFC 8936 section 2.4). Every member is optional; `{}` is a valid poll.
///
/// `ack` and `setErrs` are kept as `Option` so that an explicit empty member (`"ack": []`)
/// survives a round trip; [`PollRequest::acks`] and [`PollRequest::errors`] read them
/// without that distinction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PollRequest {
    /// `maxEvents`: at most this many SETs in the response; `0` acknowledges only.
    /// Absent: no limit.
    pub max_events: Option<u32>,
    /// `returnImmediately`: `true` for a short poll. Absent means `false` (long poll).
    pub return_immediately: Option<bool>,
    /// `ack`: `jti` values of SETs received and accepted.
    pub ack: Option<Vec<String>>,
    /// `setErrs`: `jti` values of SETs that failed validation, with the error of each.
    pub set_errs: Option<Vec<(String, PushError)>>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const REQUEST: &str = "poll request";
/// The members of a poll request (RFC 8936 section 2.4).
pub(crate) const REQUEST_KNOWN: &[&str] = &["ack", "setErrs", "maxEvents", "returnImmediately"];

impl PollRequest {
    /// The default poll, `{}`: no limit, long poll, nothing acknowledged.
    pub fn new() -> Self {
        PollRequest::default()
    }

    /// Sets `maxEvents`.
    pub fn with_max_events(mut self, n: u32) -> Self {
        self.max_events = Some(n);
        self
    }

    /// Sets `returnImmediately`.
    pub fn with_return_immediately(mut self, yes: bool) -> Self {
        self.return_immediately = Some(yes);
        self
    }

    /// Adds a `jti` to `ack`.
    pub fn with_ack(mut self, jti: impl Into<String>) -> Self {
        self.ack.get_or_insert_with(Vec::new).push(jti.into());
        self
    }

    /// Adds (or replaces) the `setErrs` entry of `jti`.
    pub fn with_set_err(mut self, jti: impl Into<String>, error: PushError) -> Self {
        let jti = jti.into();
        let errs = self.set_errs.get_or_insert_with(Vec::new);
        match errs.iter_mut().find(|(j, _)| *j == jti) {
            Some(slot) => slot.1 = error,
            None => errs.push((jti, error)),
        }
        self
    }

    /// Whether the transmitter should answer at once (`returnImmediately`, default `false`).
    pub fn returns_immediately(&self) -> bool {
        self.return_immediately.unwrap_or(false)
    }

    /// The acknowledged `jti` values (empty when `ack` is absent).
    pub fn acks(&self) -> &[String] {
        self.ack.as_deref().unwrap_or(&[])
    }

    /// The reported SET errors (empty when `setErrs` is absent).
    pub fn errors(&self) -> &[(String, PushError)] {
        self.set_errs.as_deref().unwrap_or(&[])
    }

    /// Whether this request only acknowledges (`maxEvents` is `0`).
    pub fn is_acknowledge_only(&self) -> bool {
        self.max_events == Some(0)
    }

    /// Reads a poll request.
    ///
    /// `maxEvents` must be a plain non-negative integer (no sign, fraction or exponent) that
    /// fits 32 bits; `ack` an array of non-empty strings; `setErrs` an object whose member
    /// names are non-empty `jti` values and whose values are [`PushError`] bodies.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, REQUEST)?;
        let set_errs = match obj.get("setErrs") {
            None => None,
            Some(Value::Object(errs)) => Some(read_set_errs(&obj, errs)?),
            Some(other) => {
                return Err(obj.err(
                    "setErrs",
                    &format!("must be an object, not {}", other.type_name()),
                ))
            }
        };
        Ok(PollRequest {
            max_events: obj.opt_uint("maxEvents")?,
            return_immediately: obj.opt_bool("returnImmediately")?,
            ack: obj.opt_list("ack")?,
            set_errs,
            extra: obj.extra(REQUEST_KNOWN),
            order: obj.order(),
        })
    }

    /// The request as JSON.
    pub fn to_value(&self) -> Value {
        let set_errs = self.set_errs.as_ref().map(|errs| {
            errs.iter()
                .map(|(jti, e)| (jti.as_str(), e.to_value()))
                .collect::<Map>()
        });
        Writer::new()
            .opt("ack", self.ack.as_deref().map(str_array))
            .opt("setErrs", set_errs)
            .opt("maxEvents", self.max_events.map(uint_value))
            .opt("returnImmediately", self.return_immediately)
            .extra(&self.extra)
            .finish(&self.order)
    }
}

fn read_set_errs(obj: &Obj<'_>, errs: &Map) -> Result<Vec<(String, PushError)>, Error> {
    errs.iter()
        .map(|(jti, body)| {
            if jti.is_empty() {
                return Err(obj.err("setErrs", "must not have an empty jti as member name"));
            }
            let e = PushError::from_value(body)
                .map_err(|e| nested(obj.what(), &format!("setErrs.{jti:?}"), e))?;
            Ok((String::from(jti), e))
        })
        .collect()
}

json_text!(PollRequest);

/// A poll response (RFC 8936 section 2.5): the SETs handed out, by `jti`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PollResponse {
    /// `sets` (required; may be empty): `(jti, compact SET)` pairs, `jti` unique.
    pub sets: Vec<(String, String)>,
    /// `moreAvailable`: more SETs are waiting. Absent means `false`.
    pub more_available: Option<bool>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const RESPONSE: &str = "poll response";
const RESPONSE_KNOWN: &[&str] = &["sets", "moreAvailable"];

impl PollResponse {
    /// An empty response, `{"sets": {}}`.
    pub fn new() -> Self {
        PollResponse::default()
    }

    /// Adds (or replaces) the SET with this `jti`.
    pub fn with_set(mut self, jti: impl Into<String>, set: impl Into<String>) -> Self {
        let (jti, set) = (jti.into(), set.into());
        match self.sets.iter_mut().find(|(j, _)| *j == jti) {
            Some(slot) => slot.1 = set,
            None => self.sets.push((jti, set)),
        }
        self
    }

    /// Sets `moreAvailable`.
    pub fn with_more_available(mut self, more: bool) -> Self {
        self.more_available = Some(more);
        self
    }

    /// Whether more SETs are waiting (`moreAvailable`, default `false`).
    pub fn has_more(&self) -> bool {
        self.more_available.unwrap_or(false)
    }

    /// Reads a poll response. `sets` must be an object mapping non-empty `jti` values to
    /// non-empty strings; the SETs themselves are not decoded here.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, RESPONSE)?;
        let sets = match obj.required("sets")? {
            Value::Object(sets) => sets
                .iter()
                .map(|(jti, set)| {
                    if jti.is_empty() {
                        return Err(obj.err("sets", "must not have an empty jti as member name"));
                    }
                    match set {
                        Value::String(s) if !s.is_empty() => Ok((String::from(jti), s.clone())),
                        _ => Err(invalid(
                            RESPONSE,
                            format!("sets.{jti:?} must be a compact SET (a non-empty string)"),
                        )),
                    }
                })
                .collect::<Result<Vec<_>, Error>>()?,
            other => {
                return Err(obj.err(
                    "sets",
                    &format!("must be an object, not {}", other.type_name()),
                ))
            }
        };
        Ok(PollResponse {
            sets,
            more_available: obj.opt_bool("moreAvailable")?,
            extra: obj.extra(RESPONSE_KNOWN),
            order: obj.order(),
        })
    }

    /// The response as JSON.
    pub fn to_value(&self) -> Value {
        let sets: Map = self
            .sets
            .iter()
            .map(|(jti, set)| (jti.as_str(), set.as_str()))
            .collect();
        Writer::new()
            .put("sets", sets)
            .opt("moreAvailable", self.more_available)
            .extra(&self.extra)
            .finish(&self.order)
    }
}

json_text!(PollResponse);
