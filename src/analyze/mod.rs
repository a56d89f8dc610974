//! Analysis: the finding rules of SPEC §3 applied to a snapshot's frames.
//!
//! [`analyze`] prepares the shared inputs ([`inputs`]), runs one lazy query per rule
//! ([`rules`]): the reclaim, premium and assignment rules collected together, then the
//! optimisation rules that read their findings (`redundant-license`, `right-size`) and the
//! savings' timing. It turns the rows into typed [`Finding`]s with a [`Summary`] and the
//! data-quality counts a reader needs to trust them, and times each phase ([`phases`]).

pub mod evidence;
pub mod finding;
pub mod inputs;
pub mod launch_owner;
pub mod launch_tally;
pub mod license_mix;
pub mod phases;
pub mod quality;
pub mod rules;
pub mod summary;
pub mod timing;
pub mod window;

pub use evidence::{Evidence, EvidenceInputs};
pub use finding::{AssignmentErrorCode, CoveringLicense, Finding, FindingKind, FindingReason};
pub use license_mix::{CoverOption, LicenseMix};
pub use quality::AnalysisQuality;
pub use summary::Summary;
pub use window::AuditWindow;

use crate::catalogue::price_book::PriceBookOrigin;
use crate::catalogue::{Catalogue, PriceBook};
use crate::model::{Snapshot, columns};
use crate::money::Money;
use inputs::{LAST_PREMIUM_USE, PREMIUM_APPS_USED, RuleInputs, SOURCES};
use polars::prelude::*;
use rules::{KIND, MONTHLY_AMOUNT, NOTE, REASON, SEATS};

#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("analysis failed in the query engine: {0}")]
    Engine(#[from] PolarsError),
    #[error("analysis produced an unknown finding kind {0:?}")]
    UnknownKind(String),
}

/// What the person running the audit asserts about the snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// `--audit-complete`: the audit exports hold every launch of the window, even if they
    /// hold none or their records do not span it.
    pub audit_complete: bool,
}

/// Everything an audit reports.
pub struct Analysis {
    pub window: AuditWindow,
    pub evidence: Evidence,
    pub currency: String,
    pub price_book: PriceBookOrigin,
    pub findings: Vec<Finding>,
    /// The renewal calendar: when the savings' seats can drop, per subscription.
    pub renewals: timing::RenewalCalendar,
    pub summary: Summary,
    pub quality: AnalysisQuality,
    /// The SKU dimension the rules priced: one row per SKU bought or held, with its part
    /// number, display name, premium flag, price, seats and whether it is paid.
    pub skus: DataFrame,
    /// The tenant's Power Apps license mix (SPEC §8); `None` without usage evidence or a
    /// per-user price.
    pub license_mix: Option<LicenseMix>,
    /// Every launch with its premium flag and its owner (`user_id`, null for users not in the
    /// directory), attributed once; the audit's daily launch table is built from it, and
    /// [`crate::report::AuditTables::build_releasing`] lets it go (empty) once that is done.
    pub launches: DataFrame,
    /// The owner of each launch identity (row `n` for `launch_identity` `n`), with what is
    /// known of the unknown users (see [`launch_owner::attribute`]).
    pub launch_owners: DataFrame,
    /// How long each phase took.
    pub phases: Vec<phases::Phase>,
}

/// Runs every rule on `snapshot` as of `window`.
pub fn analyze(
    snapshot: &Snapshot,
    catalogue: &Catalogue,
    bundled_prices: PriceBook,
    window: AuditWindow,
    options: AnalyzeOptions,
) -> Result<Analysis, AnalyzeError> {
    let mut clock = phases::PhaseClock::start();
    let (price_book, price_book_origin) = bundled_prices.overridden_by(snapshot.prices.clone());
    let seats = inputs::purchased_seats_by_part(snapshot)?;
    let prices = price_book.effective_for_seats(window.as_of, &seats);
    let evidence = Evidence::decide(&evidence_inputs(snapshot, options), window);
    let inputs = RuleInputs::prepare(
        snapshot,
        catalogue,
        &prices,
        price_book.frame_on(window.as_of, &seats)?,
        window,
        &evidence,
    )?;
    let skus_frame = inputs.skus.clone().collect()?;
    clock.lap("inputs");

    let mut rule_frames = vec![
        rules::idle_seats::find(skus_frame.clone().lazy()),
        rules::inactive_holder::find(&inputs),
        rules::missing_premium::find(&inputs),
        rules::unused_premium::find(&inputs),
    ];
    if !evidence.assignment_states_missing {
        rule_frames.push(rules::assignment_error::find(snapshot, &inputs));
        rule_frames.push(rules::duplicate_assignment::find(snapshot, &inputs));
    }
    let found = concat(rule_frames, UnionArgs::default())?.collect()?;
    clock.lap("reclaim, premium and assignment rules");

    let reclaim_kinds = Series::new(
        "reclaim_kinds".into(),
        [FindingKind::InactiveHolder, FindingKind::UnusedPremium].map(FindingKind::as_str),
    );
    let reclaimed = found
        .clone()
        .lazy()
        .filter(col(KIND).is_in(lit(reclaim_kinds.implode()?.into_series()), false))
        .select([col(columns::USER_ID), col(columns::SKU_ID)]);
    let redundant =
        rules::redundant_license::find(&inputs, &catalogue.coverage, reclaimed)?.collect()?;
    let findings_frame = found.vstack(&redundant)?;
    // Half a million findings take over a hundred megabytes in each frame: none is kept
    // longer than the next step needs it.
    drop((found, redundant));
    clock.lap("redundant-license");

    // `right-size` reads the other rules' findings: a pair already reclaimed is no candidate.
    let right_size = rules::right_size::find(&inputs, &price_book, &seats, &findings_frame)?;
    let findings_frame = concat(
        [findings_frame.lazy(), right_size.findings],
        UnionArgs::default(),
    )?
    .collect()?;
    clock.lap("right-size");
    let findings_frame = inputs::with_assignment_sources(findings_frame, snapshot)?;
    let mut findings = findings_from_frame(&findings_frame)?;
    drop(findings_frame);
    findings.sort_by_cached_key(Finding::sort_key);
    clock.lap("findings");
    let timing = timing::time_savings(&findings, &snapshot.renewals, window.as_of);
    for (finding, saving) in findings.iter_mut().zip(&timing.findings) {
        finding.timing = *saving;
    }
    clock.lap("savings timing");

    let summary = Summary::compute(snapshot, &skus_frame, &findings)?;
    let quality = AnalysisQuality::compute(snapshot, &inputs, &skus_frame, &evidence, &price_book)?;
    let launches = inputs.launches.clone().collect()?;
    clock.lap("summary and data quality");
    Ok(Analysis {
        window,
        evidence,
        currency: price_book_origin.currency.clone(),
        price_book: price_book_origin,
        findings,
        renewals: timing.calendar,
        summary,
        quality,
        skus: skus_frame,
        license_mix: right_size.mix,
        launches,
        launch_owners: inputs.launch_owners.clone(),
        phases: clock.phases(),
    })
}

/// The counts the evidence decision reads, from what ingestion noticed.
fn evidence_inputs(snapshot: &Snapshot, options: AnalyzeOptions) -> EvidenceInputs {
    let quality = &snapshot.quality;
    EvidenceInputs {
        users: snapshot.users.height(),
        users_without_sign_in_activity: quality.users_without_sign_in_activity,
        sign_in_activity_collected: snapshot.metadata.sign_in_activity_collected,
        has_app_inventory: snapshot.apps.is_some(),
        app_inventory_empty: quality.app_inventory_empty,
        audit_files: quality.audit_files,
        launch_rows: quality.launch_rows,
        audit_query: snapshot.metadata.audit_query,
        audit_records_span: quality.audit_records_span,
        licensed_users: quality.licensed_users,
        licensed_users_without_assignment_states: quality.licensed_users_without_assignment_states,
        audit_complete: options.audit_complete,
    }
}

/// Orders assignment sources with `direct` first, then group ids; a pair with no
/// `licenseAssignmentStates` entry (an older export) has the source `unknown`, never a guess.
fn split_sources(joined: Option<&str>) -> Vec<String> {
    let mut sources: Vec<String> = joined
        .unwrap_or("")
        .split(';')
        .filter(|source| !source.is_empty())
        .map(str::to_string)
        .collect();
    sources.sort_by(|left, right| {
        (left != columns::DIRECT, left).cmp(&(right != columns::DIRECT, right))
    });
    sources.dedup();
    if sources.is_empty() {
        sources.push(columns::UNKNOWN_SOURCE.to_string());
    }
    sources
}

fn findings_from_frame(frame: &DataFrame) -> Result<Vec<Finding>, AnalyzeError> {
    let string =
        |name: &str| -> PolarsResult<StringChunked> { Ok(frame.column(name)?.str()?.clone()) };
    let integer =
        |name: &str| -> PolarsResult<Int64Chunked> { Ok(frame.column(name)?.i64()?.clone()) };
    let kinds = string(KIND)?;
    let user_ids = string(columns::USER_ID)?;
    let names = string(columns::USER_PRINCIPAL_NAME)?;
    let departments = string(columns::DEPARTMENT)?;
    let part_numbers = string(columns::SKU_PART_NUMBER)?;
    let sku_ids = string(columns::SKU_ID)?;
    let reasons = string(REASON)?;
    let sources = string(SOURCES)?;
    let last_activity = integer(columns::LAST_ACTIVITY)?;
    let last_premium_use = integer(LAST_PREMIUM_USE)?;
    let premium_apps_used = frame.column(PREMIUM_APPS_USED)?.u32()?.clone();
    let seats = integer(SEATS)?;
    let amounts = integer(MONTHLY_AMOUNT)?;
    let notes = string(NOTE)?;
    let covering_ids = string(rules::redundant_license::COVERING_SKU_ID)?;
    let covering_parts = string(rules::redundant_license::COVERING_SKU_PART_NUMBER)?;
    let current_costs = integer(rules::right_size::CURRENT_MONTHLY_COST)?;
    let cheapest_parts = string(rules::right_size::CHEAPEST_PART_NUMBER)?;
    let cheapest_costs = integer(rules::right_size::CHEAPEST_MONTHLY_COST)?;
    let whole_months = frame
        .column(rules::right_size::WHOLE_MONTHS)?
        .u32()?
        .clone();

    let mut findings = Vec::with_capacity(frame.height());
    for row in 0..frame.height() {
        let kind_text = kinds.get(row).unwrap_or_default();
        let kind = FindingKind::parse(kind_text)
            .ok_or_else(|| AnalyzeError::UnknownKind(kind_text.to_string()))?;
        let owned = |values: &StringChunked| values.get(row).map(str::to_string);
        findings.push(Finding {
            kind,
            user_id: owned(&user_ids),
            user_principal_name: owned(&names),
            department: owned(&departments),
            sku_part_number: owned(&part_numbers).unwrap_or_default(),
            sku_id: owned(&sku_ids).unwrap_or_default(),
            reason: reasons.get(row).map(FindingReason::parse),
            assigned_by: if kind == FindingKind::IdleSeats || kind == FindingKind::MissingPremium {
                Vec::new()
            } else {
                split_sources(sources.get(row))
            },
            last_activity: last_activity.get(row),
            last_premium_use: last_premium_use.get(row),
            premium_apps_used: premium_apps_used.get(row),
            seats: seats.get(row),
            monthly_amount: Money(amounts.get(row).unwrap_or(0).max(0)),
            note: owned(&notes),
            timing: None,
            covered_by: match (owned(&covering_parts), owned(&covering_ids)) {
                (Some(sku_part_number), Some(sku_id)) => Some(CoveringLicense {
                    sku_part_number,
                    sku_id,
                }),
                _ => None,
            },
            current_monthly_cost: current_costs.get(row).map(Money),
            cheapest_part_number: owned(&cheapest_parts),
            cheapest_monthly_cost: cheapest_costs.get(row).map(Money),
            whole_months: whole_months.get(row),
        });
    }
    Ok(findings)
}

#[cfg(test)]
mod tests;
