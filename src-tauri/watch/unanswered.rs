//! A create ThreatWinds never answered (a timeout, a dropped connection): the machine may
//! have been made. The reads that follow look for it, a machine no read listed before
//! the create was sent, of the same template (and zone, where both say one); found, it is
//! followed as any new machine; not found within [`Policy::created_list_lag`], the create
//! most likely never went through, which is said too. Meanwhile Create waits: a second
//! create would make a second machine. (A machine someone else creates from the same
//! template in that window is taken for it: the service gives no other way to tell.)
//!
//! [`Policy::created_list_lag`]: super::Policy::created_list_lag

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::api::Instance;

/// What became of a create that was never answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateSeen {
    /// A new machine of its template appeared: this one.
    Found { id: String, name: String },
    /// None appeared within the time allowed.
    NotSeen,
}

#[derive(Debug)]
pub(super) struct UnansweredCreate {
    template: String,
    zone: Option<String>,
    /// The machines listed when the create was sent: any other is new.
    listed: HashSet<String>,
    since: Instant,
}

impl UnansweredCreate {
    pub(super) fn new(
        template: &str,
        zone: Option<&str>,
        listed: HashSet<String>,
        since: Instant,
    ) -> Self {
        UnansweredCreate {
            template: template.to_owned(),
            zone: zone.map(str::to_owned),
            listed,
            since,
        }
    }

    /// A machine of `list` this create may have made.
    pub(super) fn find<'a>(&self, list: &'a [Instance]) -> Option<&'a Instance> {
        list.iter().find(|i| {
            !self.listed.contains(&i.id)
                && i.template_id.as_deref().is_none_or(|t| t == self.template)
                && match (&self.zone, &i.zone) {
                    (Some(wanted), Some(zone)) => wanted == zone,
                    _ => true,
                }
        })
    }

    /// When the search ends if nothing is found.
    pub(super) fn deadline(&self, limit: Duration) -> Option<Instant> {
        self.since.checked_add(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(id: &str, template: &str, zone: &str) -> Instance {
        serde_json::from_value(
            serde_json::json!({"id": id, "name": id, "status": "PROVISIONING",
            "templateId": template, "zone": zone}),
        )
        .unwrap()
    }

    #[test]
    fn a_new_machine_of_the_template_and_zone_is_the_one() {
        let listed = HashSet::from(["old".to_owned()]);
        let u = UnansweredCreate::new("ubuntu", Some("us-east1-b"), listed, Instant::now());
        let list = [
            machine("old", "ubuntu", "us-east1-b"),
            machine("other-template", "debian", "us-east1-b"),
            machine("other-zone", "ubuntu", "us-central1-a"),
        ];
        assert!(u.find(&list).is_none());
        let list = [
            machine("old", "ubuntu", "us-east1-b"),
            machine("new", "ubuntu", "us-east1-b"),
        ];
        assert_eq!(u.find(&list).map(|i| i.id.as_str()), Some("new"));
    }
}
