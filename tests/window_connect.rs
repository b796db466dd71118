//! Connect in the real window: from a running machine's row, SSH first for a Linux
//! template, the user name typed once and remembered; the terminal of this computer (first
//! on the app's PATH) started with `ssh user@address` for the machine's address, without
//! the variables the app set for itself; Remote Desktop, while no client is installed,
//! saying which program to install, then, once one is on the PATH (no restart), opening an
//! `.rdp` file for the address, read field by field; the last way chosen offered first
//! next time. The programs are stand-ins that write down how they were started: the real
//! ones are the desktop's, not ours. Run with `bash .ci/session cargo test`.

mod common;

use std::path::{Path, PathBuf};

use common::desktop::{one_window_at_a_time, press, sign_in_with_key, sim_with, Desktop, Home};
use compute_desk::connect::rdp;

/// A program `name` in `dir` that writes its arguments, one a line, and the app's own
/// variables it was started with, to `<dir>/<name>.started`, then ends.
fn recording_program(dir: &Path, name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let record = dir.join(format!("{name}.started"));
    let script = dir.join(name);
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n{{ printf '%s\\n' \"$@\"; env | grep -E '^(GDK_GL=|WEBKIT_DISABLE_DMABUF_RENDERER=|JSC_)' | sort; }} > '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    record
}

/// What the Connect dialog offers: each way's button (its words, enabled) and what it says.
async fn ways(app: &Desktop) -> Vec<(String, bool, String)> {
    let ways = app
        .until(
            "the Connect dialog",
            "const d = document.getElementById('connect');
             const ways = [...document.querySelectorAll('#connect-ways .connect-way')];
             if (!d.open || !ways.length) return null;
             return ways.map((w) => [w.querySelector('button').textContent, !w.querySelector('button').disabled, w.querySelector('p').textContent]);",
        )
        .await;
    serde_json::from_value(ways).unwrap()
}

/// Waits for `record` to be written and gives its lines.
async fn started(app: &Desktop, record: &Path) -> Vec<String> {
    app.poll(
        std::time::Duration::from_secs(10),
        &format!("{} was never started", record.display()),
        || async {
            let text = std::fs::read_to_string(record).ok()?;
            Some(text.lines().map(str::to_owned).collect())
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_opens_ssh_in_the_terminal_and_remote_desktop_with_an_rdp_file_for_the_address() {
    let _one = one_window_at_a_time();
    let inherited = std::env::var("PATH").unwrap();
    for client in ["remmina", "xfreerdp3", "xfreerdp", "sdl-freerdp3"] {
        assert!(
            !std::env::split_paths(&inherited).any(|d| d.join(client).exists()),
            "this test needs a machine without {client}, to see its absence said"
        );
    }
    let bin = tempfile::tempdir().unwrap();
    let terminal = recording_program(bin.path(), "x-terminal-emulator");
    recording_program(bin.path(), "ssh");
    let sim = sim_with(&["--speed", "2", "--instances", "6"]);
    let home = Home::new();
    let path = format!("{}:{inherited}", bin.path().display());
    let mut app = Desktop::launch(&home, &[], &[("PATH", &path)]).await;
    sign_in_with_key(&app, &sim).await;
    let (id, name) = sim.running().await.remove(0);
    app.until_state(&name, "● Running").await;
    let address = app
        .js(&format!(
            "const t = document.querySelector('#rows tr.machine[data-id={}]'); return t.children[5].querySelector('.ip').firstChild.textContent;",
            serde_json::json!(id)
        ))
        .await
        .as_str()
        .unwrap()
        .to_owned();
    assert!(address.parse::<std::net::IpAddr>().is_ok(), "{address:?}");
    // A machine that is not running offers no Connect.
    let stopped_connects = app
        .js("return [...document.querySelectorAll('#rows tr.machine')].filter((t) => !/Running/.test(t.children[2].innerText) && t.querySelector('button.connect')).length;")
        .await;
    assert_eq!(stopped_connects, 0);

    // From its row: SSH first (a Linux template), Remote Desktop saying what to install.
    app.click(&format!("Connect to {name}…")).await;
    let offered = ways(&app).await;
    assert_eq!(offered[0].0, "Open SSH in a terminal");
    assert!(offered[0].1, "{offered:?}");
    assert_eq!(offered[1].0, "Open Remote Desktop");
    assert!(!offered[1].1, "no client: off");
    assert!(
        offered[1].2.contains("install Remmina (or FreeRDP)"),
        "{offered:?}"
    );
    assert_eq!(app.focused().await, "User name");
    press(&app, &["ana"]).await;
    let says = app.text_of("#connect-says-ssh").await;
    assert_eq!(says, format!("Opens the terminal with: ssh ana@{address}"));
    app.screenshot("34-connect").await;
    app.assert_accessible("connect dialog").await;
    // Enter: the first way.
    press(&app, &["\u{e007}"]).await;
    let args = started(&app, &terminal).await;
    assert_eq!(
        args,
        ["-e", "ssh", &format!("ana@{address}")],
        "and none of the app's variables"
    );
    app.until(
        "the dialog closed",
        "return !document.getElementById('connect').open",
    )
    .await;

    // A Remote Desktop client installed meanwhile is found; the user name is remembered.
    let client = recording_program(bin.path(), "xfreerdp");
    app.click(&format!("Connect to {name}…")).await;
    let offered = ways(&app).await;
    assert_eq!(
        offered[0].0, "Open SSH in a terminal",
        "the last way chosen first"
    );
    assert_eq!(
        offered[1],
        (
            "Open Remote Desktop".to_owned(),
            true,
            "Opens in FreeRDP. The machine asks for the password.".to_owned()
        )
    );
    let user = app
        .js("return document.getElementById('connect-user').value;")
        .await;
    assert_eq!(user, "ana");
    app.click("Open Remote Desktop").await;
    let args = started(&app, &client).await;
    assert_eq!(args.len(), 1, "the .rdp file alone: {args:?}");
    let file = PathBuf::from(&args[0]);
    assert!(file.starts_with(home.config_dir()), "{}", file.display());
    let fields = rdp::fields(&std::fs::read_to_string(&file).unwrap());
    let field = |n: &str| fields.get(n).map(|(k, v)| format!("{k}:{v}"));
    assert_eq!(field("full address"), Some(format!("s:{address}")));
    assert_eq!(field("username"), Some("s:ana".into()));
    assert_eq!(field("prompt for credentials"), Some("i:1".into()));
    assert!(!fields.keys().any(|k| k.contains("password")));

    // Remote Desktop chosen last: offered first now, and kept in names.json.
    app.until(
        "the dialog closed",
        "return !document.getElementById('connect').open",
    )
    .await;
    app.click(&format!("Connect to {name}…")).await;
    assert_eq!(ways(&app).await[0].0, "Open Remote Desktop");
    let names: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.config_dir().join("names.json")).unwrap(),
    )
    .unwrap();
    let kept = names["accounts"]
        .as_object()
        .unwrap()
        .values()
        .find_map(|a| a["machines"].get(&id))
        .cloned()
        .unwrap();
    assert_eq!(kept["user"], "ana");
    assert_eq!(kept["connectWith"], "remoteDesktop");
    app.quit().await;
}
