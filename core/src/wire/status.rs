//! Stream status (SSF 1.0 section 8.1.2): the body of a status read response, and of a
//! status update request and its response.

use alloc::string::String;

use core::fmt;

use crate::error::Error;
use crate::json::{Map, Value};

use super::{json_text, MemberOrder, Obj, Writer};

/// A stream's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// `enabled`: the transmitter delivers events.
    Enabled,
    /// `paused`: the transmitter holds events and delivers them when re-enabled.
    Paused,
    /// `disabled`: the transmitter neither delivers nor holds events.
    Disabled,
}

impl Status {
    /// The wire value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Paused => "paused",
            Status::Disabled => "disabled",
        }
    }

    /// Parses a wire value (case-sensitive); anything else is `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "enabled" => Some(Status::Enabled),
            "paused" => Some(Status::Paused),
            "disabled" => Some(Status::Disabled),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{"stream_id", "status", "reason"?}`: a status read response, a status update request,
/// or its response.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamStatus {
    /// `stream_id` (required).
    pub stream_id: String,
    /// `status` (required).
    pub status: Status,
    /// `reason`: free text explaining the status.
    pub reason: Option<String>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const WHAT: &str = "stream status";
const KNOWN: &[&str] = &["stream_id", "status", "reason"];

impl StreamStatus {
    /// A status without a reason.
    pub fn new(stream_id: impl Into<String>, status: Status) -> Self {
        StreamStatus {
            stream_id: stream_id.into(),
            status,
            reason: None,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Sets `reason`.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Reads a status object: `stream_id` non-empty, `status` one of `enabled`, `paused`,
    /// `disabled`, `reason` a string when present.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, WHAT)?;
        let stream_id = obj.req_nonempty("stream_id")?;
        let name = obj.string("status", obj.required("status")?)?;
        let status = Status::from_name(&name)
            .ok_or_else(|| obj.err("status", "must be \"enabled\", \"paused\" or \"disabled\""))?;
        Ok(StreamStatus {
            stream_id,
            status,
            reason: obj.opt_string("reason")?,
            extra: obj.extra(KNOWN),
            order: obj.order(),
        })
    }

    /// The status as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("stream_id", self.stream_id.as_str())
            .put("status", self.status.as_str())
            .opt("reason", self.reason.as_deref())
            .extra(&self.extra)
            .finish(&self.order)
    }
}

json_text!(StreamStatus);
