//! Signing in on the sign-in screen: with an API key, with an emailed code, or into the
//! demo. What a sign-in then changes (the keyring, the settings, the account on screen)
//! is one of the account changes, made in their one ordering (`changes.rs`).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::{non_empty, view_of, AppView, Desk};
use crate::failure::Failure;
use crate::history::New;
use crate::session::{self, Account, EmailSignIn};
use crate::sim::{SimConfig, SimServer, DEMO_API_KEY, DEMO_API_SECRET};
use crate::text::Text;

/// How long the demo's service keeps a record unchanged after a 202, with
/// `--demo-as-service`.
const DEMO_ACCEPT_DELAY: Duration = Duration::from_secs(3);

impl Desk {
    /// Checks an API key and secret, then keeps them in the keyring.
    pub async fn sign_in_with_key(
        &self,
        server: &str,
        key: &str,
        secret: &str,
    ) -> Result<AppView, Failure> {
        if key.trim().is_empty() || secret.trim().is_empty() {
            return Err(Failure::plain(
                "invalid",
                Text::new("desk.key_and_secret"),
                "Type both the API key and the API secret.",
            ));
        }
        let base = {
            let mut s = self.state.lock().await;
            self.base_client(&mut s, server)?
        };
        let account = Account::with_key_pair(&base, key, secret).await?;
        self.sign_in_made(account, server.trim()).await;
        Ok(self.view().await)
    }

    /// Asks ThreatWinds to email a sign-in code.
    pub async fn email_start(&self, server: &str, email: &str) -> Result<AppView, Failure> {
        let base = {
            let mut s = self.state.lock().await;
            self.base_client(&mut s, server)?
        };
        let pending = EmailSignIn::start(&base, email).await?;
        let mut s = self.state.lock().await;
        s.settings.last_email = Some(pending.email.clone());
        // The address is the sign-in's own, kept with it until the code is verified: the
        // settings keep it only once someone is signed in there.
        s.email = Some((pending, non_empty(server).unwrap_or_default()));
        self.save_settings(&s);
        Ok(view_of(&s))
    }

    /// Goes back from the code screen to the email field.
    pub async fn email_cancel(&self) -> AppView {
        let mut s = self.state.lock().await;
        s.email = None;
        view_of(&s)
    }

    /// Checks the emailed code and signs in.
    pub async fn email_verify(&self, code: &str) -> Result<AppView, Failure> {
        let pending = self.state.lock().await.email.take();
        let Some(pending) = pending else {
            return Err(Failure::plain(
                "invalid",
                Text::new("desk.code_expired"),
                "The sign-in code has expired. Ask for a new one.",
            ));
        };
        let (pending, typed) = pending;
        match pending.verify(code, session::now()).await {
            Ok(account) => {
                self.sign_in_made(account, &typed).await;
                Ok(self.view().await)
            }
            Err(e) => {
                // Keep waiting for the right code: a typo must not cost a new email.
                self.state.lock().await.email = Some((pending, typed));
                Err(e.into())
            }
        }
    }

    /// "Try the demo": signs in to the built-in simulator, and says so in its history.
    pub async fn start_demo(&self) -> Result<AppView, Failure> {
        let view = self.demo().await?;
        self.record(New {
            what: "sign_in".into(),
            ..New::default()
        });
        Ok(view)
    }

    /// Starts the built-in simulator on a loopback port and signs in to it, in its turn
    /// among the account changes.
    pub async fn demo(&self) -> Result<AppView, Failure> {
        let _change = self.changes.begin().await;
        self.open_demo().await
    }

    /// [`Desk::demo`], within an account change already under way.
    pub(super) async fn open_demo(&self) -> Result<AppView, Failure> {
        let existing = self
            .state
            .lock()
            .await
            .demo
            .as_ref()
            .map(SimServer::base_url);
        let address = match existing {
            Some(address) => address,
            None => {
                let config = SimConfig {
                    instances: self.options.demo_machines.unwrap_or(6),
                    accept_delay: if self.options.demo_as_service {
                        DEMO_ACCEPT_DELAY
                    } else {
                        Duration::ZERO
                    },
                    cloud_states: self.options.demo_as_service,
                    ..SimConfig::default()
                };
                let sim = SimServer::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                    .await
                    .map_err(|e| {
                        Failure::plain(
                            "unexpected",
                            Text::new("desk.demo_failed").with("detail", e.to_string()),
                            format!("The demo could not start: {e}."),
                        )
                    })?;
                let address = sim.base_url();
                self.state.lock().await.demo = Some(sim);
                address
            }
        };
        let base = {
            let mut s = self.state.lock().await;
            self.base_client(&mut s, &address)?
        };
        let account = Account::demo(&base, DEMO_API_KEY, DEMO_API_SECRET).await?;
        self.signed_in(account, None).await;
        Ok(self.view().await)
    }
}
