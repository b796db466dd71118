//! What machines are made from: templates (with the zones each can run in) and the
//! network configurations, known by name.

use super::Refusal;

pub struct TemplateDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub machine_type: &'static str,
    pub disk_size_gb: u32,
    pub disk_type: &'static str,
    pub image: &'static str,
    pub region: &'static str,
    /// Where machines of this template can run (`GET /templates/{id}/zones`).
    pub zones: &'static [&'static str],
}

pub const TEMPLATES: [TemplateDef; 4] = [
    TemplateDef {
        id: "ubuntu-22-standard",
        name: "Ubuntu 22.04 Standard",
        description: "General purpose Ubuntu server, 2 vCPUs and 7.5 GB memory",
        machine_type: "n1-standard-2",
        disk_size_gb: 20,
        disk_type: "pd-balanced",
        image: "ubuntu-os-cloud/ubuntu-2204-lts",
        region: "us-central1",
        zones: &["us-central1-a", "us-central1-b", "europe-west1-b"],
    },
    TemplateDef {
        id: "ubuntu-24-small",
        name: "Ubuntu 24.04 Small",
        description: "Small Ubuntu machine for light work, 2 shared vCPUs and 2 GB memory",
        machine_type: "e2-small",
        disk_size_gb: 10,
        disk_type: "pd-standard",
        image: "ubuntu-os-cloud/ubuntu-2404-lts",
        region: "us-central1",
        zones: &["us-central1-a", "us-east1-b"],
    },
    TemplateDef {
        id: "debian-12-standard",
        name: "Debian 12 Standard",
        description: "Debian bookworm server, 2 vCPUs and 8 GB memory",
        machine_type: "e2-standard-2",
        disk_size_gb: 20,
        disk_type: "pd-balanced",
        image: "debian-cloud/debian-12",
        region: "us-central1",
        zones: &["us-central1-a", "us-central1-b", "europe-west1-b"],
    },
    TemplateDef {
        id: "windows-2022-standard",
        name: "Windows Server 2022",
        description: "Windows Server 2022 Datacenter, 4 vCPUs and 16 GB memory",
        machine_type: "n2-standard-4",
        disk_size_gb: 64,
        disk_type: "pd-ssd",
        image: "windows-cloud/windows-2022",
        region: "us-central1",
        zones: &["us-central1-a"],
    },
];

/// Network configurations: id and zone. No endpoint lists them; they are known by name.
pub const NETWORK_CONFIGS: [(&str, &str); 2] = [
    ("default-network", "us-central1-a"),
    ("private-network", "us-central1-b"),
];

/// A template by id.
pub fn template(id: &str) -> Result<&'static TemplateDef, Refusal> {
    TEMPLATES
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| Refusal::NotFound(format!("Template {id} not found")))
}
