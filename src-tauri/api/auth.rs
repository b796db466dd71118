//! The Auth API: email sign-in sessions for people, and the API-key check.

use reqwest::Method;
use serde_json::json;

use super::client::{Api, Auth, Client};
use super::error::{ApiError, Operation};
use super::model::{KeyPairInfo, NewSession, SessionInfo};

impl Client {
    /// `POST /api/auth/v2/session`: emails a one-time code to `email`. The returned
    /// bearer is unusable until [`Client::verify_session`] succeeds.
    pub async fn create_session(&self, email: &str) -> Result<NewSession, ApiError> {
        let op = Operation::StartSignIn;
        let email = email.trim();
        if !looks_like_email(email) {
            return Err(ApiError::refused(
                op,
                "email_shape",
                "Type your work email address, like name@company.com.",
            ));
        }
        let url = self.url(Api::Auth, &["session"]);
        let body = json!({ "email": email });
        let answer = self
            .send(op, Method::POST, url, Some(body), Auth::Anonymous)
            .await?;
        Client::decode(op, &answer)
    }

    /// `PUT /api/auth/v2/session/verification`: proves the emailed code. Spaces and
    /// dashes people type into codes are ignored.
    pub async fn verify_session(
        &self,
        verification_code_id: &str,
        code: &str,
    ) -> Result<(), ApiError> {
        let op = Operation::VerifyCode;
        let code: String = code
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if code.is_empty() {
            return Err(ApiError::refused(
                op,
                "code_empty",
                "Type the code from the email.",
            ));
        }
        let url = self.url(Api::Auth, &["session", "verification"]);
        let body = json!({ "verificationCodeID": verification_code_id, "code": code });
        self.send(op, Method::PUT, url, Some(body), Auth::Anonymous)
            .await
            .map(drop)
    }

    /// `GET /api/auth/v2/session`: who the bearer belongs to and until when.
    pub async fn session(&self) -> Result<SessionInfo, ApiError> {
        let op = Operation::GetSession;
        let url = self.url(Api::Auth, &["session"]);
        let answer = self
            .send(op, Method::GET, url, None, Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }

    /// `PUT /api/auth/v2/session/extend`: pushes the session's expiry out.
    pub async fn extend_session(&self) -> Result<(), ApiError> {
        let op = Operation::ExtendSession;
        let url = self.url(Api::Auth, &["session", "extend"]);
        self.send(op, Method::PUT, url, None, Auth::Required)
            .await
            .map(drop)
    }

    /// `DELETE /api/auth/v2/session/{sessionID}`: signs out on the server.
    pub async fn close_session(&self, session_id: &str) -> Result<(), ApiError> {
        let op = Operation::CloseSession;
        let url = self.url(Api::Auth, &["session", session_id.trim()]);
        self.send(op, Method::DELETE, url, None, Auth::Required)
            .await
            .map(drop)
    }

    /// `GET /api/auth/v2/keypair`: checks the API key and secret this client holds and
    /// says whose they are.
    pub async fn check_key_pair(&self) -> Result<KeyPairInfo, ApiError> {
        let op = Operation::CheckKeyPair;
        let url = self.url(Api::Auth, &["keypair"]);
        let answer = self
            .send(op, Method::GET, url, None, Auth::Required)
            .await?;
        Client::decode(op, &answer)
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn email_shapes() {
        for ok in ["a@b.co", "first.last@company.example.com"] {
            assert!(super::looks_like_email(ok), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@.co", "a b@c.co", "a@b.co."] {
            assert!(!super::looks_like_email(bad), "{bad}");
        }
    }
}
