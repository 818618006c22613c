//! Which SETs a stream takes: its `events_delivered` and its subject settings.
//!
//! One rule for every place that decides whether a SET enters a stream (a relayed push, an
//! upstream poll, an event the node originates), so they cannot disagree.
//!
//! Event types are compared in their canonical form: a SET carrying a legacy alias of a
//! type (the `http://` spelling of a CAEP URI, the SSE-era verification URI, ...) is taken
//! by a stream that delivers the type, and a stream whose `events_delivered` names an alias
//! or a deprecated type takes that type too. Comparing the strings as received would answer
//! such a SET `202` and never queue it: an event lost behind a success.
//!
//! Subjects follow SSF 1.0 section 9 (`default_subjects`, add / remove subject): with
//! `ALL`, every subject except the removed ones; with `NONE`, only the added ones.
//! Matching is [`SubjectId::matches`] (complex subjects member-wise, a missing member is a
//! wildcard). The subject is `sub_id`, or for SETs in a legacy shape the subject read from
//! inside the event.
//!
//! ```
//! use ssf_core::filter::StreamFilter;
//! use ssf_core::wire::DefaultSubjects;
//!
//! let f = StreamFilter::new(
//!     vec!["https://schemas.openid.net/secevent/caep/event-type/session-revoked".into()],
//!     DefaultSubjects::All,
//! );
//! // The legacy http:// spelling is the same event type.
//! assert!(f.takes_event("http://schemas.openid.net/secevent/caep/event-type/session-revoked"));
//! assert!(!f.takes_event("https://schemas.openid.net/secevent/caep/event-type/credential-change"));
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::events::lookup;
use crate::set::Claims;
use crate::subject::SubjectId;
use crate::wire::DefaultSubjects;

/// The canonical URI of an event type: the catalogue's URI for a known type or any of its
/// legacy aliases, the URI itself otherwise.
pub fn canonical_event_uri(uri: &str) -> &str {
    match lookup(uri) {
        Some(t) => t.uri,
        None => uri,
    }
}

/// The entries of `events_requested` that `events_delivered` does not deliver (in any
/// spelling), in request order without repeats: what a transmitter should tell a receiver
/// that asked for them, rather than let it wait for events that never come.
pub fn undelivered_events(requested: &[String], delivered: &[String]) -> Vec<String> {
    let filter = StreamFilter::new(delivered.to_vec(), DefaultSubjects::All);
    let mut out: Vec<String> = Vec::new();
    for uri in requested {
        if !filter.takes_event(uri) && !out.contains(uri) {
            out.push(uri.clone());
        }
    }
    out
}

/// What a stream takes: its delivered event types and its subject settings.
#[derive(Clone, Debug)]
pub struct StreamFilter {
    /// `events_delivered`, canonical.
    delivered: Vec<String>,
    default_subjects: DefaultSubjects,
    added: Vec<SubjectId>,
    removed: Vec<SubjectId>,
    always: Vec<SubjectId>,
}

impl StreamFilter {
    /// A stream delivering `events_delivered` (any spelling) under `default_subjects`, with
    /// no subjects added or removed yet.
    pub fn new(events_delivered: Vec<String>, default_subjects: DefaultSubjects) -> Self {
        let mut delivered: Vec<String> = Vec::with_capacity(events_delivered.len());
        for uri in events_delivered {
            let canonical = canonical_event_uri(&uri);
            if !delivered.iter().any(|d| d == canonical) {
                delivered.push(canonical.into());
            }
        }
        StreamFilter {
            delivered,
            default_subjects,
            added: Vec::new(),
            removed: Vec::new(),
            always: Vec::new(),
        }
    }

    /// The subjects added and removed with the add / remove subject endpoints.
    pub fn with_subjects(mut self, added: Vec<SubjectId>, removed: Vec<SubjectId>) -> Self {
        self.added = added;
        self.removed = removed;
        self
    }

    /// A subject always included whatever the settings (the stream's own subject, which
    /// verification and stream-updated SETs name).
    pub fn always_including(mut self, subject: SubjectId) -> Self {
        self.always.push(subject);
        self
    }

    /// Whether the stream delivers the event type `uri` (any spelling).
    pub fn takes_event(&self, uri: &str) -> bool {
        let canonical = canonical_event_uri(uri);
        self.delivered.iter().any(|d| d == canonical)
    }

    /// Whether the subject settings include `subject`; a SET without any subject is
    /// included only under `default_subjects` `ALL`.
    pub fn includes_subject(&self, subject: Option<&SubjectId>) -> bool {
        let all = self.default_subjects == DefaultSubjects::All;
        let Some(subject) = subject else {
            return all;
        };
        if self.always.iter().any(|s| s.identical(subject))
            || self.added.iter().any(|s| s.matches(subject))
        {
            return true;
        }
        all && !self.removed.iter().any(|s| s.matches(subject))
    }

    /// Which of `event_uris` the stream takes for `subject`: the ones it delivers, or none
    /// when its subject settings exclude the subject. This is the one rule deciding what
    /// enters a stream, for relayed SETs ([`StreamFilter::takes`]) and originated events
    /// alike.
    pub fn events_taken<'a>(
        &self,
        subject: Option<&SubjectId>,
        event_uris: impl IntoIterator<Item = &'a str>,
    ) -> Vec<&'a str> {
        if !self.includes_subject(subject) {
            return Vec::new();
        }
        event_uris
            .into_iter()
            .filter(|u| self.takes_event(u))
            .collect()
    }

    /// Whether the stream takes a SET with these (verified) claims: at least one of its
    /// events is delivered and its subject is included.
    pub fn takes(&self, claims: &Claims) -> bool {
        !self
            .events_taken(subject_of(claims).as_ref(), claims.event_uris())
            .is_empty()
    }
}

/// The subject a SET is about: `sub_id`, or the first legacy in-event subject.
pub fn subject_of(claims: &Claims) -> Option<SubjectId> {
    if let Some(s) = &claims.sub_id {
        return Some(s.clone());
    }
    claims.events.iter().find_map(|e| e.legacy_subject())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const REVOKED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    const REVOKED_HTTP: &str = "http://schemas.openid.net/secevent/caep/event-type/session-revoked";
    const VERIFICATION: &str = "https://schemas.openid.net/secevent/ssf/event-type/verification";
    const RISC_VERIFICATION: &str =
        "https://schemas.openid.net/secevent/risc/event-type/verification";

    #[test]
    fn aliases_are_the_type_they_alias_both_ways() {
        let f = StreamFilter::new(vec![REVOKED.into()], DefaultSubjects::All);
        assert!(f.takes_event(REVOKED_HTTP));
        assert!(f.takes_event(REVOKED));
        let f = StreamFilter::new(vec![REVOKED_HTTP.into()], DefaultSubjects::All);
        assert!(f.takes_event(REVOKED));
        let f = StreamFilter::new(vec![VERIFICATION.into()], DefaultSubjects::All);
        assert!(f.takes_event(RISC_VERIFICATION));
    }

    #[test]
    fn unknown_types_compare_exactly() {
        let f = StreamFilter::new(vec!["urn:example:custom".into()], DefaultSubjects::All);
        assert!(f.takes_event("urn:example:custom"));
        assert!(!f.takes_event("urn:example:Custom"));
        assert!(!f.takes_event(REVOKED));
    }

    #[test]
    fn deprecated_types_can_be_delivered() {
        let deprecated = crate::events::catalog()
            .iter()
            .find(|t| t.deprecated)
            .expect("the catalogue has a deprecated type");
        let f = StreamFilter::new(vec![deprecated.uri.into()], DefaultSubjects::All);
        assert!(f.takes_event(deprecated.uri));
    }

    #[test]
    fn undelivered_are_those_no_spelling_of_which_is_delivered() {
        let requested = vec![
            REVOKED_HTTP.into(),
            "urn:example:x".into(),
            "urn:example:x".into(),
        ];
        assert_eq!(
            undelivered_events(&requested, &[REVOKED.into()]),
            vec![String::from("urn:example:x")]
        );
    }

    #[test]
    fn subject_settings() {
        let alice = SubjectId::opaque("alice");
        let bob = SubjectId::opaque("bob");
        let own = SubjectId::opaque("stream");
        let all = StreamFilter::new(vec![], DefaultSubjects::All)
            .with_subjects(vec![], vec![bob.clone()])
            .always_including(own.clone());
        assert!(all.includes_subject(Some(&alice)));
        assert!(!all.includes_subject(Some(&bob)));
        assert!(all.includes_subject(None));
        let none = StreamFilter::new(vec![], DefaultSubjects::None)
            .with_subjects(vec![alice.clone()], vec![])
            .always_including(own.clone());
        assert!(none.includes_subject(Some(&alice)));
        assert!(!none.includes_subject(Some(&bob)));
        assert!(!none.includes_subject(None));
        assert!(none.includes_subject(Some(&own)));
    }
}
