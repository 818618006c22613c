//! The verification request (SSF 1.0 section 8.1.4.2): `{"stream_id", "state"?}`.

use alloc::string::String;

use crate::error::Error;
use crate::json::{Map, Value};

use super::{json_text, MemberOrder, Obj, Writer};

/// A request for a verification event on a stream.
#[derive(Clone, Debug, PartialEq)]
pub struct VerificationRequest {
    /// `stream_id` (required).
    pub stream_id: String,
    /// `state`: an opaque value the transmitter echoes in the verification event.
    pub state: Option<String>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const WHAT: &str = "verification request";
const KNOWN: &[&str] = &["stream_id", "state"];

impl VerificationRequest {
    /// A request without `state`.
    pub fn new(stream_id: impl Into<String>) -> Self {
        VerificationRequest {
            stream_id: stream_id.into(),
            state: None,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Sets `state`.
    pub fn with_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Reads a verification request: `stream_id` non-empty, `state` a string when present.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, WHAT)?;
        Ok(VerificationRequest {
            stream_id: obj.req_nonempty("stream_id")?,
            state: obj.opt_string("state")?,
            extra: obj.extra(KNOWN),
            order: obj.order(),
        })
    }

    /// The request as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("stream_id", self.stream_id.as_str())
            .opt("state", self.state.as_deref())
            .extra(&self.extra)
            .finish(&self.order)
    }
}

json_text!(VerificationRequest);
