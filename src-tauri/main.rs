// Keeps a console window from opening next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's DMA-BUF renderer costs ~65 MiB for a table-and-dialog UI and blanks the
    // window on some GPU drivers; software compositing looks the same here. Set before GTK
    // starts so the WebKit child processes inherit it, and only if the user has not chosen.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    let demo = std::env::args().skip(1).any(|a| a == "--demo");
    compute_desk::run(demo);
}
