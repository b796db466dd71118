//! The watcher's and the account's news, taken to the window: posted for the page's
//! `news` request (`news.rs`), and desktop notifications for long actions that finish
//! while the window is not in front.

use tauri::{AppHandle, Manager, Runtime};

use crate::desk::Desk;
use crate::failure::Failure;
use crate::text::Text;
use crate::watch::{CreateSeen, Finished, Sink, Snapshot};

use super::commands::set_title;
use super::news::Newsroom;
use super::startup::since_launch;

/// Pushes the watcher's news to the window.
pub struct WindowSink {
    pub app: AppHandle,
}

impl Sink for WindowSink {
    fn snapshot(&self, snapshot: Snapshot) {
        static FIRST: std::sync::Once = std::sync::Once::new();
        if snapshot.loaded {
            FIRST.call_once(|| {
                log::info!(
                    "startup: first list ({} machines) sent {} ms after launch",
                    snapshot.machines.len(),
                    since_launch()
                )
            });
        }
        self.app.state::<Newsroom>().machines(snapshot);
    }

    fn finished(&self, owner: u64, finished: Vec<Finished>) {
        let focused = self
            .app
            .get_webview_window("main")
            .and_then(|w| w.is_focused().ok())
            .unwrap_or(false);
        if focused {
            return;
        }
        let finished: Vec<Finished> = finished
            .into_iter()
            .filter(|f| f.action.is_long())
            .collect();
        if finished.is_empty() {
            return;
        }
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            let desk = app.state::<Desk>();
            // Whose machine it is, in the title: the account that did it (a sign-in that
            // ended since says nothing more).
            let Some(title) = desk.title_of(owner).await else {
                return;
            };
            // In the language the person chose, from the same catalog as the page.
            let lang = desk.language();
            let title = lang.say(&title);
            for f in finished {
                let key = if f.ok {
                    format!("notify.done.{}", f.action.key())
                } else {
                    "notify.failed".to_owned()
                };
                let body = lang.say(&Text::new(key).with("name", f.name.clone()));
                desktop_notification(&app, title.clone(), body);
            }
        });
    }

    /// The machine's row (or the History panel) says it: nothing more to tell.
    fn create_seen(&self, _owner: u64, _seen: CreateSeen) {}

    fn auth_lost(&self, owner: u64, failure: Failure) {
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            let view = app.state::<Desk>().auth_lost(owner, &failure).await;
            set_title(&app, &view);
            app.state::<Newsroom>().account(view);
        });
    }
}

impl WindowSink {
    /// The account's details changed (a saved sign-in was confirmed): the top bar says
    /// whose it is now.
    pub fn account_changed(&self) {
        let app = self.app.clone();
        tauri::async_runtime::spawn(async move {
            let view = app.state::<Desk>().view().await;
            set_title(&app, &view);
            app.state::<Newsroom>().account(view);
        });
    }
}

/// Shows a desktop notification. It goes over D-Bus and may block: never on the caller's
/// thread.
pub fn desktop_notification<R: Runtime>(app: &AppHandle<R>, title: String, body: String) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        use tauri_plugin_notification::NotificationExt;
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            log::info!("notification not shown: {e}");
        }
    });
}
