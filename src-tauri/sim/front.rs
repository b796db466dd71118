//! The simulator's front door: every API request passes here before its route, so that
//! an injected fault can do what a handler cannot (drop the connection outright, lose an
//! answer after the work was done), and every request is logged with the credential it
//! carried (`control.rs`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use tower::ServiceExt;

use super::control::{Caller, FaultAction};
use super::http::{error_response, Sim};
use super::Voice;

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
pub struct DroppedOnPurpose;

impl std::fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DroppedOnPurpose {}

/// The per-connection service: faults and logging around the routes.
#[derive(Clone)]
pub struct Front {
    pub sim: Arc<Sim>,
    pub router: axum::Router,
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for Front {
    type Response = Response<Body>;
    type Error = DroppedOnPurpose;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, DroppedOnPurpose>> + Send>>;

    fn call(&self, request: Request<hyper::body::Incoming>) -> Self::Future {
        let front = self.clone();
        Box::pin(async move { front.answer(request).await })
    }
}

impl Front {
    async fn answer(
        self,
        request: Request<hyper::body::Incoming>,
    ) -> Result<Response<Body>, DroppedOnPurpose> {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        if path.starts_with("/_sim/") {
            return Ok(route(self.router, request.map(Body::new)).await);
        }
        let arrived = self.sim.controls.now_ms();
        let auth = auth_kind(&request);
        let credential = self.sim.credential_of(request.headers());
        let (latency, failure) = self.sim.controls.take(&method, &path);
        if failure == Some(FaultAction::Drop) {
            let from = Caller {
                auth,
                credential: &credential,
            };
            self.sim.controls.record(&method, &path, 0, arrived, from);
            return Err(DroppedOnPurpose);
        }
        // The work goes on in its own task, like a real server's: a client that gives
        // up (a timeout) does not cancel a create that is already under way.
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(Body::new(body), 1 << 20)
            .await
            .map_err(|_| DroppedOnPurpose)?;
        let request = Request::from_parts(parts, Body::from(body));
        let work = tokio::spawn(async move {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            let response = match &failure {
                None | Some(FaultAction::AnswerLost) => route(self.router, request).await,
                Some(action) => fault_response(action, self.sim.config.voice()),
            };
            let lost = failure == Some(FaultAction::AnswerLost);
            let status = if lost { 0 } else { response.status().as_u16() };
            let from = Caller {
                auth,
                credential: &credential,
            };
            self.sim
                .controls
                .record(&method, &path, status, arrived, from);
            (response, lost)
        });
        match work.await {
            Ok((response, false)) => Ok(response),
            _ => Err(DroppedOnPurpose),
        }
    }
}

async fn route(router: axum::Router, request: Request<Body>) -> Response<Body> {
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Which credentials a request carried, for tests that check "never both".
fn auth_kind<B>(request: &Request<B>) -> &'static str {
    let h = request.headers();
    match (
        h.contains_key("authorization"),
        h.contains_key("api-key") || h.contains_key("api-secret"),
    ) {
        (true, true) => "both",
        (true, false) => "bearer",
        (false, true) => "keypair",
        (false, false) => "none",
    }
}

fn fault_response(action: &FaultAction, voice: Voice) -> Response<Body> {
    match action {
        FaultAction::Status {
            status,
            headers,
            message,
            retry_after,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = message
                .clone()
                .unwrap_or_else(|| default_message(status).to_owned());
            let mut response = error_response(status, &message, voice);
            if !*headers {
                // Only the body says what happened (the service's newer answers do).
                response.headers_mut().remove("x-error");
                response.headers_mut().remove("x-error-id");
            }
            if let Some(after) = retry_after {
                response.headers_mut().insert("retry-after", after.header());
            }
            response
        }
        FaultAction::Malformed => Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from(
                r#"[{"id": "tw-550e84-0000beef", "status": "RUNN"#,
            ))
            .expect("static response"),
        FaultAction::Html => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .header("content-type", "text/html; charset=utf-8")
            .body(Body::from(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                 <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                 </body>\r\n</html>\r\n",
            ))
            .expect("static response"),
        FaultAction::Latency { .. } | FaultAction::Drop | FaultAction::AnswerLost => {
            unreachable!("latency, drop and a lost answer are handled around the answer")
        }
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Invalid request",
        401 => "Invalid credentials",
        403 => "Quota exceeded",
        404 => "Not found",
        429 => "Rate limit exceeded",
        500 => "Cloud operation failed",
        503 => "Service temporarily unavailable",
        _ => "Simulated failure",
    }
}
