//! A scheduled change on a saved account that is not on screen: with that account's own
//! credentials (its keyring entry, sent only to the server the entry is named after), its
//! own request budget (shared with the account when it is on screen), and its own history
//! file, each machine read, sent its action and read again until it gets there. One change
//! at a time per account, so its history file has one writer here.

use std::time::Duration;

use super::super::said::said_of;
use super::super::Desk;
use super::runner::{by_hand, decision_entry, left_by_hand_entry, off_thread, ScheduleNews};
use super::FOLLOW_AT_MOST;
use crate::api::{Client, Phase, PowerAction};
use crate::failure::Failure;
use crate::history::{History, New, Outcome, Said};
use crate::schedule::{Due, Turn};
use crate::session::Account;
use crate::text::Text;
use crate::vault::{entry_name, entry_server};

/// Between two reads of a machine being followed.
const READ_EVERY: Duration = Duration::from_secs(5);

impl Desk {
    pub(super) async fn turn_elsewhere(
        &self,
        account: &str,
        mut due: Due,
        decision: Option<(Text, String)>,
        news: &(dyn Fn(ScheduleNews) + Sync),
    ) {
        let lock = self.schedules.lock_for(account);
        let _one_at_a_time = lock.lock().await;
        let saved = self.state.lock().await.settings.account(account).cloned();
        let Some(saved) = saved else {
            // Removed since: its schedules went with it.
            return;
        };
        let label = self.account_label(account).await;
        let tell = |machine: &str, problem: Option<Text>| {
            news(ScheduleNews::Ended {
                account: label.clone(),
                machine: machine.to_owned(),
                turn: due.change.turn,
                problem,
            })
        };
        let client = match self.client_elsewhere(account, &saved).await {
            // Paced within the account's limits: waits for room rather than running into them.
            Ok(client) => client.waiting_for_budget(),
            Err(problem) => {
                due.machines
                    .iter()
                    .for_each(|m| tell(m, Some(problem.clone())));
                return;
            }
        };
        let dir = self.history_dir.clone();
        let (server, identity, who) = (
            client.base_url().to_string(),
            saved.identity.clone(),
            saved.who.clone(),
        );
        let Some(mut history) =
            off_thread(move || History::open(&dir, &server, &identity, &who)).await
        else {
            return;
        };
        // Machines a person turned by hand, while this account was on screen, after the
        // change keep what the person did.
        let hand = by_hand(history.entries(), self.schedules.clock.ahead_ms());
        let (left, machines): (Vec<String>, Vec<String>) = due
            .machines
            .iter()
            .cloned()
            .partition(|id| hand.get(id).is_some_and(|t| *t > due.change.at));
        due.by_hand.extend(left);
        if let Some(decision) = decision {
            history.record(decision_entry(decision));
        }
        for id in &due.by_hand {
            history.record(left_by_hand_entry(id, id.clone()));
        }
        for id in machines {
            let (name, problem) = turn_one(&client, &mut history, &id, due.change.turn).await;
            if let Some(name) = name {
                tell(&name, problem);
            }
        }
        history.writer().flush();
    }

    /// The client of the saved account `account`, with its keyring entry's credentials and
    /// its budget (a request it has no room for refused at once); why not, in the
    /// person's words.
    pub(in crate::desk) async fn client_elsewhere(
        &self,
        account: &str,
        saved: &crate::settings::SavedAccount,
    ) -> Result<Client, Text> {
        let entry = entry_name(&saved.base, &saved.identity);
        let vault = self.vault.clone();
        let name = entry.clone();
        let stored = match off_thread(move || vault.load(&name)).await {
            Some(Ok(Some(stored))) => stored,
            Some(Ok(None)) => return Err(Text::new("schedule.signed_out")),
            _ => return Err(Text::new("schedule.keyring_failed")),
        };
        let Some(base) = self.base_for(entry_server(&entry)).await else {
            return Err(Text::new("schedule.signed_out"));
        };
        let mut signed = Account::unconfirmed(&base, &stored, entry_server(&entry));
        signed.use_budget(&self.budget_of(account, signed.client()));
        Ok(signed.client().clone())
    }
}

/// Turns machine `id` on or off and follows it there, writing each step in `history`; its
/// name (`None` when there was nothing to do) and why it did not get there.
async fn turn_one(
    client: &Client,
    history: &mut History,
    id: &str,
    turn: Turn,
) -> (Option<String>, Option<Text>) {
    let (action, target) = match turn {
        Turn::On => (PowerAction::Start, Phase::Running),
        Turn::Off => (PowerAction::Stop, Phase::Stopped),
    };
    let machine = match client.get_instance(id).await {
        Ok(m) => m,
        Err(e) => return (Some(id.to_owned()), Some(*Failure::from(e).text)),
    };
    let name = machine.display_name().to_owned();
    let phase = machine.status.phase();
    let can = match turn {
        Turn::On => matches!(phase, Phase::Stopped | Phase::Error | Phase::Unknown),
        Turn::Off => matches!(phase, Phase::Running | Phase::Unknown),
    };
    if !can {
        // There already, or on its way somewhere: nothing to send.
        history.record(New {
            what: action.path_segment().into(),
            machine_id: Some(id.to_owned()),
            machine: Some(name),
            outcome: Some(Outcome::Skipped),
            said: Said::text(
                Text::new("history.skipped"),
                "Not sent: the machine could not do this in its state.",
            ),
            by: Some("schedule".into()),
            ..New::default()
        });
        return (None, None);
    }
    let entry = history.record(New {
        what: action.path_segment().into(),
        machine_id: Some(id.to_owned()),
        machine: Some(name.clone()),
        outcome: Some(Outcome::Waiting),
        by: Some("schedule".into()),
        ..New::default()
    });
    if let Err(e) = client.power(id, action).await {
        let failure = Failure::from(e);
        history.settle(entry, Outcome::Failed, said_of(&failure));
        return (Some(name), Some(*failure.text));
    }
    let deadline = tokio::time::Instant::now() + FOLLOW_AT_MOST;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(READ_EVERY).await;
        match client.get_instance(id).await.map(|m| m.status.phase()) {
            Ok(p) if p == target => {
                history.settle(entry, Outcome::Done, Said::default());
                return (Some(name), None);
            }
            Ok(Phase::Error) => {
                let text = Text::new("schedule.did_not_get_there");
                history.settle(
                    entry,
                    Outcome::Failed,
                    Said::text(text.clone(), "The machine did not get there."),
                );
                return (Some(name), Some(text));
            }
            // Still on its way, or a read that failed: read again.
            _ => {}
        }
    }
    let text = Text::new("schedule.not_followed");
    history.settle(
        entry,
        Outcome::Unknown,
        Said::text(
            text.clone(),
            "Compute Desk stopped waiting for the machine.",
        ),
    );
    (Some(name), Some(text))
}
