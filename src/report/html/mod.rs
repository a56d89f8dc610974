//! `report.html`: the finance report as one self-contained page (SPEC §6).
//!
//! Everything is inline: the style sheet, and the charts as SVG drawn by plotters. The page
//! carries no script and refers to nothing outside itself (no font, image or link), and its
//! Content-Security-Policy forbids both, so it opens offline, from a mail attachment, and
//! prints the same (print CSS: each section starts a page, tables repeat their headings).
//!
//! It renders the [`ReportModel`] and computes nothing: every figure, total and order is the
//! model's; the page only picks which rows fit and how to write them. Tenant text is escaped
//! by construction ([`markup`]).

pub mod charts;
mod history;
pub mod markup;
mod quality;
mod sections;

use crate::report::ReportModel;
use crate::report::model::generator;
use crate::support::timestamp::format_millis;
use charts::ChartError;
use markup::Markup;

/// The file name in an audit or report folder.
pub const FILE_NAME: &str = "report.html";

/// Rows a table of the page shows at most; the workbook holds them all.
pub const TABLE_ROWS: usize = 250;

const STYLE: &str = include_str!("style.css");

/// The page of `model`.
pub fn render(model: &ReportModel) -> Result<String, ChartError> {
    let mut page = Markup::new();
    head(&mut page, model);
    sections::headline(&mut page, model);
    history::trend(&mut page, model)?;
    history::changes(&mut page, model);
    sections::skus(&mut page, model)?;
    sections::chargeback(&mut page, model)?;
    sections::idle_seats(&mut page, model);
    sections::renewals(&mut page, model);
    sections::top_savings(&mut page, model);
    sections::unlicensed(&mut page, model)?;
    sections::license_mix(&mut page, model);
    quality::section(&mut page, model);
    method(&mut page, model);
    page.tag("<footer>Written by ")
        .text(&generator())
        .tag(" from the audit folder's tables; every figure is also in findings.json and the workbook.</footer>\n</main>\n</body>\n</html>\n");
    Ok(page.finish())
}

fn head(page: &mut Markup, model: &ReportModel) {
    let context = &model.context;
    let title = format!("License cost report as of {}", context.window.as_of);
    page.tag(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
        "<meta name=\"generator\" content=\"seatwise\">\n<title>"
    ))
    .text(&title);
    if let Some(tenant) = &context.tenant_id {
        page.text(" (tenant ").text(tenant).text(")");
    }
    page.tag("</title>\n<style>\n")
        .tag(STYLE)
        .tag("</style>\n</head>\n<body>\n<main>\n<header class=\"report\">\n")
        .element("<h1>", &title, "</h1>\n")
        .tag("<p class=\"subtitle\">Microsoft 365 and Power Platform licenses: what the tenant pays, what it could save, and what compliance would cost. Activity window ")
        .text(&format!(
            "{} to {} ({} days)",
            context.window.first_day(),
            context.window.as_of,
            context.window.days
        ));
    if let Some(tenant) = &context.tenant_id {
        page.text("; tenant ").text(tenant);
    }
    page.tag(". Amounts in ")
        .text(&context.currency)
        .tag(".</p>\n</header>\n");
}

/// Where the figures come from and how they were chosen.
fn method(page: &mut Markup, model: &ReportModel) {
    let context = &model.context;
    let window = &context.window;
    let price_book = &context.price_book;
    page.tag("<section id=\"method\">\n<h2>Method</h2>\n<dl class=\"method\">\n");
    let mut entry = |term: &'static str, description: &str| {
        page.tag("<dt>")
            .tag(term)
            .tag("</dt><dd>")
            .text(description)
            .tag("</dd>\n");
    };
    entry(
        "As-of date",
        &format!("{} ({})", window.as_of, context.as_of_source.describe()),
    );
    entry(
        "Window",
        &format!(
            "{} days, {} to {} inclusive (UTC); activity after the as-of date is ignored",
            window.days,
            window.first_day(),
            window.as_of
        ),
    );
    let prices = if price_book.bundled_replaced {
        format!(
            "the snapshot's {} prices (prices.csv, another currency than the bundled list prices)",
            price_book.snapshot_entries
        )
    } else if price_book.snapshot_entries > 0 {
        format!(
            "{} bundled list prices, {} of them overridden by the snapshot's prices.csv",
            price_book.bundled_entries, price_book.snapshot_entries
        )
    } else {
        format!("{} bundled list prices", price_book.bundled_entries)
    };
    entry("Price book", &format!("{}: {prices}", price_book.currency));
    entry("Currency", &context.currency);
    entry("Snapshot", &context.snapshot_path);
    entry(
        "Snapshot source",
        context.snapshot_source.as_deref().unwrap_or("not stated"),
    );
    if let Some(tenant) = &context.tenant_id {
        entry("Tenant", tenant);
    }
    entry(
        "Collected",
        &context
            .collected_at
            .map(format_millis)
            .unwrap_or_else(|| "not stated".to_string()),
    );
    entry("Audit by", &context.generator);
    entry("Report by", &generator());
    page.tag("</dl>\n<h3>Definitions</h3>\n<ul>\n")
        .tag("<li><strong>Monthly cost</strong>: seats paid for (enabled and in grace period) times the monthly price, over every SKU whose subscription is paid; the yearly figure is twelve months of it.</li>\n")
        .tag("<li><strong>Savings available</strong>: the prices of licenses held by disabled, never-signed-in or inactive users, of premium licenses whose holders opened no premium app in the window, and of idle seats (bought, not assigned).</li>\n")
        .tag("<li><strong>Cost to comply</strong>: the price of a premium license for every user who opened a premium app without one.</li>\n")
        .tag("<li><strong>Power Apps license mix</strong>: each premium user's distinct premium apps per calendar month wholly inside the window, priced per user (at the tier the tenant's seats reach), pay-as-you-go (per active user per app, averaged over the months) and per app (where purchasable, for the most apps in one month); a right-size saving is not part of the savings above, since it changes a license instead of removing it.</li>\n")
        .tag("<li><strong>Seats</strong> count the priced SKUs the tenant pays for; a user is <strong>active</strong> when their last successful sign-in falls in the window. Without sign-in data, active counts are unknown, never 0.</li>\n")
        .tag("<li><strong>Chargeback</strong>: a group is charged the prices of the paid licenses its members hold; users without a value are in Unassigned; what no group holds (idle seats) is tenant overhead, so the groups and the overhead add up to the monthly cost.</li>\n")
        .tag("<li>Amounts are exact to a millionth of the currency in the tables behind this page and rounded to cents here.</li>\n")
        .tag("</ul>\n</section>\n");
}
