//! RFC 9457 problem details (`application/problem+json`), a body for management API errors.
//!
//! SSF 1.0 fixes the status codes of its management API but not the bodies of its error
//! responses; a problem details object is the standard way to explain them.
//!
//! RFC 9457 section 3.1 asks consumers to ignore a member whose value has the wrong type,
//! as if it were absent. So this type never fails on a standard member: a mistyped one is
//! left out of the typed fields and kept in `extra` (and written back unchanged).

use alloc::string::String;

use crate::error::Error;
use crate::json::{Map, Value};

use super::{json_text, uint_value, MemberOrder, Obj, Writer};

/// A problem details object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProblemDetails {
    /// `type`: a URI reference naming the problem type; absent means `about:blank`.
    pub problem_type: Option<String>,
    /// `title`: a short summary of the problem type.
    pub title: Option<String>,
    /// `status`: the HTTP status code (100 to 599).
    pub status: Option<u16>,
    /// `detail`: an explanation of this occurrence.
    pub detail: Option<String>,
    /// `instance`: a URI reference naming this occurrence.
    pub instance: Option<String>,
    /// Extension members, and standard members whose value had the wrong type, in order.
    pub extra: Map,
    order: MemberOrder,
}

const WHAT: &str = "problem details";

impl ProblemDetails {
    /// A problem with `status`, `title` and no other member.
    pub fn new(status: u16, title: impl Into<String>) -> Self {
        ProblemDetails {
            status: Some(status),
            title: Some(title.into()),
            ..ProblemDetails::default()
        }
    }

    /// Sets `detail`.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// `type`, or `about:blank` when absent.
    pub fn effective_type(&self) -> &str {
        self.problem_type.as_deref().unwrap_or("about:blank")
    }

    /// Reads a problem details object; only a non-object fails.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, WHAT)?;
        let text = |name: &str| obj.get(name).and_then(Value::as_str).map(String::from);
        let status = obj
            .get("status")
            .and_then(|v| obj.uint("status", v).ok())
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| (100..=599).contains(n));
        let problem = ProblemDetails {
            problem_type: text("type"),
            title: text("title"),
            status,
            detail: text("detail"),
            instance: text("instance"),
            extra: Map::new(),
            order: obj.order(),
        };
        // Whatever was not taken into a typed field stays an extension member.
        let mut taken: alloc::vec::Vec<&str> = alloc::vec::Vec::new();
        for (name, present) in [
            ("type", problem.problem_type.is_some()),
            ("title", problem.title.is_some()),
            ("status", problem.status.is_some()),
            ("detail", problem.detail.is_some()),
            ("instance", problem.instance.is_some()),
        ] {
            if present {
                taken.push(name);
            }
        }
        Ok(ProblemDetails {
            extra: obj.extra(&taken),
            ..problem
        })
    }

    /// The problem as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .opt("type", self.problem_type.as_deref())
            .opt("title", self.title.as_deref())
            .opt("status", self.status.map(|s| uint_value(u32::from(s))))
            .opt("detail", self.detail.as_deref())
            .opt("instance", self.instance.as_deref())
            .extra(&self.extra)
            .finish(&self.order)
    }
}

json_text!(ProblemDetails);
