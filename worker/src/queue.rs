//! The per-stream SET queue: one SQLite-backed Durable Object per stream (binding `SSF_QUEUE`,
//! class `SsfQueue`, named by the stream id).
//!
//! Table `sets`, one row per `jti` (the primary deduplication key), in arrival order:
//! - pending: `acked_at` NULL; `delivered_at` NULL (never delivered) or the time of the last
//!   delivery. A delivered SET not acknowledged within `REDELIVERY_SECONDS` is eligible again.
//! - acknowledged: `acked_at` set and the token dropped; the row stays as a tombstone so that
//!   a repeated push of the same `jti` is answered `202` without being queued again.
//! - every row is deleted `RETENTION_SECONDS` after it was received (acknowledged or not).
//!
//! A `setErrs` entry counts as an acknowledgement (the poller has the SET, it failed its
//! checks) and is recorded in table `set_errs` for the operator (`GET /ssf/queue`).
//!
//! Stream status lives here too, so that it is strongly consistent with the queue:
//! `enabled` delivers; `paused` holds SETs (they are kept and delivered once enabled again);
//! `disabled` drops queued SETs and every SET that arrives while disabled.
//!
//! Long polling: a poll that finds nothing to deliver registers a waiter (a oneshot channel)
//! and sleeps until a push stores a SET (or the status changes) or until the earlier of the
//! long-poll bound and the next redelivery becomes due; then it looks again. Waiters live in
//! the object's memory: a Durable Object is single-threaded and all requests for one stream
//! reach the same instance, so a push and a waiting poll always meet.
//!
//! The worker talks to the object over `fetch` with small JSON bodies (`QueueClient`).

use std::cell::{Cell, RefCell};
use std::time::Duration;

use futures_channel::oneshot;
use futures_util::future::{select, Either};
use serde::Deserialize;
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::wire::PollRequest;
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, SqlStorage,
    SqlStorageValue, State,
};

use crate::config::{
    knob, LONG_POLL_SECONDS, MAX_QUEUED_SETS, MAX_SETS_PER_POLL, QUEUE_BINDING, REDELIVERY_SECONDS,
    RETENTION_SECONDS,
};
use crate::http::{json_response, now_ms, ApiError};

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

/// How many reported `setErrs` are kept per stream (oldest dropped first).
const MAX_SET_ERRS_KEPT: i64 = 1000;

/// Expired rows are deleted at most this often (or once per retention period, if shorter).
/// Reads filter on retention themselves, so the interval never shows an expired SET.
const PRUNE_INTERVAL_MS: i64 = 60_000;

#[durable_object]
pub struct SsfQueue {
    state: State,
    env: Env,
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
    // In-memory mirrors of what the object's own storage holds. A Durable Object is the only
    // writer of its storage and runs one request at a time, so they cannot go stale; they
    // save a handful of SQL statements on every push.
    /// The schema exists (until `/destroy`).
    schema_ready: Cell<bool>,
    /// When expired rows were last deleted.
    pruned_at: Cell<i64>,
    /// The stream status, once read.
    status: RefCell<Option<String>>,
    /// Unacknowledged SETs, once counted; forgotten whenever anything but a store changes it.
    pending: Cell<Option<i64>>,
}

#[derive(Deserialize)]
struct Row {
    jti: String,
    token: Option<String>,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

#[derive(Deserialize)]
struct MinTime {
    t: Option<i64>,
}

#[derive(Deserialize)]
struct MetaRow {
    value: String,
}

#[derive(Deserialize)]
struct ErrRow {
    jti: String,
    err: String,
    description: String,
    reported_at: i64,
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
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if !self.schema_ready.get() {
            self.sql().exec(SCHEMA, None)?;
            self.schema_ready.set(true);
        }
        let path = req.path();
        let body = if req.method() == Method::Post {
            let bytes = req.bytes().await?;
            parse_object(&bytes, ssf_core::error::Part::Document)
                .map_err(|e| worker::Error::RustError(format!("queue request: {e}")))?
        } else {
            Map::new()
        };
        let now = now_ms();
        let retention = self.ms("SSF_RETENTION_SECONDS", RETENTION_SECONDS);
        if now - self.pruned_at.get() >= PRUNE_INTERVAL_MS.min(retention) || path == "/info" {
            self.prune(now - retention)?;
            self.pruned_at.set(now);
        }
        let out = match path.as_str() {
            "/enqueue" => self.enqueue(&body, now)?,
            "/poll" => self.poll(&body).await?,
            "/status" if req.method() == Method::Post => self.set_status(&body)?,
            "/status" => self.status_value()?,
            "/info" => self.info()?,
            "/destroy" => {
                self.wake_all();
                self.state.storage().delete_all().await?;
                self.schema_ready.set(false);
                self.status.replace(None);
                self.pending.set(None);
                Value::Object(Map::new())
            }
            _ => return Response::error("no such queue operation", 404),
        };
        Ok(json_response(200, &out))
    }
}

impl SsfQueue {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
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

    fn status(&self) -> Result<String> {
        if let Some(s) = self.status.borrow().as_ref() {
            return Ok(s.clone());
        }
        let s = self
            .meta_get("status")?
            .unwrap_or_else(|| "enabled".to_string());
        self.status.replace(Some(s.clone()));
        Ok(s)
    }

    fn count(&self, query: &str, args: Vec<SqlStorageValue>) -> Result<i64> {
        let rows: Vec<Count> = self.sql().exec(query, args)?.to_array()?;
        Ok(rows.first().map(|c| c.n).unwrap_or(0))
    }

    /// Drops rows received before `cutoff`, and `set_errs` past their cap.
    fn prune(&self, cutoff: i64) -> Result<()> {
        self.pending.set(None);
        self.sql().exec(
            "DELETE FROM sets WHERE received_at < ?",
            vec![cutoff.into()],
        )?;
        self.sql().exec(
            "DELETE FROM set_errs WHERE reported_at < ? OR id <= (SELECT MAX(id) FROM set_errs) - ?",
            vec![cutoff.into(), MAX_SET_ERRS_KEPT.into()],
        )?;
        Ok(())
    }

    fn wake_all(&self) {
        let waiters: Vec<_> = self.waiters.borrow_mut().drain(..).collect();
        for w in waiters {
            let _ = w.send(());
        }
    }

    /// `{"jti", "set", "min_interval_ms"?}` -> `{"result": "stored"|"duplicate"|"dropped"|"full"|"too_soon"}`.
    fn enqueue(&self, body: &Map, now: i64) -> Result<Value> {
        let jti = body.get_str("jti").unwrap_or_default();
        let token = body.get_str("set").unwrap_or_default();
        if jti.is_empty() || token.is_empty() {
            return Err(worker::Error::RustError("enqueue needs jti and set".into()));
        }
        let result = if let Some(min) = body.get("min_interval_ms").and_then(Value::as_i64) {
            // A verification request: rate limited per stream.
            let last = self
                .meta_get("last_verification_ms")?
                .and_then(|v| v.parse::<i64>().ok());
            match last {
                Some(t) if min > 0 && now - t < min => "too_soon",
                _ => {
                    self.meta_set("last_verification_ms", &now.to_string())?;
                    self.store(jti, token, now)?
                }
            }
        } else {
            self.store(jti, token, now)?
        };
        let mut m = Map::new();
        m.insert("result", result);
        Ok(Value::Object(m))
    }

    fn store(&self, jti: &str, token: &str, now: i64) -> Result<&'static str> {
        if self.status()? == "disabled" {
            return Ok("dropped");
        }
        let pending = match self.pending.get() {
            Some(n) => n,
            None => self.count(
                "SELECT COUNT(*) AS n FROM sets WHERE acked_at IS NULL",
                vec![],
            )?,
        };
        self.pending.set(Some(pending));
        if pending >= knob(&self.env, "SSF_MAX_QUEUED_SETS", MAX_QUEUED_SETS) as i64 {
            // A repeat of a SET already held is still answered as such, full or not.
            let exists = self.count(
                "SELECT COUNT(*) AS n FROM sets WHERE jti = ?",
                vec![jti.into()],
            )?;
            return Ok(if exists > 0 { "duplicate" } else { "full" });
        }
        // One statement both deduplicates (`jti` is UNIQUE) and stores.
        let inserted = self.sql().exec(
            "INSERT INTO sets (jti, token, received_at) VALUES (?, ?, ?) ON CONFLICT(jti) DO NOTHING",
            vec![jti.into(), token.into(), now.into()],
        )?;
        if inserted.rows_written() == 0 {
            return Ok("duplicate");
        }
        self.pending.set(Some(pending + 1));
        self.wake_all();
        Ok("stored")
    }

    fn acknowledge(&self, jti: &str, now: i64) -> Result<()> {
        self.pending.set(None);
        self.sql().exec(
            "UPDATE sets SET token = NULL, acked_at = ? WHERE jti = ? AND acked_at IS NULL",
            vec![now.into(), jti.into()],
        )?;
        Ok(())
    }

    /// `{"maxEvents"?, "returnImmediately"?, "ack"?, "setErrs"?}` (already validated by the
    /// worker) -> `{"sets": {...}, "moreAvailable": bool}`.
    async fn poll(&self, body: &Map) -> Result<Value> {
        let now = now_ms();
        let request = PollRequest::from_value(&Value::Object(body.clone()))
            .map_err(|e| worker::Error::RustError(format!("poll request: {e}")))?;
        for jti in request.acks() {
            self.acknowledge(jti, now)?;
        }
        for (jti, e) in request.errors() {
            let err = e.err.as_str().to_string();
            let description = e.description.clone();
            worker::console_log!(
                "setErrs: stream queue {} SET {jti:?}: {err}: {description}",
                self.state.id()
            );
            self.sql().exec(
                "INSERT INTO set_errs (jti, err, description, reported_at) VALUES (?, ?, ?, ?)",
                vec![
                    jti.as_str().into(),
                    err.into(),
                    description.into(),
                    now.into(),
                ],
            )?;
            self.acknowledge(jti, now)?;
        }
        let limit = match request.max_events {
            Some(n) => (n as i64).min(MAX_SETS_PER_POLL),
            None => MAX_SETS_PER_POLL,
        };
        // An acknowledge-only request has nothing to wait for.
        let return_immediately = request.returns_immediately() || limit == 0;
        let redelivery = self.ms("SSF_REDELIVERY_SECONDS", REDELIVERY_SECONDS);
        let deadline = now + self.ms("SSF_LONG_POLL_SECONDS", LONG_POLL_SECONDS);

        loop {
            let now = now_ms();
            let enabled = self.status()? == "enabled";
            if enabled {
                let (sets, more) = self.take(limit, now, redelivery)?;
                if !sets.is_empty() || return_immediately || now >= deadline {
                    return Ok(poll_answer(sets, more));
                }
            } else if return_immediately || now >= deadline {
                return Ok(poll_answer(Map::new(), false));
            }
            // Sleep until something arrives, the bound passes, or a redelivery is due.
            let mut wake_at = deadline;
            if enabled {
                let next: Vec<MinTime> = self
                    .sql()
                    .exec(
                        "SELECT MIN(delivered_at) AS t FROM sets WHERE acked_at IS NULL AND delivered_at IS NOT NULL",
                        None,
                    )?
                    .to_array()?;
                if let Some(t) = next.first().and_then(|m| m.t) {
                    wake_at = wake_at.min(t + redelivery);
                }
            }
            let wait = (wake_at - now).max(1) as u64;
            let (tx, rx) = oneshot::channel();
            self.waiters.borrow_mut().push(tx);
            let sleep = worker::Delay::from(Duration::from_millis(wait));
            match select(rx, sleep).await {
                Either::Left(_) | Either::Right(_) => {}
            }
        }
    }

    /// Takes up to `limit` deliverable SETs (oldest first), marking them delivered.
    fn take(&self, limit: i64, now: i64, redelivery: i64) -> Result<(Map, bool)> {
        let due = now - redelivery;
        let expired = now - self.ms("SSF_RETENTION_SECONDS", RETENTION_SECONDS);
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT jti, token FROM sets WHERE acked_at IS NULL AND token IS NOT NULL \
                 AND (delivered_at IS NULL OR delivered_at <= ?) AND received_at >= ? \
                 ORDER BY seq LIMIT ?",
                vec![due.into(), expired.into(), (limit + 1).into()],
            )?
            .to_array()?;
        let more = rows.len() as i64 > limit;
        let mut sets = Map::new();
        for r in rows.into_iter().take(limit as usize) {
            self.sql().exec(
                "UPDATE sets SET delivered_at = ?, deliveries = deliveries + 1 WHERE jti = ?",
                vec![now.into(), r.jti.as_str().into()],
            )?;
            sets.insert(r.jti, r.token.unwrap_or_default());
        }
        Ok((sets, more))
    }

    fn status_value(&self) -> Result<Value> {
        let mut m = Map::new();
        m.insert("status", self.status()?);
        if let Some(r) = self.meta_get("reason")? {
            m.insert("reason", r);
        }
        Ok(Value::Object(m))
    }

    /// `{"status", "reason"?}` -> `{"status", "reason"?, "changed": bool}`.
    fn set_status(&self, body: &Map) -> Result<Value> {
        let status = body.get_str("status").unwrap_or("enabled");
        let before = self.status()?;
        self.meta_set("status", status)?;
        self.status.replace(Some(status.to_string()));
        match body.get_str("reason") {
            Some(r) => self.meta_set("reason", r)?,
            None => {
                self.sql()
                    .exec("DELETE FROM meta WHERE key = 'reason'", None)?;
            }
        }
        if status == "disabled" {
            // Disabled streams do not hold events.
            self.sql()
                .exec("DELETE FROM sets WHERE acked_at IS NULL", None)?;
            self.pending.set(None);
        }
        self.wake_all();
        let mut v = self.status_value()?;
        if let Value::Object(m) = &mut v {
            m.insert("changed", before != status);
        }
        Ok(v)
    }

    fn info(&self) -> Result<Value> {
        let now = now_ms();
        let due = now - self.ms("SSF_REDELIVERY_SECONDS", REDELIVERY_SECONDS);
        let mut q = Map::new();
        q.insert("status", self.status()?);
        q.insert(
            "pending",
            self.count(
                "SELECT COUNT(*) AS n FROM sets WHERE acked_at IS NULL AND delivered_at IS NULL",
                vec![],
            )?,
        );
        q.insert(
            "awaiting_ack",
            self.count(
                "SELECT COUNT(*) AS n FROM sets WHERE acked_at IS NULL AND delivered_at IS NOT NULL AND delivered_at > ?",
                vec![due.into()],
            )?,
        );
        q.insert(
            "due_for_redelivery",
            self.count(
                "SELECT COUNT(*) AS n FROM sets WHERE acked_at IS NULL AND delivered_at IS NOT NULL AND delivered_at <= ?",
                vec![due.into()],
            )?,
        );
        q.insert(
            "acknowledged",
            self.count(
                "SELECT COUNT(*) AS n FROM sets WHERE acked_at IS NOT NULL",
                vec![],
            )?,
        );
        let errs: Vec<ErrRow> = self
            .sql()
            .exec(
                "SELECT jti, err, description, reported_at FROM set_errs ORDER BY id DESC LIMIT 100",
                None,
            )?
            .to_array()?;
        let errs: Vec<Value> = errs
            .into_iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("jti", e.jti);
                m.insert("err", e.err);
                m.insert("description", e.description);
                m.insert("reported_at", e.reported_at / 1000);
                Value::Object(m)
            })
            .collect();
        q.insert("set_errs", Value::Array(errs));
        Ok(Value::Object(q))
    }
}

fn poll_answer(sets: Map, more: bool) -> Value {
    let mut m = Map::new();
    m.insert("sets", Value::Object(sets));
    m.insert("moreAvailable", more);
    Value::Object(m)
}

/// The body of a subrequest's response in one `arrayBuffer()` call: `Response::bytes` reads
/// it through a stream reader, which costs several JS calls and microtasks per chunk.
async fn whole_body(resp: Response) -> Result<Vec<u8>> {
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

/// The worker side of the queue: one call per operation on the stream's Durable Object.
pub struct QueueClient {
    stub: worker::Stub,
}

impl QueueClient {
    pub fn for_stream(env: &Env, stream_id: &str) -> std::result::Result<Self, ApiError> {
        let ns = env.durable_object(QUEUE_BINDING)?;
        let stub = ns.get_by_name(stream_id)?;
        Ok(QueueClient { stub })
    }

    async fn call(&self, path: &str, body: Option<Map>) -> std::result::Result<Map, ApiError> {
        let mut init = RequestInit::new();
        match body {
            Some(b) => {
                init.with_method(Method::Post);
                init.with_body(Some(Value::Object(b).to_json().into()));
            }
            None => {
                init.with_method(Method::Get);
            }
        }
        let req = Request::new_with_init(&format!("https://queue{path}"), &init)?;
        let resp = self.stub.fetch_with_request(req).await?;
        let status = resp.status_code();
        let bytes = whole_body(resp).await?;
        if status != 200 {
            worker::console_error!(
                "queue {path} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
            return Err(ApiError::internal("queue unavailable"));
        }
        parse_object(&bytes, ssf_core::error::Part::Document)
            .map_err(|_| ApiError::internal("queue answered garbage"))
    }

    /// Stores a SET. `min_interval_ms` marks a verification SET (rate limited).
    pub async fn enqueue(
        &self,
        jti: &str,
        token: &str,
        min_interval_ms: Option<i64>,
    ) -> std::result::Result<Enqueued, ApiError> {
        let mut b = Map::new();
        b.insert("jti", jti);
        b.insert("set", token);
        if let Some(ms) = min_interval_ms {
            b.insert("min_interval_ms", ms);
        }
        let r = self.call("/enqueue", Some(b)).await?;
        Ok(match r.get_str("result") {
            Some("stored") => Enqueued::Stored,
            Some("duplicate") => Enqueued::Duplicate,
            Some("dropped") => Enqueued::Dropped,
            Some("full") => Enqueued::Full,
            Some("too_soon") => Enqueued::TooSoon,
            _ => return Err(ApiError::internal("queue answered garbage")),
        })
    }

    /// Runs an RFC 8936 poll request (validated) and returns the response object.
    pub async fn poll(&self, request: PollRequest) -> std::result::Result<Map, ApiError> {
        let body = match request.to_value() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.call("/poll", Some(body)).await
    }

    /// `(status, reason)`.
    pub async fn status(&self) -> std::result::Result<(String, Option<String>), ApiError> {
        let r = self.call("/status", None).await?;
        Ok((
            r.get_str("status").unwrap_or("enabled").to_string(),
            r.get_str("reason").map(str::to_string),
        ))
    }

    /// Sets the status; returns whether it changed.
    pub async fn set_status(
        &self,
        status: &str,
        reason: Option<&str>,
    ) -> std::result::Result<bool, ApiError> {
        let mut b = Map::new();
        b.insert("status", status);
        if let Some(r) = reason {
            b.insert("reason", r);
        }
        let r = self.call("/status", Some(b)).await?;
        Ok(matches!(r.get("changed"), Some(Value::Bool(true))))
    }

    pub async fn info(&self) -> std::result::Result<Map, ApiError> {
        self.call("/info", None).await
    }

    pub async fn destroy(&self) -> std::result::Result<(), ApiError> {
        self.call("/destroy", Some(Map::new())).await.map(|_| ())
    }
}
