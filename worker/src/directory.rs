//! The directory of streams that take originated events (binding `SSF_DIRECTORY`, class
//! `SsfDirectory`, one instance named `streams`): how `POST /ssf/events` finds its targets
//! among thousands of streams without listing KV, which lags by up to a minute.
//!
//! Each stream's Durable Object publishes its entry here whenever its record or status
//! changes, before the change is answered: its `events_delivered` and subject settings, or
//! nothing when the stream has a `source`, is disabled or was deleted. Every publication
//! carries a sequence number of the stream's own, so one overtaken by a later one (two
//! changes whose publications cross) is ignored. A matching query therefore sees every
//! change answered `2xx` before it.
//!
//! The directory only finds candidates. The stream's object decides again, by the same rule
//! (`ssf_core::filter`), when it is handed the event, so a candidate found a moment before
//! a change never receives an event it no longer takes.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Deserialize;
use ssf_core::filter::StreamFilter;
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::subject::SubjectId;
use ssf_core::wire::DefaultSubjects;
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, State,
};

use crate::config::{default_subjects_all, DIRECTORY_BINDING};
use crate::http::{json_response, ApiError};
use crate::stream::record::{string_list, subject_list};
use crate::stream::whole_body;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS entries (
  stream_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  entry TEXT
);";
const INSTANCE: &str = "streams";

/// One stream as the directory knows it; `filter` is `None` for a stream that takes no
/// originated events (kept so that an overtaken publication cannot bring it back).
struct Entry {
    seq: i64,
    filter: Option<StreamFilter>,
}

#[durable_object]
pub struct SsfDirectory {
    state: State,
    env: Env,
    /// Every entry, parsed, once read (the object is the only writer of its storage).
    entries: RefCell<Option<BTreeMap<String, Entry>>>,
}

#[derive(Deserialize)]
struct Row {
    stream_id: String,
    seq: i64,
    entry: Option<String>,
}

impl DurableObject for SsfDirectory {
    fn new(state: State, env: Env) -> Self {
        SsfDirectory {
            state,
            env,
            entries: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let bytes = req.bytes().await?;
        let body = parse_object(&bytes, ssf_core::error::Part::Document)
            .map_err(|e| worker::Error::RustError(format!("directory request: {e}")))?;
        let out = match req.path().as_str() {
            "/publish" => self.publish(&body)?,
            "/match" => self.matching(&body)?,
            _ => return Response::error("no such directory operation", 404),
        };
        Ok(json_response(200, &out))
    }
}

impl SsfDirectory {
    fn default_subjects(&self) -> DefaultSubjects {
        if default_subjects_all(&self.env) {
            DefaultSubjects::All
        } else {
            DefaultSubjects::None
        }
    }

    /// Reads every entry into memory, once.
    fn load(&self) -> Result<()> {
        if self.entries.borrow().is_some() {
            return Ok(());
        }
        let sql = self.state.storage().sql();
        sql.exec(SCHEMA, None)?;
        let rows: Vec<Row> = sql
            .exec("SELECT stream_id, seq, entry FROM entries", None)?
            .to_array()?;
        let defaults = self.default_subjects();
        let map = rows
            .into_iter()
            .map(|r| {
                let filter = r.entry.as_deref().and_then(|e| filter_of(e, defaults));
                (r.stream_id, Entry { seq: r.seq, filter })
            })
            .collect();
        self.entries.replace(Some(map));
        Ok(())
    }

    /// `{"stream_id", "seq", "entry": {...} | null}` -> `{"result": "ok" | "stale"}`.
    fn publish(&self, body: &Map) -> Result<Value> {
        let (Some(id), Some(seq)) = (
            body.get_str("stream_id"),
            body.get("seq").and_then(Value::as_i64),
        ) else {
            return Err(worker::Error::RustError(
                "publish needs stream_id and seq".into(),
            ));
        };
        let entry = body.get("entry").filter(|v| !matches!(v, Value::Null));
        self.load()?;
        let mut entries = self.entries.borrow_mut();
        let Some(entries) = entries.as_mut() else {
            return Err(worker::Error::RustError("directory not loaded".into()));
        };
        if entries.get(id).is_some_and(|e| e.seq >= seq) {
            return Ok(result("stale"));
        }
        let text = entry.map(Value::to_json);
        self.state.storage().sql().exec(
            "INSERT INTO entries (stream_id, seq, entry) VALUES (?, ?, ?)
             ON CONFLICT(stream_id) DO UPDATE SET seq = excluded.seq, entry = excluded.entry",
            vec![id.into(), seq.into(), text.clone().into()],
        )?;
        let filter = text
            .as_deref()
            .and_then(|t| filter_of(t, self.default_subjects()));
        entries.insert(id.to_string(), Entry { seq, filter });
        Ok(result("ok"))
    }

    /// `{"sub_id", "events": [uri, ...]}` -> `{"targets": [stream_id, ...]}`: the streams
    /// taking at least one of the events for the subject.
    fn matching(&self, body: &Map) -> Result<Value> {
        let subject = body
            .get("sub_id")
            .and_then(|v| SubjectId::from_value(v).ok())
            .map(|(s, _)| s)
            .ok_or_else(|| worker::Error::RustError("match needs sub_id".into()))?;
        let uris: Vec<&str> = body
            .get("events")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        self.load()?;
        let entries = self.entries.borrow();
        let targets: Vec<Value> = entries
            .iter()
            .flatten()
            .filter(|(_, e)| {
                e.filter.as_ref().is_some_and(|f| {
                    !f.events_taken(Some(&subject), uris.iter().copied())
                        .is_empty()
                })
            })
            .map(|(id, _)| Value::from(id.as_str()))
            .collect();
        let mut m = Map::new();
        m.insert("targets", Value::Array(targets));
        Ok(Value::Object(m))
    }
}

fn result(r: &str) -> Value {
    let mut m = Map::new();
    m.insert("result", r);
    Value::Object(m)
}

/// The filter an entry (`{"events_delivered", "subjects_added", "subjects_removed"}`)
/// stands for.
fn filter_of(entry: &str, defaults: DefaultSubjects) -> Option<StreamFilter> {
    let m = parse_object(entry.as_bytes(), ssf_core::error::Part::Document).ok()?;
    let subjects = |k: &str| subject_list(m.get(k).and_then(Value::as_array).unwrap_or(&[]));
    Some(
        StreamFilter::new(string_list(m.get("events_delivered")), defaults)
            .with_subjects(subjects("subjects_added"), subjects("subjects_removed")),
    )
}

async fn call(env: &Env, path: &str, body: Map) -> std::result::Result<Map, ApiError> {
    let stub = env
        .durable_object(DIRECTORY_BINDING)?
        .get_by_name(INSTANCE)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    init.with_body(Some(Value::Object(body).to_json().into()));
    let req = Request::new_with_init(&format!("https://directory{path}"), &init)?;
    let resp = stub.fetch_with_request(req).await?;
    let status = resp.status_code();
    let bytes = whole_body(resp).await?;
    if status != 200 {
        worker::console_error!(
            "directory {path} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        return Err(ApiError::internal("stream directory unavailable"));
    }
    parse_object(&bytes, ssf_core::error::Part::Document)
        .map_err(|_| ApiError::internal("stream directory answered garbage"))
}

/// Publishes stream `stream_id`'s entry (`None`: it takes no originated events).
pub async fn publish(
    env: &Env,
    stream_id: &str,
    seq: i64,
    entry: Option<Value>,
) -> std::result::Result<(), ApiError> {
    let mut b = Map::new();
    b.insert("stream_id", stream_id);
    b.insert("seq", seq);
    b.insert("entry", entry.unwrap_or(Value::Null));
    call(env, "/publish", b).await.map(drop)
}

/// The ids of the streams taking at least one of `events` about `subject`.
pub async fn targets(
    env: &Env,
    subject: &SubjectId,
    events: impl Iterator<Item = &str>,
) -> std::result::Result<Vec<String>, ApiError> {
    let mut b = Map::new();
    b.insert("sub_id", subject.to_value());
    b.insert(
        "events",
        Value::Array(events.map(Value::from).collect::<Vec<_>>()),
    );
    let r = call(env, "/match", b).await?;
    Ok(string_list(r.get("targets")))
}
