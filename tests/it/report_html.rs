//! `report.html` read as a reader would: its headline figures are the findings', chargeback
//! adds up to the monthly cost, hostile tenant text arrives escaped, unknown figures read
//! `unknown`, and `seatwise report` writes the page where asked and names what it cannot read.

use crate::report::{audit, write_tenant};
use crate::util::{seatwise, stderr, stdout};
use seatwise::analyze::FindingKind;
use seatwise::contract::findings::{self, FindingsDocument};
use seatwise::money::Money;
use seatwise::report::html;
use seatwise::report::{ReportOptions, UserAttribute};
use std::path::{Path, PathBuf};

/// The text of the element carrying `data-figure="name"`.
pub(crate) fn figure(page: &str, name: &str) -> Option<String> {
    let marker = format!("data-figure=\"{name}\">");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('<')? + start;
    Some(page[start..end].to_string())
}

/// The body rows of the table `id`, each cell's text with inner tags dropped.
pub(crate) fn table_rows(page: &str, id: &str, part: &str) -> Vec<Vec<String>> {
    let marker = format!("<table id=\"{id}\">");
    let Some(start) = page.find(&marker) else {
        return Vec::new();
    };
    let table = &page[start..];
    let table = &table[..table.find("</table>").unwrap_or(table.len())];
    let (open, close) = (format!("<{part}>"), format!("</{part}>"));
    let Some(body_start) = table.find(&open) else {
        return Vec::new();
    };
    let body = &table[body_start + open.len()..];
    let body = &body[..body.find(&close).unwrap_or(body.len())];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').map_or(0, |at| at + 1)..];
                    let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
                    strip_tags(inner)
                })
                .collect()
        })
        .collect()
}

pub(crate) fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for character in text.chars() {
        match character {
            '<' => in_tag = true,
            '>' => in_tag = false,
            other if !in_tag => out.push(other),
            _ => {}
        }
    }
    out
}

/// `8,983.00` read back as money.
pub(crate) fn page_money(text: &str) -> Money {
    Money::parse(&text.replace(',', "")).unwrap_or_else(|error| panic!("{text:?}: {error}"))
}

/// An audit of `data/sample` written by the binary into a temporary folder.
pub(crate) fn sample_audit() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let output = seatwise(&[
        "audit",
        sample.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    (temp, out)
}

/// The headline figures of `page` against `findings.json`'s summary.
pub(crate) fn assert_headline_matches(page: &str, document: &FindingsDocument) {
    let summary = &document.summary;
    let expect = |name: &str, amount: Money| {
        assert_eq!(
            figure(page, name).as_deref(),
            Some(amount.grouped().as_str()),
            "{name}"
        );
    };
    expect("monthly-cost", summary.monthly_cost);
    expect("yearly-cost", summary.monthly_cost.times(12));
    expect("monthly-savings", summary.monthly_savings);
    expect("yearly-savings", summary.monthly_savings.times(12));
    expect("monthly-cost-to-comply", summary.monthly_cost_to_comply);
    expect(
        "yearly-cost-to-comply",
        summary.monthly_cost_to_comply.times(12),
    );
    assert_eq!(
        figure(page, "users").map(|text| text.replace(',', "")),
        Some(summary.users.to_string())
    );
    let per_kind = table_rows(page, "findings-by-kind", "tbody");
    assert_eq!(per_kind.len(), FindingKind::ALL.len());
    for row in per_kind {
        let kind = FindingKind::parse(&row[0]).expect("a kind");
        assert_eq!(
            Some(row[1].replace(',', "")),
            summary.findings.get(&kind).map(ToString::to_string),
            "{kind}"
        );
    }
}

#[test]
fn the_sample_page_states_the_findings_and_its_chargeback_adds_up() {
    let (_temp, out) = sample_audit();
    let page = std::fs::read_to_string(out.join(html::FILE_NAME)).expect("report.html");
    let (document, _) = findings::read(&out.join("findings.json")).expect("findings.json");
    assert_headline_matches(&page, &document);

    // The sample's prices are whole cents, so the rounded rows add up exactly.
    let groups = table_rows(&page, "chargeback-table", "tbody");
    assert!(groups.len() > 3, "{groups:?}");
    assert!(
        groups.iter().any(|row| row[0] == "Unassigned"),
        "{groups:?}"
    );
    let charged: Money = groups.iter().map(|row| page_money(&row[5])).sum();
    let footer = table_rows(&page, "chargeback-table", "tfoot");
    assert_eq!(footer[0][0], "Tenant overhead (idle seats)");
    assert_eq!(footer[1][0], "Monthly cost");
    let overhead = page_money(&footer[0][5]);
    assert_eq!(page_money(&footer[1][5]), document.summary.monthly_cost);
    assert_eq!(charged + overhead, document.summary.monthly_cost);
    // The overhead is the idle seats the findings price.
    let idle: Money = document
        .findings
        .iter()
        .filter(|finding| finding.kind == FindingKind::IdleSeats)
        .map(|finding| finding.monthly_amount)
        .sum();
    assert_eq!(overhead, idle);

    // Every section, in order, and the 25 largest savings.
    let order: Vec<usize> = [
        "id=\"headline\"",
        "id=\"skus\"",
        "id=\"chargeback\"",
        "id=\"idle-seats\"",
        "id=\"top-savings\"",
        "id=\"unlicensed\"",
        "id=\"data-quality\"",
        "id=\"method\"",
    ]
    .iter()
    .map(|marker| page.find(marker).unwrap_or_else(|| panic!("{marker}")))
    .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{order:?}");
    assert_eq!(table_rows(&page, "top-savings-table", "tbody").len(), 25);
    for chart in [
        "chart-cost-by-sku",
        "chart-utilisation",
        "chart-waste-by-group",
        "chart-launches-by-week",
        "chart-users-by-apps",
    ] {
        assert!(page.contains(&format!("<svg id=\"{chart}\"")), "{chart}");
    }
    assert!(
        !page.contains("No data"),
        "the sample has data for every chart"
    );
    // Self-contained: no script, nothing fetched.
    for forbidden in [
        "<script", "src=", "href=", "url(", "http://", "https://", "@import",
    ] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
}

/// Writes the small tenant with hostile text in its departments and names.
fn write_hostile_tenant(dir: &Path) {
    write_tenant(dir, true);
    let users_path = dir.join("users.json");
    let users = std::fs::read_to_string(&users_path).expect("users.json");
    let hostile = users
        .replace(
            r#""department":"Finance""#,
            r#""department":"<script>alert(1)</script>""#,
        )
        .replace(
            r#""department":"Sales""#,
            r#""department":"\"><img src=x onerror=alert(1)>""#,
        )
        .replace(
            r#""displayName":"Bob""#,
            r#""displayName":"Bob \u202Efdp.exe & 'co'""#,
        );
    assert_ne!(hostile, users, "the tenant was changed");
    std::fs::write(&users_path, hostile).expect("write users.json");
}

#[test]
fn hostile_tenant_text_is_escaped_everywhere_in_the_page() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = temp.path().join("snapshot");
    write_hostile_tenant(&snapshot);
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        snapshot.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join(html::FILE_NAME)).expect("report.html");
    assert!(!page.contains("<script"), "no script element");
    assert!(!page.contains("<img"), "no image element");
    assert!(!page.contains('\u{202E}'), "no right-to-left override");
    // In tables, in chart labels (plotters' SVG text) and in chart titles alike.
    assert!(
        page.matches("&lt;script&gt;alert(1)&lt;/script&gt;")
            .count()
            >= 3,
        "the department shows as text in the tables and the waste chart"
    );
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\n</text>")
            || page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</text>"),
        "a chart label"
    );
    assert!(
        page.contains("Bob �fdp.exe &amp; &#39;co&#39;"),
        "the display name"
    );
}

#[test]
fn an_unknown_figure_reads_unknown_on_the_page() {
    let audited = audit(false, &ReportOptions::default());
    let page = html::render(&audited.model).expect("page");
    assert_eq!(figure(&page, "seats-active").as_deref(), Some("unknown"));
    assert!(page.contains("class=\"value unknown\" data-figure=\"seats-active\""));
    let skus = table_rows(&page, "sku-table", "tbody");
    assert!(skus.iter().all(|row| row[5] == "unknown"), "{skus:?}");
    let groups = table_rows(&page, "chargeback-table", "tbody");
    assert!(groups.iter().all(|row| row[3] == "unknown"), "{groups:?}");
    assert!(page.contains("sign-in activity is unknown"));

    // With activity, the same cells hold numbers.
    let known = audit(true, &ReportOptions::default());
    let page = html::render(&known.model).expect("page");
    assert_eq!(figure(&page, "seats-active").as_deref(), Some("5"));
}

#[test]
fn the_small_tenant_page_holds_its_rows_and_an_empty_chart_says_so() {
    let audited = audit(true, &ReportOptions::default());
    let page = std::fs::read_to_string(audited.out.join(html::FILE_NAME)).expect("report.html");
    assert_eq!(page, html::render(&audited.model).expect("page"));
    let groups = table_rows(&page, "chargeback-table", "tbody");
    let names: Vec<&str> = groups.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(names, ["Finance", "Sales", "Unassigned"]);
    let footer = table_rows(&page, "chargeback-table", "tfoot");
    assert_eq!(
        (footer[0][5].as_str(), footer[1][5].as_str()),
        ("212.25", "504.50")
    );
    let idle = table_rows(&page, "idle-seat-table", "tbody");
    assert_eq!(
        idle.iter()
            .map(|row| (row[0].as_str(), row[3].as_str(), row[5].as_str()))
            .collect::<Vec<_>>(),
        [
            ("Microsoft 365 E5SPE_E5", "2", "120.00"),
            ("Microsoft 365 E3SPE_E3", "2", "72.25"),
            ("Power Apps PremiumPOWERAPPS_PER_USER", "1", "20.00"),
        ]
    );
    let top = table_rows(&page, "top-savings-table", "tbody");
    assert_eq!(
        top[2][1..6],
        [
            "Bobbob@contoso.com",
            "Unassigned",
            "SPE_E5",
            "never signed in",
            "never signed in"
        ]
    );
    assert_eq!(
        top[4][1..6],
        [
            "Cycy@contoso.com",
            "Finance",
            "SPE_E3",
            "no sign-in in the window",
            "2026-05-01"
        ]
    );
    assert_eq!(top[0][5], "unknown", "idle seats: since when is not known");
    let unlicensed = table_rows(&page, "unlicensed-users-table", "tbody");
    assert_eq!(
        unlicensed,
        [[
            "Bobbob@contoso.com",
            "Unassigned",
            "1",
            "2026-10-22",
            "POWERAPPS_PER_USER",
            "20.00"
        ]]
    );

    // Without an app inventory nothing tells premium use: its charts say there is no data.
    let mut model = audited.model.clone();
    model
        .premium_use
        .launches_by_week
        .iter_mut()
        .for_each(|week| {
            week.licensed = 0;
            week.unlicensed = 0;
            week.outside_directory = 0;
        });
    model.premium_use.by_apps_used.clear();
    let page = html::render(&model).expect("page");
    assert!(!page.contains("id=\"chart-launches-by-week\""));
    assert!(page.contains("No data: no premium app was launched in the window"));
    assert!(page.contains("No data: no directory user opened a premium app in the window"));
    assert!(
        page.contains("<svg id=\"chart-cost-by-sku\""),
        "the other charts stay"
    );
}

#[test]
fn seatwise_report_writes_the_page_by_any_attribute_where_asked() {
    let audited = audit(true, &ReportOptions::default());
    let elsewhere = audited.out.with_file_name("finance");
    let output = seatwise(&[
        "report",
        audited.out.to_str().expect("utf-8 path"),
        "--by",
        "costCenter",
        "--out",
        elsewhere.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let written = elsewhere.join(html::FILE_NAME);
    assert_eq!(
        stdout(&output),
        format!(
            "wrote {}\nwrote {}\n",
            written.display(),
            elsewhere.join("report.xlsx").display()
        )
    );
    let page = std::fs::read_to_string(&written).expect("report.html");
    assert!(
        page.contains("<h2>Chargeback by cost center</h2>"),
        "{page}"
    );
    let groups = table_rows(&page, "chargeback-table", "tbody");
    let names: Vec<&str> = groups.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(names, ["CC-1100", "Unassigned", "CC-4100"]);
    let mut leftovers: Vec<String> = std::fs::read_dir(&elsewhere)
        .expect("list")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        [html::FILE_NAME, "report.xlsx"],
        "nothing but the report"
    );

    // Without --out, into the audit folder, replacing the audit's page by the same page.
    let before = std::fs::read_to_string(audited.out.join(html::FILE_NAME)).expect("page");
    let output = seatwise(&["report", audited.out.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let after = std::fs::read_to_string(audited.out.join(html::FILE_NAME)).expect("page");
    assert_eq!(after, before);
}

#[test]
fn seatwise_report_names_what_it_cannot_use() {
    let audited = audit(true, &ReportOptions::default());
    let folder = audited.out.to_str().expect("utf-8 path");

    let output = seatwise(&["report", folder, "--by", "jobTitle"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--by \"jobTitle\" is not a chargeback attribute"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains(UserAttribute::CostCenter.graph_name()),
        "{}",
        stderr(&output)
    );

    let missing = audited.out.with_file_name("no-such-audit");
    let output = seatwise(&["report", missing.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&missing.join("findings.json").display().to_string()),
        "{}",
        stderr(&output)
    );

    // A table that is no Parquet file is the input's fault, named, not a bug.
    std::fs::write(audited.out.join("skus.parquet"), "not parquet").expect("damage");
    let output = seatwise(&["report", folder]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("skus.parquet: not a readable Parquet table"),
        "{}",
        stderr(&output)
    );

    // An --out that is a file cannot hold the page.
    let file = audited.out.with_file_name("a-file");
    std::fs::write(&file, "x").expect("file");
    let audited = audit(true, &ReportOptions::default());
    let output = seatwise(&[
        "report",
        audited.out.to_str().expect("utf-8 path"),
        "--out",
        file.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&file.display().to_string()),
        "{}",
        stderr(&output)
    );
}

#[test]
fn audit_no_report_leaves_the_page_out() {
    let audited = audit(true, &ReportOptions::default());
    let out = audited.out.with_file_name("without-page");
    let output = seatwise(&[
        "audit",
        audited.snapshot.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
        "--no-report",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.join("findings.json").is_file());
    assert!(!out.join(html::FILE_NAME).exists());
}

#[test]
fn without_an_app_inventory_the_premium_charts_say_use_is_unknown() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = temp.path().join("snapshot");
    write_tenant(&snapshot, true);
    std::fs::remove_file(snapshot.join("apps.csv")).expect("remove the inventory");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        snapshot.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join(html::FILE_NAME)).expect("report.html");
    assert!(
        page.contains("<p class=\"no-data\">Premium use is unknown: "),
        "{page}"
    );
    assert!(page.contains(
        "No data: no launch of an app known to be premium was seen (premium use is unknown)"
    ));
    assert!(!page.contains("id=\"chart-launches-by-week\""));
    assert!(!page.contains("id=\"chart-users-by-apps\""));
    assert_eq!(
        figure(&page, "premium-holders-using").as_deref(),
        Some("unknown")
    );
}
