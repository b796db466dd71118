//! Field readers that accept every spelling the revisions and the SDK use: a string that
//! may be a number, a number that may be a string, a time as seconds or text, a list of
//! names or of named objects.

use serde::de::{self, Deserializer};
use serde::Deserialize;

use super::Timestamp;

/// A string field that may be missing, `null`, empty, or (in some revisions) a number.
pub(super) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<Scalar>::deserialize(deserializer)?;
    Ok(value.and_then(|s| match s {
        Scalar::Text(t) if t.trim().is_empty() => None,
        Scalar::Text(t) => Some(t),
        Scalar::Number(n) => Some(n.to_string()),
        Scalar::Bool(b) => Some(b.to_string()),
    }))
}

pub(super) fn whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    Ok(
        Option::<Scalar>::deserialize(deserializer)?.and_then(|s| match s {
            Scalar::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
            Scalar::Text(t) => t.trim().parse().ok(),
            Scalar::Bool(_) => None,
        }),
    )
}

pub(super) fn signed_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match Scalar::deserialize(deserializer)? {
        Scalar::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| de::Error::custom("a whole number")),
        Scalar::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| de::Error::custom("a whole number")),
        Scalar::Bool(_) => Err(de::Error::custom("a whole number")),
    }
}

pub(super) fn optional_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    Ok(match Option::<Scalar>::deserialize(deserializer)? {
        None => None,
        Some(Scalar::Text(t)) if t.trim().is_empty() => None,
        Some(Scalar::Text(t)) => Some(
            Timestamp::parse(&t)
                .ok_or_else(|| de::Error::custom(format!("an unreadable time {t:?}")))?,
        ),
        Some(Scalar::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Timestamp::from_number),
        Some(Scalar::Bool(_)) => return Err(de::Error::custom("a time, not true or false")),
    })
}

/// Roles and groups: a list of names, or of objects with a name.
pub(super) fn names<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let values = Option::<Vec<Named>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(values.into_iter().filter_map(|n| n.0).collect())
}

/// One entry of a list of names (roles, groups, zones): a string, or an object with a
/// `name` (or `alias`, or `id`); `None` for a null.
#[derive(Debug)]
pub struct Named(pub Option<String>);

impl<'de> Deserialize<'de> for Named {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Named(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(o) => ["name", "alias", "id"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|n| n.as_str()).map(str::to_owned)),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }))
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}
