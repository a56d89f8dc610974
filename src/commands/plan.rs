//! `seatwise plan reclaim` and `seatwise plan assign`: make a plan and write it, with its
//! CSV, PowerShell, `$batch` and notice forms, beside `--out`.

use super::{ExitStatus, UsageError, parse_date, today_utc};
use crate::cli::{AssignArgs, PlanCommand, ReclaimArgs};
use anyhow::{Context, bail};
use chrono::NaiveDate;
use seatwise::act::assign::{self, AssignContext};
use seatwise::act::emit::PlanFolder;
use seatwise::act::policy::Policy;
use seatwise::act::reclaim::{ReclaimInputs, plan_reclaim};
use seatwise::act::signers::AllowedSigners;
use seatwise::act::tenant::TenantView;
use seatwise::act::{Mechanism, Plan, emit};
use seatwise::catalogue::{Catalogue, PriceBook};
use seatwise::contract::findings::read as read_findings;
use seatwise::contract::plan::SignatureRequirement;
use seatwise::ingest::error::Strictness;
use seatwise::ingest::{IngestOptions, read_snapshot};
use seatwise::model::Snapshot;
use seatwise::money::Money;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(command: &PlanCommand, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let (plan, written) = match command {
        PlanCommand::Reclaim(args) => plan_and_write_reclaim(args)?,
        PlanCommand::Assign(args) => write_plan(
            assign_plan(args)?,
            &args.out,
            args.require_signatures.clone(),
        )?,
    };
    report(&plan, &written, stdout)?;
    Ok(ExitStatus::Success)
}

/// Plans a reclaim from an audit under a policy and writes it with its other forms: what
/// `plan reclaim` and `monthly` share. Nothing is applied.
pub fn plan_and_write_reclaim(args: &ReclaimArgs) -> anyhow::Result<(Plan, Vec<PathBuf>)> {
    let (plan, policy) = reclaim(args)?;
    write_plan(plan, &args.out, policy.require_signatures)
}

fn write_plan(
    plan: Plan,
    out: &Path,
    signers_path: Option<PathBuf>,
) -> anyhow::Result<(Plan, Vec<PathBuf>)> {
    let (plan, signers) = match signers_path {
        Some(path) => {
            let signers = AllowedSigners::read(&path)?;
            let mut plan = plan;
            plan.signatures = Some(SignatureRequirement {
                allowed_signers_source: path.display().to_string(),
                allowed_signers_sha256: signers.sha256.clone(),
            });
            (plan.seal(), Some(signers))
        }
        None => (plan, None),
    };
    let written = emit::write_all(&plan, out, PlanFolder::New, signers.as_ref())?;
    Ok((plan, written))
}

fn planned_on(on: Option<&str>) -> anyhow::Result<NaiveDate> {
    match on {
        Some(text) => parse_date(text, "--on"),
        None => Ok(today_utc()),
    }
}

fn load_tenant(snapshot_dir: &Path) -> anyhow::Result<(Snapshot, TenantView)> {
    let snapshot = read_snapshot(snapshot_dir, &IngestOptions::default())?;
    let catalogue = Catalogue::bundled().context("the bundled SKU catalogue is unreadable")?;
    let tenant = TenantView::from_snapshot(&snapshot, &catalogue)?;
    Ok((snapshot, tenant))
}

fn findings_path(audit_dir: &Path) -> PathBuf {
    if audit_dir.is_dir() {
        audit_dir.join("findings.json")
    } else {
        audit_dir.to_path_buf()
    }
}

fn reclaim(args: &ReclaimArgs) -> anyhow::Result<(Plan, Policy)> {
    let planned_on = planned_on(args.on.as_deref())?;
    let path = findings_path(&args.audit);
    let (audit, audit_id) = read_findings(&path)?;
    let policy = match &args.policy {
        Some(path) => Policy::read(path)?,
        None => Policy::default(),
    };
    let snapshot_dir = args
        .snapshot
        .clone()
        .unwrap_or_else(|| PathBuf::from(&audit.snapshot.path));
    let (_snapshot, tenant) = load_tenant(&snapshot_dir)
        .with_context(|| format!("reading the audit's snapshot {}", snapshot_dir.display()))?;
    let plan = plan_reclaim(&ReclaimInputs {
        audit: &audit,
        audit_id,
        audit_path: path.display().to_string(),
        tenant: &tenant,
        policy: &policy,
        policy_path: args.policy.as_ref().map(|path| path.display().to_string()),
        planned_on,
    })?;
    Ok((plan, policy))
}

fn assign_plan(args: &AssignArgs) -> anyhow::Result<Plan> {
    let planned_on = planned_on(args.on.as_deref())?;
    let strictness = if args.lenient {
        Strictness::Lenient
    } else {
        Strictness::Strict
    };
    let on_demand = match &args.on_demand {
        Some(dir) => Some(read_findings(&findings_path(dir))?),
        None => None,
    };
    let snapshot_dir = match (&args.snapshot, &on_demand) {
        (Some(dir), _) => dir.clone(),
        (None, Some((audit, _))) => PathBuf::from(&audit.snapshot.path),
        (None, None) => bail!(UsageError::Invalid(
            "--snapshot is required (the tenant to plan against)".into()
        )),
    };
    let (snapshot, tenant) = load_tenant(&snapshot_dir)?;
    let (book, origin) = PriceBook::bundled()?.overridden_by(snapshot.prices.clone());
    // Priced at the tier the tenant's purchased seats reach, as the audit prices them.
    let seats = seatwise::analyze::inputs::purchased_seats_by_part(&snapshot)
        .context("counting the tenant's purchased seats")?;
    let prices: BTreeMap<String, Money> = book.effective_for_seats(planned_on, &seats);
    let price_of = move |part: &str| {
        prices
            .get(&part.to_ascii_lowercase())
            .copied()
            .unwrap_or(Money::ZERO)
    };
    let context = AssignContext {
        tenant: &tenant,
        price_of: &price_of,
        currency: origin.currency,
        planned_on,
        snapshot: snapshot_dir.display().to_string(),
        required_approvals: args.approvals.max(1),
    };
    let sku = || -> anyhow::Result<&str> {
        match args.sku.as_deref() {
            Some(sku) => Ok(sku),
            None => bail!(UsageError::Invalid(
                "--sku is required with --user, --from and --group".into()
            )),
        }
    };
    let plan = if let Some(user) = &args.user {
        assign::plan_manual(&context, user, sku()?)?
    } else if let Some(users) = &args.from {
        assign::plan_bulk(&context, users, sku()?, strictness)?
    } else if let Some(group) = &args.group {
        assign::plan_group(&context, group, sku()?, args.move_direct_holders)?
    } else if let Some(requests) = &args.requests {
        assign::plan_requests(&context, requests, strictness)?
    } else if let Some((audit, audit_id)) = &on_demand {
        assign::plan_on_demand(&context, audit, audit_id)?
    } else {
        bail!(UsageError::Invalid(
            "choose a strategy: --user, --from, --group, --requests or --on-demand".into()
        ))
    };
    Ok(plan)
}

fn report(plan: &Plan, written: &[PathBuf], stdout: &mut dyn Write) -> anyhow::Result<()> {
    let mut by_mechanism: BTreeMap<Mechanism, usize> = BTreeMap::new();
    for action in &plan.actions {
        *by_mechanism.entry(action.mechanism).or_default() += 1;
    }
    let counts: Vec<String> = by_mechanism
        .iter()
        .map(|(mechanism, count)| format!("{count} {}", mechanism.as_str()))
        .collect();
    writeln!(
        stdout,
        "{} plan: {} actions ({}), {} skipped, {} {} per month; needs {} approval(s)",
        plan.strategy,
        plan.actions.len(),
        if counts.is_empty() {
            "none".to_string()
        } else {
            counts.join(", ")
        },
        plan.skipped.len(),
        plan.total_monthly_amount,
        plan.currency,
        plan.required_approvals
    )?;
    for path in written {
        writeln!(stdout, "  {}", path.display())?;
    }
    Ok(())
}
