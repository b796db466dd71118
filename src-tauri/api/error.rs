//! The single error type of the client: what went wrong, in words a person can act on,
//! with everything support needs (status, the server's `x-error`, its `x-error-id`).

use std::fmt;
use std::time::Duration;

use serde::Serialize;

pub use super::operation::Operation;

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
    /// Replaces the whole sentence, for settings refused before any request: its key in
    /// the language catalogs (`refused.<key>`) and its English.
    sentence: Option<(&'static str, String)>,
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

    /// A request refused before it was sent, with the whole sentence given here, and its
    /// key in the language catalogs (`refused.<key>`).
    pub(crate) fn refused(operation: Operation, key: &'static str, sentence: &str) -> Self {
        let mut e = ApiError::new(ErrorKind::Invalid, operation);
        e.0.sentence = Some((key, sentence.to_owned()));
        e
    }

    /// For a request refused before it was sent: the key of its sentence (`refused.<key>`).
    pub fn refusal(&self) -> Option<&'static str> {
        self.0.sentence.as_ref().map(|(key, _)| *key)
    }

    /// A request the account's budget held back (it was not sent): the service's limit
    /// for its kind is used up for `wait`.
    pub(crate) fn held_back(operation: Operation, wait: Duration) -> Self {
        let mut e = ApiError::new(ErrorKind::RateLimited, operation);
        e.0.retry_after = Some(wait);
        e.0.never_sent = true;
        e.0.detail =
            Some("held back by the app: the limit for this kind of request is used up".into());
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

    /// The request provably never left this computer.
    pub fn was_never_sent(&self) -> bool {
        self.0.never_sent
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

    /// Why it failed, as a key of the language catalogs (`reason.<key>`); a `{wait}` in
    /// the sentence is [`ApiError::retry_after`]. One decision for every language: the
    /// English below, the page's catalogs and the command line all follow it.
    pub fn reason_key(&self) -> &'static str {
        let op = self.0.operation;
        match self.0.kind {
            ErrorKind::Auth => match op {
                Operation::CheckKeyPair => "auth_key",
                _ if self.0.status.is_none() => "auth_not_signed_in",
                _ => "auth_expired",
            },
            ErrorKind::Quota => match op {
                Operation::CreateInstance => "quota_create",
                _ => "quota_other",
            },
            ErrorKind::RateLimited => match self.0.retry_after {
                Some(_) => "rate_limited_wait",
                None => "rate_limited",
            },
            ErrorKind::NotFound => match op {
                Operation::CreateInstance => "not_found_create",
                Operation::ListTemplates => "not_found_templates",
                Operation::CloseSession => "not_found_session",
                Operation::StartSignIn => "not_found_email",
                _ if op.is_about_one_machine() => "not_found_machine",
                _ => "not_found",
            },
            ErrorKind::Invalid => match op {
                Operation::VerifyCode => "invalid_code",
                Operation::StartSignIn => "invalid_email",
                Operation::Power(_) | Operation::DeleteInstance => "invalid_state",
                Operation::CreateInstance => "invalid_create",
                _ => "invalid",
            },
            ErrorKind::Server => match self.0.status {
                Some(502..=504) => "unavailable",
                _ => "server",
            },
            ErrorKind::Network | ErrorKind::Timeout => {
                let timeout = self.0.kind == ErrorKind::Timeout;
                match (
                    timeout,
                    op == Operation::CreateInstance && self.outcome_unknown(),
                ) {
                    (true, true) => "timeout_create",
                    (true, false) => "timeout",
                    (false, true) => "network_create",
                    (false, false) => "network",
                }
            }
            ErrorKind::Unexpected => "unexpected",
        }
    }

    fn reason(&self) -> String {
        let english = match self.reason_key() {
            "auth_key" => "the API key or secret is not right, or the key has expired",
            "auth_not_signed_in" => "you are not signed in",
            "auth_expired" => "your sign-in has expired or is no longer valid; please sign in again",
            "quota_create" => "your plan's limit on machines has been reached; delete a machine you no longer need, or ask your administrator to raise the limit",
            "quota_other" => "your plan does not allow this; ask your administrator",
            "rate_limited_wait" => "too many requests in a short time; try again in {wait}",
            "rate_limited" => "too many requests in a short time; try again in a minute",
            "not_found_create" => "the chosen template or network configuration does not exist",
            "not_found_templates" => "this server does not offer a list of templates",
            "not_found_session" => "the session had already ended",
            "not_found_email" => "no ThreatWinds account uses this email address; check it for typos",
            "not_found_machine" => "this machine no longer exists; it may have been deleted",
            "not_found" => "ThreatWinds could not find what was asked for",
            "invalid_code" => "the code is not right or has expired; check the email and try again",
            "invalid_email" => "check the email address and try again",
            "invalid_state" => "the machine cannot do that in its current state",
            "invalid_create" => "ThreatWinds did not accept the template or network configuration",
            "invalid" => "ThreatWinds did not accept the request",
            "unavailable" => "ThreatWinds is temporarily unavailable; try again in a few minutes",
            "server" => "ThreatWinds reported a problem on its side; try again in a few minutes, and contact support if it keeps happening",
            "timeout_create" => "ThreatWinds did not answer in time; check your internet connection, then refresh the list before trying again, as the machine may have been created",
            "timeout" => "ThreatWinds did not answer in time; check your internet connection and try again",
            "network_create" => "ThreatWinds could not be reached; check your internet connection, then refresh the list before trying again, as the machine may have been created",
            "network" => "ThreatWinds could not be reached; check your internet connection and try again",
            _ => "ThreatWinds sent an answer this app does not understand; please contact support",
        };
        match self.0.retry_after {
            Some(after) => english.replace("{wait}", &human_duration(after)),
            None => english.to_owned(),
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
        if let Some((_, sentence)) = &self.0.sentence {
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
    use crate::api::PowerAction;

    /// The command line's English and the page's English catalog say the same: every
    /// operation and every reason, with a wait filled in.
    #[test]
    fn the_english_here_is_the_english_catalog() {
        let catalog: std::collections::HashMap<String, serde_json::Value> =
            serde_json::from_str(include_str!("../../ui/i18n/en.json")).unwrap();
        let say = |key: &str| {
            catalog[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key}"))
                .to_owned()
        };
        let ops = [
            Operation::ListInstances,
            Operation::GetInstance,
            Operation::CreateInstance,
            Operation::DeleteInstance,
            Operation::Power(PowerAction::Start),
            Operation::Power(PowerAction::Stop),
            Operation::Power(PowerAction::Restart),
            Operation::Power(PowerAction::Reset),
            Operation::ListTemplates,
            Operation::ListZones,
            Operation::GetQuotas,
            Operation::StartSignIn,
            Operation::VerifyCode,
            Operation::GetSession,
            Operation::ExtendSession,
            Operation::CloseSession,
            Operation::CheckKeyPair,
        ];
        let mut reasons = std::collections::BTreeSet::new();
        for op in ops {
            for status in [
                None,
                Some(400),
                Some(401),
                Some(403),
                Some(404),
                Some(429),
                Some(500),
                Some(503),
            ] {
                let kinds = match status {
                    Some(s) => vec![ApiError::kind_for_status(s)],
                    None => vec![
                        ErrorKind::Auth,
                        ErrorKind::Network,
                        ErrorKind::Timeout,
                        ErrorKind::Unexpected,
                    ],
                };
                for kind in kinds {
                    for wait in [None, Some(Duration::from_secs(20))] {
                        let mut e = ApiError::new(kind, op).with_retry_after(wait);
                        if let Some(s) = status {
                            e = e.with_status(s);
                        }
                        let reason = say(&format!("reason.{}", e.reason_key()));
                        let reason = reason.replace("{wait}", "20 seconds");
                        let op_words = say(&format!("op.{}", op.key().unwrap()));
                        assert_eq!(
                            e.to_string(),
                            format!("{op_words}: {reason}."),
                            "{op:?} {kind:?} {status:?}"
                        );
                        reasons.insert(e.reason_key());
                    }
                }
            }
        }
        assert!(reasons.len() >= 20, "{reasons:?}");
        assert_eq!(
            say("refused.server_https"),
            "The server address must start with https://."
        );
    }

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
