//! `compute-sim`: the ThreatWinds simulator as a program, for demos, manual testing and
//! the test suite. Prints its bound address as the first line on stdout.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use compute_desk::sim::{self, Dialect, FaultRule, SimConfig, SimServer};

#[derive(Parser, Debug)]
#[command(
    name = "compute-sim",
    version,
    about = "A local simulator of the ThreatWinds Compute, Auth and Billing APIs",
    after_help = "Demo credentials: --api-key demo-key --api-secret demo-secret, \
                  email demo@computedesk.example (sign-in codes are printed on stderr \
                  and listed at GET /_sim/outbox).\n\
                  Faults: POST /_sim/faults with a rule such as \
                  {\"method\":\"GET\",\"path\":\"/api/compute/v1/instances\",\"times\":2,\"kind\":\"status\",\"status\":503}; \
                  kinds: status, latency (ms), drop, malformed, html. DELETE /_sim/faults clears them. \
                  GET /_sim/requests lists what was received; \
                  DELETE /_sim/sessions ends every sign-in session; \
                  PUT /_sim/instances/ID/status with {\"status\":\"HIBERNATING\"} sets any state."
)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// The API key the simulator accepts.
    #[arg(long, default_value = sim::DEMO_API_KEY)]
    api_key: String,
    /// The API secret the simulator accepts.
    #[arg(long, default_value = sim::DEMO_API_SECRET)]
    api_secret: String,
    /// Another key pair it accepts, as KEY:SECRET (a second account on this server);
    /// repeatable.
    #[arg(long = "more-key", value_parser = key_pair)]
    more_keys: Vec<(String, String)>,
    /// The email address that can sign in with a code.
    #[arg(long, default_value = sim::DEMO_EMAIL)]
    email: String,
    /// Lifecycle speed factor: 10 makes everything ten times faster.
    #[arg(long, default_value_t = 1.0, value_parser = positive)]
    speed: f64,
    /// A shutdown takes this many seconds, whatever the speed.
    #[arg(long, value_parser = not_negative)]
    stop_seconds: Option<f64>,
    /// The plan's machine limit: -1 unlimited, 0 compute not in the plan.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true)]
    quota: i64,
    /// Requests per minute allowed per operation type; 0 turns limits off.
    #[arg(long, default_value_t = 60)]
    rate_limit: u32,
    /// One operation type's limit a minute over --rate-limit, as OPERATION=N
    /// (instances.list, instances.get, instances.power, instances.create,
    /// instances.delete); repeatable; 0 turns it off.
    #[arg(long = "limit", value_parser = operation_limit)]
    limits: Vec<(String, u32)>,
    /// Answer 429 without a Retry-After header.
    #[arg(long)]
    no_retry_after: bool,
    /// Word errors as the overview docs do: a body {"error": "…"} and a 32-hex support
    /// code (otherwise as the service does now: an error object and a UUID).
    #[arg(long)]
    older_errors: bool,
    /// Machines to create at start, in a mix of states.
    #[arg(long, default_value_t = 0)]
    instances: usize,
    /// Answer 404 on GET /templates, as older revisions do.
    #[arg(long)]
    no_templates: bool,
    /// Which documentation revision the JSON follows.
    #[arg(long, value_enum, default_value_t = DialectArg::Docs)]
    dialect: DialectArg,
    /// How long a sign-in session lasts, in seconds.
    #[arg(long, default_value_t = 3600)]
    session_ttl: u64,
    /// Graceful shutdowns never finish: machines stay STOPPING until a Force reset.
    #[arg(long)]
    shutdowns_hang: bool,
    /// After a 202 the record keeps its old state this many seconds (at speed 1), as an
    /// asynchronous backend's does.
    #[arg(long, default_value_t = 0.0, value_parser = not_negative)]
    accept_delay: f64,
    /// Also seed one SUSPENDED and one TERMINATED machine (Google Compute's states).
    #[arg(long)]
    cloud_states: bool,
    /// Name the seeded machines as an office does ("payroll-db-primary-eu"), not "web-1".
    #[arg(long)]
    office_names: bool,
    /// The account has no name: sessions and key pairs are answered without one.
    #[arg(long)]
    nameless: bool,
    /// A new machine is missing from the list this many seconds after its create (read
    /// alone, it is there).
    #[arg(long, default_value_t = 0.0, value_parser = not_negative)]
    list_lag: f64,
    /// Latency added to every API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// A fault rule as JSON (same form as POST /_sim/faults); repeatable.
    #[arg(long = "fault", value_parser = fault_rule)]
    faults: Vec<FaultRule>,
    /// Seed for machine ids and addresses (sign-in tokens and codes are always random).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Log every request on stderr.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DialectArg {
    Docs,
    Sdk,
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err("must be a number above 0".into()),
    }
}

fn not_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=3600.0).contains(&v) => Ok(v),
        _ => Err("must be a number of seconds from 0 to 3600".into()),
    }
}

fn key_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((key, secret)) if !key.is_empty() && !secret.is_empty() => {
            Ok((key.to_owned(), secret.to_owned()))
        }
        _ => Err("must be KEY:SECRET".into()),
    }
}

fn operation_limit(s: &str) -> Result<(String, u32), String> {
    let (operation, n) = s
        .split_once('=')
        .ok_or("must be OPERATION=N, as instances.get=30")?;
    let n = n.parse().map_err(|e| format!("{n}: {e}"))?;
    Ok((operation.to_owned(), n))
}

fn fault_rule(s: &str) -> Result<FaultRule, String> {
    serde_json::from_str(s)
        .map_err(|e| e.to_string())
        .and_then(FaultRule::from_json)
        .map_err(|e| format!("not a fault rule: {e}"))
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    compute_desk::stderr_log::init(if args.verbose {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Info
    });
    let config = SimConfig {
        api_key: args.api_key,
        api_secret: args.api_secret,
        more_keys: args.more_keys,
        email: args.email,
        speed: args.speed,
        stop_time: args.stop_seconds.map(Duration::from_secs_f64),
        quota: args.quota,
        rate_limit_per_minute: args.rate_limit,
        limits: args.limits,
        retry_after: !args.no_retry_after,
        older_errors: args.older_errors,
        instances: args.instances,
        templates: !args.no_templates,
        dialect: match args.dialect {
            DialectArg::Docs => Dialect::Docs,
            DialectArg::Sdk => Dialect::Sdk,
        },
        session_ttl: Duration::from_secs(args.session_ttl),
        shutdowns_hang: args.shutdowns_hang,
        accept_delay: Duration::from_secs_f64(args.accept_delay),
        cloud_states: args.cloud_states,
        office_names: args.office_names,
        nameless: args.nameless,
        list_lag: Duration::from_secs_f64(args.list_lag),
        latency: Duration::from_millis(args.latency_ms),
        faults: args.faults,
        seed: args.seed,
    };
    let server = match SimServer::start(config, args.addr).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("compute-sim: could not listen on {}: {e}", args.addr);
            std::process::exit(1);
        }
    };
    println!("{}", server.addr());
    log::info!(
        "sim: serving the ThreatWinds APIs at {} (Ctrl+C stops)",
        server.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    server.stop();
}
