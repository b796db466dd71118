//! One look at one watched account: its machines as the watcher last read them (the
//! account on screen, while the window shows it) or read here with the account's own
//! client; a running machine no longer listed read alone; what left running judged
//! against the account's history and, when nobody here asked for it, written there and
//! told.

use std::time::SystemTime;

use super::super::schedules::{hour_minute, off_thread};
use super::super::{Desk, DEMO_ACCOUNT};
use super::seen::{asked_here, Left, Seen};
use super::{lock, WatchNews};
use crate::api::{Client, ErrorKind, InstanceStatus, RetryPolicy};
use crate::history::{History, New, Outcome, Said};
use crate::text::Text;

/// Where a look gets the account's machines from.
enum Source {
    /// The account on screen, the sign-in numbered `owner`.
    OnScreen { client: Client, owner: u64 },
    /// A saved account not on screen.
    Elsewhere(Client),
}

impl Source {
    fn client(&self) -> &Client {
        match self {
            Source::OnScreen { client, .. } | Source::Elsewhere(client) => client,
        }
    }
}

/// A machine as a look saw it: id, name, state.
type Row = (String, String, InstanceStatus);

impl Desk {
    /// Looks at the account `account`'s machines once and tells what left running.
    pub(super) async fn look_over(&self, account: &str, news: &(dyn Fn(WatchNews) + Sync)) {
        let source = if self.schedule_owner().await.as_deref() == Some(account) {
            // Asked to sign in again: nothing is read until it is.
            let Ok((client, owner)) = self.acting().await else {
                return;
            };
            Source::OnScreen { client, owner }
        } else if account == DEMO_ACCOUNT {
            // The demo's machines are there only while it is open.
            return;
        } else {
            match self.client_to_watch(account).await {
                Ok(client) => Source::Elsewhere(client),
                Err(reason) => return self.cannot_watch(account, reason, news).await,
            }
        };
        let mut seen = self.watching.take_seen(account);
        let left = self.look_with(account, &source, &mut seen, news).await;
        self.watching.put_seen(account, seen);
        let left = self.only_watched(account, left).await;
        if !left.is_empty() {
            self.tell_left(account, &source, left, news).await;
        }
    }

    /// Of `left`, the machines watched: all of them when the whole account is, else those
    /// in a group watched as one (as the names kept on this computer say now).
    async fn only_watched(&self, account: &str, left: Vec<Left>) -> Vec<Left> {
        if left.is_empty() {
            return left;
        }
        let (file, key) = (self.schedules.file(), account.to_owned());
        let Some(groups) = off_thread(move || {
            let (all, _) = file.load();
            all.accounts
                .get(&key)
                .and_then(|b| b.watched_groups().map(<[String]>::to_vec))
        })
        .await
        else {
            // The app is ending: nothing is told.
            return Vec::new();
        };
        // The whole account watched.
        let Some(groups) = groups else {
            return left;
        };
        let book = self.name_book(account).await;
        let in_watched = |id: &str| {
            book.machines
                .get(id)
                .is_some_and(|l| groups.iter().any(|g| l.in_group(g)))
        };
        left.into_iter().filter(|l| in_watched(&l.id)).collect()
    }

    /// The client of the saved account `account`, kept between looks.
    async fn client_to_watch(&self, account: &str) -> Result<Client, Text> {
        if let Some(client) = lock(&self.watching.clients).get(account) {
            return Ok(client.clone());
        }
        let saved = self.state.lock().await.settings.account(account).cloned();
        // Removed since: its switch went with it at the next reading of the file.
        let saved = saved.ok_or_else(|| Text::new("schedule.signed_out"))?;
        let client = self.client_elsewhere(account, &saved).await?;
        lock(&self.watching.clients).insert(account.to_owned(), client.clone());
        Ok(client)
    }

    /// Said once, until a look succeeds again.
    async fn cannot_watch(&self, account: &str, reason: Text, news: &(dyn Fn(WatchNews) + Sync)) {
        if lock(&self.watching.said_cannot).insert(account.to_owned()) {
            news(WatchNews::CannotWatch {
                account: self.account_label(account).await,
                reason,
            });
        }
    }

    /// What left running since the last look, from the freshest list within the budget.
    async fn look_with(
        &self,
        account: &str,
        source: &Source,
        seen: &mut Seen,
        news: &(dyn Fn(WatchNews) + Sync),
    ) -> Vec<Left> {
        let (at, rows) = match self.watchers_list(source, seen.read_at()).await {
            Some(read) => read,
            None => match self.read_list(account, source, news).await {
                Some(read) => read,
                None => return vec![],
            },
        };
        let (mut left, missing) = seen.list(
            rows.iter()
                .map(|(id, name, status)| (id.as_str(), name.as_str(), status)),
            at,
        );
        let client = source.client().with_retry(RetryPolicy::never());
        for id in missing {
            let found = match client.get_instance(&id).await {
                Ok(m) => Some((m.display_name().to_owned(), m.status)),
                Err(e) if e.kind() == ErrorKind::NotFound => None,
                // Known at a later look.
                Err(_) => continue,
            };
            let found = found.as_ref().map(|(name, s)| (name.as_str(), s));
            left.extend(seen.read_alone(&id, found, SystemTime::now()));
        }
        left
    }

    /// The watcher's list of the account on screen, when it was read since the last look
    /// (`after`) and within two idle periods: the window shows it, and the watcher reads
    /// it more often than the eye looks.
    async fn watchers_list(
        &self,
        source: &Source,
        after: Option<SystemTime>,
    ) -> Option<(SystemTime, Vec<Row>)> {
        let Source::OnScreen { owner, .. } = source else {
            return None;
        };
        let fresh = self.policy.slow * 2;
        self.watcher
            .look_for(*owner, |w| {
                let (at, list) = w.as_read()?;
                let age = SystemTime::now().duration_since(at).unwrap_or_default();
                let newer = after.is_none_or(|after| at > after);
                (newer && age <= fresh).then(|| (at, rows(list.iter())))
            })
            .await
            .flatten()
    }

    /// The account's list read here; `None` when it could not be (the next look tries
    /// again): a refused sign-in drops the client (and is said of an account not on
    /// screen), a 429 on the account on screen is said on its screen.
    async fn read_list(
        &self,
        account: &str,
        source: &Source,
        news: &(dyn Fn(WatchNews) + Sync),
    ) -> Option<(SystemTime, Vec<Row>)> {
        let client = source.client().with_retry(RetryPolicy::never());
        match client.list_instances().await {
            Ok(list) => {
                lock(&self.watching.said_cannot).remove(account);
                Some((SystemTime::now(), rows(list.iter())))
            }
            Err(e) => {
                match (e.kind(), source) {
                    (ErrorKind::Auth, Source::Elsewhere(_)) => {
                        lock(&self.watching.clients).remove(account);
                        let reason = crate::failure::Failure::from(&e).text;
                        self.cannot_watch(account, *reason, news).await;
                    }
                    (ErrorKind::RateLimited, Source::OnScreen { owner, .. })
                        if !e.was_never_sent() =>
                    {
                        let wait = e
                            .retry_after()
                            .unwrap_or(self.policy.slow)
                            .min(self.policy.max_wait);
                        self.watcher.update_for(*owner, |w| w.slowed(wait)).await;
                    }
                    _ => {}
                }
                log::info!("watching: a look at an account's machines failed: {e}");
                None
            }
        }
    }

    /// Writes in the account's history each machine in `left` that nobody here asked to
    /// leave running, and tells it.
    async fn tell_left(
        &self,
        account: &str,
        source: &Source,
        left: Vec<Left>,
        news: &(dyn Fn(WatchNews) + Sync),
    ) {
        let time = hour_minute(self.schedules.clock.now());
        let judge = move |history: &mut History| {
            let mut told = vec![];
            for l in &left {
                if asked_here(history.entries(), &l.id, l.running_at) {
                    continue;
                }
                let (text, english) = left_words(l, &time);
                history.record(New {
                    what: "watch".into(),
                    machine_id: Some(l.id.clone()),
                    machine: Some(l.name.clone()),
                    outcome: Some(Outcome::Noticed),
                    said: Said::text(text, &english),
                    ..New::default()
                });
                told.push((
                    l.name.clone(),
                    Text::new(format!("notify.watch.{}", l.became.name()))
                        .with("name", l.name.clone())
                        .with("time", time.clone()),
                ));
            }
            told
        };
        let told = match source {
            Source::OnScreen { owner, .. } => self.history_of(*owner, judge),
            Source::Elsewhere(client) => self.in_history_elsewhere(account, client, judge).await,
        };
        let label = self.account_label(account).await;
        for (machine, text) in told.unwrap_or_default() {
            log::info!("watching: a machine left running, not by anyone on this computer");
            news(WatchNews::Left {
                account: label.clone(),
                machine,
                text,
            });
        }
    }

    /// Runs `f` on the history file of the saved account `account` (not on screen), one
    /// writer at a time with its scheduled changes.
    async fn in_history_elsewhere<T: Send + 'static>(
        &self,
        account: &str,
        client: &Client,
        f: impl FnOnce(&mut History) -> T + Send + 'static,
    ) -> Option<T> {
        let lock = self.schedules.lock_for(account);
        let _one_writer = lock.lock().await;
        let saved = self.state.lock().await.settings.account(account).cloned()?;
        let dir = self.history_dir.clone();
        let server = client.base_url().to_string();
        off_thread(move || {
            let mut history = History::open(&dir, &server, &saved.identity, &saved.who);
            let out = f(&mut history);
            history.writer().flush();
            out
        })
        .await
    }
}

fn rows<'a>(list: impl Iterator<Item = &'a crate::api::Instance>) -> Vec<Row> {
    list.map(|m| (m.id.clone(), m.display_name().to_owned(), m.status.clone()))
        .collect()
}

/// The History's words for a machine that left running: how, and when it was noticed.
fn left_words(l: &Left, time: &str) -> (Text, String) {
    let how = match l.became {
        super::Became::Stopped => "Stopped",
        super::Became::Suspended => "Suspended",
        super::Became::Error => "Went into error",
        super::Became::Gone => "Gone",
    };
    (
        Text::new(format!("history.watch.{}", l.became.name())).with("time", time.to_owned()),
        format!("{how} at {time}: not by anyone on this computer."),
    )
}
