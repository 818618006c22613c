//! The RFC 8935 error response body: `{"err": ..., "description": ...}`.
//!
//! A push receiver answers `400` with this body when a SET fails parsing or validation
//! (RFC 8935 section 2.3); the same object is the value of each poll `setErrs` entry
//! (RFC 8936 section 2.4).

use alloc::string::{String, ToString};

use crate::error::{ErrCode, Error};
use crate::json::{Map, Value};

use super::{json_text, MemberOrder, Obj, Writer};

/// The value of an `err` member: a registered code, or any other name a peer sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrValue {
    /// A code of the RFC 8935 registry (or SSF's `invalid_state`).
    Known(ErrCode),
    /// An unregistered code, kept as written (never empty when decoded).
    Other(String),
}

impl ErrValue {
    /// Classifies a name: registered codes become [`ErrValue::Known`] (case-sensitively).
    pub fn from_name(name: &str) -> Self {
        match ErrCode::from_name(name) {
            Some(code) => ErrValue::Known(code),
            None => ErrValue::Other(name.to_string()),
        }
    }

    /// The name as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ErrValue::Known(code) => code.as_str(),
            ErrValue::Other(name) => name,
        }
    }

    /// The registered code, if it is one.
    pub fn code(&self) -> Option<ErrCode> {
        match self {
            ErrValue::Known(code) => Some(*code),
            ErrValue::Other(_) => None,
        }
    }
}

impl From<ErrCode> for ErrValue {
    fn from(code: ErrCode) -> Self {
        ErrValue::Known(code)
    }
}

/// An RFC 8935 error body (also an RFC 8936 `setErrs` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct PushError {
    /// `err` (required, non-empty).
    pub err: ErrValue,
    /// `description` (required): human-readable text; its language is the response's
    /// `Content-Language`.
    pub description: String,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const WHAT: &str = "push error";
const KNOWN: &[&str] = &["err", "description"];

impl PushError {
    /// An error body with a registered code.
    pub fn new(err: ErrCode, description: impl Into<String>) -> Self {
        PushError {
            err: ErrValue::Known(err),
            description: description.into(),
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// The body a receiver answers with for `error`: its [`Error::code`] and its message.
    pub fn from_error(error: &Error) -> Self {
        PushError::new(error.code(), error.to_string())
    }

    /// The registered code, if `err` is one.
    pub fn code(&self) -> Option<ErrCode> {
        self.err.code()
    }

    /// Reads an error body.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, WHAT)?;
        let err = ErrValue::from_name(&obj.req_nonempty("err")?);
        let description = obj.string("description", obj.required("description")?)?;
        Ok(PushError {
            err,
            description,
            extra: obj.extra(KNOWN),
            order: obj.order(),
        })
    }

    /// The error body as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("err", self.err.as_str())
            .put("description", self.description.as_str())
            .extra(&self.extra)
            .finish(&self.order)
    }
}

json_text!(PushError);
