//! A machine's state, as the simulator reports it in either dialect.

/// A machine's state, as this simulator models it: the contract's, those Google Compute
/// passes through, and any word a test sets (`Custom`) to stand for one nobody documented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Provisioning,
    Staging,
    Running,
    Stopping,
    Stopped,
    Starting,
    Restarting,
    Resetting,
    Deleting,
    Error,
    Suspended,
    Terminated,
    Custom(String),
}

impl Status {
    /// A status as `PUT /_sim/instances/{id}/status` names it, in any case.
    pub fn named(raw: &str) -> Status {
        let known = [
            Status::Provisioning,
            Status::Staging,
            Status::Running,
            Status::Stopping,
            Status::Stopped,
            Status::Starting,
            Status::Restarting,
            Status::Resetting,
            Status::Deleting,
            Status::Error,
            Status::Suspended,
            Status::Terminated,
        ];
        known
            .into_iter()
            .find(|s| s.upper().eq_ignore_ascii_case(raw.trim()))
            .unwrap_or_else(|| Status::Custom(raw.trim().to_owned()))
    }

    pub fn upper(&self) -> &str {
        match self {
            Status::Custom(word) => word,
            Status::Staging => "STAGING",
            Status::Suspended => "SUSPENDED",
            Status::Terminated => "TERMINATED",
            Status::Provisioning => "PROVISIONING",
            Status::Running => "RUNNING",
            Status::Stopping => "STOPPING",
            Status::Stopped => "STOPPED",
            Status::Starting => "STARTING",
            Status::Restarting => "RESTARTING",
            Status::Resetting => "RESETTING",
            Status::Deleting => "DELETING",
            Status::Error => "ERROR",
        }
    }

    pub fn lower(&self) -> String {
        self.upper().to_lowercase()
    }
}
