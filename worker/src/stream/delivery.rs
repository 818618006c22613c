//! RFC 8935 push delivery to the stream's receiver, driven by the object's alarm.
//!
//! Every SET stored in a push stream arms the alarm (at once); the alarm sends what is due,
//! at most `SSF_PUSH_CONCURRENCY` requests at a time, and re-arms itself for the next due
//! attempt. Since the alarm is stored with the object, delivery survives restarts and needs
//! no request to keep going.
//!
//! Each attempt is `POST endpoint_url` through `fetch` (URL policy checked again at send
//! time, no redirects, `SSF_PUSH_TIMEOUT_SECONDS`) with `Content-Type:
//! application/secevent+jwt`, `Accept: application/json`, the SET as body, and the
//! configured `authorization_header` verbatim (no `Authorization` at all without one).
//! - any 2xx: delivered; the row becomes a tombstone, as an acknowledgement makes it;
//! - `400`: the receiver refused this SET: never retried, recorded with its RFC 8935 error
//!   body (shown with the `setErrs` of `GET /ssf/queue`);
//! - anything else (another status, no answer in time, a network error): retried after
//!   `SSF_PUSH_RETRY_SECONDS` doubling per attempt, at most `SSF_PUSH_MAX_BACKOFF_SECONDS`,
//!   with jitter, until retention drops the SET.
//!
//! `paused` holds SETs and `disabled` drops them, as for poll; the stream's own status
//! announcements go out whatever the status. At-least-once, no ordering promise (RFC 8935
//! makes none).

use futures_util::future::join_all;
use serde::Deserialize;
use ssf_core::json::{parse_object, Map, Value};
use ssf_core::wire::PushError;

use super::queue::{delivered_fields, jti_fields};
use super::record::PushTarget;
use super::SsfQueue;
use crate::config::{
    knob, PUSH_CONCURRENCY, PUSH_MAX_BACKOFF_SECONDS, PUSH_RETRY_SECONDS, PUSH_TIMEOUT_SECONDS,
    RETENTION_SECONDS,
};
use crate::fetch::Outbound;
use crate::http::now_ms;

/// Largest answer body read from a receiver (only a `400`'s is read at all).
const MAX_ANSWER_BYTES: usize = 16 * 1024;
/// Rounds of sends one alarm makes before handing over to the next alarm.
const ROUNDS_PER_ALARM: usize = 25;

#[derive(Deserialize)]
struct Due {
    jti: String,
    token: String,
    attempts: i64,
}

#[derive(Deserialize)]
struct MinTime {
    t: Option<i64>,
}

/// How one attempt ended.
enum Outcome {
    Delivered,
    Refused {
        err: Option<String>,
        description: Option<String>,
    },
    Failed {
        status: Option<u16>,
        error: String,
    },
}

impl SsfQueue {
    /// Arms the alarm at once when there may be something to push (called after every
    /// operation that can make a SET due).
    pub(super) async fn arm_delivery(&self) -> worker::Result<()> {
        let Some(settings) = self.settings()? else {
            return Ok(());
        };
        if settings.push_target.is_none() {
            return Ok(());
        }
        self.arm_at(now_ms()).await
    }

    /// Sends what is due (on the alarm); returns when the next attempt is due.
    pub(super) async fn deliver(&self) -> worker::Result<Option<i64>> {
        for _ in 0..ROUNDS_PER_ALARM {
            let Some(settings) = self.settings()? else {
                return Ok(None);
            };
            let Some(target) = settings.push_target.as_ref() else {
                return Ok(None);
            };
            let due = self.due(now_ms())?;
            if due.is_empty() {
                break;
            }
            let sends = due.iter().map(|d| self.send(target, &d.token));
            let outcomes = join_all(sends).await;
            for (d, outcome) in due.iter().zip(outcomes) {
                self.record(d, outcome)?;
            }
        }
        self.next_attempt_at()
    }

    /// Sets the alarm for `at` (ms since the epoch) unless it is already set sooner.
    pub(super) async fn arm_at(&self, at: i64) -> worker::Result<()> {
        let now = now_ms();
        if self.alarm_at.get().is_some_and(|t| t <= at) {
            return Ok(());
        }
        if let Some(t) = self.state.storage().get_alarm().await? {
            if t <= at {
                self.alarm_at.set(Some(t));
                return Ok(());
            }
        }
        // workers-rs takes an offset in ms from now.
        self.state.storage().set_alarm((at - now).max(0)).await?;
        self.alarm_at.set(Some(at.max(now)));
        Ok(())
    }

    /// The SQL condition of a SET the stream may deliver now (`?` = 1 when only control
    /// SETs may go: paused or disabled).
    fn control_only(&self) -> worker::Result<i64> {
        Ok(i64::from(self.status()? != "enabled"))
    }

    fn due(&self, now: i64) -> worker::Result<Vec<Due>> {
        let limit = knob(&self.env, "SSF_PUSH_CONCURRENCY", PUSH_CONCURRENCY).max(1) as i64;
        let expired = now - self.ms("SSF_RETENTION_SECONDS", RETENTION_SECONDS);
        self.sql()
            .exec(
                "SELECT jti, token, attempts FROM sets WHERE acked_at IS NULL AND token IS NOT NULL \
                 AND received_at >= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?) \
                 AND (control = 1 OR ? = 0) ORDER BY seq LIMIT ?",
                vec![
                    expired.into(),
                    now.into(),
                    self.control_only()?.into(),
                    limit.into(),
                ],
            )?
            .to_array()
    }

    /// When the next attempt is due, if anything is waiting to be pushed.
    pub(super) fn next_attempt_at(&self) -> worker::Result<Option<i64>> {
        let expired = now_ms() - self.ms("SSF_RETENTION_SECONDS", RETENTION_SECONDS);
        let rows: Vec<MinTime> = self
            .sql()
            .exec(
                "SELECT MIN(COALESCE(next_attempt_at, received_at)) AS t FROM sets \
                 WHERE acked_at IS NULL AND token IS NOT NULL AND received_at >= ? \
                 AND (control = 1 OR ? = 0)",
                vec![expired.into(), self.control_only()?.into()],
            )?
            .to_array()?;
        Ok(rows.first().and_then(|r| r.t))
    }

    async fn send(&self, target: &PushTarget, token: &str) -> Outcome {
        let timeout = knob(&self.env, "SSF_PUSH_TIMEOUT_SECONDS", PUSH_TIMEOUT_SECONDS);
        let mut req = Outbound::post(
            &target.endpoint_url,
            token.as_bytes().to_vec(),
            MAX_ANSWER_BYTES,
        )
        .header("Content-Type", ssf_core::jws::SET_MEDIA_TYPE)
        .header("Accept", "application/json");
        if let Some(a) = &target.authorization {
            req = req.header("Authorization", a.clone());
        }
        req.read_body = |status| status == 400;
        req.timeout_secs = Some(timeout);
        match req.send(&self.env).await {
            Ok(got) if (200..300).contains(&got.status) => Outcome::Delivered,
            Ok(got) if got.status == 400 => {
                let body = parse_object(&got.body, ssf_core::error::Part::Document)
                    .ok()
                    .and_then(|m| PushError::from_value(&Value::Object(m)).ok());
                Outcome::Refused {
                    err: body.as_ref().map(|b| b.err.as_str().to_string()),
                    description: body.map(|b| b.description),
                }
            }
            Ok(got) => Outcome::Failed {
                status: Some(got.status),
                error: format!("HTTP {}", got.status),
            },
            Err(e) => Outcome::Failed {
                status: None,
                error: e.to_string(),
            },
        }
    }

    fn record(&self, due: &Due, outcome: Outcome) -> worker::Result<()> {
        let now = now_ms();
        let mut state = self.push_state()?;
        match outcome {
            Outcome::Delivered => {
                self.settle(&due.jti, now)?;
                self.record_activity(
                    "delivered",
                    delivered_fields(&due.jti, "push", due.attempts + 1),
                );
                state.insert("last_success_at", now);
                state.insert("consecutive_failures", 0);
            }
            Outcome::Refused { err, description } => {
                self.settle(&due.jti, now)?;
                let err_text = err.clone().unwrap_or_default();
                let description_text = description
                    .clone()
                    .unwrap_or_else(|| "HTTP 400 without an RFC 8935 error body".into());
                self.record_set_err(&due.jti, &err_text, &description_text, now)?;
                self.record_push_failed(
                    &due.jti,
                    Some(400),
                    &refusal(&err_text, &description_text),
                );
                let mut f = Map::new();
                f.insert("at", now);
                f.insert("status", 400);
                if let Some(e) = err {
                    f.insert("err", e);
                }
                if let Some(d) = description {
                    f.insert("description", d);
                }
                state.insert("last_failure", Value::Object(f));
            }
            Outcome::Failed { status, error } => {
                self.record_push_failed(&due.jti, status, &error);
                let attempts = due.attempts + 1;
                let next = now + self.backoff_ms(attempts);
                self.sql().exec(
                    "UPDATE sets SET attempts = ?, next_attempt_at = ? WHERE jti = ?",
                    vec![attempts.into(), next.into(), due.jti.as_str().into()],
                )?;
                let failures = state
                    .get("consecutive_failures")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                state.insert("consecutive_failures", failures + 1);
                let mut f = Map::new();
                f.insert("at", now);
                f.insert(
                    "status",
                    status.map_or(Value::Null, |s| Value::from(i64::from(s))),
                );
                f.insert("description", error);
                state.insert("last_failure", Value::Object(f));
            }
        }
        self.meta_set("push_state", &Value::Object(state).to_json())
    }

    fn record_push_failed(&self, jti: &str, status: Option<u16>, error: &str) {
        let mut f = jti_fields(jti);
        if let Some(s) = status {
            f.insert("status", i64::from(s));
        }
        f.insert("error", error);
        self.record_activity("push_failed", f);
    }

    /// A delivered (or refused) SET becomes a tombstone.
    fn settle(&self, jti: &str, now: i64) -> worker::Result<()> {
        self.pending.set(None);
        self.sql().exec(
            "UPDATE sets SET token = NULL, acked_at = ?, delivered_at = ?, \
             deliveries = deliveries + 1, next_attempt_at = NULL WHERE jti = ?",
            vec![now.into(), now.into(), jti.into()],
        )?;
        Ok(())
    }

    /// The delay before attempt `attempts + 1`: doubling from the first retry delay, capped,
    /// with jitter (between half and all of it) so that many failing streams do not retry
    /// in lockstep.
    fn backoff_ms(&self, attempts: i64) -> i64 {
        let first = self.ms("SSF_PUSH_RETRY_SECONDS", PUSH_RETRY_SECONDS).max(1);
        let cap = self
            .ms("SSF_PUSH_MAX_BACKOFF_SECONDS", PUSH_MAX_BACKOFF_SECONDS)
            .max(first);
        let exp = (attempts - 1).clamp(0, 30) as u32;
        let full = first.saturating_mul(1i64 << exp).min(cap);
        let mut b = [0u8; 2];
        let r = if getrandom::fill(&mut b).is_ok() {
            u16::from_le_bytes(b) as i64
        } else {
            u16::MAX as i64
        };
        full / 2 + (full / 2) * r / (u16::MAX as i64)
    }

    fn push_state(&self) -> worker::Result<Map> {
        Ok(self
            .meta_get("push_state")?
            .and_then(|s| parse_object(s.as_bytes(), ssf_core::error::Part::Document).ok())
            .unwrap_or_default())
    }

    /// `push` of `GET /ssf/queue`: last success, last failure, consecutive failures, next
    /// attempt (times in ms; null when none).
    pub(super) fn push_info(&self) -> worker::Result<Value> {
        let state = self.push_state()?;
        let mut m = Map::new();
        let get = |k: &str| state.get(k).cloned().unwrap_or(Value::Null);
        m.insert("last_success_at", get("last_success_at"));
        m.insert("last_failure", get("last_failure"));
        m.insert(
            "consecutive_failures",
            state
                .get("consecutive_failures")
                .and_then(Value::as_i64)
                .unwrap_or(0),
        );
        m.insert(
            "next_attempt_at",
            self.next_attempt_at()?.map_or(Value::Null, Value::from),
        );
        Ok(Value::Object(m))
    }
}

/// The `error` of a refused push: the receiver's RFC 8935 error, as it gave it.
fn refusal(err: &str, description: &str) -> String {
    if err.is_empty() {
        description.to_string()
    } else {
        format!("{err}: {description}")
    }
}
