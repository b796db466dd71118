//! What the Billing API says of each operation type: its limit (`/limits`) and what is
//! left of it this minute (`/limits/usage`). Compute's feature keys are not published, so
//! they are matched by the words in them ("list", "get", "power", "start", "create",
//! "delete", …); a limit counted by the hour is taken as its sixtieth a minute (never more
//! than the service allows). Pure.

use std::time::Duration;

use super::{Kind, WINDOW};
use crate::api::{LimitUsage, RateLimits, Timestamp};

/// Each kind a compute feature of `limits` names, with its limit a minute (`u32::MAX`
/// when unlimited). A kind named by several features takes the strictest.
pub fn limits_by_kind(limits: &RateLimits) -> Vec<(Kind, u32)> {
    let mut found: Vec<(Kind, u32)> = Vec::new();
    for (_, kind, per_minute) in compute_features(limits) {
        match found.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, known)) => *known = (*known).min(per_minute),
            None => found.push((kind, per_minute)),
        }
    }
    found
}

/// Each compute feature of `limits` counted by the minute or the hour: its key, the kind
/// it names and its limit a minute.
pub fn compute_features(limits: &RateLimits) -> Vec<(String, Kind, u32)> {
    let compute = limits
        .limits
        .iter()
        .filter(|(service, _)| service.to_ascii_lowercase().contains("compute"));
    compute
        .flat_map(|(_, features)| features)
        .filter_map(|(feature, limit)| {
            let kind = kind_named(feature)?;
            let per_minute = match (limit.value, limit.window.as_deref().unwrap_or("minute")) {
                (v, _) if v < 0 => u32::MAX,
                (v, "minute") => clamp(v),
                (v, "hour") => clamp(v / 60).max(1),
                // A day's or a month's limit says nothing about a minute.
                _ => return None,
            };
            Some((feature.clone(), kind, per_minute))
        })
        .collect()
}

/// What `/limits/usage` says is left this minute of each kind, and how long until its
/// window starts again (at most [`WINDOW`]), at the wall-clock time `now` (Unix seconds).
/// A feature counts when `/limits` named it as compute's (`known`, its keys and kinds);
/// with nothing known, a key naming instances or compute is matched by its words. A kind
/// named by several features takes the least left. Unlimited features say nothing.
pub fn left_by_kind(
    usage: &LimitUsage,
    known: &[(String, Kind)],
    now: Timestamp,
) -> Vec<(Kind, u32, Duration)> {
    let mut found: Vec<(Kind, u32, Duration)> = Vec::new();
    for row in &usage.0 {
        let Some(key) = row.feature_key.as_deref() else {
            continue;
        };
        let kind = if known.is_empty() {
            let lower = key.to_ascii_lowercase();
            if !(lower.contains("instance") || lower.contains("compute")) {
                continue;
            }
            kind_named(key)
        } else {
            known.iter().find(|(k, _)| k == key).map(|(_, kind)| *kind)
        };
        let Some(kind) = kind else { continue };
        if row.remaining < 0 || !matches!(row.window.as_deref().unwrap_or("minute"), "minute") {
            continue;
        }
        let left = clamp(row.remaining);
        let resets_in = row.reset_at.map_or(WINDOW, |at| {
            let secs = at.unix_seconds().saturating_sub(now.unix_seconds());
            Duration::from_secs(u64::try_from(secs).unwrap_or(0)).min(WINDOW)
        });
        match found.iter_mut().find(|(k, ..)| *k == kind) {
            Some((_, l, r)) if left < *l => (*l, *r) = (left, resets_in),
            Some(_) => {}
            None => found.push((kind, left, resets_in)),
        }
    }
    found
}

fn clamp(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The operation type a feature key names, by the words in it.
fn kind_named(feature: &str) -> Option<Kind> {
    let words: Vec<String> = feature
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |options: &[&str]| words.iter().any(|w| options.contains(&w.as_str()));
    if has(&["create", "provision", "new"]) {
        Some(Kind::Create)
    } else if has(&["delete", "remove", "destroy"]) {
        Some(Kind::Delete)
    } else if has(&[
        "power", "action", "actions", "start", "stop", "restart", "reset",
    ]) {
        Some(Kind::Power)
    } else if has(&["list", "lists"]) {
        Some(Kind::List)
    } else if has(&["get", "read", "describe", "show"]) {
        Some(Kind::ReadOne)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(json: &str) -> RateLimits {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn compute_features_are_matched_to_operations_by_name() {
        let l = limits(
            r#"{"tierName": "Pro", "limits": {
                "compute-api": {
                    "instances.list": {"value": 30, "window": "minute"},
                    "instances.get": {"value": 90, "window": "minute"},
                    "instance_power_actions": {"value": 20, "window": "minute"},
                    "create-instance": {"value": 600, "window": "hour"},
                    "instances.delete": {"value": -1, "window": "minute"},
                    "storage_gb": {"value": 100, "window": "month"}
                },
                "auth-api": {"session.get": {"value": 5, "window": "minute"}}
            }}"#,
        );
        let mut by_kind = limits_by_kind(&l);
        by_kind.sort();
        assert_eq!(
            by_kind,
            [
                (Kind::List, 30),
                (Kind::ReadOne, 90),
                (Kind::Power, 20),
                (Kind::Create, 10),
                (Kind::Delete, u32::MAX),
            ]
        );
    }

    #[test]
    fn nothing_known_says_nothing_and_the_strictest_of_two_wins() {
        assert!(limits_by_kind(&limits(r#"{"limits": {}}"#)).is_empty());
        assert!(limits_by_kind(&limits(r#"{"tierName": "Free"}"#)).is_empty());
        let two =
            limits(r#"{"limits": {"compute": {"start": {"value": 50}, "stop": {"value": 40}}}}"#);
        assert_eq!(limits_by_kind(&two), [(Kind::Power, 40)]);
    }

    fn usage(json: &str) -> LimitUsage {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn what_is_left_is_read_for_the_features_limits_named_and_the_least_wins() {
        let now = Timestamp::parse("2026-12-07T10:00:00Z").unwrap();
        let known = [
            ("instances.power".to_owned(), Kind::Power),
            ("instance-stop".to_owned(), Kind::Power),
            ("instances.list".to_owned(), Kind::List),
        ];
        let rows = usage(
            r#"[
                {"featureKey": "instances.power", "window": "minute", "remaining": 30,
                 "resetAt": "2026-12-07T10:00:20Z"},
                {"featureKey": "instance-stop", "window": "minute", "remaining": 12,
                 "resetAt": "2026-12-07T10:00:45Z"},
                {"featureKey": "instances.list", "window": "minute", "remaining": -1},
                {"featureKey": "chat.create", "window": "minute", "remaining": 0},
                {"featureKey": "instances.get", "window": "minute", "remaining": 0}
            ]"#,
        );
        // The least left, with its own reset; unlimited and unknown keys say nothing.
        assert_eq!(
            left_by_kind(&rows, &known, now),
            [(Kind::Power, 12, Duration::from_secs(45))]
        );
        // Nothing known from /limits: compute's keys by their words, no other service's.
        let mut guessed = left_by_kind(&rows, &[], now);
        guessed.sort();
        assert_eq!(
            guessed,
            [
                (Kind::ReadOne, 0, WINDOW),
                (Kind::Power, 12, Duration::from_secs(45)),
            ]
        );
        // A reset far off or long past is held within the minute.
        let odd = usage(
            r#"[{"featureKey": "instances.power", "remaining": 3, "resetAt": "2027-01-01T00:00:00Z"},
                {"featureKey": "instances.list", "remaining": 3, "resetAt": "2020-01-01T00:00:00Z"}]"#,
        );
        let mut odd = left_by_kind(&odd, &known, now);
        odd.sort();
        assert_eq!(
            odd,
            [(Kind::List, 3, Duration::ZERO), (Kind::Power, 3, WINDOW)]
        );
    }
}
