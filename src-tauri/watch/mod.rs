//! Live machine state without hammering the API.
//!
//! - [`LiveList`] (`live/`) is the policy and the memory: the machines as last read,
//!   the actions awaited (`pending.rs`), when to read next, and what to tell the user when
//!   reading fails. Plain data with time passed in, so every rule is tested without
//!   sleeping.
//! - [`Action`] (`action.rs`) is what a person can do to a machine, and its words.
//! - `unanswered.rs` looks in the reads for the machine of a create ThreatWinds never
//!   answered ([`CreateSeen`]).
//! - [`Snapshot`] (`snapshot.rs`) is everything the machines screen shows, built from the
//!   list: the rows, their buttons, the banner.
//! - [`Watcher`] (`watcher.rs`) is the loop that follows the policy: it reads the list
//!   when told to, and hands each new snapshot to a [`Sink`] (the window, through an event).

mod action;
mod delta;
mod live;
mod pending;
mod snapshot;
mod unanswered;
mod watcher;

pub use action::{Action, Finished};
pub use delta::{Delta, RowPrints};
pub use live::{Given, LiveList, Outcome, Policy, ReadTicket, Remembered, Room};
#[cfg(test)]
pub(crate) use snapshot::snapshot_of;
pub use snapshot::{BulkView, Can, PendingView, Row, Snapshot};
pub use unanswered::CreateSeen;
pub use watcher::{Sink, Watcher};
