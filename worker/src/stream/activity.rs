//! The stream's activity log (DESIGN.md section 12): what happened to the stream, for its
//! operator, in the object's own storage so it is as consistent as the queue it describes.
//!
//! Table `activity`, one row per entry: `id` (increasing), `at` (ms), `kind`, and the
//! entry's other members as a JSON object. Read back as flat objects
//! `{"id", "at", "kind", ...members}`. Every entry is also one JSON line on the worker's log
//! (`{"activity": {...entry, "stream_id"}}`), for Workers Logs / Logpush.
//!
//! **Recording from another path** (push in, poll out, push out, status, subjects,
//! verification, configuration here; `emitted` and `upstream` by their own features):
//! call [`SsfQueue::record_activity`] with the kind and its members, from inside the
//! object:
//!
//! ```ignore
//! let mut f = Map::new();
//! f.insert("jti", jti);
//! f.insert("events", Value::Array(uris));
//! self.record_activity("emitted", f);
//! ```
//!
//! The members must never hold a token, a SET body, a secret or an `Authorization` value:
//! the log is shown to operators and shipped to log stores. Recording never fails the
//! operation it describes (a storage error is logged and the entry lost).
//!
//! Bounds: entries older than `SSF_ACTIVITY_RETENTION_SECONDS` (default 30 days) and all
//! but the newest `SSF_ACTIVITY_MAX_ENTRIES` (default 10,000) are deleted: the count at
//! every write, the age at most once a minute and on the object's alarm (which the push
//! delivery shares: housekeeping only arms it when nothing else has).
//!
//! Pushes refused for their credential are not entries (anyone can send them, and they
//! would push real entries out); they are counted per minute in `rejections`, shown with
//! the entries' rejections in `GET /ssf/queue`.

use serde::Deserialize;
use ssf_core::json::{parse_object, Map, Value};
use worker::Result;

use super::{ApiError, SsfQueue, StreamClient};
use crate::config::{ACTIVITY_MAX_ENTRIES, ACTIVITY_RETENTION_SECONDS};
use crate::http::now_ms;

pub(super) const ACTIVITY_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  fields TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activity_by_at ON activity(at);
CREATE TABLE IF NOT EXISTS rejections (minute INTEGER PRIMARY KEY, n INTEGER NOT NULL);
";

/// Most entries one `GET /ssf/activity` answers, and how many when not told.
pub const MAX_PAGE: i64 = 1000;
pub const DEFAULT_PAGE: i64 = 100;
/// The window of the rejection summary.
const SUMMARY_WINDOW_MS: i64 = 3600 * 1000;
const AGE_PRUNE_INTERVAL_MS: i64 = 60_000;
/// The `reason` under which credential failures are counted in the summary.
const UNAUTHENTICATED: &str = "authentication_failed";

#[derive(Deserialize)]
struct Entry {
    id: i64,
    at: i64,
    kind: String,
    fields: String,
}

#[derive(Deserialize)]
struct Reason {
    reason: Option<String>,
    n: i64,
}

#[derive(Deserialize)]
struct Oldest {
    t: Option<i64>,
}

/// One page request, validated by the worker.
pub struct PageRequest {
    pub after: i64,
    pub limit: i64,
    pub kind: Option<String>,
}

impl SsfQueue {
    /// Appends an entry of `kind` with `fields` (see the module documentation for what may
    /// go in) and writes it to the log. Never fails the caller.
    pub fn record_activity(&self, kind: &str, fields: Map) {
        if let Err(e) = self.try_record(kind, fields) {
            worker::console_error!("activity not recorded ({kind}): {e}");
        }
    }

    fn try_record(&self, kind: &str, mut fields: Map) -> Result<()> {
        for reserved in ["id", "at", "kind"] {
            fields.remove(reserved);
        }
        let at = now_ms();
        let json = Value::Object(fields.clone()).to_json();
        self.sql().exec(
            "INSERT INTO activity (at, kind, fields) VALUES (?, ?, ?)",
            vec![at.into(), kind.into(), json.into()],
        )?;
        let id = self.count("SELECT last_insert_rowid() AS n", vec![])?;
        let max = self.activity_max();
        self.sql().exec(
            "DELETE FROM activity WHERE id <= ?",
            vec![(id - max).into()],
        )?;
        if at - self.activity_pruned_at.get() >= AGE_PRUNE_INTERVAL_MS {
            self.prune_activity(at)?;
        }
        let mut line = entry(id, at, kind, fields);
        if let Some(s) = self.settings.borrow().as_ref() {
            line.insert("stream_id", s.rec.id.as_str());
        }
        let mut wrapped = Map::new();
        wrapped.insert("activity", Value::Object(line));
        worker::console_log!("{}", Value::Object(wrapped).to_json());
        Ok(())
    }

    fn activity_max(&self) -> i64 {
        crate::config::knob(&self.env, "SSF_ACTIVITY_MAX_ENTRIES", ACTIVITY_MAX_ENTRIES).max(1)
            as i64
    }

    fn activity_cutoff(&self, now: i64) -> i64 {
        now - self.ms("SSF_ACTIVITY_RETENTION_SECONDS", ACTIVITY_RETENTION_SECONDS)
    }

    /// Deletes entries (and rejection counts) past their age.
    pub(super) fn prune_activity(&self, now: i64) -> Result<()> {
        let cutoff = self.activity_cutoff(now);
        self.sql()
            .exec("DELETE FROM activity WHERE at < ?", vec![cutoff.into()])?;
        let window = (now - SUMMARY_WINDOW_MS) / 60_000;
        self.sql().exec(
            "DELETE FROM rejections WHERE minute < ?",
            vec![window.into()],
        )?;
        self.activity_pruned_at.set(now);
        Ok(())
    }

    /// When the next age pruning is due (`None`: the log is empty).
    pub(super) fn prune_due_at(&self) -> Result<Option<i64>> {
        let rows: Vec<Oldest> = self
            .sql()
            .exec("SELECT MIN(at) AS t FROM activity", None)?
            .to_array()?;
        let Some(oldest) = rows.first().and_then(|r| r.t) else {
            return Ok(None);
        };
        let now = now_ms();
        let retention = now - self.activity_cutoff(now);
        Ok(Some((oldest + retention).max(now + AGE_PRUNE_INTERVAL_MS)))
    }

    /// Arms the alarm for the next age pruning or upstream poll, unless an alarm is
    /// already set sooner (every alarm run does both). After a restart this is what
    /// resumes an upstream poll loop whose alarm was lost with the run that died.
    pub(super) async fn arm_housekeeping(&self) -> Result<()> {
        if self.alarm_at.get().is_some() {
            return Ok(());
        }
        let next = [self.prune_due_at()?, self.upstream_poll_at()?]
            .into_iter()
            .flatten()
            .min();
        match next {
            Some(at) => self.arm_at(at).await,
            None => Ok(()),
        }
    }

    /// A push refused for its credential: counted, not logged as an entry.
    pub(super) fn count_unauthenticated(&self) {
        let minute = now_ms() / 60_000;
        let counted = self.sql().exec(
            "INSERT INTO rejections (minute, n) VALUES (?, 1) \
             ON CONFLICT(minute) DO UPDATE SET n = n + 1",
            vec![minute.into()],
        );
        if let Err(e) = counted {
            worker::console_error!("rejection not counted: {e}");
        }
    }

    /// A push refused after its credential was accepted. `token` (when the body was read)
    /// only lends its `jti`, if one can be decoded; the SET itself is never recorded.
    pub(super) fn record_rejection(&self, e: &ApiError, token: Option<&str>) {
        let mut f = Map::new();
        f.insert("status", i64::from(e.status));
        f.insert("err", e.err);
        f.insert("reason", rejection_reason(e));
        f.insert("description", e.description.as_str());
        if let Some(jti) = token.and_then(decoded_jti) {
            f.insert("jti", jti);
        }
        self.record_activity("push_rejected", f);
    }

    /// `{"after"?, "limit"?, "kind"?}` -> `{"entries", "next"}`.
    pub(super) fn activity_page(&self, body: &Map) -> Result<Value> {
        let after = body.get("after").and_then(Value::as_i64).unwrap_or(0);
        let limit = body
            .get("limit")
            .and_then(Value::as_i64)
            .unwrap_or(DEFAULT_PAGE)
            .clamp(1, MAX_PAGE);
        let kind = body.get_str("kind").unwrap_or_default();
        let rows: Vec<Entry> = self
            .sql()
            .exec(
                "SELECT id, at, kind, fields FROM activity WHERE id > ? AND at >= ? \
                 AND (? = '' OR kind = ?) ORDER BY id LIMIT ?",
                vec![
                    after.into(),
                    self.activity_cutoff(now_ms()).into(),
                    kind.into(),
                    kind.into(),
                    (limit + 1).into(),
                ],
            )?
            .to_array()?;
        let more = rows.len() as i64 > limit;
        let entries: Vec<Value> = rows
            .into_iter()
            .take(limit as usize)
            .map(|r| {
                let fields = parse_object(r.fields.as_bytes(), ssf_core::error::Part::Document)
                    .unwrap_or_default();
                Value::Object(entry(r.id, r.at, &r.kind, fields))
            })
            .collect();
        let next = match (more, entries.last()) {
            (true, Some(Value::Object(last))) => last.get("id").cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let mut m = Map::new();
        m.insert("entries", Value::Array(entries));
        m.insert("next", next);
        Ok(Value::Object(m))
    }

    /// Members of `GET /ssf/queue` for the console: queue depth, the oldest pending SET's
    /// age, and the last hour's push rejections by reason (credential failures included).
    pub(super) fn health_summary(&self, q: &mut Map) -> Result<()> {
        let now = now_ms();
        q.insert(
            "depth",
            self.count(
                "SELECT COUNT(*) AS n FROM sets WHERE acked_at IS NULL",
                vec![],
            )?,
        );
        let oldest: Vec<Oldest> = self
            .sql()
            .exec(
                "SELECT MIN(received_at) AS t FROM sets WHERE acked_at IS NULL",
                None,
            )?
            .to_array()?;
        q.insert(
            "oldest_pending_age_ms",
            oldest
                .first()
                .and_then(|o| o.t)
                .map_or(Value::Null, |t| Value::from((now - t).max(0))),
        );
        // Entries past retention may wait for the next pruning: they do not count.
        let since = (now - SUMMARY_WINDOW_MS).max(self.activity_cutoff(now));
        let reasons: Vec<Reason> = self
            .sql()
            .exec(
                "SELECT json_extract(fields, '$.reason') AS reason, COUNT(*) AS n FROM activity \
                 WHERE kind = 'push_rejected' AND at >= ? GROUP BY reason",
                vec![since.into()],
            )?
            .to_array()?;
        let mut by_reason = Map::new();
        for r in reasons {
            by_reason.insert(r.reason.unwrap_or_else(|| "unknown".into()), r.n);
        }
        let unauthenticated = self.count(
            "SELECT COALESCE(SUM(n), 0) AS n FROM rejections WHERE minute >= ?",
            vec![(since / 60_000).into()],
        )?;
        if unauthenticated > 0 {
            by_reason.insert(UNAUTHENTICATED, unauthenticated);
        }
        q.insert("rejections_last_hour", Value::Object(by_reason));
        Ok(())
    }
}

/// A flat entry: `id`, `at`, `kind`, then the members.
fn entry(id: i64, at: i64, kind: &str, fields: Map) -> Map {
    let mut m = Map::new();
    m.insert("id", id);
    m.insert("at", at);
    m.insert("kind", kind);
    for (k, v) in fields.iter() {
        m.insert(k, v.clone());
    }
    m
}

/// A short, stable name for why a push was refused (what the console charts): core's
/// reason when the SET failed its checks, else the HTTP answer's.
fn rejection_reason(e: &ApiError) -> &'static str {
    match (e.reason, e.status) {
        (Some(r), _) => r,
        (None, 413) => "too_large",
        (None, 429) => "queue_full",
        (None, 503) => "keys_unavailable",
        (None, _) => e.err,
    }
}

/// The `jti` of an unverified SET, when it has a short string one (only ever shown as the
/// name of the refused SET).
fn decoded_jti(token: &str) -> Option<String> {
    let jws = ssf_core::jws::CompactJws::parse(token).ok()?;
    let claims = jws.claims().ok()?;
    claims
        .get_str("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .map(str::to_string)
}

impl StreamClient {
    /// One page of the stream's activity, oldest first.
    pub async fn activity(&self, page: &PageRequest) -> std::result::Result<Map, ApiError> {
        let mut b = Map::new();
        b.insert("after", page.after);
        b.insert("limit", page.limit);
        if let Some(k) = &page.kind {
            b.insert("kind", k.as_str());
        }
        self.call("/activity", b).await
    }
}
