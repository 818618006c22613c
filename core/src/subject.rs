//! Subject identifiers: the RFC 9493 formats, the SSF 1.0 additions and complex subjects.
//!
//! A subject identifier is a JSON object whose `format` member names how the other members
//! identify something. This module reads one strictly into a [`SubjectId`] while keeping the
//! object exactly as received, so [`SubjectId::to_value`] gives back the same members in the
//! same order, unknown ones included.
//!
//! | format | members |
//! |---|---|
//! | `account` | `uri` (an `acct:` URI) |
//! | `email` | `email` |
//! | `iss_sub` | `iss`, `sub` |
//! | `opaque` | `id` |
//! | `phone_number` | `phone_number` |
//! | `did` | `url` |
//! | `uri` | `uri` |
//! | `aliases` | `identifiers`: a non-empty array of identifiers, none of them `aliases` |
//! | `jwt_id` (SSF) | `iss`, `jti` |
//! | `saml_assertion_id` (SSF) | `issuer`, `assertion_id` |
//! | `ip-addresses` (SSF) | `ip-addresses`: a non-empty array of textual IPv4 / IPv6 addresses |
//! | `complex` (SSF) | any member names (`user`, `device`, `session`, `application`, `tenant`, `org_unit`, `group`, ...), each a simple identifier |
//!
//! Any other format name is a proprietary format (SSF allows them by bilateral agreement):
//! it is kept as-is, with an informational issue.
//!
//! # Legacy shapes
//!
//! They decode, each with a warning [`Issue`] whose path is relative to the identifier:
//!
//! | code | shape |
//! |---|---|
//! | `legacy_subject_type` | `subject_type` instead of `format` (Google's RISC transmitter) |
//! | `legacy_format_name` | a hyphenated pre-1.0 name: `iss-sub`, `jwt-id`, `saml-assertion-id`, `phone-number` |
//! | `nonstandard_phone_format` | `phone`, which is not registered (`phone_number` is) |
//! | `unknown_subject_member` | a member the format does not define (kept, ignored) |
//! | `duplicate_alias` | the same identifier twice in `aliases` |
//! | `legacy_nested_subject` | facets nested without a format, only through [`SubjectId::from_legacy_value`] |
//!
//! Informational: `proprietary_subject_format`, `nonstandard_complex_member`, and
//! `legacy_oauth_token_subject` for Google's `oauth_token` (its `token_type` and `token`
//! are required).
//!
//! # Matching
//!
//! [`SubjectId::matches`] implements SSF 1.0 section 8.1.3; see its documentation.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};
use core::net::IpAddr;

use crate::error::Error;
use crate::issue::Issue;
use crate::json::{Map, Value};

/// A subject identifier format this crate understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `account`: an `acct:` URI (RFC 7565).
    Account,
    /// `email`: an email address.
    Email,
    /// `iss_sub`: an issuer and a subject, as in a JWT.
    IssSub,
    /// `opaque`: a string with no meaning outside the transmitter.
    Opaque,
    /// `phone_number`: an E.164 telephone number.
    PhoneNumber,
    /// `did`: a decentralized identifier or DID URL.
    Did,
    /// `uri`: any URI.
    Uri,
    /// `aliases`: several identifiers of the same subject.
    Aliases,
    /// `jwt_id` (SSF): a JWT named by its issuer and `jti`.
    JwtId,
    /// `saml_assertion_id` (SSF): a SAML 2.0 assertion named by its issuer and ID.
    SamlAssertionId,
    /// `ip-addresses` (SSF): the IP addresses the transmitter saw.
    IpAddresses,
    /// `complex` (SSF): several facets (user, device, session, ...) of one subject.
    Complex,
}

impl Format {
    /// Every known format, RFC 9493 ones first, then SSF's.
    pub const ALL: &'static [Format] = &[
        Format::Account,
        Format::Email,
        Format::IssSub,
        Format::Opaque,
        Format::PhoneNumber,
        Format::Did,
        Format::Uri,
        Format::Aliases,
        Format::JwtId,
        Format::SamlAssertionId,
        Format::IpAddresses,
        Format::Complex,
    ];

    /// The registered name, as sent in `format`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Account => "account",
            Format::Email => "email",
            Format::IssSub => "iss_sub",
            Format::Opaque => "opaque",
            Format::PhoneNumber => "phone_number",
            Format::Did => "did",
            Format::Uri => "uri",
            Format::Aliases => "aliases",
            Format::JwtId => "jwt_id",
            Format::SamlAssertionId => "saml_assertion_id",
            Format::IpAddresses => "ip-addresses",
            Format::Complex => "complex",
        }
    }

    /// The members (besides `format`) a subject of this format must have. Complex subjects
    /// have no fixed members.
    pub const fn members(self) -> &'static [&'static str] {
        match self {
            Format::Account | Format::Uri => &["uri"],
            Format::Email => &["email"],
            Format::IssSub => &["iss", "sub"],
            Format::Opaque => &["id"],
            Format::PhoneNumber => &["phone_number"],
            Format::Did => &["url"],
            Format::Aliases => &["identifiers"],
            Format::JwtId => &["iss", "jti"],
            Format::SamlAssertionId => &["issuer", "assertion_id"],
            Format::IpAddresses => &["ip-addresses"],
            Format::Complex => &[],
        }
    }

    /// The format with this exact registered name (legacy spellings are not accepted here).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.as_str() == name)
    }

    /// Whether this format is defined by SSF 1.0 rather than registered by RFC 9493.
    pub const fn is_ssf(self) -> bool {
        matches!(
            self,
            Format::JwtId | Format::SamlAssertionId | Format::IpAddresses | Format::Complex
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The member names SSF 1.0 defines for complex subjects. Others may be used.
pub const COMPLEX_MEMBERS: &[&str] = &[
    "user",
    "device",
    "session",
    "application",
    "tenant",
    "org_unit",
    "group",
];

/// A subject identifier (RFC 9493, SSF 1.0 section 3), simple or complex.
///
/// It keeps the JSON object it was read from, so [`SubjectId::to_value`] reproduces it
/// member for member. Equality (`==`) compares that object exactly, member order included;
/// [`SubjectId::identical`] and [`SubjectId::matches`] are the order-insensitive comparisons
/// SSF asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct SubjectId {
    /// `None` for a proprietary format.
    format: Option<Format>,
    map: Map,
    inner: Inner,
}

#[derive(Clone, Debug, PartialEq)]
enum Inner {
    Simple,
    Ips(Vec<IpAddr>),
    Aliases(Vec<SubjectId>),
    Complex(Vec<(String, SubjectId)>),
}

/// A borrowed, typed view of a [`SubjectId`] (see [`SubjectId::view`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SubjectView<'a> {
    /// `account`
    Account {
        /// The `acct:` URI.
        uri: &'a str,
    },
    /// `email`
    Email {
        /// The address.
        email: &'a str,
    },
    /// `iss_sub`
    IssSub {
        /// The issuer.
        iss: &'a str,
        /// The subject, unique within the issuer.
        sub: &'a str,
    },
    /// `opaque`
    Opaque {
        /// The identifier.
        id: &'a str,
    },
    /// `phone_number` (or the legacy `phone`)
    PhoneNumber {
        /// The number.
        phone_number: &'a str,
    },
    /// `did`
    Did {
        /// The DID or DID URL.
        url: &'a str,
    },
    /// `uri`
    Uri {
        /// The URI.
        uri: &'a str,
    },
    /// `aliases`
    Aliases {
        /// The identifiers, at least one.
        identifiers: &'a [SubjectId],
    },
    /// `jwt_id`
    JwtId {
        /// The JWT's issuer.
        iss: &'a str,
        /// The JWT's `jti`.
        jti: &'a str,
    },
    /// `saml_assertion_id`
    SamlAssertionId {
        /// The assertion's Issuer.
        issuer: &'a str,
        /// The assertion's ID.
        assertion_id: &'a str,
    },
    /// `ip-addresses`
    IpAddresses {
        /// The addresses, at least one.
        addresses: &'a [IpAddr],
    },
    /// `complex`
    Complex {
        /// The members (name, simple identifier), in document order; at least one.
        members: &'a [(String, SubjectId)],
    },
    /// A proprietary format.
    Other {
        /// The format name.
        format: &'a str,
        /// All members, `format` included.
        members: &'a Map,
    },
}

/// Where an identifier sits, which limits what it may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Top,
    Alias,
    ComplexMember,
}

/// Most `aliases` entries compared pairwise for duplicates (bounds the quadratic check).
const MAX_DUPLICATE_CHECK: usize = 64;

impl SubjectId {
    /// Reads a subject identifier.
    ///
    /// Fails with [`Error::InvalidSubject`] when `value` is not an object, has no `format`,
    /// misses a required member, has a member of the wrong type or an empty one, nests
    /// `aliases` or `complex` where they are not allowed, or lists an IP address that is
    /// not valid text. Legacy shapes decode with warnings (see the module documentation).
    /// Issue paths are JSON pointers relative to `value`.
    pub fn from_value(value: &Value) -> Result<(SubjectId, Vec<Issue>), Error> {
        let mut issues = Vec::new();
        let subject = parse(value, Context::Top, "", &mut issues)?;
        Ok((subject, issues))
    }

    /// Reads the subject member that pre-SSF transmitters put inside an event: any shape
    /// [`SubjectId::from_value`] reads, and also the nested form without a `format`
    /// (`{"user": {...}, "device": {...}}`, as Okta sends it), which is read as the
    /// `complex` subject it stands for, with the warning `legacy_nested_subject`. The
    /// nested form's identifier is normalised: its JSON gains `"format": "complex"`.
    ///
    /// Fails like [`SubjectId::from_value`]; a nested form whose members are not all
    /// simple identifiers is invalid too.
    pub fn from_legacy_value(value: &Value) -> Result<(SubjectId, Vec<Issue>), Error> {
        let Some(map) = value.as_object().filter(|m| is_nested_form(m)) else {
            return SubjectId::from_value(value);
        };
        let mut complex = Map::new();
        complex.insert("format", Format::Complex.as_str());
        for (name, member) in map.iter() {
            complex.insert(name, member.clone());
        }
        let mut issues = alloc::vec![Issue::warning(
            "legacy_nested_subject",
            "the subject's facets are nested without a format (pre-SSF style); read as a complex subject",
            "",
        )];
        let inner = Inner::Complex(parse_complex(&complex, "", &mut issues)?);
        Ok((
            SubjectId {
                format: Some(Format::Complex),
                map: complex,
                inner,
            },
            issues,
        ))
    }

    /// The identifier as JSON, exactly as it was read (or built).
    pub fn to_value(&self) -> Value {
        Value::Object(self.map.clone())
    }

    /// The identifier's JSON object.
    pub fn as_map(&self) -> &Map {
        &self.map
    }

    /// The format name: the registered name for a known format (also when a legacy
    /// spelling was sent), or the name as sent for a proprietary one.
    pub fn format(&self) -> &str {
        match self.format {
            Some(f) => f.as_str(),
            None => raw_format(&self.map).unwrap_or(""),
        }
    }

    /// The format, when it is one this crate knows.
    pub fn known_format(&self) -> Option<Format> {
        self.format
    }

    /// Whether this is a complex subject.
    pub fn is_complex(&self) -> bool {
        matches!(self.inner, Inner::Complex(_))
    }

    /// A member of a complex subject (`user`, `device`, ...).
    pub fn member(&self, name: &str) -> Option<&SubjectId> {
        match &self.inner {
            Inner::Complex(members) => members.iter().find(|(n, _)| n == name).map(|(_, s)| s),
            _ => None,
        }
    }

    /// A string member of the identifier (`email`, `iss`, ...).
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.map.get_str(name)
    }

    /// A typed view for matching on the format.
    pub fn view(&self) -> SubjectView<'_> {
        let s = |name: &str| self.map.get_str(name).unwrap_or("");
        match (&self.inner, self.format) {
            (Inner::Complex(members), _) => SubjectView::Complex { members },
            (Inner::Aliases(identifiers), _) => SubjectView::Aliases { identifiers },
            (Inner::Ips(addresses), _) => SubjectView::IpAddresses { addresses },
            (Inner::Simple, Some(Format::Account)) => SubjectView::Account { uri: s("uri") },
            (Inner::Simple, Some(Format::Email)) => SubjectView::Email { email: s("email") },
            (Inner::Simple, Some(Format::IssSub)) => SubjectView::IssSub {
                iss: s("iss"),
                sub: s("sub"),
            },
            (Inner::Simple, Some(Format::Opaque)) => SubjectView::Opaque { id: s("id") },
            (Inner::Simple, Some(Format::PhoneNumber)) => SubjectView::PhoneNumber {
                phone_number: s("phone_number"),
            },
            (Inner::Simple, Some(Format::Did)) => SubjectView::Did { url: s("url") },
            (Inner::Simple, Some(Format::Uri)) => SubjectView::Uri { uri: s("uri") },
            (Inner::Simple, Some(Format::JwtId)) => SubjectView::JwtId {
                iss: s("iss"),
                jti: s("jti"),
            },
            (Inner::Simple, Some(Format::SamlAssertionId)) => SubjectView::SamlAssertionId {
                issuer: s("issuer"),
                assertion_id: s("assertion_id"),
            },
            // Aliases, IP addresses and complex subjects always carry their inner data.
            (Inner::Simple, Some(Format::Aliases | Format::IpAddresses | Format::Complex))
            | (Inner::Simple, None) => SubjectView::Other {
                format: self.format(),
                members: &self.map,
            },
        }
    }

    // ---- constructors -------------------------------------------------------------------

    /// An `opaque` identifier, such as SSF's stream subject `{"format": "opaque", "id": <stream_id>}`.
    ///
    /// Like the other string constructors it does not check its input: an empty string
    /// gives an identifier that [`SubjectId::from_value`] would reject.
    pub fn opaque(id: &str) -> SubjectId {
        simple(Format::Opaque, &[id])
    }

    /// An `email` identifier.
    pub fn email(email: &str) -> SubjectId {
        simple(Format::Email, &[email])
    }

    /// An `iss_sub` identifier.
    pub fn iss_sub(iss: &str, sub: &str) -> SubjectId {
        simple(Format::IssSub, &[iss, sub])
    }

    /// A `phone_number` identifier.
    pub fn phone_number(phone_number: &str) -> SubjectId {
        simple(Format::PhoneNumber, &[phone_number])
    }

    /// An `account` identifier (`uri` should be an `acct:` URI).
    pub fn account(uri: &str) -> SubjectId {
        simple(Format::Account, &[uri])
    }

    /// A `did` identifier.
    pub fn did(url: &str) -> SubjectId {
        simple(Format::Did, &[url])
    }

    /// A `uri` identifier.
    pub fn uri(uri: &str) -> SubjectId {
        simple(Format::Uri, &[uri])
    }

    /// A `jwt_id` identifier.
    pub fn jwt_id(iss: &str, jti: &str) -> SubjectId {
        simple(Format::JwtId, &[iss, jti])
    }

    /// A `saml_assertion_id` identifier.
    pub fn saml_assertion_id(issuer: &str, assertion_id: &str) -> SubjectId {
        simple(Format::SamlAssertionId, &[issuer, assertion_id])
    }

    /// An `ip-addresses` identifier; fails unless there is at least one address and every
    /// one is a textual IPv4 or IPv6 address.
    pub fn ip_addresses(addresses: &[&str]) -> Result<SubjectId, Error> {
        let list = addresses
            .iter()
            .map(|a| Value::from(*a))
            .collect::<Vec<_>>();
        build(
            Format::IpAddresses,
            [(Format::IpAddresses.as_str(), Value::Array(list))],
        )
    }

    /// An `aliases` identifier; fails if `identifiers` is empty or holds `aliases` or
    /// complex identifiers.
    pub fn aliases(identifiers: &[SubjectId]) -> Result<SubjectId, Error> {
        let list = identifiers
            .iter()
            .map(SubjectId::to_value)
            .collect::<Vec<_>>();
        build(Format::Aliases, [("identifiers", Value::Array(list))])
    }

    /// A complex subject from (member name, simple identifier) pairs; fails if there are
    /// none, a name repeats or is `format`, or a member is itself complex.
    pub fn complex<'a>(
        members: impl IntoIterator<Item = (&'a str, SubjectId)>,
    ) -> Result<SubjectId, Error> {
        let mut map = Map::new();
        map.insert("format", Format::Complex.as_str());
        for (name, subject) in members {
            if name == "format" || map.insert(name, subject.to_value()).is_some() {
                return Err(invalid(
                    "",
                    format!("complex member name {name:?} is repeated or reserved"),
                ));
            }
        }
        let value = Value::Object(map);
        parse(&value, Context::Top, "", &mut Vec::new())
    }

    // ---- comparison ---------------------------------------------------------------------

    /// Whether both identifiers are the same identifier: the same format (legacy spellings
    /// count as their registered name) and the same members with equal JSON values, member
    /// order ignored. Complex subjects need the same member names with identical members;
    /// `aliases` the same identifiers in the same order. Values are compared exactly (no
    /// case folding or other canonicalization; RFC 9493 leaves that to the receiver).
    pub fn identical(&self, other: &SubjectId) -> bool {
        match (&self.inner, &other.inner) {
            (Inner::Complex(a), Inner::Complex(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(name, x)| {
                        b.iter()
                            .any(|(other_name, y)| other_name == name && x.identical(y))
                    })
            }
            (Inner::Aliases(a), Inner::Aliases(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.identical(y))
            }
            (Inner::Complex(_) | Inner::Aliases(_), _)
            | (_, Inner::Complex(_) | Inner::Aliases(_)) => false,
            _ => self.format() == other.format() && same_members(&self.map, &other.map),
        }
    }

    /// SSF 1.0 section 8.1.3 subject matching: whether an event about `other` concerns a
    /// subject described by `self` (the relation is symmetric).
    ///
    /// - Two simple identifiers match when [`identical`](SubjectId::identical).
    /// - Two complex subjects match when, for every member name, either side lacks it or
    ///   both members match: a missing member is a wildcard, a conflicting one a mismatch.
    ///   As the rule is written, complex subjects with no member name in common match.
    /// - A simple identifier and a complex subject match when the simple one matches any
    ///   member of the complex one (it names one facet of the same principal).
    /// - `aliases` matches when any of its identifiers matches (on either side).
    pub fn matches(&self, other: &SubjectId) -> bool {
        if let Inner::Aliases(ids) = &self.inner {
            return ids.iter().any(|id| id.matches(other));
        }
        if let Inner::Aliases(ids) = &other.inner {
            return ids.iter().any(|id| self.matches(id));
        }
        match (&self.inner, &other.inner) {
            (Inner::Complex(a), Inner::Complex(b)) => a.iter().all(|(name, x)| {
                b.iter()
                    .find(|(other_name, _)| other_name == name)
                    .is_none_or(|(_, y)| x.matches(y))
            }),
            (Inner::Complex(a), _) => a.iter().any(|(_, x)| x.matches(other)),
            (_, Inner::Complex(b)) => b.iter().any(|(_, y)| self.matches(y)),
            _ => self.identical(other),
        }
    }

    // ---- display ------------------------------------------------------------------------

    /// One line for people, such as `email someuser@somedomain.com`,
    /// `iss_sub iss=https://idp.example.com/ sub=7375626A656374` or
    /// `complex {user: email bar@example.com, tenant: opaque 1234}`.
    /// Control characters from the input are escaped.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        self.write_description(&mut out);
        out
    }

    fn write_description(&self, out: &mut String) {
        push_clean(out, self.format());
        match &self.inner {
            Inner::Complex(members) => {
                out.push_str(" {");
                for (i, (name, member)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    push_clean(out, name);
                    out.push_str(": ");
                    member.write_description(out);
                }
                out.push('}');
            }
            Inner::Aliases(ids) => {
                out.push_str(" [");
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" | ");
                    }
                    id.write_description(out);
                }
                out.push(']');
            }
            Inner::Ips(_) | Inner::Simple => {
                let members = self.map.iter().filter(|(k, _)| !is_format_key(k));
                let single = self.format.is_some_and(|f| f.members().len() == 1);
                for (i, (name, value)) in members.enumerate() {
                    out.push(' ');
                    if !single || i > 0 {
                        push_clean(out, name);
                        out.push('=');
                    }
                    match value {
                        Value::String(s) => push_clean(out, s),
                        Value::Array(items) if items.iter().all(|v| v.as_str().is_some()) => {
                            for (j, item) in items.iter().enumerate() {
                                if j > 0 {
                                    out.push_str(", ");
                                }
                                push_clean(out, item.as_str().unwrap_or(""));
                            }
                        }
                        other => push_clean(out, &other.to_json()),
                    }
                }
            }
        }
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

// ---- parsing ------------------------------------------------------------------------------

fn parse(
    value: &Value,
    ctx: Context,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Result<SubjectId, Error> {
    let Some(map) = value.as_object() else {
        return Err(invalid(
            path,
            format!(
                "a subject identifier must be a JSON object, not {}",
                value.type_name()
            ),
        ));
    };
    let (key, name) = format_name(map, path, issues)?;
    let format = match Format::from_name(name) {
        Some(f) => Some(f),
        None => legacy_format(name, &pointer(path, key), issues),
    };
    let Some(format) = format else {
        if name == OAUTH_TOKEN {
            // Google's RISC transmitter names OAuth tokens this way (token-revoked): not a
            // registered format, but a documented one, so its members are checked.
            for member in ["token_type", "token"] {
                required_member(map, name, member, path)?;
            }
            issues.push(Issue::info(
                "legacy_oauth_token_subject",
                "format \"oauth_token\" (an OAuth token, as Google's RISC transmitter sends) is \
                 not registered; kept as sent",
                pointer(path, key),
            ));
        } else {
            issues.push(Issue::info(
                "proprietary_subject_format",
                format!("format {name:?} is not registered; kept as a proprietary format"),
                pointer(path, key),
            ));
        }
        return Ok(SubjectId {
            format: None,
            map: map.clone(),
            inner: Inner::Simple,
        });
    };
    let inner = match format {
        Format::Complex => {
            if ctx != Context::Top {
                return Err(invalid(path, nested_message(ctx, format)));
            }
            Inner::Complex(parse_complex(map, path, issues)?)
        }
        Format::Aliases => {
            if ctx == Context::Alias {
                return Err(invalid(path, nested_message(ctx, format)));
            }
            unknown_members(map, format, path, issues);
            Inner::Aliases(parse_aliases(map, path, issues)?)
        }
        Format::IpAddresses => {
            unknown_members(map, format, path, issues);
            Inner::Ips(parse_ips(map, path)?)
        }
        _ => {
            for member in format.members() {
                required_str(map, format, member, path)?;
            }
            unknown_members(map, format, path, issues);
            Inner::Simple
        }
    };
    Ok(SubjectId {
        format: Some(format),
        map: map.clone(),
        inner,
    })
}

/// Whether `map` is the legacy nested subject form: no format member, and at least one
/// member, every one an object (the facets).
fn is_nested_form(map: &Map) -> bool {
    !map.is_empty()
        && !map.iter().any(|(name, _)| is_format_key(name))
        && map.iter().all(|(_, v)| v.as_object().is_some())
}

/// The format name, from `format` or the legacy `subject_type`.
fn format_name<'a>(
    map: &'a Map,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Result<(&'static str, &'a str), Error> {
    let format = map.get("format");
    let legacy = map.get("subject_type");
    let (key, value) = match (format, legacy) {
        (Some(f), None) => ("format", f),
        (None, Some(l)) => ("subject_type", l),
        (Some(f), Some(l)) => {
            if f != l {
                return Err(invalid(path, "format and subject_type disagree".into()));
            }
            ("format", f)
        }
        (None, None) => return Err(invalid(path, "the member \"format\" is missing".into())),
    };
    let Some(name) = value.as_str() else {
        return Err(invalid(
            path,
            format!(
                "the member {key:?} must be a string, not {}",
                value.type_name()
            ),
        ));
    };
    if name.is_empty() {
        return Err(invalid(
            path,
            format!("the member {key:?} must not be empty"),
        ));
    }
    if legacy.is_some() {
        issues.push(Issue::warning(
            "legacy_subject_type",
            "subject_type is the deprecated spelling of format (pre-SSF RISC); use format",
            pointer(path, "subject_type"),
        ));
    }
    Ok((key, name))
}

/// The format name as sent (`format`, else the legacy `subject_type`).
fn raw_format(map: &Map) -> Option<&str> {
    map.get_str("format")
        .or_else(|| map.get_str("subject_type"))
}

fn is_format_key(name: &str) -> bool {
    name == "format" || name == "subject_type"
}

/// Legacy spellings of known formats, with a warning at `at` (the format member).
fn legacy_format(name: &str, at: &str, issues: &mut Vec<Issue>) -> Option<Format> {
    let (format, code) = match name {
        "iss-sub" => (Format::IssSub, "legacy_format_name"),
        "jwt-id" => (Format::JwtId, "legacy_format_name"),
        "saml-assertion-id" => (Format::SamlAssertionId, "legacy_format_name"),
        "phone-number" => (Format::PhoneNumber, "legacy_format_name"),
        "phone" => (Format::PhoneNumber, "nonstandard_phone_format"),
        _ => return None,
    };
    let message = if code == "nonstandard_phone_format" {
        format!(
            "format \"phone\" is not registered; read as {:?}",
            format.as_str()
        )
    } else {
        format!(
            "format {name:?} is a pre-1.0 spelling; read as {:?}",
            format.as_str()
        )
    };
    issues.push(Issue::warning(code, message, at));
    Some(format)
}

/// The pre-1.0 format Google uses for OAuth tokens (`token_type`, `token`, and
/// `token_identifier_alg` saying how `token` identifies it).
const OAUTH_TOKEN: &str = "oauth_token";

fn required_str<'a>(
    map: &'a Map,
    format: Format,
    member: &str,
    path: &str,
) -> Result<&'a str, Error> {
    required_member(map, format.as_str(), member, path)
}

fn required_member<'a>(
    map: &'a Map,
    format: &str,
    member: &str,
    path: &str,
) -> Result<&'a str, Error> {
    match map.get(member) {
        None => Err(invalid(
            path,
            format!("format {format:?} requires the member {member:?}"),
        )),
        Some(Value::String(s)) if s.is_empty() => Err(invalid(
            path,
            format!("the member {member:?} must not be empty"),
        )),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(invalid(
            path,
            format!(
                "the member {member:?} must be a string, not {}",
                other.type_name()
            ),
        )),
    }
}

fn required_array<'a>(
    map: &'a Map,
    format: Format,
    member: &str,
    path: &str,
) -> Result<&'a [Value], Error> {
    match map.get(member) {
        None => Err(invalid(
            path,
            format!(
                "format {:?} requires the member {member:?}",
                format.as_str()
            ),
        )),
        Some(Value::Array(items)) if items.is_empty() => Err(invalid(
            path,
            format!("the member {member:?} must not be an empty array"),
        )),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(invalid(
            path,
            format!(
                "the member {member:?} must be an array, not {}",
                other.type_name()
            ),
        )),
    }
}

fn unknown_members(map: &Map, format: Format, path: &str, issues: &mut Vec<Issue>) {
    for (name, _) in map.iter() {
        if !is_format_key(name) && !format.members().contains(&name) {
            issues.push(Issue::warning(
                "unknown_subject_member",
                format!(
                    "member {name:?} is not defined for format {:?}; kept but not used",
                    format.as_str()
                ),
                pointer(path, name),
            ));
        }
    }
}

fn parse_ips(map: &Map, path: &str) -> Result<Vec<IpAddr>, Error> {
    let member = Format::IpAddresses.as_str();
    let items = required_array(map, Format::IpAddresses, member, path)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(text) = item.as_str() else {
            return Err(invalid(
                path,
                format!(
                    "{member:?} entry {i} must be a string, not {}",
                    item.type_name()
                ),
            ));
        };
        match parse_ip(text) {
            Some(ip) => out.push(ip),
            None => {
                return Err(invalid(
                    path,
                    format!(
                        "{member:?} entry {i} ({text:?}) is not a textual IPv4 or IPv6 address"
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// Parses the textual form of an IPv4 address (dotted decimal, no leading zeros) or an IPv6
/// address (RFC 4291 section 2.2, with `::` and an IPv4 tail allowed; no zone index).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

fn parse_aliases(map: &Map, path: &str, issues: &mut Vec<Issue>) -> Result<Vec<SubjectId>, Error> {
    let items = required_array(map, Format::Aliases, "identifiers", path)?;
    let base = pointer(path, "identifiers");
    let mut out: Vec<SubjectId> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{base}/{i}");
        let id = parse(item, Context::Alias, &item_path, issues)?;
        if items.len() <= MAX_DUPLICATE_CHECK && out.iter().any(|seen| seen.identical(&id)) {
            issues.push(Issue::warning(
                "duplicate_alias",
                "the same identifier appears more than once in aliases",
                item_path,
            ));
        }
        out.push(id);
    }
    Ok(out)
}

fn parse_complex(
    map: &Map,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Result<Vec<(String, SubjectId)>, Error> {
    let mut out = Vec::new();
    for (name, value) in map.iter() {
        if is_format_key(name) {
            continue;
        }
        let member_path = pointer(path, name);
        if !COMPLEX_MEMBERS.contains(&name) {
            issues.push(Issue::info(
                "nonstandard_complex_member",
                format!("complex member {name:?} is not one SSF defines; a receiver may not understand it"),
                member_path.clone(),
            ));
        }
        let member = parse(value, Context::ComplexMember, &member_path, issues)?;
        out.push((name.to_owned(), member));
    }
    if out.is_empty() {
        return Err(invalid(
            path,
            "a complex subject needs at least one member".into(),
        ));
    }
    Ok(out)
}

fn nested_message(ctx: Context, format: Format) -> String {
    match (ctx, format) {
        (Context::Alias, Format::Aliases) => "aliases must not contain aliases".into(),
        (Context::Alias, _) => "aliases must not contain complex subjects".into(),
        _ => "a complex subject member must be a simple identifier, not complex".into(),
    }
}

// ---- building -----------------------------------------------------------------------------

fn simple(format: Format, values: &[&str]) -> SubjectId {
    let mut map = Map::new();
    map.insert("format", format.as_str());
    for (name, value) in format.members().iter().zip(values) {
        map.insert(*name, *value);
    }
    SubjectId {
        format: Some(format),
        map,
        inner: Inner::Simple,
    }
}

fn build<const N: usize>(format: Format, members: [(&str, Value); N]) -> Result<SubjectId, Error> {
    let mut map = Map::new();
    map.insert("format", format.as_str());
    for (name, value) in members {
        map.insert(name, value);
    }
    parse(&Value::Object(map), Context::Top, "", &mut Vec::new())
}

// ---- helpers ------------------------------------------------------------------------------

fn invalid(path: &str, detail: String) -> Error {
    if path.is_empty() {
        Error::InvalidSubject(detail)
    } else {
        Error::InvalidSubject(format!("{path}: {detail}"))
    }
}

/// `base` followed by one JSON pointer segment naming `name` (`~` and `/` escaped).
pub(crate) fn pointer(base: &str, name: &str) -> String {
    let mut out = String::with_capacity(base.len() + name.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in name.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Whether two objects have the same members (format keys aside) with equal values,
/// member order ignored at every depth.
fn same_members(a: &Map, b: &Map) -> bool {
    let count = |m: &Map| m.keys().filter(|k| !is_format_key(k)).count();
    count(a) == count(b)
        && a.iter()
            .filter(|(k, _)| !is_format_key(k))
            .all(|(k, v)| b.get(k).is_some_and(|w| json_eq(v, w)))
}

/// JSON equality with object member order ignored.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| json_eq(v, w))
        }
        _ => a == b,
    }
}

/// Appends `s` with control characters escaped, so a description stays on one line.
fn push_clean(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
}
