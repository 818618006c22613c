//! The RISC 1.0 events. Most define no claims of their own and share [`NoClaims`].

use alloc::string::String;

use super::validate::{lang_map, number, parsed, put, put_str, required, string};
use super::values::{CredentialType, DisableReason, LangMap};
use super::{Meta, Typed};
use crate::error::Error;
use crate::json::{Map, Number, Value};

/// An event type that defines no claims (most RISC events). The payload is kept as sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoClaims {
    pub(super) meta: Meta,
}

impl NoClaims {
    /// An empty payload.
    pub fn new() -> Self {
        NoClaims::default()
    }
}

impl Typed for NoClaims {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, _: &mut Map) {}
}

/// RISC account-disabled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountDisabled {
    /// Why the account was disabled.
    pub reason: Option<DisableReason>,
    pub(super) meta: Meta,
}

impl AccountDisabled {
    /// An account-disabled event.
    pub fn new(reason: Option<DisableReason>) -> Self {
        AccountDisabled {
            reason,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(m: &Map, meta: Meta) -> Self {
        AccountDisabled {
            reason: parsed(m, "reason", DisableReason::from_name),
            meta,
        }
    }
}

impl Typed for AccountDisabled {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "reason", self.reason.map(DisableReason::as_str));
    }
}

/// RISC identifier-changed: the subject (an email address or phone number, old value)
/// changed to `new_value`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentifierChanged {
    /// The new value (the `new-value` claim).
    pub new_value: Option<String>,
    pub(super) meta: Meta,
}

impl IdentifierChanged {
    /// An identifier-changed event.
    pub fn new(new_value: Option<String>) -> Self {
        IdentifierChanged {
            new_value,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(m: &Map, meta: Meta) -> Self {
        IdentifierChanged {
            new_value: string(m, "new-value"),
            meta,
        }
    }
}

impl Typed for IdentifierChanged {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "new-value", self.new_value.as_deref());
    }
}

/// RISC credential-compromise: a credential of the subject was found compromised.
#[derive(Clone, Debug, PartialEq)]
pub struct CredentialCompromise {
    /// The kind of credential.
    pub credential_type: CredentialType,
    /// When the transmitter learned of it (NumericDate, kept as sent).
    pub event_timestamp: Option<Number>,
    /// An explanation for administrators, per language.
    pub reason_admin: Option<LangMap>,
    /// An explanation for the end user, per language.
    pub reason_user: Option<LangMap>,
    pub(super) meta: Meta,
}

impl CredentialCompromise {
    /// A credential-compromise event.
    pub fn new(credential_type: CredentialType) -> Self {
        CredentialCompromise {
            credential_type,
            event_timestamp: None,
            reason_admin: None,
            reason_user: None,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(uri: &str, m: &Map, meta: Meta) -> Result<Self, Error> {
        Ok(CredentialCompromise {
            credential_type: required(
                uri,
                "credential_type",
                parsed(m, "credential_type", |s| Some(CredentialType::from_name(s))),
            )?,
            event_timestamp: number(m, "event_timestamp"),
            reason_admin: lang_map(m, "reason_admin"),
            reason_user: lang_map(m, "reason_user"),
            meta,
        })
    }
}

impl Typed for CredentialCompromise {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "credential_type", Some(self.credential_type.as_str()));
        put(
            m,
            "event_timestamp",
            self.event_timestamp.clone().map(Value::Number),
        );
        put(
            m,
            "reason_admin",
            self.reason_admin.as_ref().map(LangMap::to_value),
        );
        put(
            m,
            "reason_user",
            self.reason_user.as_ref().map(LangMap::to_value),
        );
    }
}
