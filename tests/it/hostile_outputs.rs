//! The hostile corpus as department and display names of a tenant, through `audit` and
//! `plan reclaim`: summary.md keeps its structure (a CommonMark/GFM parser sees the same
//! blocks, rows and cells as with plain names) and shows each name as written, every CSV cell
//! is guarded against formulas, and no control character reaches the terminal.

use super::hostile;
use super::ps_tokens;
use super::util::{APPS_CSV, E5, PURVIEW_AUDIT, SNAPSHOT_JSON, seatwise, stderr};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use seatwise::contract::findings::FindingsDocument;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

/// The id of the `index`th user, and of the group that licenses them.
fn user_id(index: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", index + 1, index + 1)
}

fn group_id(index: usize) -> String {
    format!("{:08x}-0000-4000-9000-{:012x}", index + 1, index + 1)
}

/// A tenant whose users and their licensing groups are named (department, display name,
/// group name) by `names`. Each user holds E5 through their group without having signed in
/// since January: an inactive holder, a saving by department, and a group to leave.
fn write_tenant(dir: &Path, names: &[&str]) {
    std::fs::create_dir_all(dir.join("audit")).expect("dirs");
    let users: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            json!({
                "id": user_id(index),
                "userPrincipalName": format!("user{index}@contoso.com"),
                "displayName": name,
                "accountEnabled": true,
                "department": name,
                "assignedLicenses": [{"skuId": E5, "disabledPlans": []}],
                "licenseAssignmentStates": [
                    {"skuId": E5, "assignedByGroup": group_id(index), "state": "Active", "error": "None"}
                ],
                "signInActivity": {
                    "lastSignInDateTime": "2026-01-05T08:00:00Z",
                    "lastSuccessfulSignInDateTime": "2026-01-05T08:00:00Z",
                    "lastNonInteractiveSignInDateTime": null
                }
            })
        })
        .collect();
    let groups: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            json!({
                "id": group_id(index), "displayName": name, "groupTypes": [],
                "membershipRule": null, "assignedLicenses": [{"skuId": E5}],
                "members": [{"@odata.type": "#microsoft.graph.user", "id": user_id(index)}]
            })
        })
        .collect();
    let skus = json!({"value": [{
        "skuId": E5, "skuPartNumber": "SPE_E5",
        "prepaidUnits": {"enabled": names.len() + 3, "suspended": 0, "warning": 0, "lockedOut": 0},
        "consumedUnits": names.len(), "capabilityStatus": "Enabled", "appliesTo": "User"
    }]});
    let files = [
        ("users.json", json!({"value": users}).to_string()),
        ("groups.json", json!({"value": groups}).to_string()),
        ("subscribedSkus.json", skus.to_string()),
        ("apps.csv", APPS_CSV.to_string()),
        ("audit/purview.csv", PURVIEW_AUDIT.to_string()),
        ("snapshot.json", SNAPSHOT_JSON.to_string()),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write snapshot file");
    }
}

/// Audits `names` as a tenant and plans its reclaim; every run must succeed and keep control
/// characters off the terminal.
fn audit_and_plan(names: &[&str]) -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    write_tenant(&dir.join("snapshot"), names);
    let at = |name: &str| dir.join(name).display().to_string();
    for args in [
        vec![
            "audit".to_string(),
            at("snapshot"),
            "--out".into(),
            at("audit"),
        ],
        vec![
            "plan".to_string(),
            "reclaim".into(),
            at("audit"),
            "--out".into(),
            at("plan/plan.json"),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = seatwise(&args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            let control = text.chars().find(|&c| c.is_control() && c != '\n');
            assert_eq!(control, None, "{args:?} {stream}: {text}");
        }
    }
    temp
}

/// Written independently of seatwise: how a name reads once hidden characters are shown as
/// `U+XXXX`.
fn as_shown(name: &str) -> String {
    name.chars()
        .map(|c| {
            let hidden = (c.is_control() && c != '\t')
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{61c}' | '\u{200e}' | '\u{200f}'
                )
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c);
            if hidden {
                format!("U+{:04X}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn markdown_events(text: &str) -> Vec<Event<'_>> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_MATH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    Parser::new_ext(text, options).collect()
}

/// How many of each block and inline element a document has: its structure, whatever the
/// text in it.
fn structure(events: &[Event<'_>]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for event in events {
        let name = match event {
            Event::Start(tag) => format!("{tag:?}"),
            Event::Text(_) => continue,
            other => format!("{other:?}"),
        };
        let kind: String = name.chars().take_while(|c| c.is_alphanumeric()).collect();
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

/// The first cell of each body row of the table under the heading `title`.
fn first_column(events: &[Event<'_>], title: &str) -> Vec<String> {
    let mut heading = String::new();
    let mut in_heading = false;
    let mut under_title = false;
    let mut in_body_row = false;
    let mut cell_index = 0;
    let mut cell = String::new();
    let mut column = Vec::new();
    for event in events {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                under_title = heading == title;
            }
            Event::Start(Tag::TableRow) if under_title => {
                in_body_row = true;
                cell_index = 0;
            }
            Event::End(TagEnd::TableRow) => in_body_row = false,
            Event::Start(Tag::TableCell) => cell.clear(),
            Event::End(TagEnd::TableCell) if in_body_row => {
                if cell_index == 0 {
                    column.push(cell.clone());
                }
                cell_index += 1;
            }
            Event::Text(text) | Event::Code(text) => {
                if in_heading {
                    heading.push_str(text);
                } else {
                    cell.push_str(text);
                }
            }
            _ => {}
        }
    }
    column
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn hostile_names_keep_summary_md_as_it_is_and_read_as_written() {
    let corpus = hostile::corpus();
    let plain: Vec<String> = (0..corpus.len()).map(|i| format!("Team {i}")).collect();
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    let plain_run = audit_and_plan(&plain);
    let hostile_run = audit_and_plan(&corpus);

    let plain_summary = read(&plain_run.path().join("audit/summary.md"));
    let hostile_summary = read(&hostile_run.path().join("audit/summary.md"));
    let plain_events = markdown_events(&plain_summary);
    let hostile_events = markdown_events(&hostile_summary);
    assert_eq!(
        structure(&hostile_events),
        structure(&plain_events),
        "{hostile_summary}"
    );

    // Each department reads back exactly as the findings name it.
    let findings: FindingsDocument =
        serde_json::from_str(&read(&hostile_run.path().join("audit/findings.json")))
            .expect("findings.json");
    let mut expected: Vec<String> = findings
        .findings
        .iter()
        .filter_map(|finding| finding.user_id.as_ref().map(|_| finding.department.clone()))
        .map(|department| as_shown(department.as_deref().unwrap_or("Unassigned")))
        .collect();
    expected.sort();
    expected.dedup();
    let mut shown = first_column(&hostile_events, "Savings by department");
    shown.sort();
    assert_eq!(shown, expected);
    assert!(expected.len() > corpus.len() / 2, "{expected:?}");
}

/// A cell a spreadsheet would run: its first character, after leading spaces, starts a
/// formula.
fn runs_as_formula(cell: &str) -> bool {
    let starts = |c: char| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n');
    cell.chars().next().is_some_and(starts)
        || cell
            .trim_start_matches(' ')
            .chars()
            .next()
            .is_some_and(starts)
}

#[test]
fn no_csv_cell_from_hostile_names_runs_as_a_formula() {
    let corpus = hostile::corpus();
    let run = audit_and_plan(&corpus);
    let mut checked = 0;
    for file in ["audit/findings.csv", "plan/plan.csv", "plan/notices.csv"] {
        let path = run.path().join(file);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&path)
            .unwrap_or_else(|error| panic!("{file}: {error}"));
        for record in reader.records() {
            let record = record.unwrap_or_else(|error| panic!("{file}: {error}"));
            for cell in record.iter() {
                // Amounts are the one thing allowed to start with a minus: seatwise's own
                // decimals, never tenant text.
                let own_number = cell.parse::<f64>().is_ok() && !cell.contains('+');
                assert!(
                    own_number || !runs_as_formula(cell),
                    "{file}: a cell would run as a formula: {cell:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > corpus.len() * 10, "only {checked} cells checked");
}

#[test]
fn hostile_group_names_stay_literals_in_plan_ps1() {
    let corpus = hostile::corpus();
    let plain: Vec<String> = (0..corpus.len()).map(|i| format!("Team {i}")).collect();
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    let script = |run: &tempfile::TempDir| read(&run.path().join("plan/plan.ps1"));
    let plain_script = script(&audit_and_plan(&plain));
    let hostile_script = script(&audit_and_plan(&corpus));
    let lines =
        |text: &str| ps_tokens::lines(text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    let plain_lines = lines(&plain_script);
    let hostile_lines = lines(&hostile_script);
    let skeletons = |lines: &[ps_tokens::Line]| -> Vec<String> {
        lines.iter().map(|line| line.skeleton.clone()).collect()
    };
    // The same script with other values: hostile names changed no code.
    assert_eq!(skeletons(&hostile_lines), skeletons(&plain_lines));
    let literals: std::collections::BTreeSet<String> = hostile_lines
        .iter()
        .flat_map(|line| line.literals.iter().map(|(_, value)| value.clone()))
        .collect();
    let missing: Vec<&&str> = corpus
        .iter()
        .filter(|name| !name.trim().is_empty())
        .filter(|name| {
            !literals
                .iter()
                .any(|literal| literal.contains(&as_shown(name)))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "group names not read back as literals: {missing:?}"
    );
}

/// The departments of the users the findings of a run name, as `findings.json` has them.
fn departments_found(run: &tempfile::TempDir) -> Vec<String> {
    let findings: FindingsDocument =
        serde_json::from_str(&read(&run.path().join("audit/findings.json"))).expect("findings");
    let mut departments: Vec<String> = findings
        .findings
        .iter()
        .filter_map(|finding| finding.department.clone())
        .collect();
    departments.sort();
    departments.dedup();
    departments
}

/// Every element of a page, by tag name, and every attribute name: what the page is made of,
/// whatever the text between the tags says.
fn html_structure(page: &str) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let mut elements = BTreeMap::new();
    let mut attributes = BTreeMap::new();
    for tag in page.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let mut words = tag.split_whitespace();
        let Some(name) = words.next() else { continue };
        *elements.entry(name.to_ascii_lowercase()).or_insert(0) += 1;
        for word in words {
            let attribute = word.split('=').next().unwrap_or(word).to_ascii_lowercase();
            *attributes.entry(attribute).or_insert(0) += 1;
        }
    }
    (elements, attributes)
}

/// Written independently of seatwise: a name as page text, with the five markup characters
/// as entities and the characters a page must not get as themselves (controls other than
/// tab and line breaks, bidirectional overrides and isolates) as U+FFFD.
fn as_page_text(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c if (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c) =>
            {
                "\u{fffd}".to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

#[test]
fn hostile_names_keep_report_html_as_it_is_and_read_as_written() {
    let corpus = hostile::corpus();
    let plain: Vec<String> = (0..corpus.len()).map(|i| format!("Team {i}")).collect();
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    let plain_page = read(&audit_and_plan(&plain).path().join("audit/report.html"));
    let hostile_run = audit_and_plan(&corpus);
    let hostile_page = read(&hostile_run.path().join("audit/report.html"));

    // The same elements and attributes, in the same numbers: no name added a tag, a script,
    // an image or an event handler.
    let (plain_elements, plain_attributes) = html_structure(&plain_page);
    let (hostile_elements, hostile_attributes) = html_structure(&hostile_page);
    assert_eq!(hostile_elements, plain_elements);
    assert_eq!(hostile_attributes, plain_attributes);
    assert!(!hostile_elements.contains_key("script"));
    assert!(!hostile_attributes.keys().any(|name| name.starts_with("on")));

    // Each department, as the findings name it, is on the page as text, escaped.
    for name in departments_found(&hostile_run) {
        let shown = as_page_text(&name);
        assert!(
            hostile_page.contains(&format!(">{shown}<")),
            "{name:?} is not on the page as {shown:?}"
        );
    }
}

#[test]
fn hostile_names_stay_exact_text_in_report_xlsx() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let corpus = hostile::corpus();
    let run = audit_and_plan(&corpus);
    let path = run.path().join("audit/report.xlsx");
    let mut workbook: Xlsx<_> = open_workbook(&path).expect("report.xlsx");
    let mut texts = Vec::new();
    for name in workbook.sheet_names() {
        let formulas = workbook.worksheet_formula(&name).expect("formulas");
        let formula = formulas.used_cells().find(|(_, _, text)| !text.is_empty());
        assert_eq!(formula, None, "sheet {name} holds a formula");
        let cells = workbook.worksheet_range(&name).expect("cells");
        texts.extend(cells.used_cells().filter_map(|(_, _, cell)| match cell {
            Data::String(text) => Some(text.clone()),
            _ => None,
        }));
    }
    // Every department reads back exactly as the findings name it, whatever it starts with:
    // text cells, never formulas or numbers.
    let departments = departments_found(&run);
    assert!(departments.len() > corpus.len() / 2, "{departments:?}");
    for name in departments {
        assert!(
            texts.contains(&name),
            "{name:?} is not a text cell of the workbook"
        );
    }
}
