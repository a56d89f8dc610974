//! The sample's `report.html` in a real browser: headless Chromium takes a screenshot (not
//! blank), dumps the DOM it built (the headline figures are the findings', every chart has
//! marks, nothing outside the page is referenced) and prints the page to PDF (at least one
//! page); a page with history draws its trend chart, a dot per month and line.
//!
//! Chromium is `SEATWISE_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on
//! the PATH. Without one the test says how to install it and returns, unless
//! `SEATWISE_REQUIRE_BROWSER=1` (as in CI), where a missing browser fails it.

use crate::report_html::{assert_headline_matches, sample_audit};
use seatwise::contract::findings;
use seatwise::report::html;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL: &str = "apt-get install chromium fonts-dejavu-core";
/// One Chromium run; a first start on a cold machine takes a few seconds.
const TIMEOUT: Duration = Duration::from_secs(120);

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SEATWISE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Runs Chromium headless on `page` with `action` (one of its output flags); returns stdout.
fn chromium(binary: &Path, profile: &Path, action: &[String], page: &Path) -> Vec<u8> {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(action)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{}: cannot start: {error}", binary.display()));
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).map(|_| bytes)
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).map(|_| bytes)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {action:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out.join().expect("stdout reader").expect("stdout");
    let stderr = err.join().expect("stderr reader").unwrap_or_default();
    assert!(
        status.success(),
        "chromium {action:?} failed ({status}): {}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// The `<svg …>…</svg>` elements of `dom`.
fn svgs(dom: &str) -> Vec<&str> {
    dom.match_indices("<svg")
        .map(|(start, _)| {
            let rest = &dom[start..];
            &rest[..rest
                .find("</svg>")
                .map_or(rest.len(), |end| end + "</svg>".len())]
        })
        .collect()
}

/// The value of `attribute="…"` in an element's opening tag.
fn attribute<'a>(tag: &'a str, attribute: &str) -> Option<&'a str> {
    let marker = format!(" {attribute}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// Filled shapes of `svg` other than white or transparent ones: its data marks.
fn marks(svg: &str) -> usize {
    ["<rect", "<path", "<circle", "<polygon"]
        .iter()
        .flat_map(|element| svg.match_indices(element))
        .filter(|(start, _)| {
            let tag = &svg[*start..];
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            let fill = attribute(tag, "fill").unwrap_or("none");
            !matches!(
                fill.to_ascii_uppercase().as_str(),
                "NONE" | "#FFFFFF" | "WHITE" | "TRANSPARENT"
            ) && attribute(tag, "opacity") != Some("0")
        })
        .count()
}

/// Every reference in `dom` to something to load: `src=`, `href=`, `url(`.
fn external_references(dom: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in ["src=", "href=", "url("] {
        for (start, _) in dom.match_indices(marker) {
            let end = (start + 80).min(dom.len());
            let end = (start..=end)
                .rev()
                .find(|index| dom.is_char_boundary(*index))
                .unwrap_or(start);
            let reference = &dom[start..end];
            // A fragment of the page itself is fine; anything else is not.
            let value = reference[marker.len()..].trim_start_matches(['"', '\'']);
            if !value.starts_with('#') {
                found.push(reference.to_string());
            }
        }
    }
    found
}

fn count_pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let mut pages = 0;
    for marker in ["/Type /Page", "/Type/Page"] {
        pages += text
            .match_indices(marker)
            .filter(|(start, _)| !text[start + marker.len()..].starts_with('s'))
            .count();
    }
    pages
}

#[test]
fn the_sample_page_renders_prints_and_states_the_findings_in_chromium() {
    let Some(binary) = find_chromium() else {
        assert!(
            std::env::var("SEATWISE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "SEATWISE_REQUIRE_BROWSER=1 but no Chromium was found (set SEATWISE_CHROMIUM or install it: {INSTALL})"
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipping the browser test of report.html: no Chromium found (install it with `{INSTALL}`, or set SEATWISE_CHROMIUM)"
        );
        return;
    };
    let (temp, out) = sample_audit();
    let page = out.join(html::FILE_NAME);
    let (document, _) = findings::read(&out.join("findings.json")).expect("findings.json");
    let profile = temp.path().join("chromium-profile");

    // A screenshot that is not blank: many pixels differ from the first.
    let screenshot = temp.path().join("report.png");
    chromium(
        &binary,
        &profile,
        &[format!("--screenshot={}", screenshot.display())],
        &page,
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&screenshot).expect("the screenshot exists"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("buffer size")];
    let frame = reader.next_frame(&mut pixels).expect("a frame");
    let pixels = &pixels[..frame.buffer_size()];
    let channels = frame.color_type.samples();
    assert!(frame.width >= 1000 && frame.height >= 1000, "{frame:?}");
    let first = &pixels[..channels];
    let differing = pixels
        .chunks_exact(channels)
        .filter(|pixel| *pixel != first)
        .count();
    let total = pixels.len() / channels;
    assert!(
        differing * 50 > total,
        "the screenshot is nearly blank: {differing} of {total} pixels differ from the first"
    );
    let colours: std::collections::BTreeSet<&[u8]> = pixels.chunks_exact(channels).collect();
    assert!(colours.len() > 20, "text and charts draw many colours");

    // The DOM Chromium built.
    let dom = String::from_utf8(chromium(
        &binary,
        &profile,
        &["--dump-dom".to_string()],
        &page,
    ))
    .expect("UTF-8 DOM");
    assert_headline_matches(&dom, &document);
    let charts = svgs(&dom);
    assert_eq!(charts.len(), 5, "five charts");
    for svg in &charts {
        let id = attribute(svg, "id").unwrap_or("?");
        assert!(svg.contains("<title"), "{id}: alt text");
        assert!(svg.contains("<text"), "{id}: labels are SVG text");
        assert!(marks(svg) > 0, "{id}: no marks beyond the frame");
    }
    let external = external_references(&dom);
    assert!(external.is_empty(), "outside references: {external:?}");
    assert!(!dom.contains("<script"), "no script");

    // Printed: a PDF of one page or more.
    let pdf = temp.path().join("report.pdf");
    chromium(
        &binary,
        &profile,
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &page,
    );
    let bytes = std::fs::read(&pdf).expect("the PDF exists");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let pages = count_pdf_pages(&bytes);
    assert!(pages >= 1, "{pages} pages");
}

#[test]
fn pdf_pages_and_outside_references_are_told_apart() {
    assert_eq!(
        count_pdf_pages(
            b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page/Parent 1 0 R >>"
        ),
        2
    );
    let found = external_references(
        r##"<a href="#top"></a><img src="x.png"><div style="background:url(a.png)">"##,
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("src=\"x.png\""), "{found:?}");
    assert!(found[1].starts_with("url(a.png)"), "{found:?}");
    assert_eq!(
        marks(r##"<svg><rect fill="#FFFFFF"/><rect fill="#0072B2"/><path fill="none"/></svg>"##),
        1
    );
}

#[test]
fn a_page_with_history_draws_its_trend_in_chromium() {
    let Some(binary) = find_chromium() else {
        assert!(
            std::env::var("SEATWISE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "SEATWISE_REQUIRE_BROWSER=1 but no Chromium was found (set SEATWISE_CHROMIUM or install it: {INSTALL})"
        );
        return;
    };
    let months = crate::history::three_months();
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("report");
    let output = crate::util::seatwise(&[
        "report",
        months.audits[2].to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--history",
        months.root.to_str().expect("path"),
    ]);
    assert!(output.status.success(), "{}", crate::util::stderr(&output));
    let dom = String::from_utf8(chromium(
        &binary,
        &temp.path().join("chromium-profile"),
        &["--dump-dom".to_string()],
        &out.join(html::FILE_NAME),
    ))
    .expect("UTF-8 DOM");
    let charts = svgs(&dom);
    let trend = charts
        .iter()
        .find(|svg| attribute(svg, "id") == Some("trend-chart"))
        .expect("the trend chart");
    assert_eq!(
        trend.matches("<circle").count(),
        9,
        "a dot per month and line"
    );
    for svg in &charts {
        let id = attribute(svg, "id").unwrap_or("?");
        assert!(svg.contains("<title"), "{id}: alt text");
        assert!(svg.contains("<text"), "{id}: labels are SVG text");
        assert!(marks(svg) > 0, "{id}: no marks beyond the frame");
    }
    assert!(dom.contains("What changed since 2026-10"));
    assert!(external_references(&dom).is_empty());
}
