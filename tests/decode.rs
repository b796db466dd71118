//! Nothing a server sends can panic the wire model: random and mutated JSON (huge
//! numbers, wrong types, deep nesting, long strings, cut-off bodies) fed to every decoder.
//! Seeded; a failing seed is printed and replayable with `DECODE_SEED=…`.

use compute_desk::api::{Instance, KeyPairInfo, NewSession, Quotas, SessionInfo, Template};
use serde_json::{json, Map, Value};

/// Every decoder of the wire model, over bytes as they come off the network.
fn decode_everything(bytes: &[u8]) {
    let _ = serde_json::from_slice::<Vec<Instance>>(bytes);
    let _ = serde_json::from_slice::<Instance>(bytes);
    let _ = serde_json::from_slice::<Vec<Template>>(bytes);
    let _ = serde_json::from_slice::<Quotas>(bytes).map(|q| q.max_instances());
    let _ = serde_json::from_slice::<NewSession>(bytes);
    let _ = serde_json::from_slice::<SessionInfo>(bytes);
    let _ = serde_json::from_slice::<KeyPairInfo>(bytes);
    let _ = serde_json::from_slice::<Vec<compute_desk::api::Named>>(bytes);
    // What the app derives from a decoded machine must not panic either.
    if let Ok(list) = serde_json::from_slice::<Vec<Instance>>(bytes) {
        for i in &list {
            let _ = (
                i.status.label(),
                i.status.phase(),
                i.machine_type_short(),
                i.display_name(),
            );
        }
    }
}

/// Documented and SDK examples, the seeds of mutation.
fn examples() -> Vec<Value> {
    vec![
        json!([{"id": "tw-550e84-a1b2c3d4", "userId": "550e8400", "name": "web-1",
                "zone": "us-central1-a", "machineType": "zones/us-central1-a/machineTypes/n1-standard-2",
                "externalIp": "34.123.45.67", "internalIp": "10.128.0.5", "status": "PROVISIONING",
                "templateId": "ubuntu-22-standard", "createdAt": "2025-06-01T12:00:00Z"}]),
        json!({"id": "a", "userID": "u", "status": "suspended", "externalIp": "", "labels": {"x": 1}}),
        json!([{"id": "ubuntu-22-standard", "name": "Ubuntu", "diskSizeGb": 20, "machineType": "e2"}]),
        json!({"customerId": "c", "tierName": "Pro", "quotas": {"compute-api":
                {"max_instances": {"value": 3, "description": "Maximum compute instances"}}}}),
        json!({"bearer": "b", "sessionID": "s", "expireAt": 1767225600, "verificationCodeID": "v"}),
        json!({"sessionID": "s", "userID": "u", "alias": "a", "fullName": "F", "expireAt": "2026-01-01T00:00:00Z",
               "verified": true, "roles": ["admin", {"name": "ops"}], "groups": null}),
        json!({"keyName": "k", "expireAt": "1767225600", "userName": "n", "roles": []}),
        json!(["us-central1-a", {"name": "us-east1-b"}, null]),
    ]
}

fn random_value(rng: &mut fastrand::Rng, depth: u32) -> Value {
    let strings = [
        "",
        " ",
        "RUNNING",
        "suspended",
        "2026-01-01T00:00:00Z",
        "1e400",
        "-0",
        "NaN",
        "\u{0}",
        "é漢\u{202e}",
    ];
    match rng.u32(0..if depth > 4 { 7 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => json!(rng.i64(..)),
        3 => json!(rng.u64(..)),
        4 => json!([f64::MAX, f64::MIN, 1e300, -1e19, 0.5, 1.0e-300][rng.usize(0..6)]),
        5 => json!(strings[rng.usize(0..strings.len())]),
        6 => Value::String("x".repeat(rng.usize(0..100_000))),
        7 => Value::Array(
            (0..rng.usize(0..5))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "id",
                "status",
                "expireAt",
                "quotas",
                "value",
                "compute-api",
                "max_instances",
                "diskSizeGb",
                "roles",
                "name",
                "userID",
                "bearer",
                "zone",
                "createdAt",
            ];
            Value::Object(
                (0..rng.usize(0..6))
                    .map(|_| {
                        (
                            keys[rng.usize(0..keys.len())].to_owned(),
                            random_value(rng, depth + 1),
                        )
                    })
                    .collect::<Map<_, _>>(),
            )
        }
    }
}

/// Replaces, removes or adds one thing somewhere inside `v`.
fn mutate(rng: &mut fastrand::Rng, v: &mut Value) {
    match v {
        Value::Object(map) if !map.is_empty() && rng.bool() => {
            let key = map.keys().nth(rng.usize(0..map.len())).unwrap().clone();
            match rng.u32(0..3) {
                0 => *map.get_mut(&key).unwrap() = random_value(rng, 0),
                1 => {
                    map.remove(&key);
                }
                _ => mutate(rng, map.get_mut(&key).unwrap()),
            }
        }
        Value::Array(items) if !items.is_empty() && rng.bool() => {
            let i = rng.usize(0..items.len());
            mutate(rng, &mut items[i]);
        }
        other => *other = random_value(rng, 0),
    }
}

#[test]
fn no_json_a_server_could_send_panics_a_decoder() {
    let seed = std::env::var("DECODE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("decode seed: {seed} (replay with DECODE_SEED={seed})");
    let mut rng = fastrand::Rng::with_seed(seed);
    let examples = examples();
    let mut cases = 0;
    for round in 0..3000 {
        let mut v = examples[round % examples.len()].clone();
        for _ in 0..rng.usize(1..4) {
            mutate(&mut rng, &mut v);
        }
        let bytes = serde_json::to_vec(&v).unwrap();
        decode_everything(&bytes);
        // The same, cut off anywhere, or with a byte changed.
        let cut = rng.usize(0..=bytes.len());
        decode_everything(&bytes[..cut]);
        let mut flipped = bytes.clone();
        if !flipped.is_empty() {
            let i = rng.usize(0..flipped.len());
            flipped[i] = rng.u8(..);
        }
        decode_everything(&flipped);
        decode_everything(&serde_json::to_vec(&random_value(&mut rng, 0)).unwrap());
        cases += 4;
    }
    // Nesting far past any parser's stack, and numbers past every integer type.
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    decode_everything(deep.as_bytes());
    let deep_object = "{\"quotas\":".repeat(50_000) + "1" + &"}".repeat(50_000);
    decode_everything(deep_object.as_bytes());
    for number in [
        "1e999999",
        "-1e19",
        "123456789012345678901234567890",
        "-9223372036854775809",
    ] {
        for template in [
            r#"{"id":"a","status":N,"createdAt":N}"#,
            r#"{"expireAt":N,"keyName":N}"#,
            r#"{"quotas":{"compute-api":{"max_instances":{"value":N}}}}"#,
            r#"[{"id":"t","diskSizeGb":N}]"#,
        ] {
            decode_everything(template.replace('N', number).as_bytes());
            cases += 1;
        }
    }
    assert!(cases > 12_000, "{cases} cases");
}
