//! The HTTP side: one `reqwest` client (one connection pool) per account, the base URL,
//! the credential headers, and the request loop that retries reads and turns every
//! failure into an [`ApiError`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use super::answer::{error_chain, error_from_answer, read, transport_error};
use super::base_url::parse_base_url;
use super::budget::{Budget, Kind};
use super::error::{ApiError, ErrorKind, Operation};
use super::limited::AccountBudget;
use super::retry::{is_retryable_status, RetryPolicy};
use super::secret::Secret;

/// Where the real service lives.
pub const PRODUCTION_BASE: &str = "https://apis.threatwinds.com";

/// How the client proves who it is; exactly one method, never both at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Credentials {
    /// Only the sign-in calls work without credentials.
    #[default]
    None,
    /// `api-key` + `api-secret` headers.
    KeyPair { key: Secret, secret: Secret },
    /// `Authorization: Bearer` with a verified session token.
    Bearer(Secret),
}

impl Credentials {
    /// A key pair; spaces and line breaks pasted around either part are dropped.
    pub fn key_pair(key: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials::KeyPair {
            key: Secret::new(key.into().trim()),
            secret: Secret::new(secret.into().trim()),
        }
    }

    /// A session token; spaces and line breaks pasted around it are dropped.
    pub fn bearer(token: impl Into<String>) -> Self {
        Credentials::Bearer(Secret::new(token.into().trim()))
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let mut put = |name, value: &str| {
            // A value with bytes a header cannot hold is left out: the server then
            // answers 401, which says the right thing ("sign in again").
            if let Ok(mut v) = HeaderValue::from_str(value) {
                v.set_sensitive(true);
                headers.insert(name, v);
            }
        };
        match self {
            Credentials::None => {}
            Credentials::KeyPair { key, secret } => {
                put("api-key", key.expose());
                put("api-secret", secret.expose());
            }
            Credentials::Bearer(token) => {
                put(
                    AUTHORIZATION.as_str(),
                    &format!("Bearer {}", token.expose()),
                );
            }
        }
        headers
    }
}

/// The three APIs, each under its own prefix on the one base URL.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Api {
    Compute,
    Auth,
    Billing,
}

impl Api {
    fn prefix(self) -> [&'static str; 3] {
        match self {
            Api::Compute => ["api", "compute", "v1"],
            Api::Auth => ["api", "auth", "v2"],
            Api::Billing => ["api", "billing", "v1"],
        }
    }
}

/// Whether a call sends the account's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Starting and verifying an email sign-in.
    Anonymous,
    Required,
}

/// Settings for a [`Client`]; `build` checks them before anything is sent.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    base: String,
    credentials: Credentials,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    per_minute: u32,
    max_hold: Duration,
}

impl ClientBuilder {
    /// The longest a 429 holds a kind of request back, whatever it asks (default and
    /// at most a minute).
    pub fn max_hold(mut self, max_hold: Duration) -> Self {
        self.max_hold = max_hold;
        self
    }

    /// Each operation type's limit until the service says otherwise (default: the
    /// contract's 60 a minute).
    pub fn per_minute(mut self, per_minute: u32) -> Self {
        self.per_minute = per_minute;
        self
    }

    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one request may take in all, answer included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn build(self) -> Result<Client, ApiError> {
        let base = parse_base_url(&self.base)?;
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            // Custom credential headers would follow a redirect to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("compute-desk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ApiError::refused(
                    Operation::Configure,
                    "no_tls",
                    "Secure connections could not be set up on this computer.",
                )
                .with_detail(error_chain(&e))
            })?;
        Ok(Client {
            http,
            // Credentials given with the address are that server's.
            home: Some(base.clone()),
            base,
            credentials: self.credentials,
            retry: self.retry,
            budget: Arc::new(AccountBudget::new(
                Budget::new(self.per_minute).with_max_hold(self.max_hold),
            )),
            waits_for_budget: false,
        })
    }
}

/// A ThreatWinds client for one account. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
    /// The server the credentials belong to: where they were signed in, or the server a
    /// keyring entry is named after. [`Client::send`] sends them nowhere else.
    home: Option<Url>,
    retry: RetryPolicy,
    /// The account's request budget ([`Budget`]): every request of the kinds the service
    /// limits passes it before it leaves. Shared by the clones of one account's client.
    pub(super) budget: Arc<AccountBudget>,
    /// A request the budget has no room for waits its turn (bulk turns, the command
    /// line) instead of being refused at once (the watcher, which plans its reads).
    pub(super) waits_for_budget: bool,
}

/// A successful answer, read whole.
pub(crate) struct Answer {
    pub status: u16,
    pub body: bytes::Bytes,
}

impl Client {
    pub fn builder(base: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base: base.into(),
            credentials: Credentials::None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            per_minute: crate::api::budget::DEFAULT_PER_MINUTE,
            max_hold: crate::api::budget::MAX_HOLD,
        }
    }

    /// The same server and connection pool, signed in another way: credentials that this
    /// server gave or accepted (a sign-in made here).
    pub fn with_credentials(&self, credentials: Credentials) -> Client {
        Client {
            credentials,
            home: Some(self.base.clone()),
            budget: self.fresh_budget(),
            ..self.clone()
        }
    }

    /// The same server and connection pool, with credentials kept for the server `home`
    /// (the address their keyring entry is named after). They are sent only if that is
    /// this client's server: anywhere else every request is refused before it leaves.
    pub fn with_saved_credentials(&self, credentials: Credentials, home: &str) -> Client {
        Client {
            credentials,
            home: parse_base_url(home).ok(),
            budget: self.fresh_budget(),
            ..self.clone()
        }
    }

    /// The same server, pool and credentials with another retry policy; the live watcher
    /// uses [`RetryPolicy::never`] so that it sees a 429 itself and can say when it retries.
    pub fn with_retry(&self, retry: RetryPolicy) -> Client {
        Client {
            retry,
            ..self.clone()
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub(crate) fn url(&self, api: Api, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("http and https addresses always have a path")
            .pop_if_empty()
            .extend(api.prefix())
            .extend(segments);
        url
    }

    /// Sends one call, retrying reads that failed for passing reasons.
    pub(crate) async fn send(
        &self,
        operation: Operation,
        method: Method,
        url: Url,
        body: Option<serde_json::Value>,
        auth: Auth,
    ) -> Result<Answer, ApiError> {
        let mut headers = match auth {
            Auth::Anonymous => HeaderMap::new(),
            Auth::Required if self.credentials == Credentials::None => {
                return Err(ApiError::not_signed_in(operation))
            }
            // The one check every request with credentials passes: a credential goes only
            // to the server it belongs to, whatever path built this client.
            Auth::Required if self.home.as_ref() != Some(&self.base) => {
                log::error!(
                    "{operation:?}: credentials of {} were not sent to {}",
                    self.home
                        .as_ref()
                        .map_or("an unreadable address", Url::as_str),
                    self.base
                );
                return Err(ApiError::refused(
                    operation,
                    "other_server",
                    "This account's sign-in belongs to another server, so it was not sent. Sign in to this server again.",
                ));
            }
            Auth::Required => self.credentials.headers(),
        };
        let body = body.map(|b| bytes::Bytes::from(b.to_string()));
        if body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let retries_allowed = method == Method::GET;
        let path = url.path().to_owned();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pass_budget(operation).await?;
            let started = Instant::now();
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let (error, retry_after) = match read(request).await {
                Ok((status, answer_headers, body)) => {
                    log::debug!(
                        "{method} {path} -> {status} in {} ms",
                        started.elapsed().as_millis()
                    );
                    if (200..300).contains(&status) {
                        return Ok(Answer { status, body });
                    }
                    let error = error_from_answer(operation, status, &answer_headers, &body);
                    if let (429, Some(kind)) = (status, Kind::of(operation)) {
                        self.budget()
                            .refused(kind, Instant::now(), error.retry_after());
                    }
                    if !retries_allowed || !is_retryable_status(status) {
                        return Err(error);
                    }
                    let after = error.retry_after();
                    (error, after)
                }
                Err(e) => {
                    let error = transport_error(operation, &e);
                    log::debug!("{method} {path} failed: {}", error_chain(&e));
                    if !retries_allowed {
                        return Err(error);
                    }
                    (error, None)
                }
            };
            match self.retry.delay(attempt, retry_after, fastrand::f64()) {
                Some(wait) => {
                    log::info!(
                        "{method} {path} will be tried again in {} ms (attempt {} of {})",
                        wait.as_millis(),
                        attempt + 1,
                        self.retry.max_attempts
                    );
                    tokio::time::sleep(wait).await;
                }
                None => return Err(error),
            }
        }
    }

    /// Reads a JSON answer; a body that does not fit names the field that broke.
    pub(crate) fn decode<T: DeserializeOwned>(
        operation: Operation,
        answer: &Answer,
    ) -> Result<T, ApiError> {
        let mut de = serde_json::Deserializer::from_slice(&answer.body);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let detail = if operation == Operation::StartSignIn {
                // This answer carries a token; the parser's words could quote it.
                format!("unreadable answer at `{}`", e.path())
            } else {
                format!("unreadable answer at `{}`: {}", e.path(), e.inner())
            };
            ApiError::new(ErrorKind::Unexpected, operation)
                .with_status(answer.status)
                .with_detail(detail)
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("home", &self.home.as_ref().map(Url::as_str))
            .field("credentials", &self.credentials)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_sit_under_each_api_prefix_and_escape_ids() {
        let c = Client::builder("https://h.example/base/").build().unwrap();
        assert_eq!(
            c.url(Api::Compute, &["instances", "a/../b"]).as_str(),
            "https://h.example/base/api/compute/v1/instances/a%2F..%2Fb"
        );
        assert_eq!(
            c.url(Api::Billing, &["quotas"]).as_str(),
            "https://h.example/base/api/billing/v1/quotas"
        );
        let c = Client::builder("https://h.example").build().unwrap();
        assert_eq!(
            c.url(Api::Auth, &["session"]).as_str(),
            "https://h.example/api/auth/v2/session"
        );
    }

    #[test]
    fn pasted_credentials_lose_surrounding_whitespace() {
        assert_eq!(
            Credentials::key_pair(" k1\n", "\ts1 \r\n"),
            Credentials::key_pair("k1", "s1")
        );
        assert_eq!(Credentials::bearer("t1\n"), Credentials::bearer("t1"));
    }

    #[test]
    fn credential_headers_are_one_method_and_marked_sensitive() {
        let pair = Credentials::key_pair("k1", "s1").headers();
        assert_eq!(pair.len(), 2);
        assert!(pair.get(AUTHORIZATION).is_none());
        assert!(pair.values().all(|v| v.is_sensitive()));
        let bearer = Credentials::bearer("t1").headers();
        assert_eq!(bearer.len(), 1);
        assert_eq!(bearer[AUTHORIZATION], "Bearer t1");
        assert!(format!("{bearer:?}").contains("Sensitive"));
        assert!(!format!("{bearer:?}").contains("t1"));
    }
}
