//! Office hours run by the desk against the simulator, whose wall clock the tests move
//! forward (`--clock-from` in the app): a change on the account on screen sent at its
//! time, one on an account that is not on screen sent with that account's own key to its
//! own server and nothing of it reaching the one on screen, and an off time missed while
//! the app was closed done at the next launch. Limits on, as the service has them.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{assert_in_session, eventually, screen::Screen, Sim, KEY, SECRET};
use compute_desk::desk::{Desk, Options, ScheduleInput, ScheduleNews};
use compute_desk::schedule::{ClockTime, Days, Schedule, Turn};
use compute_desk::vault::Vault;
use compute_desk::watch::Policy;
use jiff::{SignedDuration, Timestamp};

/// A desk whose office hours follow `clock`'s wall clock, its watcher reporting to a screen.
fn desk_following(config: &std::path::Path, vault: &Vault, clock: &Sim) -> (Arc<Desk>, Screen) {
    let desk = Arc::new(Desk::new(
        config,
        vault.clone(),
        Policy::default(),
        Options {
            clock_from: Some(clock.base.clone()),
            ..Options::default()
        },
    ));
    let seen = Screen::default();
    tokio::spawn(desk.watcher().clone().run(desk.recording(seen.clone())));
    (desk, seen)
}

/// Runs the desk's office hours, collecting what they say.
fn run_schedules(desk: &Arc<Desk>) -> Arc<Mutex<Vec<ScheduleNews>>> {
    let news = Arc::new(Mutex::new(Vec::new()));
    let (d, n) = (desk.clone(), news.clone());
    tokio::spawn(async move {
        d.run_schedules(&move |item| n.lock().unwrap().push(item))
            .await
    });
    news
}

/// An off time (UTC) at least two minutes after `now`, on a whole minute, and when it is.
fn off_after(now: Timestamp) -> (ClockTime, Timestamp) {
    let secs = now.as_second() + 120;
    let at = Timestamp::from_second(secs - secs % 60 + 60).unwrap();
    let z = at.to_zoned_datetime(jiff::tz::TimeZone::UTC);
    (
        ClockTime::new(z.hour() as u8, z.minute() as u8).unwrap(),
        at,
    )
}

fn off_schedule(machine: &str, off: ClockTime) -> Schedule {
    Schedule {
        id: String::new(),
        machines: vec![machine.to_owned()],
        group: None,
        days: Days::EVERY_DAY,
        on: None,
        off: Some(off),
        zone: "UTC".into(),
        skip: vec![],
    }
}

async fn running_machine(sim: &Sim) -> String {
    sim.listed("status")
        .await
        .into_iter()
        .find(|(_, status)| status == "RUNNING")
        .expect("a running machine")
        .0
}

async fn status_of(sim: &Sim, id: &str) -> String {
    sim.listed("status")
        .await
        .into_iter()
        .find(|(m, _)| m == id)
        .unwrap()
        .1
}

/// Power requests the simulator received, as (path, credential, arrived ms).
async fn power_requests(sim: &Sim) -> Vec<(String, String, u64)> {
    sim.requests()
        .await
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/stop"))
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["credential"].as_str().unwrap().to_owned(),
                r["arrivedMs"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn ended(news: &Arc<Mutex<Vec<ScheduleNews>>>, within: Duration) -> ScheduleNews {
    assert!(
        eventually(within, || async { !news.lock().unwrap().is_empty() }).await,
        "no scheduled change ended"
    );
    news.lock().unwrap()[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_off_time_on_the_account_on_screen_is_sent_at_its_time_and_written_as_by_schedule() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "3", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.schedules.here");
    let (desk, seen) = desk_following(config.path(), &vault, &sim);
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    assert!(
        eventually(Duration::from_secs(10), || async {
            seen.last().is_some_and(|s| s.loaded)
        })
        .await
    );
    let id = running_machine(&sim).await;
    let (off, at) = off_after(desk.wall_clock().now());
    let view = desk.set_schedule(off_schedule(&id, off)).await.unwrap();
    assert_eq!(view.schedules.len(), 1);
    let next = view.schedules[0].next.as_ref().unwrap();
    assert_eq!((next.turn, next.at), (Turn::Off, at.as_millisecond()));
    let news = run_schedules(&desk);

    // To four seconds before the off time.
    let before = at.duration_since(desk.wall_clock().now()) - SignedDuration::from_secs(4);
    sim.move_clock(Duration::try_from(before).unwrap()).await;
    let moved = sim.clock().await;
    let said = ended(&news, Duration::from_secs(60)).await;
    let ScheduleNews::Ended {
        machine,
        turn,
        problem,
        ..
    } = said;
    assert_eq!((turn, problem), (Turn::Off, None));
    assert!(!machine.is_empty());
    assert_eq!(status_of(&sim, &id).await, "STOPPED");
    let sent = power_requests(&sim).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let after_move = sent[0].2 - moved;
    assert!(
        (3_000..=9_000).contains(&after_move),
        "sent {after_move} ms after the clock was set 4 s before the off time"
    );
    // Its own life: in the history as done by schedule.
    let history = desk.history(None).unwrap();
    let entry = history.entries.iter().find(|e| e.what == "stop").unwrap();
    assert_eq!(entry.by.as_deref(), Some("schedule"));
    assert!(
        eventually(Duration::from_secs(20), || async {
            desk.history(None)
                .unwrap()
                .entries
                .iter()
                .any(|e| e.what == "stop" && e.outcome == compute_desk::history::Outcome::Done)
        })
        .await
    );
    desk.sign_out().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_of_an_account_not_on_screen_uses_that_accounts_key_and_server_alone() {
    assert_in_session();
    let one = Sim::start(&["--instances", "2", "--speed", "10"]);
    let two = Sim::start(&["--instances", "4", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.schedules.elsewhere");
    let (desk, seen) = desk_following(config.path(), &vault, &one);
    desk.sign_in_with_key(&one.base, KEY, SECRET).await.unwrap();
    let id = running_machine(&one).await;
    let (off, at) = off_after(desk.wall_clock().now());
    desk.set_schedule(off_schedule(&id, off)).await.unwrap();
    // Another account on screen.
    desk.sign_in_with_key(&two.base, KEY, SECRET).await.unwrap();
    let on_screen = desk.sign_in_number();
    assert!(
        eventually(Duration::from_secs(10), || async {
            seen.last()
                .is_some_and(|s| s.loaded && s.machines.len() == 4)
        })
        .await
    );
    assert!(
        desk.schedules_view().await.schedules.is_empty(),
        "the schedule is the other account's"
    );
    let two_before = two.listed("status").await;
    let news = run_schedules(&desk);
    let before = at.duration_since(desk.wall_clock().now()) - SignedDuration::from_secs(3);
    sim_move(&one, before).await;

    let ScheduleNews::Ended {
        account,
        turn,
        problem,
        ..
    } = ended(&news, Duration::from_secs(90)).await;
    assert_eq!((turn, problem), (Turn::Off, None));
    assert_eq!(
        account, "demo@computedesk.example",
        "named as the person knows it"
    );
    assert_eq!(status_of(&one, &id).await, "STOPPED");
    let sent = power_requests(&one).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1,
        format!("key:{KEY}"),
        "its own key, on its own server"
    );
    assert!(
        power_requests(&two).await.is_empty(),
        "nothing reached the account on screen"
    );
    // The account on screen is as it was: its sign-in, its list.
    assert_eq!(desk.sign_in_number(), on_screen);
    assert_eq!(seen.last().unwrap().machines.len(), 4);
    let two_after = two.listed("status").await;
    for running in two_before.iter().filter(|(_, s)| s == "RUNNING") {
        assert!(
            two_after.contains(running),
            "{running:?} touched: {two_after:?}"
        );
    }
    // Written in that account's own history, read when it is opened again.
    common::switch_to_the_other_account(&desk).await;
    let history = desk.history(None).unwrap();
    let entry = history
        .entries
        .iter()
        .find(|e| e.what == "stop")
        .expect("in its history");
    assert_eq!(
        (entry.by.as_deref(), entry.outcome),
        (Some("schedule"), compute_desk::history::Outcome::Done)
    );
    desk.sign_out().await;
    desk.sign_out().await;
    // Signed out of both, the computer keeps no schedule of theirs.
    let (kept, _) = compute_desk::settings::SchedulesFile::in_dir(config.path()).load();
    assert!(kept.accounts.is_empty(), "{kept:?}");
}

async fn sim_move(sim: &Sim, by: SignedDuration) {
    sim.move_clock(Duration::try_from(by).unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_off_time_missed_while_the_app_was_closed_is_done_at_the_next_launch() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "2", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.schedules.missed");
    let id;
    let at;
    {
        let (desk, _seen) = desk_following(config.path(), &vault, &sim);
        desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
        id = running_machine(&sim).await;
        let (off, when) = off_after(desk.wall_clock().now());
        at = when;
        // On an hour before it: the off part lasts until tomorrow's on time, whatever the
        // hour the test runs at.
        let on = off_after_time(when - SignedDuration::from_hours(1));
        desk.set_schedule(Schedule {
            on: Some(on),
            ..off_schedule(&id, off)
        })
        .await
        .unwrap();
        // Closed before the off time (the desk dropped, nothing runs).
    }
    // Ten minutes past the off time: the machine should be off until the day ends.
    let past = at.duration_since(Timestamp::now()) + SignedDuration::from_mins(10);
    sim_move(&sim, past).await;
    assert_eq!(status_of(&sim, &id).await, "RUNNING");
    let (desk, _seen) = desk_following(config.path(), &vault, &sim);
    assert!(desk.started().await.account.signed_in, "the saved sign-in");
    let news = run_schedules(&desk);
    let ScheduleNews::Ended { turn, problem, .. } = ended(&news, Duration::from_secs(60)).await;
    assert_eq!((turn, problem), (Turn::Off, None));
    assert_eq!(status_of(&sim, &id).await, "STOPPED");
    let history = desk.history(None).unwrap();
    let decision = history
        .entries
        .iter()
        .find(|e| e.what == "schedule")
        .expect("the decision is written");
    let text = decision.said.text.as_ref().unwrap();
    assert_eq!(text.key, "history.schedule.missed_off");
    assert_eq!(
        text.params["time"],
        format!("{off:?}", off = off_after_time(at))
    );
    desk.sign_out().await;
}

fn off_after_time(at: Timestamp) -> ClockTime {
    let z = at.to_zoned_datetime(jiff::tz::TimeZone::UTC);
    ClockTime::new(z.hour() as u8, z.minute() as u8).unwrap()
}

/// A group's schedule turns the machines in the group when its change comes, not those it
/// held when it was set: a machine put in the group afterwards is shut down with it, one
/// taken out is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_groups_schedule_turns_the_machines_in_the_group_when_its_time_comes() {
    assert_in_session();
    let sim = Sim::start(&["--instances", "6", "--speed", "10"]);
    let config = tempfile::tempdir().unwrap();
    let vault = Vault::new("app.computedesk.test.schedules.group");
    let (desk, seen) = desk_following(config.path(), &vault, &sim);
    desk.sign_in_with_key(&sim.base, KEY, SECRET).await.unwrap();
    assert!(
        eventually(Duration::from_secs(10), || async {
            seen.last().is_some_and(|s| s.loaded)
        })
        .await
    );
    let running: Vec<String> = sim.running().await.into_iter().map(|(id, _)| id).collect();
    assert!(running.len() >= 3, "{running:?}");
    let in_group = |groups: &[&str]| compute_desk::settings::LabelChange {
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        ..Default::default()
    };
    desk.set_name(&running[0], in_group(&["Accounting"]))
        .await
        .unwrap();
    desk.set_name(&running[1], in_group(&["Accounting"]))
        .await
        .unwrap();
    let (off, at) = off_after(desk.wall_clock().now());
    // As the page sends it ("Schedule the group…"): no machines, the group's name.
    let view = desk
        .set_schedule_typed(ScheduleInput {
            id: String::new(),
            machines: vec![],
            group: Some(" accounting ".into()),
            days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .map(String::from)
                .to_vec(),
            on: None,
            off: Some(off.to_string()),
            zone: "UTC".into(),
            skip: vec![],
        })
        .await
        .unwrap();
    assert_eq!(
        view.schedules[0].schedule.group.as_deref(),
        Some("accounting")
    );
    let mut shown = view.schedules[0].schedule.machines.clone();
    shown.sort();
    let mut expected = vec![running[0].clone(), running[1].clone()];
    expected.sort();
    assert_eq!(shown, expected, "the page sees the group's machines");
    // Afterwards: one more put in the group, one taken out.
    desk.set_name(&running[2], in_group(&["Accounting"]))
        .await
        .unwrap();
    desk.set_name(&running[1], in_group(&[])).await.unwrap();

    let news = run_schedules(&desk);
    let before = at.duration_since(desk.wall_clock().now()) - SignedDuration::from_secs(3);
    sim.move_clock(Duration::try_from(before).unwrap()).await;
    assert!(
        eventually(Duration::from_secs(60), || async {
            news.lock().unwrap().len() >= 2
        })
        .await,
        "both of the group's machines done: {:?}",
        news.lock().unwrap()
    );
    assert_eq!(status_of(&sim, &running[0]).await, "STOPPED");
    assert_eq!(status_of(&sim, &running[2]).await, "STOPPED");
    assert_eq!(
        status_of(&sim, &running[1]).await,
        "RUNNING",
        "taken out of the group before the change"
    );
    assert_eq!(power_requests(&sim).await.len(), 2);
    desk.sign_out().await;
}
