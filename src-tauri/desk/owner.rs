//! Which sign-in the desk acts for, as a number that moves on at every sign-in and
//! sign-out, and the gate every action's request passes. Work started under one number
//! (an action, a bulk, a create) carries it: once the number has moved on, nothing of that
//! work is sent, and nothing it learns late is written anywhere. A sign-out waits (a
//! little) for the requests already on their way, so that none reaches the server after
//! it.
//!
//! The number moves on under the desk's state lock, together with the account it stands
//! for (and under the history's lock, together with the history): whoever reads the
//! account's client and the number under that lock gets a pair that belongs together.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::RwLock;

/// How long a sign-in or sign-out waits for requests of the previous one that are already
/// on their way; past it they are left to finish on their own (they were sent before).
const IN_FLIGHT_PATIENCE: Duration = Duration::from_secs(3);

#[derive(Default)]
pub(super) struct OwnerGate {
    current: AtomicU64,
    /// Held shared by each request while it is on its way, exclusively by a change of
    /// sign-in: so a change waits for what passed the gate before it.
    in_flight: RwLock<()>,
}

impl OwnerGate {
    /// The sign-in in force now.
    pub(super) fn current(&self) -> u64 {
        self.current.load(Ordering::SeqCst)
    }

    /// A new sign-in (or none) begins: from now on nothing of the previous one passes the
    /// gate. Then [`OwnerGate::drain`].
    pub(super) fn advance(&self) -> u64 {
        self.current.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Gives the requests already through the gate before the last [`OwnerGate::advance`]
    /// a moment to be answered.
    pub(super) async fn drain(&self) {
        if tokio::time::timeout(IN_FLIGHT_PATIENCE, self.in_flight.write())
            .await
            .is_err()
        {
            log::info!("sign-in: a request of the previous sign-in was still unanswered");
        }
    }

    /// Runs `send` if the sign-in `owner` is still in force when it gets through the
    /// gate; `None` when it was not sent.
    pub(super) async fn send_as<T>(&self, owner: u64, send: impl Future<Output = T>) -> Option<T> {
        let _through = self.in_flight.read().await;
        if self.current() != owner {
            return None;
        }
        Some(send.await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn nothing_passes_for_a_sign_in_that_ended_and_a_change_waits_for_what_passed() {
        let gate = Arc::new(OwnerGate::default());
        let first = gate.advance();
        gate.drain().await;
        assert_eq!(gate.send_as(first, async { 1 }).await, Some(1));
        // A request on its way when the sign-in changes: the change waits for it.
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let slow = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.send_as(first, async {
                    rx.await.ok();
                    2
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let change = {
            let gate = gate.clone();
            tokio::spawn(async move {
                let second = gate.advance();
                gate.drain().await;
                second
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!change.is_finished(), "the change waits for the request");
        tx.send(()).unwrap();
        assert_eq!(slow.await.unwrap(), Some(2));
        let second = change.await.unwrap();
        assert_ne!(first, second);
        assert_eq!(gate.send_as(first, async { 3 }).await, None);
        assert_eq!(gate.send_as(second, async { 4 }).await, Some(4));
    }
}
