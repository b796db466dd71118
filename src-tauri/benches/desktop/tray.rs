//! Issue 33: what Compute Desk costs in the tray with its window closed, as it sits there
//! all day: three accounts, each on a simulator of its own (the service's limits on), five
//! schedules among them (none due in the minute measured) and every account watched. The
//! CPU of the app's tree over a minute, its memory (PSS), and the reads each account gets,
//! against the same app's idle PSS with its window open, measured just before it closed.

use std::time::{Duration, Instant};

use compute_desk::schedule::{ClockTime, Days, Schedule};
use compute_desk::settings::{SchedulesFile, SettingsFile};

use crate::common::desktop::{close_to_tray, sign_in_with_key, sim_with, Desktop, Home};
use crate::common::Sim;
use crate::measure::{clock_ticks_per_second, tree_cpu_ticks, tree_pss_mib};

/// Five schedules among the accounts `ids` (two, two and one), on and off some hours from
/// now, so that none is due while the tray is measured; every account watched.
fn schedules_and_watching(home: &Home, ids: &[String], machines: &[Vec<String>]) {
    let hour = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .hour() as u8;
    let at = |h: u8| ClockTime::new((hour + h) % 24, 0);
    let now = jiff::Timestamp::now();
    SchedulesFile::in_dir(&home.config_dir())
        .change(|all| {
            for (n, (account, machines)) in ids.iter().zip(machines).enumerate() {
                for (k, machine) in machines.iter().take(2 - n / 2).enumerate() {
                    let schedule = Schedule {
                        id: format!("bench-{n}-{k}"),
                        machines: vec![machine.clone()],
                        group: None,
                        days: Days::EVERY_DAY,
                        on: at(6 + k as u8),
                        off: at(9 + k as u8),
                        zone: "UTC".into(),
                        skip: vec![],
                    };
                    assert!(all.set(account, schedule, now));
                }
                all.set_watch(account, true);
            }
        })
        .unwrap();
    let kept = SchedulesFile::in_dir(&home.config_dir()).load().0;
    let count: usize = ids.iter().map(|a| kept.of(a).len()).sum();
    assert_eq!(count, 5, "five schedules kept");
    assert_eq!(kept.watched().count(), 3, "three accounts watched");
}

/// The list reads each simulator was asked for so far.
async fn list_reads(sims: &[Sim]) -> Vec<usize> {
    let mut reads = vec![];
    for sim in sims {
        reads.push(sim.count("GET", "/api/compute/v1/instances").await);
    }
    reads
}

pub async fn in_the_tray() {
    let sims: Vec<Sim> = (0..3)
        .map(|_| sim_with(&["--instances", "6", "--speed", "50"]))
        .collect();
    let home = Home::new();
    let app = Desktop::launch(&home, &[], &[]).await;
    let saved = || -> Vec<String> {
        SettingsFile::in_dir(&home.config_dir())
            .load()
            .settings
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect()
    };
    for (n, sim) in sims.iter().enumerate() {
        if n > 0 {
            app.click(&app.text_of("#account").await).await;
            app.click("Add account…").await;
        }
        sign_in_with_key(&app, sim).await;
        // Signed in and saved (the rows of the account before may still be on screen).
        for _ in 0..100 {
            if saved().len() == n + 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let ids = saved();
    assert_eq!(ids.len(), 3, "three accounts saved: {ids:?}");
    // Each account's machines, in the order the accounts were saved (one simulator each).
    let mut machines = vec![];
    for sim in &sims {
        machines.push(
            sim.listed("name")
                .await
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        );
    }
    schedules_and_watching(&home, &ids, &machines);

    // Idle with its window open, the third account on screen.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (open_pss, open_parts) = tree_pss_mib("compute-desk");

    close_to_tray(&app, "bench-tray-close").await;
    // Settled: the web view gone, every account looked at once.
    tokio::time::sleep(Duration::from_secs(20)).await;
    let reads_before = list_reads(&sims).await;
    let ticks = tree_cpu_ticks("compute-desk");
    let t = Instant::now();
    tokio::time::sleep(Duration::from_secs(75)).await;
    let spent = (tree_cpu_ticks("compute-desk") - ticks) as f64 / clock_ticks_per_second();
    let seconds = t.elapsed().as_secs_f64();
    let reads: Vec<f64> = list_reads(&sims)
        .await
        .iter()
        .zip(&reads_before)
        .map(|(after, before)| (after - before) as f64 * 60.0 / seconds)
        .collect();
    let (tray_pss, tray_parts) = tree_pss_mib("compute-desk");
    println!(
        "in the tray, window closed (3 accounts, 5 schedules, all watched): CPU {:.2} % of a core over {seconds:.0} s (target ≤ 0.5); PSS {tray_pss:.1} MiB against {open_pss:.1} with the window open just before, ratio {:.3} (target ≤ 0.40)",
        spent / seconds * 100.0,
        tray_pss / open_pss
    );
    println!("   list reads a minute, each account: {reads:.1?} (the watchful eye: one look each 37.5 s)");
    println!("   tree with the window open: {}", open_parts.join(", "));
    println!("   tree in the tray: {}", tray_parts.join(", "));
    app.quit().await;
}
