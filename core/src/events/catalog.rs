//! The static catalogue of event types: every SSF 1.0, CAEP 1.0 and RISC 1.0 event with
//! its claims and their allowed values. Decoding validates payloads against it, and tools
//! and user interfaces can list it.

use super::uri;
use super::values::{
    AssuranceNamespace, ChangeDirection, ChangeType, ComplianceStatus, CredentialType,
    DisableReason, InitiatingEntity, Principal, RiskLevel, StreamStatus,
};

/// The specification that defines an event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// OpenID Shared Signals Framework 1.0.
    Ssf,
    /// OpenID Continuous Access Evaluation Profile 1.0.
    Caep,
    /// OpenID Risk Incident Sharing and Coordination 1.0.
    Risc,
}

impl Profile {
    /// `ssf`, `caep` or `risc`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Ssf => "ssf",
            Profile::Caep => "caep",
            Profile::Risc => "risc",
        }
    }

    /// The specification's short title: `SSF 1.0`, `CAEP 1.0` or `RISC 1.0`.
    pub const fn title(self) -> &'static str {
        match self {
            Profile::Ssf => "SSF 1.0",
            Profile::Caep => "CAEP 1.0",
            Profile::Risc => "RISC 1.0",
        }
    }
}

/// The JSON shape and allowed values of an event claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A string.
    String,
    /// A JSON number; here always a NumericDate (seconds since the Unix epoch, UTC).
    Number,
    /// `true` or `false`.
    Bool,
    /// An object of BCP 47 language tag to text, with at least one entry.
    LangMap,
    /// An array of strings.
    StringArray,
    /// Any JSON object.
    Object,
    /// A string that must be one of these values (case-sensitive).
    Enum(&'static [&'static str]),
    /// A non-empty string, usually one of these values; others are allowed when both
    /// parties agree on them.
    OpenEnum(&'static [&'static str]),
}

impl FieldKind {
    /// A short name: `string`, `number`, `boolean`, `lang-map`, `string-array`, `object`,
    /// `enum` or `open-enum`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldKind::String => "string",
            FieldKind::Number => "number",
            FieldKind::Bool => "boolean",
            FieldKind::LangMap => "lang-map",
            FieldKind::StringArray => "string-array",
            FieldKind::Object => "object",
            FieldKind::Enum(_) => "enum",
            FieldKind::OpenEnum(_) => "open-enum",
        }
    }

    /// The allowed (`Enum`) or suggested (`OpenEnum`) values; empty for other kinds.
    pub const fn values(self) -> &'static [&'static str] {
        match self {
            FieldKind::Enum(v) | FieldKind::OpenEnum(v) => v,
            _ => &[],
        }
    }
}

/// One claim of an event payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The member name.
    pub name: &'static str,
    /// Whether the event is invalid without it.
    pub required: bool,
    /// Its JSON shape and values.
    pub kind: FieldKind,
    /// What it means.
    pub description: &'static str,
}

impl FieldSpec {
    /// The allowed or suggested values (see [`FieldKind::values`]).
    pub const fn values(&self) -> &'static [&'static str] {
        self.kind.values()
    }
}

/// One event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventType {
    /// The event type URI (the member name inside `events`).
    pub uri: &'static str,
    /// The specification that defines it.
    pub profile: Profile,
    /// The last URI segment, such as `session-revoked`.
    pub name: &'static str,
    /// A title, such as `Session Revoked`.
    pub title: &'static str,
    /// What the event means.
    pub description: &'static str,
    /// Its claims, in specification order.
    pub fields: &'static [FieldSpec],
    /// Whether the specification deprecates it.
    pub deprecated: bool,
}

impl EventType {
    /// The claim named `name`.
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The claims the event cannot be without.
    pub fn required_fields(&self) -> impl Iterator<Item = &'static FieldSpec> {
        self.fields.iter().filter(|f| f.required)
    }
}

/// The result of [`resolve`]: the event type, and whether the URI was a legacy alias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The event type.
    pub event_type: &'static EventType,
    /// Whether the URI was a legacy alias rather than the type's URI.
    pub via_alias: bool,
}

/// Every event type: 2 SSF, 8 CAEP and 14 RISC, in that order.
pub fn catalog() -> &'static [EventType] {
    &CATALOG
}

/// The event type with this URI or one of its legacy aliases.
pub fn lookup(uri: &str) -> Option<&'static EventType> {
    resolve(uri).map(|r| r.event_type)
}

/// Like [`lookup`], also saying whether `uri` was a legacy alias. The aliases are:
/// - the same URI with the `http` scheme (RFC 8417 and early RISC examples use it);
/// - `.../secevent/sse/event-type/verification` and `.../stream-updated` from the Shared
///   Signals and Events drafts that preceded SSF, with either scheme;
/// - `.../secevent/risc/event-type/verification`, which deployed RISC transmitters send.
pub fn resolve(uri: &str) -> Option<Resolved> {
    let exact = |u: &str| CATALOG.iter().find(|e| e.uri == u);
    if let Some(event_type) = exact(uri) {
        return Some(Resolved {
            event_type,
            via_alias: false,
        });
    }
    let rest = uri
        .strip_prefix(OPENID_HTTPS)
        .or_else(|| uri.strip_prefix(OPENID_HTTP))?;
    let by_rest = |r: &str| {
        CATALOG
            .iter()
            .find(|e| e.uri.strip_prefix(OPENID_HTTPS) == Some(r))
    };
    let event_type = by_rest(rest).or_else(|| match rest.split_once("/event-type/")? {
        ("sse", name @ ("verification" | "stream-updated")) | ("risc", name @ "verification") => {
            CATALOG
                .iter()
                .find(|e| e.profile == Profile::Ssf && e.name == name)
        }
        _ => None,
    })?;
    Some(Resolved {
        event_type,
        via_alias: true,
    })
}

/// Whether `uri` lies under the OpenID Shared Signals namespace (either scheme), where an
/// unknown event type is more likely a typo or a private extension than a foreign event.
pub fn is_openid_namespace(uri: &str) -> bool {
    uri.starts_with(OPENID_HTTPS) || uri.starts_with(OPENID_HTTP)
}

const OPENID_HTTPS: &str = "https://schemas.openid.net/secevent/";
const OPENID_HTTP: &str = "http://schemas.openid.net/secevent/";

// ---- claims shared by several event types ---------------------------------------------------

const EVENT_TIMESTAMP: FieldSpec = FieldSpec {
    name: "event_timestamp",
    required: false,
    kind: FieldKind::Number,
    description: "When the change described by the event took place, in seconds since \
                  1970-01-01T00:00:00Z; each event type says which moment that is.",
};
const INITIATING_ENTITY: FieldSpec = FieldSpec {
    name: "initiating_entity",
    required: false,
    kind: FieldKind::Enum(InitiatingEntity::NAMES),
    description: "Who or what set the change in motion: an administrator, the user, a \
                  policy, or the system on its own.",
};
const REASON_ADMIN: FieldSpec = FieldSpec {
    name: "reason_admin",
    required: false,
    kind: FieldKind::LangMap,
    description: "An explanation for administrators and audit logs, keyed by BCP 47 \
                  language tag.",
};
const REASON_USER: FieldSpec = FieldSpec {
    name: "reason_user",
    required: false,
    kind: FieldKind::LangMap,
    description: "An explanation that may be shown to the end user, keyed by BCP 47 \
                  language tag.",
};
const CREDENTIAL_TYPE: FieldSpec = FieldSpec {
    name: "credential_type",
    required: true,
    kind: FieldKind::OpenEnum(CredentialType::NAMES),
    description: "The kind of credential concerned; a value outside the list may be used \
                  when transmitter and receiver have agreed on it.",
};
const FP_UA: FieldSpec = FieldSpec {
    name: "fp_ua",
    required: false,
    kind: FieldKind::String,
    description: "A fingerprint of the user agent, computed by the transmitter; it \
                  characterises the session without identifying it.",
};
const EXT_ID: FieldSpec = FieldSpec {
    name: "ext_id",
    required: false,
    kind: FieldKind::String,
    description: "The identifier of a wider session this one belongs to, such as a \
                  federated SAML session.",
};

// ---- the catalogue --------------------------------------------------------------------------

static CATALOG: [EventType; 24] = [
    // SSF 1.0
    EventType {
        uri: uri::VERIFICATION,
        profile: Profile::Ssf,
        name: "verification",
        title: "Verification",
        description: "Proves that a stream delivers events end to end. When the receiver \
                      asked for it, the event echoes the state value the receiver supplied.",
        fields: &[FieldSpec {
            name: "state",
            required: false,
            kind: FieldKind::String,
            description: "The value from the receiver's verification request, returned \
                          unchanged; absent when the transmitter verifies on its own.",
        }],
        deprecated: false,
    },
    EventType {
        uri: uri::STREAM_UPDATED,
        profile: Profile::Ssf,
        name: "stream-updated",
        title: "Stream Updated",
        description: "The stream's status changed (enabled, paused or disabled): on the \
                      transmitter's own initiative or at the receiver's request; `reason`, \
                      when sent, says which and why.",
        fields: &[
            FieldSpec {
                name: "status",
                required: true,
                kind: FieldKind::Enum(StreamStatus::NAMES),
                description: "The stream's status after the change.",
            },
            FieldSpec {
                name: "reason",
                required: false,
                kind: FieldKind::String,
                description: "Who changed the status and why, for people.",
            },
        ],
        deprecated: false,
    },
    // CAEP 1.0
    EventType {
        uri: uri::SESSION_REVOKED,
        profile: Profile::Caep,
        name: "session-revoked",
        title: "Session Revoked",
        description: "The transmitter ended the session (or every session matching the \
                      subject); the receiver should end the sessions that depend on it.",
        fields: &[
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::TOKEN_CLAIMS_CHANGE,
        profile: Profile::Caep,
        name: "token-claims-change",
        title: "Token Claims Change",
        description: "Claims in a token the subject names (an ID token, a SAML assertion) \
                      now have new values, given in claims.",
        fields: &[
            FieldSpec {
                name: "claims",
                required: true,
                kind: FieldKind::Object,
                description: "The claims that changed, each with its new value of any \
                              JSON type; at least one.",
            },
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::CREDENTIAL_CHANGE,
        profile: Profile::Caep,
        name: "credential-change",
        title: "Credential Change",
        description: "A credential of the subject was created, updated, revoked or \
                      deleted, such as a password reset or an authenticator enrolment.",
        fields: &[
            CREDENTIAL_TYPE,
            FieldSpec {
                name: "change_type",
                required: true,
                kind: FieldKind::Enum(ChangeType::NAMES),
                description: "What happened to the credential.",
            },
            FieldSpec {
                name: "friendly_name",
                required: false,
                kind: FieldKind::String,
                description: "A name for the credential that its owner would recognise.",
            },
            FieldSpec {
                name: "x509_issuer",
                required: false,
                kind: FieldKind::String,
                description: "The issuer of the X.509 certificate (RFC 5280).",
            },
            FieldSpec {
                name: "x509_serial",
                required: false,
                kind: FieldKind::String,
                description: "The serial number of the X.509 certificate (RFC 5280).",
            },
            FieldSpec {
                name: "fido2_aaguid",
                required: false,
                kind: FieldKind::String,
                description: "The AAGUID naming the FIDO2 authenticator model.",
            },
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::ASSURANCE_LEVEL_CHANGE,
        profile: Profile::Caep,
        name: "assurance-level-change",
        title: "Assurance Level Change",
        description: "The strength of the subject's authentication went up or down since \
                      the original sign-in.",
        fields: &[
            FieldSpec {
                name: "namespace",
                required: true,
                kind: FieldKind::OpenEnum(AssuranceNamespace::NAMES),
                description: "The scheme the levels belong to, or a name both parties \
                              agreed on.",
            },
            FieldSpec {
                name: "current_level",
                required: true,
                kind: FieldKind::String,
                description: "The level now in effect, as a value of the namespace.",
            },
            FieldSpec {
                name: "previous_level",
                required: false,
                kind: FieldKind::String,
                description: "The level before the change; absent when the transmitter \
                              does not know it.",
            },
            FieldSpec {
                name: "change_direction",
                required: false,
                kind: FieldKind::Enum(ChangeDirection::NAMES),
                description: "Whether assurance went up or down; expected whenever \
                              previous_level is given.",
            },
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::DEVICE_COMPLIANCE_CHANGE,
        profile: Profile::Caep,
        name: "device-compliance-change",
        title: "Device Compliance Change",
        description: "A device started or stopped meeting the organisation's compliance \
                      policy.",
        fields: &[
            FieldSpec {
                name: "previous_status",
                required: true,
                kind: FieldKind::Enum(ComplianceStatus::NAMES),
                description: "The device's compliance before the change.",
            },
            FieldSpec {
                name: "current_status",
                required: true,
                kind: FieldKind::Enum(ComplianceStatus::NAMES),
                description: "The device's compliance now.",
            },
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::SESSION_ESTABLISHED,
        profile: Profile::Caep,
        name: "session-established",
        title: "Session Established",
        description: "The transmitter started a new session for the subject, so the \
                      receiver can tie it to a federated login or notice unexpected ones.",
        fields: &[
            FP_UA,
            FieldSpec {
                name: "acr",
                required: false,
                kind: FieldKind::String,
                description: "The authentication context class reference reached, as in \
                              an OpenID Connect ID token.",
            },
            FieldSpec {
                name: "amr",
                required: false,
                kind: FieldKind::StringArray,
                description: "The authentication methods used, as in an OpenID Connect ID \
                              token.",
            },
            EXT_ID,
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::SESSION_PRESENTED,
        profile: Profile::Caep,
        name: "session-presented",
        title: "Session Presented",
        description: "The transmitter saw the subject's session in use at the time given.",
        fields: &[
            FP_UA,
            EXT_ID,
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::RISK_LEVEL_CHANGE,
        profile: Profile::Caep,
        name: "risk-level-change",
        title: "Risk Level Change",
        description: "The transmitter's estimate of how much risk the subject carries has \
                      changed.",
        fields: &[
            FieldSpec {
                name: "risk_reason",
                required: false,
                kind: FieldKind::String,
                description: "Why the risk changed, such as a password seen in a breach \
                              (recommended).",
            },
            FieldSpec {
                name: "principal",
                required: true,
                kind: FieldKind::OpenEnum(Principal::NAMES),
                description: "The kind of entity the risk level is about.",
            },
            FieldSpec {
                name: "current_level",
                required: true,
                kind: FieldKind::Enum(RiskLevel::NAMES),
                description: "The risk level now.",
            },
            FieldSpec {
                name: "previous_level",
                required: false,
                kind: FieldKind::Enum(RiskLevel::NAMES),
                description: "The risk level before; absent when the transmitter does not \
                              know it.",
            },
            EVENT_TIMESTAMP,
            INITIATING_ENTITY,
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    // RISC 1.0
    EventType {
        uri: uri::ACCOUNT_CREDENTIAL_CHANGE_REQUIRED,
        profile: Profile::Risc,
        name: "account-credential-change-required",
        title: "Account Credential Change Required",
        description: "The account has been made to change a credential, for example by a \
                      forced password reset.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::ACCOUNT_PURGED,
        profile: Profile::Risc,
        name: "account-purged",
        title: "Account Purged",
        description: "The account was deleted for good.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::ACCOUNT_DISABLED,
        profile: Profile::Risc,
        name: "account-disabled",
        title: "Account Disabled",
        description: "The account was disabled; it may be enabled again later.",
        fields: &[FieldSpec {
            name: "reason",
            required: false,
            kind: FieldKind::Enum(DisableReason::NAMES),
            description: "Why: the account was taken over by someone else, or it belongs \
                          to a batch of accounts created or run in bulk.",
        }],
        deprecated: false,
    },
    EventType {
        uri: uri::ACCOUNT_ENABLED,
        profile: Profile::Risc,
        name: "account-enabled",
        title: "Account Enabled",
        description: "A disabled account was enabled again.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::IDENTIFIER_CHANGED,
        profile: Profile::Risc,
        name: "identifier-changed",
        title: "Identifier Changed",
        description: "The email address or phone number in the subject (the old value) \
                      was replaced by a new one.",
        fields: &[FieldSpec {
            name: "new-value",
            required: false,
            kind: FieldKind::String,
            description: "The identifier's new value.",
        }],
        deprecated: false,
    },
    EventType {
        uri: uri::IDENTIFIER_RECYCLED,
        profile: Profile::Risc,
        name: "identifier-recycled",
        title: "Identifier Recycled",
        description: "The email address or phone number in the subject now belongs to a \
                      different person.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::CREDENTIAL_COMPROMISE,
        profile: Profile::Risc,
        name: "credential-compromise",
        title: "Credential Compromise",
        description: "A credential of the subject was found to be compromised.",
        fields: &[
            CREDENTIAL_TYPE,
            FieldSpec {
                name: "event_timestamp",
                required: false,
                kind: FieldKind::Number,
                description: "When the transmitter learned of the compromise, in seconds \
                              since 1970-01-01T00:00:00Z.",
            },
            REASON_ADMIN,
            REASON_USER,
        ],
        deprecated: false,
    },
    EventType {
        uri: uri::OPT_IN,
        profile: Profile::Risc,
        name: "opt-in",
        title: "Opt In",
        description: "The account chose to take part in RISC event sharing.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::OPT_OUT_INITIATED,
        profile: Profile::Risc,
        name: "opt-out-initiated",
        title: "Opt Out Initiated",
        description: "The user asked to stop RISC sharing; events still flow for a grace \
                      period so that a hijacker cannot silence them at once.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::OPT_OUT_CANCELLED,
        profile: Profile::Risc,
        name: "opt-out-cancelled",
        title: "Opt Out Cancelled",
        description: "A pending opt-out was withdrawn; the account is opted in again.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::OPT_OUT_EFFECTIVE,
        profile: Profile::Risc,
        name: "opt-out-effective",
        title: "Opt Out Effective",
        description: "The opt-out took effect: no more events are shared about the account.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::RECOVERY_ACTIVATED,
        profile: Profile::Risc,
        name: "recovery-activated",
        title: "Recovery Activated",
        description: "An account recovery flow was started for the account.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::RECOVERY_INFORMATION_CHANGED,
        profile: Profile::Risc,
        name: "recovery-information-changed",
        title: "Recovery Information Changed",
        description: "The account's recovery details (such as a recovery email address or \
                      phone number) changed.",
        fields: &[],
        deprecated: false,
    },
    EventType {
        uri: uri::SESSIONS_REVOKED,
        profile: Profile::Risc,
        name: "sessions-revoked",
        title: "Sessions Revoked",
        description: "Every session of the account was revoked. Deprecated: new \
                      implementations send CAEP session-revoked instead.",
        fields: &[],
        deprecated: true,
    },
];
