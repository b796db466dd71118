//! How the benchmark measures a process tree: its processes by name, their memory (PSS,
//! from `/proc/<pid>/smaps_rollup`) and CPU time, and the medians it prints.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::desktop::{children, comm};

pub fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// The least and the most of `v`.
pub fn spread(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        })
}

pub fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Pss:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The app (`name`) and everything it started (WebKit's web and network processes): the
/// test harness's own processes are not in it.
pub fn tree(name: &str) -> Vec<u32> {
    let kids = children();
    let mut stack: Vec<u32> = kids
        .values()
        .flatten()
        .copied()
        .filter(|&p| comm(p).starts_with(&name[..name.len().min(15)]))
        .collect();
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    while let Some(p) = stack.pop() {
        if seen.insert(p) {
            all.push(p);
            stack.extend(kids.get(&p).cloned().unwrap_or_default());
        }
    }
    all
}

/// PSS of the app's [`tree`], in MiB, and of each process in it.
pub fn tree_pss_mib(name: &str) -> (f64, Vec<String>) {
    let mut total = 0;
    let mut parts = Vec::new();
    for p in tree(name) {
        let kib = pss_kib(p);
        total += kib;
        parts.push(format!("{} {:.0}", comm(p), kib as f64 / 1024.0));
    }
    (total as f64 / 1024.0, parts)
}

/// CPU time (user + system, in clock ticks) of the app's [`tree`].
pub fn tree_cpu_ticks(name: &str) -> u64 {
    tree_cpu_by_process(name).iter().map(|(_, t)| t).sum()
}

/// CPU time (clock ticks) of each process of the app's [`tree`], by its name.
pub fn tree_cpu_by_process(name: &str) -> Vec<(String, u64)> {
    let mut by: Vec<(String, u64)> = Vec::new();
    for p in tree(name) {
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
        // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
        let ticks = field(14).unwrap_or(0) + field(15).unwrap_or(0);
        let who = comm(p);
        match by.iter_mut().find(|(w, _)| *w == who) {
            Some((_, t)) => *t += ticks,
            None => by.push((who, ticks)),
        }
    }
    by
}

pub fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
