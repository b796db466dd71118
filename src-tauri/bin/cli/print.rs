//! What the command line prints: machines as a table or one by one, accepted actions,
//! and JSON for scripts.

use compute_desk::api::Instance;
use compute_desk::settings::NameBook;
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

/// A machine's name as people know it: the name given in Compute Desk first, the
/// service's beside it.
fn shown_name(m: &Instance, given: &NameBook) -> String {
    match given.machines.get(&m.id).filter(|l| !l.name.is_empty()) {
        Some(label) => format!("{} ({})", label.name, m.display_name()),
        None => m.display_name().to_owned(),
    }
}

pub fn print_machines(machines: &[Instance], given: &NameBook) {
    let rows = machines
        .iter()
        .map(|m| {
            vec![
                m.id.clone(),
                shown_name(m, given),
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

pub fn print_machine(m: &Instance, given: &NameBook) {
    let label = given.machines.get(&m.id).cloned().unwrap_or_default();
    let fields = [
        ("ID", m.id.clone()),
        ("Name", shown_name(m, given)),
        (
            "Note",
            or_dash(Some(label.note.as_str()).filter(|n| !n.is_empty())),
        ),
        (
            "Groups",
            or_dash(Some(label.groups.join(", ").as_str()).filter(|g| !g.is_empty())),
        ),
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
