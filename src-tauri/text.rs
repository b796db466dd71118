//! Words for a person, as a key of the language catalogs (`ui/i18n/<lang>.json`) and the
//! values to put in it. The page, and the desktop notifications, make the sentence in the
//! language the person chose; nothing English-only crosses to the window.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Text {
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Text {
    pub fn new(key: impl Into<String>) -> Self {
        Text {
            key: key.into(),
            params: BTreeMap::new(),
        }
    }

    /// With `{name}` in the sentence filled by `value`.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }
}
