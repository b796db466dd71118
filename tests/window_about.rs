//! About, in the real window: what it says agrees with Cargo.toml and tauri.conf.json (and
//! names no homepage or updates address where the build was given none), its
//! "Copy details" puts them on the desktop's clipboard, and "Open log folder" hands that
//! folder, and nothing else, to the desktop's file manager, without the app's own WebKit
//! and GTK settings.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use std::path::Path;
use std::time::Duration;

use common::desktop::{clipboard, one_window_at_a_time, Desktop, Home, WAIT};
use serde_json::json;

/// The desktop's opener, as far as this test can see it: an `xdg-open` first on the app's
/// PATH that writes down what it was asked to open, then which of the variables the app
/// sets for itself (window/rendering.rs, window/javascript.rs) it was started with. (The file manager it would start is the
/// desktop's, not ours.)
fn recording_opener(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let record = dir.join("opened");
    let script = dir.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n{{ printf '%s\\n' \"$@\"; env | grep -E '^(GDK_GL=|WEBKIT_DISABLE_DMABUF_RENDERER=|WEBKIT_WEB_RENDER_DEVICE_FILE=|JSC_)' | sort; }} >> '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    record
}

async fn about_facts(app: &Desktop) -> serde_json::Value {
    app.until(
        "the About dialog",
        "const d = document.getElementById('about');
         if (!d.open || !document.getElementById('about-version').textContent) return null;
         const t = (id) => document.getElementById(id).textContent;
         return {version: t('about-version'), licence: t('about-licence'), log: t('about-log'),
                 system: t('about-system'), homepage: t('about-homepage'),
                 homepageShown: !document.getElementById('about-homepage-label').hidden,
                 updates: t('about-updates'),
                 copyright: t('about-copyright'), focused: document.activeElement.id};",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn about_agrees_with_the_package_copies_its_details_and_opens_only_the_log_folder() {
    let _one = one_window_at_a_time();
    let home = Home::new();
    let bin = tempfile::tempdir().unwrap();
    let opened = recording_opener(bin.path());
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap()
    );
    // A setting of the person's own, which programs the app starts must keep.
    let app = Desktop::launch(&home, &[], &[("PATH", &path), ("JSC_useDFGJIT", "1")]).await;

    let config: serde_json::Value =
        serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let log_folder = home
        .root()
        .join("data")
        .join(config["identifier"].as_str().unwrap())
        .join("logs");
    let log_file = log_folder.join("compute-desk.log");

    // From the sign-in screen: someone who cannot sign in still finds the log.
    app.click("About Compute Desk").await;
    let facts = about_facts(&app).await;
    assert_eq!(facts["version"], version);
    assert_eq!(facts["licence"], config["bundle"]["license"]);
    // As the release configured it (`.ci/release`); the tests' build had none.
    match option_env!("COMPUTE_DESK_HOMEPAGE") {
        Some(homepage) if !homepage.trim().is_empty() => {
            assert_eq!(facts["homepage"], homepage.trim())
        }
        _ => assert_eq!(
            (&facts["homepage"], &facts["homepageShown"]),
            (&json!(""), &json!(false))
        ),
    }
    match option_env!("COMPUTE_DESK_UPDATES_URL") {
        Some(url) if !url.trim().is_empty() => assert!(
            facts["updates"].as_str().unwrap().contains(url.trim()),
            "{facts}"
        ),
        _ => assert_eq!(
            facts["updates"],
            "This copy does not update itself: ask whoever gave it to you for a new version."
        ),
    }
    assert_eq!(facts["copyright"], config["bundle"]["copyright"]);
    assert_eq!(facts["log"], json!(log_file.display().to_string()));
    assert!(
        facts["system"]
            .as_str()
            .unwrap()
            .ends_with(std::env::consts::ARCH),
        "{facts}"
    );
    assert_eq!(facts["focused"], "about-close", "focus starts on Close");
    assert!(log_file.exists(), "the log file it names exists");
    app.click("Close").await;
    app.until(
        "About closed",
        "return !document.getElementById('about').open",
    )
    .await;

    // From the machines screen's top bar: Help, then About.
    app.click("Try the demo").await;
    app.until(
        "the demo's machines",
        "return document.querySelectorAll('#rows tr.machine').length > 0",
    )
    .await;
    app.click("Help").await;
    app.click("About Compute Desk").await;
    about_facts(&app).await;
    app.screenshot("20-about").await;
    let mut app = app;
    app.assert_accessible("About").await;

    app.click("Copy details").await;
    let copied = app
        .poll(WAIT, "the details on the clipboard", || async {
            let text = clipboard();
            text.contains(version).then_some(text)
        })
        .await;
    assert!(
        copied.starts_with(&format!("Compute Desk {version}\n")),
        "{copied}"
    );
    assert!(copied.contains("Licence: MIT"), "{copied}");
    assert!(
        copied.contains(&format!("Log file: {}", log_file.display())),
        "{copied}"
    );

    app.click("Open log folder").await;
    let asked = app
        .poll(WAIT, "the log folder handed to xdg-open", || async {
            std::fs::read_to_string(&opened)
                .ok()
                .filter(|text| text.lines().count() >= 2)
        })
        .await;
    // The folder, and of the variables, only the person's own: the app's (no GL in GTK,
    // WebKit's renderer and render device) stay with the app.
    assert_eq!(
        asked.lines().collect::<Vec<_>>(),
        [&*log_folder.display().to_string(), "JSC_useDFGJIT=1"]
    );
    assert!(app.text_of("#about-problem").await.is_empty());

    // The page names no path: the opener plugin is not there to be asked for another
    // file, folder or program, and `open_log_folder` opens its folder whatever it is sent.
    let file = log_file.display().to_string();
    let folder = log_folder.display().to_string();
    let refused = app
        .js_async(&format!(
            "const done = arguments[arguments.length - 1];
             const tries = [{{path: '/etc'}}, {{path: {file}}}, {{path: {folder}, with: 'sh'}},
                            {{path: {parent}}}];
             const inv = window.__TAURI__.core.invoke;
             Promise.all(tries.map((args) => inv('plugin:opener|open_path', args)
                 .then(() => 'opened', (e) => String(e))))
               .then(done);",
            file = json!(file),
            folder = json!(folder),
            parent = json!(log_folder.parent().unwrap().display().to_string()),
        ))
        .await;
    for answer in refused.as_array().unwrap() {
        assert!(answer.as_str().unwrap().contains("not found"), "{refused}");
    }
    app.js_async(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('open_log_folder', {path: '/etc'}).then(done, done);",
    )
    .await;
    let asked = app
        .poll(WAIT, "the second opening", || async {
            let text = std::fs::read_to_string(&opened).unwrap();
            (text.lines().count() > 2).then_some(text)
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let folder = log_folder.display().to_string();
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap(),
        asked,
        "nothing more was opened"
    );
    assert_eq!(
        asked.lines().collect::<Vec<_>>(),
        [&*folder, "JSC_useDFGJIT=1", &*folder, "JSC_useDFGJIT=1"],
        "xdg-open was asked twice, for the log folder alone"
    );
    app.quit().await;
}

/// The first start after an update shows what is new in the version now running, from the
/// changelog built into the app, in the person's language; once: the next start does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_after_an_update_says_whats_new_once() {
    use compute_desk::i18n::Lang;
    use compute_desk::whats_new::{entry, CHANGELOG, VERSION};
    let _one = one_window_at_a_time();
    let home = Home::new();
    // Settings as the version before left them, in Spanish, in the demo.
    std::fs::create_dir_all(home.config_dir()).unwrap();
    std::fs::write(
        home.config_dir().join("settings.json"),
        r#"{"demo": true, "language": "es", "seenVersion": "0.0.1"}"#,
    )
    .unwrap();
    let shown = "const d = document.getElementById('whats-new');
         return d.open && [document.getElementById('whats-new-title').textContent,
           [...document.querySelectorAll('#whats-new-items li')].map((li) => li.textContent),
           document.activeElement.id];";
    let app = Desktop::launch(&home, &[], &[]).await;
    let news = app.until("What's new", shown).await;
    assert_eq!(news[0], format!("Novedades de Compute Desk {VERSION}"));
    assert_eq!(news[1], json!(entry(CHANGELOG, VERSION, Lang::Es).unwrap()));
    assert_eq!(news[2], "whats-new-close");
    app.screenshot("21-whats-new").await;
    let mut app = app;
    app.assert_accessible("What's new").await;
    app.click("Cerrar").await;
    app.until(
        "closed",
        "return !document.getElementById('whats-new').open",
    )
    .await;
    app.quit().await;
    let settings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.config_dir().join("settings.json")).unwrap())
            .unwrap();
    assert_eq!(settings["seenVersion"], VERSION);

    // The next start: the list, and no What's new.
    let app = Desktop::launch(&home, &[], &[]).await;
    app.until(
        "the demo's machines",
        "return document.querySelectorAll('#rows tr.machine').length > 0",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open = app
        .js("return document.getElementById('whats-new').open")
        .await;
    assert_eq!(open, json!(false));
    app.quit().await;
}
