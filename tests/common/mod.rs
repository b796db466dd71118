//! Shared by the integration tests: a real `compute-sim` process on a loopback port,
//! and raw access to its `/_sim` controls.
#![allow(dead_code)]

pub mod desktop;
pub mod notifications;
pub mod screen;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use compute_desk::api::{Client, ClientBuilder, Credentials, RetryPolicy};
use serde_json::Value;

pub const KEY: &str = "demo-key";
pub const SECRET: &str = "demo-secret";
pub const EMAIL: &str = "demo@computedesk.example";

/// Lifecycles twenty times faster and no rate limit, for tests that poll.
pub const FAST: &[&str] = &["--speed", "20", "--rate-limit", "0"];

/// Fast, yet slow enough (the shortest step lasts 0.4 s) that a state read right after
/// an action is still there on a loaded machine.
pub const STEADY: &[&str] = &["--speed", "5", "--rate-limit", "0"];

/// A `compute-sim` child process; killed when dropped.
pub struct Sim {
    child: Child,
    pub base: String,
    http: reqwest::Client,
    /// The key pair it accepts (`--api-key`, `--api-secret`; the demo's otherwise).
    key: String,
    secret: String,
}

/// The user every session of the simulator belongs to (`GET /session`'s `userID`).
pub const SIM_USER_ID: &str = "550e8400-e29b-41d4-a716-446655440000";

impl Sim {
    /// Starts the simulator binary with these extra arguments and waits for its address.
    pub fn start(args: &[&str]) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_compute-sim"))
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("compute-sim starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .expect("compute-sim prints its address");
        let addr = first.trim();
        assert!(addr.starts_with("127.0.0.1:"), "first line was {first:?}");
        let given = |flag: &str, default: &str| {
            args.iter()
                .position(|a| *a == flag)
                .and_then(|i| args.get(i + 1))
                .map_or(default.to_owned(), |v| (*v).to_owned())
        };
        Sim {
            child,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            key: given("--api-key", KEY),
            secret: given("--api-secret", SECRET),
        }
    }

    /// A client with the demo key pair and quick, bounded retries.
    pub fn client(&self) -> Client {
        self.client_with(Credentials::key_pair(KEY, SECRET))
    }

    pub fn client_with(&self, credentials: Credentials) -> Client {
        self.builder(credentials).build().unwrap()
    }

    /// The demo key pair, with a client-side timeout of `timeout`.
    pub fn impatient_client(&self, timeout: Duration) -> Client {
        self.builder(Credentials::key_pair(KEY, SECRET))
            .timeout(timeout)
            .build()
            .unwrap()
    }

    fn builder(&self, credentials: Credentials) -> ClientBuilder {
        Client::builder(&self.base)
            .credentials(credentials)
            .retry(quick_retries())
    }

    /// The JSON of a raw GET with the demo key pair.
    pub async fn raw_json(&self, path: &str) -> Value {
        self.raw(reqwest::Method::GET, path)
            .await
            .json()
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Adds a fault rule (JSON, as `POST /_sim/faults` takes it).
    pub async fn fault(&self, rule: Value) {
        let r = self
            .http
            .post(self.url("/_sim/faults"))
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            201,
            "fault rule refused: {}",
            r.text().await.unwrap()
        );
    }

    /// Forgets the requests seen so far.
    pub async fn clear_requests(&self) {
        self.delete("/_sim/requests").await;
    }

    pub async fn clear_faults(&self) {
        self.delete("/_sim/faults").await;
    }

    /// Ends every sign-in session on the server, as an administrator revoking them would.
    pub async fn end_sessions(&self) {
        self.delete("/_sim/sessions").await;
    }

    /// Reads the simulator has answered so far: (whole list, single machines).
    pub async fn reads_of_each_kind(&self) -> (usize, usize) {
        let list = "/api/compute/v1/instances";
        let (mut lists, mut singles) = (0, 0);
        for r in self
            .requests()
            .await
            .iter()
            .filter(|r| r["method"] == "GET")
        {
            let path = r["path"].as_str().unwrap_or_default();
            if path == list {
                lists += 1;
            } else if path
                .strip_prefix("/api/compute/v1/instances/")
                .is_some_and(|id| !id.contains('/'))
            {
                singles += 1;
            }
        }
        (lists, singles)
    }

    /// Each machine the server lists, as (its id, its `field`), in the list's order.
    pub async fn listed(&self, field: &str) -> Vec<(String, String)> {
        self.raw_json("/api/compute/v1/instances")
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["id"].as_str().unwrap().to_owned(),
                    m[field].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// The machines the server runs, as (id, name), in the list's order.
    pub async fn running(&self) -> Vec<(String, String)> {
        let statuses = self.listed("status").await;
        self.listed("name")
            .await
            .into_iter()
            .zip(statuses)
            .filter(|(_, (_, status))| status == "RUNNING")
            .map(|(named, _)| named)
            .collect()
    }

    /// The worst lag, in the simulator's milliseconds, from the end of each of `ids`'s
    /// shutdowns on the server (its `POST …/stop` arrived, and a shutdown takes
    /// `takes_ms`) to when it was first shown stopped (`shown_at`, on the same clock).
    pub async fn worst_stop_lag(
        &self,
        ids: &[String],
        shown_at: &std::collections::HashMap<String, u64>,
        takes_ms: u64,
    ) -> u64 {
        let requests = self.requests().await;
        let mut worst = 0;
        for id in ids {
            let path = format!("/api/compute/v1/instances/{id}/stop");
            let sent = requests
                .iter()
                .find(|r| r["method"] == "POST" && r["path"] == path.as_str())
                .unwrap_or_else(|| panic!("no shutdown of {id}"));
            let ended = sent["arrivedMs"].as_u64().unwrap() + takes_ms;
            let shown = *shown_at
                .get(id)
                .unwrap_or_else(|| panic!("{id} never shown stopped"));
            worst = worst.max(shown.saturating_sub(ended));
        }
        worst
    }

    /// Revokes the API key `key` on the server, as an administrator would.
    pub async fn revoke_key(&self, key: &str) {
        self.delete(&format!("/_sim/keys/{key}")).await;
    }

    /// A control request that answers 204 No Content.
    async fn delete(&self, path: &str) {
        let r = self.http.delete(self.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 204, "DELETE {path}");
    }

    /// The simulator's clock, in the request log's milliseconds.
    pub async fn clock(&self) -> u64 {
        let r = self.http.get(self.url("/_sim/clock")).send().await.unwrap();
        let clock: Value = r.json().await.unwrap();
        clock["ms"].as_u64().unwrap()
    }

    /// Moves the simulator's wall clock forward by `by` (whole milliseconds).
    pub async fn move_clock(&self, by: std::time::Duration) {
        let r = self
            .http
            .post(self.url("/_sim/clock"))
            .json(&serde_json::json!({ "forwardMs": u64::try_from(by.as_millis()).unwrap() }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "POST /_sim/clock");
    }

    /// Every API request the simulator received, oldest first.
    pub async fn requests(&self) -> Vec<Value> {
        self.control_json("/_sim/requests").await
    }

    async fn control_json(&self, path: &str) -> Vec<Value> {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        r.json().await.unwrap()
    }

    /// How many requests with this method and path the simulator received.
    pub async fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .await
            .iter()
            .filter(|r| r["method"] == method && r["path"] == path)
            .count()
    }

    /// The sign-in codes the simulator has "emailed".
    pub async fn outbox(&self) -> Vec<Value> {
        self.control_json("/_sim/outbox").await
    }

    /// The code of the last sign-in email the simulator "sent".
    pub async fn latest_code(&self) -> String {
        let outbox = self.outbox().await;
        outbox.last().expect("a code was sent")["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The keyring entry the app keeps the test key pair in, on this simulator.
    pub fn keyring_for_key(&self) -> String {
        let key = format!(
            "key:{}",
            compute_desk::fingerprint::hex(self.key.as_bytes())
        );
        compute_desk::vault::entry_name(&self.base_url(), &key)
    }

    /// The keyring entry the app keeps an email session in, on this simulator (whose
    /// sessions all belong to one user).
    pub fn keyring_for_session(&self) -> String {
        compute_desk::vault::entry_name(&self.base_url(), &format!("user:{SIM_USER_ID}"))
    }

    /// The entry earlier versions kept the one sign-in in: the server's address.
    pub fn keyring_named_by_server(&self) -> String {
        self.base_url()
    }

    /// The address as the client writes it.
    fn base_url(&self) -> String {
        Client::builder(&self.base)
            .build()
            .unwrap()
            .base_url()
            .to_string()
    }

    /// Puts the machine called `name` in `status`, any word, as the cloud underneath
    /// might (`PUT /_sim/instances/{id}/status`).
    pub async fn set_status(&self, name: &str, status: &str) {
        let machines = self.raw_json("/api/compute/v1/instances").await;
        let id = machines
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no machine {name}"))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = self
            .http
            .put(self.url(&format!("/_sim/instances/{id}/status")))
            .json(&serde_json::json!({ "status": status }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "PUT status of {name}");
    }

    /// A raw request with the key pair the simulator accepts, for checking the wire itself.
    pub async fn raw(&self, method: reqwest::Method, path: &str) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .header("api-key", &self.key)
            .header("api-secret", &self.secret)
            .send()
            .await
            .unwrap()
    }

    /// A raw request with a session token instead of the key pair.
    pub async fn raw_with_bearer(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: &str,
    ) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
    }
}

/// Stops a test that needs the keyring when it runs outside `bash .ci/session`.
pub fn assert_in_session() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run with `bash .ci/session cargo test` (the sign-in is kept in the keyring)"
    );
}

/// Polls `check` every 50 ms until it returns true or `limit` passes.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A desk over `config` whose watcher reports (and writes the history) into a screen, as
/// the window runs it; signed in to nobody yet.
pub fn recorded_desk(
    config: &std::path::Path,
    vault: &compute_desk::vault::Vault,
) -> (std::sync::Arc<compute_desk::desk::Desk>, screen::Screen) {
    let desk = std::sync::Arc::new(desk_at(config, vault));
    let seen = screen::Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(seen.clone())));
    (desk, seen)
}

/// A desk over `config` with `policy`, its keyring service `keyring`, whose watcher reports
/// into a screen; signed in with the simulator's key pair, its first list in.
pub async fn signed_in_desk(
    sim: &Sim,
    config: &std::path::Path,
    keyring: &str,
    policy: compute_desk::watch::Policy,
) -> (std::sync::Arc<compute_desk::desk::Desk>, screen::Screen) {
    let desk = std::sync::Arc::new(compute_desk::desk::Desk::new(
        config,
        compute_desk::vault::Vault::new(keyring),
        policy,
        compute_desk::desk::Options::default(),
    ));
    let seen = screen::Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(seen.clone())));
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    let loaded = eventually(std::time::Duration::from_secs(5), || async {
        seen.last().is_some_and(|s| s.loaded)
    })
    .await;
    assert!(loaded, "the list never came");
    (desk, seen)
}

/// A desk over `config` with the default policy and options; signed in to nobody yet.
pub fn desk_at(
    config: &std::path::Path,
    vault: &compute_desk::vault::Vault,
) -> compute_desk::desk::Desk {
    compute_desk::desk::Desk::new(
        config,
        vault.clone(),
        compute_desk::watch::Policy::default(),
        compute_desk::desk::Options::default(),
    )
}

/// The accounts' ids, in the menu's order.
pub async fn account_ids(desk: &compute_desk::desk::Desk) -> Vec<String> {
    desk.view()
        .await
        .accounts
        .iter()
        .map(|a| a.id.clone())
        .collect()
}

/// Signs `desk` in on `sim` with the test email and the code the simulator sent.
pub async fn sign_in_by_email(desk: &compute_desk::desk::Desk, sim: &Sim) {
    desk.email_start(&sim.base, EMAIL).await.unwrap();
    desk.email_verify(&sim.latest_code().await).await.unwrap();
}

/// Switches the desk to its saved account that is not on screen (of two).
pub async fn switch_to_the_other_account(desk: &compute_desk::desk::Desk) {
    let view = desk.view().await;
    let other = view.accounts.iter().find(|a| !a.active).unwrap().id.clone();
    desk.switch_account(&other).await.unwrap();
}
