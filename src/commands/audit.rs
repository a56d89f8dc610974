//! `seatwise audit`: ingest a snapshot, analyse it, write the audit folder, print a summary.

use super::{ExitStatus, UsageError, history, parse_date, today_utc};
use crate::cli::AuditArgs;
use anyhow::{Context, bail};
use chrono::NaiveDate;
use seatwise::analyze::phases::{Phase, PhaseClock};
use seatwise::analyze::window::ahead_of_clock;
use seatwise::analyze::{Analysis, AnalyzeOptions, AuditWindow, FindingKind, analyze};
use seatwise::catalogue::{Catalogue, PriceBook};
use seatwise::history::inputs::hash_snapshot;
use seatwise::ingest::error::Strictness;
use seatwise::ingest::{IngestOptions, read_snapshot};
use seatwise::output::{AsOfSource, AuditReport, rewrite_views, terminal, write_audit_folder};
use seatwise::report::{AuditContext, AuditTables, DataQuality, ReportModel, ReportOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(args: &AuditArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let mut fail_on = Vec::new();
    for name in &args.fail_on {
        match FindingKind::parse(name.trim()) {
            Some(kind) => fail_on.push(kind),
            None => bail!(UsageError::Invalid(format!(
                "--fail-on {name:?} is not a finding kind; kinds are: {}",
                FindingKind::ALL.map(FindingKind::as_str).join(", ")
            ))),
        }
    }
    let as_of = args
        .as_of
        .as_deref()
        .map(|text| parse_date(text, "--as-of"))
        .transpose()?;
    let request = AuditRequest {
        snapshot: &args.snapshot,
        as_of,
        window_days: args.window_days,
        out: args.out.clone(),
        reports_root: PathBuf::from("reports"),
        lenient: args.lenient,
        audit_complete: args.audit_complete,
        // A month recorded in history gets its report once recorded, with the trend in it.
        with_report: !args.no_report && args.history.is_none(),
        verbose: args.verbose,
        require_tenant: args.history.is_some(),
    };
    let mut audited = audit_snapshot(&request)?;
    let mut stages = StageClock::new(args.verbose);
    stdout.write_all(terminal::render(&audited.model, &audited.out_dir).as_bytes())?;
    if let Some(root) = &args.history {
        history::record_into(root, &audited.out_dir, stdout)?;
        stages.lap("record history")?;
        audited.show_history(root, !args.no_report)?;
        stages.lap("report history")?;
    }

    let failing = fail_on.iter().any(|kind| {
        audited
            .analysis
            .summary
            .by_kind
            .get(kind)
            .is_some_and(|total| total.count > 0)
    });
    Ok(if failing {
        ExitStatus::FindingsFound
    } else {
        ExitStatus::Success
    })
}

/// What to audit and where to write it: the settings `audit` and `monthly` share.
pub struct AuditRequest<'a> {
    pub snapshot: &'a Path,
    /// The as-of date given; default the snapshot's collectedAt date, else today.
    pub as_of: Option<NaiveDate>,
    pub window_days: u32,
    /// The audit folder; default `<reports_root>/<as-of>/`.
    pub out: Option<PathBuf>,
    pub reports_root: PathBuf,
    pub lenient: bool,
    pub audit_complete: bool,
    pub with_report: bool,
    pub verbose: bool,
    /// Refuse a snapshot that does not name its tenant (history is kept per tenant).
    pub require_tenant: bool,
}

/// An audit written.
pub struct Audited {
    pub out_dir: PathBuf,
    pub as_of: NaiveDate,
    pub tenant: Option<String>,
    pub analysis: Analysis,
    pub tables: AuditTables,
    pub model: ReportModel,
}

impl Audited {
    /// Once the month is recorded in `root`: summary.md written again, and the report (when
    /// `with_report`; the audit leaves it for now) written, with the trend and what changed
    /// since the month before.
    pub fn show_history(&mut self, root: &Path, with_report: bool) -> anyhow::Result<()> {
        let model = self.model.clone().with_history(root)?;
        rewrite_views(&self.out_dir, &model, &self.tables, with_report)?;
        self.model = model;
        Ok(())
    }
}

/// Reads the snapshot, analyses it and writes the audit folder (with report.html and
/// report.xlsx unless told not to).
pub fn audit_snapshot(request: &AuditRequest<'_>) -> anyhow::Result<Audited> {
    let options = IngestOptions {
        strictness: if request.lenient {
            Strictness::Lenient
        } else {
            Strictness::Strict
        },
    };
    let mut stages = StageClock::new(request.verbose);
    let mut snapshot = read_snapshot(request.snapshot, &options)?;
    if request.require_tenant {
        history::require_tenant(&snapshot)?;
    }
    // History records what a month came from: the large files were digested as they were
    // read, the rest are hashed now.
    let inputs = hash_snapshot(request.snapshot, &snapshot.file_digests)?;
    stages.lap("read snapshot")?;

    let collected_on = snapshot
        .metadata
        .collected_at
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|moment| moment.date_naive());
    let today = today_utc();
    if let Some(collected_on) = collected_on.filter(|date| ahead_of_clock(*date, today)) {
        bail!(UsageError::Invalid(format!(
            "{}: collectedAt {collected_on} is after today ({today}): the file or the clock of the machine that collected it is wrong",
            request.snapshot.join("snapshot.json").display()
        )));
    }
    if let Some(as_of) = request.as_of.filter(|date| ahead_of_clock(*date, today)) {
        bail!(UsageError::Invalid(format!(
            "--as-of {as_of} is after today ({today}): an audit cannot look at days that have not happened"
        )));
    }
    let (as_of, as_of_source) = match (request.as_of, collected_on) {
        (Some(date), _) => (date, AsOfSource::CommandLine),
        (None, Some(date)) => (date, AsOfSource::SnapshotCollectedAt),
        (None, None) => (today, AsOfSource::Today),
    };
    let window = AuditWindow {
        as_of,
        days: request.window_days,
    };

    let catalogue = Catalogue::bundled().context("the bundled SKU catalogue is unreadable")?;
    let prices = PriceBook::bundled().context("the bundled price book is unreadable")?;
    let options = AnalyzeOptions {
        audit_complete: request.audit_complete,
    };
    let mut analysis = analyze(&snapshot, &catalogue, prices, window, options)?;
    stages.lap("analyse")?;
    stages.phases(&analysis.phases)?;
    let mut report_phases = PhaseClock::start();
    // The tables hold all that is read of the rows later: the rows go as they are built.
    let tables = AuditTables::build_releasing(&mut snapshot, &mut analysis, &mut report_phases)
        .context("building the audit's tables")?;
    let model = ReportModel::build(
        AuditContext::of(
            &snapshot,
            analysis.window,
            as_of_source,
            &analysis.currency,
            &analysis.price_book,
            &analysis.renewals,
        )
        .with_license_mix(analysis.license_mix.as_ref()),
        &tables,
        DataQuality::new(snapshot.quality.clone(), analysis.quality.clone()),
        &ReportOptions::default(),
    )
    .context("computing the report model")?;
    report_phases.lap("model");
    stages.lap("report model")?;
    stages.phases(&report_phases.phases())?;

    let out_dir = request
        .out
        .clone()
        .unwrap_or_else(|| request.reports_root.join(as_of.to_string()));
    let report = AuditReport {
        snapshot: &snapshot,
        analysis: &analysis,
        as_of_source,
        tables: &tables,
        model: &model,
        with_report: request.with_report,
        inputs: &inputs,
    };
    write_audit_folder(&out_dir, &report)?;
    stages.lap("write audit folder")?;
    let tenant = snapshot
        .metadata
        .tenant_id
        .clone()
        .filter(|tenant| !tenant.trim().is_empty());
    Ok(Audited {
        out_dir,
        as_of,
        tenant,
        analysis,
        tables,
        model,
    })
}

/// Stage timings for `--verbose`, written to stderr.
struct StageClock {
    enabled: bool,
    started: std::time::Instant,
}

impl StageClock {
    fn new(enabled: bool) -> Self {
        StageClock {
            enabled,
            started: std::time::Instant::now(),
        }
    }

    fn lap(&mut self, stage: &str) -> std::io::Result<()> {
        if self.enabled {
            let elapsed = self.started.elapsed();
            writeln!(
                std::io::stderr(),
                "seatwise: {stage}: {:.2} s",
                elapsed.as_secs_f64()
            )?;
        }
        self.started = std::time::Instant::now();
        Ok(())
    }

    /// The phases of the stage just ended, indented under it.
    fn phases(&self, phases: &[Phase]) -> std::io::Result<()> {
        if self.enabled {
            for phase in phases {
                writeln!(
                    std::io::stderr(),
                    "seatwise:   {}: {:.2} s",
                    phase.name,
                    phase.took.as_secs_f64()
                )?;
            }
        }
        Ok(())
    }
}
