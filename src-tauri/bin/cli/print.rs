//! What the command line prints: machines as a table or one by one, accepted actions,
//! and JSON for scripts.

use compute_desk::api::Instance;
use serde::Serialize;

pub fn accepted(id: &str, action: &str, json: bool, what: &str) {
    if json {
        print_json(&serde_json::json!({ "id": id, "action": action, "accepted": true }));
    } else {
        println!("{id} {what}; `compute-desk-cli get {id}` shows its state.");
    }
}

pub fn print_json(value: &impl Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("API objects always serialize")
    );
}

fn or_dash(v: Option<&str>) -> String {
    v.unwrap_or("-").to_owned()
}

fn created(m: &Instance) -> String {
    // "2025-06-01T12:00:00Z" reads as "2025-06-01 12:00" in a table.
    match m.created_at.as_deref() {
        Some(t) if t.len() >= 16 && t.as_bytes()[10] == b'T' => {
            format!("{} {}", &t[..10], &t[11..16])
        }
        other => or_dash(other),
    }
}

pub fn print_machines(machines: &[Instance]) {
    let rows = machines
        .iter()
        .map(|m| {
            vec![
                m.id.clone(),
                m.display_name().to_owned(),
                m.status.label().into_owned(),
                or_dash(m.zone.as_deref()),
                or_dash(m.machine_type_short()),
                or_dash(m.external_ip.as_deref()),
                or_dash(m.internal_ip.as_deref()),
                or_dash(m.template_id.as_deref()),
                created(m),
            ]
        })
        .collect();
    print_table(
        &[
            "ID",
            "NAME",
            "STATE",
            "ZONE",
            "TYPE",
            "EXTERNAL IP",
            "INTERNAL IP",
            "TEMPLATE",
            "CREATED",
        ],
        rows,
    );
}

pub fn print_machine(m: &Instance) {
    let fields = [
        ("ID", m.id.clone()),
        ("Name", m.display_name().to_owned()),
        ("State", m.status.label().into_owned()),
        ("Zone", or_dash(m.zone.as_deref())),
        ("Machine type", or_dash(m.machine_type.as_deref())),
        ("External IP", or_dash(m.external_ip.as_deref())),
        ("Internal IP", or_dash(m.internal_ip.as_deref())),
        ("Template", or_dash(m.template_id.as_deref())),
        ("Created", or_dash(m.created_at.as_deref())),
        ("Owner", or_dash(m.user_id.as_deref())),
    ];
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in fields {
        println!("{k:<width$}  {v}");
    }
}

pub fn print_table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let text: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", text.join("  ").trim_end());
    };
    line(&mut headers.iter().copied());
    for row in &rows {
        line(&mut row.iter().map(String::as_str));
    }
}
