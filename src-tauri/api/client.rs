//! The HTTP side: one `reqwest` client (one connection pool) per account, the base URL,
//! the credential headers, and the request loop that retries reads and turns every
//! failure into an [`ApiError`].

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use url::{Host, Url};

use super::error::{ApiError, ErrorKind, Operation};
use super::retry::{is_retryable_status, parse_retry_after, RetryPolicy};
use super::secret::Secret;

/// Where the real service lives.
pub const PRODUCTION_BASE: &str = "https://apis.threatwinds.com";

/// The longest server message kept: enough for any sentence, too short for a page.
const MAX_SERVER_MESSAGE: usize = 300;

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
}

impl ClientBuilder {
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
                    "Secure connections could not be set up on this computer.",
                )
                .with_detail(error_chain(&e))
            })?;
        Ok(Client {
            http,
            base,
            credentials: self.credentials,
            retry: self.retry,
        })
    }
}

/// A ThreatWinds client for one account. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
    retry: RetryPolicy,
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
        }
    }

    /// The same server and connection pool, signed in another way.
    pub fn with_credentials(&self, credentials: Credentials) -> Client {
        Client {
            credentials,
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
            .field("credentials", &self.credentials)
            .finish()
    }
}

async fn read(
    request: reqwest::RequestBuilder,
) -> Result<(u16, HeaderMap, bytes::Bytes), reqwest::Error> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((status, headers, body))
}

fn error_from_answer(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiError {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| clean_text(&String::from_utf8_lossy(v.as_bytes())))
            .filter(|v| !v.is_empty())
    };
    let retry_after = headers
        .get(RETRY_AFTER)
        .map(|v| parse_retry_after(v.to_str().unwrap_or_default(), SystemTime::now()));
    let content_type = header(CONTENT_TYPE.as_str()).unwrap_or_default();
    // The headers are the documented channel; a JSON body's message is a fallback.
    let message = header("x-error").or_else(|| message_from_body(body));
    let detail = if body.is_empty() {
        "empty body".to_owned()
    } else if content_type.contains("html") || body.trim_ascii_start().starts_with(b"<") {
        format!("an HTML page of {} bytes, likely from a proxy", body.len())
    } else {
        format!(
            "{} bytes of {}",
            body.len(),
            content_type_or_unknown(&content_type)
        )
    };
    ApiError::new(ApiError::kind_for_status(status), operation)
        .with_status(status)
        .with_server_message(message)
        .with_error_id(header("x-error-id"))
        .with_retry_after(retry_after)
        .with_detail(detail)
}

fn content_type_or_unknown(content_type: &str) -> &str {
    if content_type.is_empty() {
        "unknown type"
    } else {
        content_type
    }
}

fn message_from_body(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["error", "message", "x-error"]
        .iter()
        .find_map(|k| value.get(k)?.as_str())
        .map(clean_text)
        .filter(|m| !m.is_empty())
}

/// One line of readable text, bounded: server words end up on screen and in terminals.
fn clean_text(raw: &str) -> String {
    let mut text: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned();
    if text.chars().count() > MAX_SERVER_MESSAGE {
        text = text.chars().take(MAX_SERVER_MESSAGE).collect::<String>() + "…";
    }
    text
}

fn transport_error(operation: Operation, e: &reqwest::Error) -> ApiError {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    let error = ApiError::new(kind, operation).with_detail(error_chain(e));
    if e.is_connect() {
        error.never_sent()
    } else {
        error
    }
}

/// The error and its causes on one line ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Accepts `https://…`, or `http://…` for this computer only; refuses anything else
/// before a single request is made.
fn parse_base_url(raw: &str) -> Result<Url, ApiError> {
    let refuse = |sentence: &str| Err(ApiError::refused(Operation::Configure, sentence));
    let Ok(url) = Url::parse(raw.trim()) else {
        return refuse(
            "The server address is not a web address; it should look like https://apis.threatwinds.com.",
        );
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return refuse(
                "The server address must start with https://; plain http:// is only allowed for this computer (localhost).",
            )
        }
        _ => return refuse("The server address must start with https://."),
    }
    if url.host().is_none() {
        return refuse("The server address has no host name.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("The server address must not contain a user name or password.");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse("The server address must not contain \"?\" or \"#\".");
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_on_loopback() {
        for ok in [
            "https://apis.threatwinds.com",
            "https://proxy.example.com/tw/",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://localhost:3000",
            "http://[::1]:9000",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://apis.threatwinds.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://apis.threatwinds.com",
            "apis.threatwinds.com",
            "https://user:hunter2@apis.threatwinds.com",
            "https://apis.threatwinds.com/?x=1",
            "",
        ] {
            let e = parse_base_url(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid, "{bad}");
            assert!(e.to_string().starts_with("The server address"), "{e}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
    }

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

    #[test]
    fn server_text_is_one_bounded_line() {
        assert_eq!(clean_text("  a\r\nb\t "), "a  b");
        assert_eq!(
            clean_text(&"x".repeat(1000)).chars().count(),
            MAX_SERVER_MESSAGE + 1
        );
    }

    #[test]
    fn error_bodies_of_every_shape_keep_the_status() {
        let mut headers = HeaderMap::new();
        headers.insert("x-error", HeaderValue::from_static("Instance not found"));
        headers.insert(
            "x-error-id",
            HeaderValue::from_static("0123456789abcdef0123456789abcdef"),
        );
        let e = error_from_answer(Operation::GetInstance, 404, &headers, b"");
        assert_eq!((e.kind(), e.status()), (ErrorKind::NotFound, Some(404)));
        assert_eq!(e.server_message(), Some("Instance not found"));

        let mut html = HeaderMap::new();
        html.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        let e = error_from_answer(
            Operation::ListInstances,
            502,
            &html,
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        );
        assert_eq!((e.kind(), e.status()), (ErrorKind::Server, Some(502)));
        assert_eq!(e.server_message(), None);
        assert!(e.detail().unwrap().contains("HTML"));

        let e = error_from_answer(
            Operation::CreateInstance,
            400,
            &HeaderMap::new(),
            br#"{"error":"template_id is required"}"#,
        );
        assert_eq!(e.server_message(), Some("template_id is required"));
    }
}
