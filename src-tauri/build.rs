// The app's own commands, listed once in `window/command_names.rs`.
include!("window/command_names.rs");

fn main() {
    // The release's configuration (`.ci/release`), compiled in: a build without it names
    // no homepage and no package repository (`window/about.rs`).
    for name in ["COMPUTE_DESK_HOMEPAGE", "COMPUTE_DESK_UPDATES_URL"] {
        println!("cargo:rerun-if-env-changed={name}");
    }
    // Capabilities live beside the Rust sources; tauri-build only reads `<root>/capabilities`
    // by default and silently grants nothing when they are elsewhere.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
