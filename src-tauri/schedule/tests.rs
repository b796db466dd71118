//! The calendar around both daylight-saving changes of 2026 in three kinds of zone, and
//! what is due after a time without looking.

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn time(text: &str) -> ClockTime {
    ClockTime::parse(text).unwrap()
}

fn schedule(days: Days, on: Option<&str>, off: Option<&str>, zone: &str) -> (Schedule, TimeZone) {
    let s = Schedule {
        id: "s1".into(),
        machines: vec!["m1".into(), "m2".into()],
        group: None,
        days,
        on: on.map(time),
        off: off.map(time),
        zone: zone.into(),
        skip: vec![],
    };
    let tz = s.check().unwrap();
    (s, tz)
}

/// The instants of the changes set for one local date.
fn on_day(s: &Schedule, tz: &TimeZone, y: i16, m: i8, d: i8) -> Vec<(Turn, String)> {
    s.changes_on(tz, date(y, m, d))
        .into_iter()
        .map(|c| (c.turn, c.at.to_string()))
        .collect()
}

#[test]
fn madrid_spring_a_skipped_time_runs_at_the_first_minute_after_the_gap() {
    // 29 March 2026: at 02:00 CET the clocks go to 03:00 CEST.
    let (s, tz) = schedule(Days::EVERY_DAY, Some("02:30"), None, "Europe/Madrid");
    assert_eq!(
        on_day(&s, &tz, 2026, 3, 28),
        [(Turn::On, "2026-03-28T01:30:00Z".into())]
    );
    assert_eq!(
        on_day(&s, &tz, 2026, 3, 29),
        [(Turn::On, "2026-03-29T01:00:00Z".into())]
    );
    assert_eq!(
        on_day(&s, &tz, 2026, 3, 30),
        [(Turn::On, "2026-03-30T00:30:00Z".into())]
    );
    // A time outside the gap that day is where it says.
    let (s, tz) = schedule(
        Days::EVERY_DAY,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    assert_eq!(
        on_day(&s, &tz, 2026, 3, 29),
        [
            (Turn::On, "2026-03-29T06:00:00Z".into()),
            (Turn::Off, "2026-03-29T17:00:00Z".into())
        ]
    );
}

#[test]
fn madrid_autumn_a_time_that_happens_twice_runs_once_the_first_time() {
    // 25 October 2026: at 03:00 CEST the clocks go back to 02:00 CET.
    let (s, tz) = schedule(Days::EVERY_DAY, None, Some("02:30"), "Europe/Madrid");
    let day = s.changes_between(&tz, at("2026-10-24T12:00:00Z"), at("2026-10-25T12:00:00Z"));
    assert_eq!(day.len(), 1, "{day:?}");
    assert_eq!(day[0].at, at("2026-10-25T00:30:00Z"));
    // The day after, in winter time.
    assert_eq!(
        on_day(&s, &tz, 2026, 10, 26),
        [(Turn::Off, "2026-10-26T01:30:00Z".into())]
    );
}

#[test]
fn new_york_both_changes() {
    // 8 March 2026: 02:00 EST → 03:00 EDT. 1 November 2026: 02:00 EDT → 01:00 EST.
    let (s, tz) = schedule(
        Days::EVERY_DAY,
        Some("02:30"),
        Some("01:30"),
        "America/New_York",
    );
    assert_eq!(
        on_day(&s, &tz, 2026, 3, 8),
        [
            (Turn::Off, "2026-03-08T06:30:00Z".into()),
            (Turn::On, "2026-03-08T07:00:00Z".into())
        ]
    );
    let fall = s.changes_between(&tz, at("2026-11-01T04:00:00Z"), at("2026-11-01T12:00:00Z"));
    let offs: Vec<_> = fall.iter().filter(|c| c.turn == Turn::Off).collect();
    assert_eq!(offs.len(), 1, "01:30 happens twice and runs once: {fall:?}");
    assert_eq!(offs[0].at, at("2026-11-01T05:30:00Z"));
    // 02:30 that day exists once (EST).
    assert_eq!(
        fall.iter().find(|c| c.turn == Turn::On).unwrap().at,
        at("2026-11-01T07:30:00Z")
    );
}

#[test]
fn kolkata_and_phoenix_keep_their_offset_through_the_year() {
    // No daylight saving: +05:30 and -07:00 on the days others change.
    let (s, tz) = schedule(Days::EVERY_DAY, Some("08:00"), None, "Asia/Kolkata");
    for (m, d) in [(3, 8), (3, 29), (10, 25), (11, 1)] {
        assert_eq!(
            on_day(&s, &tz, 2026, m, d),
            [(Turn::On, format!("2026-{m:02}-{d:02}T02:30:00Z"))]
        );
    }
    let (s, tz) = schedule(Days::EVERY_DAY, Some("02:30"), None, "America/Phoenix");
    for (m, d) in [(3, 8), (3, 29), (10, 25), (11, 1)] {
        assert_eq!(
            on_day(&s, &tz, 2026, m, d),
            [(Turn::On, format!("2026-{m:02}-{d:02}T09:30:00Z"))]
        );
    }
}

#[test]
fn weekdays_and_skipped_dates() {
    let (mut s, tz) = schedule(
        Days::WEEKDAYS,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    // Friday 11 December 2026, 20:00 in Madrid: next is Monday 08:00 (CET, +01).
    let friday_evening = at("2026-12-11T19:00:00Z");
    let next = s.next_change(&tz, friday_evening).unwrap();
    assert_eq!((next.turn, next.at), (Turn::On, at("2026-12-14T07:00:00Z")));
    assert_eq!(next.day, date(2026, 12, 14));
    let last = s.last_change(&tz, friday_evening).unwrap();
    assert_eq!(
        (last.turn, last.at),
        (Turn::Off, at("2026-12-11T18:00:00Z"))
    );
    // Monday skipped (a holiday): Tuesday.
    s.skip.push(date(2026, 12, 14));
    let next = s.next_change(&tz, friday_evening).unwrap();
    assert_eq!(next.at, at("2026-12-15T07:00:00Z"));
    assert!(on_day(&s, &tz, 2026, 12, 12).is_empty(), "Saturday");
}

#[test]
fn a_part_ends_at_the_next_change_the_other_way_or_with_its_day() {
    let (s, tz) = schedule(
        Days::WEEKDAYS,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    let friday_off = s.changes_on(&tz, date(2026, 12, 11))[1];
    assert_eq!(
        s.part_end(&tz, &friday_off),
        at("2026-12-14T07:00:00Z"),
        "off all weekend"
    );
    let (s, tz) = schedule(Days::WEEKDAYS, None, Some("19:00"), "Europe/Madrid");
    let off = s.changes_on(&tz, date(2026, 12, 11))[0];
    assert_eq!(
        s.part_end(&tz, &off),
        at("2026-12-11T23:00:00Z"),
        "the end of that day"
    );
}

#[test]
fn checks_say_what_is_wrong() {
    let (mut s, _) = schedule(
        Days::WEEKDAYS,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    s.zone = "Europe/Atlantis".into();
    assert_eq!(s.check().unwrap_err().0, "schedule.problem.unknown_zone");
    s.zone = "Europe/Madrid".into();
    s.off = s.on;
    assert_eq!(s.check().unwrap_err().0, "schedule.problem.same_time");
    s.on = None;
    s.off = None;
    assert_eq!(s.check().unwrap_err().0, "schedule.problem.no_time");
    s.on = Some(time("08:00"));
    s.days = Days::NONE;
    assert_eq!(s.check().unwrap_err().0, "schedule.problem.no_days");
    s.days = Days::WEEKEND;
    s.machines.clear();
    assert_eq!(s.check().unwrap_err().0, "schedule.problem.no_machines");
}

#[test]
fn clock_times_and_days_read_as_people_write_them() {
    assert_eq!(time("8:05").to_string(), "08:05");
    assert_eq!(time("1900").to_string(), "19:00");
    for bad in ["24:00", "7:6", "", "ab:cd", "12:60", "123:00"] {
        assert!(ClockTime::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Days::parse("weekdays").unwrap(), Days::WEEKDAYS);
    assert_eq!(Days::parse("sat, Sunday").unwrap(), Days::WEEKEND);
    assert!(Days::parse("mon,funday").is_err());
    let s = schedule(
        Days::parse("mon,wed").unwrap(),
        Some("08:00"),
        None,
        "Europe/Madrid",
    )
    .0;
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        json.contains(r#""days":["mon","wed"]"#) && json.contains(r#""on":"08:00""#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), s);
}

fn nobody(_: &str) -> Option<Timestamp> {
    None
}

#[test]
fn a_change_whose_time_has_come_is_due_on_time() {
    let (s, tz) = schedule(
        Days::WEEKDAYS,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    // Monday 14 December, 08:00 Madrid = 07:00Z; looked at 07:00:10Z, last look a minute before.
    let due = due(
        &s,
        &tz,
        at("2026-12-14T06:59:10Z"),
        at("2026-12-14T07:00:10Z"),
        None,
        &nobody,
    );
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].why, due[0].change.turn), (Why::OnTime, Turn::On));
    assert_eq!(due[0].machines, ["m1", "m2"]);
}

#[test]
fn a_missed_change_is_done_only_while_its_part_lasts() {
    let (s, tz) = schedule(
        Days::WEEKDAYS,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    // Off since Friday 17:00 Madrid; launched Monday at 09:14 Madrid: the on time at 08:00
    // was missed and the machines should be on: started now.
    let missed = due(
        &s,
        &tz,
        at("2026-12-11T16:00:00Z"),
        at("2026-12-14T08:14:00Z"),
        None,
        &nobody,
    );
    assert_eq!(missed.len(), 1, "only the last missed change: {missed:?}");
    assert_eq!(
        (missed[0].why, missed[0].change.turn),
        (Why::Missed, Turn::On)
    );
    assert_eq!(missed[0].change.at, at("2026-12-14T07:00:00Z"));
    // Launched Monday at 20:00: the on time was missed, and so was the off time after it;
    // the last, the off, is done (the machines should be off until Tuesday 08:00).
    let missed = due(
        &s,
        &tz,
        at("2026-12-14T06:00:00Z"),
        at("2026-12-14T19:00:00Z"),
        None,
        &nobody,
    );
    assert_eq!(missed.len(), 1);
    assert_eq!(
        (missed[0].why, missed[0].change.turn),
        (Why::Missed, Turn::Off)
    );
    // An on time alone (no off): missed on Monday, launched on Tuesday at 07:00 before
    // Tuesday's: Monday's part is over, nothing is started, and that is said.
    let (s, tz) = schedule(Days::WEEKDAYS, Some("08:00"), None, "Europe/Madrid");
    let over = due(
        &s,
        &tz,
        at("2026-12-14T06:00:00Z"),
        at("2026-12-15T06:00:00Z"),
        None,
        &nobody,
    );
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].why, Why::MissedAndOver);
    assert!(over[0].machines.is_empty());
}

#[test]
fn a_machine_turned_by_hand_after_a_change_keeps_what_the_person_did() {
    let (s, tz) = schedule(
        Days::WEEKDAYS,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    // Stopped at 19:00 on Monday; m1 started by hand at 20:00 from this computer; the app
    // closed and opened again at 21:00: m1 stays on, m2 is stopped.
    let hand = |id: &str| (id == "m1").then(|| at("2026-12-14T19:00:00Z"));
    let missed = due(
        &s,
        &tz,
        at("2026-12-14T17:30:00Z"),
        at("2026-12-14T20:00:00Z"),
        None,
        &hand,
    );
    assert_eq!(missed[0].change.turn, Turn::Off);
    assert_eq!(missed[0].machines, ["m2"]);
    assert_eq!(missed[0].by_hand, ["m1"]);
    // A hand action before the change does not hold it back.
    let before = |_: &str| Some(at("2026-12-14T12:00:00Z"));
    let missed = due(
        &s,
        &tz,
        at("2026-12-14T17:30:00Z"),
        at("2026-12-14T20:00:00Z"),
        None,
        &before,
    );
    assert_eq!(missed[0].machines, ["m1", "m2"]);
}

#[test]
fn paused_changes_are_not_done_later() {
    let (s, tz) = schedule(
        Days::WEEKDAYS,
        Some("08:00"),
        Some("19:00"),
        "Europe/Madrid",
    );
    // Paused for Monday: its 19:00 off is not done, not even when looked at late.
    let pause = Some(at("2026-12-14T23:00:00Z"));
    let none = due(
        &s,
        &tz,
        at("2026-12-14T17:59:00Z"),
        at("2026-12-14T18:00:30Z"),
        pause,
        &nobody,
    );
    assert!(none.is_empty(), "{none:?}");
    // Tuesday's 08:00 is after the pause.
    let next = due(
        &s,
        &tz,
        at("2026-12-15T06:59:00Z"),
        at("2026-12-15T07:00:05Z"),
        pause,
        &nobody,
    );
    assert_eq!(next.len(), 1);
}

#[test]
fn a_change_on_time_supersedes_one_missed_before_it() {
    let (s, tz) = schedule(
        Days::EVERY_DAY,
        Some("08:00"),
        Some("08:30"),
        "Europe/Madrid",
    );
    // Asleep from 06:00Z, woken at 07:30:30Z: the 08:00 on was missed, the 08:30 off is on time.
    let due = due(
        &s,
        &tz,
        at("2026-12-14T06:00:00Z"),
        at("2026-12-14T07:30:30Z"),
        None,
        &nobody,
    );
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!((due[0].why, due[0].change.turn), (Why::OnTime, Turn::Off));
}
