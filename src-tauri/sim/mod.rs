//! A simulator of the ThreatWinds Compute, Auth and Billing APIs, for demo mode and for
//! every test, since the real service cannot be reached from here.
//!
//! It is written from `compute-api.md` alone and never uses the client's module: if the client
//! misreads the contract, the simulator does not share the mistake, and the contract
//! tests catch it.

mod control;
mod front;
mod http;
mod world;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use control::{FaultAction, FaultRule};
pub use world::{NETWORK_CONFIGS, TEMPLATES};

/// The demo account's API key; see `compute-sim --help`.
pub const DEMO_API_KEY: &str = "demo-key";
pub const DEMO_API_SECRET: &str = "demo-secret";
pub const DEMO_EMAIL: &str = "demo@computedesk.example";

/// Which documentation revision the JSON follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Dialect {
    /// The overview docs: `PROVISIONING`, `userId`, `expireAt` in Unix seconds, missing
    /// IPs left out, a small JSON body on 202.
    #[default]
    Docs,
    /// The Go SDK (May 2026) and admin docs: `running`, `userID`, `customerID`,
    /// `expireAt` as a string, empty IP strings, extra fields; create takes
    /// `{"templateID", "zone"}` and answers 200, `GET /templates/{id}/zones` lists zones,
    /// power operations answer 204, support codes are not hex (`compute-404-3fa9`).
    Sdk,
}

/// How the simulator words its errors: the JSON dialect and the generation of error bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Voice {
    pub dialect: Dialect,
    pub older_errors: bool,
}

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub api_key: String,
    pub api_secret: String,
    /// More key pairs the simulator accepts, each a key of its own (named "Key 2", …)
    /// over the same machines: two accounts on one server.
    pub more_keys: Vec<(String, String)>,
    pub email: String,
    /// Lifecycle speed: 10 makes an 8 s provisioning take 0.8 s.
    pub speed: f64,
    /// A shutdown takes this long, whatever the speed (machines that take a chosen time
    /// to move).
    pub stop_time: Option<Duration>,
    /// The plan's `max_instances`: -1 unlimited, 0 not in the plan.
    pub quota: i64,
    /// Requests per minute per operation type; 0 turns limits off.
    pub rate_limit_per_minute: u32,
    /// Limits of single operation types over `rate_limit_per_minute` (`instances.get`,
    /// `instances.list`, `instances.power`, `instances.create`, `instances.delete`); 0 off.
    pub limits: Vec<(String, u32)>,
    /// Whether a 429 carries `Retry-After`.
    pub retry_after: bool,
    /// Errors as the overview docs describe them: a body `{"error": "…"}` and a support
    /// code of 32 hex characters. Otherwise as the service answers now: a body
    /// `{"error": {"message", "type", "code", "error_id"}}` and a UUID support code.
    pub older_errors: bool,
    /// Machines present at start.
    pub instances: usize,
    /// Whether `GET /templates` exists (older revisions answer 404).
    pub templates: bool,
    pub dialect: Dialect,
    pub session_ttl: Duration,
    /// Graceful shutdowns never finish; only a Force reset (or Delete) ends them.
    pub shutdowns_hang: bool,
    /// After a 202, the record keeps its old state this long (at speed 1), as an
    /// asynchronous backend's does.
    pub accept_delay: Duration,
    /// Seeds one SUSPENDED and one TERMINATED machine, states Google Compute passes
    /// through that the contract does not list.
    pub cloud_states: bool,
    /// Seeded machines are named as an office names them ("payroll-db-primary-eu",
    /// "warehouse-inventory-sync"), long enough to show whether a screen makes room for
    /// them; otherwise "web-1", "db-1" ….
    pub office_names: bool,
    /// The account has no name to give: `GET /session` answers without `fullName` and
    /// `alias`, `GET /keypair` without `userName` and `userAlias` (ids stay).
    pub nameless: bool,
    /// A new machine is missing from `GET /instances` this long after its create (read
    /// alone, it is there), as a service whose list lags behind its writes.
    pub list_lag: Duration,
    /// Added to every API request.
    pub latency: Duration,
    pub faults: Vec<FaultRule>,
    /// Makes machine ids and addresses repeatable.
    pub seed: u64,
}

impl SimConfig {
    /// How its errors are worded.
    pub fn voice(&self) -> Voice {
        Voice {
            dialect: self.dialect,
            older_errors: self.older_errors,
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: DEMO_API_KEY.into(),
            api_secret: DEMO_API_SECRET.into(),
            more_keys: Vec::new(),
            email: DEMO_EMAIL.into(),
            speed: 1.0,
            stop_time: None,
            quota: 3,
            rate_limit_per_minute: 60,
            limits: Vec::new(),
            retry_after: true,
            older_errors: false,
            instances: 0,
            templates: true,
            dialect: Dialect::Docs,
            session_ttl: Duration::from_secs(3600),
            shutdowns_hang: false,
            accept_delay: Duration::ZERO,
            cloud_states: false,
            office_names: false,
            nameless: false,
            list_lag: Duration::ZERO,
            latency: Duration::ZERO,
            faults: Vec::new(),
            seed: 1,
        }
    }
}

/// A running simulator. Dropping it stops accepting connections.
pub struct SimServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    sim: Arc<http::Sim>,
}

impl SimServer {
    /// Binds `addr` (port 0 picks a free one) and serves until stopped.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> io::Result<SimServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let sim = Arc::new(http::Sim::new(config));
        let front = front::Front {
            router: http::router(sim.clone()),
            sim: sim.clone(),
        };
        let (stop, mut stopped) = watch::channel(false);
        tokio::spawn(async move {
            loop {
                let (stream, _) = tokio::select! {
                    _ = stopped.changed() => break,
                    accepted = listener.accept() => match accepted {
                        Ok(pair) => pair,
                        Err(e) => {
                            log::warn!("sim: accept failed: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                };
                let front = front.clone();
                let mut stopped = stopped.clone();
                tokio::spawn(async move {
                    let connection = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), front);
                    tokio::pin!(connection);
                    tokio::select! {
                        result = connection.as_mut() => {
                            if let Err(e) = result {
                                log::debug!("sim: connection ended: {e}");
                            }
                        }
                        _ = stopped.changed() => {}
                    }
                });
            }
        });
        Ok(SimServer { addr, stop, sim })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the base URL for a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// How far its wall clock is ahead of this computer's (moved by `POST /_sim/clock`):
    /// the demo's office hours follow it.
    pub fn wall_ahead(&self) -> Duration {
        self.sim.controls.wall_ahead()
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.stop();
    }
}
