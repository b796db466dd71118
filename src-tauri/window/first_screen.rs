//! The first screen of a long list, ahead of the rest: the rows the page will show at the
//! top, in its own order, picked from the whole list without sorting it.
//!
//! A 10,000-machine list is ~4 MB of JSON, and bringing it over the IPC protocol and
//! parsing it took the page ~100 ms (measured on the launch path, 2 cores). The page's first
//! `news` request says how many rows fill its window and how it sorts them; when the list
//! is longer, the answer carries only those rows (and how many there are in all), the page
//! paints them, and asks at once for the whole list. The page sorts whatever it is given,
//! so were this order ever to differ from the page's, the first screen would still be in the
//! page's order (only which rows it holds could differ, until the whole list, ~100 ms later).
//! Its rules mirror `ui/js/order.js`; a fixture both sides are tested against holds them to
//! one order (`tests/ui/fixtures/first-screen.json`).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::watch::{Row, Snapshot};

/// What the page's first request asks for: how many rows fill its window, and its order.
#[derive(Clone, Debug, Deserialize)]
pub struct FirstAsk {
    pub rows: usize,
    pub column: String,
    pub descending: bool,
}

/// The most rows a first screen holds, whatever the page asks: a window 8,000 px tall.
const MOST_ROWS: usize = 200;

/// A list's first screen: the snapshot with only its top rows, and how many there are.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstScreen {
    #[serde(flatten)]
    pub snapshot: Snapshot,
    /// How many machines the whole list has.
    pub first_of: usize,
}

/// The first screen of `snapshot` as `ask` orders it, or `None` when the whole list is as
/// small, not read yet, or in an order this cannot reproduce (an unknown column, or a
/// creation time the page would read differently).
pub fn first_screen(snapshot: &Snapshot, ask: &FirstAsk, lang: Lang) -> Option<FirstScreen> {
    let rows = ask.rows.clamp(1, MOST_ROWS);
    if !snapshot.loaded || snapshot.machines.len() <= rows {
        return None;
    }
    let mut keyed = keys(&snapshot.machines, &ask.column, lang)?;
    let order = |a: &Keyed, b: &Keyed| {
        let c = a.key.cmp(&b.key).then_with(|| natural(&a.name, &b.name));
        let c = if ask.descending { c.reverse() } else { c };
        // Favourites on top, either way; the page's sort is stable: rows alike in all keep
        // the list's order.
        b.favourite
            .cmp(&a.favourite)
            .then(c)
            .then(a.index.cmp(&b.index))
    };
    keyed.select_nth_unstable_by(rows - 1, order);
    keyed.truncate(rows);
    keyed.sort_unstable_by(order);
    let machines = keyed
        .iter()
        .map(|k| snapshot.machines[k.index].clone())
        .collect();
    Some(FirstScreen {
        // Everything but the rows as the whole list has it (the rest of its fields are
        // copied; a new one that is not would have to be named here).
        snapshot: Snapshot {
            machines,
            problem: snapshot.problem.clone(),
            bulks: snapshot.bulks.clone(),
            ..*snapshot
        },
        first_of: snapshot.machines.len(),
    })
}

/// A row's place in the page's order: a favourite or not, its key, its name in lower case,
/// where it was.
struct Keyed {
    favourite: bool,
    key: Key,
    name: Vec<u16>,
    index: usize,
}

/// A sort key as the page has it: creation times are numbers, everything else text in
/// lower case, compared as people read numbers in it.
#[derive(PartialEq, Eq)]
enum Key {
    Time(i128),
    Text(Vec<u16>),
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Time(a), Key::Time(b)) => a.cmp(b),
            (Key::Text(a), Key::Text(b)) => natural(a, b),
            // One column gives one kind of key.
            (Key::Time(_), Key::Text(_)) => Ordering::Less,
            (Key::Text(_), Key::Time(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Lower case, in UTF-16 code units as the page's strings are.
fn lower(text: &str) -> Vec<u16> {
    text.to_lowercase().encode_utf16().collect()
}

fn keys(rows: &[Row], column: &str, lang: Lang) -> Option<Vec<Keyed>> {
    rows.iter()
        .enumerate()
        .map(|(index, r)| {
            let text = |t: &Option<String>| Key::Text(lower(t.as_deref().unwrap_or("")));
            // The name read first: the one a person gave it, where there is one.
            let name = lower(r.given.as_deref().unwrap_or(&r.name));
            let key = match column {
                "name" => Key::Text(name.clone()),
                "state" => Key::Text(lower(&lang.say(&r.state_label))),
                "zone" => text(&r.zone),
                "machineType" => text(&r.machine_type),
                "externalIp" => text(&r.external_ip),
                "internalIp" => text(&r.internal_ip),
                "templateId" => text(&r.template_id),
                "createdAt" => Key::Time(created_ms(r.created_at.as_deref())?),
                _ => return None,
            };
            Some(Keyed {
                favourite: r.favourite,
                key,
                name,
                index,
            })
        })
        .collect()
}

/// A creation time as the page reads it (`Date.parse`, milliseconds; none or empty: 0), or
/// `None` for one that is neither RFC 3339 nor empty, which the page may read otherwise.
fn created_ms(raw: Option<&str>) -> Option<i128> {
    match raw {
        None | Some("") => Some(0),
        Some(raw) => {
            let t =
                time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
                    .ok()?;
            Some(t.unix_timestamp_nanos().div_euclid(1_000_000))
        }
    }
}

fn is_digit(c: u16) -> bool {
    (48..=57).contains(&c)
}

/// `naturalCompare` of `ui/js/format.js`, unit for unit: numbers by their value ("web-2"
/// before "web-10"), everything else by code unit.
pub fn natural(x: &[u16], y: &[u16]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        let (cx, cy) = (x[i], y[j]);
        if is_digit(cx) && is_digit(cy) {
            let (mut si, mut sj) = (i, j);
            while si + 1 < x.len() && x[si] == 48 && is_digit(x[si + 1]) {
                si += 1;
            }
            while sj + 1 < y.len() && y[sj] == 48 && is_digit(y[sj + 1]) {
                sj += 1;
            }
            let (mut ei, mut ej) = (si, sj);
            while ei < x.len() && is_digit(x[ei]) {
                ei += 1;
            }
            while ej < y.len() && is_digit(y[ej]) {
                ej += 1;
            }
            // More digits (leading zeros aside) is a larger number; else digit by digit.
            let longer = (ei - si).cmp(&(ej - sj));
            if longer != Ordering::Equal {
                return longer;
            }
            let digits = x[si..ei].cmp(&y[sj..ej]);
            if digits != Ordering::Equal {
                return digits;
            }
            (i, j) = (ei, ej);
        } else {
            if cx != cy {
                return cx.cmp(&cy);
            }
            i += 1;
            j += 1;
        }
    }
    (x.len() - i).cmp(&(y.len() - j))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture the page's order is tested against too (`tests/ui/order.test.mjs`).
    const FIXTURE: &str = "tests/ui/fixtures/first-screen.json";

    /// Rows whose keys hit every rule: numbers of different lengths and leading zeros,
    /// case, letters beyond ASCII, missing values, ties broken by name, names alike, and
    /// names given by people (ordered by them, not by the service's), and favourites (on
    /// top either way).
    fn rows() -> Vec<Row> {
        let names = [
            "web-10",
            "web-2",
            "Web-2",
            "web-02",
            "web-1",
            "db-1",
            "DB-10",
            "db-9",
            "a100",
            "a20",
            "a3",
            "a03",
            "a",
            "",
            "Ñandú-1",
            "ñandú-01",
            "zeta",
            "Zeta",
            "éclair-7",
            "x9y10",
            "x9y9",
            "x10y1",
            "web-1",
            "007",
            "7",
            "0",
            "00",
            "b-1-2",
            "b-1-10",
            "b-01-3",
        ];
        let zones = [
            Some("eu-west1-b"),
            Some("us-central1-a"),
            None,
            Some("US-central1-a"),
        ];
        let times = [
            Some("2026-10-05T12:00:24Z"),
            Some("2026-10-05T12:00:24.999Z"),
            Some("2026-10-05T14:00:24+02:00"),
            None,
            Some("2025-01-01T00:00:00Z"),
        ];
        let statuses = [
            "RUNNING",
            "STOPPED",
            "STOPPING",
            "TERMINATED",
            "SUSPENDED",
            "odd-one",
        ];
        let ids: Vec<String> = (0..names.len()).map(|i| format!("m-{i:02}")).collect();
        let snapshot = crate::watch::snapshot_of(
            &ids.iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), statuses[i % statuses.len()]))
                .collect::<Vec<_>>(),
        );
        snapshot
            .machines
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r.name = names[i].into();
                r.zone = zones[i % zones.len()].map(Into::into);
                r.external_ip = (i % 3 != 0).then(|| format!("34.1.{}.{}", i % 7, i * 3));
                r.created_at = times[i % times.len()].map(Into::into);
                let given = [
                    "Accounting PC",
                    "aardvark",
                    "web-3",
                    "Ñu 2",
                    "zz top",
                    "db-10",
                ];
                r.given = (i % 5 == 1).then(|| given[i / 5].into());
                // Favourites, named and not, that every order keeps on top.
                r.favourite = i % 7 == 3;
                r
            })
            .collect()
    }

    /// The ids of a first screen's rows, in order.
    fn ids(first: &FirstScreen) -> Vec<&str> {
        first
            .snapshot
            .machines
            .iter()
            .map(|r| r.id.as_str())
            .collect()
    }

    fn loaded(machines: Vec<Row>) -> Snapshot {
        let mut s = crate::watch::snapshot_of(&[]);
        s.machines = machines;
        s
    }

    const COLUMNS: [&str; 5] = ["name", "state", "zone", "externalIp", "createdAt"];

    /// Each column both ways, in both languages: the ids of the first 12 rows.
    fn orders(rows: &[Row]) -> serde_json::Value {
        let snapshot = loaded(rows.to_vec());
        let mut out = serde_json::Map::new();
        for lang in [Lang::En, Lang::Es] {
            for column in COLUMNS {
                for descending in [false, true] {
                    let ask = FirstAsk {
                        rows: 12,
                        column: column.into(),
                        descending,
                    };
                    let first = first_screen(&snapshot, &ask, lang).unwrap();
                    assert_eq!(first.first_of, rows.len());
                    out.insert(
                        format!(
                            "{}/{column}/{}",
                            lang.code(),
                            if descending { "desc" } else { "asc" }
                        ),
                        serde_json::json!(ids(&first)),
                    );
                }
            }
        }
        serde_json::Value::Object(out)
    }

    /// The page's order and this one agree on the fixture: the page's side is
    /// `tests/ui/order.test.mjs`. `UPDATE_FIXTURES=1` writes it again from this side.
    #[test]
    fn the_first_screen_is_the_top_of_the_page_order_on_the_shared_fixture() {
        let rows = rows();
        let expected = orders(&rows);
        let page_rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .collect();
        let fixture = serde_json::json!({"rows": page_rows, "first": 12, "orders": expected});
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
        if std::env::var_os("UPDATE_FIXTURES").is_some() {
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&fixture).unwrap() + "\n",
            )
            .unwrap();
        }
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            written, fixture,
            "run with UPDATE_FIXTURES=1 after a change of order"
        );
    }

    #[test]
    fn the_top_rows_equal_a_whole_sort_of_a_large_list() {
        // 5,000 seeded names: the selection agrees with sorting everything.
        let mut rng = fastrand::Rng::with_seed(20261203);
        let template = rows().remove(0);
        let machines: Vec<Row> = (0..5000)
            .map(|i| {
                let mut r = template.clone();
                r.id = format!("id-{i}");
                r.name = format!(
                    "{}-{}",
                    ["web", "db", "Web", "cache"][rng.usize(0..4)],
                    rng.u32(0..300)
                );
                r
            })
            .collect();
        let snapshot = loaded(machines.clone());
        let ask = FirstAsk {
            rows: 40,
            column: "name".into(),
            descending: true,
        };
        let first = first_screen(&snapshot, &ask, Lang::En).unwrap();
        let mut all: Vec<(usize, &Row)> = machines.iter().enumerate().collect();
        all.sort_by(|(ia, a), (ib, b)| natural(&lower(&b.name), &lower(&a.name)).then(ia.cmp(ib)));
        let want: Vec<&str> = all[..40].iter().map(|(_, r)| r.id.as_str()).collect();
        assert_eq!(ids(&first), want);
    }

    #[test]
    fn a_short_list_an_unknown_column_or_an_odd_time_gets_no_first_screen() {
        let rows = rows();
        let ask = |column: &str, n| FirstAsk {
            rows: n,
            column: column.into(),
            descending: false,
        };
        let snapshot = loaded(rows.clone());
        assert!(first_screen(&snapshot, &ask("name", rows.len()), Lang::En).is_none());
        assert!(first_screen(&snapshot, &ask("owner", 5), Lang::En).is_none());
        let mut odd = rows.clone();
        odd[3].created_at = Some("5 October 2026".into());
        assert!(first_screen(&loaded(odd.clone()), &ask("createdAt", 5), Lang::En).is_none());
        // The name column does not read times.
        assert!(first_screen(&loaded(odd), &ask("name", 5), Lang::En).is_some());
        let mut unread = loaded(rows);
        unread.loaded = false;
        assert!(first_screen(&unread, &ask("name", 5), Lang::En).is_none());
    }
}
