//! Office hours in the window: the page's commands over the desk's schedules, and the
//! runner started with the app, whose news becomes a desktop notification naming the
//! account and the machine (a schedule's change is nobody's click, so it is always said).

use tauri::{AppHandle, Manager, Runtime, State};

use crate::desk::{Desk, ScheduleInput, ScheduleNews, SchedulesView};
use crate::failure::Failure;
use crate::text::Text;

#[tauri::command]
pub async fn schedules(desk: State<'_, Desk>) -> Result<SchedulesView, Failure> {
    Ok(desk.schedules_view().await)
}

#[tauri::command]
pub async fn set_schedule(
    desk: State<'_, Desk>,
    schedule: ScheduleInput,
) -> Result<SchedulesView, Failure> {
    desk.set_schedule_typed(schedule).await
}

#[tauri::command]
pub async fn remove_schedule(desk: State<'_, Desk>, id: String) -> Result<SchedulesView, Failure> {
    desk.remove_schedule(&id).await
}

#[tauri::command]
pub async fn pause_schedules(desk: State<'_, Desk>, pause: bool) -> Result<SchedulesView, Failure> {
    desk.pause_schedules_today(pause).await
}

/// Runs every account's office hours for as long as the app runs.
pub fn run<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let notify = {
            let app = app.clone();
            move |news: ScheduleNews| notify(&app, news)
        };
        app.state::<Desk>().run_schedules(&notify).await;
    });
}

fn notify<R: Runtime>(app: &AppHandle<R>, news: ScheduleNews) {
    let ScheduleNews::Ended {
        account,
        machine,
        turn,
        problem,
    } = news;
    let lang = app.state::<Desk>().language();
    let body = match &problem {
        None => lang.say(
            &Text::new(format!("notify.schedule.{}", turn.name())).with("name", machine.clone()),
        ),
        Some(reason) => lang.say(
            &Text::new(format!("notify.schedule.failed_{}", turn.name()))
                .with("name", machine.clone())
                .with("reason", lang.say(reason)),
        ),
    };
    log::info!(
        "schedules: {} {machine} on {account}: {}",
        turn.name(),
        if problem.is_none() {
            "done"
        } else {
            "not done"
        }
    );
    // The page reads the schedules again with the account's news (the rows' next change).
    let page = app.clone();
    tauri::async_runtime::spawn(async move {
        let view = page.state::<Desk>().view().await;
        page.state::<super::news::Newsroom>().account(view);
    });
    super::sink::desktop_notification(app, account, body);
}
