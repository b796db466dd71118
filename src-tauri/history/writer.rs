//! Where history lines reach the disk: one thread of its own, fed by a queue, so that no
//! async thread and not the window's main thread ever waits for a sync. It takes
//! everything queued at once, writes each file's lines in one go and syncs each file
//! once: a bulk of 1,000 machines costs a few syncs, not 1,000. The queue keeps the order
//! of what was asked, across files, and [`Writer::flush`] waits until everything asked
//! before it is on disk (a history opened again reads what was written; the app flushes
//! before it exits).

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};

/// One thing for the disk.
enum Job {
    /// Lines to add at the end of a file, each ending with a newline.
    Append { path: PathBuf, lines: Vec<u8> },
    /// The whole file, replaced atomically (written beside it, synced, renamed over it).
    Replace { path: PathBuf, content: Vec<u8> },
    /// Answered once everything before it is on disk.
    Flush(Sender<()>),
}

/// A queue to the writing thread. Cloning shares the thread.
#[derive(Clone)]
pub struct Writer {
    jobs: Sender<Job>,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("syncs", &self.syncs())
            .finish_non_exhaustive()
    }
}

/// What the thread did, for tests and benchmarks.
#[derive(Default)]
struct Stats {
    syncs: AtomicU64,
    lines: AtomicU64,
}

impl Writer {
    /// A new writing thread; it ends when the last `Writer` is dropped, after writing what
    /// was queued.
    pub fn start() -> Writer {
        let (jobs, queue) = mpsc::channel();
        let stats = Arc::new(Stats::default());
        let counted = stats.clone();
        let started = std::thread::Builder::new()
            .name("history-writer".into())
            .spawn(move || run(&queue, &counted));
        if let Err(e) = started {
            // Without a thread the jobs pile up unwritten; said once, in the log.
            log::warn!("history: the writing thread could not start: {e}");
        }
        Writer { jobs, stats }
    }

    /// The writer the app's histories share.
    pub fn shared() -> Writer {
        static SHARED: OnceLock<Writer> = OnceLock::new();
        SHARED.get_or_init(Writer::start).clone()
    }

    /// Queues `lines` (whole lines) to be added to `path`.
    pub fn append(&self, path: &Path, lines: Vec<u8>) {
        self.send(Job::Append {
            path: path.to_owned(),
            lines,
        });
    }

    /// Queues `content` to replace `path` whole.
    pub fn replace(&self, path: &Path, content: Vec<u8>) {
        self.send(Job::Replace {
            path: path.to_owned(),
            content,
        });
    }

    /// Waits until everything queued so far is on disk. Blocks: not for async threads
    /// (use `spawn_blocking`) nor the window's main thread in the middle of its work.
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        self.send(Job::Flush(done));
        // An error means the thread is gone: nothing more can be written anyway.
        let _ = wait.recv();
    }

    /// How many syncs the thread has made.
    pub fn syncs(&self) -> u64 {
        self.stats.syncs.load(Ordering::Relaxed)
    }

    /// How many lines the thread has written.
    pub fn lines(&self) -> u64 {
        self.stats.lines.load(Ordering::Relaxed)
    }

    fn send(&self, job: Job) {
        if self.jobs.send(job).is_err() {
            log::warn!("history: the writing thread has stopped; a change was not written");
        }
    }
}

fn run(queue: &Receiver<Job>, stats: &Stats) {
    // Blocks for the first job, then takes whatever else is queued, as one batch.
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        write_batch(batch, stats);
    }
}

fn write_batch(batch: Vec<Job>, stats: &Stats) {
    // Files appended to in this batch, kept open until the batch's one sync each.
    let mut open: HashMap<PathBuf, File> = HashMap::new();
    let mut answers = Vec::new();
    for job in batch {
        match job {
            Job::Append { path, lines } => {
                let count = lines.iter().filter(|&&b| b == b'\n').count() as u64;
                let written = match open.get_mut(&path) {
                    Some(file) => file.write_all(&lines),
                    None => OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .and_then(|mut file| {
                            // One write of the lines: a crash cuts the last one at most.
                            file.write_all(&lines)?;
                            open.insert(path.clone(), file);
                            Ok(())
                        }),
                };
                match written {
                    Ok(()) => {
                        stats.lines.fetch_add(count, Ordering::Relaxed);
                    }
                    Err(e) => log::warn!("history: could not write {}: {e}", path.display()),
                }
            }
            Job::Replace { path, content } => {
                // What was appended before the replacement is in it already; the handle
                // would write to the old file.
                if let Some(file) = open.remove(&path) {
                    sync(&file, &path, stats);
                }
                if let Err(e) = replace(&path, &content, stats) {
                    log::warn!("history: could not rewrite {}: {e}", path.display());
                }
            }
            Job::Flush(done) => {
                // Everything before a flush reaches the disk before it is answered.
                for (path, file) in open.drain() {
                    sync(&file, &path, stats);
                }
                answers.push(done);
            }
        }
    }
    for (path, file) in open {
        sync(&file, &path, stats);
    }
    for done in answers {
        let _ = done.send(());
    }
}

fn sync(file: &File, path: &Path, stats: &Stats) {
    stats.syncs.fetch_add(1, Ordering::Relaxed);
    if let Err(e) = file.sync_data() {
        log::warn!("history: could not sync {}: {e}", path.display());
    }
}

fn replace(path: &Path, content: &[u8], stats: &Stats) -> io::Result<()> {
    let tmp = path.with_extension("jsonl.tmp");
    let mut file = File::create(&tmp)?;
    file.write_all(content)?;
    stats.syncs.fetch_add(1, Ordering::Relaxed);
    file.sync_all()?;
    fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_order_and_a_batch_syncs_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        // Batched as the thread would take them from its queue.
        let stats = Stats::default();
        let mut batch = Vec::new();
        for i in 0..1000 {
            let path = if i % 2 == 0 { &a } else { &b };
            batch.push(Job::Append {
                path: path.clone(),
                lines: format!("{i}\n").into_bytes(),
            });
        }
        write_batch(batch, &stats);
        assert_eq!(stats.syncs.load(Ordering::Relaxed), 2, "one sync per file");
        assert_eq!(stats.lines.load(Ordering::Relaxed), 1000);
        let evens: Vec<String> = (0..1000).step_by(2).map(|i| i.to_string()).collect();
        assert_eq!(
            fs::read_to_string(&a).unwrap().lines().collect::<Vec<_>>(),
            evens
        );
    }

    #[test]
    fn a_replacement_takes_what_was_appended_before_it_and_later_lines_follow_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        let writer = Writer::start();
        writer.append(&path, b"old-1\nold-2\n".to_vec());
        writer.replace(&path, b"kept\n".to_vec());
        writer.append(&path, b"new\n".to_vec());
        writer.flush();
        assert_eq!(fs::read_to_string(&path).unwrap(), "kept\nnew\n");
        assert!(!path.with_extension("jsonl.tmp").exists());
        assert!(writer.syncs() >= 2);
    }
}
