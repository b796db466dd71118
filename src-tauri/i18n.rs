//! The two languages, English and Spanish: their catalogs (`ui/i18n/<lang>.json`, the one
//! source of each language's words, read by the page and here), which one the desktop
//! asks for, and sentences made from a [`Text`] for what the Rust side says itself
//! (desktop notifications). No `Intl`, no ICU: plurals are the catalogs' own `one`/`other`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::text::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

const EN: &str = include_str!("../ui/i18n/en.json");
const ES: &str = include_str!("../ui/i18n/es.json");

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language for a locale name ("es_ES.UTF-8", "es-MX", "en_GB"): Spanish for any
    /// Spanish, English for everything else.
    pub fn of_locale(locale: &str) -> Lang {
        let lower = locale.trim().to_ascii_lowercase();
        if lower == "es"
            || lower.starts_with("es_")
            || lower.starts_with("es-")
            || lower.starts_with("es.")
        {
            Lang::Es
        } else {
            Lang::En
        }
    }

    /// The desktop's language (its locale), as the app starts.
    pub fn system() -> Lang {
        sys_locale::get_locale().map_or(Lang::En, |l| Lang::of_locale(&l))
    }

    /// The catalog, as the page is given it.
    pub fn catalog_json(self) -> &'static str {
        match self {
            Lang::En => EN,
            Lang::Es => ES,
        }
    }

    /// The catalog, read the first time this language is spoken (the other one may never
    /// be: it costs the app's memory only once chosen).
    fn catalog(self) -> &'static HashMap<String, Value> {
        static CATALOGS: [OnceLock<HashMap<String, Value>>; 2] = [OnceLock::new(), OnceLock::new()];
        CATALOGS[self as usize]
            .get_or_init(|| serde_json::from_str(self.catalog_json()).unwrap_or_default())
    }

    /// The sentence `text` stands for, in this language: `{name}` filled from its
    /// parameters; for a plural entry, the `one` or `other` form by its `n`. A key the
    /// catalog lacks is said as the key itself (a test keeps that from happening).
    pub fn say(self, text: &Text) -> String {
        let entry = self.catalog().get(&text.key);
        let template = match entry {
            Some(Value::String(s)) => s.as_str(),
            Some(Value::Object(forms)) => {
                let one = text.params.get("n").is_some_and(|n| n == "1");
                forms
                    .get(if one { "one" } else { "other" })
                    .and_then(Value::as_str)
                    .unwrap_or(&text.key)
            }
            _ => &text.key,
        };
        let mut out = template.to_owned();
        for (name, value) in &text.params {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(v: &Value) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut texts = Vec::new();
        match v {
            Value::String(s) => texts.push(s.as_str()),
            Value::Object(forms) => texts.extend(forms.values().filter_map(Value::as_str)),
            _ => {}
        }
        for t in texts {
            let mut rest = t;
            while let Some(start) = rest.find('{') {
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                found.insert(rest[start + 1..start + len].to_owned());
                rest = &rest[start + len..];
            }
        }
        found
    }

    #[test]
    fn both_languages_have_the_same_keys_forms_and_placeholders() {
        let (en, es) = (Lang::En.catalog(), Lang::Es.catalog());
        assert!(
            en.len() > 100,
            "the English catalog was read: {} keys",
            en.len()
        );
        let en_keys: BTreeSet<&String> = en.keys().collect();
        let es_keys: BTreeSet<&String> = es.keys().collect();
        assert_eq!(
            en_keys.symmetric_difference(&es_keys).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys in one catalog only"
        );
        for (key, value) in en {
            let other = &es[key];
            assert_eq!(
                value.is_object(),
                other.is_object(),
                "{key}: a plural in one language only"
            );
            if let (Value::Object(a), Value::Object(b)) = (value, other) {
                assert_eq!(
                    a.keys().collect::<BTreeSet<_>>(),
                    b.keys().collect::<BTreeSet<_>>(),
                    "{key}: plural forms"
                );
            }
            assert_eq!(
                placeholders(value),
                placeholders(other),
                "{key}: placeholders"
            );
        }
    }

    #[test]
    fn the_desktop_locale_picks_the_language() {
        for (locale, lang) in [
            ("es_ES.UTF-8", Lang::Es),
            ("es-MX", Lang::Es),
            ("es", Lang::Es),
            ("ES_ar", Lang::Es),
            ("en_GB.UTF-8", Lang::En),
            ("de_DE", Lang::En),
            ("estonian", Lang::En),
            ("C", Lang::En),
            ("", Lang::En),
        ] {
            assert_eq!(Lang::of_locale(locale), lang, "{locale}");
        }
    }

    #[test]
    fn sentences_are_filled_and_plurals_chosen() {
        let one = Text::new("notify.done.stop").with("name", "web-1");
        assert_eq!(Lang::En.say(&one), "web-1 has shut down.");
        assert_eq!(Lang::Es.say(&one), "web-1 se ha apagado.");
        let n = |n: u32| Text::new("count.machines").with("n", n.to_string());
        assert_eq!(Lang::Es.say(&n(1)), "1 máquina");
        assert_eq!(Lang::Es.say(&n(3)), "3 máquinas");
        assert_eq!(Lang::En.say(&n(1)), "1 machine");
    }
}
