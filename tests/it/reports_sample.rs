//! `reports/sample/` is what the current code writes for `data/sample`: the page's text and
//! the workbook's cells are compared with a fresh audit (values, not bytes: a workbook carries
//! timestamps, and a screenshot varies with fonts). When this fails, regenerate the folder
//! with `bash reports/regenerate-sample.sh` and review the difference.

use super::report_html::strip_tags;
use super::util::stderr;
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::Path;

const REGENERATE: &str =
    "reports/sample/ is out of date: run `bash reports/regenerate-sample.sh` and commit the result";

/// The visible text of a page: tags removed, white space collapsed, one line per block.
fn page_text(path: &Path) -> Vec<String> {
    let page =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    strip_tags(&page)
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect()
}

/// Every sheet of a workbook: its name and its cells, row by row.
fn workbook_cells(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut workbook: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).expect("a sheet");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn the_committed_sample_report_is_what_the_code_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = root.join("reports/sample");
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    // Run from the repository as the script does, so the page names the snapshot `data/sample`.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .current_dir(root)
        .args(["audit", "data/sample", "--out"])
        .arg(&out)
        .output()
        .expect("run seatwise");
    assert!(output.status.success(), "{}", stderr(&output));

    let fresh = page_text(&out.join("report.html"));
    let kept = page_text(&committed.join("report.html"));
    assert!(fresh.len() > 50, "{} lines of text", fresh.len());
    if let Some((index, (kept, fresh))) = kept
        .iter()
        .zip(&fresh)
        .enumerate()
        .find(|(_, (kept, fresh))| kept != fresh)
    {
        panic!(
            "{REGENERATE}\nreport.html, text line {index}:\n  committed: {kept}\n  now:       {fresh}"
        );
    }
    assert_eq!(
        kept.len(),
        fresh.len(),
        "{REGENERATE} (report.html's length)"
    );

    let fresh = workbook_cells(&out.join("report.xlsx"));
    let kept = workbook_cells(&committed.join("report.xlsx"));
    let names = |sheets: &[(String, Vec<Vec<Data>>)]| -> Vec<String> {
        sheets.iter().map(|(name, _)| name.clone()).collect()
    };
    assert_eq!(names(&kept), names(&fresh), "{REGENERATE} (sheets)");
    for ((name, kept), (_, fresh)) in kept.iter().zip(&fresh) {
        for (row, (kept, fresh)) in kept.iter().zip(fresh).enumerate() {
            assert_eq!(
                kept,
                fresh,
                "{REGENERATE}\nreport.xlsx, sheet {name}, row {}",
                row + 1
            );
        }
        assert_eq!(
            kept.len(),
            fresh.len(),
            "{REGENERATE} (rows of sheet {name})"
        );
    }

    // The screenshot the README shows is a real picture of the page.
    let screenshot = committed.join("report.png");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&screenshot).expect("reports/sample/report.png"),
    ));
    let info = decoder.read_info().expect("a PNG");
    let (width, height) = (info.info().width, info.info().height);
    assert!(width >= 1000 && height >= 1000, "{width}x{height}");
}
