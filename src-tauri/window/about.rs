//! What the About dialog says: the app's name, version, licence and address, where its
//! updates come from, where its log file is, and the system it runs on, for a support
//! ticket. The version, licence and copyright come from the app's own configuration
//! (`Cargo.toml`, `tauri.conf.json`, compiled in), so About cannot disagree with the package
//! it was built into; Tauri's compiled-in configuration leaves out the bundle's copyright
//! (it only matters to the bundler), so it is read from the same file, included whole. The
//! homepage and the package repository are the release's (`.ci/release` builds with
//! `COMPUTE_DESK_HOMEPAGE` and `COMPUTE_DESK_UPDATES_URL`): a build without them names none.

use std::path::PathBuf;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};

/// The log file's name without `.log`, in the app's log folder. Named here rather than after
/// the product name, which the Linux packages change (`.ci/package`).
pub const LOG_FILE_STEM: &str = "compute-desk";

/// The About dialog's facts. None is a secret; the log file holds none either.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub name: String,
    pub version: String,
    pub licence: Option<String>,
    pub copyright: Option<String>,
    pub homepage: Option<String>,
    /// The package repository the system's Software Updater brings new versions from, when
    /// the release set one up.
    pub updates: Option<String>,
    /// The folder the log file is in: what "Open log folder" opens.
    pub log_folder: Option<PathBuf>,
    pub log_file: Option<PathBuf>,
    /// The operating system as it names itself ("Debian GNU/Linux 12 (bookworm)"), and the
    /// processor architecture.
    pub system: String,
}

/// The About facts of the running app.
pub fn about<R: Runtime>(app: &AppHandle<R>) -> About {
    let config = app.config();
    let bundle = bundle_texts();
    let log_folder = app.path().app_log_dir().ok();
    About {
        // The product's name as people see it, whatever name a package gave the binary.
        name: "Compute Desk".into(),
        version: app.package_info().version.to_string(),
        licence: config.bundle.license.clone(),
        copyright: bundle.copyright,
        homepage: release_setting(option_env!("COMPUTE_DESK_HOMEPAGE")),
        updates: release_setting(option_env!("COMPUTE_DESK_UPDATES_URL")),
        log_file: log_folder
            .as_deref()
            .map(|folder| folder.join(format!("{LOG_FILE_STEM}.log"))),
        log_folder,
        system: format!("{}, {}", system_name(), std::env::consts::ARCH),
    }
}

/// A setting of the release the app was built by, if it had one.
fn release_setting(value: Option<&'static str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The bundle's copyright, as `tauri.conf.json` states it.
#[derive(Default, serde::Deserialize)]
struct BundleTexts {
    copyright: Option<String>,
}

fn bundle_texts() -> BundleTexts {
    #[derive(serde::Deserialize)]
    struct Config {
        bundle: BundleTexts,
    }
    serde_json::from_str::<Config>(include_str!("../../tauri.conf.json"))
        .map(|c| c.bundle)
        .unwrap_or_default()
}

/// The system's name as people know it: os-release's on Linux, else the system's own.
fn system_name() -> String {
    #[cfg(target_os = "linux")]
    if let Some(name) = os_name(std::path::Path::new("/etc/os-release")) {
        return name;
    }
    match std::env::consts::OS {
        "windows" => "Windows".into(),
        "macos" => "macOS".into(),
        other => other.into(),
    }
}

/// `PRETTY_NAME` of an os-release file (freedesktop.org), or `None` when there is none.
/// Reads at most 64 KiB: the file is a few hundred bytes.
#[cfg(target_os = "linux")]
fn os_name(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(64 * 1024)
        .read_to_string(&mut text)
        .ok()?;
    pretty_name(&text)
}

/// The `PRETTY_NAME=` value of os-release text, unquoted.
#[cfg(target_os = "linux")]
fn pretty_name(text: &str) -> Option<String> {
    let value = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("PRETTY_NAME="))?;
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    let name: String = unquoted
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    (!name.trim().is_empty()).then(|| name.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::{bundle_texts, pretty_name, release_setting};

    #[test]
    fn the_copyright_is_the_bundles_and_the_addresses_the_releases() {
        let texts = bundle_texts();
        assert!(texts.copyright.unwrap().starts_with("Copyright ©"));
        // The configuration names no address of its own: a release gives them.
        let config = include_str!("../../tauri.conf.json");
        assert!(!config.contains("\"homepage\""));
        assert_eq!(release_setting(None), None);
        assert_eq!(release_setting(Some("  ")), None);
        assert_eq!(
            release_setting(Some(" https://updates.example/ ")).as_deref(),
            Some("https://updates.example/")
        );
    }

    #[test]
    fn the_system_is_named_by_os_release() {
        let debian = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n";
        assert_eq!(
            pretty_name(debian).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            pretty_name("PRETTY_NAME='Fedora Linux 41'").as_deref(),
            Some("Fedora Linux 41")
        );
        assert_eq!(pretty_name("PRETTY_NAME=Arch").as_deref(), Some("Arch"));
        assert_eq!(pretty_name("NAME=x\nPRETTY_NAME=\"\"\n"), None);
        assert_eq!(pretty_name("ID=alpine\n"), None);
    }
}
