//! Machines as the Compute API reports them: the instance, its state in any spelling, the
//! power actions, and the templates machines are made from.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::lenient::{text, whole_number};

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

    /// The key of the app's own words for a known state (`status.<key>` in the language
    /// catalogs); `None` for a state nobody documented, which is shown as the service's
    /// word, capitalised, in every language.
    pub fn label_key(&self) -> Option<&'static str> {
        Some(match self {
            InstanceStatus::Provisioning => "provisioning",
            InstanceStatus::Staging | InstanceStatus::Starting => "starting",
            InstanceStatus::Running => "running",
            InstanceStatus::Stopping => "shutting_down",
            InstanceStatus::Stopped | InstanceStatus::Terminated => "stopped",
            InstanceStatus::Restarting => "restarting",
            InstanceStatus::Resetting => "resetting",
            InstanceStatus::Deleting => "deleting",
            InstanceStatus::Error => "error",
            InstanceStatus::Suspending => "suspending",
            InstanceStatus::Suspended => "suspended",
            InstanceStatus::Repairing => "repairing",
            InstanceStatus::Missing => "unknown",
            InstanceStatus::Other(_) => return None,
        })
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
    fn templates_tolerate_numbers_as_strings() {
        let t: Template = serde_json::from_str(
            r#"{"id":"ubuntu-22-standard","name":"Ubuntu","diskSizeGb":"20","machineType":"e2-medium"}"#,
        )
        .unwrap();
        assert_eq!(t.disk_size_gb, Some(20));
        assert_eq!(t.description, None);
    }
}
