//! `report.xlsx`, read back with calamine and unzipped: the sample's workbook agrees with
//! findings.json cell by cell, hostile tenant text stays text, unknown figures read
//! `unknown`, and a workbook that cannot be written says where.

use crate::util::{copy_dir, seatwise, stderr};
use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use seatwise::analyze::FindingKind;
use seatwise::contract::findings::{FindingsDocument, read as read_findings};
use seatwise::money::Money;
use seatwise::report::workbook::{MAX_CELL_TEXT, SheetName, TRUNCATION_MARKER};
use seatwise::report::{AuditTables, ReportModel, ReportOptions, write_workbook};
use seatwise::support::timestamp::parse_timestamp;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// An audit of `snapshot` and its workbook, in a temporary folder.
struct Audited {
    _temp: tempfile::TempDir,
    out: PathBuf,
    workbook: PathBuf,
    document: FindingsDocument,
    model: ReportModel,
}

fn audit_and_write(snapshot: &Path) -> Audited {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        snapshot.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let model = ReportModel::from_audit_folder(&out, &ReportOptions::default()).expect("model");
    // The audit writes the workbook beside its page.
    let workbook = out.join("report.xlsx");
    assert!(workbook.is_file(), "the audit wrote no report.xlsx");
    let (document, _) = read_findings(&out.join("findings.json")).expect("findings.json");
    Audited {
        _temp: temp,
        out,
        workbook,
        document,
        model,
    }
}

/// One sheet read back: its header row and the rows under it.
struct Sheet {
    headers: Vec<String>,
    rows: Vec<Vec<Data>>,
}

impl Sheet {
    fn read(path: &Path, name: SheetName) -> Sheet {
        let mut workbook: Xlsx<_> = open_workbook(path).expect("open the workbook");
        let range = workbook
            .worksheet_range(name.as_str())
            .expect("read the sheet");
        assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
        let mut rows = range.rows().map(<[Data]>::to_vec);
        let headers = rows
            .next()
            .expect("a header row")
            .iter()
            .map(|cell| match cell {
                Data::String(text) => text.clone(),
                other => panic!("{name}: header {other:?} is not text"),
            })
            .collect();
        Sheet {
            headers,
            rows: rows.collect(),
        }
    }

    fn column(&self, header: &str) -> usize {
        self.headers
            .iter()
            .position(|name| name == header)
            .unwrap_or_else(|| panic!("no column {header:?} in {:?}", self.headers))
    }

    /// The cells of column `header`, row by row.
    fn cells(&self, header: &str) -> Vec<&Data> {
        let column = self.column(header);
        self.rows
            .iter()
            .map(|row| row.get(column).unwrap_or(&Data::Empty))
            .collect()
    }

    /// The row whose cell under `header` is the text `key`.
    fn row_of(&self, header: &str, key: &str) -> &Vec<Data> {
        let column = self.column(header);
        self.rows
            .iter()
            .find(|row| row.get(column) == Some(&Data::String(key.to_string())))
            .unwrap_or_else(|| panic!("no row {key:?} under {header:?}"))
    }

    fn cell<'a>(&self, row: &'a [Data], header: &str) -> &'a Data {
        row.get(self.column(header)).unwrap_or(&Data::Empty)
    }
}

/// A money cell as exact money: the number's shortest decimal text, which is the decimal the
/// workbook wrote (amounts have at most six decimals, far inside a double's precision).
fn money(cell: &Data) -> Money {
    let Data::Float(value) = cell else {
        panic!("{cell:?} is not a number cell");
    };
    let text = value.to_string();
    match text.strip_prefix('-') {
        Some(magnitude) => Money(-Money::parse(magnitude).expect("amount").0),
        None => Money::parse(&text).expect("amount"),
    }
}

fn count(cell: &Data) -> i64 {
    match cell {
        Data::Float(value) if value.fract() == 0.0 => *value as i64,
        other => panic!("{other:?} is not a whole number cell"),
    }
}

fn text(cell: &Data) -> &str {
    match cell {
        Data::String(text) => text,
        other => panic!("{other:?} is not a text cell"),
    }
}

fn sum(cells: &[&Data]) -> Money {
    cells.iter().map(|cell| money(cell)).sum()
}

/// The XML parts of the workbook, by name.
fn parts(path: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).expect("open the workbook");
    let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).expect("entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("utf-8 XML");
            (entry.name().expect("a part name").to_string(), text)
        })
        .collect()
}

fn part(path: &Path, name: &str) -> String {
    parts(path)
        .into_iter()
        .find(|(part, _)| part == name)
        .map(|(_, text)| text)
        .unwrap_or_else(|| panic!("no part {name}"))
}

#[test]
fn the_sample_workbook_agrees_with_findings_json() {
    let audited = audit_and_write(&sample());
    let path = &audited.workbook;
    let document = &audited.document;
    let summary = &document.summary;

    let workbook: Xlsx<_> = open_workbook(path).expect("open the workbook");
    let names: Vec<&str> = SheetName::ALL.iter().map(|name| name.as_str()).collect();
    assert_eq!(workbook.sheet_names(), names);
    for name in names {
        assert!(name.chars().count() <= 31 && !name.contains(['[', ']', ':', '*', '?', '/', '\\']));
    }

    // Summary: the headline figures are findings.json's (which rounds to cents).
    let sheet = Sheet::read(path, SheetName::Summary);
    let per_month = format!("Per month ({})", document.currency);
    let per_year = format!("Per year ({})", document.currency);
    let monthly = |figure: &str| money(sheet.cell(sheet.row_of("Figure", figure), &per_month));
    assert_eq!(
        monthly("What the tenant pays for its purchased seats").rounded_to_cents(),
        summary.monthly_cost
    );
    assert_eq!(
        monthly(
            "Could be saved (inactive holders, unused premium, redundant licenses, idle seats)"
        )
        .rounded_to_cents(),
        summary.monthly_savings
    );
    assert_eq!(
        monthly("Would cost to license unlicensed premium use").rounded_to_cents(),
        summary.monthly_cost_to_comply
    );
    let yearly = money(sheet.cell(
        sheet.row_of("Figure", "What the tenant pays for its purchased seats"),
        &per_year,
    ));
    assert_eq!(yearly, audited.model.headline.yearly_cost);
    let value = |figure: &str| sheet.cell(sheet.row_of("Figure", figure), "Value");
    assert_eq!(count(value("Users")) as usize, summary.users);
    assert_eq!(
        count(value("Holding at least one license")) as usize,
        summary.licensed_users
    );
    for kind in FindingKind::ALL {
        let row = sheet
            .rows
            .iter()
            .find(|row| {
                matches!(sheet.cell(row, "Figure"), Data::String(figure) if figure.starts_with(&format!("{kind}: ")))
            })
            .unwrap_or_else(|| panic!("no Summary row for {kind}"));
        assert_eq!(
            Some(count(sheet.cell(row, "Value")) as usize),
            summary.findings.get(&kind).copied(),
            "{kind}"
        );
        assert_eq!(
            Some(money(sheet.cell(row, &per_month)).rounded_to_cents()),
            summary.monthly_amounts.get(&kind).copied(),
            "{kind}"
        );
    }
    // The method's dates are dates.
    let as_of = value("As-of date")
        .as_datetime()
        .expect("the as-of date is a date cell");
    assert_eq!(as_of.date(), document.as_of);
    assert_eq!(
        value("Window's first day")
            .as_datetime()
            .expect("a date cell")
            .date(),
        document.window_first_day
    );
    assert_eq!(text(value("Currency")), document.currency);

    // Findings: one row per finding, in findings.json's order, amounts exact.
    let sheet = Sheet::read(path, SheetName::Findings);
    assert_eq!(sheet.rows.len(), document.findings.len());
    assert!(!document.findings.is_empty());
    let mut by_kind = std::collections::BTreeMap::<FindingKind, Money>::new();
    for (row, record) in sheet.rows.iter().zip(&document.findings) {
        assert_eq!(text(sheet.cell(row, "Kind")), record.kind.as_str());
        assert_eq!(
            sheet.cell(row, "User principal name"),
            &record
                .user_principal_name
                .clone()
                .map_or(Data::Empty, Data::String)
        );
        assert_eq!(text(sheet.cell(row, "SKU")), record.sku_part_number);
        let amount = money(sheet.cell(row, &per_month));
        assert_eq!(amount.rounded_to_cents(), record.monthly_amount);
        let total = by_kind.entry(record.kind).or_default();
        *total = *total + amount;
        match &record.last_activity {
            Some(at) => {
                let cell = sheet.cell(row, "Last activity (UTC)");
                assert!(matches!(cell, Data::DateTime(_)), "{cell:?}");
                let read = cell.as_datetime().expect("a date and time");
                assert_eq!(
                    read.and_utc().timestamp_millis(),
                    parse_timestamp(at).expect("timestamp")
                );
            }
            None => assert_eq!(sheet.cell(row, "Last activity (UTC)"), &Data::Empty),
        }
        if let Some(seats) = record.seats {
            assert_eq!(count(sheet.cell(row, "Seats")), seats);
        }
    }
    for kind in FindingKind::ALL {
        assert_eq!(
            by_kind
                .get(&kind)
                .copied()
                .unwrap_or_default()
                .rounded_to_cents(),
            summary.monthly_amounts[&kind],
            "{kind}"
        );
    }
    let savings: Money = [
        FindingKind::InactiveHolder,
        FindingKind::UnusedPremium,
        FindingKind::IdleSeats,
    ]
    .iter()
    .filter_map(|kind| by_kind.get(kind).copied())
    .sum();
    assert_eq!(savings.rounded_to_cents(), summary.monthly_savings);
    // Every user finding names its department; the display name comes from the users table.
    let departments = sheet.cells("Department");
    let names = sheet.cells("Display name");
    for ((record, department), name) in document.findings.iter().zip(&departments).zip(&names) {
        if record.user_id.is_some() {
            assert_eq!(
                Some(text(department)),
                record.department.as_deref(),
                "{record:?}"
            );
            assert!(matches!(name, Data::String(_)), "{record:?}");
        } else {
            assert_eq!(**department, Data::Empty);
        }
    }

    // Chargeback: the groups and the overhead add up to the total, the monthly cost.
    let sheet = Sheet::read(path, SheetName::Chargeback);
    let cost = format!("Chargeback per month ({})", document.currency);
    let (total, table) = sheet.rows.split_last().expect("a total row");
    assert_eq!(text(sheet.cell(total, "Department")), "Total");
    let (overhead, groups) = table.split_last().expect("an overhead row");
    assert_eq!(
        text(sheet.cell(overhead, "Department")),
        "Tenant overhead (idle seats)"
    );
    assert_eq!(groups.len(), audited.model.by_attribute.groups.len());
    let charged: Money = groups.iter().map(|row| money(sheet.cell(row, &cost))).sum();
    assert_eq!(
        charged + money(sheet.cell(overhead, &cost)),
        money(sheet.cell(total, &cost))
    );
    assert_eq!(
        money(sheet.cell(total, &cost)).rounded_to_cents(),
        summary.monthly_cost
    );
    assert_eq!(
        groups
            .iter()
            .map(|row| count(sheet.cell(row, "Users")))
            .sum::<i64>(),
        count(sheet.cell(total, "Users"))
    );
    let comply = format!("Cost to comply per month ({})", document.currency);
    assert_eq!(
        groups
            .iter()
            .map(|row| money(sheet.cell(row, &comply)))
            .sum::<Money>(),
        money(sheet.cell(total, &comply))
    );
    if audited
        .model
        .by_attribute
        .groups
        .iter()
        .any(|group| group.name == "Unassigned")
    {
        sheet.row_of("Department", "Unassigned");
    }

    // By SKU: the rows add up to the total row, the monthly cost and the savings.
    let sheet = Sheet::read(path, SheetName::BySku);
    let (total, skus) = sheet.rows.split_last().expect("a total row");
    assert_eq!(text(sheet.cell(total, "SKU")), "Total");
    let sku_cells = |header: &str| -> Vec<&Data> {
        let column = sheet.column(header);
        skus.iter().map(|row| &row[column]).collect()
    };
    assert_eq!(
        sum(&sku_cells(&per_month)),
        money(sheet.cell(total, &per_month))
    );
    assert_eq!(
        money(sheet.cell(total, &per_month)).rounded_to_cents(),
        summary.monthly_cost
    );
    let could_save = format!("Could save ({})", document.currency);
    assert_eq!(
        sum(&sku_cells(&could_save)).rounded_to_cents(),
        summary.monthly_savings
    );
    for cell in sku_cells("Utilisation") {
        assert!(matches!(cell, Data::Float(_) | Data::Empty), "{cell:?}");
    }

    // Idle seats: the SKUs' idle amounts add up to the idle-seats findings.
    let sheet = Sheet::read(path, SheetName::IdleSeats);
    let (total, idle) = sheet.rows.split_last().expect("a total row");
    let column = sheet.column(&per_month);
    let idle_amount: Money = idle.iter().map(|row| money(&row[column])).sum();
    assert_eq!(idle_amount, money(sheet.cell(total, &per_month)));
    assert_eq!(
        idle_amount.rounded_to_cents(),
        summary.monthly_amounts[&FindingKind::IdleSeats]
    );

    // Data quality: the counts are numbers.
    let sheet = Sheet::read(path, SheetName::DataQuality);
    let row = sheet.row_of("Check", "Audit export files");
    assert!(count(sheet.cell(row, "Value")) > 0);

    // Every sheet: a frozen header row, an autofilter over its table, bounded column widths,
    // and no formula anywhere.
    for (name, xml) in parts(path) {
        if !name.starts_with("xl/worksheets/sheet") {
            continue;
        }
        assert!(xml.contains("<autoFilter ref=\"A1:"), "{name}");
        assert!(
            xml.contains("ySplit=\"1\"") && xml.contains("state=\"frozen\""),
            "{name}"
        );
        assert!(xml.contains("<cols>"), "{name}");
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name}");
    }
    // The rebuilt model is the audit folder's.
    assert_eq!(
        ReportModel::from_audit_folder(&audited.out, &ReportOptions::default()).expect("model"),
        audited.model
    );
}

/// A copy of the sample with every user record passed through `edit` (with its index).
fn edited_sample(dir: &Path, edit: impl Fn(usize, &mut serde_json::Map<String, Value>)) {
    copy_dir(&sample(), dir);
    let mut index = 0;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.join("users"))
        .expect("users pages")
        .map(|entry| entry.expect("entry").path())
        .collect();
    pages.sort();
    for page in pages {
        let mut json: Value =
            serde_json::from_slice(&std::fs::read(&page).expect("read page")).expect("json");
        for user in json["value"].as_array_mut().expect("a page of users") {
            edit(index, user.as_object_mut().expect("a user record"));
            index += 1;
        }
        std::fs::write(&page, serde_json::to_vec(&json).expect("json")).expect("write page");
    }
}

const HOSTILE: [&str; 4] = [
    "=HYPERLINK(\"http://x\",\"y\")",
    "+1+1",
    "@SUM(A1)",
    // Text that looks like the XML escapes xlsx uses, and markup.
    "R&D <Lab> _x0041_",
];

#[test]
fn tenant_text_that_looks_like_a_formula_stays_exact_text() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = temp.path().join("snapshot");
    let long_department = format!("{}{}", "L".repeat(MAX_CELL_TEXT), "tail");
    edited_sample(&snapshot, |index, user| {
        let department = match index {
            0 => long_department.clone(),
            _ => HOSTILE[index % HOSTILE.len()].to_string(),
        };
        user.insert("department".into(), Value::String(department));
        if index % 7 == 1 {
            user.insert("displayName".into(), Value::String("-2+3".into()));
        }
    });
    let audited = audit_and_write(&snapshot);
    let path = &audited.workbook;

    // The chargeback groups are the departments, read back exactly, as text.
    let sheet = Sheet::read(path, SheetName::Chargeback);
    for hostile in HOSTILE {
        let row = sheet.row_of("Department", hostile);
        assert_eq!(sheet.cell(row, "Department"), &Data::String(hostile.into()));
    }
    // The long department is cut to a cell, with the marker.
    let cut = sheet
        .cells("Department")
        .into_iter()
        .find_map(|cell| match cell {
            Data::String(text) if text.starts_with("LLL") => Some(text.clone()),
            _ => None,
        })
        .expect("the long department");
    assert!(
        cut.ends_with(TRUNCATION_MARKER),
        "{}",
        &cut[cut.len() - 40..]
    );
    assert_eq!(cut.encode_utf16().count(), MAX_CELL_TEXT);

    // In the findings, the departments and display names are text too.
    let sheet = Sheet::read(path, SheetName::Findings);
    for hostile in HOSTILE {
        let row = sheet.row_of("Department", hostile);
        assert_eq!(sheet.cell(row, "Department"), &Data::String(hostile.into()));
    }
    sheet.row_of("Display name", "-2+3");

    // No formula anywhere, and the formula-like cells carry the quote-prefix style, which
    // keeps them text when someone edits them in Excel.
    for (name, xml) in parts(path) {
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name}");
    }
    let findings_xml = part(path, "xl/worksheets/sheet4.xml");
    let styles = part(path, "xl/styles.xml");
    let cell_formats = styles
        .split("<cellXfs")
        .nth(1)
        .and_then(|rest| rest.split("</cellXfs>").next())
        .expect("cellXfs");
    let formats: Vec<&str> = cell_formats.split("<xf ").skip(1).collect();
    for element in [
        "<t>=HYPERLINK(\"http://x\",\"y\")</t>",
        "<t>+1+1</t>",
        "<t>@SUM(A1)</t>",
        "<t>-2+3</t>",
    ] {
        let at = findings_xml
            .find(element)
            .unwrap_or_else(|| panic!("{element} in the Findings sheet"));
        let cell = &findings_xml[findings_xml[..at].rfind("<c ").expect("its cell")..at];
        assert!(cell.contains("t=\"inlineStr\""), "{cell}");
        let style: usize = cell
            .split("s=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|index| index.parse().ok())
            .unwrap_or_else(|| panic!("a style on {cell}"));
        assert!(
            formats[style].contains("quotePrefix=\"1\""),
            "{cell}: {}",
            formats[style]
        );
    }
}

/// Without sign-in activity, the figures that depend on it read `unknown`, never 0.
#[test]
fn unknown_figures_read_unknown() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = temp.path().join("snapshot");
    edited_sample(&snapshot, |_, user| {
        user.remove("signInActivity");
    });
    let audited = audit_and_write(&snapshot);
    let path = &audited.workbook;
    let unknown = Data::String("unknown".into());

    let sheet = Sheet::read(path, SheetName::Summary);
    let row = sheet.row_of("Figure", "Held by users active in the window");
    assert_eq!(sheet.cell(row, "Value"), &unknown);

    let sheet = Sheet::read(path, SheetName::BySku);
    let (_, skus) = sheet.rows.split_last().expect("a total row");
    assert!(!skus.is_empty());
    for row in skus {
        assert_eq!(sheet.cell(row, "Active holders"), &unknown);
    }

    let sheet = Sheet::read(path, SheetName::Chargeback);
    let groups = &sheet.rows[..sheet.rows.len() - 2];
    assert!(!groups.is_empty());
    for row in groups {
        assert_eq!(sheet.cell(row, "Active users"), &unknown);
    }

    let sheet = Sheet::read(path, SheetName::DataQuality);
    let row = sheet.row_of("Check", "Sign-in activity");
    assert_eq!(sheet.cell(row, "Value"), &unknown);
    assert!(text(sheet.cell(row, "Detail")).contains("signInActivity"));
}

#[test]
fn a_workbook_that_cannot_be_written_names_its_path_and_leaves_nothing_behind() {
    let audited = audit_and_write(&sample());
    let tables = AuditTables::read(&audited.out).expect("tables");

    let missing = audited.out.join("no such folder").join("report.xlsx");
    let error = write_workbook(&missing, &audited.model, &tables)
        .expect_err("no folder to write into")
        .to_string();
    assert!(
        error.starts_with(&format!("{}: writing ", missing.display())),
        "{error}"
    );

    // A folder in the way: the rename fails and the partial file is removed.
    let folder = audited.out.join("finance.xlsx");
    std::fs::create_dir(&folder).expect("a folder in the way");
    std::fs::write(folder.join("keep"), "x").expect("a file in it");
    let error = write_workbook(&folder, &audited.model, &tables)
        .expect_err("a folder in the way")
        .to_string();
    assert!(
        error.starts_with(&format!("{}: writing ", folder.display())),
        "{error}"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&audited.out)
        .expect("read the audit folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.contains("partial"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}
