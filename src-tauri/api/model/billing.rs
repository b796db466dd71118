//! Billing's answers: the plan's quotas and its request limits, read so that one odd
//! entry hides nothing.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use super::lenient::{optional_time, signed_number, text};
use super::Timestamp;

/// Billing's answer: the plan and its limits, per API and per limit name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quotas {
    #[serde(default, alias = "customerID", deserialize_with = "text")]
    pub customer_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub tier_name: Option<String>,
    /// Limits per API and name. An entry that does not read as a limit is left out, so
    /// one unexpected entry does not hide the others.
    #[serde(default, deserialize_with = "tolerant")]
    pub quotas: BTreeMap<String, BTreeMap<String, QuotaValue>>,
}

/// `GET /limits`: the plan's request limits, per service and per feature key (the keys
/// of compute's operations are not published: [`crate::api::budget::limits_by_kind`] matches
/// them by name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimits {
    #[serde(default, deserialize_with = "text")]
    pub tier_name: Option<String>,
    #[serde(default, deserialize_with = "tolerant")]
    pub limits: BTreeMap<String, BTreeMap<String, RateValue>>,
}

/// One feature's limit: `value` requests a `window` (`minute`, `hour`, `day`, `month`);
/// -1 unlimited, 0 disabled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateValue {
    #[serde(deserialize_with = "signed_number")]
    pub value: i64,
    #[serde(default, deserialize_with = "text")]
    pub window: Option<String>,
}

/// `GET /limits/usage`: one feature's use of its limit in the current window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureUsage {
    #[serde(deserialize_with = "text")]
    pub feature_key: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub window: Option<String>,
    /// Requests still allowed in the window; -1 unlimited.
    #[serde(deserialize_with = "signed_number")]
    pub remaining: i64,
    /// When the window starts again.
    #[serde(default, deserialize_with = "optional_time")]
    pub reset_at: Option<Timestamp>,
}

/// The whole `/limits/usage` answer: a list of [`FeatureUsage`], each entry read alone so
/// that one odd entry hides nothing (a list wrapped in an object is taken too).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LimitUsage(pub Vec<FeatureUsage>);

impl<'de> Deserialize<'de> for LimitUsage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let rows = match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Array(rows) => rows,
            serde_json::Value::Object(fields) => fields
                .into_iter()
                .find_map(|(_, v)| match v {
                    serde_json::Value::Array(rows) => Some(rows),
                    _ => None,
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(LimitUsage(
            rows.into_iter()
                .filter_map(|row| serde_json::from_value(row).ok())
                .collect(),
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaValue {
    #[serde(deserialize_with = "signed_number")]
    pub value: i64,
    #[serde(default, deserialize_with = "text")]
    pub description: Option<String>,
}

/// How many machines a plan allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Limit {
    Unlimited,
    /// The feature is not part of the plan.
    Disabled,
    AtMost(u64),
}

impl Quotas {
    /// The plan's `compute-api` / `max_instances`, when Billing reports one.
    pub fn max_instances(&self) -> Option<Limit> {
        let value = self.quotas.get("compute-api")?.get("max_instances")?.value;
        Some(match value {
            v if v < 0 => Limit::Unlimited,
            0 => Limit::Disabled,
            v => Limit::AtMost(v as u64),
        })
    }
}

fn tolerant<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<BTreeMap<String, BTreeMap<String, T>>, D::Error> {
    let raw = Option::<serde_json::Value>::deserialize(deserializer)?;
    let Some(serde_json::Value::Object(apis)) = raw else {
        return Ok(BTreeMap::new());
    };
    Ok(apis
        .into_iter()
        .filter_map(|(api, limits)| {
            let serde_json::Value::Object(limits) = limits else {
                return None;
            };
            let limits: BTreeMap<String, T> = limits
                .into_iter()
                .filter_map(|(name, v)| Some((name, serde_json::from_value(v).ok()?)))
                .collect();
            Some((api, limits))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_read_limits() {
        let q: Quotas = serde_json::from_str(
            r#"{"customerID":"c","tierName":"Pro","quotas":{"compute-api":
                {"max_instances":{"value":3,"description":"Maximum compute instances"}}}}"#,
        )
        .unwrap();
        assert_eq!(q.customer_id.as_deref(), Some("c"));
        assert_eq!(q.max_instances(), Some(Limit::AtMost(3)));
        let unlimited: Quotas =
            serde_json::from_str(r#"{"quotas":{"compute-api":{"max_instances":{"value":-1}}}}"#)
                .unwrap();
        assert_eq!(unlimited.max_instances(), Some(Limit::Unlimited));
        let off: Quotas =
            serde_json::from_str(r#"{"quotas":{"compute-api":{"max_instances":{"value":"0"}}}}"#)
                .unwrap();
        assert_eq!(off.max_instances(), Some(Limit::Disabled));
        let none: Quotas = serde_json::from_str(r#"{"tierName":"Free"}"#).unwrap();
        assert_eq!(none.max_instances(), None);
        // One entry of another shape, anywhere, does not hide the limit.
        let mixed: Quotas = serde_json::from_str(
            r#"{"quotas":{"compute-api":{"max_instances":{"value":5},"regions":["eu"],
                "max_cpus":{"value":"many"},"burst":{"description":"no value"}},
                "intelligence-api":"included","storage":null}}"#,
        )
        .unwrap();
        assert_eq!(mixed.max_instances(), Some(Limit::AtMost(5)));
        let odd: Quotas = serde_json::from_str(r#"{"quotas":[1,2]}"#).unwrap();
        assert_eq!(odd.max_instances(), None);
    }

    #[test]
    fn usage_reads_each_feature_alone_and_skips_what_it_cannot() {
        let usage: LimitUsage = serde_json::from_str(
            r#"[
                {"featureKey": "instances.power", "tierName": "Pro", "window": "minute",
                 "currentUsage": 12, "limit": 60, "remaining": 48,
                 "resetAt": "2026-12-07T10:00:30Z", "isLocked": false},
                {"featureKey": "instances.list", "remaining": "7"},
                {"featureKey": "broken", "remaining": "many"},
                "not a row"
            ]"#,
        )
        .unwrap();
        assert_eq!(usage.0.len(), 2);
        assert_eq!(usage.0[0].feature_key.as_deref(), Some("instances.power"));
        assert_eq!(usage.0[0].remaining, 48);
        assert_eq!(
            usage.0[0].reset_at,
            Timestamp::parse("2026-12-07T10:00:30Z")
        );
        assert_eq!(usage.0[1].remaining, 7);
        assert_eq!(usage.0[1].reset_at, None);
        let wrapped: LimitUsage =
            serde_json::from_str(r#"{"usage": [{"featureKey": "x", "remaining": 1}]}"#).unwrap();
        assert_eq!(wrapped.0.len(), 1);
        let odd: LimitUsage = serde_json::from_str("null").unwrap();
        assert!(odd.0.is_empty());
    }
}
