//! The Auth API (email sign-in, sessions, the key-pair check) and Billing's quotas.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::json;

use super::super::world::{CUSTOMER_ID, USER_ID};
use super::super::Dialect;
use super::{
    acknowledged, expire_at, json_answer, op, parse_body, required, Answer, Caller, Sim, SimError,
};

pub(super) async fn open_session(State(sim): State<Arc<Sim>>, body: Bytes) -> Answer {
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

pub(super) async fn verify(State(sim): State<Arc<Sim>>, body: Bytes) -> Answer {
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

pub(super) async fn session_info(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    let bearer = session_caller(&sim, &headers)?;
    let sessions = sim.sessions.lock().unwrap();
    let s = sessions
        .check(&bearer, SystemTime::now())
        .map_err(|_| SimError::new(StatusCode::UNAUTHORIZED, "Invalid or closed session"))?;
    let mut body = json!({
        "sessionID": s.session_id,
        "userID": USER_ID,
        "alias": s.email.split('@').next().unwrap_or_default(),
        "fullName": "Demo User",
        "expireAt": expire_at(s.expires, sim.config.dialect),
        "verified": s.verified,
        "roles": ["compute:admin"],
        "groups": ["staff"],
    });
    if sim.config.nameless {
        without(&mut body, &["alias", "fullName"]);
    }
    json_answer(StatusCode::OK, &body)
}

pub(super) async fn extend(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    let bearer = session_caller(&sim, &headers)?;
    sim.sessions
        .lock()
        .unwrap()
        .extend(&bearer, sim.config.session_ttl, SystemTime::now());
    acknowledged()
}

pub(super) async fn close(
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

pub(super) async fn keypair(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    if let Caller::Session { .. } = sim.admit(&headers, op::KEYPAIR)? {
        return Err(SimError::new(
            StatusCode::UNAUTHORIZED,
            "This endpoint needs an API key and secret",
        ));
    }
    let expires = SystemTime::now() + Duration::from_secs(180 * 24 * 3600);
    // The main key is "Demo key"; the others are named by their place.
    let key = headers.get("api-key").and_then(|v| v.to_str().ok());
    let more = sim
        .config
        .more_keys
        .iter()
        .position(|(k, _)| Some(k.as_str()) == key);
    let name = more.map_or_else(|| "Demo key".to_owned(), |i| format!("Key {}", i + 2));
    let mut body = json!({
        "keyName": name,
        "keyID": "3f2b7c1e-demo",
        "expireAt": expire_at(expires, sim.config.dialect),
        "userName": sim.config.email,
        "userAlias": "Demo User",
        "roles": ["compute:admin"],
    });
    if sim.config.nameless {
        without(&mut body, &["userName", "userAlias"]);
    }
    json_answer(StatusCode::OK, &body)
}

pub(super) async fn quotas(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
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

/// `body` without the fields `names` (an account with no name to give).
fn without(body: &mut serde_json::Value, names: &[&str]) {
    if let Some(fields) = body.as_object_mut() {
        for name in names {
            fields.remove(*name);
        }
    }
}
