//! The real app window, driven through WebDriver: `tauri-driver` in front of
//! WebKitWebDriver, which starts the `compute-desk` binary. Needs an X display, and for
//! the keyring a D-Bus session with gnome-keyring: `bash .ci/session cargo test` has both.
//!
//! Controls are found by their accessible names ("Shut down web-1"), as a person using a
//! screen reader would find them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The app's configuration and data directories, kept across launches (a relaunch finds
/// the same settings), deleted at the end of the test.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.root().join("config/app.computedesk.desktop")
    }
}

/// One app at a time: WebKit is heavy on two cores, and a second window would hand its
/// launch over to the first through the single-instance plugin.
pub fn one_window_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();
    let lock = LOCK.get_or_init(|| tokio::sync::Mutex::new(()));
    loop {
        if let Ok(guard) = lock.try_lock() {
            return guard;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver() -> PathBuf {
    let in_cargo = dirs_home().join(".cargo/bin/tauri-driver");
    if in_cargo.exists() {
        in_cargo
    } else {
        PathBuf::from("tauri-driver")
    }
}

fn dirs_home() -> PathBuf {
    PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
}

/// Where screenshots go for people to look at: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

pub struct Desktop {
    driver: Child,
    pub web: Client,
    /// The axe-core source, injected on demand.
    axe_loaded: bool,
}

pub const WAIT: Duration = Duration::from_secs(20);

impl Desktop {
    /// Starts the app with `args`, its directories in `home`, and `env` added.
    pub async fn launch(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Desktop {
        Desktop::launch_binary(home, env!("CARGO_BIN_EXE_compute-desk"), args, env).await
    }

    /// Starts another window binary (the benchmark's bare window) the same way.
    pub async fn launch_binary(
        home: &Home,
        binary: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Desktop {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the window tests need an X display; run them with `bash .ci/session cargo test`"
        );
        let port = free_port();
        let native_port = free_port();
        let mut command = Command::new(tauri_driver());
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("XDG_CONFIG_HOME", home.root().join("config"))
            .env("XDG_DATA_HOME", home.root().join("data"))
            .env("XDG_CACHE_HOME", home.root().join("cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let driver = command
            .spawn()
            .expect("tauri-driver runs (bash .ci/setup installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({"application": binary, "args": args}),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let web = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(connector)
                .capabilities(caps)
                .connect(&url),
        )
        .await
        .expect("the app window opens within a minute")
        .expect("WebDriver session");
        Desktop {
            driver,
            web,
            axe_loaded: false,
        }
    }

    /// Ends the session (the app exits) and stops tauri-driver with SIGTERM, so its
    /// WebKitWebDriver child goes too (SIGKILL would leak it, see platform-notes).
    pub async fn quit(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.web.clone().close()).await;
        let _ = Command::new("kill")
            .args(["-TERM", &self.driver.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.driver.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    pub async fn js(&self, script: &str) -> Value {
        self.web.execute(script, vec![]).await.expect(script)
    }

    pub async fn js_async(&self, script: &str) -> Value {
        self.web.execute_async(script, vec![]).await.expect(script)
    }

    /// Waits until `script` returns something truthy; panics with `what` if it never does.
    pub async fn until(&self, what: &str, script: &str) -> Value {
        self.until_within(WAIT, what, script).await
    }

    pub async fn until_within(&self, limit: Duration, what: &str, script: &str) -> Value {
        self.poll(limit, &format!("timed out waiting for: {what}"), || async {
            match self.web.execute(script, vec![]).await {
                Ok(v) if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) => {
                    Some(v)
                }
                _ => None,
            }
        })
        .await
    }

    /// Asks `probe` every 100 ms until it answers; after `limit`, saves a screenshot and
    /// fails with `failure`.
    pub async fn poll<T, F, Fut>(&self, limit: Duration, failure: &str, mut probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(found) = probe().await {
                return found;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot("failure").await;
                panic!("{failure} (screenshot: {})", shot.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The control whose accessible name is `name` (aria-label, else its text), visible.
    pub async fn control(&self, name: &str) -> Element {
        let xpath = format!(
            "//*[(self::button or self::input or self::select or self::summary) and \
             (@aria-label={q} or (not(@aria-label) and normalize-space(.)={q}))]",
            q = xpath_literal(name)
        );
        self.poll(
            WAIT,
            &format!("no visible control named {name:?}"),
            || async {
                for e in self.web.find_all(Locator::XPath(&xpath)).await.ok()? {
                    if self.visible(&e).await {
                        return Some(e);
                    }
                }
                None
            },
        )
        .await
    }

    /// Whether `e` is rendered and reachable: not hidden, and not behind an open modal
    /// dialog (which makes the rest of the page inert). WebKitWebDriver's own displayedness
    /// check misses controls inside table cells.
    pub async fn visible(&self, e: &Element) -> bool {
        let arg = json!({"element-6066-11e4-a52e-4f735466cecf": e.element_id().to_string()});
        self.web
            .execute(
                "const e = arguments[0];
                 const modal = document.querySelector('dialog[open]');
                 return e.isConnected && e.getClientRects().length > 0
                   && getComputedStyle(e).visibility !== 'hidden' && !e.closest('[hidden]')
                   && (!modal || modal.contains(e));",
                vec![arg],
            )
            .await
            .map(|v| v == json!(true))
            .unwrap_or(false)
    }

    /// Clicks the control named `name` once it is enabled.
    pub async fn click(&self, name: &str) {
        let e = self
            .poll(WAIT, &format!("{name:?} never became enabled"), || async {
                let e = self.control(name).await;
                e.is_enabled().await.unwrap_or(false).then_some(e)
            })
            .await;
        e.click()
            .await
            .unwrap_or_else(|err| panic!("click {name:?}: {err}"));
    }

    pub async fn is_enabled(&self, name: &str) -> bool {
        self.control(name).await.is_enabled().await.unwrap()
    }

    /// Types into the field labelled `label` (replacing what is there).
    pub async fn fill(&self, label: &str, text: &str) {
        let xpath = format!(
            "//input[@id=//label[normalize-space(.)={q}]/@for or @aria-label={q}]",
            q = xpath_literal(label)
        );
        let field = self
            .web
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no field labelled {label:?}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// The text of the element `css`, or "" when there is none.
    pub async fn text_of(&self, css: &str) -> String {
        self.js(&format!(
            "const e = document.querySelector({}); return e ? e.innerText : '';",
            json!(css)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The state cell of the machine named `name`, as shown.
    pub async fn state_of(&self, name: &str) -> String {
        self.js(&format!(
            "for (const tr of document.querySelectorAll('#rows tr.machine')) {{
               const b = tr.querySelector('.name-button');
               if (b && b.textContent === {}) return tr.children[2].innerText.replace(/\\s+/g, ' ').trim();
             }}
             return '';",
            json!(name)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits until the machine `name` shows `state`.
    pub async fn until_state(&self, name: &str, state: &str) {
        self.poll(WAIT, &format!("{name} never showed {state:?}"), || async {
            (self.state_of(name).await == state).then_some(())
        })
        .await
    }

    /// Saves a screenshot as `target/screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        // The picture can lag the DOM by a moment (platform-notes).
        tokio::time::sleep(Duration::from_millis(300)).await;
        if let Ok(png) = self.web.screenshot().await {
            std::fs::write(&path, png).unwrap();
        }
        path
    }

    /// Runs axe-core on the page as it is now: WCAG 2 A and AA rules. Returns the serious
    /// and critical violations, described.
    pub async fn axe(&mut self) -> Vec<String> {
        if !self.axe_loaded {
            let source = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/axe/node_modules/axe-core/axe.min.js"),
            )
            .expect("axe-core is installed (bash .ci/setup runs npm ci in tests/axe)");
            self.web
                .execute(
                    &format!("{source}\n;window.axe = axe; return true;"),
                    vec![],
                )
                .await
                .expect("axe-core loads into the window");
            self.axe_loaded = true;
        }
        let found = self
            .js_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                   .then(r => done(r.violations
                      .filter(v => v.impact === 'serious' || v.impact === 'critical')
                      .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                           v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
            )
            .await;
        serde_json::from_value(found).unwrap()
    }

    /// Asserts axe finds nothing serious on this screen, naming the screen if it does.
    pub async fn assert_accessible(&mut self, screen: &str) {
        let violations = self.axe().await;
        assert!(
            violations.is_empty(),
            "{screen}: {} serious or critical accessibility problems:\n{}",
            violations.len(),
            violations.join("\n")
        );
    }

    /// Records every event payload the Rust side sends to the page from now on, so a
    /// test can scan it for secrets.
    pub async fn record_events(&self) {
        self.js(
            "window.__seen = [];
             for (const name of ['machines', 'account']) {
               window.__TAURI__.event.listen(name, e => window.__seen.push(JSON.stringify(e.payload)));
             }
             return true;",
        )
        .await;
    }

    /// Everything the page holds or was sent: its DOM (with field values), storage, the
    /// recorded events, and the answers of the app's read commands.
    pub async fn everything_the_page_knows(&self) -> String {
        let v = self
            .js_async(
                "const done = arguments[arguments.length - 1];
                 const inv = window.__TAURI__.core.invoke;
                 const values = [...document.querySelectorAll('input')].map(i => i.value);
                 Promise.all([inv('app_state'), inv('machines')]).then(answers => done(JSON.stringify({
                   html: document.documentElement.outerHTML, values,
                   local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage),
                   seen: window.__seen || [], answers,
                 }))).catch(e => done('invoke failed: ' + e));",
            )
            .await;
        v.as_str().unwrap().to_owned()
    }
}

fn xpath_literal(s: &str) -> String {
    if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

/// Every file under `dir`, read whole (for secret scans).
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

/// Asserts that no file under `dir` contains `secret`.
pub fn assert_no_secret_in_files(dir: &Path, secret: &str) -> usize {
    let files = files_under(dir);
    for (path, bytes) in &files {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a secret was written to {}",
            path.display()
        );
    }
    files.len()
}
