//! An event to originate: the body of a node's `POST /ssf/events`, `{"sub_id", "events",
//! "txn"?}`, and the SET each receiving stream gets from it.
//!
//! A transmitter's own backend hands over what happened (a session revoked, a credential
//! compromised); the node signs one SET per receiving stream. Everything a receiver would
//! refuse is refused here, before anything is signed or queued:
//!
//! * `sub_id` must be an RFC 9493 / SSF subject identifier in a registered format, read
//!   strictly (no pre-SSF shapes or spellings: a node originating events speaks SSF 1.0);
//! * every member of `events` must be an event type of the catalogue, written by its URI or
//!   a legacy alias (the SET then carries the catalogue URI), with a payload that passes the
//!   type's rules: required members, member types, closed value sets;
//! * SSF's own events (verification, stream-updated) are refused: they are about one
//!   stream, and the node sends them itself;
//! * members other than `sub_id`, `events` and `txn` are refused, so a misspelt `txn` is
//!   not silently dropped.
//!
//! ```
//! use ssf_core::filter::StreamFilter;
//! use ssf_core::wire::{DefaultSubjects, EmitRequest};
//!
//! let revoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
//! let body = format!(
//!     r#"{{"sub_id": {{"format": "email", "email": "alice@example.com"}},
//!         "events": {{"{revoked}": {{"event_timestamp": 1700000000}}}}}}"#
//! );
//! let request = EmitRequest::from_json(&body)?;
//! let stream = StreamFilter::new(vec![revoked.into()], DefaultSubjects::All);
//! assert_eq!(request.events_for(&stream).len(), 1);
//! let claims = request.claims_for(&stream, "https://tx.example.com", &["rp"], "jti-1", 1700000001)?;
//! assert!(claims.is_some());
//! # Ok::<(), ssf_core::Error>(())
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::builder::SetBuilder;
use crate::error::Error;
use crate::events::{resolve, Event, Profile as EventProfile};
use crate::filter::StreamFilter;
use crate::issue::Severity;
use crate::json::{Map, Value};
use crate::subject::SubjectId;

use super::{invalid, Obj};

const WHAT: &str = "event request";
const KNOWN: &[&str] = &["sub_id", "events", "txn"];

/// Most event types in one request: a SET is about one occurrence, and SSF 1.0 profiles
/// carry one event per SET; a handful covers a transmitter's combined events.
pub const MAX_EMIT_EVENTS: usize = 8;

/// A validated request to originate events.
#[derive(Clone, Debug)]
pub struct EmitRequest {
    /// The subject of every event.
    pub sub_id: SubjectId,
    /// The events, typed, under their catalogue URIs, in request order.
    pub events: Vec<Event>,
    /// `txn`, copied into every SET.
    pub txn: Option<String>,
}

impl EmitRequest {
    /// Reads and checks a request (see the module documentation). Every failure is an
    /// [`Error::InvalidMessage`] naming the member.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, WHAT)?;
        if let Some(name) = obj.extra(KNOWN).keys().next() {
            return Err(obj.err(
                name,
                "is not a member of an event request (sub_id, events, txn)",
            ));
        }
        let sub_id = read_subject(obj.required("sub_id")?)?;
        let Value::Object(events) = obj.required("events")? else {
            return Err(obj.err(
                "events",
                "must be a JSON object of event type URI to claims",
            ));
        };
        if events.is_empty() {
            return Err(obj.err("events", "must name at least one event"));
        }
        if events.len() > MAX_EMIT_EVENTS {
            return Err(obj.err(
                "events",
                &format!("names {} events; at most {MAX_EMIT_EVENTS}", events.len()),
            ));
        }
        let mut typed: Vec<Event> = Vec::with_capacity(events.len());
        for (uri, payload) in events.iter() {
            let event = read_event(uri, payload)?;
            if typed.iter().any(|e| e.uri() == event.uri()) {
                return Err(invalid(
                    WHAT,
                    format!("events: {uri} names the same event type as another member"),
                ));
            }
            typed.push(event);
        }
        let txn = obj.opt_nonempty("txn")?;
        Ok(EmitRequest {
            sub_id,
            events: typed,
            txn,
        })
    }

    /// [`EmitRequest::from_value`] of a JSON text.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        Self::from_value(&super::parse_document(text)?)
    }

    /// The request as JSON (events under their catalogue URIs).
    pub fn to_value(&self) -> Value {
        let mut events = Map::new();
        for e in &self.events {
            events.insert(e.uri(), e.to_value());
        }
        let mut m = Map::new();
        m.insert("sub_id", self.sub_id.to_value());
        m.insert("events", Value::Object(events));
        if let Some(t) = &self.txn {
            m.insert("txn", t.as_str());
        }
        Value::Object(m)
    }

    /// The event type URIs, in request order.
    pub fn event_uris(&self) -> impl Iterator<Item = &str> {
        self.events.iter().map(Event::uri)
    }

    /// The events a stream with filter `stream` takes: the ones it delivers, or none when
    /// its subject settings exclude `sub_id` (the rule of relayed SETs,
    /// [`StreamFilter::events_taken`]).
    pub fn events_for(&self, stream: &StreamFilter) -> Vec<&Event> {
        let taken = stream.events_taken(Some(&self.sub_id), self.event_uris());
        self.events
            .iter()
            .filter(|e| taken.contains(&e.uri()))
            .collect()
    }

    /// The claims of the SET a stream with filter `stream` and audience `aud` gets, or
    /// `None` when it takes none of the events.
    pub fn claims_for(
        &self,
        stream: &StreamFilter,
        iss: &str,
        aud: &[&str],
        jti: &str,
        iat: i64,
    ) -> Result<Option<Map>, Error> {
        let events = self.events_for(stream);
        if events.is_empty() {
            return Ok(None);
        }
        let mut b = SetBuilder::new(iss, jti, iat).subject(&self.sub_id);
        b = match aud {
            [one] => b.audience(one),
            many => b.audiences(many.iter().copied()),
        };
        if let Some(t) = &self.txn {
            b = b.txn(t);
        }
        for e in events {
            b = b.event(e);
        }
        b.build().map(Some)
    }
}

/// The subject, strictly: besides being well formed, a subject the node originates events
/// about is in a registered format written the SSF 1.0 way, so every receiver can match it
/// (a misspelt format name would otherwise reach them as a proprietary one).
fn read_subject(value: &Value) -> Result<SubjectId, Error> {
    let (subject, issues) = SubjectId::from_value(value)
        .map_err(|e| invalid(WHAT, format!("member \"sub_id\": {e}")))?;
    let objection = issues
        .iter()
        .find(|i| i.severity != Severity::Info || i.code == "proprietary_subject_format");
    match objection {
        Some(i) => Err(invalid(
            WHAT,
            format!("member \"sub_id\": {} (use a registered format)", i.message),
        )),
        None => Ok(subject),
    }
}

fn read_event(uri: &str, payload: &Value) -> Result<Event, Error> {
    let Some(resolved) = resolve(uri) else {
        return Err(invalid(
            WHAT,
            format!("events: {uri} is not an event type of the SSF, CAEP or RISC catalogue"),
        ));
    };
    let event_type = resolved.event_type;
    if event_type.profile == EventProfile::Ssf {
        return Err(invalid(
            WHAT,
            format!(
                "events: {} is about one stream and is sent by the node itself",
                event_type.uri
            ),
        ));
    }
    let Value::Object(claims) = payload else {
        return Err(invalid(
            WHAT,
            format!(
                "events: {uri}: the claims must be a JSON object, not {}",
                payload.type_name()
            ),
        ));
    };
    if claims.contains_key("subject") {
        return Err(invalid(
            WHAT,
            format!("events: {uri}: the subject is sub_id, not a member of the event"),
        ));
    }
    Event::parse(event_type.uri, payload)
        .map(|(event, _)| event)
        .map_err(|e| invalid(WHAT, format!("events: {e}")))
}
