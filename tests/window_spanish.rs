//! The app in Spanish, in the real window: it starts in Spanish when the desktop's locale
//! is Spanish, walks the main screens (sign-in, machines, create, a confirmation, a row
//! error, the history, About, the shortcuts) and fails if any words of the English catalog
//! are on screen (text, accessible names, placeholders, tooltips, the window's title):
//! whole sentences of the catalog, and English words no Spanish sentence uses, so that
//! English written outside the catalog (in Rust) is caught too. What the page marks
//! `translate="no"` (the server's words, its templates, paths) and the simulator's names
//! are not its words.
//! axe-core stays at zero serious or critical violations, light and dark. The language
//! menu switches back to English at once, and the choice is remembered.
//! Run with `bash .ci/session cargo test` (Xvfb, a private D-Bus and keyring).

mod common;

use common::desktop::{one_window_at_a_time, press_key, sim_with, Desktop, Home, KEY, SECRET};
use serde_json::{json, Value};

const ENGLISH: &str = include_str!("../ui/i18n/en.json");
const SPANISH: &str = include_str!("../ui/i18n/es.json");
const ESCAPE: char = '\u{e00c}';

/// A desktop whose locale is Spanish.
const IN_SPANISH: [(&str, &str); 3] = [
    ("LANG", "es_ES.UTF-8"),
    ("LC_ALL", "es_ES.UTF-8"),
    ("LC_MESSAGES", "es_ES.UTF-8"),
];

/// Every English sentence that Spanish says otherwise, as a pattern matching it whole
/// (a `{placeholder}` matches anything).
fn english_only() -> Vec<String> {
    let en: serde_json::Map<String, Value> = serde_json::from_str(ENGLISH).unwrap();
    let es: serde_json::Map<String, Value> = serde_json::from_str(SPANISH).unwrap();
    let mut patterns = Vec::new();
    for (key, value) in &en {
        let forms: Vec<&str> = match value {
            Value::String(s) => vec![s.as_str()],
            Value::Object(forms) => forms.values().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let spanish = es[key].to_string();
        for form in forms {
            if spanish.contains(&serde_json::to_string(form).unwrap()) || form.trim().is_empty() {
                continue; // the same words in both languages ("Compute Desk", "{n} s")
            }
            patterns.push(form.to_owned());
        }
    }
    patterns
}

/// Names the simulator gives (the account, its key), in no language of ours: taken out of
/// a text before its words are looked at.
const NAMES: [&str; 3] = ["demo@computedesk.example", "Demo key", "Demo User"];

/// English words no Spanish sentence of the catalogs uses (four letters or more): what
/// English written anywhere (the catalog, or Rust that should have used it) is made of.
/// Text the page marks `translate="no"` (the server's own words and names) is not looked at.
fn english_words() -> Vec<String> {
    let words = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    // The catalogs' keys and placeholders are not words of either language.
    let values = |catalog: &str| {
        let map: serde_json::Map<String, Value> = serde_json::from_str(catalog).unwrap();
        let all: Vec<String> = map.values().map(Value::to_string).collect();
        words(&regex_free_placeholders(&all.join(" ")))
    };
    let spanish = values(SPANISH);
    // The service's own state words, shown as it says them in either language.
    let service = [
        "running",
        "stopped",
        "stopping",
        "provisioning",
        "deleting",
        "error",
    ];
    values(ENGLISH)
        .into_iter()
        .filter(|w| !spanish.contains(w) && !service.contains(&w.as_str()))
        .collect()
}

/// `text` without its `{placeholders}`.
fn regex_free_placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// The English words on screen now: visible text, accessible names, placeholders, tooltips
/// and the document's title, each matched whole against the English-only sentences, and
/// word by word against English words Spanish never uses.
async fn english_on_screen(app: &Desktop) -> Vec<String> {
    let found = app
        .js(&format!(
            "const english = {patterns};
             const escape = (s) => s.replace(/[.*+?^$()|[\\]\\\\]/g, '\\\\$&');
             const res = english.map((e) => new RegExp('^' + escape(e).replace(/\\{{\\w+\\}}/g, '.+?') + '$'));
             const shown = (el) => el && el.getClientRects().length > 0 && !el.closest('[hidden]')
                 && getComputedStyle(el).visibility !== 'hidden';
             const modal = document.querySelector('dialog[open]');
             const inView = (el) => shown(el) && (!modal || modal.contains(el));
             const seen = [document.title];
             const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
             while (walker.nextNode()) {{
               const n = walker.currentNode;
               if (n.textContent.trim() && inView(n.parentElement)) seen.push(n.textContent.trim());
             }}
             for (const el of document.querySelectorAll('[aria-label], [placeholder], [data-tip], option')) {{
               if (!inView(el.tagName === 'OPTION' ? el.parentElement : el)) continue;
               for (const a of ['aria-label', 'placeholder', 'data-tip']) if (el.getAttribute(a)) seen.push(el.getAttribute(a));
               if (el.tagName === 'OPTION') seen.push(el.textContent.trim());
             }}
             const bad = [];
             for (const s of seen) for (let i = 0; i < res.length; i++) if (res[i].test(s)) bad.push(s + '  ←  ' + english[i]);
             const words = new Set({words});
             const ours = (el) => el && !el.closest('[translate=no]');
             const texts = [document.title];
             const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
             while (walk.nextNode()) {{
               const n = walk.currentNode;
               if (n.textContent.trim() && inView(n.parentElement) && ours(n.parentElement)) texts.push(n.textContent.trim());
             }}
             for (const el of document.querySelectorAll('[aria-label], [placeholder], [data-tip]')) {{
               if (!inView(el) || !ours(el)) continue;
               for (const a of ['aria-label', 'placeholder', 'data-tip']) if (el.getAttribute(a)) texts.push(el.getAttribute(a));
             }}
             const names = {names};
             for (let s of texts) {{
               for (const name of names) s = s.split(name).join(' ');
               const found = s.split(/[^\\p{{L}}]+/u).filter((w) => words.has(w.toLowerCase()));
               if (found.length) bad.push(s + '  ←  English words: ' + found.join(', '));
             }}
             return [...new Set(bad)];",
            patterns = json!(english_only()),
            words = json!(english_words()),
            names = json!(NAMES),
        ))
        .await;
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn assert_spanish(app: &Desktop, screen: &str) {
    let left = english_on_screen(app).await;
    assert!(left.is_empty(), "English on the {screen} screen: {left:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spanish_desktop_gets_the_whole_app_in_spanish() {
    let _one = one_window_at_a_time();
    assert!(
        english_only().len() > 150,
        "the check has English to look for"
    );
    let sim = sim_with(&["--rate-limit", "0", "--instances", "4", "--speed", "4"]);
    let home = Home::new();
    let mut app = Desktop::launch(&home, &[], &IN_SPANISH).await;

    // Sign-in, in Spanish from the first paint, <html lang> too.
    app.control("Probar la demostración").await;
    assert_eq!(app.js("return document.documentElement.lang").await, "es");
    // The check itself can fail: English put on screen, as text or as a name, is found.
    app.js("const p = document.createElement('p'); p.id = 'probe'; p.textContent = 'Create machine';
            p.setAttribute('aria-label', 'Details of web-1'); document.querySelector('.signin-card').append(p); return true;")
        .await;
    let caught = english_on_screen(&app).await;
    assert!(
        caught.iter().any(|c| c.starts_with("Create machine"))
            && caught.iter().any(|c| c.starts_with("Details of web-1")),
        "the check missed English: {caught:?}"
    );
    app.js("document.getElementById('probe').remove(); return true;")
        .await;
    // And English that never was in the catalog (written in Rust, say) is found too.
    app.js("const p = document.createElement('p'); p.id = 'probe'; p.textContent = 'Nothing could be read from here';
            document.querySelector('.signin-card').append(p); return true;")
        .await;
    let caught = english_on_screen(&app).await;
    assert!(
        caught
            .iter()
            .any(|c| c.starts_with("Nothing could") && c.contains("English words")),
        "the check missed English from outside the catalog: {caught:?}"
    );
    app.js("document.getElementById('probe').remove(); return true;")
        .await;
    assert_spanish(&app, "sign-in").await;
    app.screenshot("60-es-sign-in").await;
    app.assert_accessible("sign-in, Spanish").await;

    // A refused key: the failure is said in Spanish too.
    app.click("Usar una clave de API").await;
    app.until(
        "Advanced open",
        "const d = document.querySelector('details.advanced'); d.open = true; return d.open;",
    )
    .await;
    app.fill("Dirección del servidor", &sim.base).await;
    app.fill("Clave de API", "wrong").await;
    app.fill("Secreto de API", "wrong").await;
    app.click("Comprobar la clave e iniciar sesión").await;
    let refused = app.shown_text("the refusal", "#signin-error").await;
    assert!(
        refused.starts_with("No se pudo comprobar la clave de API"),
        "{refused}"
    );
    assert_spanish(&app, "sign-in refused").await;

    // Machines.
    sign_in_with_key_spanish(&app).await;
    app.until(
        "the rows in Spanish",
        "return [...document.querySelectorAll('#rows tr.machine')].some((tr) => tr.innerText.includes('Encendida'))",
    )
    .await;
    assert_spanish(&app, "machines").await;
    let count = app.text_of("#count").await;
    assert_eq!(count, "4 máquinas");
    app.screenshot("61-es-machines").await;
    app.assert_accessible("machines, Spanish").await;

    // The account menu.
    app.click(&app.text_of("#account").await).await;
    app.control("Añadir cuenta…").await;
    assert_spanish(&app, "account menu").await;
    app.screenshot("61-es-account-menu").await;
    app.assert_accessible("the account menu, Spanish").await;
    press_key(&app, ESCAPE).await;

    // Create.
    app.click("Crear máquina").await;
    app.until(
        "template cards",
        "return document.querySelectorAll('#template-cards .card').length",
    )
    .await;
    assert_spanish(&app, "create").await;
    app.screenshot("62-es-create").await;
    app.assert_accessible("create, Spanish").await;
    app.click("Cancelar").await;

    // A confirmation, and a row error.
    app.click("Apagar web-1").await;
    let asked = app.shown_text("the confirmation", "#confirm-title").await;
    assert_eq!(asked, "¿Apagar web-1?");
    assert_spanish(&app, "confirmation").await;
    app.screenshot("63-es-confirm").await;
    sim.fault(
        json!({"method": "POST", "path": "/api/compute/v1/instances/*", "kind": "status",
                     "status": 500, "times": 1}),
    )
    .await;
    app.click("Apagar").await;
    let problem = app.shown_text("the row error", "#rows .row-error").await;
    assert!(
        problem.contains("No se pudo apagar la máquina"),
        "{problem}"
    );
    assert!(problem.contains("Código de soporte"), "{problem}");
    assert_spanish(&app, "row error").await;
    app.screenshot("64-es-row-error").await;
    app.assert_accessible("row error, Spanish").await;

    // History, About, shortcuts.
    app.click("Historial").await;
    app.until("History", "return document.getElementById('history').open")
        .await;
    app.until(
        "the failed shutdown listed",
        "return document.getElementById('history-list').innerText.includes('Fallido')",
    )
    .await;
    assert_spanish(&app, "history").await;
    app.screenshot("65-es-history").await;
    app.assert_accessible("history, Spanish").await;
    press_key(&app, ESCAPE).await;
    app.click("Ayuda").await;
    app.click("Acerca de Compute Desk").await;
    app.until("About", "return document.getElementById('about').open")
        .await;
    assert_spanish(&app, "About").await;
    app.screenshot("66-es-about").await;
    press_key(&app, ESCAPE).await;
    press_key(&app, '?').await;
    app.until(
        "shortcuts",
        "return document.getElementById('shortcuts').open",
    )
    .await;
    assert_spanish(&app, "shortcuts").await;
    app.screenshot("67-es-shortcuts").await;
    press_key(&app, ESCAPE).await;

    // The language menu: English at once, no restart, and remembered.
    app.js("const m = document.getElementById('language'); m.value = 'en'; m.dispatchEvent(new Event('change')); return true;")
        .await;
    app.until(
        "English at once",
        "return document.documentElement.lang === 'en' && document.getElementById('create-open').textContent === 'Create machine'
            && [...document.querySelectorAll('#rows tr.machine')].some((tr) => tr.innerText.includes('Running'))",
    )
    .await;
    app.quit().await;
    let app = Desktop::launch(&home, &[], &IN_SPANISH).await;
    app.until(
        "English remembered over the desktop's Spanish",
        "return document.documentElement.lang === 'en' && document.getElementById('create-open').textContent === 'Create machine'",
    )
    .await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spanish_in_dark_mode_is_accessible() {
    let _one = one_window_at_a_time();
    let home = Home::new();
    let mut env = IN_SPANISH.to_vec();
    env.push(("GTK_THEME", "Adwaita:dark"));
    let mut app = Desktop::launch(&home, &[], &env).await;
    app.control("Probar la demostración").await;
    app.assert_accessible("sign-in, Spanish, dark").await;
    app.click("Probar la demostración").await;
    app.until(
        "the demo's machines",
        "return document.querySelectorAll('#rows tr.machine').length >= 6",
    )
    .await;
    assert_spanish(&app, "demo machines").await;
    app.screenshot("68-es-dark-machines").await;
    app.assert_accessible("machines, Spanish, dark").await;
    app.click(&app.text_of("#account").await).await;
    app.control("Añadir cuenta…").await;
    app.assert_accessible("the account menu, Spanish, dark")
        .await;
    press_key(&app, ESCAPE).await;
    app.click("Detalles de web-1").await;
    app.click("Forzar reinicio").await;
    app.control("Cancelar").await;
    assert_spanish(&app, "force reset confirmation").await;
    app.assert_accessible("confirmation, Spanish, dark").await;
    app.click("Cancelar").await;
    app.quit().await;
}

/// Signs in with the test key on the Spanish sign-in screen (the server address is filled).
async fn sign_in_with_key_spanish(app: &Desktop) {
    app.fill("Clave de API", KEY).await;
    app.fill("Secreto de API", SECRET).await;
    app.click("Comprobar la clave e iniciar sesión").await;
    app.until(
        "the machines",
        "return document.querySelectorAll('#rows tr.machine').length",
    )
    .await;
}
