//! The web view's commands: each a line or two over [`Desk`], returning the UI shapes
//! (`AppView`, `Snapshot`, `Failure`), none of which can hold a secret. Their names are
//! listed once, in `command_names.rs`; the capability must grant each by name.

use tauri::{AppHandle, Manager, Runtime, State};

use crate::desk::{ActionResult, AppView, CreateOptions, Desk, HistoryView, Planned};
use crate::failure::Failure;
use crate::settings::{LabelChange, SortPreference};
use crate::watch::{Row, Snapshot};

use super::first_screen::FirstAsk;
use super::news::{News, Newsroom, NEWS_WAIT};

/// The window title says whose machines are on screen: the account's name, or that they
/// are the demo's.
fn titled<R: Runtime>(app: &AppHandle<R>, view: AppView) -> AppView {
    set_title(app, &view);
    view
}

/// Sets the window's title from `view`: also when the account changes without a command
/// (a saved sign-in confirmed, or refused, while the app runs).
pub(super) fn set_title<R: Runtime>(app: &AppHandle<R>, view: &AppView) {
    if let Some(window) = app.get_webview_window("main") {
        let lang = app.state::<Desk>().language();
        let _ = window.set_title(&lang.say(&view.title()));
    }
}

/// The page's first call: waits for the silent sign-in started at launch, and answers
/// with the number of the news as it stood when the call came (news before it is
/// superseded by this answer) and, when a list is already there, the first news with it
/// (`first`: what fills the page's window), so that the first screen needs no more round
/// trips than this one.
#[tauri::command]
pub async fn start<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    room: State<'_, Newsroom>,
    first: Option<FirstAsk>,
) -> Result<Started, Failure> {
    log::info!(
        "startup: page asked to start {} ms after launch",
        super::startup::since_launch()
    );
    let mark = room.version();
    let mut view = titled(&app, desk.started().await);
    view.whats_new = desk.take_whats_new().await;
    if let Some(news) = &view.whats_new {
        // What the clean-system proof of an update looks for.
        log::info!("startup: what's new in {} shown", news.version);
    }
    let news = match first {
        Some(ask) => {
            room.first(mark, &ask, desk.language(), std::time::Duration::ZERO)
                .await
        }
        None => News {
            version: mark,
            ..News::default()
        },
    };
    Ok(Started { view, news })
}

/// [`start`]'s answer.
#[derive(serde::Serialize)]
pub struct Started {
    view: AppView,
    news: News,
}

#[tauri::command]
pub async fn app_state(desk: State<'_, Desk>) -> Result<AppView, Failure> {
    Ok(desk.view().await)
}

#[tauri::command]
pub async fn sign_in_with_key<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    server: String,
    key: String,
    secret: String,
) -> Result<AppView, Failure> {
    Ok(titled(
        &app,
        desk.sign_in_with_key(&server, &key, &secret).await?,
    ))
}

#[tauri::command]
pub async fn email_start(
    desk: State<'_, Desk>,
    server: String,
    email: String,
) -> Result<AppView, Failure> {
    desk.email_start(&server, &email).await
}

#[tauri::command]
pub async fn email_verify<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    code: String,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.email_verify(&code).await?))
}

#[tauri::command]
pub async fn email_cancel(desk: State<'_, Desk>) -> Result<AppView, Failure> {
    Ok(desk.email_cancel().await)
}

#[tauri::command]
pub async fn start_demo<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.start_demo().await?))
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.sign_out().await))
}

/// Opens the saved account `id` (what the account on screen had not sent is not sent).
#[tauri::command]
pub async fn switch_account<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    id: String,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.switch_account(&id).await?))
}

/// Forgets the saved account `id` and its keyring entry.
#[tauri::command]
pub async fn remove_account<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    id: String,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.remove_account(&id).await?))
}

/// Names and colours the saved account `id` as the person chose.
#[tauri::command]
pub async fn edit_account<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    id: String,
    name: String,
    colour: String,
) -> Result<AppView, Failure> {
    Ok(titled(&app, desk.edit_account(&id, &name, &colour).await?))
}

#[tauri::command]
pub async fn machines(desk: State<'_, Desk>) -> Result<Snapshot, Failure> {
    Ok(desk.watcher().snapshot().await)
}

/// Marks the rows at once and answers; the requests go out in turn, in the background.
#[tauri::command]
pub async fn act<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    ids: Vec<String>,
    action: String,
) -> Result<Planned, Failure> {
    let run = desk.act(&ids, &action).await?;
    let planned = run.planned().clone();
    tauri::async_runtime::spawn(async move { app.state::<Desk>().send(run).await });
    Ok(planned)
}

/// What a bulk of `count` machines would meet under the account's limits now.
#[tauri::command]
pub async fn pacing(
    desk: State<'_, Desk>,
    action: String,
    count: usize,
) -> Result<crate::api::budget::Pacing, Failure> {
    desk.pacing(&action, count).await
}

#[tauri::command]
pub fn stop_run(desk: State<'_, Desk>, run: u64) -> bool {
    desk.stop_run(run)
}

/// Waits for the run to end, and answers each machine's outcome.
#[tauri::command]
pub async fn run_results(
    desk: State<'_, Desk>,
    run: u64,
) -> Result<Option<Vec<ActionResult>>, Failure> {
    Ok(desk.run_results(run).await)
}

#[tauri::command]
pub async fn create_options(desk: State<'_, Desk>) -> Result<CreateOptions, Failure> {
    desk.create_options().await
}

#[tauri::command]
pub async fn create(
    desk: State<'_, Desk>,
    template_id: String,
    config_id: String,
    zone: Option<String>,
) -> Result<Row, Failure> {
    desk.create(&template_id, &config_id, zone.as_deref()).await
}

#[tauri::command]
pub async fn zones(
    desk: State<'_, Desk>,
    template_id: String,
) -> Result<Option<Vec<String>>, Failure> {
    desk.zones(&template_id).await
}

#[tauri::command]
pub async fn refresh(desk: State<'_, Desk>) -> Result<(), Failure> {
    desk.watcher().update(|w| w.refresh_now()).await;
    Ok(())
}

/// The page became visible or hidden (minimised, another workspace).
#[tauri::command]
pub async fn set_visible(desk: State<'_, Desk>, visible: bool) -> Result<(), Failure> {
    desk.watcher().update(|w| w.set_visible(visible)).await;
    Ok(())
}

#[tauri::command]
pub async fn dismiss_error(desk: State<'_, Desk>, id: String) -> Result<(), Failure> {
    desk.watcher().update(|w| w.dismiss(&id)).await;
    Ok(())
}

#[tauri::command]
pub async fn save_sort(desk: State<'_, Desk>, sort: Option<SortPreference>) -> Result<(), Failure> {
    desk.save_sort(sort).await;
    Ok(())
}

/// The signed-in account's history, newest first; `None` when nothing changed since the
/// `known` version the page holds, or when nobody is signed in.
#[tauri::command]
pub fn history(desk: State<'_, Desk>, known: Option<u64>) -> Option<HistoryView> {
    desk.history(known)
}

/// Speaks `lang` from now on ("en", "es"), remembered; answers with the new words.
#[tauri::command]
pub async fn set_language<R: Runtime>(
    app: AppHandle<R>,
    desk: State<'_, Desk>,
    lang: String,
) -> Result<super::language::Switched, Failure> {
    let view = titled(&app, desk.set_language(&lang).await);
    Ok(super::language::switched(view, desk.language()))
}

/// The About dialog's facts.
#[tauri::command]
pub fn about<R: Runtime>(app: AppHandle<R>) -> super::about::About {
    super::about::about(&app)
}

/// The page has painted its first list: a line in the log that says the machines screen
/// appeared, how many rows it drew, and when (what the clean-system proof waits for).
#[tauri::command]
pub fn list_painted(first: State<'_, super::startup::FirstPaint>, rows: u32, machines: u32) {
    log::info!(
        "startup: first list painted, {rows} rows for {machines} machines, {} ms after launch",
        super::startup::since_launch()
    );
    first.painted();
}

/// About's "Open log folder": the app's log folder in the desktop's file manager. The page
/// names no path; this opens that folder and nothing else (`open_folder.rs`).
#[tauri::command]
pub async fn open_log_folder<R: Runtime>(app: AppHandle<R>) -> Result<(), Failure> {
    super::open_folder::open_log_folder(app.path().app_log_dir()).await
}

/// The page's standing request for what changed without its asking (`news.rs`): the
/// machines list, the account, the desktop's light or dark. Its first request says what
/// fills its window (`first`): a longer list comes first as that much (`first_screen.rs`).
#[tauri::command]
pub async fn news(
    room: State<'_, Newsroom>,
    desk: State<'_, Desk>,
    seen: Option<u64>,
    list: Option<bool>,
    have: Option<u64>,
    first: Option<FirstAsk>,
) -> Result<News, Failure> {
    Ok(match (seen, first) {
        (Some(seen), Some(ask)) => room.first(seen, &ask, desk.language(), NEWS_WAIT).await,
        (seen, _) => {
            room.after(seen, list.unwrap_or(false), have, NEWS_WAIT)
                .await
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::command_names::COMMANDS;

    /// `allow-save-sort` for `save_sort`.
    fn permission(command: &str) -> String {
        format!("allow-{}", command.replace('_', "-"))
    }

    #[test]
    fn the_capability_grants_exactly_the_listed_commands() {
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let mut granted: Vec<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| p.starts_with("allow-"))
            .map(str::to_owned)
            .collect();
        let mut listed: Vec<String> = COMMANDS.iter().map(|c| permission(c)).collect();
        granted.sort();
        listed.sort();
        assert_eq!(granted, listed);
    }

    #[test]
    fn the_app_hands_tauri_exactly_the_listed_commands() {
        let lib = include_str!("../lib.rs");
        let start = lib
            .find("generate_handler![")
            .expect("lib.rs hands Tauri its commands");
        let end = start + lib[start..].find(']').unwrap();
        let mut handed: Vec<&str> = lib[start..end]
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[')
            // `commands::start`, `office_hours::schedules`: the window's command rooms.
            .filter_map(|w| w.rsplit_once("::").map(|(_, name)| name))
            .collect();
        let mut listed = COMMANDS.to_vec();
        handed.sort_unstable();
        listed.sort_unstable();
        assert_eq!(handed, listed);
    }
}

/// Changes what a machine of the account on screen is called: its name, note, groups and
/// whether it is a favourite (each part left out stays; all empty: forgotten).
#[tauri::command]
pub async fn set_name(
    desk: State<'_, Desk>,
    machine: String,
    change: LabelChange,
) -> Result<(), Failure> {
    desk.set_name(&machine, change).await
}
