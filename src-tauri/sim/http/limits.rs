//! The service's rate limits: requests per minute per operation type, counted in a
//! sliding minute, a 429 (with `Retry-After` unless switched off) past them; and Billing's
//! `GET /limits` and `GET /limits/usage`, which state them.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};

use super::super::world::CUSTOMER_ID;
use super::{json_answer, op, rfc3339, Answer, Sim, SimError};

const WINDOW: Duration = Duration::from_secs(60);

/// The operation types Billing names, with what they say.
const FEATURES: [(&str, &str); 5] = [
    (op::LIST, "Instance list requests"),
    (op::GET, "Single instance reads"),
    (op::POWER, "Power actions (start, stop, restart, reset)"),
    (op::CREATE, "Instance creations"),
    (op::DELETE, "Instance deletions"),
];

impl Sim {
    /// Requests a minute of `operation`; 0 for no limit.
    pub(super) fn limit_of(&self, operation: &str) -> u32 {
        self.config
            .limits
            .iter()
            .find(|(name, _)| name == operation)
            .map_or(self.config.rate_limit_per_minute, |(_, n)| *n)
    }

    /// Counts one request of `operation`, or refuses it with a 429 past its limit.
    pub(super) fn limit(&self, operation: &'static str) -> Result<(), SimError> {
        let limit = self.limit_of(operation);
        if limit == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap();
        let seen = last_minute(&mut windows, operation, now);
        if seen.len() >= limit as usize {
            let oldest = *seen.front().expect("limit is at least 1");
            let wait = WINDOW.saturating_sub(now.duration_since(oldest));
            let mut e = SimError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Rate limit exceeded: at most {limit} {operation} requests per minute"),
            );
            if self.config.retry_after {
                e.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
            }
            return Err(e);
        }
        seen.push_back(now);
        Ok(())
    }

    /// Requests of `operation` in the last minute, and when the oldest leaves it.
    fn usage_of(&self, operation: &'static str) -> (usize, Option<Instant>) {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap();
        let seen = last_minute(&mut windows, operation, now);
        (seen.len(), seen.front().map(|t| *t + WINDOW))
    }
}

/// The requests of `operation` in the minute before `now`, older ones forgotten.
fn last_minute<'a>(
    windows: &'a mut HashMap<&'static str, VecDeque<Instant>>,
    operation: &'static str,
    now: Instant,
) -> &'a mut VecDeque<Instant> {
    let seen = windows.entry(operation).or_default();
    while seen
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        seen.pop_front();
    }
    seen
}

fn stated(limit: u32) -> i64 {
    if limit == 0 {
        -1
    } else {
        i64::from(limit)
    }
}

/// `GET /api/billing/v1/limits`: each operation type's limit a minute (-1 unlimited).
pub(super) async fn limits(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    sim.admit(&headers, op::LIMITS)?;
    let features: Map<String, Value> = FEATURES
        .iter()
        .map(|(name, what)| {
            let value = stated(sim.limit_of(name));
            let description = format!("{what} per minute");
            (
                (*name).to_owned(),
                json!({"value": value, "window": "minute", "description": description}),
            )
        })
        .collect();
    let body = json!({
        "customerId": CUSTOMER_ID,
        "tierName": "Pro",
        "limits": { "compute-api": features },
    });
    json_answer(StatusCode::OK, &body)
}

/// `GET /api/billing/v1/limits/usage`: per operation type, what the last minute used.
pub(super) async fn usage(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    sim.admit(&headers, op::LIMITS)?;
    let now = Instant::now();
    let wall = SystemTime::now();
    let rows: Vec<Value> = FEATURES
        .iter()
        .map(|(name, _)| {
            let limit = sim.limit_of(name);
            let (used, leaves) = sim.usage_of(name);
            let remaining = if limit == 0 {
                -1
            } else {
                i64::from(limit) - used as i64
            };
            let reset =
                wall + leaves.map_or(Duration::ZERO, |at| at.saturating_duration_since(now));
            json!({
                "featureKey": name,
                "tierName": "Pro",
                "window": "minute",
                "currentUsage": used,
                "limit": stated(limit),
                "remaining": remaining.max(-1),
                "resetAt": rfc3339(reset),
                "isLocked": limit != 0 && remaining <= 0,
            })
        })
        .collect();
    json_answer(StatusCode::OK, &rows)
}
