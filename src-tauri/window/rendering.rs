//! How WebKitGTK draws the window on Linux: in software, and with no GL at all in the
//! app's own process.
//!
//! A table-and-dialog window gains nothing from the GPU, and the GL stack costs memory in
//! every process that loads it: on a machine without a GPU, Mesa's software driver drags
//! in LLVM, ~20 MiB in each process. `main()` sets these variables before GTK starts (the
//! WebKit child processes inherit them), each only where the person running the app has
//! not set it already, so anyone can still turn the GPU back on.
//!
//! - `WEBKIT_DISABLE_DMABUF_RENDERER=1`: WebKit's pages are drawn in software and handed
//!   to the window in shared memory (~65 MiB less than the DMA-BUF renderer here, and the
//!   common fix for blank windows on some GPU drivers).
//! - With that renderer off, nothing in the app's process draws with GL, but two things
//!   still load it: GTK looks for GL-capable visuals when it opens the display
//!   (`GDK_GL=disable` stops that; only a `GtkGLArea` would use GL, and the app has none),
//!   and WebKit opens an EGL display only to find the GPU's render node to hand to the web
//!   process (`WEBKIT_WEB_RENDER_DEVICE_FILE` names the node instead; `/dev/null` is no
//!   node, so the web process uses none, as with the DMA-BUF renderer off it would not).
//!   Measured in demo mode: the app's process 82 → 58 MiB PSS, the whole tree 222 → 205.
//!   The web process still needs EGL and keeps it.
//!
//! Light or dark: WebKitGTK 2.50 starts following the desktop's theme only as a side effect
//! of that EGL probe (the object that opens the EGL display is also the one that starts
//! watching GTK's settings), so without the probe every page would think the desktop is
//! light. The app therefore decides it itself, by WebKit's own rule for GTK 3
//! ([`gtk_prefers_dark`]), tells the page before it runs (`data-theme` on `<html>`) and
//! again whenever GTK's settings change; the page's colours and form controls follow
//! `data-theme` (`color-scheme`), not `prefers-color-scheme`.

use std::ffi::OsString;

/// The variables `main()` sets, given how the environment reads now (`get`).
pub fn linux_defaults(get: impl Fn(&str) -> Option<OsString>) -> Vec<(&'static str, &'static str)> {
    let mut set = Vec::new();
    let dmabuf = get("WEBKIT_DISABLE_DMABUF_RENDERER");
    // WebKit reads any value but "0" as "renderer off".
    let software = dmabuf.as_deref().is_none_or(|v| v != "0");
    if dmabuf.is_none() {
        set.push(("WEBKIT_DISABLE_DMABUF_RENDERER", "1"));
    }
    if software {
        for (name, value) in [
            ("GDK_GL", "disable"),
            ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
        ] {
            if get(name).is_none() {
                set.push((name, value));
            }
        }
    }
    set
}

/// Whether the desktop asks for dark windows, decided the way WebKitGTK decides it under
/// GTK 3: GTK's "prefer dark theme" setting; else a `GTK_THEME` environment variable naming
/// a dark variant (`Adwaita:dark`, `Foo-dark`); else a theme name naming one.
pub fn gtk_prefers_dark(
    prefer_dark: bool,
    gtk_theme_env: Option<&str>,
    theme_name: Option<&str>,
) -> bool {
    fn names_dark(name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower.contains("-dark-") || lower.ends_with("-dark")
    }
    if prefer_dark {
        return true;
    }
    if let Some(env) = gtk_theme_env {
        return names_dark(env) || env.ends_with(":dark");
    }
    theme_name.is_some_and(names_dark)
}

/// The script that marks the page light or dark before any of its own scripts run.
pub fn theme_script(dark: bool) -> String {
    format!(
        "document.documentElement.dataset.theme = '{}';",
        if dark { "dark" } else { "light" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults(env: &[(&str, &str)]) -> Vec<(&'static str, &'static str)> {
        linux_defaults(|name| {
            env.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn an_empty_environment_gets_software_rendering_without_gl_in_the_app() {
        assert_eq!(
            defaults(&[]),
            [
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("GDK_GL", "disable"),
                ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
            ]
        );
    }

    #[test]
    fn a_person_who_turned_the_dmabuf_renderer_on_keeps_the_gpu() {
        assert_eq!(defaults(&[("WEBKIT_DISABLE_DMABUF_RENDERER", "0")]), []);
    }

    #[test]
    fn choices_already_made_are_kept_and_the_rest_filled_in() {
        // Their own "off" (any value but "0") still means software rendering.
        assert_eq!(
            defaults(&[
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "yes"),
                ("GDK_GL", "always")
            ]),
            [("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null")]
        );
        assert_eq!(
            defaults(&[("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/dri/renderD129")]),
            [
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("GDK_GL", "disable"),
            ]
        );
    }

    #[test]
    fn dark_is_read_as_webkitgtk_reads_it() {
        assert!(!gtk_prefers_dark(false, None, Some("Adwaita")));
        assert!(!gtk_prefers_dark(false, None, None));
        assert!(gtk_prefers_dark(true, None, Some("Adwaita")));
        assert!(gtk_prefers_dark(false, None, Some("Adwaita-dark")));
        assert!(gtk_prefers_dark(false, None, Some("Yaru-Dark")));
        assert!(gtk_prefers_dark(false, None, Some("Pop-dark-slim")));
        assert!(!gtk_prefers_dark(false, None, Some("Darkness")));
        // GTK_THEME decides when it is set, even against a dark theme name.
        assert!(gtk_prefers_dark(
            false,
            Some("Adwaita:dark"),
            Some("Adwaita")
        ));
        assert!(gtk_prefers_dark(false, Some("Arc-Dark"), None));
        assert!(!gtk_prefers_dark(
            false,
            Some("Adwaita"),
            Some("Adwaita-dark")
        ));
        assert!(!gtk_prefers_dark(false, Some("Adwaita:light"), None));
    }

    #[test]
    fn the_page_is_told_light_or_dark_and_nothing_else() {
        assert_eq!(
            theme_script(true),
            "document.documentElement.dataset.theme = 'dark';"
        );
        assert_eq!(
            theme_script(false),
            "document.documentElement.dataset.theme = 'light';"
        );
    }
}
