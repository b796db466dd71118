//! The house's rules, checked on the code as the compiler sees it, not on its spelling:
//! every Rust file of the app is parsed, every path in it (in `use`, in code, in
//! attributes, and in the tokens of macro calls) is resolved against the module it is
//! written in (`super::super::api` from `sim::http` is `api`), and the room it reaches
//! must be one the room it is in may use (ARCHITECTURE.md's table). Only the window room
//! (and `lib.rs`, which assembles) may name Tauri, GTK or WebKit.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// The rooms each room may use, besides itself and outside crates.
fn allowed() -> HashMap<&'static str, &'static [&'static str]> {
    HashMap::from([
        ("api", &[][..]),
        ("sim", &[][..]),
        ("text", &[][..]),
        ("fingerprint", &[][..]),
        ("i18n", &["text"][..]),
        ("whats_new", &["i18n"][..]),
        ("schedule", &[][..]),
        ("connect", &[][..]),
        ("settings", &["connect", "schedule", "text"][..]),
        ("history", &["fingerprint", "text"][..]),
        ("stderr_log", &[][..]),
        ("vault", &["api"][..]),
        ("failure", &["api", "text", "vault"][..]),
        ("session", &["api", "fingerprint", "vault"][..]),
        ("watch", &["api", "failure", "text"][..]),
        (
            "desk",
            &[
                "api",
                "connect",
                "failure",
                "fingerprint",
                "history",
                "i18n",
                "schedule",
                "session",
                "settings",
                "sim",
                "text",
                "vault",
                "watch",
                "whats_new",
            ][..],
        ),
        (
            "window",
            &[
                "api", "connect", "desk", "failure", "history", "i18n", "schedule", "session",
                "settings", "text", "watch",
            ][..],
        ),
        // The command-line tools: the client, the simulator, the logger.
        (
            "bin/cli",
            &[
                "api",
                "i18n",
                "schedule",
                "settings",
                "stderr_log",
                "text",
                "vault",
            ][..],
        ),
        ("bin/compute_sim", &["sim", "stderr_log"][..]),
        ("bin/bare_window", &[][..]),
    ])
}

/// Crates only the window room may name.
const WINDOW_ONLY: [&str; 7] = [
    "tauri",
    "tauri_build",
    "gtk",
    "glib",
    "gdk",
    "wry",
    "webkit2gtk",
];

/// One file's module path and the paths it names, resolved.
struct Paths {
    module: Vec<String>,
    /// The crate this file's `crate::` means: the app's, or (in a binary) none.
    in_library: bool,
    /// Absolute paths inside the app's library.
    internal: BTreeSet<Vec<String>>,
    /// First segments naming something outside (an external crate, a prelude name, a
    /// local item).
    external: BTreeSet<String>,
}

impl Paths {
    fn new(module: Vec<String>, in_library: bool) -> Self {
        Paths {
            module,
            in_library,
            internal: BTreeSet::new(),
            external: BTreeSet::new(),
        }
    }

    fn record(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let absolute = match first.as_str() {
            "crate" if self.in_library => segments[1..].to_vec(),
            "compute_desk" => segments[1..].to_vec(),
            "self" => [&self.module[..], &segments[1..]].concat(),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let keep = self.module.len().saturating_sub(ups);
                [&self.module[..keep], &segments[ups..]].concat()
            }
            _ => {
                self.external.insert(first.clone());
                return;
            }
        };
        self.internal.insert(absolute);
    }

    /// Paths hidden in a macro call's tokens (`tokio::select!`, `json!`): every run of
    /// `ident :: ident ...`.
    fn record_tokens(&mut self, tokens: TokenStream) {
        let mut run: Vec<String> = Vec::new();
        let mut colons = 0;
        for tree in tokens {
            match tree {
                TokenTree::Group(g) => {
                    self.flush(&mut run);
                    self.record_tokens(g.stream());
                }
                TokenTree::Ident(ident) if run.is_empty() || colons == 2 => {
                    run.push(ident.to_string());
                    colons = 0;
                }
                TokenTree::Punct(p) if p.as_char() == ':' && !run.is_empty() && colons < 2 => {
                    colons += 1;
                }
                TokenTree::Ident(ident) => {
                    self.flush(&mut run);
                    run.push(ident.to_string());
                    colons = 0;
                }
                _ => {
                    self.flush(&mut run);
                    colons = 0;
                }
            }
        }
        self.flush(&mut run);
    }

    fn flush(&mut self, run: &mut Vec<String>) {
        if run.len() > 1 {
            let segments = std::mem::take(run);
            self.record(&segments);
        }
        run.clear();
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.record(&[&prefix[..], &[n.ident.to_string()]].concat()),
            syn::UseTree::Rename(r) => self.record(&[&prefix[..], &[r.ident.to_string()]].concat()),
            syn::UseTree::Glob(_) => self.record(&[&prefix[..], &["*".to_owned()]].concat()),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.module.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.record(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.record_tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
}

/// Parses `text` as the file at `module` and names the paths it uses.
fn paths_of(text: &str, module: Vec<String>, in_library: bool) -> Paths {
    let file = syn::parse_file(text).expect("the source parses");
    let mut paths = Paths::new(module, in_library);
    paths.visit_file(&file);
    paths
}

/// Every Rust source of the app under `src-tauri/`, with its room and module path.
fn sources() -> Vec<(PathBuf, String, Vec<String>, bool)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap();
            let parts: Vec<String> = relative
                .with_extension("")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let (room, module, in_library) = match parts[0].as_str() {
                "lib" => ("lib".to_owned(), vec![], true),
                "main" | "build" | "benches" | "capabilities" => continue,
                "bin" => (format!("bin/{}", parts[1]), vec![], false),
                _ => {
                    let mut module = parts.clone();
                    if module.last().is_some_and(|l| l == "mod") {
                        module.pop();
                    }
                    (parts[0].clone(), module, true)
                }
            };
            found.push((path, room, module, in_library));
        }
    }
    found
}

#[test]
fn each_room_uses_only_the_rooms_it_may_and_only_the_window_knows_tauri() {
    let allowed = allowed();
    let mut problems = Vec::new();
    let sources = sources();
    for (path, room, module, in_library) in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        let paths = paths_of(&text, module.clone(), *in_library);
        if room != "lib" {
            let may = allowed.get(room.as_str()).unwrap_or_else(|| {
                panic!(
                    "{} is in a room the table does not know: {room}",
                    path.display()
                )
            });
            for used in &paths.internal {
                let Some(reached) = used.first() else {
                    continue;
                };
                if reached != room
                    && !may.contains(&reached.as_str())
                    && room.strip_prefix("bin/") != Some(reached)
                {
                    problems.push(format!(
                        "{} ({room}) uses {}",
                        path.display(),
                        used.join("::")
                    ));
                }
            }
        }
        if room != "window" && room != "lib" && room != "bin/bare_window" {
            for name in paths
                .external
                .iter()
                .filter(|n| WINDOW_ONLY.contains(&n.as_str()) || n.starts_with("tauri_plugin"))
            {
                problems.push(format!("{} ({room}) names {name}", path.display()));
            }
        }
    }
    assert!(sources.len() > 30, "only {} sources found", sources.len());
    assert!(
        problems.is_empty(),
        "rules broken:\n{}",
        problems.join("\n")
    );
}

/// The check sees through every spelling of a path, so it cannot be fooled by one.
#[test]
fn the_check_sees_through_every_spelling() {
    let sim_http = || vec!["sim".to_owned(), "http".to_owned()];
    let cases = [
        "use crate::api::Client;",
        "use super::super::api::Client;",
        "use crate::{api::Client, sim::world};",
        "use crate::*;",
        "fn f() { let _ = crate::api::Client::builder(\"x\"); }",
        "fn f() { tokio::select! { _ = super::super::api::now() => {} } }",
        "mod inner { use super::super::super::watch::Snapshot; }",
        "#[crate::desk::marker] fn f() {}",
        "fn f() -> super::super::failure::Failure { todo!() }",
    ];
    for case in cases {
        let paths = paths_of(case, sim_http(), true);
        let outside: Vec<_> = paths
            .internal
            .iter()
            .filter(|p| p.first().is_none_or(|r| r != "sim"))
            .collect();
        assert!(!outside.is_empty(), "not seen: {case}");
    }
    // What stays inside the simulator is fine, however spelled.
    let inside = paths_of(
        "use super::world::Machines; use self::x::Y; use crate::sim::Dialect; fn f() { super::control::take(); }",
        sim_http(),
        true,
    );
    assert!(
        inside.internal.iter().all(|p| p[0] == "sim"),
        "{:?}",
        inside.internal
    );
    let tauri = paths_of("#[tauri::command] fn f() {}", vec!["desk".into()], true);
    assert!(tauri.external.contains("tauri"));
}

/// Method calls and names like Tauri's ways of running a script in the page.
#[derive(Default)]
struct ScriptPushes(Vec<String>);

impl<'ast> Visit<'ast> for ScriptPushes {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if ["emit", "emit_to", "emit_filter", "eval"].contains(&name.as_str()) {
            self.0.push(format!(".{name}()"));
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        if ident == "Emitter" {
            self.0.push("Emitter".to_owned());
        }
    }
}

fn script_pushes(text: &str) -> Vec<String> {
    let mut found = ScriptPushes::default();
    found.visit_file(&syn::parse_file(text).expect("the source parses"));
    found.0
}

/// The app tells the page things only through the page's own `news` request, never by
/// running a script in it (Tauri's events and `eval`): on Linux the result of every such
/// script is read back in the app's process by a JavaScript engine started there for it
/// (window/news.rs).
#[test]
fn nothing_runs_scripts_in_the_page() {
    let mut problems = Vec::new();
    for (path, room, _, _) in sources() {
        if room == "bin/bare_window" {
            continue;
        }
        for found in script_pushes(&std::fs::read_to_string(&path).unwrap()) {
            problems.push(format!("{} uses {found}", path.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check sees both spellings.
    assert_eq!(
        script_pushes("use tauri::Emitter; fn f(app: A) { let _ = app.emit(\"machines\", 1); }"),
        ["Emitter", ".emit()"]
    );
}

/// The lines of `text` before its tests (`#[cfg(test)]` at the start of a line).
fn lines_before_tests(text: &str) -> usize {
    text.lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .count()
}

/// The most lines a source file may have besides its tests: a file that grows past it has
/// grown a second job, and is split in the same change.
const MOST_LINES: usize = 400;

#[test]
fn no_source_file_is_over_400_lines_besides_its_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
    let mut stack = vec![root];
    let mut long = Vec::new();
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let lines = lines_before_tests(&std::fs::read_to_string(&path).unwrap());
                if lines > MOST_LINES {
                    long.push(format!("{}: {lines} lines", path.display()));
                }
            }
        }
    }
    assert!(files > 50, "only {files} source files found");
    assert!(long.is_empty(), "split these:\n{}", long.join("\n"));
    // The count stops at the tests, and only there.
    assert_eq!(lines_before_tests("a\nb\n#[cfg(test)]\nmod tests {}\n"), 2);
    assert_eq!(lines_before_tests("a\n    #[cfg(test)]\nb\n"), 3);
}

/// The account changes live in one room, with one ordering (`desk/changes/`): the
/// sign-in screen's flows and the saved accounts' bookkeeping do not reach into each other.
#[test]
fn sign_in_and_accounts_do_not_import_each_other() {
    let desk = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/desk");
    for (file, other) in [("sign_in.rs", "accounts"), ("accounts.rs", "sign_in")] {
        let text = std::fs::read_to_string(desk.join(file)).unwrap();
        let paths = paths_of(
            &text,
            vec!["desk".into(), file.trim_end_matches(".rs").into()],
            true,
        );
        let reached: Vec<_> = paths
            .internal
            .iter()
            .filter(|p| p.len() > 1 && p[0] == "desk" && p[1] == other)
            .collect();
        assert!(reached.is_empty(), "{file} uses {other}: {reached:?}");
    }
}
