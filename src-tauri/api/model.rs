//! The wire model, tolerant of every variant the documentation revisions and the SDK
//! disagree on: status letter case, `userId`/`userID`, missing IPs, `expireAt` as a
//! number or a string, unknown fields. Parsed once here; the rest of the app sees one shape.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::secret::Secret;

/// A virtual machine as the Compute API reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub id: String,
    #[serde(default, alias = "userID", deserialize_with = "text")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub zone: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub machine_type: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub external_ip: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub internal_ip: Option<String>,
    #[serde(default)]
    pub status: InstanceStatus,
    #[serde(default, alias = "templateID", deserialize_with = "text")]
    pub template_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub created_at: Option<String>,
}

impl Instance {
    /// The name to show: the machine's name, or its id when it has none.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// `n1-standard-2` out of `zones/us-central1-a/machineTypes/n1-standard-2`.
    pub fn machine_type_short(&self) -> Option<&str> {
        self.machine_type
            .as_deref()
            .map(|t| t.rsplit('/').next().unwrap_or(t))
    }
}

/// A machine's state. Known states (the contract's and those Google Compute passes
/// through) are recognised in any letter case; anything else is kept exactly as the
/// server sent it, to be shown as-is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum InstanceStatus {
    Provisioning,
    /// Google Compute: resources acquired, booting.
    Staging,
    Running,
    Starting,
    Stopping,
    Stopped,
    Restarting,
    Resetting,
    Deleting,
    Error,
    /// Google Compute: memory being saved before suspension.
    Suspending,
    /// Google Compute: suspended; starting it resumes it.
    Suspended,
    /// Google Compute's word for stopped; it can be started.
    Terminated,
    /// Google Compute is recovering the machine itself.
    Repairing,
    /// A state this client does not know, verbatim (empty when the field was missing).
    Other(String),
    #[default]
    Missing,
}

/// Where a machine is, for the actions it offers and how closely it is watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Running,
    /// Off: stopped, terminated or suspended. It can be started.
    Stopped,
    /// On its way somewhere; worth reading often.
    Moving,
    Error,
    /// A state nobody documented: not watched closely, every action offered, and the
    /// server judges.
    Unknown,
}

impl InstanceStatus {
    const KNOWN: [(&'static str, InstanceStatus); 14] = [
        ("provisioning", InstanceStatus::Provisioning),
        ("staging", InstanceStatus::Staging),
        ("running", InstanceStatus::Running),
        ("starting", InstanceStatus::Starting),
        ("stopping", InstanceStatus::Stopping),
        ("stopped", InstanceStatus::Stopped),
        ("restarting", InstanceStatus::Restarting),
        ("resetting", InstanceStatus::Resetting),
        ("deleting", InstanceStatus::Deleting),
        ("error", InstanceStatus::Error),
        ("suspending", InstanceStatus::Suspending),
        ("suspended", InstanceStatus::Suspended),
        ("terminated", InstanceStatus::Terminated),
        ("repairing", InstanceStatus::Repairing),
    ];

    pub fn from_wire(raw: &str) -> Self {
        let trimmed = raw.trim();
        Self::KNOWN
            .into_iter()
            .find(|(name, _)| trimmed.eq_ignore_ascii_case(name))
            .map(|(_, status)| status)
            .unwrap_or_else(|| InstanceStatus::Other(raw.to_owned()))
    }

    /// The canonical wire spelling (upper case, as the overview docs write it).
    pub fn as_wire(&self) -> &str {
        match self {
            InstanceStatus::Provisioning => "PROVISIONING",
            InstanceStatus::Staging => "STAGING",
            InstanceStatus::Running => "RUNNING",
            InstanceStatus::Starting => "STARTING",
            InstanceStatus::Stopping => "STOPPING",
            InstanceStatus::Stopped => "STOPPED",
            InstanceStatus::Restarting => "RESTARTING",
            InstanceStatus::Resetting => "RESETTING",
            InstanceStatus::Deleting => "DELETING",
            InstanceStatus::Error => "ERROR",
            InstanceStatus::Suspending => "SUSPENDING",
            InstanceStatus::Suspended => "SUSPENDED",
            InstanceStatus::Terminated => "TERMINATED",
            InstanceStatus::Repairing => "REPAIRING",
            InstanceStatus::Other(raw) => raw,
            InstanceStatus::Missing => "",
        }
    }

    /// Words for people: the app's own for every known state, the service's word
    /// capitalised for one nobody knows ("HIBERNATING" reads "Hibernating").
    pub fn label(&self) -> std::borrow::Cow<'_, str> {
        let known = match self {
            InstanceStatus::Provisioning => "Provisioning",
            InstanceStatus::Staging => "Starting",
            InstanceStatus::Running => "Running",
            InstanceStatus::Starting => "Starting",
            InstanceStatus::Stopping => "Shutting down",
            InstanceStatus::Stopped | InstanceStatus::Terminated => "Stopped",
            InstanceStatus::Restarting => "Restarting",
            InstanceStatus::Resetting => "Resetting",
            InstanceStatus::Deleting => "Deleting",
            InstanceStatus::Error => "Error",
            InstanceStatus::Suspending => "Suspending",
            InstanceStatus::Suspended => "Suspended",
            InstanceStatus::Repairing => "Being repaired",
            InstanceStatus::Missing => "Unknown",
            InstanceStatus::Other(raw) => return capitalised(raw).into(),
        };
        known.into()
    }

    pub fn phase(&self) -> Phase {
        use InstanceStatus as S;
        match self {
            S::Running => Phase::Running,
            S::Stopped | S::Terminated | S::Suspended => Phase::Stopped,
            S::Error => Phase::Error,
            S::Provisioning
            | S::Staging
            | S::Starting
            | S::Stopping
            | S::Restarting
            | S::Resetting
            | S::Deleting
            | S::Suspending
            | S::Repairing => Phase::Moving,
            S::Other(_) | S::Missing => Phase::Unknown,
        }
    }

    /// Whether the machine is on its way somewhere, so its state is worth watching
    /// closely. A state nobody knows does not count: it may never change by itself, and
    /// reading it every two seconds forever would spend the rate limit for nothing.
    pub fn is_transitional(&self) -> bool {
        self.phase() == Phase::Moving
    }
}

/// "SOME_STATE" → "Some state": the service's word, in the case the app writes its own.
fn capitalised(raw: &str) -> String {
    let words = raw.trim().replace('_', " ").to_lowercase();
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl fmt::Display for InstanceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl Serialize for InstanceStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_wire())
    }
}

impl<'de> Deserialize<'de> for InstanceStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;
        impl Visitor<'_> for StatusVisitor {
            type Value = InstanceStatus;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a status string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<InstanceStatus, E> {
                Ok(InstanceStatus::from_wire(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<InstanceStatus, E> {
                Ok(InstanceStatus::Missing)
            }
        }
        deserializer.deserialize_any(StatusVisitor)
    }
}

/// The power operations; each answers 202 and finishes later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PowerAction {
    Start,
    Stop,
    Restart,
    Reset,
}

impl PowerAction {
    pub const ALL: [PowerAction; 4] = [
        PowerAction::Start,
        PowerAction::Stop,
        PowerAction::Restart,
        PowerAction::Reset,
    ];

    /// The last path segment of `POST /instances/{id}/{action}`.
    pub fn path_segment(self) -> &'static str {
        match self {
            PowerAction::Start => "start",
            PowerAction::Stop => "stop",
            PowerAction::Restart => "restart",
            PowerAction::Reset => "reset",
        }
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            PowerAction::Start => "Start",
            PowerAction::Stop => "Shut down",
            PowerAction::Restart => "Restart",
            PowerAction::Reset => "Force reset",
        }
    }
}

/// What a new machine is built from: image, machine type and disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub id: String,
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub machine_type: Option<String>,
    #[serde(default, alias = "diskSizeGB", deserialize_with = "whole_number")]
    pub disk_size_gb: Option<u64>,
    #[serde(default, deserialize_with = "text")]
    pub disk_type: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub image: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub region: Option<String>,
}

/// Billing's answer: the plan and its limits, per API and per limit name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quotas {
    #[serde(default, alias = "customerID", deserialize_with = "text")]
    pub customer_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub tier_name: Option<String>,
    /// Limits per API and name. An entry that does not read as a limit is left out, so
    /// one unexpected entry does not hide the others.
    #[serde(default, deserialize_with = "tolerant_quotas")]
    pub quotas: BTreeMap<String, BTreeMap<String, QuotaValue>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaValue {
    #[serde(deserialize_with = "signed_number")]
    pub value: i64,
    #[serde(default, deserialize_with = "text")]
    pub description: Option<String>,
}

/// How many machines a plan allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Limit {
    Unlimited,
    /// The feature is not part of the plan.
    Disabled,
    AtMost(u64),
}

impl Quotas {
    /// The plan's `compute-api` / `max_instances`, when Billing reports one.
    pub fn max_instances(&self) -> Option<Limit> {
        let value = self.quotas.get("compute-api")?.get("max_instances")?.value;
        Some(match value {
            v if v < 0 => Limit::Unlimited,
            0 => Limit::Disabled,
            v => Limit::AtMost(v as u64),
        })
    }
}

/// A point in time from the Auth API, whichever way it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_unix(seconds: i64) -> Self {
        Timestamp(seconds)
    }

    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// RFC 3339 in UTC, for people and logs.
    pub fn to_rfc3339(self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| self.0.to_string())
    }

    /// Reads Unix seconds (milliseconds are recognised by their size), a numeric string,
    /// or an RFC 3339 string.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if let Ok(n) = raw.parse::<i64>() {
            return Some(Timestamp::from_number(n));
        }
        if let Ok(f) = raw.parse::<f64>() {
            return Some(Timestamp::from_number(f as i64));
        }
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| Timestamp(t.unix_timestamp()))
    }

    fn from_number(n: i64) -> Self {
        // Seconds since 1970 pass 10^11 only in the year 5138; such a number is milliseconds.
        if n.unsigned_abs() >= 100_000_000_000 {
            Timestamp(n / 1000)
        } else {
            Timestamp(n)
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl Visitor<'_> for TimeVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("Unix seconds or an RFC 3339 date")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_number(v.min(i64::MAX as u64) as i64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_number(v as i64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

/// `POST /session`: a session waiting for its emailed code.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    pub bearer: Secret,
    #[serde(alias = "sessionID")]
    pub session_id: String,
    #[serde(default, deserialize_with = "optional_time")]
    pub expire_at: Option<Timestamp>,
    #[serde(alias = "verificationCodeID")]
    pub verification_code_id: String,
}

/// `GET /session`: who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    #[serde(default, alias = "sessionID", deserialize_with = "text")]
    pub session_id: Option<String>,
    #[serde(default, alias = "userID", deserialize_with = "text")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub alias: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "optional_time")]
    pub expire_at: Option<Timestamp>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default, deserialize_with = "names")]
    pub roles: Vec<String>,
    #[serde(default, deserialize_with = "names")]
    pub groups: Vec<String>,
}

/// `GET /keypair`: whose API key this is and until when it works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPairInfo {
    #[serde(default, deserialize_with = "text")]
    pub key_name: Option<String>,
    #[serde(default, deserialize_with = "optional_time")]
    pub expire_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "text")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub user_alias: Option<String>,
    #[serde(default, deserialize_with = "names")]
    pub roles: Vec<String>,
}

/// A string field that may be missing, `null`, empty, or (in some revisions) a number.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Scalar>::deserialize(deserializer)?;
    Ok(value.and_then(|s| match s {
        Scalar::Text(t) if t.trim().is_empty() => None,
        Scalar::Text(t) => Some(t),
        Scalar::Number(n) => Some(n.to_string()),
        Scalar::Bool(b) => Some(b.to_string()),
    }))
}

fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(
        Option::<Scalar>::deserialize(deserializer)?.and_then(|s| match s {
            Scalar::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
            Scalar::Text(t) => t.trim().parse().ok(),
            Scalar::Bool(_) => None,
        }),
    )
}

fn signed_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match Scalar::deserialize(deserializer)? {
        Scalar::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| de::Error::custom("a whole number")),
        Scalar::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| de::Error::custom("a whole number")),
        Scalar::Bool(_) => Err(de::Error::custom("a whole number")),
    }
}

fn optional_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    Ok(match Option::<Scalar>::deserialize(deserializer)? {
        None => None,
        Some(Scalar::Text(t)) if t.trim().is_empty() => None,
        Some(Scalar::Text(t)) => Some(
            Timestamp::parse(&t)
                .ok_or_else(|| de::Error::custom(format!("an unreadable time {t:?}")))?,
        ),
        Some(Scalar::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Timestamp::from_number),
        Some(Scalar::Bool(_)) => return Err(de::Error::custom("a time, not true or false")),
    })
}

fn tolerant_quotas<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, BTreeMap<String, QuotaValue>>, D::Error> {
    let raw = Option::<serde_json::Value>::deserialize(deserializer)?;
    let Some(serde_json::Value::Object(apis)) = raw else {
        return Ok(BTreeMap::new());
    };
    Ok(apis
        .into_iter()
        .filter_map(|(api, limits)| {
            let serde_json::Value::Object(limits) = limits else {
                return None;
            };
            let limits: BTreeMap<String, QuotaValue> = limits
                .into_iter()
                .filter_map(|(name, v)| Some((name, serde_json::from_value(v).ok()?)))
                .collect();
            Some((api, limits))
        })
        .collect())
}

/// Roles and groups: a list of names, or of objects with a name.
fn names<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let values = Option::<Vec<Named>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(values.into_iter().filter_map(|n| n.0).collect())
}

/// One entry of a list of names (roles, groups, zones): a string, or an object with a
/// `name` (or `alias`, or `id`); `None` for a null.
#[derive(Debug)]
pub struct Named(pub Option<String>);

impl<'de> Deserialize<'de> for Named {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Named(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(o) => ["name", "alias", "id"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|n| n.as_str()).map(str::to_owned)),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }))
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        let body = r#"{
          "id": "tw-550e84-a1b2c3d4",
          "userId": "550e8400-e29b-41d4-a716-446655440000",
          "name": "tw-550e84-a1b2c3d4",
          "zone": "us-central1-a",
          "machineType": "zones/us-central1-a/machineTypes/n1-standard-2",
          "externalIp": "34.123.45.67",
          "internalIp": "10.128.0.5",
          "status": "PROVISIONING",
          "templateId": "ubuntu-22-standard",
          "createdAt": "2025-06-01T12:00:00Z"
        }"#;
        let i: Instance = serde_json::from_str(body).unwrap();
        assert_eq!(i.status, InstanceStatus::Provisioning);
        assert_eq!(
            i.user_id.as_deref(),
            Some("550e8400-e29b-41d4-a716-446655440000")
        );
        assert_eq!(i.machine_type_short(), Some("n1-standard-2"));
        assert_eq!(i.external_ip.as_deref(), Some("34.123.45.67"));
        assert_eq!(i.created_at.as_deref(), Some("2025-06-01T12:00:00Z"));
    }

    #[test]
    fn sdk_spelling_lower_case_and_missing_ips_parse() {
        let body = r#"{"id":"a","userID":"u1","status":"running","externalIp":"",
                       "internalIp":null,"labels":{"team":"x"},"customerID":"c"}"#;
        let i: Instance = serde_json::from_str(body).unwrap();
        assert_eq!(i.status, InstanceStatus::Running);
        assert_eq!(i.user_id.as_deref(), Some("u1"));
        assert_eq!(i.external_ip, None);
        assert_eq!(i.internal_ip, None);
        assert_eq!(i.display_name(), "a");
    }

    #[test]
    fn every_known_status_parses_in_any_case() {
        for raw in [
            "provisioning",
            "RUNNING",
            "Stopped",
            "error",
            "DELETING",
            "stopping",
        ] {
            let s = InstanceStatus::from_wire(raw);
            assert!(!matches!(s, InstanceStatus::Other(_)), "{raw}");
            assert!(s.as_wire().eq_ignore_ascii_case(raw));
        }
    }

    #[test]
    fn an_unknown_status_is_kept_verbatim() {
        let i: Instance = serde_json::from_str(r#"{"id":"a","status":"Suspended-ish"}"#).unwrap();
        assert_eq!(i.status, InstanceStatus::Other("Suspended-ish".into()));
        assert_eq!(i.status.label(), "Suspended-ish");
        assert_eq!(i.status.phase(), Phase::Unknown);
        assert!(
            !i.status.is_transitional(),
            "a state nobody knows may never change by itself"
        );
        assert_eq!(
            InstanceStatus::from_wire("HIBERNATING").label(),
            "Hibernating"
        );
        assert_eq!(
            InstanceStatus::from_wire("waiting_for_host").label(),
            "Waiting for host"
        );
        let back = serde_json::to_value(&i).unwrap();
        assert_eq!(back["status"], "Suspended-ish");
    }

    #[test]
    fn google_compute_statuses_have_a_meaning() {
        let phase = |raw: &str| InstanceStatus::from_wire(raw).phase();
        assert_eq!(phase("TERMINATED"), Phase::Stopped);
        assert_eq!(phase("suspended"), Phase::Stopped);
        assert_eq!(phase("STAGING"), Phase::Moving);
        assert_eq!(phase("Suspending"), Phase::Moving);
        assert_eq!(phase("REPAIRING"), Phase::Moving);
        assert_eq!(InstanceStatus::from_wire("TERMINATED").label(), "Stopped");
        assert_eq!(InstanceStatus::from_wire("staging").label(), "Starting");
        assert_eq!(InstanceStatus::from_wire("SUSPENDED").label(), "Suspended");
        assert_eq!(
            InstanceStatus::from_wire("suspended").as_wire(),
            "SUSPENDED"
        );
    }

    #[test]
    fn a_missing_status_is_not_a_crash() {
        let i: Instance = serde_json::from_str(r#"{"id":"a"}"#).unwrap();
        assert_eq!(i.status, InstanceStatus::Missing);
        let i: Instance = serde_json::from_str(r#"{"id":"a","status":null}"#).unwrap();
        assert_eq!(i.status, InstanceStatus::Missing);
    }

    #[test]
    fn expire_at_reads_numbers_and_strings() {
        let cases = [
            (r#"1767225600"#, 1_767_225_600),
            (r#"1767225600.5"#, 1_767_225_600),
            (r#"1767225600000"#, 1_767_225_600),
            (r#""1767225600""#, 1_767_225_600),
            (r#""2026-01-01T00:00:00Z""#, 1_767_225_600),
            (r#""2026-01-01T01:00:00+01:00""#, 1_767_225_600),
        ];
        for (raw, want) in cases {
            let body = format!(r#"{{"keyName":"k","expireAt":{raw}}}"#);
            let k: KeyPairInfo = serde_json::from_str(&body).unwrap();
            assert_eq!(k.expire_at, Some(Timestamp::from_unix(want)), "{raw}");
        }
        assert_eq!(
            Timestamp::from_unix(1_767_225_600).to_rfc3339(),
            "2026-01-01T00:00:00Z"
        );
        // Numbers past i64 saturate; none of them may panic.
        for raw in [
            "-1e19",
            "1e300",
            "-9223372036854775808",
            "18446744073709551615",
        ] {
            let body = format!(r#"{{"expireAt":{raw}}}"#);
            let k: KeyPairInfo = serde_json::from_str(&body).unwrap();
            assert!(k.expire_at.is_some(), "{raw}");
            assert!(Timestamp::parse(raw).is_some(), "{raw}");
        }
    }

    #[test]
    fn session_fields_in_both_spellings() {
        let new: NewSession = serde_json::from_str(
            r#"{"bearer":"b","sessionID":"s","expireAt":"2026-01-01T00:00:00Z",
                "verificationCodeID":"v","extra":1}"#,
        )
        .unwrap();
        assert_eq!(new.session_id, "s");
        assert_eq!(new.verification_code_id, "v");
        assert!(!format!("{new:?}").contains("\"b\""));
        let info: SessionInfo = serde_json::from_str(
            r#"{"sessionId":"s","userId":"u","verified":true,"roles":["admin",{"name":"ops"}],
                "groups":null,"expireAt":1767225600}"#,
        )
        .unwrap();
        assert_eq!(info.user_id.as_deref(), Some("u"));
        assert_eq!(info.roles, vec!["admin".to_string(), "ops".to_string()]);
        assert!(info.groups.is_empty());
    }

    #[test]
    fn quotas_read_limits() {
        let q: Quotas = serde_json::from_str(
            r#"{"customerID":"c","tierName":"Pro","quotas":{"compute-api":
                {"max_instances":{"value":3,"description":"Maximum compute instances"}}}}"#,
        )
        .unwrap();
        assert_eq!(q.customer_id.as_deref(), Some("c"));
        assert_eq!(q.max_instances(), Some(Limit::AtMost(3)));
        let unlimited: Quotas =
            serde_json::from_str(r#"{"quotas":{"compute-api":{"max_instances":{"value":-1}}}}"#)
                .unwrap();
        assert_eq!(unlimited.max_instances(), Some(Limit::Unlimited));
        let off: Quotas =
            serde_json::from_str(r#"{"quotas":{"compute-api":{"max_instances":{"value":"0"}}}}"#)
                .unwrap();
        assert_eq!(off.max_instances(), Some(Limit::Disabled));
        let none: Quotas = serde_json::from_str(r#"{"tierName":"Free"}"#).unwrap();
        assert_eq!(none.max_instances(), None);
        // One entry of another shape, anywhere, does not hide the limit.
        let mixed: Quotas = serde_json::from_str(
            r#"{"quotas":{"compute-api":{"max_instances":{"value":5},"regions":["eu"],
                "max_cpus":{"value":"many"},"burst":{"description":"no value"}},
                "intelligence-api":"included","storage":null}}"#,
        )
        .unwrap();
        assert_eq!(mixed.max_instances(), Some(Limit::AtMost(5)));
        let odd: Quotas = serde_json::from_str(r#"{"quotas":[1,2]}"#).unwrap();
        assert_eq!(odd.max_instances(), None);
    }

    #[test]
    fn templates_tolerate_numbers_as_strings() {
        let t: Template = serde_json::from_str(
            r#"{"id":"ubuntu-22-standard","name":"Ubuntu","diskSizeGb":"20","machineType":"e2-medium"}"#,
        )
        .unwrap();
        assert_eq!(t.disk_size_gb, Some(20));
        assert_eq!(t.description, None);
    }
}
