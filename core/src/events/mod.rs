//! Security events: the SSF 1.0, CAEP 1.0 and RISC 1.0 event types, typed.
//!
//! [`catalog`] lists every event type with its claims; [`lookup`] finds one by URI, legacy
//! aliases included. [`Event::parse`] checks an event payload against its catalogue entry
//! and reads it into a typed [`Event`]; event types not in the catalogue become
//! [`Event::Unknown`] and are kept as they are. Every typed event keeps the payload it was
//! read from, so [`Event::to_value`] gives back the same members in the same order,
//! unknown ones included.
//!
//! # Errors and issues
//!
//! A payload that is not an object, lacks a required claim, has a claim of the wrong JSON
//! type, an empty required string or language map, or a value outside a closed set (such
//! as `change_type` `"destroy"` or `current_level` `"low"`: values are case-sensitive) is an
//! [`Error::InvalidEvent`]. Everything else that is worth knowing is an [`Issue`], with a
//! path relative to the event payload (a SET decoder prefixes `/claims/events/<uri>`):
//!
//! | code | severity | meaning |
//! |---|---|---|
//! | `legacy_event_uri` | warning | a legacy alias URI was used (`http` scheme, SSE or RISC verification) |
//! | `deprecated_event_type` | warning | the event type is deprecated (RISC sessions-revoked) |
//! | `legacy_event_subject` | warning | the payload carries the pre-SSF in-event `subject` |
//! | `unknown_openid_event_type` | warning | an unknown event type under the OpenID namespace |
//! | `unknown_event_type` | info | an event type outside the catalogue, kept as-is |
//! | `legacy_event_type` | info | a pre-1.0 event type deployed transmitters send (OAuth token-revoked / tokens-revoked), kept as-is |
//! | `unparsed_event_subject` | info | an unknown event's `subject` is not a subject identifier |
//! | `unknown_event_member` | info | a member the event type does not define (SSF: ignore it) |
//! | `null_claim` | warning | an optional claim is `null`; read as absent |
//! | `value_case_mismatch` | warning | an open-set value differs from a listed one only in case |
//! | `unlisted_value` | info | an open-set value the specification does not list |
//! | `invalid_language_tag` | warning | a language map key is not a BCP 47 tag |
//! | `interop_reason_admin` | info | session-revoked / credential-change without a non-empty `reason_admin` (CAEP interoperability profile) |
//! | `recommended_claim_missing` | info | `risk_reason`, or `change_direction` next to `previous_level` |
//!
//! plus the subject issue codes of [`crate::subject`] under `/subject`. Checks that need
//! the SET's subject are in [`Event::check_subject`].

mod caep;
mod catalog;
mod risc;
mod ssf;
pub mod uri;
mod validate;
mod values;

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

pub use caep::{
    AssuranceLevelChange, CaepCommon, CredentialChange, DeviceComplianceChange, RiskLevelChange,
    SessionEstablished, SessionPresented, SessionRevoked, TokenClaimsChange,
};
pub use catalog::{
    catalog, is_openid_namespace, lookup, resolve, EventType, FieldKind, FieldSpec, Profile,
    Resolved,
};
pub use risc::{AccountDisabled, CredentialCompromise, IdentifierChanged, NoClaims};
pub use ssf::{StreamUpdated, Verification};
pub use values::{
    is_language_tag, AssuranceNamespace, ChangeDirection, ChangeType, ComplianceStatus,
    CredentialType, DisableReason, InitiatingEntity, LangMap, Principal, RiskLevel, StreamStatus,
};

use crate::error::Error;
use crate::issue::Issue;
use crate::json::{Map, Value};
use crate::subject::{Format, SubjectId};
use validate::{check_payload, invalid};

/// What every typed event keeps besides its typed claims.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Meta {
    /// The payload as read (empty for a built event): member order and unknown members.
    pub(crate) payload: Map,
    /// The URI as received, when it was a legacy alias.
    pub(crate) received_uri: Option<String>,
}

/// A typed event: its kept payload, and how to write its typed claims back into it.
pub(crate) trait Typed {
    fn meta(&self) -> &Meta;
    fn write(&self, payload: &mut Map);
}

/// One event of a SET: a typed value for each catalogued event type, or `Unknown`.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// SSF verification.
    Verification(Verification),
    /// SSF stream-updated.
    StreamUpdated(StreamUpdated),
    /// CAEP session-revoked.
    SessionRevoked(SessionRevoked),
    /// CAEP token-claims-change.
    TokenClaimsChange(TokenClaimsChange),
    /// CAEP credential-change.
    CredentialChange(CredentialChange),
    /// CAEP assurance-level-change.
    AssuranceLevelChange(AssuranceLevelChange),
    /// CAEP device-compliance-change.
    DeviceComplianceChange(DeviceComplianceChange),
    /// CAEP session-established.
    SessionEstablished(SessionEstablished),
    /// CAEP session-presented.
    SessionPresented(SessionPresented),
    /// CAEP risk-level-change.
    RiskLevelChange(RiskLevelChange),
    /// RISC account-credential-change-required.
    AccountCredentialChangeRequired(NoClaims),
    /// RISC account-purged.
    AccountPurged(NoClaims),
    /// RISC account-disabled.
    AccountDisabled(AccountDisabled),
    /// RISC account-enabled.
    AccountEnabled(NoClaims),
    /// RISC identifier-changed.
    IdentifierChanged(IdentifierChanged),
    /// RISC identifier-recycled.
    IdentifierRecycled(NoClaims),
    /// RISC credential-compromise.
    CredentialCompromise(CredentialCompromise),
    /// RISC opt-in.
    OptIn(NoClaims),
    /// RISC opt-out-initiated.
    OptOutInitiated(NoClaims),
    /// RISC opt-out-cancelled.
    OptOutCancelled(NoClaims),
    /// RISC opt-out-effective.
    OptOutEffective(NoClaims),
    /// RISC recovery-activated.
    RecoveryActivated(NoClaims),
    /// RISC recovery-information-changed.
    RecoveryInformationChanged(NoClaims),
    /// RISC sessions-revoked (deprecated).
    SessionsRevoked(NoClaims),
    /// An event type outside the catalogue, kept as received.
    Unknown {
        /// The event type URI.
        uri: String,
        /// The payload.
        payload: Map,
    },
}

impl Event {
    /// Reads the payload of the event `uri` (one member of a SET's `events`).
    ///
    /// Fails with [`Error::InvalidEvent`] when `uri` is not an absolute URI or the payload
    /// breaks the event type's definition (see the module documentation); an unknown but
    /// well-formed `uri` is never an error.
    pub fn parse(uri: &str, payload: &Value) -> Result<(Event, Vec<Issue>), Error> {
        if !uri::is_absolute_uri(uri) {
            return Err(invalid(
                uri,
                "the event type is not an absolute URI: RFC 8417 section 2.2 makes every \
                 member name of events a URI"
                    .into(),
            ));
        }
        let Some(map) = payload.as_object() else {
            return Err(invalid(
                uri,
                format!(
                    "the event payload must be a JSON object, not {}",
                    payload.type_name()
                ),
            ));
        };
        let mut issues = Vec::new();
        let Some(resolved) = resolve(uri) else {
            unknown_event_issues(uri, map, &mut issues);
            let event = Event::Unknown {
                uri: uri.to_owned(),
                payload: map.clone(),
            };
            return Ok((event, issues));
        };
        let event_type = resolved.event_type;
        if resolved.via_alias {
            issues.push(Issue::warning(
                "legacy_event_uri",
                format!("{uri} is a legacy alias of {}", event_type.uri),
                "",
            ));
        }
        if event_type.deprecated {
            issues.push(Issue::warning(
                "deprecated_event_type",
                format!(
                    "{} is deprecated: {}",
                    event_type.name, event_type.description
                ),
                "",
            ));
        }
        check_payload(uri, event_type, map, &mut issues)?;
        if let Some(subject) = map.get("subject") {
            match SubjectId::from_legacy_value(subject) {
                Ok((_, found)) => {
                    issues.push(legacy_subject_issue());
                    issues.extend(found.into_iter().map(under_subject));
                }
                Err(e) => {
                    return Err(invalid(
                        uri,
                        format!(
                            "the legacy subject member is invalid: {}",
                            subject_detail(e)
                        ),
                    ))
                }
            }
        }
        let meta = Meta {
            payload: map.clone(),
            received_uri: resolved.via_alias.then(|| uri.to_owned()),
        };
        let event = typed_event(uri, event_type.uri, map, meta)?;
        event.advisories(&mut issues);
        Ok((event, issues))
    }

    /// Builds an event from its URI and payload, checked like [`Event::parse`] (the issues
    /// are dropped; call `parse` to see them).
    pub fn from_parts(uri: &str, payload: Map) -> Result<Event, Error> {
        Event::parse(uri, &Value::Object(payload)).map(|(event, _)| event)
    }

    /// An SSF verification event echoing `state`.
    pub fn verification(state: Option<String>) -> Event {
        Event::Verification(Verification::new(state))
    }

    /// An SSF stream-updated event.
    pub fn stream_updated(status: StreamStatus, reason: Option<String>) -> Event {
        Event::StreamUpdated(StreamUpdated::new(status, reason))
    }

    /// The event type URI: as received (a legacy alias stays as it was), or the
    /// catalogue URI for a built event.
    pub fn uri(&self) -> &str {
        if let Event::Unknown { uri, .. } = self {
            return uri;
        }
        self.typed()
            .and_then(|t| t.meta().received_uri.as_deref())
            .or(self.type_uri())
            .unwrap_or("")
    }

    /// The catalogue URI of the event's type (`None` for `Unknown`).
    pub fn type_uri(&self) -> Option<&'static str> {
        Some(match self {
            Event::Verification(_) => uri::VERIFICATION,
            Event::StreamUpdated(_) => uri::STREAM_UPDATED,
            Event::SessionRevoked(_) => uri::SESSION_REVOKED,
            Event::TokenClaimsChange(_) => uri::TOKEN_CLAIMS_CHANGE,
            Event::CredentialChange(_) => uri::CREDENTIAL_CHANGE,
            Event::AssuranceLevelChange(_) => uri::ASSURANCE_LEVEL_CHANGE,
            Event::DeviceComplianceChange(_) => uri::DEVICE_COMPLIANCE_CHANGE,
            Event::SessionEstablished(_) => uri::SESSION_ESTABLISHED,
            Event::SessionPresented(_) => uri::SESSION_PRESENTED,
            Event::RiskLevelChange(_) => uri::RISK_LEVEL_CHANGE,
            Event::AccountCredentialChangeRequired(_) => uri::ACCOUNT_CREDENTIAL_CHANGE_REQUIRED,
            Event::AccountPurged(_) => uri::ACCOUNT_PURGED,
            Event::AccountDisabled(_) => uri::ACCOUNT_DISABLED,
            Event::AccountEnabled(_) => uri::ACCOUNT_ENABLED,
            Event::IdentifierChanged(_) => uri::IDENTIFIER_CHANGED,
            Event::IdentifierRecycled(_) => uri::IDENTIFIER_RECYCLED,
            Event::CredentialCompromise(_) => uri::CREDENTIAL_COMPROMISE,
            Event::OptIn(_) => uri::OPT_IN,
            Event::OptOutInitiated(_) => uri::OPT_OUT_INITIATED,
            Event::OptOutCancelled(_) => uri::OPT_OUT_CANCELLED,
            Event::OptOutEffective(_) => uri::OPT_OUT_EFFECTIVE,
            Event::RecoveryActivated(_) => uri::RECOVERY_ACTIVATED,
            Event::RecoveryInformationChanged(_) => uri::RECOVERY_INFORMATION_CHANGED,
            Event::SessionsRevoked(_) => uri::SESSIONS_REVOKED,
            Event::Unknown { .. } => return None,
        })
    }

    /// The catalogue entry of the event's type (`None` for `Unknown`).
    pub fn event_type(&self) -> Option<&'static EventType> {
        self.type_uri().and_then(lookup)
    }

    /// Whether the event was received under a legacy alias URI.
    pub fn used_alias(&self) -> bool {
        self.typed()
            .is_some_and(|t| t.meta().received_uri.is_some())
    }

    /// The event payload as JSON: the payload as read, with the typed claims written back
    /// in place (so an unchanged parsed event gives back exactly what was read), or, for a
    /// built event, the typed claims in specification order.
    pub fn to_value(&self) -> Value {
        match self.typed() {
            Some(t) => {
                let mut payload = t.meta().payload.clone();
                t.write(&mut payload);
                Value::Object(payload)
            }
            None => Value::Object(self.received_payload().clone()),
        }
    }

    /// The pre-SSF in-event `subject` member, when it holds a valid subject identifier.
    pub fn legacy_subject(&self) -> Option<SubjectId> {
        let value = self.received_payload().get("subject")?;
        SubjectId::from_legacy_value(value)
            .ok()
            .map(|(subject, _)| subject)
    }

    /// Checks that need the SET's subject `sub` (its `sub_id`; when `None`, the legacy
    /// in-event subject is used):
    /// - `identifier_subject_format` (warning): RISC identifier-changed and
    ///   identifier-recycled are about an `email` or `phone_number` subject;
    /// - `stream_subject_format` (warning): SSF verification and stream-updated are about
    ///   the stream, `{"format": "opaque", "id": <stream_id>}`;
    /// - `legacy_subject_mismatch` (warning): `sub` and the in-event subject do not match.
    ///
    /// Paths are empty: the issues are about the SET's subject as a whole.
    pub fn check_subject(&self, sub: Option<&SubjectId>) -> Vec<Issue> {
        let mut issues = Vec::new();
        let legacy = self.legacy_subject();
        if let (Some(sub), Some(legacy)) = (sub, legacy.as_ref()) {
            if !sub.matches(legacy) {
                issues.push(Issue::warning(
                    "legacy_subject_mismatch",
                    format!(
                        "sub_id ({}) and the in-event subject ({}) do not name the same subject",
                        sub.describe(),
                        legacy.describe()
                    ),
                    "",
                ));
            }
        }
        let Some(subject) = sub.or(legacy.as_ref()) else {
            return issues;
        };
        let format = subject.known_format();
        match self {
            Event::IdentifierChanged(_) | Event::IdentifierRecycled(_)
                if !matches!(format, Some(Format::Email | Format::PhoneNumber)) =>
            {
                issues.push(Issue::warning(
                    "identifier_subject_format",
                    format!(
                        "RISC {} is about an email address or phone number, not {}",
                        self.event_type().map_or("", |t| t.name),
                        subject.format()
                    ),
                    "",
                ));
            }
            Event::Verification(_) | Event::StreamUpdated(_) if format != Some(Format::Opaque) => {
                issues.push(Issue::warning(
                    "stream_subject_format",
                    format!(
                        "SSF {} is about the stream, whose subject is opaque (the stream id), not {}",
                        self.event_type().map_or("", |t| t.name),
                        subject.format()
                    ),
                    "",
                ));
            }
            _ => {}
        }
        issues
    }

    // ---- internals ------------------------------------------------------------------------

    fn typed(&self) -> Option<&dyn Typed> {
        Some(match self {
            Event::Verification(x) => x,
            Event::StreamUpdated(x) => x,
            Event::SessionRevoked(x) => x,
            Event::TokenClaimsChange(x) => x,
            Event::CredentialChange(x) => x,
            Event::AssuranceLevelChange(x) => x,
            Event::DeviceComplianceChange(x) => x,
            Event::SessionEstablished(x) => x,
            Event::SessionPresented(x) => x,
            Event::RiskLevelChange(x) => x,
            Event::AccountDisabled(x) => x,
            Event::IdentifierChanged(x) => x,
            Event::CredentialCompromise(x) => x,
            Event::AccountCredentialChangeRequired(x)
            | Event::AccountPurged(x)
            | Event::AccountEnabled(x)
            | Event::IdentifierRecycled(x)
            | Event::OptIn(x)
            | Event::OptOutInitiated(x)
            | Event::OptOutCancelled(x)
            | Event::OptOutEffective(x)
            | Event::RecoveryActivated(x)
            | Event::RecoveryInformationChanged(x)
            | Event::SessionsRevoked(x) => x,
            Event::Unknown { .. } => return None,
        })
    }

    /// The payload as it was read (for a built event, empty).
    fn received_payload(&self) -> &Map {
        match self {
            Event::Unknown { payload, .. } => payload,
            _ => self.typed().map_or(&EMPTY, |t| &t.meta().payload),
        }
    }

    /// Informational findings about a valid event.
    fn advisories(&self, issues: &mut Vec<Issue>) {
        match self {
            Event::SessionRevoked(SessionRevoked { common, .. })
            | Event::CredentialChange(CredentialChange { common, .. })
                if !common.reason_admin.as_ref().is_some_and(LangMap::has_text) =>
            {
                issues.push(Issue::info(
                    "interop_reason_admin",
                    "the CAEP interoperability profile expects a non-empty reason_admin on this event",
                    "/reason_admin",
                ));
            }
            Event::RiskLevelChange(e) if e.risk_reason.is_none() => {
                issues.push(Issue::info(
                    "recommended_claim_missing",
                    "risk_reason is recommended on risk-level-change",
                    "/risk_reason",
                ));
            }
            Event::AssuranceLevelChange(e)
                if e.previous_level.is_some() && e.change_direction.is_none() =>
            {
                issues.push(Issue::info(
                    "recommended_claim_missing",
                    "change_direction should accompany previous_level",
                    "/change_direction",
                ));
            }
            _ => {}
        }
    }
}

static EMPTY: Map = Map::new();

macro_rules! from_typed {
    ($($ty:ident),+ $(,)?) => {
        $(
            impl From<$ty> for Event {
                fn from(e: $ty) -> Event {
                    Event::$ty(e)
                }
            }
        )+
    };
}

from_typed!(
    Verification,
    StreamUpdated,
    SessionRevoked,
    TokenClaimsChange,
    CredentialChange,
    AssuranceLevelChange,
    DeviceComplianceChange,
    SessionEstablished,
    SessionPresented,
    RiskLevelChange,
    AccountDisabled,
    IdentifierChanged,
    CredentialCompromise,
);

/// Builds the typed value of a checked payload of the catalogued type `type_uri`.
fn typed_event(uri: &str, type_uri: &str, m: &Map, meta: Meta) -> Result<Event, Error> {
    let plain = |meta| NoClaims { meta };
    Ok(match type_uri {
        uri::VERIFICATION => Event::Verification(Verification::from_map(m, meta)),
        uri::STREAM_UPDATED => Event::StreamUpdated(StreamUpdated::from_map(uri, m, meta)?),
        uri::SESSION_REVOKED => Event::SessionRevoked(SessionRevoked::from_map(m, meta)),
        uri::TOKEN_CLAIMS_CHANGE => {
            Event::TokenClaimsChange(TokenClaimsChange::from_map(uri, m, meta)?)
        }
        uri::CREDENTIAL_CHANGE => {
            Event::CredentialChange(CredentialChange::from_map(uri, m, meta)?)
        }
        uri::ASSURANCE_LEVEL_CHANGE => {
            Event::AssuranceLevelChange(AssuranceLevelChange::from_map(uri, m, meta)?)
        }
        uri::DEVICE_COMPLIANCE_CHANGE => {
            Event::DeviceComplianceChange(DeviceComplianceChange::from_map(uri, m, meta)?)
        }
        uri::SESSION_ESTABLISHED => {
            Event::SessionEstablished(SessionEstablished::from_map(m, meta))
        }
        uri::SESSION_PRESENTED => Event::SessionPresented(SessionPresented::from_map(m, meta)),
        uri::RISK_LEVEL_CHANGE => Event::RiskLevelChange(RiskLevelChange::from_map(uri, m, meta)?),
        uri::ACCOUNT_CREDENTIAL_CHANGE_REQUIRED => {
            Event::AccountCredentialChangeRequired(plain(meta))
        }
        uri::ACCOUNT_PURGED => Event::AccountPurged(plain(meta)),
        uri::ACCOUNT_DISABLED => Event::AccountDisabled(AccountDisabled::from_map(m, meta)),
        uri::ACCOUNT_ENABLED => Event::AccountEnabled(plain(meta)),
        uri::IDENTIFIER_CHANGED => Event::IdentifierChanged(IdentifierChanged::from_map(m, meta)),
        uri::IDENTIFIER_RECYCLED => Event::IdentifierRecycled(plain(meta)),
        uri::CREDENTIAL_COMPROMISE => {
            Event::CredentialCompromise(CredentialCompromise::from_map(uri, m, meta)?)
        }
        uri::OPT_IN => Event::OptIn(plain(meta)),
        uri::OPT_OUT_INITIATED => Event::OptOutInitiated(plain(meta)),
        uri::OPT_OUT_CANCELLED => Event::OptOutCancelled(plain(meta)),
        uri::OPT_OUT_EFFECTIVE => Event::OptOutEffective(plain(meta)),
        uri::RECOVERY_ACTIVATED => Event::RecoveryActivated(plain(meta)),
        uri::RECOVERY_INFORMATION_CHANGED => Event::RecoveryInformationChanged(plain(meta)),
        uri::SESSIONS_REVOKED => Event::SessionsRevoked(plain(meta)),
        // Every catalogue entry is listed above; this keeps the payload if one is not.
        _ => Event::Unknown {
            uri: uri.to_owned(),
            payload: meta.payload,
        },
    })
}

fn unknown_event_issues(uri: &str, payload: &Map, issues: &mut Vec<Issue>) {
    if let Some(what) = legacy_event_type(uri) {
        issues.push(Issue::info("legacy_event_type", what, ""));
    } else if is_openid_namespace(uri) {
        issues.push(Issue::warning(
            "unknown_openid_event_type",
            "not an SSF, CAEP or RISC 1.0 event type although under the OpenID namespace: \
             a private extension or a misspelling; kept as-is",
            "",
        ));
    } else {
        issues.push(Issue::info(
            "unknown_event_type",
            "not an SSF, CAEP or RISC 1.0 event type; kept as-is",
            "",
        ));
    }
    // Pre-SSF transmitters put the subject inside the event; read it if it looks like one.
    let Some(subject) = payload.get("subject") else {
        return;
    };
    let looks_like_subject = subject.as_object().is_some_and(|m| {
        m.contains_key("format")
            || m.contains_key("subject_type")
            || m.iter()
                .next()
                .is_some_and(|(_, v)| v.as_object().is_some())
    });
    if !looks_like_subject {
        return;
    }
    match SubjectId::from_legacy_value(subject) {
        Ok((_, found)) => {
            issues.push(legacy_subject_issue());
            issues.extend(found.into_iter().map(under_subject));
        }
        Err(e) => issues.push(Issue::info(
            "unparsed_event_subject",
            format!(
                "the subject member is not a valid subject identifier: {}",
                subject_detail(e)
            ),
            "/subject",
        )),
    }
}

/// The pre-1.0 event types outside the catalogue that deployed transmitters send and this
/// crate recognises (decoded as [`Event::Unknown`], explained by name): Google's OAuth
/// token-revoked and tokens-revoked. A receiver can offer them beside the catalogue.
pub const LEGACY_EVENT_TYPES: &[&str] = &[uri::OAUTH_TOKEN_REVOKED, uri::OAUTH_TOKENS_REVOKED];

/// What a pre-1.0 event type outside the catalogue is, for the ones transmitters deployed
/// today send.
fn legacy_event_type(uri: &str) -> Option<&'static str> {
    Some(match uri {
        uri::OAUTH_TOKEN_REVOKED => {
            "OAuth token-revoked (pre-1.0 OAuth event types draft, sent by Google's \
             Cross-Account Protection): the token named in subject was revoked; kept as-is"
        }
        uri::OAUTH_TOKENS_REVOKED => {
            "OAuth tokens-revoked (pre-1.0 OAuth event types draft, sent by Google's \
             Cross-Account Protection): every token of the subject was revoked; kept as-is"
        }
        _ => return None,
    })
}

fn legacy_subject_issue() -> Issue {
    Issue::warning(
        "legacy_event_subject",
        "the subject is inside the event (pre-SSF style); SSF 1.0 puts it in the top-level sub_id",
        "/subject",
    )
}

fn under_subject(mut issue: Issue) -> Issue {
    issue.path = format!("/subject{}", issue.path);
    issue
}

fn subject_detail(e: Error) -> String {
    match e {
        Error::InvalidSubject(detail) => detail,
        other => other.to_string(),
    }
}
