//! Test and demo controls that the real service does not have: fault injection, added
//! latency, and a log of every request received (which credential came, when it arrived
//! and when it was answered). `front.rs` applies them in front of the routes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, Method};
use serde::{Deserialize, Serialize};

/// One injected failure: the next `times` requests that match `method` and `path` get
/// `action` instead of their normal answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// An exact path, or a prefix ending in `*`; every API path when absent.
    #[serde(default = "every_path")]
    pub path: String,
    /// How many matching requests it hits; 0 means every one until cleared.
    #[serde(default = "once")]
    pub times: u32,
    #[serde(flatten)]
    pub action: FaultAction,
}

fn every_path() -> String {
    "*".into()
}

fn once() -> u32 {
    1
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this status; `headers: false` leaves out `x-error` and `x-error-id`
    /// (the body, in the simulator's voice, still says what it says).
    Status {
        status: u16,
        #[serde(default = "yes")]
        headers: bool,
        #[serde(default)]
        message: Option<String>,
        #[serde(default, rename = "retryAfter")]
        retry_after: Option<RetryAfter>,
    },
    /// Wait this long, then answer normally.
    Latency { ms: u64 },
    /// Close the connection without answering.
    Drop,
    /// Do what was asked, then close the connection without answering: the client never
    /// learns that it happened (a timeout after the server acted).
    AnswerLost,
    /// Answer 200 with a JSON body cut off in the middle.
    Malformed,
    /// Answer 502 with a proxy's HTML page and none of the API's headers.
    Html,
}

/// A `Retry-After` to send: seconds, or any text at all (an HTTP date, a number too big
/// for any clock, a word), since servers send all of these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RetryAfter {
    Seconds(u64),
    Text(String),
}

impl RetryAfter {
    pub(super) fn header(&self) -> HeaderValue {
        match self {
            RetryAfter::Seconds(secs) => HeaderValue::from(*secs),
            RetryAfter::Text(text) => HeaderValue::from_str(text)
                .unwrap_or_else(|_| HeaderValue::from_static("unreadable")),
        }
    }
}

impl FaultRule {
    /// Reads a rule, refusing misspelt fields: a typo must not silently widen a fault.
    pub fn from_json(value: serde_json::Value) -> Result<FaultRule, String> {
        const FIELDS: [&str; 9] = [
            "method",
            "path",
            "times",
            "kind",
            "status",
            "headers",
            "message",
            "retryAfter",
            "ms",
        ];
        let object = value.as_object().ok_or("a fault rule is a JSON object")?;
        if let Some(unknown) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(format!(
                "unknown field `{unknown}`; expected one of {FIELDS:?}"
            ));
        }
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        method_ok && path_ok
    }
}

/// One request as the simulator saw it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// 0 when the connection was dropped on purpose.
    pub status: u16,
    /// When it was answered (or dropped), in ms since the simulator started.
    pub at_ms: u64,
    /// When it arrived, in ms since the simulator started: before `at_ms` by the
    /// latency it was given and the work it took.
    pub arrived_ms: u64,
    pub auth: &'static str,
    /// Which credential came (never a secret): `key:<api-key>` for a key pair,
    /// `session:<id>` for a bearer of a session this server opened, `bearer:unknown` for
    /// any other bearer (another server's, or none it ever gave); empty with none.
    pub credential: String,
}

const LOG_LIMIT: usize = 100_000;

/// Faults waiting to fire and the request log.
pub struct Controls {
    started: Instant,
    latency: Duration,
    faults: Mutex<Vec<FaultRule>>,
    seen: Mutex<VecDeque<Seen>>,
    /// How far the wall clock it reports is ahead of this computer's (`POST /_sim/clock`).
    wall_ahead_ms: AtomicU64,
}

/// The furthest one move of the wall clock goes.
pub const WALL_MOVE_MAX: Duration = Duration::from_secs(400 * 24 * 3600);

impl Controls {
    pub fn new(latency: Duration, faults: Vec<FaultRule>) -> Self {
        Controls {
            started: Instant::now(),
            latency,
            faults: Mutex::new(faults),
            seen: Mutex::new(VecDeque::new()),
            wall_ahead_ms: AtomicU64::new(0),
        }
    }

    /// How far its wall clock is ahead of this computer's.
    pub fn wall_ahead(&self) -> Duration {
        Duration::from_millis(self.wall_ahead_ms.load(Ordering::Relaxed))
    }

    /// Moves its wall clock forward by `by` (at most [`WALL_MOVE_MAX`] at a time), so
    /// that a day of office hours passes in seconds for an app that follows it. Sessions,
    /// rate limits and machines keep this computer's time.
    pub fn move_wall_forward(&self, by: Duration) {
        let ms = u64::try_from(by.min(WALL_MOVE_MAX).as_millis()).unwrap_or(0);
        self.wall_ahead_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Its wall clock.
    pub fn wall_now(&self) -> std::time::SystemTime {
        std::time::SystemTime::now() + self.wall_ahead()
    }

    pub fn add_fault(&self, rule: FaultRule) {
        self.faults.lock().unwrap().push(rule);
    }

    pub fn faults(&self) -> Vec<FaultRule> {
        self.faults.lock().unwrap().clone()
    }

    pub fn clear_faults(&self) {
        self.faults.lock().unwrap().clear();
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().cloned().collect()
    }

    pub fn clear_seen(&self) {
        self.seen.lock().unwrap().clear();
    }

    /// The extra wait and the failure (if any) for this request, using up one shot of
    /// each matching rule.
    pub(super) fn take(&self, method: &Method, path: &str) -> (Duration, Option<FaultAction>) {
        let mut faults = self.faults.lock().unwrap();
        let mut latency = self.latency;
        let mut failure = None;
        faults.retain_mut(|rule| {
            if !rule.matches(method, path) {
                return true;
            }
            match &rule.action {
                FaultAction::Latency { ms } => latency += Duration::from_millis(*ms),
                _ if failure.is_some() => return true,
                action => failure = Some(action.clone()),
            }
            match rule.times {
                0 => true,
                1 => false,
                _ => {
                    rule.times -= 1;
                    true
                }
            }
        });
        (latency, failure)
    }

    /// Milliseconds since the simulator started.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(super) fn record(
        &self,
        method: &Method,
        path: &str,
        status: u16,
        arrived_ms: u64,
        from: Caller<'_>,
    ) {
        log::debug!("sim: {method} {path} -> {status}");
        let mut seen = self.seen.lock().unwrap();
        if seen.len() == LOG_LIMIT {
            seen.pop_front();
        }
        seen.push_back(Seen {
            method: method.to_string(),
            path: path.to_owned(),
            status,
            at_ms: self.now_ms(),
            arrived_ms,
            auth: from.auth,
            credential: from.credential.to_owned(),
        });
    }
}

/// Which credentials a request came with, as the log says them.
pub(super) struct Caller<'a> {
    pub(super) auth: &'static str,
    pub(super) credential: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> FaultRule {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn rules_parse_with_defaults() {
        let r = rule(
            r#"{"method":"GET","path":"/api/compute/v1/instances","kind":"status","status":503}"#,
        );
        assert_eq!(r.times, 1);
        assert_eq!(
            r.action,
            FaultAction::Status {
                status: 503,
                headers: true,
                message: None,
                retry_after: None
            }
        );
        assert_eq!(rule(r#"{"kind":"drop"}"#).path, "*");
        let parse = |s: &str| FaultRule::from_json(serde_json::from_str(s).unwrap());
        assert!(parse(r#"{"kind":"explode"}"#).is_err());
        assert!(parse(r#"{"kind":"drop","tims":2}"#)
            .unwrap_err()
            .contains("tims"));
        assert!(parse(r#"{"kind":"drop","times":2}"#).is_ok());
        let absurd = parse(r#"{"kind":"status","status":429,"retryAfter":"99999999999999999999"}"#);
        let Ok(FaultRule {
            action:
                FaultAction::Status {
                    retry_after: Some(after),
                    ..
                },
            ..
        }) = absurd
        else {
            panic!("a textual Retry-After is a rule: {absurd:?}");
        };
        assert_eq!(after.header(), "99999999999999999999");
    }

    #[test]
    fn a_rule_fires_its_number_of_times_on_matching_requests_only() {
        let c = Controls::new(
            Duration::ZERO,
            vec![rule(
                r#"{"method":"post","path":"/api/compute/v1/instances/*","times":2,"kind":"status","status":500}"#,
            )],
        );
        let p = "/api/compute/v1/instances/x/stop";
        assert_eq!(c.take(&Method::GET, p).1, None);
        assert!(c
            .take(&Method::POST, "/api/compute/v1/instances")
            .1
            .is_none());
        assert!(c.take(&Method::POST, p).1.is_some());
        assert!(c.take(&Method::POST, p).1.is_some());
        assert!(c.take(&Method::POST, p).1.is_none());
        assert!(c.faults().is_empty());
    }

    #[test]
    fn latency_adds_up_and_does_not_block_a_failure() {
        let c = Controls::new(
            Duration::from_millis(5),
            vec![
                rule(r#"{"kind":"latency","ms":20,"times":0}"#),
                rule(r#"{"kind":"malformed"}"#),
            ],
        );
        let (wait, failure) = c.take(&Method::GET, "/x");
        assert_eq!(wait, Duration::from_millis(25));
        assert_eq!(failure, Some(FaultAction::Malformed));
        assert_eq!(
            c.take(&Method::GET, "/x"),
            (Duration::from_millis(25), None)
        );
    }
}
