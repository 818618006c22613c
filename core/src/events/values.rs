//! Typed claim values: the closed and open value sets of the event claims, and
//! language-tagged text.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::json::{Map, Value};

/// Defines a closed value set: anything else on the wire is an error.
macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the order the specification lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire names, in the same order.
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// The wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            /// The value with exactly this wire name (case-sensitive).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Defines an open value set: listed values are suggestions, others are kept as `Other`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the specification does not list (agreed between the parties).
            Other(String),
        }

        impl $name {
            /// The wire names the specification lists, in its order.
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }

            /// Reads a wire value: a listed name (case-sensitive) or `Other`.
            pub fn from_name(name: &str) -> Self {
                match name {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether the value is one the specification lists.
            pub fn is_listed(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_enum! {
    /// A stream's status (SSF 1.0 section 8.1.2), as carried by stream-updated.
    StreamStatus {
        /// Events are delivered.
        Enabled = "enabled",
        /// Events are held, not delivered.
        Paused = "paused",
        /// Events are neither delivered nor held.
        Disabled = "disabled",
    }
}

closed_enum! {
    /// Who or what caused a CAEP event (`initiating_entity`).
    InitiatingEntity {
        /// An administrator.
        Admin = "admin",
        /// The user.
        User = "user",
        /// A policy evaluation.
        Policy = "policy",
        /// The system, on its own.
        System = "system",
    }
}

closed_enum! {
    /// What happened to a credential (CAEP credential-change `change_type`).
    ChangeType {
        /// It was created.
        Create = "create",
        /// It was revoked.
        Revoke = "revoke",
        /// It was updated.
        Update = "update",
        /// It was deleted.
        Delete = "delete",
    }
}

closed_enum! {
    /// Whether an assurance level went up or down (`change_direction`).
    ChangeDirection {
        /// Up.
        Increase = "increase",
        /// Down.
        Decrease = "decrease",
    }
}

closed_enum! {
    /// A device's compliance status (CAEP device-compliance-change).
    ComplianceStatus {
        /// The device meets policy.
        Compliant = "compliant",
        /// The device does not meet policy.
        NotCompliant = "not-compliant",
    }
}

closed_enum! {
    /// A risk level (CAEP risk-level-change). The wire values are upper case.
    RiskLevel {
        /// `LOW`
        Low = "LOW",
        /// `MEDIUM`
        Medium = "MEDIUM",
        /// `HIGH`
        High = "HIGH",
    }
}

closed_enum! {
    /// Why a RISC account was disabled (`reason`).
    DisableReason {
        /// The account was taken over.
        Hijacking = "hijacking",
        /// The account is one of many created or controlled in bulk.
        BulkAccount = "bulk-account",
    }
}

open_enum! {
    /// A kind of credential (CAEP credential-change and RISC credential-compromise
    /// `credential_type`); other values may be agreed between the parties.
    CredentialType {
        /// A password.
        Password = "password",
        /// A PIN.
        Pin = "pin",
        /// An X.509 certificate.
        X509 = "x509",
        /// A FIDO2 platform authenticator.
        Fido2Platform = "fido2-platform",
        /// A FIDO2 roaming authenticator.
        Fido2Roaming = "fido2-roaming",
        /// A FIDO U2F authenticator.
        FidoU2f = "fido-u2f",
        /// A verifiable credential.
        VerifiableCredential = "verifiable-credential",
        /// A phone reached by voice call.
        PhoneVoice = "phone-voice",
        /// A phone reached by SMS.
        PhoneSms = "phone-sms",
        /// An authenticator app.
        App = "app",
    }
}

open_enum! {
    /// The scheme of an assurance level (CAEP assurance-level-change `namespace`); other
    /// names may be agreed between the parties.
    AssuranceNamespace {
        /// RFC 8176 authentication method references.
        Rfc8176 = "RFC8176",
        /// RFC 6711 level of assurance profiles.
        Rfc6711 = "RFC6711",
        /// ISO/IEC 29115 entity authentication assurance.
        IsoIec29115 = "ISO-IEC-29115",
        /// NIST SP 800-63 identity assurance levels.
        NistIal = "NIST-IAL",
        /// NIST SP 800-63 authenticator assurance levels.
        NistAal = "NIST-AAL",
        /// NIST SP 800-63 federation assurance levels.
        NistFal = "NIST-FAL",
    }
}

open_enum! {
    /// The kind of entity a risk level is about (CAEP risk-level-change `principal`).
    Principal {
        /// A user.
        User = "USER",
        /// A device.
        Device = "DEVICE",
        /// A session.
        Session = "SESSION",
        /// A tenant.
        Tenant = "TENANT",
        /// An organisational unit.
        OrgUnit = "ORG_UNIT",
        /// A group.
        Group = "GROUP",
    }
}

/// Text in one or more languages: BCP 47 language tag to message (CAEP `reason_admin`,
/// `reason_user`). Entries keep their order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LangMap {
    entries: Vec<(String, String)>,
}

impl LangMap {
    /// An empty map (a valid claim needs at least one entry).
    pub const fn new() -> Self {
        LangMap {
            entries: Vec::new(),
        }
    }

    /// A map with one entry.
    pub fn one(tag: &str, text: &str) -> Self {
        LangMap::new().with(tag, text)
    }

    /// Adds (or replaces) the text for `tag`, builder style.
    pub fn with(mut self, tag: &str, text: &str) -> Self {
        self.insert(tag, text);
        self
    }

    /// Adds (or replaces, in place) the text for `tag`.
    pub fn insert(&mut self, tag: &str, text: &str) {
        match self.entries.iter_mut().find(|(t, _)| t == tag) {
            Some((_, slot)) => *slot = text.to_owned(),
            None => self.entries.push((tag.to_owned(), text.to_owned())),
        }
    }

    /// The text for exactly this tag.
    pub fn get(&self, tag: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, text)| text.as_str())
    }

    /// The first entry, for when any language will do.
    pub fn first(&self) -> Option<(&str, &str)> {
        self.iter().next()
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(t, text)| (t.as_str(), text.as_str()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether some entry has non-empty text.
    pub fn has_text(&self) -> bool {
        self.entries.iter().any(|(_, text)| !text.trim().is_empty())
    }

    /// The JSON object.
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.entries
                .iter()
                .map(|(t, text)| (t.as_str(), Value::from(text.as_str())))
                .collect::<Map>(),
        )
    }

    /// Reads an object whose every member is a string (`None` otherwise).
    pub(crate) fn from_map(map: &Map) -> Option<Self> {
        let entries = map
            .iter()
            .map(|(t, v)| v.as_str().map(|text| (t.to_owned(), text.to_owned())))
            .collect::<Option<Vec<_>>>()?;
        Some(LangMap { entries })
    }
}

/// Whether `tag` has the shape of a BCP 47 language tag: subtags of 1 to 8 ASCII letters
/// or digits separated by `-`, the first made of letters. (The registry is not consulted.)
pub fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let first_ok = subtags
        .next()
        .is_some_and(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}
