//! `compute-desk-cli` as a person or a script runs it, against a `compute-sim` process.

mod common;

use std::process::{Command, Output};

use common::{Sim, KEY, SECRET, STEADY};
use serde_json::{json, Value};

fn cli(sim: &Sim, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_compute-desk-cli"))
        .arg("--api-base")
        .arg(&sim.base)
        .args(args)
        .env_clear()
        .env("THREATWINDS_API_KEY", KEY)
        .env("THREATWINDS_API_SECRET", SECRET)
        .output()
        .expect("the CLI runs")
}

/// The CLI as a person runs it beside the desktop app: no credentials in the environment,
/// the app's settings under `home`, the private keyring session's bus.
fn beside_the_app(home: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_compute-desk-cli"));
    command
        .args(args)
        .env_clear()
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home);
    if let Ok(bus) = std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        command.env("DBUS_SESSION_BUS_ADDRESS", bus);
    }
    command
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn list_prints_an_aligned_table() {
    let sim = Sim::start(&["--instances", "12"]);
    let out = cli(&sim, &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 13, "a header and a row per machine:\n{text}");
    assert!(lines[0].starts_with("ID "));
    for column in [
        "NAME",
        "STATE",
        "ZONE",
        "TYPE",
        "EXTERNAL IP",
        "INTERNAL IP",
        "TEMPLATE",
        "CREATED",
    ] {
        let at = lines[0]
            .find(column)
            .unwrap_or_else(|| panic!("no {column} column"));
        // Aligned: every row has a column boundary (two spaces) just before it.
        for row in &lines[1..] {
            assert_eq!(&row[at - 2..at], "  ", "{column} misaligned in {row:?}");
        }
    }
    assert!(text.contains("Running") && text.contains("n1-standard-2") && text.contains("web-1"));
}

#[test]
fn json_prints_the_api_objects() {
    let sim = Sim::start(&["--instances", "5"]);
    let out = cli(&sim, &["list", "--json"]);
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 5);
    let id = list[0]["id"].as_str().unwrap();
    assert!(list[0]["status"].is_string() && list[0]["machineType"].is_string());

    let one: Value = serde_json::from_slice(&cli(&sim, &["--json", "get", id]).stdout).unwrap();
    assert_eq!(one["id"], id);
    let templates: Value =
        serde_json::from_slice(&cli(&sim, &["templates", "--json"]).stdout).unwrap();
    assert!(templates
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "ubuntu-22-standard"));
    let quota: Value = serde_json::from_slice(&cli(&sim, &["quota", "--json"]).stdout).unwrap();
    assert_eq!(quota["quotas"]["compute-api"]["max_instances"]["value"], 3);
}

#[test]
fn zones_and_a_create_in_one_from_the_terminal_on_an_sdk_server() {
    let sim = Sim::start(&["--dialect", "sdk", "--rate-limit", "0"]);
    let out = cli(&sim, &["zones", "ubuntu-24-small"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "us-central1-a\nus-east1-b\n"
    );
    let out = cli(
        &sim,
        &[
            "--json",
            "create",
            "--template",
            "ubuntu-24-small",
            "--config",
            "default-network",
            "--zone",
            "us-east1-b",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["zone"], "us-east1-b");
    let docs = Sim::start(&[]);
    let out = cli(&docs, &["zones", "ubuntu-24-small"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not list zones"));
}

#[test]
fn create_power_and_delete_from_the_terminal() {
    let sim = Sim::start(STEADY);
    let out = cli(
        &sim,
        &[
            "--json",
            "create",
            "--template",
            "ubuntu-24-small",
            "--config",
            "default-network",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["status"], "PROVISIONING");
    let id = created["id"].as_str().unwrap().to_owned();

    let running = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        stdout(&cli(&sim, &["get", &id])).contains("Running")
    });
    assert!(running);
    let out = cli(&sim, &["stop", &id]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        format!("{id} is shutting down; `compute-desk-cli get {id}` shows its state.\n")
    );
    assert!(stdout(&cli(&sim, &["get", &id])).contains("Shutting down"));
    let out = cli(&sim, &["stop", &id]);
    assert!(!out.status.success(), "stopping twice is refused");
    assert!(
        stderr(&out).contains("wait until the current operation finishes"),
        "{}",
        stderr(&out)
    );
    assert!(cli(&sim, &["delete", &id]).status.success());
    assert!(stdout(&cli(&sim, &["quota"])).contains("Pro: 0 of 3 machines used."));
}

#[tokio::test]
async fn a_failure_is_one_sentence_with_the_servers_words_and_support_code() {
    let sim = Sim::start(&[]);
    sim.fault(
        json!({"method": "GET", "path": "/api/compute/v1/instances", "kind": "status",
                     "status": 500, "message": "Cloud backend unavailable", "times": 0}),
    )
    .await;
    let out = cli(&sim, &["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("Could not list your machines: ThreatWinds reported a problem on its side"),
        "{err}"
    );
    assert!(
        err.contains("\u{201c}Cloud backend unavailable\u{201d}"),
        "{err}"
    );
    let code: String = err
        .split("Support code: ")
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    // The service's support code, a UUID, whole.
    assert!(code.len() == 36, "{err}");
    // And whose credentials were used.
    assert!(
        err.trim_end()
            .ends_with("(Using the credentials in the environment.)"),
        "{err}"
    );
    assert_eq!(
        code.split('-').map(str::len).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{err}"
    );
}

#[test]
fn a_fault_given_at_start_applies_too() {
    let rule = r#"{"path":"/api/billing/v1/quotas","kind":"status","status":403,"message":"Billing says no"}"#;
    let sim = Sim::start(&["--fault", rule]);
    let out = cli(&sim, &["quota"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("\u{201c}Billing says no\u{201d}"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn whoami_says_whose_key_it_is() {
    let sim = Sim::start(&[]);
    let out = cli(&sim, &["whoami"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("API key \u{201c}Demo key\u{201d} of Demo User (demo@computedesk.example), valid until 20"), "{text}");
}

#[test]
fn a_bearer_token_from_the_environment_works() {
    let sim = Sim::start(&[]);
    let out = Command::new(env!("CARGO_BIN_EXE_compute-desk-cli"))
        .args(["--api-base", &sim.base, "whoami"])
        .env_clear()
        .env("THREATWINDS_BEARER", "not-a-real-session")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("Could not load your account: your sign-in has expired"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_or_doubled_credentials_and_insecure_addresses_are_refused_up_front() {
    let run = |env: &[(&str, &str)], base: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_compute-desk-cli"));
        c.args(["--api-base", base, "list"]).env_clear();
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = run(&[], "http://127.0.0.1:9");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("Not signed in: set THREATWINDS_API_KEY"));
    let out = run(
        &[
            ("THREATWINDS_API_KEY", "k"),
            ("THREATWINDS_API_SECRET", "s"),
            ("THREATWINDS_BEARER", "b"),
        ],
        "http://127.0.0.1:9",
    );
    assert!(stderr(&out).contains("not both"));
    let out = run(
        &[
            ("THREATWINDS_API_KEY", "k"),
            ("THREATWINDS_API_SECRET", "s"),
        ],
        "http://apis.threatwinds.com",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("The server address must start with https://"),
        "{}",
        stderr(&out)
    );
}

/// `compute-desk --version` answers without a display, and says `Cargo.toml`'s version,
/// the one place it is written: `tauri.conf.json` (which the packages are named after)
/// names none, so Tauri takes the same.
#[test]
fn the_app_says_its_version_without_a_display() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_compute-desk"))
        .arg("--version")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success());
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("Compute Desk {version}\n")
    );
    let conf: Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    assert_eq!(
        conf.get("version"),
        None,
        "the version is written once, in Cargo.toml"
    );
}

/// The accounts the desktop app keeps are listed (never a secret) and used by one rule:
/// `--account`, then the environment, then the account the app used last; `--verbose`
/// and every error say which was taken and why. Needs the private keyring session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_accounts_are_listed_and_used_by_one_rule() {
    common::assert_in_session();
    let sim = Sim::start(&["--instances", "2"]);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("app.computedesk.desktop");
    // The desktop app signs in, with the keyring service it always uses.
    let desk = common::desk_at(&config, &compute_desk::vault::Vault::default());
    let view = desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    // Named by the person in the app, as the command line may name it too.
    desk.edit_account(&view.accounts[0].id, "Test lab", "teal")
        .await
        .unwrap();
    let run = |args: &[&str], with_env: bool| {
        let mut command = beside_the_app(home.path(), args);
        if with_env {
            command
                .env("THREATWINDS_API_BASE", &sim.base)
                .env("THREATWINDS_API_KEY", KEY)
                .env("THREATWINDS_API_SECRET", SECRET);
        }
        command.output().expect("the CLI runs")
    };

    let out = run(&["accounts"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("1*") && table.contains("api key"), "{table}");
    assert!(
        table.contains("NAME") && table.contains("Test lab"),
        "{table}"
    );
    assert!(table.contains("demo@computedesk.example"), "{table}");
    let listed = run(&["accounts", "--json"], false);
    let listed = stdout(&listed);
    assert!(!listed.contains(SECRET), "a secret listed");
    let accounts: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(accounts.as_array().unwrap().len(), 1);

    // --account first, with no credentials in the environment.
    let out = run(&["--account", "1", "--verbose", "list"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
    assert!(stderr(&out).contains("(--account)"), "{}", stderr(&out));
    // By the name the person gave it, in any case.
    let out = run(&["--account", "test LAB", "--verbose", "list"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the account Test lab (demo@computedesk.example on"),
        "{}",
        stderr(&out)
    );
    // Nothing said: the account used last.
    let out = run(&["--verbose", "list"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("used last in Compute Desk"),
        "{}",
        stderr(&out)
    );
    // The environment before the account used last.
    let out = run(&["--verbose", "list"], true);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the credentials in the environment"),
        "{}",
        stderr(&out)
    );
    // An account that is not kept: said, with the ones that are.
    let out = run(&["--account", "nobody", "list"], false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("demo@computedesk.example on"),
        "{}",
        stderr(&out)
    );

    // Two accounts given the same name: neither is picked silently, both are listed by
    // their numbers (issue 31: the first was taken).
    let other = Sim::start(&["--instances", "1"]);
    let view = desk
        .sign_in_with_key(&other.base, KEY, SECRET)
        .await
        .unwrap();
    desk.edit_account(&view.accounts[1].id, "Test lab", "red")
        .await
        .unwrap();
    let out = run(&["--account", "test lab", "list"], false);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("2 accounts are called \"test lab\": 1 Test lab (")
            && said.contains(", 2 Test lab ("),
        "{said}"
    );
    let out = run(&["--account", "2", "list"], false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    desk.sign_out().await;

    desk.sign_out().await;
    let out = run(&["list"], false);
    assert_eq!(out.status.code(), Some(2), "signed out everywhere");
    assert!(stderr(&out).contains("Not signed in"), "{}", stderr(&out));
}

/// Office hours from the terminal: set for the account the app used last, checked against
/// its machines, listed with their next change, changed, removed; every mistake said in
/// one sentence, and nothing written by a refused command. Needs the private keyring
/// session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_are_set_listed_and_removed_for_an_account() {
    common::assert_in_session();
    let sim = Sim::start(&["--instances", "2"]);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("app.computedesk.desktop");
    let run = |args: &[&str]| {
        beside_the_app(home.path(), args)
            .output()
            .expect("the CLI runs")
    };
    // No account yet: said, and how to get one.
    let out = run(&["schedule", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Schedules belong to an account"),
        "{}",
        stderr(&out)
    );

    let desk = common::desk_at(&config, &compute_desk::vault::Vault::default());
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    let ids = sim.listed("name").await;
    let (first, second) = (ids[0].0.as_str(), ids[1].0.as_str());
    let machines = format!("{first},{second}");

    let madrid = "Europe/Madrid";
    let refused = [
        (
            vec!["--machines", "nope-1", "--on", "08:00", "--zone", madrid],
            "has no machine nope-1",
        ),
        (
            vec!["--machines", first, "--on", "25:00", "--zone", madrid],
            "not a time of day",
        ),
        (vec!["--machines", first, "--zone", madrid], "Say when"),
        (
            vec![
                "--machines",
                first,
                "--on",
                "08:00",
                "--off",
                "08:00",
                "--zone",
                madrid,
            ],
            "the same",
        ),
        (
            vec![
                "--machines",
                first,
                "--on",
                "8:00",
                "--zone",
                "Mars/Olympus",
            ],
            "not a time zone",
        ),
        (
            vec![
                "--machines",
                first,
                "--on",
                "8:00",
                "--days",
                "funday",
                "--zone",
                madrid,
            ],
            "not a day of the week",
        ),
        (
            vec![
                "--machines",
                first,
                "--on",
                "8:00",
                "--skip",
                "25/12",
                "--zone",
                madrid,
            ],
            "not a date",
        ),
    ];
    for (extra, said) in refused {
        let mut args = vec!["schedule", "set"];
        args.extend(extra.iter().copied());
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?} was kept");
        assert!(stderr(&out).contains(said), "{args:?}: {}", stderr(&out));
    }
    assert!(
        !config.join("schedules.json").exists(),
        "nothing refused was written"
    );

    let out = run(&[
        "schedule",
        "set",
        "--machines",
        &machines,
        "--days",
        "weekdays",
        "--on",
        "8:00",
        "--off",
        "19:00",
        "--zone",
        "Europe/Madrid",
        "--skip",
        "2026-12-25",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["--json", "schedule", "list"]);
    let kept: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kept = &kept.as_array().unwrap()[0];
    assert_eq!(kept["machines"], json!([first, second]));
    assert_eq!(kept["days"], json!(["mon", "tue", "wed", "thu", "fri"]));
    assert_eq!(
        (kept["on"].as_str(), kept["off"].as_str()),
        (Some("08:00"), Some("19:00"))
    );
    assert_eq!(kept["skip"], json!(["2026-12-25"]));
    let id = kept["id"].as_str().unwrap().to_owned();
    let table = stdout(&run(&["schedule", "list"]));
    assert!(
        table.contains("mon,tue,wed,thu,fri") && table.contains("Europe/Madrid"),
        "{table}"
    );
    let next = table.lines().nth(1).unwrap();
    assert!(
        next.contains(" on 20") || next.contains(" off 20"),
        "the next change: {table}"
    );

    // Changed by its id; an id that is not there is said.
    let out = run(&[
        "schedule",
        "set",
        "--id",
        &id,
        "--machines",
        first,
        "--off",
        "18:30",
        "--zone",
        "Asia/Kolkata",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["--json", "schedule", "list"]);
    let kept: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(kept.as_array().unwrap().len(), 1);
    assert_eq!(kept[0]["off"], "18:30");
    assert_eq!(kept[0]["zone"], "Asia/Kolkata");
    assert!(kept[0].get("on").is_none());
    let out = run(&[
        "schedule",
        "set",
        "--id",
        "s-none",
        "--machines",
        first,
        "--off",
        "18:30",
        "--zone",
        madrid,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no schedule \"s-none\""),
        "{}",
        stderr(&out)
    );

    let out = run(&["schedule", "remove", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["schedule", "remove", &id]);
    assert_eq!(out.status.code(), Some(2));
    let file = std::fs::read_to_string(config.join("schedules.json")).unwrap();
    assert!(!file.contains(SECRET) && !file.contains(first), "{file}");
    desk.sign_out().await;
}

/// Names from the terminal, in the app's own file: set and listed for the account the app
/// used last, and shown first where a machine is listed; exported as colleagues share them and imported into another computer's
/// settings, a conflict kept as it was unless `--theirs` names the machine; a file that is
/// not a names file refused in the app's words, nothing written. Needs the private keyring
/// session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_set_listed_exported_and_imported_in_the_apps_files() {
    common::assert_in_session();
    let sim = Sim::start(&["--instances", "2"]);
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ids = sim.listed("name").await;
    let (first, second) = (ids[0].0.as_str(), ids[1].0.as_str());
    for home in [&one, &two] {
        let config = home.path().join("app.computedesk.desktop");
        let desk = common::desk_at(&config, &compute_desk::vault::Vault::default());
        desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    }
    let run = |home: &tempfile::TempDir, args: &[&str]| {
        beside_the_app(home.path(), args)
            .output()
            .expect("the CLI runs")
    };

    let out = run(
        &one,
        &[
            "names",
            "set",
            first,
            "--name",
            "Accounting PC",
            "--groups",
            "Accounting,Test lab",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&one, &["names", "set", second, "--name", &"x".repeat(81)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at most 80 characters"),
        "{}",
        stderr(&out)
    );
    let table = stdout(&run(&one, &["names", "list"]));
    assert!(
        table.contains("Accounting PC")
            && table.contains("Accounting, Test lab")
            && !table.contains(second),
        "{table}"
    );

    // The machines listed and shown with the given name first, the service's beside it.
    let out = run(&one, &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("Accounting PC ({})", ids[0].1)),
        "{}",
        stdout(&out)
    );
    let out = run(&one, &["get", first]);
    assert!(
        stdout(&out).contains("Groups        Accounting, Test lab"),
        "{}",
        stdout(&out)
    );

    let shared = one.path().join("shared.json");
    let out = run(
        &one,
        &["names", "export", "--file", shared.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&shared).unwrap()).unwrap();
    assert_eq!(file["format"], "compute-desk-names");
    assert_eq!(file["machines"][first]["name"], "Accounting PC");

    // The other computer names the machine otherwise: kept, unless --theirs.
    let out = run(&two, &["names", "set", first, "--name", "Contabilidad"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&two, &["names", "import", shared.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("this computer's is kept"),
        "{}",
        stderr(&out)
    );
    let kept = |home: &tempfile::TempDir| -> Value {
        serde_json::from_slice(&run(home, &["--json", "names", "list"]).stdout).unwrap()
    };
    assert_eq!(kept(&two)[first]["name"], "Contabilidad");
    assert_eq!(
        kept(&two)[first]["groups"],
        json!(["Accounting", "Test lab"])
    );
    let out = run(
        &two,
        &[
            "names",
            "import",
            shared.to_str().unwrap(),
            "--theirs",
            first,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(kept(&two)[first]["name"], "Accounting PC");

    // Not a names file: refused in the app's words, nothing written.
    let before = std::fs::read(two.path().join("app.computedesk.desktop/names.json")).unwrap();
    let bad = two.path().join("bad.json");
    std::fs::write(&bad, r#"{"hello": 1}"#).unwrap();
    let out = run(&two, &["names", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a names file exported by Compute Desk"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(two.path().join("app.computedesk.desktop/names.json")).unwrap(),
        before
    );
}
