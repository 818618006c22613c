//! The SSF 1.0 events: verification and stream-updated.

use alloc::string::String;

use super::validate::{parsed, put, put_str, required, string};
use super::values::StreamStatus;
use super::{Meta, Typed};
use crate::error::Error;
use crate::json::{Map, Value};

/// SSF verification: proves a stream works end to end, echoing the receiver's `state`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verification {
    /// The value the receiver put in its verification request; `None` when the
    /// transmitter verifies on its own.
    pub state: Option<String>,
    pub(super) meta: Meta,
}

impl Verification {
    /// A verification event echoing `state`.
    pub fn new(state: Option<String>) -> Self {
        Verification {
            state,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(m: &Map, meta: Meta) -> Self {
        Verification {
            state: string(m, "state"),
            meta,
        }
    }
}

impl Typed for Verification {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "state", self.state.as_deref());
    }
}

/// SSF stream-updated: the transmitter changed the stream's status by itself.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamUpdated {
    /// The status after the change.
    pub status: StreamStatus,
    /// A short explanation for people.
    pub reason: Option<String>,
    pub(super) meta: Meta,
}

impl StreamUpdated {
    /// A stream-updated event.
    pub fn new(status: StreamStatus, reason: Option<String>) -> Self {
        StreamUpdated {
            status,
            reason,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(uri: &str, m: &Map, meta: Meta) -> Result<Self, Error> {
        Ok(StreamUpdated {
            status: required(uri, "status", parsed(m, "status", StreamStatus::from_name))?,
            reason: string(m, "reason"),
            meta,
        })
    }
}

impl Typed for StreamUpdated {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put(m, "status", Some(Value::from(self.status.as_str())));
        put_str(m, "reason", self.reason.as_deref());
    }
}
