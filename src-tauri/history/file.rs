//! A history's file: each change appended as a line through the [`Writer`], read back
//! at the next start (a cut-off last line skipped, a file damaged elsewhere set aside and
//! said), and rewritten whole, atomically, when the oldest entries go.

use std::fs::{self, OpenOptions};
use std::path::Path;

use super::{Entry, History, KEEP};
use crate::fingerprint;
use crate::text::Text;

impl History {
    pub(super) fn append(&mut self, entry: &Entry) {
        self.version += 1;
        let Some(path) = &self.path else {
            return;
        };
        self.lines += 1;
        match serde_json::to_vec(entry) {
            Ok(mut line) => {
                line.push(b'\n');
                self.writer.append(path, line);
            }
            Err(e) => log::warn!("history: an entry could not be written: {e}"),
        }
    }

    /// Reads the file: the last line of each entry wins. A cut-off last line (a crash while
    /// it was written) is dropped from the file too, so the next entry starts on a line
    /// of its own.
    pub(super) fn read(&mut self) -> Result<(), Damaged> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        let Ok(bytes) = fs::read(&path) else {
            return Ok(());
        };
        let mut entries: Vec<Entry> = Vec::new();
        let mut lines = 0;
        // Where the last whole, readable line ends.
        let mut good_end = 0;
        let mut start = 0;
        while start < bytes.len() {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| start + p);
            let line = &bytes[start..end];
            let last = end + 1 >= bytes.len();
            if !line.iter().all(u8::is_ascii_whitespace) {
                match serde_json::from_slice::<Entry>(line) {
                    Ok(entry) if end < bytes.len() => {
                        lines += 1;
                        match entries.iter_mut().rev().find(|e| e.id == entry.id) {
                            Some(known) => *known = entry,
                            None => entries.push(entry),
                        }
                    }
                    // Readable but without its newline, or cut off: the entry being
                    // written when the app stopped.
                    _ if last => {
                        log::info!("history: dropped a cut-off last line");
                        break;
                    }
                    _ => return Err(Damaged(lines + 1)),
                }
            }
            good_end = (end + 1).min(bytes.len());
            start = end + 1;
        }
        if good_end < bytes.len() {
            let cut = OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_len(good_end as u64));
            if let Err(e) = cut {
                log::warn!("history: could not drop the cut-off line: {e}");
            }
        }
        self.next_id = entries.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        self.lines = lines;
        let drop = entries.len().saturating_sub(KEEP);
        entries.drain(..drop);
        self.entries = entries;
        Ok(())
    }

    /// Moves a damaged file aside (kept for support) and starts an empty history.
    pub(super) fn set_aside(&mut self, line: usize) {
        let Some(path) = &self.path else {
            return;
        };
        let aside = path.with_extension("jsonl.damaged");
        let moved = fs::rename(path, &aside);
        log::warn!(
            "history: {} is damaged at line {line}; moved to {} ({moved:?})",
            path.display(),
            aside.display()
        );
        self.warning = Some(Text::new("history.damaged").with("file", aside.display().to_string()));
        self.entries.clear();
        self.lines = 0;
    }

    /// Keeps the newest [`KEEP`] entries, and has the file replaced by them.
    pub(super) fn rewrite(&mut self) {
        let drop = self.entries.len().saturating_sub(KEEP);
        self.entries.drain(..drop);
        self.version += 1;
        let Some(path) = &self.path else {
            return;
        };
        let mut all = Vec::new();
        for entry in &self.entries {
            match serde_json::to_vec(entry) {
                Ok(line) => all.extend(line),
                Err(e) => {
                    log::warn!("history: could not rewrite {}: {e}", path.display());
                    return;
                }
            }
            all.push(b'\n');
        }
        self.writer.replace(path, all);
        self.lines = self.entries.len();
    }
}

/// The file of an account's history on a server: a name that stays the same across builds.
pub(super) fn file_name(server: &str, identity: &str) -> String {
    format!(
        "history-{}.jsonl",
        fingerprint::hex(format!("{server}\n{identity}").as_bytes())
    )
}

/// Earlier versions named the file after whom the server said was signed in: such a
/// file becomes the account's own (`path`) when it has none yet. Only for a name the
/// server gave (a confirmed sign-in).
pub(super) fn adopt_file_named_by_who(dir: &Path, server: &str, who: &str, path: &Path) {
    if who.is_empty() || path.exists() {
        return;
    }
    let named = dir.join(file_name(server, who));
    if named.exists() {
        match fs::rename(&named, path) {
            Ok(()) => log::info!("history: {} is now kept by account", named.display()),
            Err(e) => log::warn!("history: could not move {}: {e}", named.display()),
        }
    }
}

/// A line that is not an entry, and not the last.
pub(super) struct Damaged(pub(super) usize);
