//! Office hours: machines turned on and off at set times, as plain data with the clock
//! passed in. `calendar`: a schedule and when its changes fall, time zones and daylight
//! saving done by `jiff`; `due`: what a schedule asks for after the app last looked (on
//! time, missed while the computer was off, or left as a person set it by hand).
//!
//! No Tauri, no network: the desk acts on what this says, for the account each schedule
//! belongs to.

pub mod calendar;
pub mod due;

#[cfg(test)]
mod tests;

pub use calendar::{Change, ClockTime, Days, Problem, Schedule, Turn};
pub use due::{due, Due, Why};
