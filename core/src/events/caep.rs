//! The CAEP 1.0 events.

use alloc::string::String;
use alloc::vec::Vec;

use super::validate::{
    invalid, lang_map, number, object, parsed, put, put_str, required, string, strings,
};
use super::values::{
    AssuranceNamespace, ChangeDirection, ChangeType, ComplianceStatus, CredentialType,
    InitiatingEntity, LangMap, Principal, RiskLevel,
};
use super::{Meta, Typed};
use crate::error::Error;
use crate::json::{Map, Number, Value};

/// The optional claims every CAEP event may carry (CAEP 1.0 section 2).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaepCommon {
    /// When the described change happened (NumericDate, kept as sent).
    pub event_timestamp: Option<Number>,
    /// Who or what caused it.
    pub initiating_entity: Option<InitiatingEntity>,
    /// An explanation for administrators, per language.
    pub reason_admin: Option<LangMap>,
    /// An explanation for the end user, per language.
    pub reason_user: Option<LangMap>,
}

impl CaepCommon {
    /// Common claims with only `event_timestamp` set.
    pub fn at(event_timestamp: i64) -> Self {
        CaepCommon {
            event_timestamp: Some(Number::from(event_timestamp)),
            ..CaepCommon::default()
        }
    }

    /// `event_timestamp` in whole seconds, when it is an integer.
    pub fn timestamp(&self) -> Option<i64> {
        self.event_timestamp.as_ref().and_then(Number::as_i64)
    }

    pub(super) fn read(m: &Map) -> Self {
        CaepCommon {
            event_timestamp: number(m, "event_timestamp"),
            initiating_entity: parsed(m, "initiating_entity", InitiatingEntity::from_name),
            reason_admin: lang_map(m, "reason_admin"),
            reason_user: lang_map(m, "reason_user"),
        }
    }

    pub(super) fn write(&self, m: &mut Map) {
        put(
            m,
            "event_timestamp",
            self.event_timestamp.clone().map(Value::Number),
        );
        put_str(
            m,
            "initiating_entity",
            self.initiating_entity.map(InitiatingEntity::as_str),
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

/// CAEP session-revoked: the session(s) the subject names were ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionRevoked {
    /// The common claims; `event_timestamp` is the revocation time.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl SessionRevoked {
    /// A session-revoked event.
    pub fn new(common: CaepCommon) -> Self {
        SessionRevoked {
            common,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(m: &Map, meta: Meta) -> Self {
        SessionRevoked {
            common: CaepCommon::read(m),
            meta,
        }
    }
}

impl Typed for SessionRevoked {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        self.common.write(m);
    }
}

/// CAEP token-claims-change: claims of the token the subject names changed.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenClaimsChange {
    /// The changed claims with their new values (at least one).
    pub claims: Map,
    /// The common claims; `event_timestamp` is when the values changed.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl TokenClaimsChange {
    /// A token-claims-change event.
    pub fn new(claims: Map, common: CaepCommon) -> Self {
        TokenClaimsChange {
            claims,
            common,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(uri: &str, m: &Map, meta: Meta) -> Result<Self, Error> {
        let claims = required(uri, "claims", object(m, "claims"))?;
        if claims.is_empty() {
            return Err(invalid(
                uri,
                "claim \"claims\" must name at least one claim".into(),
            ));
        }
        Ok(TokenClaimsChange {
            claims,
            common: CaepCommon::read(m),
            meta,
        })
    }
}

impl Typed for TokenClaimsChange {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put(m, "claims", Some(Value::Object(self.claims.clone())));
        self.common.write(m);
    }
}

/// CAEP credential-change: a credential was created, updated, revoked or deleted.
#[derive(Clone, Debug, PartialEq)]
pub struct CredentialChange {
    /// The kind of credential.
    pub credential_type: CredentialType,
    /// What happened to it.
    pub change_type: ChangeType,
    /// A name its owner would recognise.
    pub friendly_name: Option<String>,
    /// The X.509 certificate's issuer.
    pub x509_issuer: Option<String>,
    /// The X.509 certificate's serial number.
    pub x509_serial: Option<String>,
    /// The FIDO2 authenticator's AAGUID.
    pub fido2_aaguid: Option<String>,
    /// The common claims; `event_timestamp` is when the change happened.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl CredentialChange {
    /// A credential-change event with only the required claims and `common`.
    pub fn new(
        credential_type: CredentialType,
        change_type: ChangeType,
        common: CaepCommon,
    ) -> Self {
        CredentialChange {
            credential_type,
            change_type,
            friendly_name: None,
            x509_issuer: None,
            x509_serial: None,
            fido2_aaguid: None,
            common,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(uri: &str, m: &Map, meta: Meta) -> Result<Self, Error> {
        Ok(CredentialChange {
            credential_type: required(
                uri,
                "credential_type",
                parsed(m, "credential_type", |s| Some(CredentialType::from_name(s))),
            )?,
            change_type: required(
                uri,
                "change_type",
                parsed(m, "change_type", ChangeType::from_name),
            )?,
            friendly_name: string(m, "friendly_name"),
            x509_issuer: string(m, "x509_issuer"),
            x509_serial: string(m, "x509_serial"),
            fido2_aaguid: string(m, "fido2_aaguid"),
            common: CaepCommon::read(m),
            meta,
        })
    }
}

impl Typed for CredentialChange {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "credential_type", Some(self.credential_type.as_str()));
        put_str(m, "change_type", Some(self.change_type.as_str()));
        put_str(m, "friendly_name", self.friendly_name.as_deref());
        put_str(m, "x509_issuer", self.x509_issuer.as_deref());
        put_str(m, "x509_serial", self.x509_serial.as_deref());
        put_str(m, "fido2_aaguid", self.fido2_aaguid.as_deref());
        self.common.write(m);
    }
}

/// CAEP assurance-level-change: authentication strength went up or down.
#[derive(Clone, Debug, PartialEq)]
pub struct AssuranceLevelChange {
    /// The scheme of the levels.
    pub namespace: AssuranceNamespace,
    /// The level now.
    pub current_level: String,
    /// The level before, if known.
    pub previous_level: Option<String>,
    /// Up or down.
    pub change_direction: Option<ChangeDirection>,
    /// The common claims; `event_timestamp` is when the level changed.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl AssuranceLevelChange {
    /// An assurance-level-change event with only the required claims and `common`.
    pub fn new(namespace: AssuranceNamespace, current_level: String, common: CaepCommon) -> Self {
        AssuranceLevelChange {
            namespace,
            current_level,
            previous_level: None,
            change_direction: None,
            common,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(uri: &str, m: &Map, meta: Meta) -> Result<Self, Error> {
        Ok(AssuranceLevelChange {
            namespace: required(
                uri,
                "namespace",
                parsed(m, "namespace", |s| Some(AssuranceNamespace::from_name(s))),
            )?,
            current_level: required(uri, "current_level", string(m, "current_level"))?,
            previous_level: string(m, "previous_level"),
            change_direction: parsed(m, "change_direction", ChangeDirection::from_name),
            common: CaepCommon::read(m),
            meta,
        })
    }
}

impl Typed for AssuranceLevelChange {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "namespace", Some(self.namespace.as_str()));
        put_str(m, "current_level", Some(&self.current_level));
        put_str(m, "previous_level", self.previous_level.as_deref());
        put_str(
            m,
            "change_direction",
            self.change_direction.map(ChangeDirection::as_str),
        );
        self.common.write(m);
    }
}

/// CAEP device-compliance-change: a device's compliance with policy changed.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceComplianceChange {
    /// Compliance before.
    pub previous_status: ComplianceStatus,
    /// Compliance now.
    pub current_status: ComplianceStatus,
    /// The common claims; `event_timestamp` is when compliance changed.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl DeviceComplianceChange {
    /// A device-compliance-change event.
    pub fn new(
        previous_status: ComplianceStatus,
        current_status: ComplianceStatus,
        common: CaepCommon,
    ) -> Self {
        DeviceComplianceChange {
            previous_status,
            current_status,
            common,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(uri: &str, m: &Map, meta: Meta) -> Result<Self, Error> {
        Ok(DeviceComplianceChange {
            previous_status: required(
                uri,
                "previous_status",
                parsed(m, "previous_status", ComplianceStatus::from_name),
            )?,
            current_status: required(
                uri,
                "current_status",
                parsed(m, "current_status", ComplianceStatus::from_name),
            )?,
            common: CaepCommon::read(m),
            meta,
        })
    }
}

impl Typed for DeviceComplianceChange {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "previous_status", Some(self.previous_status.as_str()));
        put_str(m, "current_status", Some(self.current_status.as_str()));
        self.common.write(m);
    }
}

/// CAEP session-established: the transmitter started a session for the subject.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionEstablished {
    /// A fingerprint of the user agent.
    pub fp_ua: Option<String>,
    /// The authentication context class reference reached.
    pub acr: Option<String>,
    /// The authentication methods used.
    pub amr: Option<Vec<String>>,
    /// The identifier of a wider session this one belongs to.
    pub ext_id: Option<String>,
    /// The common claims; `event_timestamp` is when the session started.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl SessionEstablished {
    /// A session-established event with only `common` set.
    pub fn new(common: CaepCommon) -> Self {
        SessionEstablished {
            common,
            ..SessionEstablished::default()
        }
    }

    pub(super) fn from_map(m: &Map, meta: Meta) -> Self {
        SessionEstablished {
            fp_ua: string(m, "fp_ua"),
            acr: string(m, "acr"),
            amr: strings(m, "amr"),
            ext_id: string(m, "ext_id"),
            common: CaepCommon::read(m),
            meta,
        }
    }
}

impl Typed for SessionEstablished {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "fp_ua", self.fp_ua.as_deref());
        put_str(m, "acr", self.acr.as_deref());
        let amr = self
            .amr
            .as_ref()
            .map(|list| Value::Array(list.iter().map(|s| Value::from(s.as_str())).collect()));
        put(m, "amr", amr);
        put_str(m, "ext_id", self.ext_id.as_deref());
        self.common.write(m);
    }
}

/// CAEP session-presented: the transmitter saw the session in use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionPresented {
    /// A fingerprint of the user agent.
    pub fp_ua: Option<String>,
    /// The identifier of a wider session this one belongs to.
    pub ext_id: Option<String>,
    /// The common claims; `event_timestamp` is when the session was seen.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl SessionPresented {
    /// A session-presented event with only `common` set.
    pub fn new(common: CaepCommon) -> Self {
        SessionPresented {
            common,
            ..SessionPresented::default()
        }
    }

    pub(super) fn from_map(m: &Map, meta: Meta) -> Self {
        SessionPresented {
            fp_ua: string(m, "fp_ua"),
            ext_id: string(m, "ext_id"),
            common: CaepCommon::read(m),
            meta,
        }
    }
}

impl Typed for SessionPresented {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "fp_ua", self.fp_ua.as_deref());
        put_str(m, "ext_id", self.ext_id.as_deref());
        self.common.write(m);
    }
}

/// CAEP risk-level-change: the subject's risk level changed.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskLevelChange {
    /// Why the risk changed (recommended).
    pub risk_reason: Option<String>,
    /// The kind of entity at risk.
    pub principal: Principal,
    /// The level now.
    pub current_level: RiskLevel,
    /// The level before, if known.
    pub previous_level: Option<RiskLevel>,
    /// The common claims; `event_timestamp` is when the level changed.
    pub common: CaepCommon,
    pub(super) meta: Meta,
}

impl RiskLevelChange {
    /// A risk-level-change event with only the required claims and `common`.
    pub fn new(principal: Principal, current_level: RiskLevel, common: CaepCommon) -> Self {
        RiskLevelChange {
            risk_reason: None,
            principal,
            current_level,
            previous_level: None,
            common,
            meta: Meta::default(),
        }
    }

    pub(super) fn from_map(uri: &str, m: &Map, meta: Meta) -> Result<Self, Error> {
        Ok(RiskLevelChange {
            risk_reason: string(m, "risk_reason"),
            principal: required(
                uri,
                "principal",
                parsed(m, "principal", |s| Some(Principal::from_name(s))),
            )?,
            current_level: required(
                uri,
                "current_level",
                parsed(m, "current_level", RiskLevel::from_name),
            )?,
            previous_level: parsed(m, "previous_level", RiskLevel::from_name),
            common: CaepCommon::read(m),
            meta,
        })
    }
}

impl Typed for RiskLevelChange {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn write(&self, m: &mut Map) {
        put_str(m, "risk_reason", self.risk_reason.as_deref());
        put_str(m, "principal", Some(self.principal.as_str()));
        put_str(m, "current_level", Some(self.current_level.as_str()));
        put_str(
            m,
            "previous_level",
            self.previous_level.map(RiskLevel::as_str),
        );
        self.common.write(m);
    }
}
