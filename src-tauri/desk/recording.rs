//! The watcher's news, written to the history on its way to the window: an entry is
//! settled when the machine is seen to get where its action leads (or not), a lost
//! sign-in ends what it left open, and the machine of an unanswered create, once found,
//! is named in its entry.

use super::record::{locked, owned, Shared};
use super::said::{create_not_seen, settle_sign_in_lost};
use super::Desk;
use crate::failure::Failure;
use crate::history::{Outcome, Said};
use crate::watch::{CreateSeen, Finished, Sink, Snapshot};

impl Desk {
    /// `sink`, with every pending action's end written to the history first.
    pub fn recording<S: Sink>(&self, sink: S) -> Recording<S> {
        Recording {
            history: self.history.clone(),
            sink,
        }
    }
}

/// A [`Sink`] that settles history entries as the watcher sees actions end.
pub struct Recording<S> {
    history: Shared,
    sink: S,
}

impl<S: Sink> Sink for Recording<S> {
    fn snapshot(&self, snapshot: Snapshot) {
        self.sink.snapshot(snapshot);
    }

    fn finished(&self, owner: u64, finished: Vec<Finished>) {
        if let Some(h) = owned(&mut locked(&self.history), owner) {
            for f in &finished {
                let (outcome, said) = if f.ok {
                    (Outcome::Done, Said::default())
                } else {
                    (
                        Outcome::Failed,
                        Said::text(f.action.did_not_finish_text(), &f.action.did_not_finish()),
                    )
                };
                h.settle_machine(&f.id, f.action.key(), outcome, said);
            }
        }
        self.sink.finished(owner, finished);
    }

    fn auth_lost(&self, owner: u64, failure: Failure) {
        if let Some(h) = owned(&mut locked(&self.history), owner) {
            settle_sign_in_lost(h);
        }
        self.sink.auth_lost(owner, failure);
    }

    fn create_seen(&self, owner: u64, seen: CreateSeen) {
        let mut slot = locked(&self.history);
        if let Some(open) = slot.as_mut().filter(|o| o.owner == owner) {
            if let Some(entry) = open.unanswered_create.take() {
                match &seen {
                    // Followed from here as any new machine: done once it runs.
                    CreateSeen::Found { id, name } => open.history.identify(entry, id, name),
                    CreateSeen::NotSeen => {
                        open.history
                            .settle(entry, Outcome::Unknown, create_not_seen());
                    }
                }
            }
        }
        drop(slot);
        self.sink.create_seen(owner, seen);
    }
}
