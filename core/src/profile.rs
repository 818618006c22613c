//! Profiles: which structural rules a verifier applies to a SET, as data.
//!
//! The default, [`Profile::SSF`], is SSF 1.0 as written. Every other profile is SSF 1.0 plus
//! a short list of named [`Rule`]s: each either relaxes one SSF 1.0 requirement (so that the
//! SETs that transmitters deployed today actually send can be received) or adds one (the
//! CAEP interoperability profile). A rule carries its stable code, what it changes, why,
//! and where the behaviour it allows or requires is documented.
//!
//! No profile relaxes what protects the receiver: the signature, the `alg` allow-list (never
//! `none` or HMAC), keys only from the caller's key set, the issuer and audience checks, the
//! refusal of `sub` and `exp` (a SET that could pass as an ID token), and every size limit.
//!
//! | profile | rules |
//! |---|---|
//! | `ssf` | none: SSF 1.0 |
//! | `caep-interop` | `single_event`, `rs256_required`, `reason_admin_required` |
//! | `rfc8417` | `typ_optional`, `subject_in_event`, `subject_optional`, `identifier_subject_advisory` |
//! | `google` | `typ_optional`, `subject_in_event`, `issuer_trailing_slash`, `identifier_subject_advisory` |
//! | `okta` | `subject_in_event`, `millisecond_timestamps`, `identifier_subject_advisory` |
//!
//! ```
//! use ssf_core::set::{Profile, Rule};
//! let google = Profile::named("google").unwrap();
//! assert!(google.has(Rule::TypOptional));
//! assert!(!Profile::SSF.has(Rule::TypOptional));
//! assert_eq!(Profile::named("Google"), None); // names are exact
//! ```

use crate::limits::MAX_EVENTS;

/// One departure from SSF 1.0 that a [`Profile`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A SET without a `typ` header is accepted (a different `typ` is still refused).
    TypOptional,
    /// Without a top-level `sub_id`, each event's own `subject` (pre-SSF style, flat or
    /// nested under `user` / `device` / `session`) names the subject; an event with
    /// neither is still refused, except SSF verification and stream-updated events, which
    /// are about the stream.
    SubjectInEvent,
    /// A SET may name no subject at all (RFC 8417 leaves subjects to the event profile).
    SubjectOptional,
    /// `iss` matches the expected issuer also when exactly one of them ends with `/`.
    IssuerTrailingSlash,
    /// An `event_timestamp` in milliseconds since the epoch is read as seconds (and
    /// reported); elsewhere it is only reported.
    MillisecondTimestamps,
    /// RISC identifier-changed / identifier-recycled about a subject other than an email
    /// address or phone number is a warning instead of a refusal.
    IdentifierSubjectAdvisory,
    /// `events` holds exactly one event.
    SingleEvent,
    /// The SET is signed with RS256 (RSA keys of at least 2048 bits, as everywhere).
    Rs256Required,
    /// session-revoked and credential-change carry a non-empty `reason_admin`.
    ReasonAdminRequired,
}

impl Rule {
    /// Every rule, relaxations first.
    pub const ALL: [Rule; 9] = [
        Rule::TypOptional,
        Rule::SubjectInEvent,
        Rule::SubjectOptional,
        Rule::IssuerTrailingSlash,
        Rule::MillisecondTimestamps,
        Rule::IdentifierSubjectAdvisory,
        Rule::SingleEvent,
        Rule::Rs256Required,
        Rule::ReasonAdminRequired,
    ];

    /// The stable snake_case code. For the rules that add a requirement it is also the
    /// [`crate::Error::reason`] of the refusal.
    pub const fn code(self) -> &'static str {
        match self {
            Rule::TypOptional => "typ_optional",
            Rule::SubjectInEvent => "subject_in_event",
            Rule::SubjectOptional => "subject_optional",
            Rule::IssuerTrailingSlash => "issuer_trailing_slash",
            Rule::MillisecondTimestamps => "millisecond_timestamps",
            Rule::IdentifierSubjectAdvisory => "identifier_subject_advisory",
            Rule::SingleEvent => "single_event",
            Rule::Rs256Required => "rs256_required",
            Rule::ReasonAdminRequired => "reason_admin_required",
        }
    }

    /// Whether the rule relaxes SSF 1.0 (rather than adding a requirement).
    pub const fn relaxes(self) -> bool {
        !matches!(
            self,
            Rule::SingleEvent | Rule::Rs256Required | Rule::ReasonAdminRequired
        )
    }

    /// What the rule changes, in one sentence.
    pub const fn summary(self) -> &'static str {
        match self {
            Rule::TypOptional => "a SET without a typ header is accepted",
            Rule::SubjectInEvent => {
                "without a top-level sub_id, each event's own subject member names the subject"
            }
            Rule::SubjectOptional => "a SET may name no subject at all",
            Rule::IssuerTrailingSlash => "iss matches with or without a trailing slash",
            Rule::MillisecondTimestamps => "an event_timestamp in milliseconds is read as seconds",
            Rule::IdentifierSubjectAdvisory => {
                "identifier-changed / -recycled about something other than an email or phone \
                 number is a warning"
            }
            Rule::SingleEvent => "events holds exactly one event",
            Rule::Rs256Required => "the SET is signed with RS256",
            Rule::ReasonAdminRequired => {
                "session-revoked and credential-change carry a non-empty reason_admin"
            }
        }
    }

    /// Why the rule exists.
    pub const fn reason(self) -> &'static str {
        match self {
            Rule::TypOptional => {
                "explicit typing is optional in RFC 8417, and Google's RISC transmitter sends \
                 no typ"
            }
            Rule::SubjectInEvent => {
                "RISC and CAEP drafts before SSF 1.0 put the subject inside the event; Google \
                 and Okta still do"
            }
            Rule::SubjectOptional => {
                "RFC 8417 leaves how the subject is named to each event profile (its own SCIM \
                 examples name it with ref)"
            }
            Rule::IssuerTrailingSlash => {
                "Google writes its issuer as https://accounts.google.com/ in SETs and without \
                 the slash elsewhere"
            }
            Rule::MillisecondTimestamps => {
                "Okta's transmitter sends event_timestamp in milliseconds, where CAEP says \
                 seconds"
            }
            Rule::IdentifierSubjectAdvisory => {
                "RISC's MUST on the subject of identifier events predates the subject formats \
                 pre-1.0 transmitters use"
            }
            Rule::SingleEvent | Rule::Rs256Required | Rule::ReasonAdminRequired => {
                "the CAEP interoperability profile requires it"
            }
        }
    }

    /// Where the behaviour is specified or documented.
    pub const fn source(self) -> &'static str {
        match self {
            Rule::TypOptional => {
                "RFC 8417 section 2.3; Google Cross-Account Protection (RISC) documentation"
            }
            Rule::SubjectInEvent => {
                "SSF 1.0 section 3.1 (receivers may fall back to the in-event subject); RISC 1.0 \
                 section 3; Okta SSF transmitter documentation"
            }
            Rule::SubjectOptional => "RFC 8417 sections 2.2 and 3",
            Rule::IssuerTrailingSlash => "Google Cross-Account Protection (RISC) documentation",
            Rule::MillisecondTimestamps => "Okta SSF transmitter documentation; CAEP 1.0 section 2",
            Rule::IdentifierSubjectAdvisory => {
                "RISC 1.0, identifier-changed and identifier-recycled (ssf-digest section 8.1)"
            }
            Rule::SingleEvent => {
                "CAEP Interoperability Profile 1.0 draft 02, SET shape (ssf-digest section 9.4)"
            }
            Rule::Rs256Required => {
                "CAEP Interoperability Profile 1.0 draft 02, signatures (ssf-digest section 9.4)"
            }
            Rule::ReasonAdminRequired => {
                "CAEP Interoperability Profile 1.0 draft 02, session revocation and credential \
                 change use cases (ssf-digest section 9.6)"
            }
        }
    }
}

/// A named set of [`Rule`]s on top of SSF 1.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    name: &'static str,
    summary: &'static str,
    rules: &'static [Rule],
}

impl Profile {
    /// SSF 1.0: explicit typing, a top-level `sub_id`, no `sub`, no `exp`.
    pub const SSF: Profile = Profile {
        name: "ssf",
        summary: "SSF 1.0 as written (the default)",
        rules: &[],
    };
    /// The CAEP Interoperability Profile: SSF, exactly one event, RS256, and `reason_admin`
    /// on session-revoked and credential-change.
    pub const CAEP_INTEROP: Profile = Profile {
        name: "caep-interop",
        summary: "SSF plus the CAEP interoperability profile: one event, RS256, reason_admin",
        rules: &[
            Rule::SingleEvent,
            Rule::Rs256Required,
            Rule::ReasonAdminRequired,
        ],
    };
    /// Plain RFC 8417: `typ` and `sub_id` optional, the subject may sit in the event or be
    /// absent. `sub` and `exp` are still refused.
    pub const RFC8417: Profile = Profile {
        name: "rfc8417",
        summary: "plain RFC 8417: no typ or sub_id required, subject in the event accepted",
        rules: &[
            Rule::TypOptional,
            Rule::SubjectInEvent,
            Rule::SubjectOptional,
            Rule::IdentifierSubjectAdvisory,
        ],
    };
    /// As Google's Cross-Account Protection (RISC) sends: no `typ`, the subject in the event
    /// (`subject_type`), `iss` with or without a trailing slash.
    pub const GOOGLE: Profile = Profile {
        name: "google",
        summary: "Google Cross-Account Protection: no typ, subject_type subjects in the event, \
                  iss with or without a trailing slash",
        rules: &[
            Rule::TypOptional,
            Rule::SubjectInEvent,
            Rule::IssuerTrailingSlash,
            Rule::IdentifierSubjectAdvisory,
        ],
    };
    /// As Okta's SSF transmitter sends: the subject in the event (flat or nested under
    /// `user` / `device`), `event_timestamp` in milliseconds.
    pub const OKTA: Profile = Profile {
        name: "okta",
        summary: "Okta SSF transmitter: subject in the event (flat or under user / device), \
                  event_timestamp in milliseconds",
        rules: &[
            Rule::SubjectInEvent,
            Rule::MillisecondTimestamps,
            Rule::IdentifierSubjectAdvisory,
        ],
    };

    /// Every profile, the default first.
    pub const ALL: [Profile; 5] = [
        Profile::SSF,
        Profile::CAEP_INTEROP,
        Profile::RFC8417,
        Profile::GOOGLE,
        Profile::OKTA,
    ];

    /// The profile with this exact name (`ssf`, `caep-interop`, `rfc8417`, `google`, `okta`).
    pub fn named(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name == name)
    }

    /// The profile names, comma-separated, for error messages.
    pub const NAMES: &'static str = "ssf, caep-interop, rfc8417, google, okta";

    /// Its name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// What it is, in one line.
    pub const fn summary(&self) -> &'static str {
        self.summary
    }

    /// Its rules, on top of SSF 1.0.
    pub const fn rules(&self) -> &'static [Rule] {
        self.rules
    }

    /// Whether it applies `rule`.
    pub fn has(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }

    /// Whether `typ` must be present (a wrong `typ` is refused under every profile).
    pub fn requires_typ(&self) -> bool {
        !self.has(Rule::TypOptional)
    }

    /// The most events one SET may carry.
    pub fn max_events(&self) -> usize {
        if self.has(Rule::SingleEvent) {
            1
        } else {
            MAX_EVENTS
        }
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::SSF
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::named(p.name()), Some(p));
            assert!(Profile::NAMES.contains(p.name()));
        }
        assert_eq!(Profile::named("SSF"), None);
        assert_eq!(Profile::named(""), None);
        assert_eq!(Profile::default(), Profile::SSF);
    }

    #[test]
    fn every_rule_is_documented_and_used() {
        for rule in Rule::ALL {
            assert!(!rule.summary().is_empty() && !rule.reason().is_empty());
            assert!(!rule.source().is_empty(), "{rule:?}");
            assert!(Profile::ALL.iter().any(|p| p.has(rule)), "{rule:?} unused");
        }
        assert!(Profile::SSF.rules().is_empty());
        // Only the interop profile adds requirements; the others only relax.
        for p in Profile::ALL {
            let adds = p.rules().iter().any(|r| !r.relaxes());
            assert_eq!(adds, p == Profile::CAEP_INTEROP, "{}", p.name());
        }
    }
}
