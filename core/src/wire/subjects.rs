//! Add and remove subject requests (SSF 1.0 section 8.1.3).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;
use crate::issue::Issue;
use crate::json::{Map, Value};
use crate::subject::SubjectId;

use super::{json_text, nested, MemberOrder, Obj, Writer};

/// Reads member `subject`, with the subject parser's findings re-rooted under `/subject`.
fn read_subject(obj: &Obj<'_>) -> Result<(SubjectId, Vec<Issue>), Error> {
    let (subject, issues) = SubjectId::from_value(obj.required("subject")?)
        .map_err(|e| nested(obj.what(), "subject", e))?;
    let issues = issues
        .into_iter()
        .map(|mut i| {
            i.path = format!("/subject{}", i.path);
            i
        })
        .collect();
    Ok((subject, issues))
}

/// A request to add a subject to a stream: `{"stream_id", "subject", "verified"?}`.
#[derive(Clone, Debug, PartialEq)]
pub struct AddSubjectRequest {
    /// `stream_id` (required).
    pub stream_id: String,
    /// `subject` (required): a simple or complex subject identifier.
    pub subject: SubjectId,
    /// `verified`: whether the receiver verified the subject. Absent: assume verified.
    pub verified: Option<bool>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const ADD: &str = "add-subject request";
const ADD_KNOWN: &[&str] = &["stream_id", "subject", "verified"];

impl AddSubjectRequest {
    /// A request without `verified`.
    pub fn new(stream_id: impl Into<String>, subject: SubjectId) -> Self {
        AddSubjectRequest {
            stream_id: stream_id.into(),
            subject,
            verified: None,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Sets `verified`.
    pub fn with_verified(mut self, verified: bool) -> Self {
        self.verified = Some(verified);
        self
    }

    /// Whether the subject counts as verified (`verified`, default `true` as SSF says).
    pub fn is_verified(&self) -> bool {
        self.verified.unwrap_or(true)
    }

    /// Reads a request; the subject parser's warnings are dropped (see
    /// [`AddSubjectRequest::from_value_with_issues`]).
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        Self::from_value_with_issues(value).map(|(r, _)| r)
    }

    /// Reads a request, also returning the subject parser's findings (paths under
    /// `/subject`).
    pub fn from_value_with_issues(value: &Value) -> Result<(Self, Vec<Issue>), Error> {
        let obj = Obj::new(value, ADD)?;
        let stream_id = obj.req_nonempty("stream_id")?;
        let (subject, issues) = read_subject(&obj)?;
        let request = AddSubjectRequest {
            stream_id,
            subject,
            verified: obj.opt_bool("verified")?,
            extra: obj.extra(ADD_KNOWN),
            order: obj.order(),
        };
        Ok((request, issues))
    }

    /// The request as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("stream_id", self.stream_id.as_str())
            .put("subject", self.subject.to_value())
            .opt("verified", self.verified)
            .extra(&self.extra)
            .finish(&self.order)
    }
}

json_text!(AddSubjectRequest);

/// A request to remove a subject from a stream: `{"stream_id", "subject"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoveSubjectRequest {
    /// `stream_id` (required).
    pub stream_id: String,
    /// `subject` (required).
    pub subject: SubjectId,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const REMOVE: &str = "remove-subject request";
const REMOVE_KNOWN: &[&str] = &["stream_id", "subject"];

impl RemoveSubjectRequest {
    /// A request.
    pub fn new(stream_id: impl Into<String>, subject: SubjectId) -> Self {
        RemoveSubjectRequest {
            stream_id: stream_id.into(),
            subject,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Reads a request; the subject parser's warnings are dropped (see
    /// [`RemoveSubjectRequest::from_value_with_issues`]).
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        Self::from_value_with_issues(value).map(|(r, _)| r)
    }

    /// Reads a request, also returning the subject parser's findings (paths under
    /// `/subject`).
    pub fn from_value_with_issues(value: &Value) -> Result<(Self, Vec<Issue>), Error> {
        let obj = Obj::new(value, REMOVE)?;
        let stream_id = obj.req_nonempty("stream_id")?;
        let (subject, issues) = read_subject(&obj)?;
        let request = RemoveSubjectRequest {
            stream_id,
            subject,
            extra: obj.extra(REMOVE_KNOWN),
            order: obj.order(),
        };
        Ok((request, issues))
    }

    /// The request as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("stream_id", self.stream_id.as_str())
            .put("subject", self.subject.to_value())
            .extra(&self.extra)
            .finish(&self.order)
    }
}

json_text!(RemoveSubjectRequest);
