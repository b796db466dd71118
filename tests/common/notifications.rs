//! A desktop notification server on the test's private D-Bus session bus: it owns
//! `org.freedesktop.Notifications`, as GNOME Shell or dunst would on a desktop, and keeps
//! every notification the app sends, so a test can see what a person would have seen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::zvariant::OwnedValue;

/// One notification as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub app_name: String,
    pub summary: String,
    pub body: String,
}

struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
}

/// The methods of the Desktop Notifications Specification that a client may call.
#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        shown.push(Shown {
            app_name,
            summary,
            body,
        });
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "compute-desk-tests".into(),
            "Compute Desk".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// The running server; the bus name is released when it is dropped.
pub struct Notifications {
    shown: Arc<Mutex<Vec<Shown>>>,
    _connection: zbus::blocking::Connection,
}

impl Notifications {
    /// Takes the notification service name on the session bus of this test run.
    pub fn serve() -> Notifications {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let server = Server {
            shown: shown.clone(),
        };
        let connection = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.name("org.freedesktop.Notifications"))
            .and_then(|b| b.serve_at("/org/freedesktop/Notifications", server))
            .and_then(|b| b.build())
            .expect("the notification service starts on the session bus (run under .ci/session)");
        Notifications {
            shown,
            _connection: connection,
        }
    }

    /// Every notification received so far, oldest first.
    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap().clone()
    }
}
