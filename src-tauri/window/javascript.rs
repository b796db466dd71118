//! How the page's JavaScript runs on Linux: JavaScriptCore without its optimizing compiler.
//!
//! JavaScriptCore runs a function first in its interpreter, then, once it is warm, as
//! Baseline JIT code, and only a hot loop goes on to the DFG (and then FTL) optimizing
//! compilers, whose code and working memory stay in the web process. The page's work is
//! short: a table of visible rows, a filter over at most some thousands of names. Turning
//! the DFG off (`JSC_useDFGJIT=0`, FTL with it) was measured in demo mode: the web
//! process 120.0 → 116.5 MiB PSS (2.6 MiB of compiler code never touched, 0.9 MiB of
//! heap), while the 10,000-machine table stayed as fast (first paint median 67 → 77 ms,
//! filter keystroke median 26 → 27 ms, worst 42 → 43 ms; targets 150 and 50). Turning
//! the JIT off altogether saves 8 MiB but nearly doubles that first paint (120 ms), too
//! close to its target for a slower computer.
//!
//! `main()` sets the variable with the rendering ones, before anything starts; the web
//! process inherits it. Set in the environment already, it is left as it is, so anyone can
//! give the page its optimizing compiler back (`JSC_useDFGJIT=1`).

use std::ffi::OsString;

/// The variables `main()` sets, given how the environment reads now (`get`).
pub fn linux_defaults(get: impl Fn(&str) -> Option<OsString>) -> Vec<(&'static str, &'static str)> {
    let mut set = Vec::new();
    if get("JSC_useDFGJIT").is_none() {
        set.push(("JSC_useDFGJIT", "0"));
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optimizing_compiler_is_off_unless_the_environment_says_otherwise() {
        assert_eq!(linux_defaults(|_| None), [("JSC_useDFGJIT", "0")]);
        assert_eq!(
            linux_defaults(|name| (name == "JSC_useDFGJIT").then(|| OsString::from("1"))),
            []
        );
    }
}
