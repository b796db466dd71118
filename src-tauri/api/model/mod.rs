//! The wire model, tolerant of every variant the documentation revisions and the SDK
//! disagree on: status letter case, `userId`/`userID`, missing IPs, `expireAt` as a
//! number or a string, unknown fields. Parsed once here; the rest of the app sees one shape.
//!
//! - `instance`: machines, their states, power actions, templates;
//! - `account`: sessions, the key-pair check, and times as the Auth API writes them;
//! - `billing`: the plan's limits;
//! - `lenient`: the field readers that make all of them tolerant.

mod account;
mod billing;
mod instance;
mod lenient;

pub use account::{KeyPairInfo, NewSession, SessionInfo, Timestamp};
pub use billing::{FeatureUsage, Limit, LimitUsage, QuotaValue, Quotas, RateLimits, RateValue};
pub use instance::{Instance, InstanceStatus, Phase, PowerAction, Template};
pub use lenient::Named;
