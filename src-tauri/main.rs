// Keeps a console window from opening next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use compute_desk::desk::Options;

fn main() {
    // Answered before anything starts: no window, no display needed.
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-V")
    {
        println!("Compute Desk {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    // Software rendering, with no GL in this process, and no optimizing JavaScript compiler
    // in the page's (window/rendering.rs and window/javascript.rs say why and what each
    // saves). Set before GTK starts and before any other thread exists; the WebKit child
    // processes inherit them, and programs the app starts do not (window/open_folder.rs).
    #[cfg(target_os = "linux")]
    compute_desk::window::set_linux_defaults();
    let mut options = Options {
        // Seconds a shutdown may run before Force reset is offered (60 unless set).
        shutdown_patience: std::env::var("COMPUTE_DESK_SHUTDOWN_PATIENCE")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .map(std::time::Duration::from_secs),
        ..Options::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--demo" => options.demo = true,
            // For benchmarks and trying the table at scale: `--demo-machines 10000`.
            "--demo-machines" => {
                options.demo = true;
                options.demo_machines = args.next().and_then(|n| n.parse().ok());
            }
            // The demo as the real service behaves: a 202 changes the record a few
            // seconds later, and Google Compute's SUSPENDED and TERMINATED appear.
            "--demo-as-service" => {
                options.demo = true;
                options.demo_as_service = true;
            }
            // Started at login: in the tray, its window opened from there.
            "--in-tray" => options.in_tray = true,
            // Tests: office hours follow this simulator's wall clock, which they move.
            #[cfg(feature = "dev-tools")]
            "--clock-from" => options.clock_from = args.next(),
            _ => {}
        }
    }
    compute_desk::run(options);
}
