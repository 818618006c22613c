//! SSF transmitter configuration metadata (SSF 1.0 section 7.1) and its discovery URL
//! (section 7.2).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;
use crate::json::{Map, Value};

use super::{
    check_url_in, invalid, json_text, nested, str_array, MemberOrder, Obj, UrlParts, UrlPolicy,
    Writer,
};

/// The well-known path of SSF transmitter metadata.
pub const WELL_KNOWN_PATH: &str = "/.well-known/ssf-configuration";

/// `spec_version` of SSF 1.0 final.
pub const SPEC_VERSION_1_0: &str = "1_0";

/// The `spec_version` a receiver must assume when the member is absent.
pub const SPEC_VERSION_WHEN_ABSENT: &str = "1_0-ID1";

/// The `spec_urn` of OAuth 2.0 (RFC 6749), the usual authorization scheme.
pub const OAUTH2_SPEC_URN: &str = "urn:ietf:rfc:6749";

/// The discovery URL of an issuer (SSF 1.0 section 7.2): the well-known path goes between
/// the host and the issuer's path, whose trailing `/` is removed first.
///
/// `https://tr.example.com` gives `https://tr.example.com/.well-known/ssf-configuration`;
/// `https://tr.example.com/issuer1/` gives
/// `https://tr.example.com/.well-known/ssf-configuration/issuer1`.
///
/// Fails when `issuer` is not an absolute `http`/`https` URL, or has a query or fragment
/// (an issuer identifier has neither). Whether plain `http` is acceptable is a separate
/// decision: see [`super::check_issuer_url`].
pub fn discovery_url(issuer: &str) -> Result<String, Error> {
    let parts =
        UrlParts::split(issuer).map_err(|why| invalid("issuer", format!("{issuer:?} {why}")))?;
    if parts.query.is_some() || parts.fragment.is_some() {
        return Err(invalid(
            "issuer",
            format!("{issuer:?} must not have a query or fragment"),
        ));
    }
    let path = parts.path.trim_end_matches('/');
    Ok(format!(
        "{}://{}{WELL_KNOWN_PATH}{path}",
        parts.scheme, parts.authority
    ))
}

/// `default_subjects`: which subjects a new stream starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefaultSubjects {
    /// `ALL`: every appropriate subject; the receiver may remove (and re-add) subjects.
    All,
    /// `NONE`: only subjects the receiver adds.
    None,
}

impl DefaultSubjects {
    /// `ALL` or `NONE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DefaultSubjects::All => "ALL",
            DefaultSubjects::None => "NONE",
        }
    }

    /// Parses `ALL` or `NONE` (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ALL" => Some(DefaultSubjects::All),
            "NONE" => Some(DefaultSubjects::None),
            _ => None,
        }
    }
}

/// One `authorization_schemes` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthorizationScheme {
    /// `spec_urn` (required): the URN of the specification of the scheme.
    pub spec_urn: String,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

impl AuthorizationScheme {
    /// A scheme entry.
    pub fn new(spec_urn: impl Into<String>) -> Self {
        AuthorizationScheme {
            spec_urn: spec_urn.into(),
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// Reads one entry.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, "authorization scheme")?;
        Ok(AuthorizationScheme {
            spec_urn: obj.req_nonempty("spec_urn")?,
            extra: obj.extra(&["spec_urn"]),
            order: obj.order(),
        })
    }

    /// The entry as JSON.
    pub fn to_value(&self) -> Value {
        Writer::new()
            .put("spec_urn", self.spec_urn.as_str())
            .extra(&self.extra)
            .finish(&self.order)
    }
}

/// Transmitter configuration metadata, served at [`discovery_url`].
#[derive(Clone, Debug, PartialEq)]
pub struct TransmitterMetadata {
    /// `spec_version`; absent means [`SPEC_VERSION_WHEN_ABSENT`].
    pub spec_version: Option<String>,
    /// `issuer` (required): identical to the `iss` of the transmitter's SETs and to the URL
    /// the metadata was discovered from.
    pub issuer: String,
    /// `jwks_uri`: the transmitter's signing keys (required if it signs).
    pub jwks_uri: Option<String>,
    /// `delivery_methods_supported`: delivery method URIs.
    pub delivery_methods_supported: Option<Vec<String>>,
    /// `configuration_endpoint`.
    pub configuration_endpoint: Option<String>,
    /// `status_endpoint`.
    pub status_endpoint: Option<String>,
    /// `add_subject_endpoint`.
    pub add_subject_endpoint: Option<String>,
    /// `remove_subject_endpoint`.
    pub remove_subject_endpoint: Option<String>,
    /// `verification_endpoint`.
    pub verification_endpoint: Option<String>,
    /// `critical_subject_members`: complex-subject members a receiver must understand.
    pub critical_subject_members: Option<Vec<String>>,
    /// `authorization_schemes`.
    pub authorization_schemes: Option<Vec<AuthorizationScheme>>,
    /// `default_subjects`.
    pub default_subjects: Option<DefaultSubjects>,
    /// Members this crate does not know, in order.
    pub extra: Map,
    order: MemberOrder,
}

const WHAT: &str = "transmitter metadata";
const KNOWN: &[&str] = &[
    "spec_version",
    "issuer",
    "jwks_uri",
    "delivery_methods_supported",
    "configuration_endpoint",
    "status_endpoint",
    "add_subject_endpoint",
    "remove_subject_endpoint",
    "verification_endpoint",
    "critical_subject_members",
    "authorization_schemes",
    "default_subjects",
];

impl TransmitterMetadata {
    /// Metadata for `issuer`, with `spec_version` [`SPEC_VERSION_1_0`] and nothing else.
    pub fn new(issuer: impl Into<String>) -> Self {
        TransmitterMetadata {
            spec_version: Some(SPEC_VERSION_1_0.into()),
            issuer: issuer.into(),
            jwks_uri: None,
            delivery_methods_supported: None,
            configuration_endpoint: None,
            status_endpoint: None,
            add_subject_endpoint: None,
            remove_subject_endpoint: None,
            verification_endpoint: None,
            critical_subject_members: None,
            authorization_schemes: None,
            default_subjects: None,
            extra: Map::new(),
            order: MemberOrder::default(),
        }
    }

    /// `spec_version`, or [`SPEC_VERSION_WHEN_ABSENT`] when absent.
    pub fn effective_spec_version(&self) -> &str {
        self.spec_version
            .as_deref()
            .unwrap_or(SPEC_VERSION_WHEN_ABSENT)
    }

    /// Whether `delivery_methods_supported` lists `method`.
    pub fn supports_delivery(&self, method: &str) -> bool {
        self.delivery_methods_supported
            .as_deref()
            .is_some_and(|m| m.iter().any(|x| x == method))
    }

    /// Reads metadata: member types, `issuer` present and non-empty, `default_subjects`
    /// `ALL` or `NONE`. URL rules are in [`TransmitterMetadata::validate`].
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value, WHAT)?;
        let default_subjects =
            match obj.get("default_subjects") {
                None => None,
                Some(v) => {
                    let name = obj.string("default_subjects", v)?;
                    Some(DefaultSubjects::from_name(&name).ok_or_else(|| {
                        obj.err("default_subjects", "must be \"ALL\" or \"NONE\"")
                    })?)
                }
            };
        let authorization_schemes = match obj.get("authorization_schemes") {
            None => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        AuthorizationScheme::from_value(item)
                            .map_err(|e| nested(WHAT, &format!("authorization_schemes[{i}]"), e))
                    })
                    .collect::<Result<Vec<_>, Error>>()?,
            ),
            Some(other) => {
                return Err(obj.err(
                    "authorization_schemes",
                    &format!("must be an array of objects, not {}", other.type_name()),
                ))
            }
        };
        Ok(TransmitterMetadata {
            spec_version: obj.opt_nonempty("spec_version")?,
            issuer: obj.req_nonempty("issuer")?,
            jwks_uri: obj.opt_nonempty("jwks_uri")?,
            delivery_methods_supported: obj.opt_list("delivery_methods_supported")?,
            configuration_endpoint: obj.opt_nonempty("configuration_endpoint")?,
            status_endpoint: obj.opt_nonempty("status_endpoint")?,
            add_subject_endpoint: obj.opt_nonempty("add_subject_endpoint")?,
            remove_subject_endpoint: obj.opt_nonempty("remove_subject_endpoint")?,
            verification_endpoint: obj.opt_nonempty("verification_endpoint")?,
            critical_subject_members: obj.opt_list("critical_subject_members")?,
            authorization_schemes,
            default_subjects,
            extra: obj.extra(KNOWN),
            order: obj.order(),
        })
    }

    /// The metadata as JSON.
    pub fn to_value(&self) -> Value {
        let schemes = self
            .authorization_schemes
            .as_ref()
            .map(|s| Value::Array(s.iter().map(AuthorizationScheme::to_value).collect()));
        Writer::new()
            .opt("spec_version", self.spec_version.as_deref())
            .put("issuer", self.issuer.as_str())
            .opt("jwks_uri", self.jwks_uri.as_deref())
            .opt(
                "delivery_methods_supported",
                self.delivery_methods_supported.as_deref().map(str_array),
            )
            .opt(
                "configuration_endpoint",
                self.configuration_endpoint.as_deref(),
            )
            .opt("status_endpoint", self.status_endpoint.as_deref())
            .opt("add_subject_endpoint", self.add_subject_endpoint.as_deref())
            .opt(
                "remove_subject_endpoint",
                self.remove_subject_endpoint.as_deref(),
            )
            .opt(
                "verification_endpoint",
                self.verification_endpoint.as_deref(),
            )
            .opt(
                "critical_subject_members",
                self.critical_subject_members.as_deref().map(str_array),
            )
            .opt("authorization_schemes", schemes)
            .opt(
                "default_subjects",
                self.default_subjects.map(DefaultSubjects::as_str),
            )
            .extra(&self.extra)
            .finish(&self.order)
    }

    /// Checks the SSF rules beyond member types: `issuer` is a URL without query or
    /// fragment and every URL member is acceptable under `policy` (SSF requires `https`),
    /// and no multi-valued member is empty (SSF: empty ones must be omitted).
    pub fn validate(&self, policy: UrlPolicy) -> Result<(), Error> {
        check_url_in(WHAT, "issuer", &self.issuer, policy, true)?;
        let urls = [
            ("jwks_uri", &self.jwks_uri),
            ("configuration_endpoint", &self.configuration_endpoint),
            ("status_endpoint", &self.status_endpoint),
            ("add_subject_endpoint", &self.add_subject_endpoint),
            ("remove_subject_endpoint", &self.remove_subject_endpoint),
            ("verification_endpoint", &self.verification_endpoint),
        ];
        for (name, url) in urls {
            if let Some(url) = url {
                check_url_in(WHAT, name, url, policy, false)?;
            }
        }
        let empty =
            |name: &str| invalid(WHAT, format!("member {name:?} must be omitted when empty"));
        if self
            .delivery_methods_supported
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            return Err(empty("delivery_methods_supported"));
        }
        if self
            .critical_subject_members
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            return Err(empty("critical_subject_members"));
        }
        if self
            .authorization_schemes
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            return Err(empty("authorization_schemes"));
        }
        Ok(())
    }

    /// Checks that `issuer` is identical (byte for byte) to the issuer the metadata was
    /// discovered for, as SSF 1.0 section 7.2 requires before the metadata is used.
    pub fn validate_for_issuer(&self, expected_issuer: &str) -> Result<(), Error> {
        if self.issuer == expected_issuer {
            Ok(())
        } else {
            Err(Error::WrongIssuer(self.issuer.clone()))
        }
    }
}

json_text!(TransmitterMetadata);
