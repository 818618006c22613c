//! The SET queue of a stream's object.
//!
//! Table `sets`, one row per `jti` (the primary deduplication key), in arrival order:
//! - pending: `acked_at` NULL; `delivered_at` NULL (never delivered) or the time of the last
//!   delivery. A delivered SET not acknowledged within `REDELIVERY_SECONDS` is eligible again.
//! - acknowledged: `acked_at` set and the token dropped; the row stays as a tombstone so that
//!   a repeated push of the same `jti` is answered `202` without being queued again. A push
//!   whose `iat` is older than the retention period is refused before it gets here, so a
//!   SET cannot come back once its tombstone is pruned.
//! - every row is deleted `RETENTION_SECONDS` after it was received (acknowledged or not).
//! - `control` rows are the stream's own status announcements: deliverable whatever the
//!   status (SSF 1.0 sends the stream-updated event before delivery stops).
//!
//! A `setErrs` entry counts as an acknowledgement (the poller has the SET, it failed its
//! checks) and is recorded in table `set_errs` for the operator (`GET /ssf/queue`).
//!
//! Status: `enabled` delivers; `paused` holds SETs (they are kept and delivered once
//! enabled again); `disabled` drops queued SETs and every SET that arrives while disabled.
//!
//! Long polling: a poll that finds nothing to deliver registers a waiter (a oneshot channel)
//! and sleeps until a push stores a SET (or the stream changes) or until the earlier of the
//! long-poll bound and the next redelivery becomes due; then it looks again. Waiters live in
//! the object's memory: a Durable Object is single-threaded and all requests for one stream
//! reach the same instance, so a push and a waiting poll always meet.

use std::time::Duration;

use futures_channel::oneshot;
use futures_util::future::{select, Either};
use serde::Deserialize;
use ssf_core::json::{Map, Value};
use ssf_core::wire::PollRequest;
use worker::Result;

use super::SsfQueue;
use crate::config::{
    knob, LONG_POLL_SECONDS, MAX_QUEUED_SETS, MAX_SETS_PER_POLL, REDELIVERY_SECONDS,
    RETENTION_SECONDS,
};
use crate::http::now_ms;

/// How many reported `setErrs` are kept per stream (oldest dropped first).
const MAX_SET_ERRS_KEPT: i64 = 1000;

/// Expired rows are deleted at most this often (or once per retention period, if shorter).
/// Reads filter on retention themselves, so the interval never shows an expired SET.
pub const PRUNE_INTERVAL_MS: i64 = 60_000;

#[derive(Deserialize)]
struct Row {
    jti: String,
    token: Option<String>,
    deliveries: i64,
}

#[derive(Deserialize)]
struct Seq {
    #[allow(dead_code)]
    seq: i64,
}

#[derive(Deserialize)]
struct MinTime {
    t: Option<i64>,
}

#[derive(Deserialize)]
struct ErrRow {
    jti: String,
    err: String,
    description: String,
    reported_at: i64,
}

impl SsfQueue {
    pub(super) fn status(&self) -> Result<String> {
        if let Some(s) = self.status.borrow().as_ref() {
            return Ok(s.clone());
        }
        let s = self
            .meta_get("status")?
            .unwrap_or_else(|| "enabled".to_string());
        self.status.replace(Some(s.clone()));
        Ok(s)
    }

    /// Drops rows received before `cutoff`, and `set_errs` past their cap.
    pub(super) fn prune(&self, cutoff: i64) -> Result<()> {
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

    /// `{"jti", "set", "min_interval_ms"?}` -> `{"result": "stored"|"duplicate"|"dropped"|"full"|"too_soon"}`.
    pub(super) fn enqueue(&self, body: &Map, now: i64) -> Result<Value> {
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
                    let stored = self.store(jti, token, now, false)?;
                    let mut f = Map::new();
                    f.insert("state", body.get("state").cloned().unwrap_or(Value::Null));
                    self.record_activity("verification", f);
                    stored
                }
            }
        } else {
            self.store(jti, token, now, false)?
        };
        let mut m = Map::new();
        m.insert("result", result);
        Ok(Value::Object(m))
    }

    /// Stores a SET (a `control` one whatever the status).
    pub(super) fn store(
        &self,
        jti: &str,
        token: &str,
        now: i64,
        control: bool,
    ) -> Result<&'static str> {
        if !control && self.status()? == "disabled" {
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
        // One statement both deduplicates (`jti` is UNIQUE) and stores. `RETURNING` tells
        // which: `rows_written` counts index work too, so it is not 0 on a conflict.
        let inserted: Vec<Seq> = self
            .sql()
            .exec(
                "INSERT INTO sets (jti, token, received_at, control) VALUES (?, ?, ?, ?) \
                 ON CONFLICT(jti) DO NOTHING RETURNING seq",
                vec![
                    jti.into(),
                    token.into(),
                    now.into(),
                    i64::from(control).into(),
                ],
            )?
            .to_array()?;
        if inserted.is_empty() {
            return Ok("duplicate");
        }
        self.pending.set(Some(pending + 1));
        self.wake_all();
        Ok("stored")
    }

    /// Records a SET the receiver refused (a poll `setErrs` entry, a push `400`).
    pub(super) fn record_set_err(
        &self,
        jti: &str,
        err: &str,
        description: &str,
        now: i64,
    ) -> Result<()> {
        self.sql().exec(
            "INSERT INTO set_errs (jti, err, description, reported_at) VALUES (?, ?, ?, ?)",
            vec![jti.into(), err.into(), description.into(), now.into()],
        )?;
        Ok(())
    }

    /// Whether `jti` was pending (and is now acknowledged).
    fn acknowledge(&self, jti: &str, now: i64) -> Result<bool> {
        self.pending.set(None);
        let done = self.sql().exec(
            "UPDATE sets SET token = NULL, acked_at = ? WHERE jti = ? AND acked_at IS NULL",
            vec![now.into(), jti.into()],
        )?;
        Ok(done.rows_written() > 0)
    }

    /// An RFC 8936 poll request (validated by the worker) -> `{"sets": {...},
    /// "moreAvailable": bool}`. A paused or disabled stream delivers only its control SETs.
    pub(super) async fn poll(&self, request: PollRequest) -> Result<Value> {
        let now = now_ms();
        for jti in request.acks() {
            // Only SETs this stream holds: an ack of anything else is no event of its own.
            if self.acknowledge(jti, now)? {
                self.record_activity("acked", jti_fields(jti));
            }
        }
        for (jti, e) in request.errors() {
            let err = e.err.as_str().to_string();
            let description = e.description.clone();
            worker::console_log!(
                "setErrs: stream queue {} SET {jti:?}: {err}: {description}",
                self.state.id()
            );
            self.record_set_err(jti, &err, &description, now)?;
            if self.acknowledge(jti, now)? {
                let mut f = jti_fields(jti);
                f.insert("err", err);
                f.insert("description", description);
                self.record_activity("set_err", f);
            }
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
            let control_only = self.status()? != "enabled";
            let (sets, more) = self.take(limit, now, redelivery, control_only)?;
            if !sets.is_empty() || return_immediately || now >= deadline {
                return Ok(poll_answer(sets, more));
            }
            // Sleep until something arrives, the bound passes, or a redelivery is due. Only
            // SETs a later `take` could return count: an expired one (not yet pruned) is
            // never due again, and counting it would wake the poll in a busy loop.
            let mut wake_at = deadline;
            let expired = now - self.ms("SSF_RETENTION_SECONDS", RETENTION_SECONDS);
            let next: Vec<MinTime> = self
                .sql()
                .exec(
                    "SELECT MIN(delivered_at) AS t FROM sets WHERE acked_at IS NULL \
                     AND delivered_at IS NOT NULL AND received_at >= ? AND (control = 1 OR ? = 0)",
                    vec![expired.into(), i64::from(control_only).into()],
                )?
                .to_array()?;
            if let Some(t) = next.first().and_then(|m| m.t) {
                wake_at = wake_at.min(t + redelivery);
            }
            let wait = (wake_at - now).max(1) as u64;
            let (tx, rx) = oneshot::channel();
            self.waiters.borrow_mut().push(tx);
            let sleep = worker::Delay::from(Duration::from_millis(wait));
            match select(rx, sleep).await {
                Either::Left(_) | Either::Right(_) => {}
            }
            self.poll_wakeups.set(self.poll_wakeups.get() + 1);
        }
    }

    /// Takes up to `limit` deliverable SETs (oldest first), marking them delivered.
    fn take(
        &self,
        limit: i64,
        now: i64,
        redelivery: i64,
        control_only: bool,
    ) -> Result<(Map, bool)> {
        let due = now - redelivery;
        let expired = now - self.ms("SSF_RETENTION_SECONDS", RETENTION_SECONDS);
        let rows: Vec<Row> = self
            .sql()
            .exec(
                "SELECT jti, token, deliveries FROM sets WHERE acked_at IS NULL AND token IS NOT NULL \
                 AND (delivered_at IS NULL OR delivered_at <= ?) AND received_at >= ? \
                 AND (control = 1 OR ? = 0) ORDER BY seq LIMIT ?",
                vec![
                    due.into(),
                    expired.into(),
                    i64::from(control_only).into(),
                    (limit + 1).into(),
                ],
            )?
            .to_array()?;
        let more = rows.len() as i64 > limit;
        let mut sets = Map::new();
        for r in rows.into_iter().take(limit as usize) {
            self.sql().exec(
                "UPDATE sets SET delivered_at = ?, deliveries = deliveries + 1 WHERE jti = ?",
                vec![now.into(), r.jti.as_str().into()],
            )?;
            self.record_activity(
                "delivered",
                delivered_fields(&r.jti, "poll", r.deliveries + 1),
            );
            sets.insert(r.jti, r.token.unwrap_or_default());
        }
        Ok((sets, more))
    }

    pub(super) fn status_value(&self) -> Result<Value> {
        let mut m = Map::new();
        m.insert("status", self.status()?);
        if let Some(r) = self.meta_get("reason")? {
            m.insert("reason", r);
        }
        Ok(Value::Object(m))
    }

    /// `{"status", "reason"?, "announce"?: {"jti", "set"}}` -> `{"status", "reason"?,
    /// "changed"}`. The announcement is stored only when the status changes, in the same
    /// step, as a control SET: going to paused or disabled it is the last thing delivered,
    /// as SSF 1.0 requires it to be sent before delivery stops.
    pub(super) fn set_status(&self, body: &Map, now: i64) -> Result<Value> {
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
        let changed = before != status;
        if changed {
            let mut f = Map::new();
            f.insert("from", before.as_str());
            f.insert("to", status);
            // Who asked: the stream's receiver through the status endpoint, unless the
            // caller names someone else (the transmitter's own decisions say so).
            let by = body
                .get_str("by")
                .or(body.get_str("owner"))
                .unwrap_or("transmitter");
            f.insert("by", by);
            self.record_activity("status_changed", f);
        }
        if status == "disabled" {
            // Disabled streams do not hold events (their announcements excepted).
            self.sql().exec(
                "DELETE FROM sets WHERE acked_at IS NULL AND control = 0",
                None,
            )?;
            self.pending.set(None);
        }
        if changed {
            if let Some(a) = body.get("announce").and_then(Value::as_object) {
                if let (Some(jti), Some(set)) = (a.get_str("jti"), a.get_str("set")) {
                    self.store(jti, set, now, true)?;
                }
            }
        }
        self.wake_all();
        let mut v = self.status_value()?;
        if let Value::Object(m) = &mut v {
            m.insert("changed", changed);
        }
        Ok(v)
    }

    pub(super) fn info(&self) -> Result<Value> {
        let mut summary = Map::new();
        self.health_summary(&mut summary)?;
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
        q.insert("long_poll_wakeups", self.poll_wakeups.get() as i64);
        if self.settings()?.is_some_and(|s| s.push_target.is_some()) {
            q.insert("push", self.push_info()?);
        }
        for (k, v) in summary.iter() {
            q.insert(k, v.clone());
        }
        Ok(Value::Object(q))
    }
}

fn poll_answer(sets: Map, more: bool) -> Value {
    let mut m = Map::new();
    m.insert("sets", Value::Object(sets));
    m.insert("moreAvailable", more);
    Value::Object(m)
}

/// `{"jti"}`: the members of an entry about one SET.
pub(super) fn jti_fields(jti: &str) -> Map {
    let mut f = Map::new();
    f.insert("jti", jti);
    f
}

/// `delivered {jti, method, attempt}` (`method`: `push` or `poll`).
pub(super) fn delivered_fields(jti: &str, method: &str, attempt: i64) -> Map {
    let mut f = jti_fields(jti);
    f.insert("method", method);
    f.insert("attempt", attempt);
    f
}
