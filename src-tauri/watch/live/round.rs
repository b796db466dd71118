//! How a round of reading is chosen within the account's budget. The service counts list
//! reads and single reads apart, each so many a minute, so the watcher is told before each
//! round how much room each kind has ([`Room`], from [`crate::api::budget::Budget`]):
//!
//! - the moving machines are read alone only while all of them fit in one round's share
//!   of the single reads (the limit spread over the minute at the quick rhythm, with a
//!   tenth kept back): reading them alone then shows each its truth as a list read would,
//!   for less;
//! - past that, one read of the whole list shows every one of them at once, so the list
//!   is read at the quick rhythm instead (never quicker than its own limit spreads);
//! - a kind with no room waits for it: the round is later, and the screen says why
//!   ([`LiveList::held_back_until`]).

use super::*;
use crate::api::budget::{Budget, Kind, WINDOW};

/// What the account's budget allows the watcher's reads, as of one moment.
#[derive(Clone, Copy, Debug)]
pub struct Room {
    /// When a list read may go, if not at once.
    pub list_at: Option<Instant>,
    /// When a single read may go, if not at once.
    pub alone_at: Option<Instant>,
    /// The single reads one round may make.
    pub alone_per_round: usize,
    /// The least time between two list reads for the list's limit.
    pub list_spacing: Duration,
}

impl Room {
    /// Room without limits: every read at once (before a budget is known, in tests).
    pub fn unlimited() -> Room {
        Room {
            list_at: None,
            alone_at: None,
            alone_per_round: usize::MAX,
            list_spacing: Duration::ZERO,
        }
    }

    /// The room `budget` leaves at `now`, for rounds every `fast`.
    pub fn of(budget: &mut Budget, now: Instant, fast: Duration) -> Room {
        let rounds_a_minute = (WINDOW.as_secs_f64() / fast.as_secs_f64().max(0.001)).max(1.0);
        let alone_limit = f64::from(budget.limit(Kind::ReadOne, now));
        let list_limit = f64::from(budget.limit(Kind::List, now).max(1));
        Room {
            list_at: Some(budget.free_at(Kind::List, now)).filter(|at| *at > now),
            alone_at: Some(budget.free_at(Kind::ReadOne, now)).filter(|at| *at > now),
            alone_per_round: (alone_limit * 0.9 / rounds_a_minute).floor() as usize,
            list_spacing: WINDOW.div_f64(list_limit),
        }
    }
}

impl LiveList {
    /// The budget's room for the next rounds (the watcher says it before planning).
    pub fn set_room(&mut self, room: Room) {
        self.room = room;
    }

    /// When the reads the screen waits for are held back by the account's limits beyond
    /// the quick rhythm: the rows waiting say so, with the time.
    pub fn held_back_until(&self, now: Instant) -> Option<Instant> {
        if self.paused || !self.moving() {
            return None;
        }
        let reads_at = match self.alone_ids() {
            Some(_) => self.room.alone_at,
            None => self.room.list_at,
        };
        let held = [reads_at, self.not_before].into_iter().flatten().max()?;
        (held > now.checked_add(self.policy.fast)?).then_some(held)
    }
}
