// The app's own commands, the one list of them. `build.rs` includes this file, so that
// the capability must grant each one by name (`allow-<command>`); a test in
// `window::commands` checks that the capability grants exactly these and that `lib.rs`
// hands every one of them, and no other, to Tauri.

pub const COMMANDS: &[&str] = &[
    "start",
    "app_state",
    "sign_in_with_key",
    "email_start",
    "email_verify",
    "email_cancel",
    "start_demo",
    "sign_out",
    "switch_account",
    "remove_account",
    "edit_account",
    "machines",
    "act",
    "pacing",
    "stop_run",
    "run_results",
    "create_options",
    "create",
    "zones",
    "refresh",
    "set_visible",
    "dismiss_error",
    "save_sort",
    "history",
    "set_language",
    "about",
    "list_painted",
    "news",
    "open_log_folder",
];
