//! Retries against the real simulator: reads survive passing failures and honour
//! `Retry-After`; writes are sent exactly once, whatever happens.

mod common;

use std::time::{Duration, Instant};

use common::{quick_retries, Sim, FAST, KEY, SECRET};
use compute_desk::api::{
    Client, Credentials, ErrorKind, PowerAction, RetryPolicy, MAX_RETRY_AFTER,
};
use serde_json::json;

const LIST: &str = "/api/compute/v1/instances";

#[tokio::test]
async fn a_read_behind_two_503s_succeeds() {
    let sim = Sim::start(&["--instances", "2"]);
    sim.fault(json!({"method": "GET", "path": LIST, "kind": "status", "status": 503, "times": 2}))
        .await;
    assert_eq!(sim.client().list_instances().await.unwrap().len(), 2);
    assert_eq!(sim.count("GET", LIST).await, 3);
}

#[tokio::test]
async fn a_read_behind_a_429_waits_out_retry_after() {
    let sim = Sim::start(&["--instances", "1"]);
    sim.fault(
        json!({"method": "GET", "path": LIST, "kind": "status", "status": 429, "retryAfter": 1}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(sim.client().list_instances().await.unwrap().len(), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    let seen = sim.requests().await;
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0]["status"].as_u64(), seen[1]["status"].as_u64()),
        (Some(429), Some(200))
    );
    let gap = seen[1]["atMs"].as_u64().unwrap() - seen[0]["atMs"].as_u64().unwrap();
    assert!(gap >= 1000, "the server saw the retry after only {gap} ms");
}

#[tokio::test]
async fn a_read_behind_a_429_without_retry_after_backs_off_and_succeeds() {
    let sim = Sim::start(&["--instances", "1"]);
    sim.fault(json!({"method": "GET", "path": LIST, "kind": "status", "status": 429, "times": 2}))
        .await;
    assert_eq!(sim.client().list_instances().await.unwrap().len(), 1);
    let seen = sim.requests().await;
    assert_eq!(seen.len(), 3);
    let at: Vec<u64> = seen.iter().map(|r| r["atMs"].as_u64().unwrap()).collect();
    // quick_retries: 20 ms then 40 ms before jitter, at least half of each.
    assert!(
        at[1] - at[0] >= 10 && at[2] - at[1] >= 20,
        "no back-off between {at:?}"
    );
}

#[tokio::test]
async fn a_read_behind_a_proxy_502_page_and_a_dropped_connection_succeeds() {
    let sim = Sim::start(&["--instances", "1"]);
    sim.fault(json!({"method": "GET", "path": LIST, "kind": "html"}))
        .await;
    sim.fault(json!({"method": "GET", "path": LIST, "kind": "drop"}))
        .await;
    assert_eq!(sim.client().list_instances().await.unwrap().len(), 1);
    let statuses: Vec<u64> = sim
        .requests()
        .await
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [502, 0, 200], "0 marks the dropped connection");
}

#[tokio::test]
async fn retries_are_bounded() {
    let sim = Sim::start(&[]);
    sim.fault(json!({"method": "GET", "path": LIST, "kind": "status", "status": 503, "times": 0}))
        .await;
    let e = sim.client().list_instances().await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Server, Some(503)));
    assert_eq!(sim.count("GET", LIST).await, 4, "four attempts in all");
}

#[tokio::test]
async fn a_long_retry_after_is_handed_back_not_slept_through() {
    let sim = Sim::start(&[]);
    sim.fault(
        json!({"method": "GET", "path": LIST, "kind": "status", "status": 429, "retryAfter": 45}),
    )
    .await;
    let started = Instant::now();
    let e = sim.client().list_instances().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(45)));
    assert!(e.to_string().ends_with("try again in 45 seconds."), "{e}");
    assert_eq!(sim.count("GET", LIST).await, 1);
}

/// A server may ask for an hour, for years, or for something no clock can hold: each
/// counts as the longest wait the app accepts, a minute, and nothing panics.
#[tokio::test]
async fn an_absurd_retry_after_counts_as_a_minute() {
    let sim = Sim::start(&[]);
    for after in [
        json!(3600),
        json!("99999999999999999999"),
        json!("Fri, 31 Dec 9999 23:59:59 GMT"),
        json!("tomorrow-ish"),
    ] {
        sim.fault(
            json!({"method": "GET", "path": LIST, "kind": "status", "status": 429,
                         "retryAfter": after}),
        )
        .await;
        let started = Instant::now();
        let e = sim.client().list_instances().await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2), "{after}");
        assert_eq!(e.retry_after(), Some(MAX_RETRY_AFTER), "{after}");
        assert!(e.to_string().ends_with("try again in 60 seconds."), "{e}");
    }
}

#[tokio::test]
async fn a_create_that_failed_was_sent_exactly_once() {
    let sim = Sim::start(&[]);
    let client = sim.client();
    for (kind, status) in [
        ("status", Some(503)),
        ("status", Some(429)),
        ("html", None),
        ("drop", None),
    ] {
        let mut rule = json!({"method": "POST", "path": LIST, "kind": kind});
        if let Some(status) = status {
            rule["status"] = json!(status);
        }
        sim.fault(rule).await;
        let before = sim.count("POST", LIST).await;
        let e = client
            .create_instance("ubuntu-22-standard", "default-network", None)
            .await
            .unwrap_err();
        assert_eq!(
            sim.count("POST", LIST).await,
            before + 1,
            "{kind} {status:?}: {e:?}"
        );
    }
    assert!(client.list_instances().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_create_that_timed_out_was_sent_once_and_may_still_have_happened() {
    let sim = Sim::start(&[]);
    let client = sim.impatient_client(Duration::from_millis(300));
    sim.fault(json!({"method": "POST", "path": LIST, "kind": "latency", "ms": 800}))
        .await;
    let e = client
        .create_instance("ubuntu-22-standard", "default-network", None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.outcome_unknown());
    assert!(
        e.to_string()
            .contains("refresh the list before trying again"),
        "{e}"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(sim.count("POST", LIST).await, 1);
    assert_eq!(
        client.list_instances().await.unwrap().len(),
        1,
        "the server finished the create after the client gave up: re-listing finds it"
    );
}

#[tokio::test]
async fn power_and_delete_are_never_retried() {
    let sim = Sim::start(&["--instances", "1"]);
    let client = sim.client();
    let id = client.list_instances().await.unwrap()[0].id.clone();
    let one = format!("{LIST}/{id}");
    sim.fault(
        json!({"method": "POST", "path": format!("{one}/*"), "kind": "status", "status": 503}),
    )
    .await;
    client.power(&id, PowerAction::Restart).await.unwrap_err();
    assert_eq!(sim.count("POST", &format!("{one}/restart")).await, 1);
    sim.fault(json!({"method": "DELETE", "path": one, "kind": "drop"}))
        .await;
    let e = client.delete_instance(&id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert_eq!(sim.count("DELETE", &one).await, 1);
}

#[tokio::test]
async fn a_slow_read_times_out_and_is_tried_again() {
    let sim = Sim::start(&["--instances", "1"]);
    let client = sim.impatient_client(Duration::from_millis(300));
    sim.fault(json!({"method": "GET", "path": LIST, "kind": "latency", "ms": 600}))
        .await;
    assert_eq!(client.list_instances().await.unwrap().len(), 1);
}

#[tokio::test]
async fn nothing_listening_is_a_network_error_that_was_never_sent() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::key_pair(KEY, SECRET))
        .retry(RetryPolicy {
            max_attempts: 2,
            ..quick_retries()
        })
        .build()
        .unwrap();
    let e = client
        .create_instance("ubuntu-22-standard", "default-network", None)
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Network, None));
    assert!(
        !e.outcome_unknown(),
        "a refused connection proves nothing was created"
    );
    assert!(e.to_string().contains("could not be reached"), "{e}");
    let e = client.list_instances().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
}

#[tokio::test]
async fn one_connection_pool_serves_every_call() {
    let sim = Sim::start(FAST);
    let client = sim.client();
    for _ in 0..20 {
        client.list_instances().await.unwrap();
    }
    let other = client.with_credentials(Credentials::key_pair(KEY, SECRET));
    other.quotas().await.unwrap();
    // The simulator logs no connections, but a fresh connection per call would show in
    // the OS: count this process's sockets to the simulator's port.
    let port = sim.base.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    let tcp = std::fs::read_to_string("/proc/self/net/tcp").unwrap();
    let hex_port = format!(":{port:04X}");
    let ours = tcp
        .lines()
        .skip(1)
        .filter(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.get(2)
                .is_some_and(|remote| remote.ends_with(&hex_port))
                && cols.get(3) == Some(&"01")
        })
        .count();
    assert_eq!(
        ours, 1,
        "all calls, from both clones, share one kept-alive connection"
    );
}
