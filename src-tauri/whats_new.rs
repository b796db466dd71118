//! "What's new": the changelog built into the app (`CHANGELOG.md`), and whether this start
//! is the first after an update, when the new version's entry is shown once.
//!
//! The changelog has one `## VERSION` section per release, each with a `### English` and a
//! `### Español` list; `.ci/release` refuses a version without both.

use std::cmp::Ordering;

use serde::Serialize;

use crate::i18n::Lang;

/// The changelog as the app was built with it.
pub const CHANGELOG: &str = include_str!("../CHANGELOG.md");

/// The version this app is (Cargo.toml's, the one place it is written).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the page shows once after an update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatsNew {
    pub version: String,
    pub items: Vec<String>,
}

/// A release number, `MAJOR.MINOR.PATCH`: compared as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(u64, u64, u64);

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.').map(|p| {
            (!p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        });
        let v = Version(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(v)
    }
}

/// The items of `version`'s entry in `lang`, from `changelog`; `None` when it has none.
pub fn entry(changelog: &str, version: &str, lang: Lang) -> Option<Vec<String>> {
    let heading = match lang {
        Lang::En => "### English",
        Lang::Es => "### Español",
    };
    let mut lines = changelog.lines().map(str::trim_end);
    lines.find(|l| l.strip_prefix("## ").map(str::trim) == Some(version))?;
    let section = lines.take_while(|l| !l.starts_with("## "));
    let items: Vec<String> = section
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("### "))
        .filter_map(|l| l.trim().strip_prefix("- ").map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty())
        .collect();
    (!items.is_empty()).then_some(items)
}

/// Whether this start follows an update: the version last seen (from the settings), and
/// whether there were settings at all (a first install has none, and shows nothing; a
/// version from before the app remembered it left settings without one). The entry of the
/// version now running, in `lang`, or `None`.
pub fn after_update(
    seen: Option<&str>,
    had_settings: bool,
    current: &str,
    lang: Lang,
) -> Option<WhatsNew> {
    let now = Version::parse(current)?;
    let updated = match seen.map(Version::parse) {
        Some(Some(seen)) => seen.cmp(&now) == Ordering::Less,
        // A version it cannot read was not this one.
        Some(None) => true,
        None => had_settings,
    };
    if !updated {
        return None;
    }
    Some(WhatsNew {
        version: current.to_owned(),
        items: entry(CHANGELOG, current, lang)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "# What's new\n\n## 0.2.0\n\n### English\n- Faster.\n- Kinder.\n\n### Español\n- Más rápido.\n\n## 0.1.0\n\n### English\n- First.\n";

    #[test]
    fn an_entry_is_read_in_each_language() {
        assert_eq!(
            entry(LOG, "0.2.0", Lang::En).unwrap(),
            ["Faster.", "Kinder."]
        );
        assert_eq!(entry(LOG, "0.2.0", Lang::Es).unwrap(), ["Más rápido."]);
        assert_eq!(entry(LOG, "0.1.0", Lang::En).unwrap(), ["First."]);
        // A language missing, or a version, is no entry (and never the next section's).
        assert_eq!(entry(LOG, "0.1.0", Lang::Es), None);
        assert_eq!(entry(LOG, "0.3.0", Lang::En), None);
        assert_eq!(entry(LOG, "0.2", Lang::En), None);
    }

    #[test]
    fn versions_compare_as_numbers() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("1.0.0") > v("0.99.99"));
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.2.x",
            "v1.2.3",
            "1.2.-3",
            "1..3",
            "1.2.3-rc1",
        ] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_entry_is_shown_after_an_update_only() {
        let shown = |seen, had| after_update(seen, had, VERSION, Lang::En).is_some();
        // The app's own changelog has an entry for the version it is.
        assert!(entry(CHANGELOG, VERSION, Lang::En).is_some());
        assert!(entry(CHANGELOG, VERSION, Lang::Es).is_some());
        assert!(shown(Some("0.0.1"), true));
        assert!(!shown(Some(VERSION), true));
        assert!(!shown(Some("999.0.0"), true));
        // A first install shows nothing; settings from before the app kept a version do.
        assert!(!shown(None, false));
        assert!(shown(None, true));
        assert!(shown(Some("garbled"), true));
        let es = after_update(Some("0.0.1"), true, VERSION, Lang::Es).unwrap();
        assert_eq!(es.items, entry(CHANGELOG, VERSION, Lang::Es).unwrap());
    }
}
