//! The stream's Durable Object (binding `SSF_QUEUE`, class `SsfQueue`, one per stream, named
//! by the stream id): the single source of truth for everything that decides whether a SET
//! is accepted and queued, and the queue itself.
//!
//! It holds, in its SQLite storage:
//! - the stream record (configuration, source, push credential, subjects) with a version
//!   that every write increments; writes are compare-and-set on that version, so two
//!   concurrent changes (two subject removals, a PATCH racing a PUT) never lose one;
//! - the status (`enabled`, `paused`, `disabled`);
//! - the SETs (`sets`, see `queue`) and the `setErrs` reported by the poller.
//!
//! A push is checked here, not in the worker: the object reads the record it alone writes,
//! so a change answered `200` (a key removed because it was compromised, a subject
//! removed, an event type newly requested) takes effect for every later push, at every
//! location. KV keeps only the receiver's index of stream ids and the JWKS cache.
//!
//! A deleted stream's object keeps one marker (`deleted`) and nothing else, so a stale
//! push or poll can never bring it back; an object without a record answers "no such
//! stream" to everything, never a default `enabled`.
//!
//! The worker talks to the object over `fetch` with small JSON bodies ([`StreamClient`]);
//! every operation but the push names the owner, and the object answers "missing" when it
//! is not the stream's owner, exactly as for a stream that does not exist.

mod accept;
pub mod activity;
mod delivery;
mod emit;
mod queue;
pub mod record;
mod upstream;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;
use serde::Deserialize;
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::subject::SubjectId;
use ssf_core::wire::PollRequest;
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, SqlStorage,
    SqlStorageValue, State,
};

use crate::config::{default_subjects_all, knob, QUEUE_BINDING, RETENTION_SECONDS};
use crate::http::{json_response, now_ms, ApiError};
use record::{Settings, StreamRecord};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sets (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  jti TEXT NOT NULL UNIQUE,
  token TEXT,
  received_at INTEGER NOT NULL,
  delivered_at INTEGER,
  deliveries INTEGER NOT NULL DEFAULT 0,
  acked_at INTEGER
);
CREATE INDEX IF NOT EXISTS sets_by_received ON sets(received_at);
CREATE TABLE IF NOT EXISTS set_errs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  jti TEXT NOT NULL,
  err TEXT NOT NULL,
  description TEXT NOT NULL,
  reported_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// Columns added after part one (added to older objects' tables when first opened).
/// `control`: see [`SCHEMA_INDEXES`]; `attempts` and `next_attempt_at`: push delivery's
/// failed attempts and when the next is due (`delivery`).
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("control", "INTEGER NOT NULL DEFAULT 0"),
    ("attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("next_attempt_at", "INTEGER"),
];

/// Added after part one: run once per object instance, after [`SCHEMA`].
/// `control` marks the stream's own announcements (stream-updated on a status change),
/// which SSF requires to be sent before delivery stops, so they stay deliverable while
/// the stream is paused or disabled. The partial indexes keep the queue's queries off the
/// tombstones of acknowledged SETs.
const SCHEMA_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS sets_pending ON sets(seq) WHERE acked_at IS NULL;
CREATE INDEX IF NOT EXISTS sets_in_flight ON sets(delivered_at)
  WHERE acked_at IS NULL AND delivered_at IS NOT NULL;
";

#[durable_object]
pub struct SsfQueue {
    state: State,
    env: Env,
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
    // In-memory mirrors of what the object's own storage holds. A Durable Object is the only
    // writer of its storage and runs one request at a time between awaits, so they cannot
    // go stale; they save SQL statements and parsing on every push.
    /// The schema exists (until `/delete`).
    schema_ready: Cell<bool>,
    /// When expired rows were last deleted.
    pruned_at: Cell<i64>,
    /// The stream status, once read.
    status: RefCell<Option<String>>,
    /// Unacknowledged SETs, once counted; forgotten whenever anything but a store changes it.
    pending: Cell<Option<i64>>,
    /// The parsed record, once read; dropped on every write of the record.
    settings: RefCell<Option<Rc<Settings>>>,
    /// Times a long poll woke up without answering (operators' view; a busy loop shows).
    poll_wakeups: Cell<u64>,
    /// When the alarm is set for, as far as this instance set it.
    alarm_at: Cell<Option<i64>>,
    /// The directory holds this stream's current entry, as far as this instance knows.
    published: Cell<bool>,
    /// When old activity entries were last deleted.
    activity_pruned_at: Cell<i64>,
}

#[derive(Deserialize)]
struct MetaRow {
    value: String,
}

#[derive(Deserialize)]
struct ColumnRow {
    name: String,
}

impl DurableObject for SsfQueue {
    fn new(state: State, env: Env) -> Self {
        SsfQueue {
            state,
            env,
            waiters: RefCell::new(Vec::new()),
            schema_ready: Cell::new(false),
            pruned_at: Cell::new(0),
            status: RefCell::new(None),
            pending: Cell::new(None),
            settings: RefCell::new(None),
            poll_wakeups: Cell::new(0),
            alarm_at: Cell::new(None),
            published: Cell::new(false),
            activity_pruned_at: Cell::new(0),
        }
    }

    /// The alarm: polls the upstream (poll registrations), pushes what is due (push
    /// delivery), prunes the activity log, and sets itself for whichever is due next.
    async fn alarm(&self) -> Result<Response> {
        self.ensure_schema()?;
        self.alarm_at.set(None);
        self.poll_upstream().await?;
        let push_next = self.deliver().await?;
        self.prune_activity(now_ms())?;
        let next = [push_next, self.upstream_poll_at()?, self.prune_due_at()?]
            .into_iter()
            .flatten()
            .min();
        if let Some(at) = next {
            self.arm_at(at).await?;
        }
        Response::ok("")
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.ensure_schema()?;
        let path = req.path();
        if path == "/push" {
            let answer = match self.push(&mut req).await {
                Ok(r) => r,
                Err(e) => e.into_response(),
            };
            if answer.status_code() == 202 {
                self.arm_delivery().await?;
            }
            self.arm_housekeeping().await?;
            return Ok(answer);
        }
        let body = if req.method() == Method::Post {
            let bytes = req.bytes().await?;
            parse_object(&bytes, ssf_core::error::Part::Document)
                .map_err(|e| worker::Error::RustError(format!("stream request: {e}")))?
        } else {
            Map::new()
        };
        if path == "/create" {
            let out = self.create(&body)?;
            if let Some(rec) = self.settings()?.filter(|_| is_result(&out, "created")) {
                self.publish_entry(&rec.rec.id).await?;
                self.published.set(true);
                if let Some(link) = rec
                    .rec
                    .upstream
                    .as_ref()
                    .and_then(crate::upstream::Link::from_value)
                {
                    let mut f = Map::new();
                    f.insert("what", "registered");
                    f.insert("upstream_stream_id", link.upstream_stream_id.as_str());
                    f.insert("delivery", link.register.delivery.as_str());
                    self.record_activity("upstream", f);
                }
                self.arm_upstream_poll().await?;
            }
            return Ok(json_response(200, &out));
        }
        if !self.published.get() {
            self.publish_if_stale().await?;
            self.published.set(true);
        }
        if path == "/emit" {
            let out = self.emit(&body).await?;
            if is_result(&out, "stored") {
                self.arm_delivery().await?;
            }
            return Ok(json_response(200, &out));
        }
        // Every other operation is the owner's.
        let owner = body.get_str("owner").unwrap_or_default();
        let Some(settings) = self.settings()? else {
            return Ok(missing());
        };
        if owner.is_empty() || settings.rec.owner != owner {
            return Ok(missing());
        }
        let now = now_ms();
        self.prune_if_due(now, path == "/info")?;
        let out = match path.as_str() {
            "/get" => self.get()?,
            "/put" => self.put(&body)?,
            "/subject" => self.change_subject(&body)?,
            "/delete" => self.delete().await?,
            "/enqueue" => self.enqueue(&body, now)?,
            "/poll" if settings.push_target.is_some() => {
                let mut m = Map::new();
                m.insert(
                    "bad_request",
                    "this stream delivers by push (urn:ietf:rfc:8935), not poll",
                );
                Value::Object(m)
            }
            "/poll" => {
                let request = body
                    .get("request")
                    .ok_or_else(|| worker::Error::RustError("poll needs request".into()))?;
                let request = PollRequest::from_value(request)
                    .map_err(|e| worker::Error::RustError(format!("poll request: {e}")))?;
                self.poll(request).await?
            }
            "/status" if body.contains_key("status") => self.set_status(&body, now)?,
            "/status" => self.status_value()?,
            "/info" => self.info()?,
            "/registration" => self.registration_change(&body)?,
            "/activity" => self.activity_page(&body)?,
            _ => return Response::error("no such stream operation", 404),
        };
        let changed = match path.as_str() {
            "/put" => is_result(&out, "ok"),
            "/subject" => true,
            "/delete" => true,
            "/status" => matches!(out.get("changed"), Some(Value::Bool(true))),
            _ => false,
        };
        if changed {
            self.published.set(false);
            self.publish_entry(&settings.rec.id).await?;
            self.published.set(true);
        }
        if matches!(path.as_str(), "/enqueue" | "/status" | "/put") {
            self.arm_delivery().await?;
        }
        if changed {
            self.arm_upstream_poll().await?;
        }
        self.arm_housekeeping().await?;
        Ok(json_response(200, &out))
    }
}

fn missing() -> Response {
    let mut m = Map::new();
    m.insert("missing", true);
    json_response(200, &Value::Object(m))
}

fn is_result(v: &Value, r: &str) -> bool {
    v.get("result").and_then(Value::as_str) == Some(r)
}

fn result(r: &str) -> Value {
    let mut m = Map::new();
    m.insert("result", r);
    Value::Object(m)
}

impl SsfQueue {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn ensure_schema(&self) -> Result<()> {
        if self.schema_ready.get() {
            return Ok(());
        }
        self.sql().exec(SCHEMA, None)?;
        let columns: Vec<ColumnRow> = self
            .sql()
            .exec("SELECT name FROM pragma_table_info('sets')", None)?
            .to_array()?;
        for (name, ddl) in ADDED_COLUMNS {
            if !columns.iter().any(|c| c.name == *name) {
                self.sql()
                    .exec(&format!("ALTER TABLE sets ADD COLUMN {name} {ddl}"), None)?;
            }
        }
        self.sql().exec(SCHEMA_INDEXES, None)?;
        self.sql().exec(activity::ACTIVITY_SCHEMA, None)?;
        self.schema_ready.set(true);
        Ok(())
    }

    /// Deletes expired rows at most once per `PRUNE_INTERVAL_MS` (or when `now_anyway`).
    fn prune_if_due(&self, now: i64, now_anyway: bool) -> Result<()> {
        let retention = self.ms("SSF_RETENTION_SECONDS", RETENTION_SECONDS);
        if now_anyway || now - self.pruned_at.get() >= queue::PRUNE_INTERVAL_MS.min(retention) {
            self.prune(now - retention)?;
            self.pruned_at.set(now);
        }
        Ok(())
    }

    fn ms(&self, name: &str, default_secs: u64) -> i64 {
        (knob(&self.env, name, default_secs) as i64).saturating_mul(1000)
    }

    fn meta_get(&self, key: &str) -> Result<Option<String>> {
        let rows: Vec<MetaRow> = self
            .sql()
            .exec("SELECT value FROM meta WHERE key = ?", vec![key.into()])?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.value))
    }

    fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        self.sql().exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            vec![key.into(), value.into()],
        )?;
        Ok(())
    }

    fn count(&self, query: &str, args: Vec<SqlStorageValue>) -> Result<i64> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let rows: Vec<Count> = self.sql().exec(query, args)?.to_array()?;
        Ok(rows.first().map(|c| c.n).unwrap_or(0))
    }

    fn version(&self) -> Result<i64> {
        Ok(self
            .meta_get("version")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// The parsed record; `None` for a stream that does not exist (never created, or
    /// deleted).
    fn settings(&self) -> Result<Option<Rc<Settings>>> {
        if let Some(s) = self.settings.borrow().as_ref() {
            return Ok(Some(s.clone()));
        }
        let Some(raw) = self.meta_get("record")? else {
            return Ok(None);
        };
        let Some(rec) = StreamRecord::from_json(&raw) else {
            worker::console_error!("stream record unreadable in {}", self.state.id());
            return Err(worker::Error::RustError("stream record unreadable".into()));
        };
        let default_subjects = if default_subjects_all(&self.env) {
            ssf_core::wire::DefaultSubjects::All
        } else {
            ssf_core::wire::DefaultSubjects::None
        };
        let s = Rc::new(Settings::new(rec, default_subjects));
        self.settings.replace(Some(s.clone()));
        Ok(Some(s))
    }

    fn write_record(&self, rec: &StreamRecord) -> Result<i64> {
        let version = self.version()? + 1;
        self.meta_set("record", &rec.to_value().to_json())?;
        self.meta_set("version", &version.to_string())?;
        self.settings.replace(None);
        Ok(version)
    }

    /// `{"record"}` -> `{"result": "created" | "exists" | "deleted"}`.
    fn create(&self, body: &Map) -> Result<Value> {
        if self.meta_get("deleted")?.is_some() {
            return Ok(result("deleted"));
        }
        if self.meta_get("record")?.is_some() {
            return Ok(result("exists"));
        }
        let rec = body
            .get("record")
            .and_then(StreamRecord::from_value)
            .ok_or_else(|| worker::Error::RustError("create needs a record".into()))?;
        self.write_record(&rec)?;
        Ok(result("created"))
    }

    /// `{}` -> `{"record", "version"}`.
    fn get(&self) -> Result<Value> {
        let mut m = Map::new();
        let settings = self
            .settings()?
            .ok_or_else(|| worker::Error::RustError("no record".into()))?;
        m.insert("record", settings.rec.to_value());
        m.insert("version", self.version()?);
        Ok(Value::Object(m))
    }

    /// `{"version", "record"}` -> `{"result": "ok" | "conflict", "version"}`. The owner and
    /// id cannot change.
    fn put(&self, body: &Map) -> Result<Value> {
        let expected = body.get("version").and_then(Value::as_i64);
        let current = self.version()?;
        if expected != Some(current) {
            let mut v = result("conflict");
            if let Value::Object(m) = &mut v {
                m.insert("version", current);
            }
            return Ok(v);
        }
        let old = self
            .settings()?
            .ok_or_else(|| worker::Error::RustError("no record".into()))?;
        let mut rec = body
            .get("record")
            .and_then(StreamRecord::from_value)
            .ok_or_else(|| worker::Error::RustError("put needs a record".into()))?;
        rec.id = old.rec.id.clone();
        rec.owner = old.rec.owner.clone();
        let version = self.write_record(&rec)?;
        self.wake_all();
        let mut f = Map::new();
        f.insert("version", version);
        self.record_activity("config_updated", f);
        let mut v = result("ok");
        if let Value::Object(m) = &mut v {
            m.insert("version", version);
        }
        Ok(v)
    }

    /// `{"subject", "add": bool}` -> `{"result": "ok"}`: adds (or removes) a subject in one
    /// step of the object, so concurrent changes never lose one. The subject was validated
    /// by the worker; it is compared as SSF's "identical".
    fn change_subject(&self, body: &Map) -> Result<Value> {
        let value = body
            .get("subject")
            .ok_or_else(|| worker::Error::RustError("subject needs subject".into()))?;
        let (subject, _) = SubjectId::from_value(value)
            .map_err(|e| worker::Error::RustError(format!("subject: {e}")))?;
        let add = matches!(body.get("add"), Some(Value::Bool(true)));
        let settings = self
            .settings()?
            .ok_or_else(|| worker::Error::RustError("no record".into()))?;
        let mut rec = settings.rec.clone();
        let same = |v: &Value| {
            SubjectId::from_value(v)
                .map(|(s, _)| s.identical(&subject))
                .unwrap_or(false)
        };
        let (keep_out, put_in) = if add {
            (&mut rec.subjects_removed, &mut rec.subjects_added)
        } else {
            (&mut rec.subjects_added, &mut rec.subjects_removed)
        };
        keep_out.retain(|v| !same(v));
        if !put_in.iter().any(same) {
            put_in.push(subject.to_value());
        }
        self.write_record(&rec)?;
        let mut f = Map::new();
        f.insert("subject", subject.to_value());
        let kind = if add {
            "subject_added"
        } else {
            "subject_removed"
        };
        self.record_activity(kind, f);
        Ok(result("ok"))
    }

    /// Deletes everything, keeping only the marker that the stream is gone for good.
    async fn delete(&self) -> Result<Value> {
        self.wake_all();
        self.state.storage().delete_all().await?;
        self.schema_ready.set(false);
        self.status.replace(None);
        self.pending.set(None);
        self.settings.replace(None);
        self.ensure_schema()?;
        self.meta_set("deleted", &now_ms().to_string())?;
        Ok(result("deleted"))
    }

    fn wake_all(&self) {
        let waiters: Vec<_> = self.waiters.borrow_mut().drain(..).collect();
        for w in waiters {
            let _ = w.send(());
        }
    }
}

/// The body of a subrequest's response in one `arrayBuffer()` call: `Response::bytes` reads
/// it through a stream reader, which costs several JS calls and microtasks per chunk.
pub async fn whole_body(resp: Response) -> Result<Vec<u8>> {
    let web: worker::web_sys::Response = resp.into();
    let buffer = worker::wasm_bindgen_futures::JsFuture::from(web.array_buffer()?).await?;
    Ok(worker::js_sys::Uint8Array::new(&buffer).to_vec())
}

/// What the queue did with a SET.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Enqueued {
    Stored,
    Duplicate,
    /// The stream is disabled: dropped.
    Dropped,
    /// The queue holds `SSF_MAX_QUEUED_SETS` unacknowledged SETs.
    Full,
    /// A verification request sooner than the stream's minimum interval.
    TooSoon,
}

impl Enqueued {
    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "stored" => Enqueued::Stored,
            "duplicate" => Enqueued::Duplicate,
            "dropped" => Enqueued::Dropped,
            "full" => Enqueued::Full,
            "too_soon" => Enqueued::TooSoon,
            _ => return None,
        })
    }
}

/// A stream as read from its object.
pub struct Loaded {
    pub rec: StreamRecord,
    pub version: i64,
}

/// The worker side of a stream's object: one call per operation, each for `owner`.
pub struct StreamClient {
    stub: worker::Stub,
    owner: String,
}

fn not_found() -> ApiError {
    ApiError::not_found("no such stream")
}

impl StreamClient {
    /// The object of stream `stream_id`, acting for receiver `owner`. An id we could not
    /// have minted is `404` without waking any object.
    pub fn new(env: &Env, stream_id: &str, owner: &str) -> std::result::Result<Self, ApiError> {
        if !crate::streams::is_valid_id(stream_id) {
            return Err(not_found());
        }
        let stub = env.durable_object(QUEUE_BINDING)?.get_by_name(stream_id)?;
        Ok(StreamClient {
            stub,
            owner: owner.to_string(),
        })
    }

    async fn call(&self, path: &str, mut body: Map) -> std::result::Result<Map, ApiError> {
        body.insert("owner", self.owner.as_str());
        let mut init = RequestInit::new();
        init.with_method(Method::Post);
        init.with_body(Some(Value::Object(body).to_json().into()));
        let req = Request::new_with_init(&format!("https://stream{path}"), &init)?;
        let resp = self.stub.fetch_with_request(req).await?;
        let status = resp.status_code();
        let bytes = whole_body(resp).await?;
        if status != 200 {
            worker::console_error!(
                "stream {path} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
            return Err(ApiError::internal("stream storage unavailable"));
        }
        let m = parse_object(&bytes, ssf_core::error::Part::Document)
            .map_err(|_| ApiError::internal("stream storage answered garbage"))?;
        if matches!(m.get("missing"), Some(Value::Bool(true))) {
            return Err(not_found());
        }
        if let Some(why) = m.get_str("bad_request") {
            return Err(ApiError::bad_request(why));
        }
        Ok(m)
    }

    /// Stores a new stream's record; `false` if the id is taken (or was deleted).
    pub async fn create(&self, rec: &StreamRecord) -> std::result::Result<bool, ApiError> {
        let mut b = Map::new();
        b.insert("record", rec.to_value());
        let r = self.call("/create", b).await?;
        Ok(r.get_str("result") == Some("created"))
    }

    pub async fn load(&self) -> std::result::Result<Loaded, ApiError> {
        let r = self.call("/get", Map::new()).await?;
        let rec = r
            .get("record")
            .and_then(StreamRecord::from_value)
            .ok_or_else(|| ApiError::internal("stream storage answered garbage"))?;
        Ok(Loaded {
            rec,
            version: r.get("version").and_then(Value::as_i64).unwrap_or(0),
        })
    }

    /// Writes `rec` if the stream is still at `version`; `false` if it changed meanwhile.
    pub async fn store(
        &self,
        rec: &StreamRecord,
        version: i64,
    ) -> std::result::Result<bool, ApiError> {
        let mut b = Map::new();
        b.insert("record", rec.to_value());
        b.insert("version", version);
        let r = self.call("/put", b).await?;
        Ok(r.get_str("result") == Some("ok"))
    }

    /// Applies `change` to the stored record, compare-and-set, retrying a few times when a
    /// concurrent write got there first. Returns the record as written and `change`'s value.
    pub async fn update<T>(
        &self,
        mut change: impl FnMut(&mut StreamRecord) -> std::result::Result<T, ApiError>,
    ) -> std::result::Result<(StreamRecord, T), ApiError> {
        for _ in 0..8 {
            let Loaded {
                mut rec, version, ..
            } = self.load().await?;
            let out = change(&mut rec)?;
            if self.store(&rec, version).await? {
                return Ok((rec, out));
            }
        }
        Err(ApiError::conflict(
            "the stream is being changed concurrently; retry",
        ))
    }

    /// Adds (`add`) or removes `subject`, atomically in the object.
    pub async fn change_subject(
        &self,
        subject: &SubjectId,
        add: bool,
    ) -> std::result::Result<(), ApiError> {
        let mut b = Map::new();
        b.insert("subject", subject.to_value());
        b.insert("add", add);
        self.call("/subject", b).await.map(drop)
    }

    pub async fn delete(&self) -> std::result::Result<(), ApiError> {
        self.call("/delete", Map::new()).await.map(drop)
    }

    async fn enqueue_with(&self, b: Map) -> std::result::Result<Enqueued, ApiError> {
        let r = self.call("/enqueue", b).await?;
        r.get_str("result")
            .and_then(Enqueued::from_name)
            .ok_or_else(|| ApiError::internal("stream storage answered garbage"))
    }

    /// Stores a verification SET (rate limited by `min_interval_ms`); its `state` goes to
    /// the activity log.
    pub async fn enqueue_verification(
        &self,
        jti: &str,
        token: &str,
        min_interval_ms: i64,
        state: Option<&str>,
    ) -> std::result::Result<Enqueued, ApiError> {
        let mut b = Map::new();
        b.insert("jti", jti);
        b.insert("set", token);
        b.insert("min_interval_ms", min_interval_ms);
        if let Some(s) = state {
            b.insert("state", s);
        }
        self.enqueue_with(b).await
    }

    /// Runs an RFC 8936 poll request (validated) and returns the response object.
    pub async fn poll(&self, request: PollRequest) -> std::result::Result<Map, ApiError> {
        let mut b = Map::new();
        b.insert("request", request.to_value());
        self.call("/poll", b).await
    }

    /// `(status, reason)`.
    pub async fn status(&self) -> std::result::Result<(String, Option<String>), ApiError> {
        let r = self.call("/status", Map::new()).await?;
        Ok((
            r.get_str("status").unwrap_or("enabled").to_string(),
            r.get_str("reason").map(str::to_string),
        ))
    }

    /// Sets the status; when it changes, `announcement` (`(jti, SET)`) is stored in the same
    /// step, as a control SET deliverable whatever the status. Returns the new
    /// `(status, reason)` and whether it changed.
    pub async fn set_status(
        &self,
        status: &str,
        reason: Option<&str>,
        announcement: Option<(&str, &str)>,
    ) -> std::result::Result<(String, Option<String>, bool), ApiError> {
        let mut b = Map::new();
        b.insert("status", status);
        if let Some(r) = reason {
            b.insert("reason", r);
        }
        if let Some((jti, set)) = announcement {
            let mut a = Map::new();
            a.insert("jti", jti);
            a.insert("set", set);
            b.insert("announce", Value::Object(a));
        }
        let r = self.call("/status", b).await?;
        Ok((
            r.get_str("status").unwrap_or("enabled").to_string(),
            r.get_str("reason").map(str::to_string),
            matches!(r.get("changed"), Some(Value::Bool(true))),
        ))
    }

    pub async fn info(&self) -> std::result::Result<Map, ApiError> {
        self.call("/info", Map::new()).await
    }

    /// Sets (`set`) and removes (`remove`) members of `source.registration`.
    pub async fn registration_change(
        &self,
        set: Map,
        remove: &[&str],
    ) -> std::result::Result<(), ApiError> {
        let mut b = Map::new();
        b.insert("set", Value::Object(set));
        b.insert(
            "remove",
            Value::Array(remove.iter().map(|r| Value::from(*r)).collect()),
        );
        self.call("/registration", b).await.map(drop)
    }
}

/// Forwards a push to stream `stream_id`'s object, which answers it whole.
pub async fn forward_push(
    env: &Env,
    stream_id: &str,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
) -> std::result::Result<Response, ApiError> {
    if !crate::streams::is_valid_id(stream_id) {
        return Err(ApiError::not_found("no such stream"));
    }
    let stub = env.durable_object(QUEUE_BINDING)?.get_by_name(stream_id)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    init.with_body(Some(
        worker::js_sys::Uint8Array::from(body.as_slice()).into(),
    ));
    let req = Request::new_with_init("https://stream/push", &init)?;
    if let Some(a) = authorization {
        req.headers().set("Authorization", &a)?;
    }
    if let Some(ct) = content_type {
        req.headers().set("Content-Type", &ct)?;
    }
    Ok(stub.fetch_with_request(req).await?)
}
