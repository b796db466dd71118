//! The page's language: its catalog handed over before any of its scripts run (so the
//! first paint is already in the right words), and again when the person picks another.

use serde::Serialize;

use crate::desk::AppView;
use crate::i18n::Lang;

/// A script that gives the page its catalog and marks `<html lang>`.
pub fn script(lang: Lang) -> String {
    format!(
        "window.__COMPUTE_DESK_I18N__ = {{ lang: \"{code}\", catalog: {catalog} }};\n\
         document.documentElement.lang = \"{code}\";",
        code = lang.code(),
        catalog = lang.catalog_json(),
    )
}

/// The answer to a change of language: the app's view, and the new words.
#[derive(Serialize)]
pub struct Switched {
    pub view: AppView,
    pub lang: &'static str,
    pub catalog: serde_json::Value,
}

pub fn switched(view: AppView, lang: Lang) -> Switched {
    Switched {
        view,
        lang: lang.code(),
        catalog: serde_json::from_str(lang.catalog_json()).unwrap_or_default(),
    }
}
