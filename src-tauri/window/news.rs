//! What the page is told without asking: the machines list, the account and the desktop's
//! light or dark. The newest of each waits here, numbered, and the page keeps one `news`
//! request standing: it is answered as soon as anything is newer than what the page has
//! seen, or after [`NEWS_WAIT`] with nothing, and the page asks again.
//!
//! Why not Tauri's events: on Linux an event is a script the app runs in the page
//! (`webkit_web_view_run_javascript`, also to register each listener), and WebKit reads
//! each script's result back in the app's own process, for which it starts a JavaScript
//! engine there, the first time, and keeps it: 3.1 MiB more in the app's process (0.9 MiB
//! of the whole tree, the engine's code being shared with the web process) for results
//! nobody reads. A command's answer comes back over Tauri's IPC protocol as an HTTP
//! response instead: no script runs, and the page reads a 10,000-machine list with
//! `JSON.parse` rather than compiling it as a script.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

use super::first_screen::{first_screen, FirstAsk, FirstScreen};

use crate::desk::AppView;
use crate::i18n::Lang;
use crate::watch::{Delta, RowPrints, Snapshot};

/// How many lists back the page may hold and still be sent only what changed. A bulk's
/// answers post a list each, faster than a page busy drawing asks: with 3 kept, a page
/// following 100 machines moving among 10,000 was sent the whole list several times a
/// minute in one run of the desktop benchmark (13.9 MiB; 0.2 MiB with 8 kept). A print
/// of 10,000 rows is about 0.6 MiB.
const PRINTS_KEPT: usize = 8;

/// The machines list for the page: whole, or what changed since a list it holds.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Machines {
    Whole(Arc<Snapshot>),
    Delta(Box<Delta>),
    /// The top of a long list, for the page's first paint (`first_screen.rs`).
    First(Box<FirstScreen>),
}

impl Machines {
    /// The `seq` of the list it brings the page to.
    pub fn seq(&self) -> u64 {
        match self {
            Machines::Whole(s) => s.seq,
            Machines::Delta(d) => d.seq,
            Machines::First(f) => f.snapshot.seq,
        }
    }
}

/// How long a `news` request waits for something new before it is answered with nothing
/// (and asked again): no request stands for ever, whatever happens to the page.
pub const NEWS_WAIT: Duration = Duration::from_secs(50);

/// An answer to the page: whatever is newer than what it had seen, and the number to send
/// back next time.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct News {
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machines: Option<Machines>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AppView>,
    /// True for dark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<bool>,
    /// The window was closed for the first time: the page asks whether to stay in the tray.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ask_close: Option<bool>,
}

/// The newest of each kind of news, each with the number it was posted under.
#[derive(Default)]
struct Board {
    machines: Option<(u64, Arc<Snapshot>)>,
    /// The prints of the last few lists posted, by number, oldest first.
    prints: VecDeque<(u64, Arc<RowPrints>)>,
    account: Option<(u64, AppView)>,
    theme: Option<(u64, bool)>,
    ask_close: Option<(u64, bool)>,
}

/// Where news waits for the page. Only the newest of each kind is kept: a list or an
/// account superseded before the page asked would only be drawn and drawn over.
pub struct Newsroom {
    board: Mutex<Board>,
    version: watch::Sender<u64>,
}

impl Default for Newsroom {
    fn default() -> Self {
        Newsroom {
            board: Mutex::default(),
            version: watch::Sender::new(0),
        }
    }
}

impl Newsroom {
    pub fn machines(&self, snapshot: Snapshot) {
        let prints = Arc::new(RowPrints::of(&snapshot));
        let snapshot = Arc::new(snapshot);
        self.post(|board, v| {
            board.machines = Some((v, snapshot));
            if board.prints.len() == PRINTS_KEPT {
                board.prints.pop_front();
            }
            board.prints.push_back((v, prints));
        });
    }

    pub fn account(&self, view: AppView) {
        self.post(|board, v| board.account = Some((v, view)));
    }

    pub fn theme(&self, dark: bool) {
        self.post(|board, v| board.theme = Some((v, dark)));
    }

    /// Asks the page what closing the window should do (the first time it is closed).
    pub fn ask_close(&self) {
        self.post(|board, v| board.ask_close = Some((v, true)));
    }

    /// The number of the newest news.
    pub fn version(&self) -> u64 {
        *self.version.borrow()
    }

    /// Stores one piece of news under the next number, then wakes the waiting request: the
    /// board is complete for any number a request can see.
    fn post(&self, put: impl FnOnce(&mut Board, u64)) {
        let mut board = self.board();
        let version = self.version.borrow().saturating_add(1);
        put(&mut board, version);
        self.version.send_replace(version);
    }

    /// The page's request. `have` is the number of the news whose list the page holds
    /// (`None`: a list it had from a call, or none): a newer list is then sent as what
    /// changed since that one, or whole when that one is too old to compare, and whole
    /// when the page holds none. Without `seen`, the current number alone, at once: taken
    /// when the page's first call (`start`) comes, whose answer supersedes the news before
    /// it. With it, what is newer, waiting up to `wait` for some; with `list` as
    /// well, the newest machines list however old (at once if there is one): the page's
    /// first request, so that the list, which only grows newer (its `seq`), comes one way
    /// and once, not also as a call's answer. (Twice, a 10,000-machine list arriving again
    /// before the first was drawn put its first paint off from ~70 to ~125 ms, one launch
    /// in three.) A number from beyond this run (a page older than the app cannot have
    /// one, but the page is not to be trusted) counts as having seen nothing.
    pub async fn after(
        &self,
        seen: Option<u64>,
        list: bool,
        have: Option<u64>,
        wait: Duration,
    ) -> News {
        let Some(mut seen) = seen else {
            return News {
                version: self.version(),
                ..News::default()
            };
        };
        if seen > *self.version.borrow() {
            seen = 0;
        }
        if !(list && self.board().machines.is_some()) {
            let mut changed = self.version.subscribe();
            // The sender lives as long as `self`, so waiting ends only with news or the time.
            let _ = tokio::time::timeout(wait, changed.wait_for(|v| *v > seen)).await;
        }
        self.since(seen, list, have)
    }

    /// The page's first request ([`Newsroom::after`] with `list`), where a list longer than
    /// the page's window comes as its first screen only (`ask`, in the page's order, `lang`
    /// naming its states): the page paints it and asks again for the whole list, answered
    /// at once.
    pub async fn first(&self, seen: u64, ask: &FirstAsk, lang: Lang, wait: Duration) -> News {
        let mut news = self.after(Some(seen), true, None, wait).await;
        if let Some(Machines::Whole(snapshot)) = &news.machines {
            if let Some(first) = first_screen(snapshot, ask, lang) {
                news.machines = Some(Machines::First(Box::new(first)));
            }
        }
        news
    }

    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn since(&self, seen: u64, list: bool, have: Option<u64>) -> News {
        let board = self.board();
        fn newer<T: Clone>(item: &Option<(u64, T)>, seen: u64) -> Option<T> {
            item.as_ref()
                .filter(|(v, _)| *v > seen)
                .map(|(_, t)| t.clone())
        }
        let machines = board.machines.as_ref().and_then(|(v, snapshot)| {
            if list {
                return Some(Machines::Whole(snapshot.clone()));
            }
            let have = match have {
                _ if *v <= seen => return None,
                // The page holds no list of ours: the whole one.
                None => return Some(Machines::Whole(snapshot.clone())),
                Some(have) if *v <= have => return None,
                Some(have) => have,
            };
            // The list the page holds is the newest posted at or before `have`. Lists
            // are dropped oldest first: when that one is gone, so are all before it, and
            // the list is sent whole.
            let before = board.prints.iter().rev().find(|(pv, _)| *pv <= have);
            let after = board.prints.back().filter(|(pv, _)| pv == v);
            Some(match (before, after) {
                (Some((_, before)), Some((_, after))) => {
                    let delta = Delta::between(have, before, snapshot, after);
                    // Most rows changed (another account's list, after a switch): the whole
                    // list is no bigger, and the page takes it whatever it holds.
                    if delta.changed.len() + delta.gone.len() > snapshot.machines.len() / 2 + 1 {
                        Machines::Whole(snapshot.clone())
                    } else {
                        Machines::Delta(Box::new(delta))
                    }
                }
                _ => Machines::Whole(snapshot.clone()),
            })
        });
        News {
            version: *self.version.borrow(),
            machines,
            account: newer(&board.account, seen),
            theme: newer(&board.theme, seen),
            ask_close: newer(&board.ask_close, seen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn snapshot(seq: u64) -> Snapshot {
        Snapshot {
            owner: 1,
            seq,
            loaded: true,
            unread: false,
            machines: vec![],
            updated_at: None,
            problem: None,
            offline: false,
            retry_at: None,
            bulks: vec![],
            looking_for_create: false,
            slowed_until: None,
            reads_held_until: None,
        }
    }

    /// Posts to `room` 50 ms from now, while a request waits.
    fn post_soon(room: &Arc<Newsroom>, post: impl FnOnce(&Newsroom) + Send + 'static) {
        let room = room.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            post(&room);
        });
    }

    #[tokio::test]
    async fn the_first_question_gets_the_number_and_nothing_else() {
        let room = Newsroom::default();
        room.machines(snapshot(1));
        room.theme(true);
        let news = room.after(None, false, None, NEWS_WAIT).await;
        assert_eq!(news.version, 2);
        assert!(news.machines.is_none() && news.theme.is_none() && news.account.is_none());
    }

    #[tokio::test]
    async fn only_what_is_newer_than_seen_is_answered_and_only_the_newest_of_a_kind() {
        let room = Newsroom::default();
        room.machines(snapshot(1));
        room.theme(true);
        room.machines(snapshot(2));
        let news = room.after(Some(1), false, None, NEWS_WAIT).await;
        assert_eq!(news.version, 3);
        assert_eq!(news.machines.map(|m| m.seq()), Some(2));
        assert_eq!(news.theme, Some(true));
        let news = room.after(Some(2), false, Some(2), NEWS_WAIT).await;
        assert_eq!(news.machines.map(|m| m.seq()), Some(2));
        assert_eq!(news.theme, None, "the theme was already seen");
    }

    #[tokio::test]
    async fn a_waiting_request_is_answered_as_soon_as_news_is_posted() {
        let room = Arc::new(Newsroom::default());
        post_soon(&room, |room| room.theme(false));
        let asked = Instant::now();
        let news = room
            .after(Some(0), false, None, Duration::from_secs(30))
            .await;
        assert_eq!(news.theme, Some(false));
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "answered only after {:?}",
            asked.elapsed()
        );
    }

    #[tokio::test]
    async fn with_nothing_new_the_request_is_answered_empty_after_the_wait() {
        let room = Newsroom::default();
        room.theme(true);
        let asked = Instant::now();
        let news = room
            .after(Some(1), false, None, Duration::from_millis(200))
            .await;
        assert!(asked.elapsed() >= Duration::from_millis(200));
        assert_eq!(news.version, 1);
        assert!(news.theme.is_none() && news.machines.is_none());
    }

    #[tokio::test]
    async fn a_number_from_beyond_this_run_counts_as_nothing_seen() {
        let room = Newsroom::default();
        room.theme(true);
        let news = room.after(Some(99), false, None, NEWS_WAIT).await;
        assert_eq!((news.version, news.theme), (1, Some(true)));
    }

    #[tokio::test]
    async fn the_first_request_gets_the_newest_list_however_old_and_only_then() {
        let room = Newsroom::default();
        room.machines(snapshot(7));
        let mark = room.after(None, false, None, NEWS_WAIT).await.version;
        room.theme(true);
        let asked = Instant::now();
        let first = room.after(Some(mark), true, None, NEWS_WAIT).await;
        assert!(asked.elapsed() < Duration::from_secs(5), "at once");
        assert_eq!(first.machines.map(|m| m.seq()), Some(7));
        assert_eq!(first.theme, Some(true));
        let next = room
            .after(
                Some(first.version),
                false,
                Some(first.version),
                Duration::from_millis(100),
            )
            .await;
        assert!(next.machines.is_none(), "the list comes once");
    }

    #[tokio::test]
    async fn asked_for_a_list_before_there_is_one_the_request_waits_for_it() {
        let room = Arc::new(Newsroom::default());
        post_soon(&room, |room| room.machines(snapshot(1)));
        let first = room
            .after(Some(0), true, None, Duration::from_secs(30))
            .await;
        assert_eq!(first.machines.map(|m| m.seq()), Some(1));
    }

    fn with_machines(seq: u64, rows: &[(&str, &str)]) -> Snapshot {
        Snapshot {
            seq,
            ..crate::watch::snapshot_of(rows)
        }
    }

    #[tokio::test]
    async fn after_the_first_list_the_page_is_sent_what_changed_since_the_one_it_holds() {
        let room = Newsroom::default();
        room.machines(with_machines(1, &[("a", "RUNNING"), ("b", "RUNNING")]));
        let first = room.after(Some(0), true, None, NEWS_WAIT).await;
        assert!(matches!(first.machines, Some(Machines::Whole(_))));
        room.machines(with_machines(2, &[("a", "STOPPING"), ("b", "RUNNING")]));
        let next = room
            .after(Some(first.version), false, Some(first.version), NEWS_WAIT)
            .await;
        let Some(Machines::Delta(delta)) = next.machines else {
            panic!("not a delta: {:?}", next.machines);
        };
        assert_eq!((delta.base, delta.seq), (first.version, 2));
        let changed: Vec<&str> = delta.changed.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(changed, ["a"]);
        assert!(delta.gone.is_empty());
        // A page that holds a list too old to compare, or none of ours, gets it whole.
        for _ in 0..PRINTS_KEPT {
            room.machines(with_machines(3, &[("b", "RUNNING")]));
        }
        let old = room
            .after(Some(next.version), false, Some(first.version), NEWS_WAIT)
            .await;
        assert!(matches!(old.machines, Some(Machines::Whole(_))));
        // Most rows changed (another account's list): whole, not a delta as big as it.
        room.machines(with_machines(
            4,
            &[("x", "RUNNING"), ("y", "RUNNING"), ("z", "RUNNING")],
        ));
        let other = room
            .after(Some(old.version), false, Some(old.version), NEWS_WAIT)
            .await;
        assert!(matches!(other.machines, Some(Machines::Whole(_))));
        let none = room.after(Some(next.version), false, None, NEWS_WAIT).await;
        assert!(matches!(none.machines, Some(Machines::Whole(_))));
        // The whole list, asked for, whatever the page holds.
        let asked = room
            .after(Some(old.version), true, Some(old.version), NEWS_WAIT)
            .await;
        assert!(matches!(asked.machines, Some(Machines::Whole(_))));
    }
}
