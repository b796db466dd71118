//! A JSON file of preferences: read (a missing file gives the defaults, a damaged one is
//! moved aside and said, never overwritten) and written atomically (a temporary file
//! beside it, flushed to disk, renamed over it, the folder flushed).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::text::Text;

#[derive(Debug)]
pub(super) struct JsonFile {
    path: PathBuf,
    /// The catalog's section for its warnings (`<what>.unreadable`, `<what>.damaged`), and
    /// the word its log lines begin with.
    what: &'static str,
}

impl JsonFile {
    pub(super) fn new(path: PathBuf, what: &'static str) -> Self {
        JsonFile { path, what }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// What the file holds, and a sentence for the person when it could not be read.
    pub(super) fn load<T: DeserializeOwned + Default>(&self) -> (T, Option<Text>) {
        let what = self.what;
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (T::default(), None),
            Err(e) => {
                log::warn!("{what}: cannot read {}: {e}", self.path.display());
                return (T::default(), Some(Text::new(format!("{what}.unreadable"))));
            }
        };
        match serde_json::from_slice(&bytes) {
            Ok(value) => (value, None),
            Err(e) => {
                let aside = self.path.with_extension("json.damaged");
                log::warn!(
                    "{what}: {} is damaged ({e}); moved to {}",
                    self.path.display(),
                    aside.display()
                );
                let _ = fs::rename(&self.path, &aside);
                (T::default(), Some(Text::new(format!("{what}.damaged"))))
            }
        }
    }

    /// Writes `value` atomically: temporary file, flush to disk, rename.
    pub(super) fn save<T: Serialize>(&self, value: &T) -> io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let json = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(&json)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            fs::rename(&tmp, &self.path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written?;
        // The rename itself is durable only once the directory is flushed (POSIX).
        #[cfg(unix)]
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}
