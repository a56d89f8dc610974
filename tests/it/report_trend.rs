//! History in the finance report: three recorded months of a changing generated tenant (the
//! history tests' months), reported with `--history`. The page's trend chart has a dot per
//! month and series, its What-changed figures are `history diff --json`'s, the workbook's
//! Trend sheet holds one row per month with each month's findings.json summary, and an audit
//! recorded with `--history` shows the trend and the changes by itself.

use crate::history::{document, three_months};
use crate::util::{copy_dir, seatwise, stderr, stdout};
use calamine::{Data, Reader, Xlsx, open_workbook};
use seatwise::analyze::FindingKind;
use seatwise::history::{self, Month};
use seatwise::money::Money;
use seatwise::report::workbook::SheetName;
use serde_json::Value;
use std::path::Path;

fn month(text: &str) -> Month {
    Month::parse(text).expect("month")
}

/// The `<svg>` element with `id`.
fn svg<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<svg id=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = page[start..].find("</svg>").expect("closed") + start;
    &page[start..end]
}

/// The text of the headline-style figure `data-figure="name"`.
fn figure(page: &str, name: &str) -> i64 {
    let marker = format!("data-figure=\"{name}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no figure {name}"))
        + marker.len();
    let end = page[start..].find('<').expect("closed") + start;
    page[start..end]
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{name}: not a count"))
}

/// The body rows of the table `id`, as the text of their cells.
fn table_rows(page: &str, id: &str) -> Vec<Vec<String>> {
    let start = page
        .find(&format!("<table id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let table = &page[start..page[start..].find("</table>").expect("closed") + start];
    let body = &table[table.find("<tbody>").expect("body")..table.find("</tbody>").expect("body")];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let text = &cell[cell.find('>').expect("cell") + 1..];
                    text[..text.find('<').unwrap_or(text.len())].to_string()
                })
                .collect()
        })
        .collect()
}

fn cents(cell: &Data) -> i64 {
    match cell {
        Data::Float(value) => (value * 100.0).round() as i64,
        Data::Int(value) => value * 100,
        other => panic!("not money: {other:?}"),
    }
}

fn whole(cell: &Data) -> i64 {
    match cell {
        Data::Float(value) => *value as i64,
        Data::Int(value) => *value,
        other => panic!("not a count: {other:?}"),
    }
}

/// A sheet's header and rows.
fn sheet(path: &Path, name: SheetName) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("open the workbook");
    let range = workbook
        .worksheet_range(name.as_str())
        .expect("the sheet exists");
    let mut rows = range.rows().map(<[Data]>::to_vec);
    let headers = rows
        .next()
        .expect("a header")
        .iter()
        .map(|cell| cell.to_string())
        .collect();
    (headers, rows.collect())
}

fn column(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|header| header == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {headers:?}"))
}

fn json_count(value: &Value) -> i64 {
    value.as_i64().expect("a count")
}

fn json_money(value: &Value) -> Money {
    Money::parse(value.to_string().trim_start_matches('-')).map_or_else(
        |problem| panic!("{problem}"),
        |amount| {
            if value.to_string().starts_with('-') {
                Money(-amount.0)
            } else {
                amount
            }
        },
    )
}

/// The page's What-changed figures are those of `diff` (`history diff --json`).
fn assert_changes_match(page: &str, diff: &Value) {
    let totals = &diff["totals"];
    for (name, key) in [
        ("changes-new", "new"),
        ("changes-resolved", "resolved"),
        ("changes-persisting", "persisting"),
        ("changes-returned", "returned"),
        ("changes-seats-bought", "seats_bought"),
        ("changes-seats-cut", "seats_cut"),
    ] {
        assert_eq!(figure(page, name), json_count(&totals[key]), "{name}");
    }
    let money_rows = table_rows(page, "changes-money-table");
    assert_eq!(money_rows.len(), 3);
    for (row, key) in
        money_rows
            .iter()
            .zip(["monthly_cost", "monthly_savings", "monthly_cost_to_comply"])
    {
        assert_eq!(
            row[1],
            json_money(&diff["money"][key]["from"]).grouped(),
            "{key}"
        );
        assert_eq!(
            row[2],
            json_money(&diff["money"][key]["to"]).grouped(),
            "{key}"
        );
        let change = json_money(&diff["money"][key]["change"]);
        assert_eq!(row[3].trim_start_matches('+'), change.grouped(), "{key}");
    }
    let resolved_by = totals["resolved_by"].as_object().expect("map");
    if resolved_by.is_empty() {
        assert!(!page.contains("<table id=\"changes-resolved-table\""));
    } else {
        let rows = table_rows(page, "changes-resolved-table");
        assert_eq!(rows.len(), resolved_by.len());
        for row in &rows {
            assert_eq!(
                row[1].replace(',', "").parse::<i64>().expect("count"),
                json_count(&resolved_by[&row[0]]),
                "{row:?}"
            );
        }
    }
    let seats = diff["seats"].as_array().expect("seats");
    if !seats.is_empty() {
        assert_eq!(table_rows(page, "changes-seats-table").len(), seats.len());
    }
}

#[test]
fn a_report_with_history_shows_the_trend_and_what_changed() {
    let months = three_months();
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("report");
    let root = months.root.to_str().expect("path");
    let output = seatwise(&[
        "report",
        months.audits[2].to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--history",
        root,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join("report.html")).expect("page");
    let summaries: Vec<_> = months
        .audits
        .iter()
        .map(|audit| document(audit).summary)
        .collect();

    // The trend chart: a line per amount with one dot per recorded month.
    let chart = svg(&page, "trend-chart");
    assert!(chart.contains("<title"), "alt text");
    assert!(chart.contains("<text"), "labels are SVG text");
    assert!(chart.contains("USD per month"), "currency on the axis");
    for colour in ["#0072B2", "#E69F00", "#D55E00"] {
        let dots = chart
            .match_indices("<circle")
            .filter(|(start, _)| {
                let tag = &chart[*start..];
                tag[..tag.find('>').expect("tag")].contains(&format!("fill=\"{colour}\""))
            })
            .count();
        assert_eq!(dots, 3, "{colour}: one dot per month");
    }
    for label in ["Sep", "Oct", "Nov"] {
        assert!(chart.contains(label), "{label} on the month axis");
    }
    let trend_rows = table_rows(&page, "trend-table");
    assert_eq!(trend_rows.len(), 3, "one row per month");
    for (row, summary) in trend_rows.iter().zip(&summaries) {
        assert_eq!(row[2], summary.monthly_cost.grouped(), "{row:?}");
        assert_eq!(row[3], summary.monthly_savings.grouped(), "{row:?}");
        assert_eq!(row[4], summary.monthly_cost_to_comply.grouped(), "{row:?}");
    }

    // What changed: the figures `history diff --json` gives for the last two months.
    let diff: Value = serde_json::from_str(&stdout(&seatwise(&[
        "history", "diff", "--root", root, "--json",
    ])))
    .expect("diff json");
    assert!(page.contains("What changed since 2026-10"));
    let totals = &diff["totals"];
    assert!(
        json_count(&totals["returned"]) > 0,
        "the tenant's reclaimed license returns in the last month"
    );
    assert_changes_match(&page, &diff);

    // The month before, reported alone, compares September with October.
    let october = temp.path().join("october");
    let output = seatwise(&[
        "report",
        months.audits[1].to_str().expect("path"),
        "--out",
        october.to_str().expect("path"),
        "--history",
        root,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let october_page = std::fs::read_to_string(october.join("report.html")).expect("page");
    let october_diff: Value = serde_json::from_str(&stdout(&seatwise(&[
        "history", "diff", "--root", root, "--from", "2026-09", "--to", "2026-10", "--json",
    ])))
    .expect("diff json");
    assert!(october_page.contains("What changed since 2026-09"));
    assert!(
        json_count(&october_diff["totals"]["resolved"]) > 0,
        "findings are resolved in October"
    );
    assert_eq!(table_rows(&october_page, "trend-table").len(), 2);
    assert_changes_match(&october_page, &october_diff);

    // The workbook: one Trend row per month, money as numbers equal to findings.json's.
    let workbook = out.join("report.xlsx");
    let (headers, rows) = sheet(&workbook, SheetName::Trend);
    assert_eq!(rows.len(), 3, "one row per month");
    let cost = column(&headers, "Monthly cost (USD)");
    let savings = column(&headers, "Savings available (USD)");
    let comply = column(&headers, "Cost to comply (USD)");
    let findings = column(&headers, "Findings");
    let idle_kind = column(&headers, FindingKind::IdleSeats.as_str());
    for (row, summary) in rows.iter().zip(&summaries) {
        assert!(
            matches!(row[column(&headers, "Month")], Data::DateTime(_)),
            "the month is a date: {:?}",
            row[0]
        );
        assert!(matches!(row[column(&headers, "As of")], Data::DateTime(_)));
        assert_eq!(cents(&row[cost]), summary.monthly_cost.cents());
        assert_eq!(cents(&row[savings]), summary.monthly_savings.cents());
        assert_eq!(cents(&row[comply]), summary.monthly_cost_to_comply.cents());
        assert_eq!(
            whole(&row[findings]),
            i64::try_from(summary.findings.values().sum::<usize>()).expect("count")
        );
        assert_eq!(
            whole(&row[idle_kind]),
            i64::try_from(summary.findings[&FindingKind::IdleSeats]).expect("count")
        );
    }
    let (_, changes) = sheet(&workbook, SheetName::Changes);
    let count_of = |label: &str| {
        changes
            .iter()
            .find(|row| row[0] == label)
            .map(|row| whole(&row[1]))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(count_of("New findings"), json_count(&totals["new"]));
    assert_eq!(
        count_of("Resolved findings"),
        json_count(&totals["resolved"])
    );
    assert_eq!(
        count_of("Returned licenses"),
        json_count(&totals["returned"])
    );

    // The library's trend stops at the month asked for and agrees with the manifests.
    let trend = history::trend(&months.root, month("2026-10")).expect("trend");
    assert_eq!(
        trend.months.iter().map(|m| m.month).collect::<Vec<_>>(),
        vec![month("2026-09"), month("2026-10")]
    );
    assert_eq!(trend.months[1].monthly_cost, summaries[1].monthly_cost);
    assert!(trend.months[1].seats.purchased >= trend.months[1].seats.idle);

    // `history trend --json` is the same model, up to the latest month by default.
    let json: Value = serde_json::from_str(&stdout(&seatwise(&[
        "history", "trend", "--root", root, "--json",
    ])))
    .expect("trend json");
    let listed = json["months"].as_array().expect("months");
    assert_eq!(listed.len(), 3);
    for (entry, summary) in listed.iter().zip(&summaries) {
        assert_eq!(json_money(&entry["monthly_cost"]), summary.monthly_cost);
        assert_eq!(
            json_money(&entry["monthly_savings"]),
            summary.monthly_savings
        );
    }
    let text = stdout(&seatwise(&["history", "trend", "--root", root]));
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn an_audit_recorded_in_history_reports_its_trend_and_changes() {
    let months = three_months();
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        months.snapshots[2].to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        &format!("--history={}", months.root.display()),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("history: replaced 2026-11"));
    let page = std::fs::read_to_string(out.join("report.html")).expect("page");
    assert!(page.contains("<svg id=\"trend-chart\""));
    assert!(page.contains("What changed since 2026-10"));
    let summary = std::fs::read_to_string(out.join("summary.md")).expect("summary");
    assert!(
        summary.contains("## What changed since 2026-10"),
        "{summary}"
    );
    let (_, rows) = sheet(&out.join("report.xlsx"), SheetName::Trend);
    assert_eq!(rows.len(), 3);

    // The first month alone has a trend but nothing to compare with.
    let first = temp.path().join("first");
    let output = seatwise(&[
        "report",
        months.audits[0].to_str().expect("path"),
        "--out",
        first.to_str().expect("path"),
        "--history",
        months.root.to_str().expect("path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(first.join("report.html")).expect("page");
    assert_eq!(svg(&page, "trend-chart").matches("<circle").count(), 3);
    assert!(page.contains("Nothing to compare"));

    // Without history: no trend section, and the sheets say why they are empty.
    let plain = temp.path().join("plain");
    let output = seatwise(&[
        "report",
        months.audits[2].to_str().expect("path"),
        "--out",
        plain.to_str().expect("path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(plain.join("report.html")).expect("page");
    assert!(!page.contains("id=\"trend\""));
    assert!(!page.contains("id=\"changes\""));
    let (_, rows) = sheet(&plain.join("report.xlsx"), SheetName::Trend);
    assert_eq!(rows.len(), 1);
    assert!(rows[0][0].to_string().starts_with("No history was given"));
}

#[test]
fn a_history_of_another_tenant_is_refused() {
    let months = three_months();
    let temp = tempfile::tempdir().expect("temp dir");
    let other = temp.path().join("other");
    crate::util::write_small_snapshot(&other);
    let audit = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        other.to_str().expect("path"),
        "--out",
        audit.to_str().expect("path"),
        "--no-report",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = seatwise(&[
        "report",
        audit.to_str().expect("path"),
        "--out",
        temp.path().join("report").to_str().expect("path"),
        "--history",
        months.root.to_str().expect("path"),
    ]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("manifest.json"), "{message}");
}

#[test]
fn a_redacted_report_with_history_names_nobody() {
    let months = three_months();
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("redacted");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args([
            "report",
            months.audits[2].to_str().expect("path"),
            "--out",
            out.to_str().expect("path"),
            "--redact",
            "--history",
            months.root.to_str().expect("path"),
        ])
        .env("SEATWISE_REDACT_KEY", "0123456789abcdef0123456789abcdef")
        .output()
        .expect("run seatwise");
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join("report.html")).expect("page");
    assert!(page.contains("What changed since 2026-10"));
    let names: Vec<String> = months
        .audits
        .iter()
        .flat_map(|audit| document(audit).findings)
        .filter_map(|finding| finding.user_principal_name)
        .collect();
    assert!(!names.is_empty());
    for name in &names {
        assert!(!page.contains(name.as_str()), "{name} on the redacted page");
    }
}

#[test]
fn the_trend_holds_the_last_twelve_months_up_to_the_month_asked_for() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = temp.path().join("snapshot");
    crate::util::write_small_snapshot(&snapshot);
    let audit = temp.path().join("audit");
    let root = temp.path().join("history");
    let output = seatwise(&[
        "audit",
        snapshot.to_str().expect("path"),
        "--out",
        audit.to_str().expect("path"),
        "--no-report",
        &format!("--history={}", root.display()),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Fourteen months: the recorded 2026-11 copied under the thirteen before it.
    let recorded = root.join("month=2026-11");
    let manifest = std::fs::read_to_string(recorded.join("manifest.json")).expect("manifest");
    let mut earlier = Month::parse("2026-11").expect("month");
    for _ in 0..13 {
        earlier = if earlier.month == 1 {
            Month {
                year: earlier.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: earlier.year,
                month: earlier.month - 1,
            }
        };
        let folder = root.join(earlier.folder_name());
        copy_dir(&recorded, &folder);
        std::fs::write(
            folder.join("manifest.json"),
            manifest.replace(
                "\"month\": \"2026-11\"",
                &format!("\"month\": \"{earlier}\""),
            ),
        )
        .expect("manifest");
    }
    assert_eq!(history::list(&root).expect("list").len(), 14);

    let trend = history::trend(&root, month("2026-11")).expect("trend");
    assert_eq!(trend.months.len(), history::trend::TREND_MONTHS);
    assert_eq!(trend.months[0].month, month("2025-12"));
    assert_eq!(
        trend.latest().map(|latest| latest.month),
        Some(month("2026-11"))
    );
    let summary = document(&audit).summary;
    for entry in &trend.months {
        assert_eq!(entry.monthly_cost, summary.monthly_cost);
        assert_eq!(
            entry.total_findings,
            summary.findings.values().sum::<usize>()
        );
    }
    // Up to 2026-03 the history holds six months, from its first, 2025-10.
    let earlier = history::trend(&root, month("2026-03")).expect("trend");
    assert_eq!(earlier.months.len(), 6);
    assert_eq!(earlier.months[0].month, month("2025-10"));
    assert_eq!(
        earlier.latest().map(|latest| latest.month),
        Some(month("2026-03"))
    );
    assert!(
        history::trend(&root, month("2024-01"))
            .expect("trend")
            .months
            .is_empty()
    );

    // The report of the audit shows twelve months and the changes since 2026-10.
    let out = temp.path().join("report");
    let output = seatwise(&[
        "report",
        audit.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--history",
        root.to_str().expect("path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join("report.html")).expect("page");
    assert_eq!(table_rows(&page, "trend-table").len(), 12);
    assert_eq!(svg(&page, "trend-chart").matches("<circle").count(), 36);
    assert!(page.contains("What changed since 2026-10"));
    assert_eq!(
        figure(&page, "changes-new"),
        0,
        "the same month copied: nothing new"
    );
}
