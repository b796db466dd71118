//! The simulated ThreatWinds endpoints: Compute, Auth and Billing, with the contract's
//! credentials rules, per-operation rate limits, quotas and error headers, plus the
//! `/_sim` controls for tests. The endpoints live in `compute`, `account` (Auth and
//! Billing) and `controls`; here are what they share: the state, credentials, rate limits
//! and the error shape.

mod account;
mod compute;
mod controls;
mod limits;

use account::{close, extend, keypair, open_session, quotas, session_info, verify};
use compute::{create, list, one, power, remove, templates, zones};
use controls::{
    add_fault, clear_faults, clear_requests, clock, end_sessions, faults, move_clock, outbox,
    requests, revoke_key, set_status,
};

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};

use super::control::Controls;
use super::world::{BearerProblem, Machines, Refusal, Sessions, Timings};
use super::{Dialect, SimConfig, Voice};

/// Everything the simulator knows, shared by all connections.
pub struct Sim {
    pub config: SimConfig,
    pub controls: Controls,
    machines: Mutex<Machines>,
    sessions: Mutex<Sessions>,
    windows: Mutex<HashMap<&'static str, VecDeque<Instant>>>,
    /// API keys revoked since the start (`DELETE /_sim/keys/{key}`): refused from then on.
    revoked: Mutex<HashSet<String>>,
}

/// A refusal on the wire: status, `x-error`, a fresh `x-error-id`.
pub struct SimError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
    voice: Voice,
}

impl SimError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        SimError {
            status,
            message: message.into(),
            retry_after: None,
            voice: Voice::default(),
        }
    }

    /// Worded in the simulator's voice (its bodies and support codes differ).
    fn in_voice(mut self, voice: Voice) -> Self {
        self.voice = voice;
        self
    }
}

impl From<Refusal> for SimError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound(m) => SimError::new(StatusCode::NOT_FOUND, m),
            Refusal::Invalid(m) => SimError::new(StatusCode::BAD_REQUEST, m),
            Refusal::Quota(m) => SimError::new(StatusCode::FORBIDDEN, m),
        }
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response<Body> {
        let mut response = error_response(self.status, &self.message, self.voice);
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        response
    }
}

/// An error answer as the contract describes it: both headers, and a JSON body that
/// clients must not depend on. As the service answers now, the body is an object whose
/// `error_id` is the header's support code, a UUID minted per occurrence, and its `type`
/// a 32-hex code of the kind of error; the overview docs' older body is the message
/// alone and the support code 32 hex characters; the SDK's codes are any string
/// (`compute-404-3fa9`).
pub fn error_response(status: StatusCode, message: &str, voice: Voice) -> Response<Body> {
    let (body, id) = error_body(status, message, voice);
    let mut response = Json(body).into_response();
    *response.status_mut() = status;
    let printable: String = message
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    let headers = response.headers_mut();
    headers.insert(
        "x-error",
        HeaderValue::from_str(&printable).expect("printable ASCII is a valid header"),
    );
    headers.insert("x-error-id", HeaderValue::from_str(&id).expect("ASCII"));
    response
}

/// The body of an error answer, and its support code, minted here.
fn error_body(status: StatusCode, message: &str, voice: Voice) -> (Value, String) {
    let id = match (voice.dialect, voice.older_errors) {
        (Dialect::Sdk, _) => format!("compute-{}-{:04x}", status.as_u16(), fastrand::u16(..)),
        (Dialect::Docs, true) => format!("{:032x}", fastrand::u128(..)),
        (Dialect::Docs, false) => uuid(),
    };
    let body = if voice.older_errors {
        json!({ "error": message })
    } else {
        // The kind of error, the same each time for one status (the service's MD5).
        let kind = format!(
            "{:032x}",
            u128::from(status.as_u16()).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
        );
        json!({ "error": {
            "message": message,
            "type": kind,
            "code": status.as_u16(),
            "error_id": id,
        }})
    };
    (body, id)
}

/// A random UUID (version 4), as the service mints support codes.
fn uuid() -> String {
    let n = fastrand::u128(..);
    // Version 4, variant 10xx.
    let n = (n & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

type Answer = Result<Response<Body>, SimError>;

/// Who is calling.
enum Caller {
    KeyPair,
    Session { bearer: String },
}

/// Rate-limit buckets: one per operation type, as the contract says.
mod op {
    pub const LIST: &str = "instances.list";
    pub const GET: &str = "instances.get";
    pub const CREATE: &str = "instances.create";
    pub const DELETE: &str = "instances.delete";
    pub const POWER: &str = "instances.power";
    pub const TEMPLATES: &str = "templates.list";
    pub const SESSION: &str = "auth.session";
    pub const KEYPAIR: &str = "auth.keypair";
    pub const QUOTAS: &str = "billing.quotas";
    pub const LIMITS: &str = "billing.limits";
}

impl Sim {
    /// Which credential `headers` carry, as the request log says it (`Seen::credential`).
    pub fn credential_of(&self, headers: &axum::http::HeaderMap) -> String {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(bearer) = text("authorization").and_then(|v| v.strip_prefix("Bearer ")) {
            return match self.sessions.lock().unwrap().id_of(bearer) {
                Some(id) => format!("session:{id}"),
                None => "bearer:unknown".into(),
            };
        }
        text("api-key").map_or_else(String::new, |key| format!("key:{key}"))
    }

    /// Refuses the API key `key` from now on.
    pub fn revoke(&self, key: &str) {
        self.revoked.lock().unwrap().insert(key.to_owned());
    }

    pub fn new(config: SimConfig) -> Self {
        let mut timings = Timings::at_speed(config.speed);
        if let Some(stop) = config.stop_time {
            timings.stop = stop;
        }
        let mut machines = Machines::new(timings, config.seed);
        machines.office_names = config.office_names;
        machines.seed(config.instances, Instant::now());
        if config.cloud_states {
            machines.seed_cloud_states();
        }
        machines.shutdowns_hang = config.shutdowns_hang;
        machines.accept_delay = config.accept_delay.div_f64(config.speed.max(0.001));
        Sim {
            controls: Controls::new(config.latency, config.faults.clone()),
            sessions: Mutex::new(Sessions::default()),
            machines: Mutex::new(machines),
            windows: Mutex::new(HashMap::new()),
            revoked: Mutex::new(HashSet::new()),
            config,
        }
    }

    /// Checks the credentials (exactly one method) and the operation's rate limit.
    fn admit(&self, headers: &HeaderMap, operation: &'static str) -> Result<Caller, SimError> {
        let caller = self
            .caller(headers)
            .map_err(|e| e.in_voice(self.config.voice()))?;
        self.limit(operation)
            .map_err(|e| e.in_voice(self.config.voice()))?;
        Ok(caller)
    }

    /// A refusal of the world, in the simulator's dialect.
    fn refusal(&self, r: Refusal) -> SimError {
        SimError::from(r).in_voice(self.config.voice())
    }

    fn caller(&self, headers: &HeaderMap) -> Result<Caller, SimError> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let authorization = text("authorization");
        let (key, secret) = (text("api-key"), text("api-secret"));
        let unauthorized = |m: &str| SimError::new(StatusCode::UNAUTHORIZED, m);
        if authorization.is_some() && (key.is_some() || secret.is_some()) {
            return Err(SimError::new(
                StatusCode::BAD_REQUEST,
                "Send either a bearer token or an API key pair, not both",
            ));
        }
        if let Some(value) = authorization {
            let bearer = value
                .strip_prefix("Bearer ")
                .ok_or_else(|| unauthorized("Authorization must be a Bearer token"))?;
            let sessions = self.sessions.lock().unwrap();
            return match sessions.check(bearer, SystemTime::now()) {
                Ok(_) => Ok(Caller::Session {
                    bearer: bearer.to_owned(),
                }),
                Err(BearerProblem::Unknown) => Err(unauthorized("Invalid or closed session")),
                Err(BearerProblem::NotVerified) => Err(unauthorized("Session is not verified yet")),
                Err(BearerProblem::Expired) => Err(unauthorized("Session expired")),
            };
        }
        match (key, secret) {
            (Some(k), Some(_)) if self.revoked.lock().unwrap().contains(k) => {
                Err(unauthorized("API key revoked"))
            }
            (Some(k), Some(s)) if k == self.config.api_key && s == self.config.api_secret => {
                Ok(Caller::KeyPair)
            }
            (Some(k), Some(s))
                if self
                    .config
                    .more_keys
                    .iter()
                    .any(|(key, secret)| key == k && secret == s) =>
            {
                Ok(Caller::KeyPair)
            }
            (Some(_), Some(_)) => Err(unauthorized("Invalid API key or secret")),
            (Some(_), None) | (None, Some(_)) => Err(unauthorized(
                "Both api-key and api-secret headers are required",
            )),
            (None, None) => Err(unauthorized("Missing credentials")),
        }
    }

    fn machines(&self) -> std::sync::MutexGuard<'_, Machines> {
        let mut machines = self.machines.lock().unwrap();
        machines.settle(Instant::now());
        machines
    }
}

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/api/compute/v1/instances", get(list).post(create))
        .route("/api/compute/v1/instances/{id}", get(one).delete(remove))
        .route("/api/compute/v1/instances/{id}/{action}", post(power))
        .route("/api/compute/v1/templates", get(templates))
        .route("/api/compute/v1/templates/{id}/zones", get(zones))
        .route("/api/auth/v2/session", post(open_session).get(session_info))
        .route("/api/auth/v2/session/verification", put(verify))
        .route("/api/auth/v2/session/extend", put(extend))
        .route("/api/auth/v2/session/{session_id}", delete(close))
        .route("/api/auth/v2/keypair", get(keypair))
        .route("/api/billing/v1/quotas", get(quotas))
        .route("/api/billing/v1/limits", get(limits::limits))
        .route("/api/billing/v1/limits/usage", get(limits::usage))
        .route("/_sim/outbox", get(outbox))
        .route(
            "/_sim/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route("/_sim/clock", get(clock).post(move_clock))
        .route("/_sim/sessions", delete(end_sessions))
        .route("/_sim/keys/{key}", delete(revoke_key))
        .route("/_sim/instances/{id}/status", put(set_status))
        .fallback(|| async { SimError::new(StatusCode::NOT_FOUND, "No such endpoint") })
        .method_not_allowed_fallback(|| async {
            SimError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
        })
        .with_state(sim)
}

fn json_answer(status: StatusCode, body: &impl Serialize) -> Answer {
    let bytes = serde_json::to_vec(body).map_err(|e| {
        SimError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Encoding failed: {e}"),
        )
    })?;
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(bytes))
        .expect("valid response"))
}

fn acknowledged() -> Answer {
    json_answer(StatusCode::OK, &json!({ "message": "acknowledged" }))
}

fn parse_body(body: &Bytes) -> Result<Value, SimError> {
    serde_json::from_slice(body)
        .map_err(|_| SimError::new(StatusCode::BAD_REQUEST, "Malformed JSON body"))
}

fn required<'a>(body: &'a Value, field: &str) -> Result<&'a str, SimError> {
    match body.get(field).and_then(Value::as_str).map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(SimError::new(
            StatusCode::BAD_REQUEST,
            format!("{field} is required"),
        )),
    }
}

pub(super) fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `expireAt`: Unix seconds in the docs, a string in the SDK.
pub(super) fn expire_at(t: SystemTime, dialect: Dialect) -> Value {
    match dialect {
        Dialect::Docs => json!(t
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()),
        Dialect::Sdk => json!(rfc3339(t)),
    }
}
