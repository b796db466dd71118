//! Turns booked ahead for the requests of a bulk action, so that it stays within its
//! share of a per-minute limit instead of running into 429s. Pure, with time passed in.

use std::collections::VecDeque;
use std::time::Instant;

use super::WINDOW;

/// At most `per_minute` requests in any sliding minute.
#[derive(Debug)]
pub struct Pace {
    per_minute: usize,
    /// When the requests of the last minute were (or will be) sent, oldest first.
    slots: VecDeque<Instant>,
}

impl Pace {
    pub fn new(per_minute: usize) -> Self {
        Pace {
            per_minute: per_minute.max(1),
            slots: VecDeque::new(),
        }
    }

    /// Books the earliest moment from `now` on at which one more request keeps every
    /// sliding minute within the limit, and returns it.
    pub fn book(&mut self, now: Instant) -> Instant {
        // A request a minute before `now` can no longer share a minute with this one.
        while self
            .slots
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            self.slots.pop_front();
        }
        let mut at = now;
        if self.slots.len() >= self.per_minute {
            let oldest_that_counts = self.slots[self.slots.len() - self.per_minute];
            at = at.max(oldest_that_counts + WINDOW);
        }
        self.slots.push_back(at);
        at
    }

    /// How many more may be booked for `now` itself, within the limit.
    pub fn left(&self, now: Instant) -> usize {
        let counted = self
            .slots
            .iter()
            .filter(|t| now.saturating_duration_since(**t) < WINDOW && **t <= now + WINDOW)
            .count();
        self.per_minute.saturating_sub(counted)
    }

    /// How many a minute it books.
    pub fn per_minute(&self) -> usize {
        self.per_minute
    }

    /// Gives back a slot booked at `at` and not used (the action was stopped before its
    /// turn), so that it holds nothing else back.
    pub fn unbook(&mut self, at: Instant) {
        if let Some(i) = self.slots.iter().rposition(|t| *t == at) {
            self.slots.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_within_the_limit_goes_at_once_and_the_rest_waits_for_the_window() {
        let t0 = Instant::now();
        let mut pace = Pace::new(40);
        let slots: Vec<Instant> = (0..100).map(|_| pace.book(t0)).collect();
        assert!(slots[..40].iter().all(|at| *at == t0));
        assert!(slots[40..80].iter().all(|at| *at == t0 + WINDOW));
        assert!(slots[80..].iter().all(|at| *at == t0 + 2 * WINDOW));
        // No sliding minute ever holds more than 40.
        for (i, at) in slots.iter().enumerate() {
            let in_window = slots[..=i]
                .iter()
                .filter(|t| at.saturating_duration_since(**t) < WINDOW)
                .count();
            assert!(
                in_window <= 40,
                "{in_window} requests in the minute before #{i}"
            );
        }
    }

    #[test]
    fn requests_spread_over_time_are_not_held_back() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2);
        assert_eq!(pace.book(t0), t0);
        let later = t0 + Duration::from_secs(30);
        assert_eq!(pace.book(later), later);
        // The third within the same minute waits for the first to leave it.
        assert_eq!(pace.book(later), t0 + WINDOW);
        let much_later = t0 + Duration::from_secs(600);
        assert_eq!(pace.book(much_later), much_later);
    }

    #[test]
    fn a_slot_given_back_holds_nothing_back() {
        let t0 = Instant::now();
        let mut pace = Pace::new(2);
        pace.book(t0);
        let second = pace.book(t0);
        assert_eq!(pace.book(t0), t0 + WINDOW, "the third waits");
        pace.unbook(t0 + WINDOW);
        pace.unbook(second);
        let soon = t0 + Duration::from_secs(1);
        assert_eq!(pace.book(soon), soon, "the stopped ones freed their turns");
    }
}
