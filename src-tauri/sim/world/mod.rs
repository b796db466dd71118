//! The simulated account: machines and their lifecycle (`machines`), the templates and
//! network configurations they are made from (`catalog`), and email sign-in with its
//! code outbox (`sessions`). Plain data and functions that take `now`, so every rule
//! here is testable without a server or a sleep.

mod catalog;
mod machines;
mod sessions;
mod status;

pub use catalog::{template, TemplateDef, NETWORK_CONFIGS, TEMPLATES};
pub use machines::{Machine, Machines, Placement, Refusal, Timings};
pub use sessions::{BearerProblem, Sessions};
pub use status::Status;

/// The documented example's user; the simulator's one account owns every machine.
pub const USER_ID: &str = "550e8400-e29b-41d4-a716-446655440000";
pub const CUSTOMER_ID: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
