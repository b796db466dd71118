//! The signed-in account: the three ways in (email code, API key, demo), silent sign-in
//! from the keyring, keeping a session alive (when: `renewal`), and sign-out.
//!
//! It holds the credentials in memory only as `Secret`s inside the client; what it
//! shows the web view is [`AccountView`], which has no secret in it.

use std::time::Duration;

use serde::Serialize;

mod renewal;

pub use renewal::{due_in, renew_at, SavedCheck, RENEW_LOOK_AGAIN, RENEW_RETRY};

use crate::api::{ApiError, Client, Credentials, Timestamp};
use crate::fingerprint;
use crate::vault::StoredCredentials;

/// How the user signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Email,
    ApiKey,
    Demo,
}

/// A signed-in account and the client that acts for it.
#[derive(Clone)]
pub struct Account {
    client: Client,
    pub method: Method,
    /// Whom to show as signed in: a name, an alias or an email; empty while the server
    /// has not said (a saved sign-in not checked yet, a session with no name).
    pub user: String,
    /// The API key's name, for key-pair sign-in.
    pub key_name: Option<String>,
    pub expires_at: Option<Timestamp>,
    session_id: Option<String>,
    /// Whose session this is (`user:<id>` from `GET /session`, or `email:<address>` where
    /// the server gives no id); `None` for key pairs and for an unchecked saved session
    /// saved before this was kept.
    session_identity: Option<String>,
    /// The email a code was sent to, for a session signed in here (the sign-in screen
    /// offers it again should this account ask); `None` otherwise.
    pub email: Option<String>,
    /// When the session should next be extended (sessions only).
    renew_at: Option<Timestamp>,
    /// False for a saved sign-in the server could not be asked about yet (offline at
    /// launch): kept, used, and checked again until the server answers.
    pub confirmed: bool,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("method", &self.method)
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What the web view may know about the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub signed_in: bool,
    pub user: Option<String>,
    pub method: Option<Method>,
    /// RFC 3339.
    pub expires_at: Option<String>,
    pub key_name: Option<String>,
    /// A saved sign-in the server has not been asked about yet (offline at launch).
    pub checking: bool,
}

impl AccountView {
    pub fn signed_out() -> Self {
        AccountView {
            signed_in: false,
            user: None,
            method: None,
            expires_at: None,
            key_name: None,
            checking: false,
        }
    }
}

/// An email sign-in waiting for the code.
pub struct EmailSignIn {
    client: Client,
    pub email: String,
    verification_code_id: String,
    session_id: String,
}

impl Account {
    /// Checks an API key and secret with `GET /keypair` before anything is kept.
    pub async fn with_key_pair(base: &Client, key: &str, secret: &str) -> Result<Self, ApiError> {
        Account::checked_key_pair(base.with_credentials(Credentials::key_pair(key, secret))).await
    }

    /// `client`'s key pair, checked with `GET /keypair`.
    async fn checked_key_pair(client: Client) -> Result<Self, ApiError> {
        let info = client.check_key_pair().await?;
        let user = info
            .user_name
            .clone()
            .or(info.user_alias.clone())
            .unwrap_or_default();
        Ok(Account {
            client,
            method: Method::ApiKey,
            user,
            key_name: info.key_name,
            expires_at: info.expire_at,
            session_id: None,
            session_identity: None,
            email: None,
            renew_at: None,
            confirmed: true,
        })
    }

    /// The demo account of the built-in simulator; nothing of it is stored.
    pub async fn demo(base: &Client, key: &str, secret: &str) -> Result<Self, ApiError> {
        let mut account = Account::with_key_pair(base, key, secret).await?;
        account.method = Method::Demo;
        Ok(account)
    }

    /// Signs in again with what the keyring held for the server `home` (the address its
    /// entry is named after: the credentials go there and nowhere else). A key pair is
    /// checked again; a session is asked who it belongs to (which fails with `Auth` once it
    /// has expired).
    pub async fn restore(
        base: &Client,
        stored: &StoredCredentials,
        home: &str,
        now: Timestamp,
    ) -> Result<Self, ApiError> {
        let client = base.with_saved_credentials(stored_credentials(stored), home);
        match stored {
            StoredCredentials::KeyPair { .. } => Account::checked_key_pair(client).await,
            StoredCredentials::Session {
                session_id,
                identity,
                ..
            } => {
                let mut account =
                    Account::from_session(client, session_id.clone(), None, now).await?;
                // A server that gives no user id: the identity the entry was saved with.
                if account.session_identity.is_none() {
                    account.session_identity = identity.clone();
                }
                Ok(account)
            }
        }
    }

    async fn from_session(
        client: Client,
        session_id: String,
        email: Option<&str>,
        now: Timestamp,
    ) -> Result<Self, ApiError> {
        let info = client.session().await?;
        let user = info
            .full_name
            .clone()
            .or(info.alias.clone())
            .or(email.map(str::to_owned))
            .unwrap_or_default();
        let session_identity = info
            .user_id
            .map(|id| format!("user:{id}"))
            .or(email.map(|e| format!("email:{}", e.to_lowercase())));
        Ok(Account {
            client,
            method: Method::Email,
            user,
            key_name: None,
            expires_at: info.expire_at,
            renew_at: info.expire_at.map(|e| renew_at(e, now)),
            session_id: Some(info.session_id.unwrap_or(session_id)),
            session_identity,
            email: email.map(str::to_owned),
            confirmed: true,
        })
    }

    /// What the keyring held, signed in without asking the server, which could not be
    /// reached: only the server may say the credentials are bad, so they are kept and
    /// used, and checked again (with [`Account::restore`]) once it answers.
    /// `home` is the server its keyring entry is named after, as for [`Account::restore`].
    pub fn unconfirmed(base: &Client, stored: &StoredCredentials, home: &str) -> Self {
        let (method, session_id, session_identity) = match stored {
            StoredCredentials::KeyPair { .. } => (Method::ApiKey, None, None),
            StoredCredentials::Session {
                session_id,
                identity,
                ..
            } => (Method::Email, Some(session_id.clone()), identity.clone()),
        };
        Account {
            client: base.with_saved_credentials(stored_credentials(stored), home),
            method,
            // Not known until the server answers; the page says "checking" in its words.
            user: String::new(),
            key_name: None,
            expires_at: None,
            session_id,
            session_identity,
            email: None,
            renew_at: None,
            confirmed: false,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Counts this account's requests in `budget`: its own, kept from an earlier sign-in.
    pub fn use_budget(&mut self, budget: &crate::api::SharedBudget) {
        self.client = self.client.with_budget(budget);
    }

    /// Who this account is on its server, in words that stay the same from one sign-in to
    /// the next: `key:<fingerprint of the API key>` for a key pair (the key is its id; it is
    /// never written, not even here), the
    /// session's identity for an email sign-in. `None` while that is not known (an unchecked
    /// session saved by an earlier version).
    pub fn identity(&self) -> Option<String> {
        match self.client.credentials() {
            Credentials::KeyPair { key, .. } => {
                Some(format!("key:{}", fingerprint::hex(key.expose().as_bytes())))
            }
            _ => self.session_identity.clone(),
        }
    }

    /// Whether `other` is the same account on the same server (signed in again, perhaps
    /// another way): the same identity, or where one is not known, the same name.
    pub fn same_account(&self, other: &Account) -> bool {
        self.client.base_url() == other.client.base_url()
            && match (self.identity(), other.identity()) {
                (Some(a), Some(b)) => a == b,
                _ => !self.user.is_empty() && self.user == other.user,
            }
    }

    /// Whether `other` is this very sign-in: the same server and the same credentials.
    pub fn same_sign_in(&self, other: &Account) -> bool {
        self.client.base_url() == other.client.base_url()
            && self.client.credentials() == other.client.credentials()
    }

    /// What the keyring should hold to sign in silently next time; `None` for the demo.
    pub fn to_store(&self) -> Option<StoredCredentials> {
        match (self.method, self.client.credentials()) {
            (Method::Demo, _) => None,
            (_, Credentials::KeyPair { key, secret }) => Some(StoredCredentials::KeyPair {
                key: key.expose().to_owned(),
                secret: secret.clone(),
            }),
            (_, Credentials::Bearer(bearer)) => Some(StoredCredentials::Session {
                bearer: bearer.clone(),
                session_id: self.session_id.clone().unwrap_or_default(),
                identity: self.session_identity.clone(),
            }),
            (_, Credentials::None) => None,
        }
    }

    pub fn view(&self) -> AccountView {
        AccountView {
            signed_in: true,
            user: (!self.user.is_empty()).then(|| self.user.clone()),
            method: Some(self.method),
            expires_at: self.expires_at.map(Timestamp::to_rfc3339),
            key_name: self.key_name.clone(),
            checking: !self.confirmed,
        }
    }

    /// When the session next needs extending; `None` for key pairs.
    pub fn renew_at(&self) -> Option<Timestamp> {
        self.renew_at
    }

    /// After an extension failed in a way that may pass (the network, the server):
    /// try again `retry` from `now` rather than at once.
    pub fn renew_again_after(&mut self, retry: Duration, now: Timestamp) {
        let again = Timestamp::from_unix(now.unix_seconds() + retry.as_secs() as i64);
        self.renew_at = self.renew_at.map(|_| again);
    }

    /// Extends the session on the server and reads its new expiry.
    pub async fn extend(&mut self, now: Timestamp) -> Result<(), ApiError> {
        self.client.extend_session().await?;
        let info = self.client.session().await?;
        self.expires_at = info.expire_at;
        self.renew_at = info.expire_at.map(|e| renew_at(e, now));
        Ok(())
    }

    /// Closes the session on the server (sessions only; a key pair has nothing to close).
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        match (&self.session_id, self.method) {
            (Some(id), Method::Email) => self.client.close_session(id).await,
            _ => Ok(()),
        }
    }
}

impl EmailSignIn {
    /// Asks ThreatWinds to email a code to `email`.
    pub async fn start(base: &Client, email: &str) -> Result<Self, ApiError> {
        let email = email.trim();
        let session = base.create_session(email).await?;
        Ok(EmailSignIn {
            client: base.with_credentials(Credentials::Bearer(session.bearer)),
            email: email.to_owned(),
            verification_code_id: session.verification_code_id,
            session_id: session.session_id,
        })
    }

    /// Proves the code and returns the signed-in account.
    pub async fn verify(&self, code: &str, now: Timestamp) -> Result<Account, ApiError> {
        self.client
            .verify_session(&self.verification_code_id, code)
            .await?;
        Account::from_session(
            self.client.clone(),
            self.session_id.clone(),
            Some(&self.email),
            now,
        )
        .await
    }
}

/// The current time as a [`Timestamp`], for callers outside tests.
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// The headers' form of what the keyring held.
fn stored_credentials(stored: &StoredCredentials) -> Credentials {
    match stored {
        StoredCredentials::KeyPair { key, secret } => {
            Credentials::key_pair(key.as_str(), secret.expose())
        }
        StoredCredentials::Session { bearer, .. } => Credentials::Bearer(bearer.clone()),
    }
}
