//! Non-fatal findings: what a decoder reports about a token it can still explain.

use alloc::string::String;

/// How serious an [`Issue`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Verification of this token would fail for this reason.
    Error,
    /// Allowed but legacy, discouraged or suspicious.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding about a token, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// How serious it is.
    pub severity: Severity,
    /// Stable machine-readable code (an [`crate::Error::reason`] for errors, or a
    /// warning code such as `legacy_subject`).
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
    /// JSON-pointer-like location (`/header/alg`, `/claims/events/<uri>/reason`), or empty.
    pub path: String,
}

impl Issue {
    /// A warning at `path`.
    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        Issue {
            severity: Severity::Warning,
            code,
            message: message.into(),
            path: path.into(),
        }
    }

    /// An informational note at `path`.
    pub fn info(code: &'static str, message: impl Into<String>, path: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Info,
            code,
            message: message.into(),
            path: path.into(),
        }
    }

    /// An error-level issue made from an [`crate::Error`].
    pub fn from_error(e: &crate::Error, path: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Error,
            code: e.reason(),
            message: alloc::string::ToString::to_string(e),
            path: path.into(),
        }
    }
}
