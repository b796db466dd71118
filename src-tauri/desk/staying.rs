//! What the app does when its window is closed, as the person chose it: stay in the tray
//! (office hours go on) or quit. Kept in the settings.

use super::Desk;

impl Desk {
    /// Started at login, to sit in the tray (`--in-tray`).
    pub fn starts_in_tray(&self) -> bool {
        self.options.in_tray
    }

    /// The person's choice for a closed window; `None` until they have made it.
    pub async fn close_to_tray(&self) -> Option<bool> {
        self.state.lock().await.settings.close_to_tray
    }

    /// Keeps the person's choice for a closed window.
    pub async fn set_close_to_tray(&self, tray: bool) {
        let mut s = self.state.lock().await;
        s.settings.close_to_tray = Some(tray);
        self.save_settings(&s);
    }
}
