//! The single error type of the client: what went wrong, in words a person can act on,
//! with everything support needs (status, the server's `x-error`, its `x-error-id`).

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::model::PowerAction;

/// What kind of failure this is; the UI and the CLI branch on this, never on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// 401, or no credentials at all.
    Auth,
    /// 403: the plan's limit (only create is documented to answer it).
    Quota,
    /// 429.
    RateLimited,
    /// 404.
    NotFound,
    /// 400 and other refusals of the request itself, and bad settings caught before sending.
    Invalid,
    /// 5xx.
    Server,
    /// The request never got an answer: DNS, refused or dropped connection, TLS.
    Network,
    /// The connection or the answer took longer than the configured limit.
    Timeout,
    /// An answer that does not match the contract (bad JSON, an odd status).
    Unexpected,
}

/// What the client was asked to do; it shapes the sentence a person reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    Configure,
    ListInstances,
    GetInstance,
    CreateInstance,
    DeleteInstance,
    Power(PowerAction),
    ListTemplates,
    ListZones,
    GetQuotas,
    StartSignIn,
    VerifyCode,
    GetSession,
    ExtendSession,
    CloseSession,
    CheckKeyPair,
}

impl Operation {
    fn failed(self) -> Option<&'static str> {
        Some(match self {
            Operation::Configure => return None,
            Operation::ListInstances => "Could not list your machines",
            Operation::GetInstance => "Could not load the machine",
            Operation::CreateInstance => "Could not create the machine",
            Operation::DeleteInstance => "Could not delete the machine",
            Operation::Power(PowerAction::Start) => "Could not start the machine",
            Operation::Power(PowerAction::Stop) => "Could not shut down the machine",
            Operation::Power(PowerAction::Restart) => "Could not restart the machine",
            Operation::Power(PowerAction::Reset) => "Could not force-reset the machine",
            Operation::ListTemplates => "Could not load the machine templates",
            Operation::ListZones => "Could not load where the machine can run",
            Operation::GetQuotas => "Could not load your plan's limits",
            Operation::StartSignIn => "Could not send the sign-in code",
            Operation::VerifyCode => "Could not check the sign-in code",
            Operation::GetSession => "Could not load your account",
            Operation::ExtendSession => "Could not keep you signed in",
            Operation::CloseSession => "Could not sign out on the server",
            Operation::CheckKeyPair => "Could not check the API key",
        })
    }

    fn is_about_one_machine(self) -> bool {
        matches!(
            self,
            Operation::GetInstance | Operation::DeleteInstance | Operation::Power(_)
        )
    }
}

/// A failed call. `Display` is one plain sentence; the details stay available through
/// the accessors (and `Debug`) for support and for the UI's "Copy support code".
///
/// It never holds a secret: it is built from statuses, headers the server chose to send
/// back (`x-error`, `x-error-id`, `Retry-After`) and transport error texts, which carry
/// URLs but never the credential headers.
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    operation: Operation,
    status: Option<u16>,
    server_message: Option<String>,
    error_id: Option<String>,
    retry_after: Option<Duration>,
    /// For engineers: a decode path, a transport error, a body summary.
    detail: Option<String>,
    /// Replaces the whole sentence, for settings refused before any request.
    sentence: Option<String>,
    /// The request provably never left this computer (the connection was refused).
    never_sent: bool,
}

impl ApiError {
    pub(crate) fn new(kind: ErrorKind, operation: Operation) -> Self {
        ApiError(Box::new(Inner {
            kind,
            operation,
            status: None,
            server_message: None,
            error_id: None,
            retry_after: None,
            detail: None,
            sentence: None,
            never_sent: false,
        }))
    }

    /// A request refused before it was sent, with the whole sentence given here.
    pub(crate) fn refused(operation: Operation, sentence: impl Into<String>) -> Self {
        let mut e = ApiError::new(ErrorKind::Invalid, operation);
        e.0.sentence = Some(sentence.into());
        e
    }

    pub(crate) fn not_signed_in(operation: Operation) -> Self {
        let mut e = ApiError::new(ErrorKind::Auth, operation);
        e.0.detail = Some("no credentials were configured".into());
        e
    }

    /// The kind for an HTTP error status, as the contract's table defines them.
    pub(crate) fn kind_for_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Auth,
            403 => ErrorKind::Quota,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            400..=499 => ErrorKind::Invalid,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Unexpected,
        }
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    pub(crate) fn with_server_message(mut self, message: Option<String>) -> Self {
        self.0.server_message = message;
        self
    }

    pub(crate) fn with_error_id(mut self, id: Option<String>) -> Self {
        self.0.error_id = id;
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.0.retry_after = after;
        self
    }

    /// Marks a failure that happened before the request could leave this computer.
    pub(crate) fn never_sent(mut self) -> Self {
        self.0.never_sent = true;
        self
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub fn operation(&self) -> Operation {
        self.0.operation
    }

    /// The HTTP status, when the server answered (also for non-JSON bodies).
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// The server's own words (`x-error`), when it sent them.
    pub fn server_message(&self) -> Option<&str> {
        self.0.server_message.as_deref()
    }

    /// The support code (`x-error-id`) to quote to the helpdesk.
    pub fn error_id(&self) -> Option<&str> {
        self.0.error_id.as_deref()
    }

    /// How long the server asked us to wait (`Retry-After`), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// Technical detail for logs and support; never a secret.
    pub fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    /// True when the request may have reached the server although no answer came back,
    /// so a create may have happened: re-read the list before trying again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self.0.kind, ErrorKind::Network | ErrorKind::Timeout) && !self.0.never_sent
    }

    /// The one-line form for a terminal: the sentence, then the server's words and the
    /// support code when there are any.
    pub fn support_line(&self) -> String {
        let mut line = self.to_string();
        if let Some(message) = self.server_message() {
            line.push_str(&format!(" ThreatWinds said: \u{201c}{message}\u{201d}."));
        }
        if let Some(id) = self.error_id() {
            line.push_str(&format!(" Support code: {id}."));
        }
        line
    }

    fn reason(&self) -> String {
        let op = self.0.operation;
        match self.0.kind {
            ErrorKind::Auth => match op {
                Operation::CheckKeyPair => {
                    "the API key or secret is not right, or the key has expired".into()
                }
                _ if self.0.status.is_none() => "you are not signed in".into(),
                _ => "your sign-in has expired or is no longer valid; please sign in again".into(),
            },
            ErrorKind::Quota => match op {
                Operation::CreateInstance => "your plan's limit on machines has been reached; \
                     delete a machine you no longer need, or ask your administrator to raise the limit"
                    .into(),
                _ => "your plan does not allow this; ask your administrator".into(),
            },
            ErrorKind::RateLimited => match self.0.retry_after {
                Some(after) => format!(
                    "too many requests in a short time; try again in {}",
                    human_duration(after)
                ),
                None => "too many requests in a short time; try again in a minute".into(),
            },
            ErrorKind::NotFound => match op {
                Operation::CreateInstance => {
                    "the chosen template or network configuration does not exist".into()
                }
                Operation::ListTemplates => "this server does not offer a list of templates".into(),
                Operation::CloseSession => "the session had already ended".into(),
                Operation::StartSignIn => {
                    "no ThreatWinds account uses this email address; check it for typos".into()
                }
                _ if op.is_about_one_machine() => {
                    "this machine no longer exists; it may have been deleted".into()
                }
                _ => "ThreatWinds could not find what was asked for".into(),
            },
            ErrorKind::Invalid => match op {
                Operation::VerifyCode => {
                    "the code is not right or has expired; check the email and try again".into()
                }
                Operation::StartSignIn => "check the email address and try again".into(),
                Operation::Power(_) | Operation::DeleteInstance => {
                    "the machine cannot do that in its current state".into()
                }
                Operation::CreateInstance => {
                    "ThreatWinds did not accept the template or network configuration".into()
                }
                _ => "ThreatWinds did not accept the request".into(),
            },
            ErrorKind::Server => match self.0.status {
                Some(502..=504) => {
                    "ThreatWinds is temporarily unavailable; try again in a few minutes".into()
                }
                _ => "ThreatWinds reported a problem on its side; try again in a few minutes, \
                      and contact support if it keeps happening"
                    .into(),
            },
            ErrorKind::Network | ErrorKind::Timeout => {
                let base = if self.0.kind == ErrorKind::Timeout {
                    "ThreatWinds did not answer in time; check your internet connection"
                } else {
                    "ThreatWinds could not be reached; check your internet connection"
                };
                if op == Operation::CreateInstance && self.outcome_unknown() {
                    format!("{base}, then refresh the list before trying again, as the machine may have been created")
                } else {
                    format!("{base} and try again")
                }
            }
            ErrorKind::Unexpected => {
                "ThreatWinds sent an answer this app does not understand; please contact support"
                    .into()
            }
        }
    }
}

fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64().ceil() as u64;
    match secs {
        0 | 1 => "1 second".into(),
        2..=119 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(sentence) = &self.0.sentence {
            return f.write_str(sentence);
        }
        let reason = self.reason();
        match self.0.operation.failed() {
            Some(prefix) => write!(f, "{prefix}: {reason}."),
            None => {
                let mut chars = reason.chars();
                let first = chars.next().map(|c| c.to_uppercase().to_string());
                write!(f, "{}{}.", first.unwrap_or_default(), chars.as_str())
            }
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_contract_kinds() {
        let cases = [
            (400, ErrorKind::Invalid),
            (401, ErrorKind::Auth),
            (403, ErrorKind::Quota),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Invalid),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (502, ErrorKind::Server),
            (302, ErrorKind::Unexpected),
        ];
        for (status, kind) in cases {
            assert_eq!(ApiError::kind_for_status(status), kind, "status {status}");
        }
    }

    #[test]
    fn sentences_are_plain_and_carry_no_status_code() {
        let quota = ApiError::new(ErrorKind::Quota, Operation::CreateInstance).with_status(403);
        assert_eq!(
            quota.to_string(),
            "Could not create the machine: your plan's limit on machines has been reached; \
             delete a machine you no longer need, or ask your administrator to raise the limit."
        );
        let limited = ApiError::new(ErrorKind::RateLimited, Operation::ListInstances)
            .with_status(429)
            .with_retry_after(Some(Duration::from_secs(30)));
        assert_eq!(
            limited.to_string(),
            "Could not list your machines: too many requests in a short time; try again in 30 seconds."
        );
        let gone = ApiError::new(ErrorKind::NotFound, Operation::Power(PowerAction::Stop));
        assert_eq!(
            gone.to_string(),
            "Could not shut down the machine: this machine no longer exists; it may have been deleted."
        );
        for e in [&quota, &limited, &gone] {
            assert!(!e.to_string().contains("40"), "{e}");
        }
    }

    #[test]
    fn support_line_adds_server_words_and_code() {
        let e = ApiError::new(ErrorKind::Server, Operation::ListInstances)
            .with_status(500)
            .with_server_message(Some("cloud backend failed".into()))
            .with_error_id(Some("0123456789abcdef0123456789abcdef".into()));
        let line = e.support_line();
        assert!(line.starts_with("Could not list your machines: ThreatWinds reported a problem"));
        assert!(line.contains("\u{201c}cloud backend failed\u{201d}"));
        assert!(line.ends_with("Support code: 0123456789abcdef0123456789abcdef."));
        assert_eq!(e.error_id(), Some("0123456789abcdef0123456789abcdef"));
    }

    #[test]
    fn a_create_that_timed_out_says_to_refresh_first() {
        let e =
            ApiError::new(ErrorKind::Timeout, Operation::CreateInstance).with_detail("timed out");
        assert!(e.outcome_unknown());
        assert!(
            e.to_string()
                .contains("refresh the list before trying again"),
            "{e}"
        );
        let refused = ApiError::new(ErrorKind::Network, Operation::CreateInstance).never_sent();
        assert!(!refused.outcome_unknown());
        assert!(!refused.to_string().contains("refresh"), "{refused}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_millis(300)), "1 second");
        assert_eq!(human_duration(Duration::from_secs(45)), "45 seconds");
        assert_eq!(human_duration(Duration::from_secs(600)), "10 minutes");
    }

    #[test]
    fn the_error_stays_small() {
        assert_eq!(
            std::mem::size_of::<ApiError>(),
            std::mem::size_of::<usize>()
        );
    }
}
