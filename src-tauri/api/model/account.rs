//! The Auth API's answers: a new session, who is signed in, whose key this is, and the
//! times they carry, whichever way they are written.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::lenient::{names, optional_time, text};
use crate::api::secret::Secret;

/// A point in time from the Auth API, whichever way it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_unix(seconds: i64) -> Self {
        Timestamp(seconds)
    }

    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The wall clock's time now.
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    /// RFC 3339 in UTC, for people and logs.
    pub fn to_rfc3339(self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| self.0.to_string())
    }

    /// Reads Unix seconds (milliseconds are recognised by their size), a numeric string,
    /// or an RFC 3339 string.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if let Ok(n) = raw.parse::<i64>() {
            return Some(Timestamp::from_number(n));
        }
        if let Ok(f) = raw.parse::<f64>() {
            return Some(Timestamp::from_number(f as i64));
        }
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| Timestamp(t.unix_timestamp()))
    }

    pub(super) fn from_number(n: i64) -> Self {
        // Seconds since 1970 pass 10^11 only in the year 5138; such a number is milliseconds.
        if n.unsigned_abs() >= 100_000_000_000 {
            Timestamp(n / 1000)
        } else {
            Timestamp(n)
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl Visitor<'_> for TimeVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("Unix seconds or an RFC 3339 date")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_number(v.min(i64::MAX as u64) as i64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_number(v as i64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

/// `POST /session`: a session waiting for its emailed code.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    pub bearer: Secret,
    #[serde(alias = "sessionID")]
    pub session_id: String,
    #[serde(default, deserialize_with = "optional_time")]
    pub expire_at: Option<Timestamp>,
    #[serde(alias = "verificationCodeID")]
    pub verification_code_id: String,
}

/// `GET /session`: who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    #[serde(default, alias = "sessionID", deserialize_with = "text")]
    pub session_id: Option<String>,
    #[serde(default, alias = "userID", deserialize_with = "text")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub alias: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "optional_time")]
    pub expire_at: Option<Timestamp>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default, deserialize_with = "names")]
    pub roles: Vec<String>,
    #[serde(default, deserialize_with = "names")]
    pub groups: Vec<String>,
}

/// `GET /keypair`: whose API key this is and until when it works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPairInfo {
    #[serde(default, deserialize_with = "text")]
    pub key_name: Option<String>,
    #[serde(default, deserialize_with = "optional_time")]
    pub expire_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "text")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub user_alias: Option<String>,
    #[serde(default, deserialize_with = "names")]
    pub roles: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expire_at_reads_numbers_and_strings() {
        let cases = [
            (r#"1767225600"#, 1_767_225_600),
            (r#"1767225600.5"#, 1_767_225_600),
            (r#"1767225600000"#, 1_767_225_600),
            (r#""1767225600""#, 1_767_225_600),
            (r#""2026-01-01T00:00:00Z""#, 1_767_225_600),
            (r#""2026-01-01T01:00:00+01:00""#, 1_767_225_600),
        ];
        for (raw, want) in cases {
            let body = format!(r#"{{"keyName":"k","expireAt":{raw}}}"#);
            let k: KeyPairInfo = serde_json::from_str(&body).unwrap();
            assert_eq!(k.expire_at, Some(Timestamp::from_unix(want)), "{raw}");
        }
        assert_eq!(
            Timestamp::from_unix(1_767_225_600).to_rfc3339(),
            "2026-01-01T00:00:00Z"
        );
        // Numbers past i64 saturate; none of them may panic.
        for raw in [
            "-1e19",
            "1e300",
            "-9223372036854775808",
            "18446744073709551615",
        ] {
            let body = format!(r#"{{"expireAt":{raw}}}"#);
            let k: KeyPairInfo = serde_json::from_str(&body).unwrap();
            assert!(k.expire_at.is_some(), "{raw}");
            assert!(Timestamp::parse(raw).is_some(), "{raw}");
        }
    }

    #[test]
    fn session_fields_in_both_spellings() {
        let new: NewSession = serde_json::from_str(
            r#"{"bearer":"b","sessionID":"s","expireAt":"2026-01-01T00:00:00Z",
                "verificationCodeID":"v","extra":1}"#,
        )
        .unwrap();
        assert_eq!(new.session_id, "s");
        assert_eq!(new.verification_code_id, "v");
        assert!(!format!("{new:?}").contains("\"b\""));
        let info: SessionInfo = serde_json::from_str(
            r#"{"sessionId":"s","userId":"u","verified":true,"roles":["admin",{"name":"ops"}],
                "groups":null,"expireAt":1767225600}"#,
        )
        .unwrap();
        assert_eq!(info.user_id.as_deref(), Some("u"));
        assert_eq!(info.roles, vec!["admin".to_string(), "ops".to_string()]);
        assert!(info.groups.is_empty());
    }
}
