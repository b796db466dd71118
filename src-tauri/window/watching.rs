//! The watchful eye in the window: the page's switch for the account on screen, and the
//! eye started with the app, whose news becomes a desktop notification naming the
//! account and the machine (nobody here stopped it, so it is always said).

use tauri::{AppHandle, Manager, Runtime, State};

use crate::desk::{Desk, SchedulesView, WatchNews};
use crate::failure::Failure;
use crate::text::Text;

#[tauri::command]
pub async fn set_watching(desk: State<'_, Desk>, on: bool) -> Result<SchedulesView, Failure> {
    desk.set_watching(on).await
}

/// Watches the machines of a group of the account on screen as one, or stops.
#[tauri::command]
pub async fn set_group_watching(
    desk: State<'_, Desk>,
    group: String,
    on: bool,
) -> Result<SchedulesView, Failure> {
    desk.set_group_watching(&group, on).await
}

/// Watches the watched accounts' machines for as long as the app runs.
pub fn run<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let notify = {
            let app = app.clone();
            move |news: WatchNews| notify(&app, news)
        };
        app.state::<Desk>().run_watching(&notify).await;
    });
}

fn notify<R: Runtime>(app: &AppHandle<R>, news: WatchNews) {
    let lang = app.state::<Desk>().language();
    let (account, body) = match news {
        WatchNews::Left { account, text, .. } => (account, lang.say(&text)),
        WatchNews::CannotWatch { account, reason } => {
            let body = Text::new("notify.watch.cannot").with("reason", lang.say(&reason));
            (account, lang.say(&body))
        }
    };
    super::sink::desktop_notification(app, account, body);
}
