//! What the Billing API's `/limits` says of each operation type. Compute's feature keys
//! are not published, so they are matched by the words in them ("list", "get", "power",
//! "start", "create", "delete", …); a limit counted by the hour is taken as its
//! sixtieth a minute (never more than the service allows). Pure.

use super::Kind;
use crate::api::RateLimits;

/// Each kind a compute feature of `limits` names, with its limit a minute (`u32::MAX`
/// when unlimited). A kind named by several features takes the strictest.
pub fn limits_by_kind(limits: &RateLimits) -> Vec<(Kind, u32)> {
    let mut found: Vec<(Kind, u32)> = Vec::new();
    let compute = limits
        .limits
        .iter()
        .filter(|(service, _)| service.to_ascii_lowercase().contains("compute"));
    for (feature, limit) in compute.flat_map(|(_, features)| features) {
        let Some(kind) = kind_named(feature) else {
            continue;
        };
        let per_minute = match (limit.value, limit.window.as_deref().unwrap_or("minute")) {
            (v, _) if v < 0 => u32::MAX,
            (v, "minute") => clamp(v),
            (v, "hour") => clamp(v / 60).max(1),
            // A day's or a month's limit says nothing about a minute.
            _ => continue,
        };
        match found.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, known)) => *known = (*known).min(per_minute),
            None => found.push((kind, per_minute)),
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
}
