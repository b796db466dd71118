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

    /// Whether "Start at login" was offered already.
    pub async fn start_at_login_offered(&self) -> bool {
        self.state.lock().await.settings.start_at_login_offered
    }

    /// "Start at login" was offered (and answered): not asked again.
    pub async fn mark_start_at_login_offered(&self) {
        let mut s = self.state.lock().await;
        if !s.settings.start_at_login_offered {
            s.settings.start_at_login_offered = true;
            self.save_settings(&s);
        }
    }

    /// Keeps the person's choice for a closed window.
    pub async fn set_close_to_tray(&self, tray: bool) {
        let mut s = self.state.lock().await;
        s.settings.close_to_tray = Some(tray);
        self.save_settings(&s);
    }
}
