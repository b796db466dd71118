//! The `/_sim` controls the real service does not have: the code outbox, faults, the
//! request log, ending sessions, setting a machine's status.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{json, Value};

use super::super::control::{FaultRule, WALL_MOVE_MAX};
use super::{json_answer, parse_body, required, rfc3339, Answer, Sim, SimError};

pub(super) async fn outbox(State(sim): State<Arc<Sim>>) -> Answer {
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

pub(super) async fn faults(State(sim): State<Arc<Sim>>) -> Answer {
    json_answer(StatusCode::OK, &sim.controls.faults())
}

pub(super) async fn add_fault(State(sim): State<Arc<Sim>>, body: Bytes) -> Answer {
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

pub(super) async fn clear_faults(State(sim): State<Arc<Sim>>) -> Answer {
    sim.controls.clear_faults();
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn requests(State(sim): State<Arc<Sim>>) -> Answer {
    json_answer(StatusCode::OK, &sim.controls.seen())
}

/// The simulator's clocks: `ms` since it started, the one its request log is written in
/// (a test marks a moment to compare the log's times with), and its wall clock (`wall`),
/// `aheadMs` ahead of this computer's.
pub(super) async fn clock(State(sim): State<Arc<Sim>>) -> Answer {
    clock_answer(&sim)
}

fn clock_answer(sim: &Sim) -> Answer {
    json_answer(
        StatusCode::OK,
        &json!({ "ms": sim.controls.now_ms(), "wall": rfc3339(sim.controls.wall_now()),
                 "aheadMs": u64::try_from(sim.controls.wall_ahead().as_millis()).unwrap_or(u64::MAX) }),
    )
}

/// Moves the wall clock forward (`{"forwardMs": N}`, N from 1 to 400 days' worth).
pub(super) async fn move_clock(State(sim): State<Arc<Sim>>, body: Bytes) -> Answer {
    let body = parse_body(&body)?;
    let max = u64::try_from(WALL_MOVE_MAX.as_millis()).unwrap_or(u64::MAX);
    let ms = body["forwardMs"]
        .as_u64()
        .filter(|ms| (1..=max).contains(ms))
        .ok_or_else(|| {
            SimError::new(
                StatusCode::BAD_REQUEST,
                "forwardMs: a whole number of milliseconds, from 1 to 400 days",
            )
        })?;
    sim.controls
        .move_wall_forward(std::time::Duration::from_millis(ms));
    log::info!("sim: wall clock moved forward {ms} ms");
    clock_answer(&sim)
}

/// Ends every sign-in session, as if an administrator had revoked them.
pub(super) async fn end_sessions(State(sim): State<Arc<Sim>>) -> Answer {
    let ended = sim.sessions.lock().unwrap().end_all();
    log::info!("sim: ended {ended} sessions");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Revokes an API key, as an administrator would in the console: every request made with
/// it is refused (401) from now on.
pub(super) async fn revoke_key(State(sim): State<Arc<Sim>>, Path(key): Path<String>) -> Answer {
    sim.revoke(&key);
    log::info!("sim: revoked an API key");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sets a machine's status outright (`{"status": "HIBERNATING"}`), as the cloud underneath
/// might; any word is kept as sent.
pub(super) async fn set_status(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = parse_body(&body)?;
    let status = required(&body, "status")?;
    sim.machines().set_status(&id, status)?;
    log::info!("sim: {id} is now {status}");
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn clear_requests(State(sim): State<Arc<Sim>>) -> Answer {
    sim.controls.clear_seen();
    Ok(StatusCode::NO_CONTENT.into_response())
}
