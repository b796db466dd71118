//! The Compute API: instances, power operations, templates and their zones, in either
//! dialect.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use super::super::world::{template, Machine, Placement, Status, CUSTOMER_ID, TEMPLATES, USER_ID};
use super::super::Dialect;
use super::{json_answer, op, parse_body, required, rfc3339, Answer, Sim, SimError};

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

/// The list as `GET /instances` answers it: machines created after `listed_from` are not
/// in it yet (`--list-lag`).
struct List<'a> {
    machines: &'a [Machine],
    dialect: Dialect,
    listed_from: Option<SystemTime>,
}

impl Serialize for List<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.machines
                .iter()
                .filter(|m| self.listed_from.is_none_or(|at| m.created_at <= at))
                .map(|m| Wire(m, self.dialect)),
        )
    }
}

pub(super) async fn list(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
    sim.admit(&headers, op::LIST)?;
    let machines = sim.machines();
    // A real service lists a new machine once its record is written; read alone, it is
    // there already.
    let lag = sim.config.list_lag;
    let listed_from = (!lag.is_zero()).then(|| {
        SystemTime::now()
            .checked_sub(lag)
            .unwrap_or(SystemTime::UNIX_EPOCH)
    });
    let list = List {
        machines: &machines.list,
        dialect: sim.config.dialect,
        listed_from,
    };
    json_answer(StatusCode::OK, &list)
}

pub(super) async fn one(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    sim.admit(&headers, op::GET)?;
    let machines = sim.machines();
    let machine = machines.get(&id).map_err(|r| sim.refusal(r))?;
    json_answer(StatusCode::OK, &Wire(machine, sim.config.dialect))
}

/// `POST /instances`: `{"template_id", "config_id"}` in the overview docs, `{"templateID",
/// "zone"}` in the SDK (May 2026), which also answers 200 instead of 201.
pub(super) async fn create(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Answer {
    sim.admit(&headers, op::CREATE)?;
    let dialect = sim.config.dialect;
    let voice = sim.config.voice();
    let body = parse_body(&body).map_err(|e| e.in_voice(voice))?;
    let field = |name| required(&body, name).map_err(|e| e.in_voice(voice));
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

pub(super) async fn remove(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    sim.admit(&headers, op::DELETE)?;
    sim.machines()
        .act(&id, "delete", Instant::now())
        .map_err(|r| sim.refusal(r))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn power(
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
pub(super) async fn zones(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    sim.admit(&headers, op::TEMPLATES)?;
    if sim.config.dialect == Dialect::Docs {
        return Err(SimError::new(StatusCode::NOT_FOUND, "No such endpoint"));
    }
    let t = template(&id).map_err(|r| sim.refusal(r))?;
    json_answer(StatusCode::OK, &t.zones)
}

pub(super) async fn templates(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Answer {
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
