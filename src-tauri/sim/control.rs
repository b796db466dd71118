//! Test and demo controls that the real service does not have: fault injection, added
//! latency, and a log of every request received. Faults are applied here, in front of
//! the routes, so they can do what a handler cannot: drop the connection outright.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

use super::http::{error_response, Sim};
use super::Dialect;

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
    /// Answer with this status; `headers: false` leaves out `x-error` and `x-error-id`.
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
    fn header(&self) -> HeaderValue {
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
    pub at_ms: u64,
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
}

impl Controls {
    pub fn new(latency: Duration, faults: Vec<FaultRule>) -> Self {
        Controls {
            started: Instant::now(),
            latency,
            faults: Mutex::new(faults),
            seen: Mutex::new(VecDeque::new()),
        }
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
    fn take(&self, method: &Method, path: &str) -> (Duration, Option<FaultAction>) {
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

    fn record(
        &self,
        method: &Method,
        path: &str,
        status: u16,
        auth: &'static str,
        credential: &str,
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
            at_ms: self.started.elapsed().as_millis() as u64,
            auth,
            credential: credential.to_owned(),
        });
    }
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
pub struct DroppedOnPurpose;

impl std::fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DroppedOnPurpose {}

/// The per-connection service: faults and logging around the routes.
#[derive(Clone)]
pub struct Front {
    pub sim: Arc<Sim>,
    pub router: axum::Router,
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for Front {
    type Response = Response<Body>;
    type Error = DroppedOnPurpose;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, DroppedOnPurpose>> + Send>>;

    fn call(&self, request: Request<hyper::body::Incoming>) -> Self::Future {
        let front = self.clone();
        Box::pin(async move { front.answer(request).await })
    }
}

impl Front {
    async fn answer(
        self,
        request: Request<hyper::body::Incoming>,
    ) -> Result<Response<Body>, DroppedOnPurpose> {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        if path.starts_with("/_sim/") {
            return Ok(route(self.router, request.map(Body::new)).await);
        }
        let auth = auth_kind(&request);
        let credential = self.sim.credential_of(request.headers());
        let (latency, failure) = self.sim.controls.take(&method, &path);
        if failure == Some(FaultAction::Drop) {
            self.sim
                .controls
                .record(&method, &path, 0, auth, &credential);
            return Err(DroppedOnPurpose);
        }
        // The work goes on in its own task, like a real server's: a client that gives
        // up (a timeout) does not cancel a create that is already under way.
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(Body::new(body), 1 << 20)
            .await
            .map_err(|_| DroppedOnPurpose)?;
        let request = Request::from_parts(parts, Body::from(body));
        let work = tokio::spawn(async move {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            let response = match &failure {
                None | Some(FaultAction::AnswerLost) => route(self.router, request).await,
                Some(action) => fault_response(action, self.sim.config.dialect),
            };
            let lost = failure == Some(FaultAction::AnswerLost);
            let status = if lost { 0 } else { response.status().as_u16() };
            self.sim
                .controls
                .record(&method, &path, status, auth, &credential);
            (response, lost)
        });
        match work.await {
            Ok((response, false)) => Ok(response),
            _ => Err(DroppedOnPurpose),
        }
    }
}

async fn route(router: axum::Router, request: Request<Body>) -> Response<Body> {
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Which credentials a request carried, for tests that check "never both".
fn auth_kind<B>(request: &Request<B>) -> &'static str {
    let h = request.headers();
    match (
        h.contains_key("authorization"),
        h.contains_key("api-key") || h.contains_key("api-secret"),
    ) {
        (true, true) => "both",
        (true, false) => "bearer",
        (false, true) => "keypair",
        (false, false) => "none",
    }
}

fn fault_response(action: &FaultAction, dialect: Dialect) -> Response<Body> {
    match action {
        FaultAction::Status {
            status,
            headers,
            message,
            retry_after,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = message
                .clone()
                .unwrap_or_else(|| default_message(status).to_owned());
            let mut response = if *headers {
                error_response(status, &message, dialect)
            } else {
                let mut r = Response::new(Body::empty());
                *r.status_mut() = status;
                r
            };
            if let Some(after) = retry_after {
                response.headers_mut().insert("retry-after", after.header());
            }
            response
        }
        FaultAction::Malformed => Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from(
                r#"[{"id": "tw-550e84-0000beef", "status": "RUNN"#,
            ))
            .expect("static response"),
        FaultAction::Html => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .header("content-type", "text/html; charset=utf-8")
            .body(Body::from(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                 <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                 </body>\r\n</html>\r\n",
            ))
            .expect("static response"),
        FaultAction::Latency { .. } | FaultAction::Drop | FaultAction::AnswerLost => {
            unreachable!("latency, drop and a lost answer are handled around the answer")
        }
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Invalid request",
        401 => "Invalid credentials",
        403 => "Quota exceeded",
        404 => "Not found",
        429 => "Rate limit exceeded",
        500 => "Cloud operation failed",
        503 => "Service temporarily unavailable",
        _ => "Simulated failure",
    }
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
