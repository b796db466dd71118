//! The client's side of the account's request budget ([`Budget`]): every request of a
//! kind the service limits passes it before it leaves (refused at once with the wait, or
//! waiting for room, as the client was made), a 429 tells it, and the limits the service
//! states (`/limits`) are learned once per account.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::budget::{Budget, Kind, MAX_HOLD};
use super::client::Client;
use super::error::{ApiError, Operation};
use super::model::Timestamp;

/// How long an account's first bulk waits for its limits to be known.
pub const LIMITS_WAIT: Duration = Duration::from_secs(3);

/// An account's budget, and whether its limits were asked for.
pub(super) struct AccountBudget {
    budget: Mutex<Budget>,
    learned: tokio::sync::OnceCell<()>,
}

impl AccountBudget {
    pub(super) fn new(budget: Budget) -> AccountBudget {
        AccountBudget {
            budget: Mutex::new(budget),
            learned: tokio::sync::OnceCell::new(),
        }
    }
}

/// An account's budget, kept by whoever follows accounts between sign-ins (a switch to
/// another account and back): what was sent in the last minute still counts.
#[derive(Clone)]
pub struct SharedBudget(Arc<AccountBudget>);

impl Client {
    /// This client's budget, to be kept for its account.
    pub fn shared_budget(&self) -> SharedBudget {
        SharedBudget(self.budget.clone())
    }

    /// The same client, counting in `budget` (its account's, kept from an earlier sign-in).
    pub fn with_budget(&self, budget: &SharedBudget) -> Client {
        let mut client = self.clone();
        client.budget = budget.0.clone();
        client
    }

    /// Another account's budget: the defaults this client started from, nothing counted
    /// or learned yet.
    pub(super) fn fresh_budget(&self) -> Arc<AccountBudget> {
        let fresh = {
            let known = self.budget();
            Budget::new(known.default_limit()).with_max_hold(known.max_hold())
        };
        Arc::new(AccountBudget::new(fresh))
    }

    /// The account's request budget.
    pub fn budget(&self) -> MutexGuard<'_, Budget> {
        self.budget
            .budget
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Learns the account's request limits from the Billing API (`/limits`), once; a
    /// later call waits for the first. Bounded: after [`LIMITS_WAIT`], or where the
    /// service does not answer, each operation type keeps its default.
    pub async fn learn_limits(&self) {
        let ask = self.budget.learned.get_or_init(|| async {
            match self.rate_limits().await {
                Ok(limits) => self.budget().set_limits(&limits),
                Err(e) => log::info!(
                    "limits: not stated by the service ({:?}); each operation type keeps its default",
                    e.kind()
                ),
            }
        });
        if tokio::time::timeout(LIMITS_WAIT, ask).await.is_err() {
            log::info!("limits: no answer in time; each operation type keeps its default");
        }
    }

    /// Asks the Billing API what is left of each limit this minute (`/limits/usage`),
    /// which counts every client of the account, and holds the budget to it. Bounded by
    /// [`LIMITS_WAIT`]; where the service does not answer, the budget's own count stands.
    pub async fn learn_usage(&self) {
        match tokio::time::timeout(LIMITS_WAIT, self.limit_usage()).await {
            Ok(Ok(usage)) => {
                self.budget()
                    .heed_usage(&usage, Timestamp::now(), Instant::now());
            }
            Ok(Err(e)) => log::info!(
                "limits: usage not stated by the service ({:?}); the app's own count stands",
                e.kind()
            ),
            Err(_) => log::info!("limits: no usage in time; the app's own count stands"),
        }
    }

    /// The same client, whose requests wait for room in the budget instead of being
    /// refused (a bulk's turns, the command line). The wait is bounded and logged.
    pub fn waiting_for_budget(&self) -> Client {
        let mut waiting = self.clone();
        waiting.waits_for_budget = true;
        waiting
    }

    /// Counts one request of `operation`'s kind in the budget, waiting for room when this
    /// client waits, else refusing at once with the wait ([`ApiError::held_back`]).
    pub(super) async fn pass_budget(&self, operation: Operation) -> Result<(), ApiError> {
        let Some(kind) = Kind::of(operation) else {
            return Ok(());
        };
        loop {
            let now = Instant::now();
            let at = match self.budget().take(kind, now) {
                Ok(()) => return Ok(()),
                Err(at) => at,
            };
            let wait = at.saturating_duration_since(now).min(MAX_HOLD);
            if !self.waits_for_budget {
                return Err(ApiError::held_back(operation, wait));
            }
            log::info!(
                "{operation:?}: waits {} ms for the account's limit",
                wait.as_millis()
            );
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }
}
