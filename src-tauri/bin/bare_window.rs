//! An empty Tauri window built from the same dependencies and configuration as the app,
//! with WebKitGTK's default rendering: the baseline the desktop benchmark compares the
//! app against (`cargo bench --bench desktop`).

fn main() {
    let mut context = tauri::generate_context!();
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::App("bare.html".into());
        window.title = "Bare window".into();
        // The app's window waits hidden for its page; a bare window shows at once.
        window.visible = true;
        // The app creates its window itself (lib.rs); the bare window leaves it to Tauri.
        window.create = true;
    }
    tauri::Builder::default()
        .run(context)
        .expect("the bare window could not be started");
}
