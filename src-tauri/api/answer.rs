//! What came back, read: a whole answer, or the failure it means: an [`ApiError`] with the
//! status, the server's words and support code, `Retry-After`, and a technical detail
//! that never quotes a whole page.

use std::time::SystemTime;

use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};

use super::error::{ApiError, ErrorKind, Operation};
use super::retry::parse_retry_after;

/// The longest server message kept: enough for any sentence, too short for a page.
const MAX_SERVER_MESSAGE: usize = 300;

pub(super) async fn read(
    request: reqwest::RequestBuilder,
) -> Result<(u16, HeaderMap, bytes::Bytes), reqwest::Error> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((status, headers, body))
}

pub(super) fn error_from_answer(
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
    // The headers are the documented channel; a JSON body's words are a fallback, in the
    // older shape (`{"error": "…"}`) or the newer one (`{"error": {"message", "error_id",
    // …}}`), whose `error_id` is the support code when the header has none.
    let said = BodyError::read(body);
    let message = header("x-error").or(said.message);
    let error_id = header("x-error-id").or(said.error_id);
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
        .with_error_id(error_id)
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

/// What a JSON error body says, whichever shape it has.
#[derive(Default)]
struct BodyError {
    message: Option<String>,
    error_id: Option<String>,
}

impl BodyError {
    fn read(body: &[u8]) -> BodyError {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return BodyError::default();
        };
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(serde_json::Value::as_str)
                .map(clean_text)
                .filter(|m| !m.is_empty())
        };
        // The newer shape: an object under "error".
        if let Some(error) = value.get("error").filter(|e| e.is_object()) {
            return BodyError {
                message: text(error.get("message")),
                error_id: text(error.get("error_id").or_else(|| error.get("errorId")))
                    .filter(|id| is_support_code(id)),
            };
        }
        BodyError {
            message: ["error", "message", "x-error"]
                .iter()
                .find_map(|k| text(value.get(k))),
            error_id: None,
        }
    }
}

/// A support code as a person can copy it: letters, digits and dashes, not too long.
fn is_support_code(id: &str) -> bool {
    id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
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

pub(super) fn transport_error(operation: Operation, e: &reqwest::Error) -> ApiError {
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
pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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

    #[test]
    fn the_newer_error_body_gives_its_words_and_support_code() {
        let uuid = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b";
        let body = format!(
            r#"{{"error": {{"message": "Instance not found", "type": "not_found",
                "code": 404, "error_id": "{uuid}"}}}}"#
        );
        let e = error_from_answer(
            Operation::GetInstance,
            404,
            &HeaderMap::new(),
            body.as_bytes(),
        );
        assert_eq!(e.server_message(), Some("Instance not found"));
        assert_eq!(
            e.error_id(),
            Some(uuid),
            "the whole UUID, as the support code"
        );
        // The header, when there is one, is the documented channel and wins.
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-error-id",
            HeaderValue::from_static("0123456789abcdef0123456789abcdef"),
        );
        let e = error_from_answer(Operation::GetInstance, 404, &headers, body.as_bytes());
        assert_eq!(e.error_id(), Some("0123456789abcdef0123456789abcdef"));
        // Something that is not a code is not offered as one.
        let odd = br#"{"error": {"message": "x", "error_id": "<script>alert(1)</script>"}}"#;
        let e = error_from_answer(Operation::GetInstance, 500, &HeaderMap::new(), odd);
        assert_eq!(e.error_id(), None);
    }
}
