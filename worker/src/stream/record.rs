//! A stream's record as its Durable Object stores it, and the parsed view that decides
//! what a push is checked against and whether its SET is queued.

use std::rc::Rc;

use ssf_core::filter::StreamFilter;
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::jwk::JwkSet;
use ssf_core::subject::SubjectId;
use ssf_core::wire::{DefaultSubjects, Delivery, Source, SourceKeys};

/// A stream as stored (meta `record` of its object).
#[derive(Clone, Debug)]
pub struct StreamRecord {
    pub id: String,
    /// The receiver id (from `SSF_TOKENS`) that owns the stream.
    pub owner: String,
    /// The stored stream configuration: receiver-supplied members, `aud`,
    /// `events_supported`, `events_delivered`, `delivery.method`, and the `source`
    /// extension. Members that depend on the serving origin (`iss`, `delivery.endpoint_url`,
    /// `push`) are filled in when the configuration is read.
    pub config: Map,
    /// The exact `Authorization` header value the upstream must send on push.
    pub push_authorization: String,
    /// A rotated-out push credential still accepted until the time (ms) given.
    pub previous_push: Option<(String, i64)>,
    /// Subjects added with the add-subject endpoint.
    pub subjects_added: Vec<Value>,
    /// Subjects removed with the remove-subject endpoint.
    pub subjects_removed: Vec<Value>,
    /// A registration at the upstream (`crate::upstream::Link`, secrets included): never
    /// part of a read.
    pub upstream: Option<Value>,
}

impl StreamRecord {
    pub fn new(id: String, owner: String, config: Map, push_authorization: String) -> Self {
        StreamRecord {
            id,
            owner,
            config,
            push_authorization,
            previous_push: None,
            subjects_added: Vec::new(),
            subjects_removed: Vec::new(),
            upstream: None,
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("id", self.id.as_str());
        m.insert("owner", self.owner.as_str());
        m.insert("config", Value::Object(self.config.clone()));
        m.insert("push_authorization", self.push_authorization.as_str());
        if let Some((auth, until)) = &self.previous_push {
            let mut p = Map::new();
            p.insert("authorization", auth.as_str());
            p.insert("until", *until);
            m.insert("previous_push", Value::Object(p));
        }
        m.insert("subjects_added", Value::Array(self.subjects_added.clone()));
        m.insert(
            "subjects_removed",
            Value::Array(self.subjects_removed.clone()),
        );
        if let Some(u) = &self.upstream {
            m.insert("upstream", u.clone());
        }
        Value::Object(m)
    }

    pub fn from_value(v: &Value) -> Option<StreamRecord> {
        let m = v.as_object()?;
        let arr = |k: &str| {
            m.get(k)
                .and_then(Value::as_array)
                .map(<[Value]>::to_vec)
                .unwrap_or_default()
        };
        let previous_push = m
            .get("previous_push")
            .and_then(Value::as_object)
            .and_then(|p| {
                Some((
                    p.get_str("authorization")?.to_string(),
                    p.get("until")?.as_i64()?,
                ))
            });
        Some(StreamRecord {
            id: m.get_str("id")?.to_string(),
            owner: m.get_str("owner")?.to_string(),
            config: m.get("config")?.as_object()?.clone(),
            push_authorization: m.get_str("push_authorization")?.to_string(),
            previous_push,
            subjects_added: arr("subjects_added"),
            subjects_removed: arr("subjects_removed"),
            upstream: m.get("upstream").cloned(),
        })
    }

    pub fn from_json(s: &str) -> Option<StreamRecord> {
        let m = parse_object(s.as_bytes(), ssf_core::error::Part::Document).ok()?;
        Self::from_value(&Value::Object(m))
    }

    /// `events_delivered` as stored.
    pub fn events_delivered(&self) -> Vec<String> {
        string_list(self.config.get("events_delivered"))
    }
}

/// The strings of a JSON array (nothing for anything else).
pub fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The subject identifiers of a stored list (unreadable entries skipped: they were checked
/// when stored).
pub fn subject_list(list: &[Value]) -> Vec<SubjectId> {
    list.iter()
        .filter_map(|v| SubjectId::from_value(v).ok().map(|(s, _)| s))
        .collect()
}

/// Where a source's keys come from, ready to use.
pub enum SourceKeySet {
    Inline(Rc<JwkSet>),
    Uri(String),
}

/// Where the stream's SETs are pushed (push delivery).
pub struct PushTarget {
    pub endpoint_url: String,
    /// Sent verbatim as `Authorization`; none at all when absent.
    pub authorization: Option<String>,
}

/// What a push is checked against, parsed once per change of the record.
pub struct Settings {
    /// `Some` for push delivery.
    pub push_target: Option<PushTarget>,
    pub rec: StreamRecord,
    /// The stream's source and its keys; `Ok(None)`: no source yet. A stored source that
    /// cannot be used is kept as the reason, reported only to an authenticated pusher.
    pub source: Result<Option<(Source, SourceKeySet)>, String>,
    pub filter: StreamFilter,
}

impl Settings {
    pub fn new(rec: StreamRecord, default_subjects: DefaultSubjects) -> Self {
        let filter = StreamFilter::new(rec.events_delivered(), default_subjects)
            .with_subjects(
                subject_list(&rec.subjects_added),
                subject_list(&rec.subjects_removed),
            )
            .always_including(SubjectId::opaque(&rec.id));
        let push_target = rec
            .config
            .get("delivery")
            .and_then(|d| Delivery::from_value(d).ok())
            .filter(Delivery::is_push)
            .and_then(|d| {
                Some(PushTarget {
                    endpoint_url: d.endpoint_url?,
                    authorization: d.authorization_header,
                })
            });
        Settings {
            push_target,
            source: read_source(&rec),
            filter,
            rec,
        }
    }
}

fn read_source(rec: &StreamRecord) -> Result<Option<(Source, SourceKeySet)>, String> {
    let Some(value) = rec.config.get("source") else {
        return Ok(None);
    };
    let source = Source::from_value(value).map_err(|e| format!("stored source unreadable: {e}"))?;
    let keys = match &source.keys {
        SourceKeys::Jwks(j) => SourceKeySet::Inline(Rc::new(
            JwkSet::from_map(j).map_err(|e| format!("stored source keys unusable: {e}"))?,
        )),
        SourceKeys::JwksUri(u) => SourceKeySet::Uri(u.clone()),
    };
    Ok(Some((source, keys)))
}
