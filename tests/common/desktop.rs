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

/// Two distinct free loopback ports (both held until both are chosen, so they differ).
fn two_free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

/// Waits until something accepts connections on `port` of loopback.
async fn until_listening(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

/// The processes behind one window: tauri-driver, its WebKitWebDriver, and the app with
/// WebKit's helpers that WebKitWebDriver started. Dropping it stops them all, so a test
/// that fails half-way leaves nothing running that could take over the next launch.
struct Driver {
    child: Child,
    /// tauri-driver's and WebKitWebDriver's own output, for when a launch fails.
    log: tempfile::NamedTempFile,
}

impl Driver {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// SIGTERM to tauri-driver (which then stops WebKitWebDriver; SIGKILL would leak it,
    /// see platform-notes), then SIGKILL to whatever of `rest` is still there.
    fn stop(&mut self, rest: &[u32]) {
        if self.child.try_wait().ok().flatten().is_none() {
            signal("-TERM", &[self.pid()]);
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let alive: Vec<u32> = rest.iter().copied().filter(|&p| is_alive(p)).collect();
        signal("-KILL", &alive);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let rest = descendants(self.pid());
        self.stop(&rest);
    }
}

fn signal(which: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let _ = Command::new("kill")
        .arg(which)
        .args(pids.iter().map(u32::to_string))
        .stderr(Stdio::null())
        .status();
}

/// Whether `pid` is running (a zombie waiting for its parent counts as gone).
fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            let after = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
            !after.starts_with('Z')
        })
        .unwrap_or(false)
}

/// The children of every process, from /proc.
pub fn children() -> std::collections::HashMap<u32, Vec<u32>> {
    let mut map: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command may contain spaces; the fields after its closing parenthesis don't.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let ppid: u32 = after.split(' ').nth(1).unwrap().parse().unwrap();
        map.entry(ppid).or_default().push(pid);
    }
    map
}

/// Every process below `pid`.
pub fn descendants(pid: u32) -> Vec<u32> {
    let kids = children();
    let mut found = Vec::new();
    let mut stack = vec![pid];
    while let Some(p) = stack.pop() {
        for &k in kids.get(&p).into_iter().flatten() {
            found.push(k);
            stack.push(k);
        }
    }
    found
}

pub struct Desktop {
    driver: Driver,
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
        let (port, native_port) = two_free_ports();
        let mut command = Command::new(tauri_driver());
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("XDG_CONFIG_HOME", home.root().join("config"))
            .env("XDG_DATA_HOME", home.root().join("data"))
            .env("XDG_CACHE_HOME", home.root().join("cache"));
        // Not in `home`: the secret scans read every file there.
        let log = tempfile::NamedTempFile::new().unwrap();
        command
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap());
        for (k, v) in env {
            command.env(k, v);
        }
        let driver = Driver {
            child: command
                .spawn()
                .expect("tauri-driver runs (bash .ci/setup installs it)"),
            log,
        };
        let url = format!("http://127.0.0.1:{port}");
        until_listening(port, "tauri-driver").await;
        // tauri-driver starts WebKitWebDriver and forwards to it without waiting: a new
        // session asked for before WebKitWebDriver listens is dropped mid-answer (seen on
        // a cold machine, where the first start of WebKitWebDriver is slow).
        until_listening(native_port, "WebKitWebDriver").await;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({"application": binary, "args": args}),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let web = match tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(connector)
                .capabilities(caps)
                .connect(&url),
        )
        .await
        {
            Ok(Ok(web)) => web,
            failed => panic!(
                "the app window did not open within a minute ({failed:?}); still running: {:?}; \
                 the WebDriver log ends:\n{}",
                app_processes(),
                driver.log_tail()
            ),
        };
        Desktop {
            driver,
            web,
            axe_loaded: false,
        }
    }

    /// Ends the session and waits until the app has exited: a launch while it is still
    /// there would hand over to it (single-instance) and close at once. Then stops the
    /// drivers.
    pub async fn quit(mut self) {
        let processes = descendants(self.driver.pid());
        let _ = tokio::time::timeout(Duration::from_secs(10), self.web.clone().close()).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while processes.iter().any(|&p| is_alive(p) && is_app(p)) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.driver.stop(&processes);
    }

    /// The processes of this window: the app and WebKit's, with their command names.
    pub fn processes(&self) -> Vec<(u32, String)> {
        descendants(self.driver.pid())
            .into_iter()
            .map(|p| (p, comm(p)))
            .filter(|(_, name)| {
                !name.starts_with("tauri-driver") && !name.starts_with("WebKitWebDriver")
            })
            .collect()
    }

    pub async fn js(&self, script: &str) -> Value {
        self.web.execute(script, vec![]).await.expect(script)
    }

    pub async fn js_async(&self, script: &str) -> Value {
        self.web.execute_async(script, vec![]).await.expect(script)
    }

    /// The accessible name of the focused control.
    pub async fn focused(&self) -> String {
        self.js(
            "const e = document.activeElement;
             const label = e && e.labels && e.labels.length ? e.labels[0].innerText : '';
             return e ? (e.getAttribute('aria-label') || label || e.innerText || e.textContent || '').trim() : '';",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
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

    /// The control whose accessible name is `name` (aria-label, else its text or, for a
    /// field, its `<label for>`), visible.
    pub async fn control(&self, name: &str) -> Element {
        let xpath = format!(
            "//*[(self::button or self::input or self::select or self::summary) and \
             (@aria-label={q} or (not(@aria-label) and normalize-space(.)={q}) or \
              (self::input and not(@aria-label) and @id=//label[normalize-space(.)={q}]/@for))]",
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
        // Found and clicked in one try: a snapshot can re-render the control between the
        // two, and a click on the replaced element fails; the next try finds the new one.
        self.poll(
            WAIT,
            &format!("{name:?} never became enabled and clickable"),
            || async {
                let e = self.control(name).await;
                if !e.is_enabled().await.unwrap_or(false) {
                    return None;
                }
                e.click().await.ok()
            },
        )
        .await;
    }

    /// Whether the control is enabled. The table rebuilds its rows whenever a snapshot
    /// arrives, so the element found may be replaced before it is asked: then it is found
    /// again.
    pub async fn is_enabled(&self, name: &str) -> bool {
        self.poll(WAIT, &format!("{name:?} could not be read"), || async {
            self.control(name).await.is_enabled().await.ok()
        })
        .await
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

    /// Waits until the element `css` is on screen (present, not hidden) and returns its
    /// text as shown.
    pub async fn shown_text(&self, what: &str, css: &str) -> String {
        self.until(
            what,
            &format!(
                "const e = document.querySelector({}); return e && !e.closest('[hidden]') && e.innerText",
                json!(css)
            ),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
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
        // Taken from the X server, as a person sees the window. WebKitWebDriver's own
        // screenshot never answers once the sign-in screen is shown a second time
        // (WebKitGTK 2.50, whole page or element alike), and no command after it does.
        let window = descendants(self.driver.pid())
            .into_iter()
            .filter(|&p| is_app(p))
            .find_map(visible_window);
        match capture(window.as_deref()) {
            Ok(png) => std::fs::write(&path, png).unwrap(),
            Err(e) => eprintln!("screenshot {name} not taken: {e}"),
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

    /// Records all the news the Rust side gives the page from now on (a second standing
    /// `news` request beside the page's own), so a test can scan it for secrets.
    pub async fn record_news(&self) {
        self.js_async(
            "const done = arguments[arguments.length - 1];
             const inv = window.__TAURI__.core.invoke;
             window.__seen = [];
             inv('news', {seen: null}).then(async (first) => {
               done(true);
               let seen = first.version;
               for (;;) {
                 const news = await inv('news', {seen});
                 seen = news.version;
                 window.__seen.push(JSON.stringify(news));
               }
             });",
        )
        .await;
    }

    /// How many answers of `news` were recorded since [`Desktop::record_news`], each holding
    /// a machines list, an account or a theme.
    pub async fn news_recorded(&self) -> u64 {
        self.js("return (window.__seen || []).length")
            .await
            .as_u64()
            .unwrap()
    }

    /// Everything the page holds or was sent: its DOM (with field values), storage, the
    /// recorded news, and the answers of the app's read commands.
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

/// Takes the app's window off the screen, as minimising it or switching desktops would:
/// it is neither visible nor focused. False when there was no such window.
pub fn hide_window() -> bool {
    Command::new("xdotool")
        .args([
            "search",
            "--name",
            // Any of its titles: "Compute Desk", "Production — Compute Desk", the demo's.
            "Compute Desk",
            "windowunmap",
            "--sync",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Maps the app's window again after [`hide_window`]; true when xdotool found it.
pub fn show_window() -> bool {
    Command::new("xdotool")
        .args(["search", "--name", "Compute Desk", "windowmap", "--sync"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The X window id of `pid`'s visible window, if it has one.
fn visible_window(pid: u32) -> Option<String> {
    let out = Command::new("xdotool")
        // The app's window by its title: a tooltip is a window of the same process too.
        .args([
            "search",
            "--onlyvisible",
            "--pid",
            &pid.to_string(),
            "--name",
            "Compute Desk",
        ])
        .output()
        .ok()?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .last()
        .map(str::to_owned)
}

/// A PNG of `window` (or the whole screen) as the X server shows it, read with `xwd`.
fn capture(window: Option<&str>) -> Result<Vec<u8>, String> {
    let mut xwd = Command::new("xwd");
    xwd.arg("-silent");
    match window {
        Some(id) => xwd.args(["-id", id]),
        None => xwd.arg("-root"),
    };
    let out = xwd
        .output()
        .map_err(|e| format!("xwd: {e} (bash .ci/setup installs x11-apps)"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    xwd_to_png(&out.stdout)
}

/// Converts an X window dump of a true-colour screen (what Xvfb serves) to PNG.
fn xwd_to_png(dump: &[u8]) -> Result<Vec<u8>, String> {
    let field = |i: usize| -> Result<u32, String> {
        dump.get(i * 4..i * 4 + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| "the dump is cut short".to_owned())
    };
    let (header, width, height) = (field(0)? as usize, field(4)?, field(5)?);
    let (lsb_first, bits, line) = (field(7)? == 0, field(11)?, field(12)? as usize);
    let masks = [field(14)?, field(15)?, field(16)?];
    let colors = field(19)? as usize;
    if bits != 32 {
        return Err(format!("{bits} bits per pixel is not a true-colour dump"));
    }
    let pixels = dump
        .get(header + colors * 12..)
        .ok_or("the dump has no pixels")?;
    let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height as usize {
        for x in 0..width as usize {
            let at = y * line + x * 4;
            let b = pixels.get(at..at + 4).ok_or("the dump is cut short")?;
            let b = [b[0], b[1], b[2], b[3]];
            let v = if lsb_first {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            };
            rgb.extend(masks.map(|m| ((v & m) >> m.trailing_zeros()) as u8));
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgb))
        .map_err(|e| e.to_string())?;
    Ok(png)
}

/// The command name of `pid`.
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// An app window process (not a driver or a WebKit helper).
fn is_app(pid: u32) -> bool {
    let name = comm(pid);
    !name.starts_with("WebKit") && !name.starts_with("tauri-driver")
}

/// The app-like processes running anywhere, for launch failures.
fn app_processes() -> Vec<String> {
    children()
        .into_values()
        .flatten()
        .map(|p| (p, comm(p)))
        .filter(|(_, name)| name.starts_with("compute-desk") || name.starts_with("bare-window"))
        .map(|(p, name)| format!("{name} ({p})"))
        .collect()
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

/// What the desktop's clipboard holds, read as another program would (xclip).
pub fn clipboard() -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .expect("xclip runs (bash .ci/setup installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A secret distinctive enough that finding it anywhere means it leaked.
pub const SECRET: &str = "sk-Zq9wV7-never-shown-4f1c";
pub const KEY: &str = "team-key-1";

/// A simulator that accepts [`KEY`] and [`SECRET`], with `args`.
pub fn sim_with(args: &[&str]) -> super::Sim {
    let mut all = vec!["--api-key", KEY, "--api-secret", SECRET];
    all.extend_from_slice(args);
    super::Sim::start(&all)
}

/// Signs in on the sign-in screen with [`KEY`] and [`SECRET`] at `sim`'s address and
/// waits for the machines (the first list painted).
pub async fn sign_in_with_key(app: &Desktop, sim: &super::Sim) {
    app.click("Use an API key").await;
    // Opened, not toggled: after a sign-out it may be open already.
    app.until(
        "Advanced open",
        "const d = document.querySelector('details.advanced'); d.open = true; return d.open;",
    )
    .await;
    app.fill("Server address", &sim.base).await;
    app.fill("API key", KEY).await;
    app.fill("API secret", SECRET).await;
    app.click("Check key and sign in").await;
    app.until(
        "the machines",
        "return document.querySelectorAll('#rows tr.machine').length",
    )
    .await;
}

/// Asks for a sign-in code by email and waits for the code step; the server address is
/// already set.
pub async fn ask_for_code(app: &Desktop) {
    app.fill("Work email", super::EMAIL).await;
    app.click("Send code").await;
    app.until(
        "the code step",
        "return !document.getElementById('code-form').hidden",
    )
    .await;
}

/// Opens the create dialog and waits for its template cards.
pub async fn open_create(app: &Desktop) {
    app.click("Create machine").await;
    app.until(
        "template cards",
        "return document.querySelectorAll('#template-cards .card').length",
    )
    .await;
}

/// WebDriver's Shift held down over Tab.
pub const SHIFT_TAB: &str = "\u{e008}\u{e004}";

/// Sends keys to whatever has the focus, as a keyboard would: a row drawn again between
/// finding the focused element and sending to it (its node replaced, the focus put on the
/// new one) is found again, as a keyboard's keys go wherever the focus now is. WebDriver
/// refuses a stale element before any key is sent, so nothing is typed twice.
pub async fn press(app: &Desktop, keys: &[&str]) {
    const SHIFT: &str = "\u{e008}";
    for k in keys {
        let text = if *k == SHIFT_TAB {
            // Shift is released again, or it would stay down for the next key.
            format!("{SHIFT_TAB}{SHIFT}")
        } else {
            (*k).to_owned()
        };
        let mut tries = 0;
        loop {
            let active = app.web.active_element().await.unwrap();
            match active.send_keys(&text).await {
                Ok(()) => break,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                        && tries < 3 =>
                {
                    tries += 1;
                }
                Err(e) => panic!("keys {text:?} not sent: {e}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
}

/// Presses and releases one key through WebDriver's actions, which reach the focused
/// element wherever focus is (even on the page itself, where sending keys cannot).
pub async fn press_key(app: &Desktop, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    app.web.perform_actions(actions).await.unwrap();
}

/// Asks the windows of the program `program` to close as a desktop's close button does
/// (WM_DELETE_WINDOW to the window itself: there is no window manager under Xvfb); how many
/// windows were asked.
pub fn close_window(program: &str) -> u32 {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/close_window.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(program)
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// The app's WebKit web processes: none while its window is closed to the tray.
pub fn web_processes(app: &Desktop) -> usize {
    app.processes()
        .into_iter()
        .filter(|(_, name)| name.starts_with("WebKitWebProces"))
        .count()
}

/// Closes the window as the desktop closes it, for the first time: the page asks, and
/// "Keep running in the tray" (focused) is pressed; returns once the web view is released
/// and the app is still there. `shot` names the screenshot of the question.
pub async fn close_to_tray(app: &Desktop, shot: &str) {
    assert!(close_window("compute-desk") >= 1, "the window was found");
    app.until(
        "the question",
        "return document.getElementById('close-choice').open",
    )
    .await;
    assert_eq!(app.focused().await, "Keep running in the tray");
    app.screenshot(shot).await;
    assert!(web_processes(app) > 0);
    // The window goes with the answer, so WebDriver can no longer be asked to press it:
    // Enter on the focused button, sent without waiting for an answer.
    let enter = async {
        if let Ok(focused) = app.web.active_element().await {
            let _ = focused.send_keys("\u{e007}").await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), enter).await;
    let mut released = false;
    for _ in 0..100 {
        if web_processes(app) == 0 {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(released, "the web view was released: {:?}", app.processes());
    let left = app.processes();
    assert!(
        left.iter()
            .any(|(_, name)| name.starts_with("compute-desk")),
        "the app stays: {left:?}"
    );
}

/// Presses Tab until the focus is on the control named `name` (at most `most` times).
pub async fn tab_to(app: &Desktop, name: &str, most: usize) {
    for _ in 0..most {
        if app.focused().await == name {
            return;
        }
        press(app, &["\u{e004}"]).await;
    }
    let shot = app.screenshot("tab-to-failed").await;
    panic!("Tab never reached {name:?} (screenshot {})", shot.display());
}

/// Opens machine `machine`'s details from its name by keyboard, then Tabs to the control
/// `control` (at most `most` times) and presses Enter on it, and waits for the dialog
/// `dialog` (its id) to open.
pub async fn from_details_by_keyboard(
    app: &Desktop,
    machine: &str,
    control: &str,
    most: usize,
    dialog: &str,
) {
    app.control(&format!("Details of {machine}"))
        .await
        .send_keys("\u{e007}")
        .await
        .unwrap();
    app.until(
        "the details panel",
        "return !document.getElementById('detail').hidden",
    )
    .await;
    tab_to(app, control, most).await;
    press(app, &["\u{e007}"]).await;
    app.until(
        &format!("the dialog {dialog}"),
        &format!("return document.getElementById('{dialog}').open"),
    )
    .await;
}
