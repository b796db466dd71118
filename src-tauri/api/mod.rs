//! The ThreatWinds API client: the one place that knows base URLs, credentials headers,
//! retries, error headers and the many shapes the service's JSON comes in.
//!
//! It knows nothing about windows, keyrings or files, so the desktop app, the command
//! line and the tests all drive the same code. See `compute-api.md` for the contract.

mod answer;
mod auth;
mod base_url;
mod billing;
pub mod budget;
mod client;
mod compute;
mod error;
mod limited;
mod model;
mod operation;
mod retry;
mod secret;

pub use client::{Client, ClientBuilder, Credentials, PRODUCTION_BASE};
pub use error::{ApiError, ErrorKind, Operation};
pub use limited::{SharedBudget, LIMITS_WAIT};
pub use model::{
    FeatureUsage, Instance, InstanceStatus, KeyPairInfo, Limit, LimitUsage, Named, NewSession,
    Phase, PowerAction, QuotaValue, Quotas, RateLimits, RateValue, SessionInfo, Template,
    Timestamp,
};
pub use retry::{RetryPolicy, MAX_RETRY_AFTER};
pub use secret::Secret;
