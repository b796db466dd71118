//! The release command (`bash .ci/release VERSION`) held to its rules before it builds
//! anything: a version not written in Cargo.toml, older than or the same as one published,
//! without its "What's new" in both languages, or with a private key inside the repository,
//! is refused with one clear sentence. Signing keys are made on the fly, never committed.
//! (The release built and installed, the upgrade through apt, and the refusals of a foreign
//! key and a changed package are `.ci/clean-system`'s.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A throwaway OpenPGP secret key, exported to a file in `dir`.
fn signing_key(dir: &Path) -> PathBuf {
    let home = dir.join("gnupg");
    std::fs::create_dir(&home).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .args(["--batch", "--quiet"])
            .args(args)
            .env("GNUPGHOME", &home)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        "Compute Desk test release <release@computedesk.example>",
        "ed25519",
        "sign",
        "never",
    ]);
    let key = dir.join("release.key");
    std::fs::write(&key, gpg(&["--armor", "--export-secret-keys"])).unwrap();
    key
}

/// `release.py` run on `root` (the real repository, or a small one made for a case).
fn release(root: &Path, args: &[&str], key: Option<&Path>) -> Output {
    let mut command = Command::new("python3");
    command
        .arg(root.join(".ci/packaging/release.py"))
        .args(args)
        .env_remove("COMPUTE_DESK_SIGNING_KEY");
    if let Some(key) = key {
        command.env("COMPUTE_DESK_SIGNING_KEY", key);
    }
    command.output().unwrap()
}

fn refused(out: &Output, words: &str) {
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "not refused; it said {said}");
    assert!(said.contains("refused: ") && said.contains(words), "{said}");
    // One sentence, not a trace.
    assert_eq!(said.trim().lines().count(), 1, "{said}");
}

/// A repository that publishes `versions` already.
fn published(dir: &Path, versions: &[&str]) -> PathBuf {
    let repo = dir.join("published");
    let binary = repo.join("apt/dists/stable/main/binary-amd64");
    std::fs::create_dir_all(&binary).unwrap();
    let packages: String = versions
        .iter()
        .map(|v| format!("Package: compute-desk\nVersion: {v}\nArchitecture: amd64\n\n"))
        .collect();
    std::fs::write(binary.join("Packages"), packages).unwrap();
    repo
}

/// A small project like ours at `version`, with `changelog`, for the cases the real one
/// cannot show.
fn small_project(dir: &Path, version: &str, changelog: &str) -> PathBuf {
    let root = dir.join("project");
    std::fs::create_dir_all(root.join(".ci/packaging")).unwrap();
    for file in [".ci/packaging/release.py", ".ci/paths"] {
        std::fs::copy(repo().join(file), root.join(file)).unwrap();
    }
    std::fs::write(
        root.join("Cargo.toml"),
        format!("[package]\nname = \"compute-desk\"\nversion = \"{version}\"\n"),
    )
    .unwrap();
    std::fs::write(root.join("tauri.conf.json"), "{}").unwrap();
    std::fs::write(root.join("CHANGELOG.md"), changelog).unwrap();
    root
}

const BOTH: &str = "## 0.3.0\n\n### English\n- Faster.\n\n### Español\n- Más rápido.\n";

#[test]
fn a_release_that_keeps_the_rules_passes_them() {
    let dir = tempfile::tempdir().unwrap();
    let key = signing_key(dir.path());
    let version = env!("CARGO_PKG_VERSION");
    let repo_dir = published(dir.path(), &["0.0.1"]);
    let out = release(
        &repo(),
        &[version, "--check", "--repo", repo_dir.to_str().unwrap()],
        Some(&key),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("the rules hold (newer than 0.0.1"), "{said}");
}

#[test]
fn an_older_a_repeated_or_an_unwritten_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = signing_key(dir.path());
    let version = env!("CARGO_PKG_VERSION");
    let repeated = published(dir.path(), &["0.0.1", version]);
    let repeated = repeated.to_str().unwrap();
    refused(
        &release(
            &repo(),
            &[version, "--check", "--repo", repeated],
            Some(&key),
        ),
        "is published already",
    );
    let newer = dir.path().join("newer");
    std::fs::create_dir(&newer).unwrap();
    let newer = published(&newer, &["99.0.0"]);
    refused(
        &release(
            &repo(),
            &[version, "--check", "--repo", newer.to_str().unwrap()],
            Some(&key),
        ),
        "is older than 99.0.0",
    );
    // A version Cargo.toml does not say, and one that is no version.
    refused(
        &release(&repo(), &["99.1.0", "--check"], Some(&key)),
        "Cargo.toml says",
    );
    refused(
        &release(&repo(), &["1.2", "--check"], Some(&key)),
        "is not a version",
    );
}

#[test]
fn a_missing_whats_new_in_either_language_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = signing_key(dir.path());
    let english_only = "## 0.3.0\n\n### English\n- Faster.\n\n## 0.2.0\n\n### Español\n- Antes.\n";
    let root = small_project(dir.path(), "0.3.0", english_only);
    refused(
        &release(&root, &["0.3.0", "--check"], Some(&key)),
        "no “What's new” for 0.3.0 in Español",
    );
    let none = small_project(&dir.path().join("b"), "0.3.0", "# What's new\n");
    refused(
        &release(&none, &["0.3.0", "--check"], Some(&key)),
        "in English",
    );
    let both = small_project(&dir.path().join("c"), "0.3.0", BOTH);
    let out = release(&both, &["0.3.0", "--check"], Some(&key));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_private_key_inside_the_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = signing_key(dir.path());
    let root = small_project(dir.path(), "0.3.0", BOTH);
    // The signing key named from inside the repository.
    let inside = root.join("release.key");
    std::fs::copy(&key, &inside).unwrap();
    refused(
        &release(&root, &["0.3.0", "--check"], Some(&inside)),
        "holds a private key",
    );
    std::fs::remove_file(&inside).unwrap();
    // Any private key in any file of it, whatever the key used.
    let header = ["-----BEGIN ", "OPENSSH PRIVATE KEY", "-----\n"].concat();
    std::fs::create_dir_all(root.join("deploy")).unwrap();
    std::fs::write(root.join("deploy/id"), header + "b3BlbnNzaC1rZXk=\n").unwrap();
    refused(
        &release(&root, &["0.3.0", "--check"], Some(&key)),
        "deploy/id holds a private key",
    );
    std::fs::remove_file(root.join("deploy/id")).unwrap();
    // A key file kept inside, but holding no private key, is still inside.
    let public = root.join("public.asc");
    std::fs::write(&public, "not a key\n").unwrap();
    refused(
        &release(&root, &["0.3.0", "--check"], Some(&public)),
        "is inside the repository",
    );
    // And none at all.
    refused(
        &release(&root, &["0.3.0", "--check"], None),
        "COMPUTE_DESK_SIGNING_KEY is not set",
    );
}

/// The build folder a release in `tree` would use (release.py's), with `env` on top of an
/// environment without CARGO_TARGET_DIR, under the home `home`.
fn build_folder_of(tree: &Path, home: &Path, env: &[(String, String)]) -> String {
    let out = Command::new("python3")
        .current_dir(tree)
        .args([
            "-c",
            "import sys; sys.path.insert(0, '.ci/packaging'); import release; print(release.TARGET)",
        ])
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", home)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The README's test command sets no CARGO_TARGET_DIR; the clean-system proof releases the
/// next version from a copy of the tree (.ci/packaging/upgrade.py `next_tree`), and must find
/// that copy's packages where the checkout's are, built on the checkout's build (issue 30:
/// the copy built from nothing into its own `target/`, and the proof failed there).
#[test]
fn a_copy_of_the_tree_releases_into_the_checkouts_build_folder() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let copy = small_project(dir.path(), "0.3.0", BOTH);
    let checkout = build_folder_of(&repo(), &home, &[]);
    // Neither tree's own `target/`: a folder both share.
    assert!(
        !Path::new(&checkout).starts_with(repo()) && !Path::new(&checkout).starts_with(&copy),
        "{checkout}"
    );
    assert_eq!(build_folder_of(&copy, &home, &[]), checkout);

    // The environment the proof hands the copy's release names the folder outright, so a
    // folder set for the checkout alone (CI's, a developer's) is the copy's too.
    let set = dir.path().join("set-for-the-checkout");
    let out = Command::new("python3")
        .current_dir(repo())
        .args([
            "-c",
            "import sys; sys.path.insert(0, '.ci/packaging'); import upgrade; \
             print(upgrade.release_env('key', 'http://127.0.0.1:1', None)['CARGO_TARGET_DIR'])",
        ])
        .env("CARGO_TARGET_DIR", &set)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let handed = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(handed, set.to_str().unwrap());
    assert_eq!(
        build_folder_of(&copy, &home, &[("CARGO_TARGET_DIR".into(), handed)]),
        set.to_str().unwrap()
    );
}

/// The copy of the tree the proof releases the next version from is kept between runs; a
/// file the tree no longer has (moved into a folder of its own: `desk/actions.rs` became
/// `desk/actions/mod.rs`) must go from the copy too, or the copy no longer builds. What the
/// copy's own builds installed (`node_modules`) stays.
#[test]
fn the_kept_copy_of_the_tree_loses_what_the_tree_no_longer_has() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("next");
    let stale = copy.join("src-tauri/desk/gone_since.rs");
    let installed = copy.join(".ci/packaging/node_modules/x/kept.js");
    for file in [&stale, &installed] {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, "x").unwrap();
    }
    let next_tree = |why: &str| {
        let out = Command::new("python3")
            .current_dir(repo())
            .args([
                "-c",
                &format!(
                    "import sys, pathlib; sys.path.insert(0, '.ci/packaging'); import upgrade; \
                     upgrade.next_tree(pathlib.Path('{}'), '9.9.9')",
                    copy.display()
                ),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{why}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // A copy made before the copy kept a list of its files.
    next_tree("first");
    assert!(!stale.exists(), "a file the tree no longer has");
    assert!(installed.exists(), "what the copy's builds installed");
    assert!(copy.join("src-tauri/lib.rs").exists());
    // And one made since: the list says what was copied.
    std::fs::write(&stale, "x").unwrap();
    let listed = copy.join(".copied-files");
    let mut names = std::fs::read_to_string(&listed).unwrap();
    names.push_str("\0src-tauri/desk/gone_since.rs");
    std::fs::write(&listed, names).unwrap();
    next_tree("second");
    assert!(
        !stale.exists(),
        "a file the last copy had and the tree has not"
    );
    assert!(installed.exists());
}
