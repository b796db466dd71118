//! What the app did, kept per account and server: every action, create, delete, sign-in
//! and sign-out, who did it, and how it ended, with the server's words and support code.
//!
//! One JSON line per change, appended: a new entry is a line, and so is its outcome when
//! it is learned later (the last line of an entry wins). The lines reach the disk through
//! [`Writer`], a thread of its own that syncs in batches, so that keeping the history
//! never holds an async thread or the window for a sync. A crash loses at most the lines
//! of the batch being written and leaves at most one cut-off last line, which is skipped.
//! A file damaged anywhere else is moved aside, never overwritten, and the app says so, as
//! with the settings. Past [`KEEP`] entries the oldest go, in a rewrite that replaces the
//! file atomically. Never a secret: names, ids, the server's words and support codes only.
//!
//! A history belongs to an account's identity on a server (the user id a session gives,
//! or the API key), not to its name, which can change or be unknown (a saved sign-in not
//! checked yet). Until the identity is known the history is kept in memory, and it joins
//! the account's own when the sign-in is confirmed ([`History::adopt`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::text::Text;

mod file;
mod writer;

pub use writer::Writer;

use file::{adopt_file_named_by_who, file_name, Damaged};

/// The first id of an entry kept in memory until the account's identity is known: above
/// any id a history on disk has used, so that the entries keep their ids when they join it.
const FIRST_ID_IN_MEMORY: u64 = 1 << 40;

/// The entries kept per account and server.
pub const KEEP: usize = 2_000;

/// How an entry ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Asked for, waiting for its turn under the rate budget: not sent yet.
    Queued,
    /// Sent (and accepted, or no answer yet); the machine has not been seen to get there.
    Waiting,
    Done,
    Failed,
    /// Not sent: it made no sense in the machine's state.
    Skipped,
    /// Never sent: stopped by the person, or the sign-in ended (or the app closed) first.
    NotSent,
    /// The app never learned how it ended (closed, or signed out, before it did).
    Unknown,
    /// Not done here: seen happening (a watched machine stopped by nobody on this
    /// computer).
    Noticed,
}

impl Outcome {
    /// Whether the entry has not reached its end yet.
    pub fn is_open(self) -> bool {
        matches!(self, Outcome::Queued | Outcome::Waiting)
    }
}

/// One thing the app did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: u64,
    /// When it was done, Unix milliseconds.
    pub at: u64,
    /// `start`, `stop`, `restart`, `reset`, `delete`, `create`, `sign_in`, `sign_out`,
    /// `schedule` (a decision of office hours) or `watch` (a watched machine seen to stop).
    pub what: String,
    pub machine_id: Option<String>,
    pub machine: Option<String>,
    /// A create's template: said even when the machine is not known (no answer came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Who was signed in: the account, and the key's name for a key pair.
    pub who: String,
    /// What did it when a person did not: `schedule` (office hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub outcome: Outcome,
    /// When the outcome was learned, Unix milliseconds.
    pub settled_at: Option<u64>,
    /// What was said of the outcome (a failure, or why it is not known).
    #[serde(flatten)]
    pub said: Said,
}

/// What was said of an outcome: the sentence in English and as catalog keys (what failed,
/// `op.<key>`, and why), the server's own words and its support code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Said {
    pub message: Option<String>,
    pub op: Option<String>,
    pub text: Option<Text>,
    pub server_message: Option<String>,
    pub error_id: Option<String>,
}

impl Said {
    /// A sentence of the catalogs, with its English.
    pub fn text(text: Text, english: &str) -> Said {
        Said {
            message: Some(english.to_owned()),
            text: Some(text),
            ..Said::default()
        }
    }
}

/// What is known of a new entry.
#[derive(Clone, Debug, Default)]
pub struct New {
    pub what: String,
    pub machine_id: Option<String>,
    pub machine: Option<String>,
    pub template: Option<String>,
    pub outcome: Option<Outcome>,
    pub said: Said,
    /// What did it when a person did not ([`Entry::by`]).
    pub by: Option<String>,
}

/// The history of one account on one server, in memory and on disk.
#[derive(Debug)]
pub struct History {
    /// `None` while the account's identity is not known: kept in memory only.
    path: Option<PathBuf>,
    writer: Writer,
    server: String,
    identity: Option<String>,
    who: String,
    entries: Vec<Entry>,
    next_id: u64,
    /// Lines in the file, to know when a rewrite pays.
    lines: usize,
    /// Counts changes, so the page can ask "anything new?".
    version: u64,
    /// What to tell the person when the file had to be set aside (`history.damaged`).
    pub warning: Option<Text>,
}

/// Said of entries still waiting when the history is opened again.
pub const CLOSED_BEFORE: &str = "Compute Desk was closed before ThreatWinds showed how this ended.";
const CLOSED_BEFORE_KEY: &str = "history.closed_before";
/// Said of entries still waiting for their turn when the history is opened again.
const CLOSED_BEFORE_SENT: &str = "Compute Desk was closed before this was sent.";
const CLOSED_BEFORE_SENT_KEY: &str = "history.closed_before_sent";

impl History {
    /// Opens (or starts) the history of the account `identity` on `server`, in `dir`;
    /// `who` is how entries name who was signed in. Entries a previous run left waiting
    /// are marked unknown: that run never learned how they ended. Reads the file, after
    /// everything queued for the disk is written: call it where blocking is allowed.
    pub fn open(dir: &Path, server: &str, identity: &str, who: &str) -> History {
        History::open_with(&Writer::shared(), dir, server, identity, who)
    }

    /// [`History::open`], writing through `writer`.
    pub fn open_with(
        writer: &Writer,
        dir: &Path,
        server: &str,
        identity: &str,
        who: &str,
    ) -> History {
        writer.flush();
        let path = dir.join(file_name(server, identity));
        if let Err(e) = fs::create_dir_all(dir) {
            log::warn!("history: cannot make {}: {e}", dir.display());
        }
        adopt_file_named_by_who(dir, server, who, &path);
        let mut history = History {
            path: Some(path),
            writer: writer.clone(),
            server: server.to_owned(),
            identity: Some(identity.to_owned()),
            who: who.to_owned(),
            entries: Vec::new(),
            next_id: 1,
            lines: 0,
            version: 0,
            warning: None,
        };
        match history.read() {
            Ok(()) => {}
            Err(Damaged(line)) => history.set_aside(line),
        }
        history.settle_all_open(
            Said::text(Text::new(CLOSED_BEFORE_KEY), CLOSED_BEFORE),
            Said::text(Text::new(CLOSED_BEFORE_SENT_KEY), CLOSED_BEFORE_SENT),
        );
        if history.lines > history.entries.len() + KEEP / 2 {
            history.rewrite();
        }
        history
    }

    /// A history kept in memory until the account's identity is known (a saved sign-in
    /// not checked yet, whose keyring entry does not say whose it is).
    pub fn in_memory(server: &str, who: &str) -> History {
        History {
            path: None,
            writer: Writer::shared(),
            server: server.to_owned(),
            identity: None,
            who: who.to_owned(),
            entries: Vec::new(),
            next_id: FIRST_ID_IN_MEMORY,
            lines: 0,
            version: 0,
            warning: None,
        }
    }

    /// The account this history belongs to; `None` while it is kept in memory.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    /// Takes in the entries kept in `earlier` (in memory, before the account's identity was
    /// known), with their ids and outcomes: what was done before the sign-in was confirmed
    /// stays in the account's history, and an action still under way settles its entry
    /// here.
    pub fn adopt(&mut self, earlier: History) {
        for entry in earlier.entries {
            if self.entries.iter().any(|e| e.id == entry.id) {
                continue;
            }
            self.next_id = self.next_id.max(entry.id + 1);
            self.append(&entry);
            self.entries.push(entry);
        }
        if self.warning.is_none() {
            self.warning = earlier.warning;
        }
    }

    /// Names who was signed in from now on, and in the entries that did not know it yet (made
    /// while the sign-in was being checked).
    pub fn name_who(&mut self, who: &str) {
        self.who = who.to_owned();
        let unnamed: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.entries[i].who.is_empty())
            .collect();
        for i in unnamed {
            self.entries[i].who = who.to_owned();
            let entry = self.entries[i].clone();
            self.append(&entry);
        }
    }

    /// The newest [`KEEP`] entries, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries[self.entries.len().saturating_sub(KEEP)..]
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// The file; `None` while the history is kept in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The writer this history's lines go through.
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// The server these entries were done on.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Adds an entry; returns its id.
    pub fn record(&mut self, new: New) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let outcome = new.outcome.unwrap_or(Outcome::Done);
        let at = now_ms();
        let entry = Entry {
            id,
            at,
            what: new.what,
            machine_id: new.machine_id,
            machine: new.machine,
            template: new.template,
            who: self.who.clone(),
            by: new.by,
            outcome,
            settled_at: (!outcome.is_open()).then_some(at),
            said: new.said,
        };
        self.append(&entry);
        self.entries.push(entry);
        // Rewritten now and then, not at every entry past the limit.
        if self.entries.len() >= KEEP + KEEP / 20 {
            self.rewrite();
        }
        id
    }

    /// Gives the entry `id` its outcome, with what was said of it. An entry that reached
    /// its end keeps it: whatever comes later (a late answer) changes nothing.
    pub fn settle(&mut self, id: u64, outcome: Outcome, said: Said) {
        self.change_open(id, |entry| {
            entry.outcome = outcome;
            entry.settled_at = (!outcome.is_open()).then(now_ms);
            entry.said = said;
        });
    }

    /// The open entry `id` learns which machine it is about (a create that was never
    /// answered, whose machine was then seen in the list).
    pub fn identify(&mut self, id: u64, machine_id: &str, machine: &str) {
        self.change_open(id, |entry| {
            entry.machine_id = Some(machine_id.to_owned());
            entry.machine = Some(machine.to_owned());
        });
    }

    /// Changes the entry `id` with `f` and writes its new line, while it has not reached
    /// its end; an ended entry is left as it is.
    fn change_open(&mut self, id: u64, f: impl FnOnce(&mut Entry)) {
        let Some(entry) = self
            .entries
            .iter_mut()
            .rev()
            .find(|e| e.id == id && e.outcome.is_open())
        else {
            return;
        };
        f(entry);
        let entry = entry.clone();
        self.append(&entry);
    }

    /// The newest entry still waiting on `machine_id` for `what`, settled: the watcher saw
    /// the machine get there (or not).
    pub fn settle_machine(&mut self, machine_id: &str, what: &str, outcome: Outcome, said: Said) {
        let waiting = self.entries.iter().rev().find(|e| {
            e.outcome.is_open() && e.what == what && e.machine_id.as_deref() == Some(machine_id)
        });
        if let Some(id) = waiting.map(|e| e.id) {
            self.settle(id, outcome, said);
        }
    }

    /// Every entry not at its end yet ends: what was sent becomes unknown, for `unknown`,
    /// and what was still waiting for its turn was never sent, for `not_sent` (signed out,
    /// sign-in lost, closed).
    pub fn settle_all_open(&mut self, unknown: Said, not_sent: Said) {
        let open: Vec<(u64, Outcome)> = self
            .entries
            .iter()
            .filter(|e| e.outcome.is_open())
            .map(|e| (e.id, e.outcome))
            .collect();
        for (id, outcome) in open {
            match outcome {
                Outcome::Queued => self.settle(id, Outcome::NotSent, not_sent.clone()),
                _ => self.settle(id, Outcome::Unknown, unknown.clone()),
            }
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(what: &str, machine: &str) -> New {
        New {
            what: what.into(),
            machine_id: Some(format!("id-{machine}")),
            machine: Some(machine.into()),
            outcome: Some(Outcome::Waiting),
            ..New::default()
        }
    }

    #[test]
    fn entries_and_their_outcomes_survive_a_restart_and_waiting_ones_become_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(dir.path(), "https://a", "user:1", "ana@example.com");
        let stop = h.record(action("stop", "web-1"));
        h.record(action("start", "db-1"));
        h.settle_machine("id-web-1", "stop", Outcome::Done, Said::default());
        h.record(New {
            what: "sign_out".into(),
            ..New::default()
        });
        let again = History::open(dir.path(), "https://a", "user:1", "ana@example.com");
        let e = again.entries();
        assert_eq!(e.len(), 3);
        assert_eq!((e[0].id, e[0].outcome), (stop, Outcome::Done));
        assert!(e[0].settled_at.is_some());
        assert_eq!(
            e[1].outcome,
            Outcome::Unknown,
            "left waiting by the last run"
        );
        assert_eq!(e[1].said.message.as_deref(), Some(CLOSED_BEFORE));
        assert_eq!(e[1].said.text.as_ref().unwrap().key, CLOSED_BEFORE_KEY);
        assert_eq!(e[2].outcome, Outcome::Done);
        assert_eq!(e[2].who, "ana@example.com");
        // Someone else, or another server, has a history of their own.
        assert!(
            History::open(dir.path(), "https://a", "user:2", "bo@example.com")
                .entries()
                .is_empty()
        );
        assert!(
            History::open(dir.path(), "https://b", "user:1", "ana@example.com")
                .entries()
                .is_empty()
        );
    }

    /// A history with "stop web-1" and `second` web-2, written; its file.
    fn two_entries_on_disk(dir: &Path, second: &str) -> PathBuf {
        let mut h = History::open(dir, "s", "key:k", "u");
        h.record(action("stop", "web-1"));
        h.record(action(second, "web-2"));
        h.writer().flush();
        h.path().unwrap().to_owned()
    }

    #[test]
    fn a_cut_off_last_line_loses_that_entry_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = two_entries_on_disk(dir.path(), "start");
        let mut text = fs::read(&path).unwrap();
        text.truncate(text.len() - 20);
        fs::write(&path, &text).unwrap();
        let again = History::open(dir.path(), "s", "key:k", "u");
        assert_eq!(again.entries().len(), 1);
        assert_eq!(again.entries()[0].machine.as_deref(), Some("web-1"));
        assert!(again.warning.is_none());
        // And the next entry is written after it, readable.
        let mut again = again;
        again.record(action("restart", "web-3"));
        let third = History::open(dir.path(), "s", "key:k", "u");
        assert_eq!(third.entries().len(), 2);
        assert!(third.entries()[1].id > third.entries()[0].id);
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = two_entries_on_disk(dir.path(), "stop");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, format!("not json\n{text}")).unwrap();
        let again = History::open(dir.path(), "s", "key:k", "u");
        assert!(again.entries().is_empty());
        let aside = path.with_extension("jsonl.damaged");
        let warning = again.warning.clone().unwrap();
        assert_eq!(warning.key, "history.damaged");
        assert_eq!(
            warning.params.get("file").map(String::as_str),
            Some(aside.display().to_string().as_str())
        );
        assert!(fs::read_to_string(aside).unwrap().starts_with("not json"));
    }

    #[test]
    fn it_keeps_the_newest_entries_and_rewrites_when_that_pays() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(dir.path(), "s", "key:k", "u");
        for i in 0..KEEP + 10 {
            h.record(New {
                what: "start".into(),
                machine: Some(format!("m-{i}")),
                ..New::default()
            });
        }
        assert_eq!(h.entries().len(), KEEP);
        assert_eq!(h.entries()[0].machine.as_deref(), Some("m-10"));
        let again = History::open(dir.path(), "s", "key:k", "u");
        assert_eq!(again.entries().len(), KEEP);
        assert_eq!(again.entries()[KEEP - 1].machine.as_deref(), Some("m-2009"));
        let lines = {
            again.writer().flush();
            fs::read_to_string(again.path().unwrap())
        }
        .unwrap()
        .lines()
        .count();
        assert!(lines <= KEEP + KEEP / 2, "{lines} lines on disk");
    }

    #[test]
    fn a_history_belongs_to_the_account_not_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(dir.path(), "s", "user:1", "Ana");
        h.record(action("stop", "web-1"));
        // The same account under a new name (or none): the same history.
        let again = History::open(dir.path(), "s", "user:1", "");
        assert_eq!(again.entries().len(), 1);
        assert_eq!(again.entries()[0].who, "Ana");
        // Another account of the same name has its own.
        assert!(History::open(dir.path(), "s", "user:2", "Ana")
            .entries()
            .is_empty());
    }

    #[test]
    fn what_was_kept_in_memory_joins_the_accounts_history_with_its_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut before = History::open(dir.path(), "s", "key:k", "Ana");
        let old = before.record(action("start", "db-1"));
        let mut checking = History::in_memory("s", "");
        assert_eq!(checking.path(), None);
        let waiting = checking.record(action("stop", "web-1"));
        checking.record(New {
            what: "sign_in".into(),
            ..New::default()
        });
        let mut confirmed = History::open(dir.path(), "s", "key:k", "Ana");
        confirmed.adopt(checking);
        confirmed.name_who("Ana (ops key)");
        // The action under way settles its entry where it now is.
        confirmed.settle(waiting, Outcome::Done, Said::default());
        let next = confirmed.record(action("restart", "web-2"));
        assert!(next > waiting, "ids go on after the adopted ones");
        let again = History::open(dir.path(), "s", "key:k", "Ana");
        let e = again.entries();
        assert_eq!(
            e.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![old, waiting, waiting + 1, next]
        );
        assert_eq!(e[0].who, "Ana");
        assert_eq!(
            (e[1].outcome, e[1].who.as_str()),
            (Outcome::Done, "Ana (ops key)")
        );
        assert_eq!(e[3].who, "Ana (ops key)");
    }

    #[test]
    fn a_file_named_after_who_becomes_the_accounts_own() {
        let dir = tempfile::tempdir().unwrap();
        let line = serde_json::json!({"id": 7, "at": 1, "what": "stop", "machineId": "m",
            "machine": "web-1", "who": "Ana", "outcome": "done", "settledAt": 2});
        fs::write(dir.path().join(file_name("s", "Ana")), format!("{line}\n")).unwrap();
        let h = History::open(dir.path(), "s", "user:1", "Ana");
        assert_eq!(h.entries().len(), 1);
        assert_eq!(h.entries()[0].id, 7);
        assert!(!dir.path().join(file_name("s", "Ana")).exists());
        // A name not given by the server (empty: not confirmed) adopts nothing.
        fs::write(dir.path().join(file_name("s", "")), format!("{line}\n")).unwrap();
        assert!(History::open(dir.path(), "s", "user:9", "")
            .entries()
            .is_empty());
    }
}
