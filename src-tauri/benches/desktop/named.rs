//! The 10,000-machine table as a team names it: 2,000 machines given a name (some with a
//! note, a few favourites) across 50 groups, written into the demo account's `names.json`
//! before the app launches, so that the table's launch, first paint and keystrokes are
//! measured with the names it shows.

use crate::common::desktop::{Desktop, Home};

/// Machines named, and groups they are in.
pub const NAMED: usize = 2_000;
pub const GROUPS: usize = 50;

/// The demo's machine ids, as its list gives them (the demo's machines are the same on
/// every launch: its simulator's seed is fixed).
pub async fn demo_ids(app: &Desktop) -> Vec<String> {
    let ids = app
        .js_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('machines').then((s) => done(s.machines.map((r) => r.id)));",
        )
        .await;
    serde_json::from_value(ids).unwrap()
}

/// Writes `names.json` for the demo account into `home`: every fifth of `ids` named, up to
/// [`NAMED`], each in one or two of [`GROUPS`] groups.
pub fn write_names(home: &Home, ids: &[String]) {
    let mut machines = serde_json::Map::new();
    for (n, id) in ids.iter().step_by(5).take(NAMED).enumerate() {
        let mut groups = vec![format!("Team {:02}", n % GROUPS + 1)];
        if n % 7 == 0 {
            groups.push(format!("Team {:02}", (n + 17) % GROUPS + 1));
        }
        let mut label = serde_json::json!({
            "name": format!("Office PC {n:04}"),
            "groups": groups,
        });
        if n % 4 == 0 {
            label["note"] = format!("Desk {} on floor {}", n % 60, n % 5).into();
        }
        if n % 100 == 0 {
            label["favourite"] = true.into();
        }
        machines.insert(id.clone(), label);
    }
    let names = serde_json::json!({"version": 1, "accounts": {"demo": {"machines": machines}}});
    let dir = home.config_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("names.json"), serde_json::to_vec(&names).unwrap()).unwrap();
}
