// The app's own commands, listed so that the capability file must grant each one by
// name (`allow-<command>`); keep in step with `commands::NAMES`.
const COMMANDS: &[&str] = &[
    "start",
    "app_state",
    "sign_in_with_key",
    "email_start",
    "email_verify",
    "email_cancel",
    "start_demo",
    "sign_out",
    "machines",
    "act",
    "create_options",
    "create",
    "zones",
    "refresh",
    "set_visible",
    "dismiss_error",
    "save_sort",
];

fn main() {
    // Capabilities live beside the Rust sources; tauri-build only reads `<root>/capabilities`
    // by default and silently grants nothing when they are elsewhere.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
