//! The coverage tables: `data/coverage.csv` and `data/coverage_plans.csv` must be exactly what
//! `derive_coverage` and `derive_coverage_plans` make of Microsoft's official licensing CSV; the
//! pairs an admin would check by hand must come out as read from that CSV; a disabled plan on
//! the covering license must remove the coverage; and bad input must be named.
//!
//! To regenerate both tables after replacing the official file or editing the curated tables
//! in `src/catalogue/coverage/`, run the coverage tests with `SEATWISE_BLESS=1` set.

use seatwise::catalogue::Catalogue;
use seatwise::catalogue::coverage::{
    Coverage, DeriveError, derive_coverage, derive_coverage_plans,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const OFFICIAL: &str = "data/product_names_service_plan_identifiers_licensing.csv";
const COVERAGE: &str = "data/coverage.csv";
const COVERAGE_PLANS: &str = "data/coverage_plans.csv";

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    let path = repo_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Fails unless the committed `relative` file equals `derived`; `SEATWISE_BLESS=1` rewrites it.
fn assert_committed_equals(relative: &str, derived: &str) {
    let committed = read(relative);
    if derived == committed {
        return;
    }
    if std::env::var_os("SEATWISE_BLESS").is_some() {
        std::fs::write(repo_path(relative), derived)
            .unwrap_or_else(|e| panic!("cannot write {relative}: {e}"));
        return;
    }
    let first_difference = derived
        .lines()
        .zip(committed.lines())
        .enumerate()
        .find(|(_, (want, have))| want != have)
        .map_or_else(
            || {
                format!(
                    "one file is a prefix of the other ({} derived lines, {} committed lines)",
                    derived.lines().count(),
                    committed.lines().count()
                )
            },
            |(index, (want, have))| {
                format!(
                    "line {}:\n  derived:   {want}\n  committed: {have}",
                    index + 1
                )
            },
        );
    panic!(
        "{relative} is not what the coverage derivation makes of {OFFICIAL}; first difference at {first_difference}\n\
         It is generated text: regenerate it with `SEATWISE_BLESS=1 cargo test --test it coverage`, never edit it by hand."
    );
}

#[test]
fn coverage_csv_is_exactly_derived_from_the_official_file() {
    let official = read(OFFICIAL);
    let started = std::time::Instant::now();
    let derived = derive_coverage(&official).expect("the official file derives");
    eprintln!("derive_coverage: {:?}", started.elapsed());
    assert_committed_equals(COVERAGE, &derived);
}

#[test]
fn coverage_plans_csv_is_exactly_derived_from_the_official_file() {
    let official = read(OFFICIAL);
    let derived = derive_coverage_plans(&official).expect("the official file derives");
    assert_committed_equals(COVERAGE_PLANS, &derived);
}

fn coverage() -> &'static Coverage {
    static COVERAGE: OnceLock<Coverage> = OnceLock::new();
    COVERAGE.get_or_init(|| Coverage::bundled().expect("the bundled coverage tables parse"))
}

/// The `skuId` of a part number, from the bundled catalogue (`data/skus.csv`).
fn sku(part_number: &str) -> String {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE
        .get_or_init(|| Catalogue::bundled().expect("the bundled catalogue parses"))
        .sku_id_of(part_number)
        .unwrap_or_else(|| panic!("{part_number} is not in data/skus.csv"))
        .to_owned()
}

fn covers(covering: &str, covered: &str) -> bool {
    coverage().covers(&sku(covering), &sku(covered))
}

// The expectations below were written by reading the official CSV; the line numbers are those
// of `data/product_names_service_plan_identifiers_licensing.csv` (December 2025 copy).

#[test]
fn microsoft_365_e5_covers_power_bi_pro() {
    // POWER_BI_PRO (lines 4987-4988) lists BI_AZURE_P2 and EXCHANGE_S_FOUNDATION, which is
    // infrastructure. SPE_E5 lists BI_AZURE_P2 itself (70d33638-...), but not
    // EXCHANGE_S_FOUNDATION: that plan alone is why a plain subset test says no.
    assert!(covers("SPE_E5", "POWER_BI_PRO"));
}

#[test]
fn microsoft_365_e3_covers_office_365_e3() {
    // Every plan on ENTERPRISEPACK's rows (4176-4211: EXCHANGE_S_ENTERPRISE, OFFICESUBSCRIPTION,
    // SHAREPOINTENTERPRISE, TEAMS1, FORMS_PLAN_E3, STREAM_O365_E3, POWERAPPS_O365_P2, ...) is on
    // SPE_E3's rows (1644-1693) under the same name.
    assert!(covers("SPE_E3", "ENTERPRISEPACK"));
    // Not the other way round: SPE_E3 adds AAD_PREMIUM, INTUNE_A, WIN10_PRO_ENT_SUB, ...
    assert!(!covers("ENTERPRISEPACK", "SPE_E3"));
}

#[test]
fn business_premium_covers_business_standard() {
    // O365_BUSINESS_PREMIUM (1243-1279) has six plans that SPB (1396-1450) does not list by
    // name; each is decided by a tier or an alias:
    // CDS_O365_P2, DYN365_CDS_O365_P2, POWER_VIRTUAL_AGENTS_O365_P2 and PROJECT_O365_P2 by SPB's
    // _P3 plans (tiers); RMS_S_BASIC by SPB's RMS_S_ENTERPRISE (alias); STREAM_O365_SMB by
    // SPB's STREAM_O365_E1 (alias).
    assert!(covers("SPB", "O365_BUSINESS_PREMIUM"));
}

#[test]
fn microsoft_365_e3_does_not_cover_power_bi_pro() {
    // BI_AZURE_P2 (Power BI Pro) is not on SPE_E3's rows, and no E3 plan ranks above it.
    assert!(!covers("SPE_E3", "POWER_BI_PRO"));
}

#[test]
fn entra_id_p2_covers_p1_by_tier() {
    // AAD_PREMIUM (lines 20-23): AAD_PREMIUM, ADALLOM_S_DISCOVERY, MFA_PREMIUM and the ignored
    // EXCHANGE_S_FOUNDATION. Microsoft 365 E5 Security (IDENTITY_THREAT_PROTECTION, 2495-2502)
    // lists none of those names: AAD_PREMIUM_P2 covers AAD_PREMIUM (Entra tier) and, through
    // the P1 alias, MFA_PREMIUM; ADALLOM_S_STANDALONE covers ADALLOM_S_DISCOVERY (tier).
    assert!(covers("IDENTITY_THREAT_PROTECTION", "AAD_PREMIUM"));
    // A tier covers downwards only: P1 lacks AAD_PREMIUM_P2.
    assert!(!covers("AAD_PREMIUM", "AAD_PREMIUM_P2"));
    assert!(covers("AAD_PREMIUM_P2", "AAD_PREMIUM"));
}

#[test]
fn an_alias_decides() {
    // RMSBASIC (5241-5242) is RMS_S_BASIC plus EXCHANGE_S_FOUNDATION; Office 365 E3 has
    // RMS_S_ENTERPRISE (Azure Rights Management), which covers it under another name.
    assert!(covers("ENTERPRISEPACK", "RMSBASIC"));
    // EXCHANGEARCHIVE_ADDON (665) is EXCHANGE_S_ARCHIVE_ADDON alone; Exchange Online Plan 2
    // (EXCHANGE_S_ENTERPRISE, on ENTERPRISEPACK) includes the archive.
    assert!(covers("ENTERPRISEPACK", "EXCHANGEARCHIVE_ADDON"));
    // Exchange Online Plan 1 does not: Business Standard (EXCHANGE_S_STANDARD) lacks it.
    assert!(!covers("O365_BUSINESS_PREMIUM", "EXCHANGEARCHIVE_ADDON"));
}

#[test]
fn one_missing_user_facing_plan_prevents_coverage() {
    // PBI_PREMIUM_PER_USER (4972-4974) has BI_AZURE_P3; SPE_E5 has only the lower BI_AZURE_P2.
    assert!(!covers("SPE_E5", "PBI_PREMIUM_PER_USER"));
    // ... and the tier runs the other way: Premium Per User covers Pro.
    assert!(covers("PBI_PREMIUM_PER_USER", "POWER_BI_PRO"));
    // VISIOCLIENT (5295-5298) has VISIO_CLIENT_SUBSCRIPTION, which no Microsoft 365 suite has.
    assert!(!covers("SPE_E5", "VISIOCLIENT"));
}

#[test]
fn non_user_skus_and_trials_take_no_part() {
    // MDATP_Server (3456-3457) is WINDEFATP and EXCHANGE_S_FOUNDATION, so by plans SPE_E5 would
    // cover it; but it is licensed per server, not per user.
    assert!(!covers("SPE_E5", "MDATP_Server"));
    // Microsoft_Teams_Rooms_Basic (3633-3638) has MCOMEETADV, but a room license covers no
    // person's Audio Conferencing.
    assert!(!covers("Microsoft_Teams_Rooms_Basic", "MCOMEETADV"));
    // POWERAPPS_VIRAL (3500-3504), a trial, lists FLOW_P2_VIRAL and DYN365_CDS_VIRAL, all of
    // FLOW_FREE's user-facing plans (3505-3507); a trial never covers.
    assert!(!covers("POWERAPPS_VIRAL", "FLOW_FREE"));
}

#[test]
fn a_sku_never_covers_itself() {
    assert!(!covers("SPE_E5", "SPE_E5"));
}

#[test]
fn a_disabled_covering_plan_removes_the_coverage() {
    let coverage = coverage();
    let (e5, pro) = (sku("SPE_E5"), sku("POWER_BI_PRO"));
    const BI_AZURE_P2: &str = "70d33638-9c74-4d01-bfd3-562de28bd4ba";
    const TEAMS1: &str = "57ff2da0-773e-42df-b2af-ffb7a2317929";
    assert!(coverage.covers_with_disabled::<&str>(&e5, &[], &pro));
    // E5's own Power BI Pro plan disabled: nothing else on E5 covers BI_AZURE_P2.
    assert!(!coverage.covers_with_disabled(&e5, &[BI_AZURE_P2], &pro));
    // Graph may write GUIDs in upper case.
    assert!(!coverage.covers_with_disabled(&e5, &[BI_AZURE_P2.to_uppercase()], &pro));
    // Disabling a plan Power BI Pro does not need changes nothing.
    assert!(coverage.covers_with_disabled(&e5, &[TEAMS1], &pro));
    // The pair table still answers for the license as sold.
    assert!(coverage.covers(&e5, &pro));
}

#[test]
fn another_enabled_plan_can_still_cover_a_disabled_one() {
    let coverage = coverage();
    let (p2, p1) = (sku("AAD_PREMIUM_P2"), sku("AAD_PREMIUM"));
    // AAD_PREMIUM_P2 (lines 32-36) lists AAD_PREMIUM (41781fb2-...) and AAD_PREMIUM_P2
    // (eec0eb4f-...): with P1's plan disabled, the P2 plan still covers it.
    const AAD_PREMIUM: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
    const AAD_PREMIUM_P2: &str = "eec0eb4f-6444-4f95-aba0-50c24d67f998";
    assert!(coverage.covers_with_disabled(&p2, &[AAD_PREMIUM], &p1));
    assert!(!coverage.covers_with_disabled(&p2, &[AAD_PREMIUM, AAD_PREMIUM_P2], &p1));
    // A pair that does not cover never covers with plans disabled.
    assert!(!coverage.covers_with_disabled::<&str>(&p1, &[], &p2));
}

#[test]
fn the_bundled_tables_answer_for_every_listed_pair() {
    let coverage = coverage();
    let text = read(COVERAGE);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = 0;
    for record in reader.records() {
        let record = record.expect("coverage.csv is valid CSV");
        let (covering, covered) = (&record[1], &record[3]);
        assert!(coverage.covers(covering, covered), "{record:?}");
        assert!(
            coverage.covers_with_disabled::<&str>(covering, &[], covered),
            "the plan table re-derives {record:?}"
        );
        rows += 1;
    }
    assert_eq!(rows, coverage.pair_count(), "one pair per row");
}

const HEADER: &str = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names";

#[test]
fn derivation_rejects_a_bad_plan_guid_naming_line_and_column() {
    let csv = format!(
        "{HEADER}\r\n\
         Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,Power BI Pro\r\n\
         Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,EXCHANGE_S_FOUNDATION,113feb6c-not-a-guid,Exchange Foundation\r\n"
    );
    let error = derive_coverage(&csv).expect_err("bad plan GUID");
    assert!(
        matches!(
            error,
            DeriveError::BadGuid {
                line: 3,
                column: "Service_Plan_Id",
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("line 3") && message.contains("`Service_Plan_Id`"),
        "{message}"
    );
    let bad_sku = csv.replace("f8a1db68-be16-40ed-86d5-cb42ce701560", "f8a1db68");
    let message = derive_coverage_plans(&bad_sku)
        .expect_err("bad SKU GUID")
        .to_string();
    assert!(
        message.contains("line 2") && message.contains("`GUID`"),
        "{message}"
    );
}

#[test]
fn derivation_rejects_contradictory_rows_naming_both_lines() {
    let csv = format!(
        "{HEADER}\n\
         Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba,x\n\
         Power BI Pro,POWER_BI_PREMIUM,f8a1db68-be16-40ed-86d5-cb42ce701560,EXCHANGE_S_FOUNDATION,113feb6c-3fe4-4440-bddc-54d774bf0318,x\n"
    );
    let message = derive_coverage(&csv).expect_err("conflict").to_string();
    assert!(
        message.contains("line 3") && message.contains("line 2") && message.contains("`String_Id`"),
        "{message}"
    );
}

#[test]
fn derivation_requires_the_plan_id_column() {
    let csv = "Product_Display_Name,String_Id,GUID,Service_Plan_Name\n\
               Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2\n";
    let error = derive_coverage(csv).expect_err("no Service_Plan_Id");
    assert!(
        matches!(
            error,
            DeriveError::MissingColumn {
                column: "Service_Plan_Id",
                ..
            }
        ),
        "{error:?}"
    );
}

const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const PRO: &str = "f8a1db68-be16-40ed-86d5-cb42ce701560";
const PAIRS_HEADER: &str =
    "CoveringSkuPartNumber,CoveringSkuId,CoveredSkuPartNumber,CoveredSkuId\n";
const PLANS_HEADER: &str = "SkuPartNumber,SkuId,ServicePlanName,ServicePlanId\n";

fn parse(pairs: &str, plans: &str) -> Result<Coverage, String> {
    Coverage::parse(
        Path::new("coverage.csv"),
        &format!("{PAIRS_HEADER}{pairs}"),
        Path::new("coverage_plans.csv"),
        &format!("{PLANS_HEADER}{plans}"),
    )
    .map_err(|error| error.to_string())
}

#[test]
fn hand_made_tables_parse_and_answer() {
    let plans = format!(
        "SPE_E5,{E5},BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba\n\
         POWER_BI_PRO,{PRO},BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba\n"
    );
    let coverage = parse(&format!("SPE_E5,{E5},POWER_BI_PRO,{PRO}\n"), &plans).expect("parses");
    assert!(coverage.covers(&E5.to_uppercase(), PRO));
    assert!(!coverage.covers(PRO, E5));
    assert_eq!(
        coverage.user_facing_plans(E5).map(|plans| plans
            .iter()
            .map(|plan| plan.name.as_str())
            .collect::<Vec<_>>()),
        Some(vec!["BI_AZURE_P2"])
    );
    assert_eq!(
        coverage.user_facing_plans(PRO.replace('f', "0").as_str()),
        None
    );
}

#[test]
fn table_errors_name_file_line_and_field() {
    let plans = format!("SPE_E5,{E5},BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba\n");
    // The covered SKU has no plans in the plan table.
    let message = parse(&format!("SPE_E5,{E5},POWER_BI_PRO,{PRO}\n"), &plans)
        .expect_err("covered SKU without plans");
    assert!(
        message.contains("coverage.csv")
            && message.contains("line 2")
            && message.contains("CoveredSkuId")
            && message.contains("coverage_plans.csv"),
        "{message}"
    );
    // A SKU listed as covering itself.
    let message = parse(&format!("SPE_E5,{E5},SPE_E5,{E5}\n"), &plans).expect_err("itself");
    assert!(
        message.contains("line 2") && message.contains("itself"),
        "{message}"
    );
    // A plan GUID that is not a GUID.
    let message = parse("", &format!("SPE_E5,{E5},BI_AZURE_P2,70d33638\n")).expect_err("bad id");
    assert!(
        message.contains("coverage_plans.csv")
            && message.contains("line 2")
            && message.contains("ServicePlanId"),
        "{message}"
    );
    // SKU ids that are not GUIDs, in either table.
    let message =
        parse(&format!("SPE_E5,SPE_E5,POWER_BI_PRO,{PRO}\n"), &plans).expect_err("bad covering id");
    assert!(
        message.contains("coverage.csv") && message.contains("CoveringSkuId"),
        "{message}"
    );
    let message = parse(
        "",
        "SPE_E5,e5,BI_AZURE_P2,70d33638-9c74-4d01-bfd3-562de28bd4ba\n",
    )
    .expect_err("bad SKU id");
    assert!(
        message.contains("coverage_plans.csv")
            && message.contains("line 2")
            && message.contains("SkuId"),
        "{message}"
    );
    // An empty plan name.
    let message = parse(
        "",
        &format!("SPE_E5,{E5}, ,70d33638-9c74-4d01-bfd3-562de28bd4ba\n"),
    )
    .expect_err("empty name");
    assert!(
        message.contains("line 2") && message.contains("ServicePlanName"),
        "{message}"
    );
    // A missing column.
    let message = Coverage::parse(
        Path::new("coverage.csv"),
        "CoveringSkuId,CoveredSkuId\n",
        Path::new("coverage_plans.csv"),
        PLANS_HEADER,
    )
    .expect_err("missing column")
    .to_string();
    assert!(
        message.contains("coverage.csv") && message.contains("CoveringSkuPartNumber"),
        "{message}"
    );
}
