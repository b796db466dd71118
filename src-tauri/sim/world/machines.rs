//! Machines and their lifecycle: timed steps applied lazily (`settle(now)`), the
//! contract's states and Google Compute's, and what each action does in each state.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use super::{template, Status, TemplateDef, NETWORK_CONFIGS, TEMPLATES, USER_ID};

/// What a step in a machine's lifecycle leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Next {
    Becomes(Status),
    Gone,
}

/// Base durations at speed 1; `--speed` divides them.
#[derive(Clone, Copy, Debug)]
pub struct Timings {
    pub provision: Duration,
    pub stop: Duration,
    pub start: Duration,
    pub reset: Duration,
    pub delete: Duration,
}

impl Timings {
    pub fn at_speed(speed: f64) -> Self {
        let d = |secs: f64| Duration::from_secs_f64(secs / speed.max(0.001));
        Timings {
            provision: d(8.0),
            stop: d(4.0),
            start: d(4.0),
            reset: d(2.0),
            delete: d(3.0),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Machine {
    pub id: String,
    pub name: String,
    pub zone: &'static str,
    pub machine_type: String,
    pub external_ip: Option<String>,
    pub internal_ip: Option<String>,
    pub status: Status,
    pub template_id: &'static str,
    pub created_at: SystemTime,
    steps: VecDeque<(Instant, Next)>,
    ip_seed: u32,
}

impl Machine {
    fn enter(&mut self, status: Status) {
        match &status {
            Status::Running => {
                let n = self.ip_seed;
                self.internal_ip
                    .get_or_insert_with(|| format!("10.128.{}.{}", (n >> 8) % 250, n % 250 + 2));
                self.external_ip.get_or_insert_with(|| {
                    format!(
                        "34.{}.{}.{}",
                        100 + (n >> 16) % 100,
                        (n >> 8) % 250,
                        n % 250 + 2
                    )
                });
            }
            // An ephemeral external address is released when the machine stops.
            Status::Stopped | Status::Terminated | Status::Suspended => self.external_ip = None,
            _ => {}
        }
        self.status = status;
    }
}

/// (the SDK, May 2026).
#[derive(Clone, Copy, Debug)]
pub enum Placement<'a> {
    Config(&'a str),
    Zone(&'a str),
}

/// Why a request about machines was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound(String),
    Invalid(String),
    Quota(String),
}

pub struct Machines {
    pub list: Vec<Machine>,
    index: HashMap<String, usize>,
    pub timings: Timings,
    /// Graceful shutdowns never finish (a guest that ignores the shutdown signal): the
    /// machine stays STOPPING until it is reset or deleted.
    pub shutdowns_hang: bool,
    /// How long after a 202 the record starts to change (an asynchronous backend); zero
    /// changes it before answering.
    pub accept_delay: Duration,
    /// Seeds machines with long, real-looking names (`SimConfig::office_names`).
    pub office_names: bool,
    rng: fastrand::Rng,
}

impl Machines {
    pub fn new(timings: Timings, seed: u64) -> Self {
        Machines {
            list: Vec::new(),
            index: HashMap::new(),
            timings,
            shutdowns_hang: false,
            accept_delay: Duration::ZERO,
            office_names: false,
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// `n` machines in a realistic mix: mostly running, a fifth stopped, a tenth on their
    /// way up, one in twenty failed.
    pub fn seed(&mut self, n: usize, now: Instant) {
        const ROLES: [&str; 8] = [
            "web", "db", "build", "cache", "mail", "files", "vpn", "test",
        ];
        const OFFICE: [&str; 8] = [
            "payroll-db-primary-eu",
            "warehouse-inventory-sync",
            "build-runner-linux-03",
            "accounting-fileserver",
            "crm-web-frontend-prod",
            "reporting-warehouse-etl",
            "hr-portal-staging",
            "backup-vault-nightly-offsite-eu-west-2",
        ];
        for i in 0..n {
            let template = &TEMPLATES[i % TEMPLATES.len()];
            let (_, zone) = NETWORK_CONFIGS[i % NETWORK_CONFIGS.len()];
            let name = match (self.office_names, i / OFFICE.len()) {
                (true, 0) => OFFICE[i].to_owned(),
                (true, round) => format!("{}-{}", OFFICE[i % OFFICE.len()], round + 1),
                (false, _) => format!("{}-{}", ROLES[i % ROLES.len()], i / ROLES.len() + 1),
            };
            let age = Duration::from_secs(self.rng.u64(600..90 * 24 * 3600));
            let mut m = self.build(template, zone, name, SystemTime::now() - age);
            // A cycle of ten that mixes states from the very first machines on.
            match i % 10 {
                1 | 6 => {
                    m.enter(Status::Running);
                    m.enter(Status::Stopped);
                }
                3 => {
                    m.enter(Status::Provisioning);
                    m.steps
                        .push_back((now + self.timings.provision, Next::Becomes(Status::Running)));
                }
                8 if i % 20 == 8 => m.enter(Status::Error),
                _ => m.enter(Status::Running),
            }
            self.insert(m);
        }
    }

    /// Two machines in the states Google Compute passes through and the contract does not
    /// list: one suspended, one terminated (`--cloud-states`).
    pub fn seed_cloud_states(&mut self) {
        let age = Duration::from_secs(7 * 24 * 3600);
        for (name, status) in [
            ("archive-1", Status::Suspended),
            ("batch-1", Status::Terminated),
        ] {
            let mut m = self.build(
                &TEMPLATES[2],
                "us-central1-a",
                name.into(),
                SystemTime::now() - age,
            );
            m.enter(Status::Running);
            m.enter(status);
            self.insert(m);
        }
    }

    /// Sets a machine's status outright, as the cloud underneath might: a test's way to
    /// show a state nobody documented.
    pub fn set_status(&mut self, id: &str, raw: &str) -> Result<(), Refusal> {
        let m = self.get_mut(id)?;
        m.steps.clear();
        m.enter(Status::named(raw));
        Ok(())
    }

    fn build(
        &mut self,
        template: &'static TemplateDef,
        zone: &'static str,
        name: String,
        created_at: SystemTime,
    ) -> Machine {
        let id = loop {
            let id = format!("tw-{}-{:08x}", &USER_ID[..6], self.rng.u32(..));
            if !self.index.contains_key(&id) {
                break id;
            }
        };
        Machine {
            name: if name.is_empty() { id.clone() } else { name },
            id,
            zone,
            machine_type: format!("zones/{zone}/machineTypes/{}", template.machine_type),
            external_ip: None,
            internal_ip: None,
            status: Status::Provisioning,
            template_id: template.id,
            created_at,
            steps: VecDeque::new(),
            ip_seed: self.rng.u32(..),
        }
    }

    fn insert(&mut self, m: Machine) {
        self.index.insert(m.id.clone(), self.list.len());
        self.list.push(m);
    }

    /// Machines that count against the plan: all but those being deleted.
    pub fn counted(&self) -> usize {
        self.list
            .iter()
            .filter(|m| m.status != Status::Deleting)
            .count()
    }

    /// Applies every lifecycle step that is due by `now`.
    pub fn settle(&mut self, now: Instant) {
        let mut removed = false;
        for m in &mut self.list {
            while let Some((at, _)) = m.steps.front() {
                if *at > now {
                    break;
                }
                let Some((_, next)) = m.steps.pop_front() else {
                    break;
                };
                match next {
                    Next::Becomes(status) => m.enter(status),
                    Next::Gone => {
                        removed = true;
                        m.steps.clear();
                    }
                }
            }
        }
        if removed {
            self.list
                .retain(|m| !(m.status == Status::Deleting && m.steps.is_empty()));
            self.index = self
                .list
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id.clone(), i))
                .collect();
        }
    }

    pub fn get(&self, id: &str) -> Result<&Machine, Refusal> {
        self.index
            .get(id)
            .map(|&i| &self.list[i])
            .ok_or_else(|| Refusal::NotFound(format!("Instance {id} not found")))
    }

    fn get_mut(&mut self, id: &str) -> Result<&mut Machine, Refusal> {
        match self.index.get(id) {
            Some(&i) => Ok(&mut self.list[i]),
            None => Err(Refusal::NotFound(format!("Instance {id} not found"))),
        }
    }

    /// Validates template, placement and quota, then starts provisioning.
    /// `max` follows Billing: -1 unlimited, 0 disabled.
    pub fn create(
        &mut self,
        template_id: &str,
        placement: Placement,
        max: i64,
        now: Instant,
    ) -> Result<&Machine, Refusal> {
        let template = template(template_id)?;
        let zone: &'static str = match placement {
            Placement::Config(config_id) => NETWORK_CONFIGS
                .iter()
                .find(|(id, _)| *id == config_id)
                .map(|(_, zone)| *zone)
                .ok_or_else(|| {
                    Refusal::NotFound(format!("Network configuration {config_id} not found"))
                })?,
            Placement::Zone(zone) => template
                .zones
                .iter()
                .find(|z| **z == zone)
                .copied()
                .ok_or_else(|| {
                    Refusal::Invalid(format!(
                        "Zone {zone} is not available for template {template_id}"
                    ))
                })?,
        };
        if max == 0 {
            return Err(Refusal::Quota(
                "Compute instances are not included in your subscription tier".into(),
            ));
        }
        if max > 0 && self.counted() as i64 >= max {
            return Err(Refusal::Quota(format!(
                "Quota exceeded: your subscription allows at most {max} instances"
            )));
        }
        let mut m = self.build(template, zone, String::new(), SystemTime::now());
        m.steps
            .push_back((now + self.timings.provision, Next::Becomes(Status::Running)));
        self.insert(m);
        Ok(self.list.last().expect("just inserted"))
    }

    /// Starts a power operation or a deletion, if it makes sense in the current state.
    /// With an [`accept_delay`](Machines::accept_delay) the record keeps its old state
    /// for that long first, as an asynchronous backend's does after its 202.
    pub fn act(&mut self, id: &str, action: &str, now: Instant) -> Result<(), Refusal> {
        let t = self.timings;
        let hang = self.shutdowns_hang;
        let delay = self.accept_delay;
        let m = self.get_mut(id)?;
        let status = m.status.clone();
        let refuse = |why: &str| Err(Refusal::Invalid(why.to_owned()));
        use Status as S;
        let plan: Vec<(Duration, Next)> = match (action, &status) {
            ("delete", S::Deleting) => return refuse("Instance is already being deleted"),
            ("delete", _) => vec![(t.delete, Next::Gone)],
            (_, S::Custom(word)) => {
                return refuse(&format!(
                    "Instance is {word}; the {action} operation is not possible in that state"
                ))
            }
            ("start", S::Stopped | S::Error) => vec![(t.start, Next::Becomes(S::Running))],
            // Google Compute resumes or boots through STAGING.
            ("start", S::Suspended | S::Terminated) => vec![(t.start, Next::Becomes(S::Running))],
            ("start", S::Running) => return refuse("Instance is already running"),
            ("stop", S::Running) if hang => vec![],
            ("stop", S::Running) => vec![(t.stop, Next::Becomes(S::Stopped))],
            ("stop", S::Stopped | S::Terminated | S::Suspended) => {
                return refuse("Instance is already stopped")
            }
            ("restart", S::Running) => vec![
                (t.stop / 2, Next::Becomes(S::Starting)),
                (t.stop / 2 + t.start / 2, Next::Becomes(S::Running)),
            ],
            ("restart", S::Stopped | S::Terminated | S::Suspended) => {
                return refuse("Instance is stopped; start it instead of restarting")
            }
            // A hard reset also cuts short a shutdown that hangs.
            ("reset", S::Running | S::Stopping | S::Error) => {
                vec![(t.reset, Next::Becomes(S::Running))]
            }
            ("reset", S::Stopped | S::Terminated | S::Suspended) => {
                return refuse("Instance is stopped; a reset needs a running instance")
            }
            ("start" | "stop" | "restart" | "reset", _) => {
                return refuse(&format!(
                    "Instance is {}; wait until the current operation finishes",
                    status.lower()
                ))
            }
            _ => return Err(Refusal::NotFound(format!("Unknown operation {action}"))),
        };
        let first = match (action, &status) {
            ("delete", _) => S::Deleting,
            ("start", S::Suspended | S::Terminated) => S::Staging,
            ("start", _) => S::Starting,
            ("stop", _) => S::Stopping,
            ("restart", _) => S::Restarting,
            _ => S::Resetting,
        };
        m.steps.clear();
        if delay.is_zero() {
            m.enter(first);
        } else {
            m.steps.push_back((now + delay, Next::Becomes(first)));
        }
        m.steps.extend(
            plan.into_iter()
                .map(|(after, next)| (now + delay + after, next)),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (Machines, Instant) {
        (Machines::new(Timings::at_speed(1.0), 7), Instant::now())
    }

    #[test]
    fn create_provisions_then_runs_with_addresses() {
        let (mut w, t0) = world();
        let id = w
            .create(
                "ubuntu-22-standard",
                Placement::Config("default-network"),
                3,
                t0,
            )
            .unwrap()
            .id
            .clone();
        let m = w.get(&id).unwrap();
        assert_eq!(m.status, Status::Provisioning);
        assert_eq!(
            (m.external_ip.as_ref(), m.internal_ip.as_ref()),
            (None, None)
        );
        w.settle(t0 + Duration::from_secs(7));
        assert_eq!(w.get(&id).unwrap().status, Status::Provisioning);
        w.settle(t0 + Duration::from_secs(8));
        let m = w.get(&id).unwrap();
        assert_eq!(m.status, Status::Running);
        assert!(m.external_ip.is_some() && m.internal_ip.is_some());
        assert_eq!(
            m.machine_type,
            "zones/us-central1-a/machineTypes/n1-standard-2"
        );
    }

    /// A machine created at `t0` and running by 10 s later.
    fn running_machine(w: &mut Machines, t0: Instant) -> String {
        let id = w
            .create(
                "debian-12-standard",
                Placement::Config("private-network"),
                -1,
                t0,
            )
            .unwrap()
            .id
            .clone();
        w.settle(t0 + Duration::from_secs(10));
        assert_eq!(w.get(&id).unwrap().status, Status::Running);
        id
    }

    #[test]
    fn stop_start_restart_reset_delete_pass_through_their_states() {
        let (mut w, t0) = world();
        let id = running_machine(&mut w, t0);
        let at = |s: u64| t0 + Duration::from_secs(s);
        w.act(&id, "stop", at(10)).unwrap();
        assert_eq!(w.get(&id).unwrap().status, Status::Stopping);
        w.settle(at(14));
        assert_eq!(w.get(&id).unwrap().status, Status::Stopped);
        assert_eq!(w.get(&id).unwrap().external_ip, None);
        w.act(&id, "start", at(20)).unwrap();
        assert_eq!(w.get(&id).unwrap().status, Status::Starting);
        w.settle(at(24));
        assert_eq!(w.get(&id).unwrap().status, Status::Running);
        w.act(&id, "restart", at(30)).unwrap();
        assert_eq!(w.get(&id).unwrap().status, Status::Restarting);
        w.settle(at(32));
        assert_eq!(w.get(&id).unwrap().status, Status::Starting);
        w.settle(at(34));
        assert_eq!(w.get(&id).unwrap().status, Status::Running);
        w.act(&id, "reset", at(40)).unwrap();
        assert_eq!(w.get(&id).unwrap().status, Status::Resetting);
        w.settle(at(42));
        assert_eq!(w.get(&id).unwrap().status, Status::Running);
        w.act(&id, "delete", at(50)).unwrap();
        assert_eq!(w.get(&id).unwrap().status, Status::Deleting);
        assert_eq!(w.counted(), 0, "a machine being deleted no longer counts");
        w.settle(at(53));
        assert!(matches!(w.get(&id), Err(Refusal::NotFound(_))));
    }

    #[test]
    fn a_hanging_shutdown_stays_stopping_until_a_force_reset() {
        let (mut w, t0) = world();
        w.shutdowns_hang = true;
        let id = running_machine(&mut w, t0);
        let at = |s: u64| t0 + Duration::from_secs(s);
        w.act(&id, "stop", at(10)).unwrap();
        w.settle(at(3600));
        assert_eq!(w.get(&id).unwrap().status, Status::Stopping);
        assert!(matches!(
            w.act(&id, "start", at(3600)),
            Err(Refusal::Invalid(_))
        ));
        w.act(&id, "reset", at(3600)).unwrap();
        w.settle(at(3602));
        assert_eq!(w.get(&id).unwrap().status, Status::Running);
    }

    #[test]
    fn actions_that_make_no_sense_are_refused_with_a_reason() {
        let (mut w, t0) = world();
        let id = w
            .create(
                "ubuntu-24-small",
                Placement::Config("default-network"),
                3,
                t0,
            )
            .unwrap()
            .id
            .clone();
        let busy = w.act(&id, "stop", t0).unwrap_err();
        assert_eq!(
            busy,
            Refusal::Invalid(
                "Instance is provisioning; wait until the current operation finishes".into()
            )
        );
        w.settle(t0 + Duration::from_secs(9));
        assert_eq!(
            w.act(&id, "start", t0).unwrap_err(),
            Refusal::Invalid("Instance is already running".into())
        );
        assert!(matches!(
            w.act("tw-nope", "stop", t0),
            Err(Refusal::NotFound(_))
        ));
    }

    #[test]
    fn create_checks_template_config_and_quota() {
        let (mut w, t0) = world();
        assert!(matches!(
            w.create("nope", Placement::Config("default-network"), 3, t0),
            Err(Refusal::NotFound(m)) if m.contains("Template")
        ));
        assert!(matches!(
            w.create("ubuntu-22-standard", Placement::Config("nope"), 3, t0),
            Err(Refusal::NotFound(m)) if m.contains("Network")
        ));
        assert!(matches!(
            w.create(
                "ubuntu-22-standard",
                Placement::Config("default-network"),
                0,
                t0
            ),
            Err(Refusal::Quota(_))
        ));
        for _ in 0..2 {
            w.create(
                "ubuntu-22-standard",
                Placement::Config("default-network"),
                2,
                t0,
            )
            .unwrap();
        }
        assert!(matches!(
            w.create(
                "ubuntu-22-standard",
                Placement::Config("default-network"),
                2,
                t0
            ),
            Err(Refusal::Quota(_))
        ));
    }

    #[test]
    fn seeding_mixes_states_and_ids_are_unique() {
        let (mut w, t0) = world();
        w.seed(200, t0);
        let count = |s| w.list.iter().filter(|m| m.status == s).count();
        assert!(count(Status::Running) > 100);
        assert!(count(Status::Stopped) > 20);
        assert!(count(Status::Provisioning) > 10);
        assert!(count(Status::Error) > 0);
        let ids: std::collections::HashSet<_> = w.list.iter().map(|m| &m.id).collect();
        assert_eq!(ids.len(), 200);
    }
}
