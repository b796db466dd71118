//! Creating a machine: what the Create dialog offers (templates, network configurations,
//! zones, the plan's limit), and the create itself, never retried.

use std::time::Instant;

use serde::Serialize;

use super::said::said_of;
use super::{not_signed_in, Desk};
use crate::api::{Limit, Template};
use crate::failure::Failure;
use crate::history::{New, Outcome};
use crate::sim::NETWORK_CONFIGS;
use crate::text::Text;
use crate::watch::Row;

/// The network configuration the contract documents; offered on every server.
const DOCUMENTED_CONFIG: &str = "default-network";

/// What the Create dialog offers.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOptions {
    /// `None` when the server has no template list (older revisions): a free-text field.
    pub templates: Option<Vec<Template>>,
    pub templates_problem: Option<Failure>,
    pub configs: Vec<String>,
    pub quota: QuotaView,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaView {
    pub used: usize,
    /// `None`: unlimited, or the plan's limits could not be read.
    pub limit: Option<u64>,
    pub tier: Option<String>,
    /// Why Create is not possible (`quota.<key>`); `None` when it is.
    pub blocked: Option<Text>,
    pub problem: Option<Failure>,
}

impl Desk {
    /// Templates, network configurations and the plan's limit, for the Create dialog.
    pub async fn create_options(&self) -> Result<CreateOptions, Failure> {
        let (client, mut configs, demo) = {
            let s = self.state.lock().await;
            (
                Desk::client(&s)?,
                s.settings.recent_configs.clone(),
                s.settings.demo,
            )
        };
        let (templates, quotas) = tokio::join!(client.templates(), client.quotas());
        let mut known = vec![DOCUMENTED_CONFIG.to_owned()];
        if demo {
            known.extend(NETWORK_CONFIGS.iter().map(|(id, _)| (*id).to_owned()));
        }
        for k in known {
            if !configs.contains(&k) {
                configs.push(k);
            }
        }
        let used = self.watcher.update(|w| w.machines_in_use()).await;
        let (templates, templates_problem) = match templates {
            Ok(t) => (t, None),
            Err(e) => (None, Some(Failure::from(e))),
        };
        let quota = match quotas {
            Ok(q) => {
                let limit = q.max_instances();
                let blocked = match limit {
                    Some(Limit::Disabled) => Some(Text::new("quota.not_in_plan")),
                    Some(Limit::AtMost(max)) if used as u64 >= max => {
                        Some(Text::new("quota.full").with("n", max.to_string()))
                    }
                    _ => None,
                };
                QuotaView {
                    used,
                    limit: match limit {
                        Some(Limit::AtMost(max)) => Some(max),
                        Some(Limit::Disabled) => Some(0),
                        _ => None,
                    },
                    tier: q.tier_name.clone(),
                    blocked,
                    problem: None,
                }
            }
            Err(e) => QuotaView {
                used,
                limit: None,
                tier: None,
                blocked: None,
                problem: Some(Failure::from(e)),
            },
        };
        Ok(CreateOptions {
            templates,
            templates_problem,
            configs,
            quota,
        })
    }

    /// Where the chosen template's machines can run, for the Create dialog's "Where";
    /// `None` when the server does not list zones (the network configuration decides).
    pub async fn zones(&self, template_id: &str) -> Result<Option<Vec<String>>, Failure> {
        let client = Desk::client(&*self.state.lock().await)?;
        Ok(client.template_zones(template_id).await?)
    }

    /// Creates a machine. Never retried: after an unknown outcome the list is re-read.
    pub async fn create(
        &self,
        template_id: &str,
        config_id: &str,
        zone: Option<&str>,
    ) -> Result<Row, Failure> {
        if template_id.trim().is_empty() {
            return Err(Failure::plain(
                "invalid",
                Text::new("desk.choose_template"),
                "Choose a template first.",
            ));
        }
        if config_id.trim().is_empty() {
            return Err(Failure::plain(
                "invalid",
                Text::new("desk.choose_config"),
                "Choose or type a network configuration.",
            ));
        }
        let (client, owner) = self.acting().await?;
        // A create never answered may have made a machine: another now could make a
        // second one. The machines listed now tell a new one from the others: a list
        // read for this sign-in, never a remembered or an empty one (it would take a
        // machine made meanwhile by someone else for this one); without one, read now.
        let listed = self
            .watcher
            .update_for(owner, |w| (!w.looking_for_create()).then(|| w.listed_ids()))
            .await
            .ok_or_else(not_signed_in)?
            .ok_or_else(|| {
                Failure::plain(
                    "invalid",
                    Text::new("desk.create_wait"),
                    "ThreatWinds did not answer the last create, so Compute Desk is looking for that machine in the list. Wait until it appears (at most 2 minutes) before creating another.",
                )
            })?;
        let listed = match listed {
            Some(listed) => listed,
            None => client
                .list_instances()
                .await?
                .into_iter()
                .map(|i| i.id)
                .collect(),
        };
        // Its entry first, then through the sign-in's gate, like every action: a sign-out
        // or a switch that began meanwhile sends no create for the account it left, and
        // what answers late is written only into that account's history, never the next's.
        let entry = self.record_for(
            owner,
            New {
                what: "create".into(),
                template: Some(template_id.trim().to_owned()),
                outcome: Some(Outcome::Queued),
                ..New::default()
            },
        );
        let created = self
            .owner
            .send_as(owner, async {
                if !self.pass_as_sent(owner, entry) {
                    return None;
                }
                Some(
                    client
                        .create_instance(template_id.trim(), config_id.trim(), zone)
                        .await,
                )
            })
            .await
            .flatten()
            .ok_or_else(not_signed_in)?;
        match created {
            Ok(instance) => {
                {
                    let mut s = self.state.lock().await;
                    s.settings.remember_config(config_id);
                    self.save_settings(&s);
                }
                let id = instance.id.clone();
                if let Some(entry) = entry {
                    self.identify_for(owner, entry, &id, instance.display_name());
                }
                let now = Instant::now();
                self.watcher
                    .update_for(owner, |w| {
                        w.add_created(instance, now);
                        w.snapshot(now, std::time::SystemTime::now())
                            .machines
                            .into_iter()
                            .find(|r| r.id == id)
                    })
                    .await
                    .flatten()
                    .ok_or_else(|| {
                        Failure::plain(
                            "unexpected",
                            Text::new("desk.new_machine_missing"),
                            "The new machine went missing.",
                        )
                    })
            }
            // No answer: the machine may exist. Its entry waits, the list is searched for
            // it, and the person is told to wait for that before trying again.
            Err(e) if e.outcome_unknown() => {
                if let Some(entry) = entry {
                    self.create_unanswered_for(owner, entry);
                }
                self.watcher
                    .update_for(owner, |w| {
                        w.look_for_create(template_id.trim(), zone, listed, Instant::now())
                    })
                    .await;
                let mut failure = Failure::from(&e);
                failure.text = Box::new(Text::new("desk.create_unanswered"));
                failure.message = "ThreatWinds did not answer in time, so the machine may have been made. Compute Desk is looking for it in the list: wait until it appears (at most 2 minutes) before trying again.".into();
                Err(failure)
            }
            Err(e) => {
                let failure = Failure::from(&e);
                if let Some(entry) = entry {
                    self.settle_for(owner, entry, Outcome::Failed, said_of(&failure));
                }
                Err(failure)
            }
        }
    }
}
