//! Email sign-in as the simulator keeps it: sessions by bearer, codes by verification
//! id, and the outbox a test reads the codes from.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// A code sent to the outbox.
#[derive(Clone, Debug)]
pub struct Mail {
    pub email: String,
    pub code: String,
    pub verification_code_id: String,
    pub sent_at: SystemTime,
}

pub struct Session {
    pub session_id: String,
    pub email: String,
    pub verified: bool,
    pub expires: SystemTime,
}

struct PendingCode {
    bearer: String,
    code: String,
    attempts: u32,
    expires: SystemTime,
}

/// Email sign-in: sessions by bearer, codes by verification id, and the outbox.
/// Tokens and codes always come from a freshly seeded generator, never from `--seed`,
/// so they cannot be predicted.
#[derive(Default)]
pub struct Sessions {
    by_bearer: HashMap<String, Session>,
    codes: HashMap<String, PendingCode>,
    pub outbox: Vec<Mail>,
    rng: fastrand::Rng,
}

/// How a bearer token fails.
#[derive(Debug, PartialEq, Eq)]
pub enum BearerProblem {
    Unknown,
    NotVerified,
    Expired,
}

const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
const CODE_ATTEMPTS: u32 = 5;

impl Sessions {
    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.u32(..16), 16).unwrap())
            .collect()
    }

    /// Opens an unverified session and mails its code. Returns bearer, session id,
    /// expiry and verification id.
    pub fn open(
        &mut self,
        email: &str,
        ttl: Duration,
        now: SystemTime,
    ) -> (String, &Session, String) {
        let bearer = self.hex(64);
        let code_id = self.hex(32);
        let code = format!("{:06}", self.rng.u32(0..1_000_000));
        let session_id = self.hex(32);
        log::info!("sim: sign-in code for {email}: {code}");
        self.outbox.push(Mail {
            email: email.to_owned(),
            code: code.clone(),
            verification_code_id: code_id.clone(),
            sent_at: now,
        });
        self.codes.insert(
            code_id.clone(),
            PendingCode {
                bearer: bearer.clone(),
                code,
                attempts: 0,
                expires: now + CODE_LIFETIME,
            },
        );
        self.by_bearer.insert(
            bearer.clone(),
            Session {
                session_id,
                email: email.to_owned(),
                verified: false,
                expires: now + ttl,
            },
        );
        let session = &self.by_bearer[&bearer];
        (bearer.clone(), session, code_id)
    }

    pub fn verify(&mut self, code_id: &str, code: &str, now: SystemTime) -> Result<(), String> {
        let pending = self
            .codes
            .get_mut(code_id)
            .ok_or("Unknown or already used verification code")?;
        if now > pending.expires {
            self.codes.remove(code_id);
            return Err("The verification code has expired; request a new one".into());
        }
        if pending.code != code {
            pending.attempts += 1;
            if pending.attempts >= CODE_ATTEMPTS {
                self.codes.remove(code_id);
                return Err("Too many wrong codes; request a new one".into());
            }
            return Err("The verification code is not correct".into());
        }
        let pending = self.codes.remove(code_id).expect("found above");
        if let Some(s) = self.by_bearer.get_mut(&pending.bearer) {
            s.verified = true;
        }
        Ok(())
    }

    /// The id of the session `bearer` opened, whatever its state now (for the request
    /// log: which sign-in came to this server).
    pub fn id_of(&self, bearer: &str) -> Option<&str> {
        self.by_bearer.get(bearer).map(|s| s.session_id.as_str())
    }

    pub fn check(&self, bearer: &str, now: SystemTime) -> Result<&Session, BearerProblem> {
        let s = self.by_bearer.get(bearer).ok_or(BearerProblem::Unknown)?;
        if !s.verified {
            Err(BearerProblem::NotVerified)
        } else if now > s.expires {
            Err(BearerProblem::Expired)
        } else {
            Ok(s)
        }
    }

    pub fn extend(&mut self, bearer: &str, ttl: Duration, now: SystemTime) {
        if let Some(s) = self.by_bearer.get_mut(bearer) {
            s.expires = now + ttl;
        }
    }

    /// Ends every session, as an administrator revoking them (or a password change)
    /// would: the next request with any of their tokens gets 401.
    pub fn end_all(&mut self) -> usize {
        let n = self.by_bearer.len();
        self.by_bearer.clear();
        n
    }

    /// Closes `session_id` if it is the caller's own.
    pub fn close(&mut self, bearer: &str, session_id: &str) -> bool {
        let own = self
            .by_bearer
            .get(bearer)
            .is_some_and(|s| s.session_id == session_id);
        if own {
            self.by_bearer.remove(bearer);
        }
        own
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_verify_once_and_lock_after_wrong_tries() {
        let mut s = Sessions::default();
        let now = SystemTime::now();
        let (bearer, _, code_id) = s.open("a@b.co", Duration::from_secs(60), now);
        let code = s.outbox[0].code.clone();
        assert_eq!(
            s.check(&bearer, now).err(),
            Some(BearerProblem::NotVerified)
        );
        assert!(s.verify(&code_id, "000000x", now).is_err());
        s.verify(&code_id, &code, now).unwrap();
        assert!(s.check(&bearer, now).is_ok());
        assert!(s.verify(&code_id, &code, now).is_err(), "a code works once");
        let later = now + Duration::from_secs(61);
        assert_eq!(s.check(&bearer, later).err(), Some(BearerProblem::Expired));
        s.extend(&bearer, Duration::from_secs(60), later);
        assert!(s.check(&bearer, later).is_ok());

        let (_, _, other) = s.open("a@b.co", Duration::from_secs(60), now);
        for _ in 0..4 {
            assert_eq!(
                s.verify(&other, "x", now).unwrap_err(),
                "The verification code is not correct"
            );
        }
        assert_eq!(
            s.verify(&other, "x", now).unwrap_err(),
            "Too many wrong codes; request a new one"
        );
    }
}
