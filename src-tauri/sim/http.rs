//! The simulated ThreatWinds endpoints: Compute, Auth and Billing, with the contract's
//! credentials rules, per-operation rate limits, quotas and error headers, plus the
//! `/_sim` controls for tests.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use super::control::{Controls, FaultRule};
use super::world::{
    template, BearerProblem, Machine, Machines, Placement, Refusal, Sessions, Status, Timings,
    CUSTOMER_ID, TEMPLATES, USER_ID,
};
use super::{Dialect, SimConfig};

/// Everything the simulator knows, shared by all connections.
pub struct Sim {
    pub config: SimConfig,
    pub controls: Controls,
    machines: Mutex<Machines>,
    sessions: Mutex<Sessions>,
    windows: Mutex<HashMap<&'static str, VecDeque<Instant>>>,
}

/// A refusal on the wire: status, `x-error`, a fresh `x-error-id`.
pub struct SimError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
    dialect: Dialect,
}

impl SimError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        SimError {
            status,
            message: message.into(),
            retry_after: None,
            dialect: Dialect::Docs,
        }
    }

    /// Spoken in the simulator's dialect (its support codes differ).
    fn in_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
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
        let mut response = error_response(self.status, &self.message, self.dialect);
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        response
    }
}

/// An error answer as the contract describes it: both headers, and a JSON body that
/// clients must not depend on. The support code is 32 hex characters in the overview
/// docs and any string in the SDK (`compute-404-3fa9`).
pub fn error_response(status: StatusCode, message: &str, dialect: Dialect) -> Response<Body> {
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
    let mut response = Json(json!({ "error": message })).into_response();
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        "x-error",
        HeaderValue::from_str(&printable).expect("printable ASCII is a valid header"),
    );
    let id = match dialect {
        Dialect::Docs => format!("{:032x}", fastrand::u128(..)),
        Dialect::Sdk => format!("compute-{}-{:04x}", status.as_u16(), fastrand::u16(..)),
    };
    headers.insert("x-error-id", HeaderValue::from_str(&id).expect("ASCII"));
    response
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
}

impl Sim {
    pub fn new(config: SimConfig) -> Self {
        let mut machines = Machines::new(Timings::at_speed(config.speed), config.seed);
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
            config,
        }
    }

    /// Checks the credentials (exactly one method) and the operation's rate limit.
    fn admit(&self, headers: &HeaderMap, operation: &'static str) -> Result<Caller, SimError> {
        let caller = self
            .caller(headers)
            .map_err(|e| e.in_dialect(self.config.dialect))?;
        self.limit(operation)
            .map_err(|e| e.in_dialect(self.config.dialect))?;
        Ok(caller)
    }

    /// A refusal of the world, in the simulator's dialect.
    fn refusal(&self, r: Refusal) -> SimError {
        SimError::from(r).in_dialect(self.config.dialect)
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
            (Some(k), Some(s)) if k == self.config.api_key && s == self.config.api_secret => {
                Ok(Caller::KeyPair)
            }
            (Some(_), Some(_)) => Err(unauthorized("Invalid API key or secret")),
            (Some(_), None) | (None, Some(_)) => Err(unauthorized(
                "Both api-key and api-secret headers are required",
            )),
            (None, None) => Err(unauthorized("Missing credentials")),
        }
    }

    fn limit(&self, operation: &'static str) -> Result<(), SimError> {
        let limit = self.config.rate_limit_per_minute;
        if limit == 0 {
            return Ok(());
        }
        let window = Duration::from_secs(60);
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap();
        let seen = windows.entry(operation).or_default();
        while seen
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            seen.pop_front();
        }
        if seen.len() >= limit as usize {
            let oldest = *seen.front().expect("limit is at least 1");
            let wait = window.saturating_sub(now.duration_since(oldest));
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
        .route("/_sim/outbox", get(outbox))
        .route(
            "/_sim/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route("/_sim/sessions", delete(end_sessions))
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

/// An instance in the dialect the simulator was started with.
struct Wire<'a>(&'a Machine, Dialect);

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Wire(m, dialect) = self;
        let sdk = *dialect == Dialect::Sdk;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &m.id)?;
        map.serialize_entry(if sdk { "userID" } else { "userId" }, USER_ID)?;
        map.serialize_entry("name", &m.name)?;
        map.serialize_entry("zone", m.zone)?;
        map.serialize_entry("machineType", &m.machine_type)?;
        for (key, value) in [
            ("externalIp", &m.external_ip),
            ("internalIp", &m.internal_ip),
        ] {
            match (value, sdk) {
                (Some(ip), _) => map.serialize_entry(key, ip)?,
                // The SDK sends empty strings where the docs leave the field out.
                (None, true) => map.serialize_entry(key, "")?,
                (None, false) => {}
            }
        }
        let status = match (&m.status, sdk) {
            (Status::Custom(word), _) => word.clone(),
            (known, true) => known.lower(),
            (known, false) => known.upper().to_owned(),
        };
        map.serialize_entry("status", &status)?;
        map.serialize_entry("templateId", m.template_id)?;
        map.serialize_entry("createdAt", &rfc3339(m.created_at))?;
        if sdk {
            map.serialize_entry("customerID", CUSTOMER_ID)?;
            map.serialize_entry("labels", &json!({ "managed-by": "threatwinds" }))?;
        }
        map.end()
    }
}

fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `expireAt`: Unix seconds in the docs, a string in the SDK.
fn expire_at(t: SystemTime, dialect: Dialect) -> Value {
    match dialect {
        Dialect::Docs => json!(t
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()),
        Dialect::Sdk => json!(rfc3339(t)),
    }
}

struct List<'a>(&'a [Machine], Dialect);

impl Serialize for List<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|m| Wire(m, self.1)))
    }
}

async fn list(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    sim.admit(&headers, op::LIST)?;
    let machines = sim.machines();
    json_answer(StatusCode::OK, &List(&machines.list, sim.config.dialect))
}

async fn one(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    sim.admit(&headers, op::GET)?;
    let machines = sim.machines();
    let machine = machines.get(&id).map_err(|r| sim.refusal(r))?;
    json_answer(StatusCode::OK, &Wire(machine, sim.config.dialect))
}

/// `POST /instances`: `{"template_id", "config_id"}` in the overview docs, `{"templateID",
/// "zone"}` in the SDK (May 2026), which also answers 200 instead of 201.
async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Answer {
    sim.admit(&headers, op::CREATE)?;
    let dialect = sim.config.dialect;
    let body = parse_body(&body).map_err(|e| e.in_dialect(dialect))?;
    let field = |name| required(&body, name).map_err(|e| e.in_dialect(dialect));
    let (template, placement, status) = match dialect {
        Dialect::Docs => (
            field("template_id")?,
            Placement::Config(field("config_id")?),
            StatusCode::CREATED,
        ),
        Dialect::Sdk => (
            field("templateID")?,
            Placement::Zone(field("zone")?),
            StatusCode::OK,
        ),
    };
    let mut machines = sim.machines();
    let created = machines
        .create(template, placement, sim.config.quota, Instant::now())
        .map_err(|r| sim.refusal(r))?;
    log::info!(
        "sim: created {} from {template} in {}",
        created.id,
        created.zone
    );
    json_answer(status, &Wire(created, dialect))
}

async fn remove(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    sim.admit(&headers, op::DELETE)?;
    sim.machines()
        .act(&id, "delete", Instant::now())
        .map_err(|r| sim.refusal(r))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn power(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
) -> Answer {
    if !["start", "stop", "restart", "reset"].contains(&action.as_str()) {
        return Err(SimError::new(StatusCode::NOT_FOUND, "No such endpoint"));
    }
    sim.admit(&headers, op::POWER)?;
    sim.machines()
        .act(&id, &action, Instant::now())
        .map_err(|r| sim.refusal(r))?;
    match sim.config.dialect {
        Dialect::Docs => json_answer(
            StatusCode::ACCEPTED,
            &json!({ "message": "operation started", "operation": action, "id": id }),
        ),
        // The SDK's tests answer 204 with no body.
        Dialect::Sdk => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// `GET /templates/{id}/zones` (SDK, May 2026): where a template's machines can run.
async fn zones(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    sim.admit(&headers, op::TEMPLATES)?;
    if sim.config.dialect == Dialect::Docs {
        return Err(SimError::new(StatusCode::NOT_FOUND, "No such endpoint"));
    }
    let t = template(&id).map_err(|r| sim.refusal(r))?;
    json_answer(StatusCode::OK, &t.zones)
}

async fn templates(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    sim.admit(&headers, op::TEMPLATES)?;
    if !sim.config.templates {
        return Err(SimError::new(StatusCode::NOT_FOUND, "No such endpoint"));
    }
    let list: Vec<Value> = TEMPLATES
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "name": t.name, "description": t.description,
                "machineType": t.machine_type, "diskSizeGb": t.disk_size_gb,
                "diskType": t.disk_type, "image": t.image, "region": t.region,
            })
        })
        .collect();
    json_answer(StatusCode::OK, &list)
}

async fn open_session(State(sim): State<Arc<Sim>>, body: Bytes) -> Answer {
    sim.limit(op::SESSION)?;
    let body = parse_body(&body)?;
    let email = required(&body, "email")?;
    if !email.contains('@') {
        return Err(SimError::new(
            StatusCode::BAD_REQUEST,
            "A valid email is required",
        ));
    }
    if !email.eq_ignore_ascii_case(&sim.config.email) {
        return Err(SimError::new(
            StatusCode::NOT_FOUND,
            "No account uses this email address",
        ));
    }
    let dialect = sim.config.dialect;
    let mut sessions = sim.sessions.lock().unwrap();
    let (bearer, session, code_id) =
        sessions.open(email, sim.config.session_ttl, SystemTime::now());
    let body = json!({
        "bearer": bearer,
        "sessionID": session.session_id,
        "expireAt": expire_at(session.expires, dialect),
        "verificationCodeID": code_id,
        "message": "A verification code was sent to your email",
    });
    json_answer(StatusCode::OK, &body)
}

async fn verify(State(sim): State<Arc<Sim>>, body: Bytes) -> Answer {
    sim.limit(op::SESSION)?;
    let body = parse_body(&body)?;
    let code_id = required(&body, "verificationCodeID")?;
    let code = required(&body, "code")?;
    sim.sessions
        .lock()
        .unwrap()
        .verify(code_id, code, SystemTime::now())
        .map_err(|m| SimError::new(StatusCode::BAD_REQUEST, m))?;
    acknowledged()
}

fn session_caller(sim: &Sim, headers: &HeaderMap) -> Result<String, SimError> {
    match sim.admit(headers, op::SESSION)? {
        Caller::Session { bearer } => Ok(bearer),
        Caller::KeyPair => Err(SimError::new(
            StatusCode::UNAUTHORIZED,
            "This endpoint needs a session token",
        )),
    }
}

async fn session_info(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    let bearer = session_caller(&sim, &headers)?;
    let sessions = sim.sessions.lock().unwrap();
    let s = sessions
        .check(&bearer, SystemTime::now())
        .map_err(|_| SimError::new(StatusCode::UNAUTHORIZED, "Invalid or closed session"))?;
    let body = json!({
        "sessionID": s.session_id,
        "userID": USER_ID,
        "alias": s.email.split('@').next().unwrap_or_default(),
        "fullName": "Demo User",
        "expireAt": expire_at(s.expires, sim.config.dialect),
        "verified": s.verified,
        "roles": ["compute:admin"],
        "groups": ["staff"],
    });
    json_answer(StatusCode::OK, &body)
}

async fn extend(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    let bearer = session_caller(&sim, &headers)?;
    sim.sessions
        .lock()
        .unwrap()
        .extend(&bearer, sim.config.session_ttl, SystemTime::now());
    acknowledged()
}

async fn close(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(session_id): Path<String>,
) -> Answer {
    let bearer = session_caller(&sim, &headers)?;
    if !sim.sessions.lock().unwrap().close(&bearer, &session_id) {
        return Err(SimError::new(StatusCode::NOT_FOUND, "Session not found"));
    }
    acknowledged()
}

async fn keypair(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    if let Caller::Session { .. } = sim.admit(&headers, op::KEYPAIR)? {
        return Err(SimError::new(
            StatusCode::UNAUTHORIZED,
            "This endpoint needs an API key and secret",
        ));
    }
    let expires = SystemTime::now() + Duration::from_secs(180 * 24 * 3600);
    let body = json!({
        "keyName": "Demo key",
        "keyID": "3f2b7c1e-demo",
        "expireAt": expire_at(expires, sim.config.dialect),
        "userName": sim.config.email,
        "userAlias": "Demo User",
        "roles": ["compute:admin"],
    });
    json_answer(StatusCode::OK, &body)
}

async fn quotas(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    sim.admit(&headers, op::QUOTAS)?;
    let customer_key = match sim.config.dialect {
        Dialect::Docs => "customerId",
        Dialect::Sdk => "customerID",
    };
    let tier = match sim.config.quota {
        q if q < 0 => "Enterprise",
        0 => "Free",
        _ => "Pro",
    };
    let body = json!({
        customer_key: CUSTOMER_ID,
        "tierName": tier,
        "quotas": { "compute-api": { "max_instances": {
            "value": sim.config.quota, "description": "Maximum compute instances" } } },
    });
    json_answer(StatusCode::OK, &body)
}

async fn outbox(State(sim): State<Arc<Sim>>) -> Answer {
    let mails: Vec<Value> = sim
        .sessions
        .lock()
        .unwrap()
        .outbox
        .iter()
        .map(|m| {
            json!({ "email": m.email, "code": m.code,
                    "verificationCodeID": m.verification_code_id, "sentAt": rfc3339(m.sent_at) })
        })
        .collect();
    json_answer(StatusCode::OK, &mails)
}

async fn faults(State(sim): State<Arc<Sim>>) -> Answer {
    json_answer(StatusCode::OK, &sim.controls.faults())
}

async fn add_fault(State(sim): State<Arc<Sim>>, body: Bytes) -> Answer {
    let rules: Vec<FaultRule> = match parse_body(&body)? {
        Value::Array(items) => items
            .into_iter()
            .map(FaultRule::from_json)
            .collect::<Result<_, _>>(),
        one => FaultRule::from_json(one).map(|r| vec![r]),
    }
    .map_err(|e| SimError::new(StatusCode::BAD_REQUEST, format!("Bad fault rule: {e}")))?;
    for rule in rules {
        log::info!("sim: fault added: {rule:?}");
        sim.controls.add_fault(rule);
    }
    json_answer(StatusCode::CREATED, &sim.controls.faults())
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> Answer {
    sim.controls.clear_faults();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn requests(State(sim): State<Arc<Sim>>) -> Answer {
    json_answer(StatusCode::OK, &sim.controls.seen())
}

/// Ends every sign-in session, as if an administrator had revoked them.
async fn end_sessions(State(sim): State<Arc<Sim>>) -> Answer {
    let ended = sim.sessions.lock().unwrap().end_all();
    log::info!("sim: ended {ended} sessions");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sets a machine's status outright (`{"status": "HIBERNATING"}`), as the cloud underneath
/// might; any word is kept as sent.
async fn set_status(State(sim): State<Arc<Sim>>, Path(id): Path<String>, body: Bytes) -> Answer {
    let body = parse_body(&body)?;
    let status = required(&body, "status")?;
    sim.machines().set_status(&id, status)?;
    log::info!("sim: {id} is now {status}");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn clear_requests(State(sim): State<Arc<Sim>>) -> Answer {
    sim.controls.clear_seen();
    Ok(StatusCode::NO_CONTENT.into_response())
}
