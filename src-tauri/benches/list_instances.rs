//! Listing 10,000 machines through the client, next to one raw HTTP GET + JSON parse of
//! the same body from the same simulator: the client's overhead as a ratio (target ≤ 1.2×).
//!
//! `cargo bench --bench list_instances` (release build). Prints figures; asserts nothing.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use compute_desk::api::{Client, Credentials};
use compute_desk::sim::{SimConfig, SimServer, DEMO_API_KEY, DEMO_API_SECRET};

const MACHINES: usize = 10_000;
const ROUNDS: usize = 40;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let config = SimConfig {
        instances: MACHINES,
        rate_limit_per_minute: 0,
        ..SimConfig::default()
    };
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let sim = SimServer::start(config, addr)
        .await
        .expect("simulator starts");
    let base = sim.base_url();

    let client = Client::builder(&base)
        .credentials(Credentials::key_pair(DEMO_API_KEY, DEMO_API_SECRET))
        .build()
        .unwrap();
    let raw = reqwest::Client::new();
    let url = format!("{base}/api/compute/v1/instances");
    let raw_get = || async {
        raw.get(&url)
            .header("api-key", DEMO_API_KEY)
            .header("api-secret", DEMO_API_SECRET)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    };
    let raw_list = || async {
        let body = raw_get().await;
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        (body.len(), parsed.as_array().map_or(0, Vec::len))
    };

    // Warm both paths: connections, allocator, caches.
    let (bytes, count) = raw_list().await;
    assert_eq!(count, MACHINES);
    assert_eq!(client.list_instances().await.unwrap().len(), MACHINES);

    let (mut through_client, mut through_raw, mut transfer) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let machines = client.list_instances().await.unwrap();
        through_client.push(t.elapsed());
        assert_eq!(machines.len(), MACHINES);

        let t = Instant::now();
        let (_, n) = raw_list().await;
        through_raw.push(t.elapsed());
        assert_eq!(n, MACHINES);

        let t = Instant::now();
        let body = raw_get().await;
        transfer.push(t.elapsed());
        assert_eq!(body.len(), bytes);
    }
    let (c, r) = (median(through_client), median(through_raw));
    println!(
        "list {MACHINES} machines ({:.1} MiB of JSON), median of {ROUNDS} rounds:",
        bytes as f64 / 1048576.0
    );
    println!("  through the client (typed, tolerant model): {}", ms(c));
    println!("  raw GET + serde_json::Value parse:          {}", ms(r));
    println!(
        "  raw GET alone, no parse (the floor):        {}",
        ms(median(transfer))
    );
    println!(
        "  ratio client / raw: {:.2}x (target <= 1.20x)",
        c.as_secs_f64() / r.as_secs_f64()
    );
}
