//! The audit's typed tables and the report model, on one small fixed tenant: the Parquet files
//! read back with their schemas and values, the model's views computed by hand, `summary.md`
//! and the terminal table rendered from the model, the model rebuilt from the audit folder
//! alone, and unknown activity shown as `unknown`, never 0.

use crate::util::{seatwise, stderr, stdout};
use polars::prelude::*;
use seatwise::analyze::{AnalyzeOptions, AuditWindow, FindingKind, analyze};
use seatwise::catalogue::{Catalogue, PriceBook};
use seatwise::ingest::error::Strictness;
use seatwise::ingest::{IngestOptions, read_snapshot};
use seatwise::money::Money;
use seatwise::output::{AsOfSource, AuditReport, summary_md, terminal, write_audit_folder};
use seatwise::report::model::{
    AppsUsedRow, BreakdownRow, GroupRow, Headline, IdleSeatRow, KindTotal, Seats, Since, SkuRow,
    TopSaving, UnlicensedUser, WeekLaunches,
};
use seatwise::report::tables::Table;
use seatwise::report::{
    AuditContext, AuditTables, DataQuality, Figure, Percent, ReportModel, ReportOptions,
    UserAttribute,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const PREMIUM: &str = "b30411f5-fea1-4a59-9ad9-3db7c7ead579";
const FLOW_FREE: &str = "f30db892-07e9-47e9-837c-80727f46fd3d";
const ADA: &str = "11111111-1111-1111-1111-111111111111";
const BOB: &str = "22222222-2222-2222-2222-222222222222";
const CY: &str = "33333333-3333-3333-3333-333333333333";
const DEE: &str = "44444444-4444-4444-4444-444444444444";
const EVE: &str = "55555555-5555-5555-5555-555555555555";
/// Someone who left the directory but still launched an app.
const GONE: &str = "99999999-9999-9999-9999-999999999999";
const LICENSING_GROUP: &str = "aaaaaaaa-0000-0000-0000-0000000000a1";
const EXPENSES: &str = "3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01";
const WAREHOUSE: &str = "3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a02";
const LUNCH: &str = "3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a03";

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")
}

fn sign_in(at: &str) -> Value {
    json!({"lastSignInDateTime": at, "lastNonInteractiveSignInDateTime": null, "lastSuccessfulSignInDateTime": at})
}

fn license(sku: &str, group: Option<&str>) -> Value {
    json!({"skuId": sku, "assignedByGroup": group, "state": "Active", "error": "None"})
}

/// Five users, each a case:
/// - Ada, Finance, holds E5 and Power Apps Premium and uses two premium apps;
/// - Bob, no department, holds E5 through a group, never signed in, uses a premium app;
/// - Cy, Finance, holds E3 directly and through the group, inactive since May;
/// - Dee, Sales, holds E3 and Power Apps Premium, active, opens only a standard app;
/// - Eve, Sales, disabled, holds E5 and the free Power Automate.
fn users() -> Vec<Value> {
    let org = |cost_center: &str, division: &str| json!({"costCenter": cost_center, "division": division});
    vec![
        json!({"id": ADA, "userPrincipalName": "Ada@Contoso.com", "displayName": "Ada Lovelace",
            "accountEnabled": true, "userType": "Member", "department": "Finance",
            "companyName": "Contoso", "officeLocation": "Seattle", "usageLocation": "US",
            "employeeOrgData": org("CC-4100", "Corporate"),
            "assignedLicenses": [{"skuId": E5}, {"skuId": PREMIUM}],
            "licenseAssignmentStates": [license(E5, None), license(PREMIUM, None)],
            "signInActivity": sign_in("2026-10-30T08:00:00Z")}),
        json!({"id": BOB, "userPrincipalName": "bob@contoso.com", "displayName": "Bob",
            "accountEnabled": true, "userType": "Member", "department": "",
            "companyName": "Contoso", "officeLocation": null, "usageLocation": "US",
            "employeeOrgData": null,
            "assignedLicenses": [{"skuId": E5}],
            "licenseAssignmentStates": [license(E5, Some(LICENSING_GROUP))],
            "signInActivity": {"lastSignInDateTime": null, "lastNonInteractiveSignInDateTime": null, "lastSuccessfulSignInDateTime": null}}),
        json!({"id": CY, "userPrincipalName": "cy@contoso.com", "displayName": "Cy",
            "accountEnabled": true, "userType": "Member", "department": "Finance",
            "companyName": "Contoso", "officeLocation": "Seattle", "usageLocation": "US",
            "employeeOrgData": {"costCenter": null, "division": "Corporate"},
            "assignedLicenses": [{"skuId": E3}],
            "licenseAssignmentStates": [license(E3, Some(LICENSING_GROUP)), license(E3, None)],
            "signInActivity": sign_in("2026-05-01T09:00:00Z")}),
        json!({"id": DEE, "userPrincipalName": "dee@contoso.com", "displayName": "Dee",
            "accountEnabled": true, "userType": "Member", "department": "Sales",
            "companyName": "Contoso Europe", "officeLocation": "London", "usageLocation": "GB",
            "employeeOrgData": org("CC-1100", "Commercial"),
            "assignedLicenses": [{"skuId": E3}, {"skuId": PREMIUM}],
            "licenseAssignmentStates": [license(E3, None), license(PREMIUM, None)],
            "signInActivity": sign_in("2026-10-31T10:00:00Z")}),
        // As the Graph PowerShell SDK's ConvertTo-Json writes it: PascalCase.
        json!({"id": EVE, "userPrincipalName": "eve@contoso.com", "displayName": "Eve",
            "accountEnabled": false, "userType": "Member", "department": "Sales",
            "CompanyName": "Contoso Europe", "OfficeLocation": "London", "usageLocation": "GB",
            "EmployeeOrgData": {"CostCenter": "CC-1100", "Division": "Commercial"},
            "assignedLicenses": [{"skuId": E5}, {"skuId": FLOW_FREE}],
            "licenseAssignmentStates": [license(E5, None), license(FLOW_FREE, None)],
            "signInActivity": sign_in("2026-10-01T10:00:00Z")}),
    ]
}

fn subscribed_skus() -> Value {
    let sku = |id: &str, part: &str, enabled: i64, consumed: i64| {
        json!({"skuId": id, "skuPartNumber": part, "capabilityStatus": "Enabled", "appliesTo": "User",
            "prepaidUnits": {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
            "consumedUnits": consumed})
    };
    json!({"value": [
        sku(E5, "SPE_E5", 5, 3),
        sku(E3, "SPE_E3", 4, 2),
        sku(PREMIUM, "POWERAPPS_PER_USER", 3, 2),
        sku(FLOW_FREE, "FLOW_FREE", 10000, 1),
    ]})
}

/// A CSV field, quoted as Purview writes it.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A Purview export: launches (RecordType 45, carrying the object id as `UserKey`) and a
/// sign-in on the window's first days, so the export covers the window.
fn purview_audit() -> String {
    let launches = [
        (
            "r1",
            "2026-10-20T10:00:00",
            "ada@contoso.com",
            ADA,
            EXPENSES,
        ),
        (
            "r2",
            "2026-10-21T10:00:00",
            "ada@contoso.com",
            ADA,
            WAREHOUSE,
        ),
        (
            "r3",
            "2026-10-20T15:00:00",
            "ada@contoso.com",
            ADA,
            EXPENSES,
        ),
        (
            "r4",
            "2026-10-22T11:00:00",
            "bob@contoso.com",
            BOB,
            EXPENSES,
        ),
        (
            "r5",
            "2026-10-23T12:00:00",
            "gone@contoso.com",
            GONE,
            EXPENSES,
        ),
        ("r6", "2026-10-24T13:00:00", "dee@contoso.com", DEE, LUNCH),
        (
            "r7",
            "2026-11-03T09:00:00",
            "ada@contoso.com",
            ADA,
            EXPENSES,
        ),
    ];
    let mut text = String::from("RecordId,CreationDate,RecordType,Operation,UserId,AuditData\r\n");
    for (id, at, upn, key, app) in launches {
        let data = json!({"Id": id, "RecordType": 45, "CreationTime": at, "Operation": "LaunchPowerApp",
            "UserId": upn, "UserKey": key, "Workload": "PowerApps", "AppName": app});
        text.push_str(&format!(
            "{id},{at}Z,45,LaunchPowerApp,{upn},{}\r\n",
            quoted(&data.to_string())
        ));
    }
    let login = json!({"Id": "r0", "RecordType": 15, "CreationTime": "2026-08-05T08:00:00", "Operation": "UserLoggedIn"});
    text.push_str(&format!(
        "r0,2026-08-05T08:00:00Z,15,UserLoggedIn,ada@contoso.com,{}\r\n",
        quoted(&login.to_string())
    ));
    text
}

const APPS_CSV: &str = "\"AppName\",\"DisplayName\",\"EnvironmentName\",\"UsesPremiumApi\",\"UsesCustomApi\",\"UsesOnPremiseGateway\"\r\n\
\"3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01\",\"Expenses\",\"env\",\"True\",\"False\",\"False\"\r\n\
\"3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a02\",\"Warehouse\",\"env\",\"False\",\"False\",\"True\"\r\n\
\"3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a03\",\"Lunch\",\"env\",\"False\",\"False\",\"False\"\r\n";

/// E3 at a price with a tenth of a cent, to keep money exact through the tables.
const PRICES_CSV: &str = "SkuPartNumber,MonthlyPrice,Currency\r\nSPE_E3,36.125,USD\r\n";

/// Writes the tenant into `dir`; `with_sign_ins` false strips every `signInActivity`.
pub(crate) fn write_tenant(dir: &Path, with_sign_ins: bool) {
    std::fs::create_dir_all(dir.join("audit")).expect("create snapshot dirs");
    let mut users = users();
    if !with_sign_ins {
        for user in &mut users {
            if let Some(object) = user.as_object_mut() {
                object.remove("signInActivity");
            }
        }
    }
    let files = [
        ("subscribedSkus.json", subscribed_skus().to_string()),
        ("users.json", json!({"value": users}).to_string()),
        ("apps.csv", APPS_CSV.to_string()),
        ("prices.csv", PRICES_CSV.to_string()),
        ("audit/purview.csv", purview_audit()),
        (
            "snapshot.json",
            json!({"tenantId": "t", "collectedAt": "2026-11-01T06:00:00Z", "source": "test"})
                .to_string(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write snapshot file");
    }
}

/// One audit of the tenant, in memory and written to `<tmp>/audit`.
pub(crate) struct Audited {
    _temp: tempfile::TempDir,
    pub(crate) snapshot: PathBuf,
    pub(crate) out: PathBuf,
    tables: AuditTables,
    pub(crate) model: ReportModel,
}

pub(crate) fn audit(with_sign_ins: bool, options: &ReportOptions) -> Audited {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot_dir = temp.path().join("snapshot");
    write_tenant(&snapshot_dir, with_sign_ins);
    let snapshot = read_snapshot(
        &snapshot_dir,
        &IngestOptions {
            strictness: Strictness::Strict,
        },
    )
    .expect("read snapshot");
    let window = AuditWindow {
        as_of: as_of(),
        days: 90,
    };
    let analysis = analyze(
        &snapshot,
        &Catalogue::bundled().expect("catalogue"),
        PriceBook::bundled().expect("prices"),
        window,
        AnalyzeOptions::default(),
    )
    .expect("analyze");
    let tables = AuditTables::build(&snapshot, &analysis).expect("tables");
    let as_of_source = AsOfSource::SnapshotCollectedAt;
    let model = ReportModel::build(
        AuditContext::of(
            &snapshot,
            window,
            as_of_source,
            &analysis.currency,
            &analysis.price_book,
            &analysis.renewals,
        )
        .with_license_mix(analysis.license_mix.as_ref()),
        &tables,
        DataQuality::new(snapshot.quality.clone(), analysis.quality.clone()),
        options,
    )
    .expect("model");
    let out = temp.path().join("audit");
    write_audit_folder(
        &out,
        &AuditReport {
            snapshot: &snapshot,
            analysis: &analysis,
            as_of_source,
            tables: &tables,
            model: &model,
            with_report: true,
            inputs: &[],
        },
    )
    .expect("write audit folder");
    Audited {
        _temp: temp,
        snapshot: snapshot_dir,
        out,
        tables,
        model,
    }
}

fn usd(text: &str) -> Money {
    Money::parse(text).expect("amount")
}

fn datetime(values: &[Option<&str>]) -> Column {
    let millis: Vec<Option<i64>> = values
        .iter()
        .map(|value| {
            value
                .map(|text| seatwise::support::timestamp::parse_timestamp(text).expect("timestamp"))
        })
        .collect();
    Column::new("".into(), millis)
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .expect("datetime")
}

#[test]
fn the_tables_are_written_as_parquet_and_read_back_with_their_schemas() {
    let audited = audit(true, &ReportOptions::default());
    let read = AuditTables::read(&audited.out).expect("read the tables back");
    assert_eq!(read, audited.tables);
    for table in Table::ALL {
        assert_eq!(
            read.get(table).schema().as_ref(),
            &table.schema(),
            "{}",
            table.file_name()
        );
    }

    let users = read
        .users
        .clone()
        .lazy()
        .select([
            col("user_id"),
            col("department"),
            col("company_name"),
            col("office_location"),
            col("cost_center"),
            col("division"),
            col("account_enabled"),
            col("last_activity"),
            col("activity_known"),
        ])
        .collect()
        .expect("users");
    let mut expected = df!(
        "user_id" => [ADA, BOB, CY, DEE, EVE],
        "department" => [Some("Finance"), None, Some("Finance"), Some("Sales"), Some("Sales")],
        "company_name" => ["Contoso", "Contoso", "Contoso", "Contoso Europe", "Contoso Europe"],
        "office_location" => [Some("Seattle"), None, Some("Seattle"), Some("London"), Some("London")],
        "cost_center" => [Some("CC-4100"), None, None, Some("CC-1100"), Some("CC-1100")],
        "division" => [Some("Corporate"), None, Some("Corporate"), Some("Commercial"), Some("Commercial")],
        "account_enabled" => [true, true, true, true, false],
        "activity_known" => [true; 5],
    )
    .expect("expected users");
    expected
        .insert_column(
            7,
            datetime(&[
                Some("2026-10-30T08:00:00Z"),
                None,
                Some("2026-05-01T09:00:00Z"),
                Some("2026-10-31T10:00:00Z"),
                Some("2026-10-01T10:00:00Z"),
            ])
            .with_name("last_activity".into()),
        )
        .expect("insert");
    assert_eq!(users, expected);

    // How each license is held: Cy's E3 both directly and through the group, direct first.
    let lists = read
        .holdings
        .column("assigned_by")
        .and_then(|column| column.list())
        .expect("assigned_by");
    let sources: Vec<Option<Vec<String>>> = (0..lists.len())
        .map(|row| {
            lists.get_as_series(row).map(|series| {
                series
                    .str()
                    .expect("strings")
                    .iter()
                    .map(|source| source.unwrap_or_default().to_string())
                    .collect()
            })
        })
        .collect();
    let direct = || Some(vec!["direct".to_string()]);
    assert_eq!(
        sources,
        vec![
            direct(),
            direct(),
            Some(vec![LICENSING_GROUP.to_string()]),
            Some(vec!["direct".to_string(), LICENSING_GROUP.to_string()]),
            direct(),
            direct(),
            direct(),
            direct(),
        ]
    );

    let expected_skus = df!(
        "sku_id" => [FLOW_FREE, PREMIUM, E3, E5],
        "sku_part_number" => ["FLOW_FREE", "POWERAPPS_PER_USER", "SPE_E3", "SPE_E5"],
        "sku_display_name" => ["Microsoft Power Automate Free", "Power Apps Premium", "Microsoft 365 E3", "Microsoft 365 E5"],
        "premium" => [false, true, false, false],
        "prepaid_enabled" => [10000i64, 3, 4, 5],
        "prepaid_warning" => [0i64; 4],
        "purchased_seats" => [10000i64, 3, 4, 5],
        "consumed_units" => [1i64, 2, 2, 3],
        "monthly_price" => [0i64, 20_000_000, 36_125_000, 60_000_000],
        "currency" => ["USD"; 4],
        "capability_status" => ["Enabled"; 4],
        "is_paid" => [true; 4],
    )
    .expect("expected skus");
    assert_eq!(read.skus, expected_skus);

    // Ada's two Expenses launches of 20 October are one row of two; the launch after the
    // as-of date is kept (readers choose their window); the stranger keeps their object id.
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    let days: Vec<i32> = [(10, 20), (10, 21), (10, 22), (10, 23), (10, 24), (11, 3)]
        .iter()
        .map(|(month, day)| {
            let date = chrono::NaiveDate::from_ymd_opt(2026, *month, *day).expect("day");
            i32::try_from((date - epoch).num_days()).expect("days")
        })
        .collect();
    let mut expected_launches = df!(
        "date" => days,
        "user_id" => [Some(ADA), Some(ADA), Some(BOB), None, Some(DEE), Some(ADA)],
        "unknown_user" => [None, None, None, Some(GONE), None, None],
        "app_id" => [EXPENSES, WAREHOUSE, EXPENSES, EXPENSES, LUNCH, EXPENSES],
        "app_is_premium" => [true, true, true, true, false, true],
        "app_in_inventory" => [true; 6],
        "launches" => [2i64, 1, 1, 1, 1, 1],
    )
    .expect("expected launches");
    expected_launches
        .apply("date", |dates| dates.cast(&DataType::Date).expect("dates"))
        .expect("date column");
    assert_eq!(read.launches_daily, expected_launches);

    // Findings keep exact amounts: Cy's E3 is 36.125, which findings.json rounds to 36.13.
    let cy = read
        .findings
        .clone()
        .lazy()
        .filter(
            col("user_id")
                .eq(lit(CY))
                .and(col("kind").eq(lit("inactive-holder"))),
        )
        .select([col("monthly_amount"), col("reason")])
        .collect()
        .expect("Cy's finding");
    assert_eq!(
        cy,
        df!("monthly_amount" => [36_125_000i64], "reason" => ["inactive"]).expect("expected")
    );
}

#[test]
fn a_table_of_another_schema_is_refused_by_name() {
    let audited = audit(true, &ReportOptions::default());
    std::fs::copy(
        audited.out.join("skus.parquet"),
        audited.out.join("users.parquet"),
    )
    .expect("copy");
    let error = AuditTables::read(&audited.out)
        .expect_err("a skus table is no users table")
        .to_string();
    assert!(
        error.contains("users.parquet: holds seatwise.skus/1, not seatwise.users/1"),
        "{error}"
    );
}

#[test]
fn the_model_holds_every_figure_computed_once() {
    let audited = audit(true, &ReportOptions::default());
    let model = &audited.model;
    // Paid for: E5 5 × 60, E3 4 × 36.125, Premium 3 × 20, Flow free 10000 × 0.
    // Savings: idle E5 2 × 60, E3 2 × 36.125, Premium 1 × 20; Bob's and Eve's E5 (never
    // signed in, disabled), Cy's E3 (inactive); Dee's Premium (no premium use).
    // Cost to comply: Bob's premium use, 20.
    assert_eq!(
        model.headline,
        Headline {
            users: 5,
            licensed_users: 5,
            monthly_cost: usd("504.50"),
            yearly_cost: usd("6054.00"),
            monthly_savings: usd("388.375"),
            yearly_savings: usd("4660.50"),
            monthly_cost_to_comply: usd("20"),
            yearly_cost_to_comply: usd("240"),
            seats: Seats {
                purchased: 12,
                assigned: 7,
                // Ada's E5 and Premium, Dee's E3 and Premium, Eve's E5 (disabled, but active).
                active: Figure::Known(5),
                idle: 5,
            },
            cost_per_licensed_user: Some(usd("100.90")),
        }
    );
    let kind = |kind: FindingKind, count: i64, amount: &str| KindTotal {
        kind,
        count,
        monthly_amount: usd(amount),
    };
    assert_eq!(
        model.by_kind,
        vec![
            kind(FindingKind::AssignmentError, 0, "0"),
            kind(FindingKind::DuplicateAssignment, 1, "0"),
            kind(FindingKind::IdleSeats, 3, "212.25"),
            kind(FindingKind::InactiveHolder, 3, "156.125"),
            kind(FindingKind::MissingPremium, 1, "20"),
            kind(FindingKind::RedundantLicense, 0, "0"),
            // Ada opened two premium apps in October and none in September: pay-as-you-go
            // (0 + 2 × 10) / 2 = 10 against 20 per user.
            kind(FindingKind::RightSize, 1, "10"),
            kind(FindingKind::UnusedPremium, 1, "20"),
        ]
    );

    let sku = |part_number: &str| {
        model
            .skus
            .iter()
            .find(|sku| sku.part_number == part_number)
            .cloned()
            .expect("SKU row")
    };
    assert_eq!(
        model
            .skus
            .iter()
            .map(|sku| sku.part_number.as_str())
            .collect::<Vec<_>>(),
        ["SPE_E5", "SPE_E3", "POWERAPPS_PER_USER", "FLOW_FREE"]
    );
    assert_eq!(
        sku("SPE_E3"),
        SkuRow {
            sku_id: E3.into(),
            part_number: "SPE_E3".into(),
            display_name: Some("Microsoft 365 E3".into()),
            premium: false,
            capability_status: Some("Enabled".into()),
            paid: true,
            monthly_price: Some(usd("36.125")),
            purchased_seats: 4,
            assigned_seats: 2,
            holders: 2,
            active_holders: Figure::Known(1),
            idle_seats: 2,
            monthly_cost: usd("144.50"),
            idle_amount: usd("72.25"),
            inactive_holders: 1,
            inactive_holder_amount: usd("36.125"),
            unused_premium_holders: 0,
            unused_premium_amount: Money::ZERO,
            redundant_holders: 0,
            redundant_amount: Money::ZERO,
            monthly_savings: usd("108.375"),
            in_use_amount: usd("36.125"),
            utilisation: Some(Percent(500)),
        }
    );
    assert_eq!(sku("POWERAPPS_PER_USER").unused_premium_amount, usd("20"));
    assert_eq!(sku("SPE_E5").inactive_holders, 2);
    assert_eq!(sku("FLOW_FREE").utilisation, Some(Percent(0)));

    let group = |name: &str, users, licensed_users, active, licenses, cost: &str| GroupRow {
        name: name.into(),
        users,
        licensed_users,
        active_users: Figure::Known(active),
        licenses,
        license_cost: usd(cost),
        saving_findings: 0,
        savings: Money::ZERO,
        missing_premium_users: 0,
        cost_to_comply: Money::ZERO,
    };
    let breakdown = &model.by_attribute;
    assert_eq!(breakdown.attribute, UserAttribute::Department);
    assert_eq!(
        breakdown.groups,
        vec![
            GroupRow {
                saving_findings: 1,
                savings: usd("36.125"),
                ..group("Finance", 2, 2, 1, 3, "116.125")
            },
            GroupRow {
                saving_findings: 2,
                savings: usd("80"),
                ..group("Sales", 2, 2, 2, 3, "116.125")
            },
            GroupRow {
                saving_findings: 1,
                savings: usd("60"),
                missing_premium_users: 1,
                cost_to_comply: usd("20"),
                ..group("Unassigned", 1, 1, 0, 1, "60")
            },
        ]
    );
    // The groups and the overhead (the idle seats) are what the tenant pays.
    assert_eq!(breakdown.overhead, usd("212.25"));
    assert_eq!(breakdown.total, model.headline.monthly_cost);

    let row = |name: &str, findings, amount: &str| BreakdownRow {
        name: name.into(),
        findings,
        monthly_amount: usd(amount),
    };
    assert_eq!(
        model.savings_by_sku,
        vec![
            row("SPE_E5", 3, "240"),
            row("SPE_E3", 2, "108.375"),
            row("POWERAPPS_PER_USER", 2, "40"),
        ]
    );
    assert_eq!(
        model.savings_by_group,
        vec![
            row("Sales", 2, "80"),
            row("Unassigned", 1, "60"),
            row("Finance", 1, "36.125"),
        ]
    );
    assert_eq!(model.unlicensed_by_group, vec![row("Unassigned", 1, "20")]);

    let top = |kind, user: Option<&str>, group: Option<&str>, part: &str, amount: &str| TopSaving {
        kind,
        user_id: None,
        user_principal_name: user.map(str::to_string),
        group: group.map(str::to_string),
        sku_part_number: part.into(),
        reason: None,
        seats: None,
        monthly_amount: usd(amount),
        user_display_name: None,
        since: Since::Unknown,
    };
    let tops: Vec<TopSaving> = model
        .top_savings
        .iter()
        .map(|saving| TopSaving {
            user_id: None,
            reason: None,
            seats: None,
            user_display_name: None,
            since: Since::Unknown,
            ..saving.clone()
        })
        .collect();
    assert_eq!(
        tops,
        vec![
            top(FindingKind::IdleSeats, None, None, "SPE_E5", "120"),
            top(FindingKind::IdleSeats, None, None, "SPE_E3", "72.25"),
            top(
                FindingKind::InactiveHolder,
                Some("bob@contoso.com"),
                Some("Unassigned"),
                "SPE_E5",
                "60"
            ),
            top(
                FindingKind::InactiveHolder,
                Some("eve@contoso.com"),
                Some("Sales"),
                "SPE_E5",
                "60"
            ),
            top(
                FindingKind::InactiveHolder,
                Some("cy@contoso.com"),
                Some("Finance"),
                "SPE_E3",
                "36.125"
            ),
            top(
                FindingKind::IdleSeats,
                None,
                None,
                "POWERAPPS_PER_USER",
                "20"
            ),
            top(
                FindingKind::UnusedPremium,
                Some("dee@contoso.com"),
                Some("Sales"),
                "POWERAPPS_PER_USER",
                "20"
            ),
        ]
    );

    let premium = &model.premium_use;
    assert!(premium.known);
    assert_eq!(
        (
            premium.users,
            premium.licensed_users,
            premium.unlicensed_users
        ),
        (2, 1, 1)
    );
    assert_eq!(
        premium.by_apps_used,
        vec![
            AppsUsedRow {
                apps: 1,
                users: 1,
                licensed: 0,
                unlicensed: 1
            },
            AppsUsedRow {
                apps: 2,
                users: 1,
                licensed: 1,
                unlicensed: 0
            },
        ]
    );
    assert_eq!(premium.premium_holders, 2);
    assert_eq!(premium.premium_holders_using, Figure::Known(1));
    assert_eq!(premium.monthly_cost_to_comply, usd("20"));
}

fn day(month: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, month, day).expect("date")
}

/// The figures the report page needs beyond summary.md: who and since when for the largest
/// savings, the idle-seat rows, the unlicensed users and premium launches per week.
#[test]
fn the_model_holds_the_pages_rows() {
    let audited = audit(true, &ReportOptions::default());
    let model = &audited.model;
    let since: Vec<(Option<&str>, Option<&str>, Since)> = model
        .top_savings
        .iter()
        .map(|saving| {
            (
                saving.user_principal_name.as_deref(),
                saving.user_display_name.as_deref(),
                saving.since,
            )
        })
        .collect();
    assert_eq!(
        since,
        vec![
            (None, None, Since::Unknown),
            (None, None, Since::Unknown),
            // Never signed in; disabled after a sign-in on 1 October; inactive since May.
            (Some("bob@contoso.com"), Some("Bob"), Since::Never),
            (
                Some("eve@contoso.com"),
                Some("Eve"),
                Since::Date(day(10, 1))
            ),
            (Some("cy@contoso.com"), Some("Cy"), Since::Date(day(5, 1))),
            (None, None, Since::Unknown),
            // Dee opened only a standard app: no premium use at all.
            (Some("dee@contoso.com"), Some("Dee"), Since::Never),
        ]
    );

    let idle = |part: &str, name: &str, purchased, assigned, idle, price: &str, amount: &str| {
        IdleSeatRow {
            sku_part_number: part.into(),
            sku_display_name: Some(name.into()),
            capability_status: Some("Enabled".into()),
            purchased_seats: purchased,
            assigned_seats: assigned,
            idle_seats: idle,
            monthly_price: Some(usd(price)),
            monthly_amount: usd(amount),
        }
    };
    assert_eq!(
        model.idle_seats,
        vec![
            idle("SPE_E5", "Microsoft 365 E5", 5, 3, 2, "60", "120"),
            idle("SPE_E3", "Microsoft 365 E3", 4, 2, 2, "36.125", "72.25"),
            idle(
                "POWERAPPS_PER_USER",
                "Power Apps Premium",
                3,
                2,
                1,
                "20",
                "20"
            ),
        ]
    );

    assert_eq!(
        model.premium_use.unlicensed_use,
        vec![UnlicensedUser {
            user_principal_name: Some("bob@contoso.com".into()),
            user_display_name: Some("Bob".into()),
            group: "Unassigned".into(),
            premium_apps_used: Some(1),
            last_premium_use: Some(day(10, 22)),
            sku_part_number: "POWERAPPS_PER_USER".into(),
            monthly_amount: usd("20"),
        }]
    );

    // The window, 4 August (a Tuesday) to 1 November (a Sunday), touches 13 weeks. Ada's
    // three premium launches, Bob's and the stranger's fall in the week of 19 October; Dee's
    // launch is of a standard app and Ada's of 3 November is after the as-of date.
    let weeks = &model.premium_use.launches_by_week;
    assert_eq!(weeks.len(), 13);
    assert_eq!(
        weeks
            .first()
            .map(|week| (week.week_start, week.days_in_window)),
        Some((day(8, 3), 6))
    );
    assert_eq!(
        weeks
            .last()
            .map(|week| (week.week_start, week.days_in_window)),
        Some((day(10, 26), 7))
    );
    let busy: Vec<&WeekLaunches> = weeks
        .iter()
        .filter(|week| week.licensed + week.unlicensed + week.outside_directory > 0)
        .collect();
    assert_eq!(
        busy,
        vec![&WeekLaunches {
            week_start: day(10, 19),
            days_in_window: 7,
            licensed: 3,
            unlicensed: 1,
            outside_directory: 1,
        }]
    );
    assert!(
        weeks
            .windows(2)
            .all(|pair| pair[1].week_start - pair[0].week_start == chrono::Duration::days(7))
    );
}

#[test]
fn the_model_is_rebuilt_from_the_audit_folder_alone() {
    let audited = audit(true, &ReportOptions::default());
    // The snapshot is gone: the tables and findings.json are all a report needs.
    std::fs::remove_dir_all(&audited.snapshot).expect("remove the snapshot");
    let rebuilt = ReportModel::from_audit_folder(&audited.out, &ReportOptions::default())
        .expect("rebuild the model");
    assert_eq!(rebuilt, audited.model);
    assert_eq!(
        std::fs::read_to_string(audited.out.join("summary.md")).expect("summary"),
        summary_md::render(&rebuilt)
    );
}

#[test]
fn any_chargeback_attribute_breaks_costs_down_and_adds_up() {
    let options = ReportOptions {
        by: UserAttribute::CostCenter,
        top: 2,
    };
    let audited = audit(true, &options);
    let model = &audited.model;
    let groups: Vec<(&str, i64, Money)> = model
        .by_attribute
        .groups
        .iter()
        .map(|group| (group.name.as_str(), group.users, group.license_cost))
        .collect();
    // Bob has no employeeOrgData and Cy a division but no cost center: both Unassigned.
    assert_eq!(
        groups,
        vec![
            ("CC-1100", 2, usd("116.125")),
            ("Unassigned", 2, usd("96.125")),
            ("CC-4100", 1, usd("80")),
        ]
    );
    let charged: Money = model
        .by_attribute
        .groups
        .iter()
        .map(|group| group.license_cost)
        .sum();
    assert_eq!(
        charged + model.by_attribute.overhead,
        model.headline.monthly_cost
    );
    assert_eq!(model.top_savings.len(), 2);
    let summary = summary_md::render(model);
    assert!(summary.contains("## Savings by cost center"), "{summary}");
}

/// Without sign-in activity, active seats are unknown, never 0.
#[test]
fn unknown_activity_reads_unknown_never_zero() {
    let audited = audit(false, &ReportOptions::default());
    let model = &audited.model;
    assert_eq!(model.headline.seats.active, Figure::Unknown);
    assert!(
        model
            .skus
            .iter()
            .all(|sku| sku.active_holders == Figure::Unknown)
    );
    assert!(
        model
            .by_attribute
            .groups
            .iter()
            .all(|group| group.active_users == Figure::Unknown)
    );
    let summary = std::fs::read_to_string(audited.out.join("summary.md")).expect("summary");
    assert!(
        summary.contains("| Held by users active in the window | unknown |"),
        "{summary}"
    );
    assert!(
        summary.contains("| SPE_E5 | 60.00 | 5 | 3 | 60.0% | unknown |"),
        "{summary}"
    );
    assert!(
        summary.contains("**Sign-in activity is unknown**"),
        "{summary}"
    );
    let table = terminal::render(model, &audited.out);
    assert!(table.contains("held by active users unknown"), "{table}");

    // The binary prints the same.
    let output = seatwise(&[
        "audit",
        audited.snapshot.to_str().expect("utf-8 path"),
        "--out",
        audited.out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("held by active users unknown"),
        "{}",
        stdout(&output)
    );
}

/// The terminal table, whole.
#[test]
fn the_terminal_table_renders_the_model() {
    let audited = audit(true, &ReportOptions::default());
    let table = terminal::render(&audited.model, Path::new("reports/2026-11-01"));
    assert_eq!(table, EXPECTED_TERMINAL);
}

const EXPECTED_TERMINAL: &str = "\
seatwise audit as of 2026-11-01 (the snapshot's collectedAt date), window 90 days from 2026-08-04

kind                    findings      monthly USD
assignment-error               0             0.00
duplicate-assignment           1             0.00
idle-seats                     3           212.25  saving
inactive-holder                3           156.13  saving
missing-premium                1            20.00  cost to comply
redundant-license              0             0.00  saving
right-size                     1            10.00  saving by changing license
unused-premium                 1            20.00  saving

users 5 (licensed 5)  |  paid 504.50 USD/month  |  savings 388.38 USD/month  |  cost to comply 20.00 USD/month
paid seats 12  |  assigned 7  |  held by active users 5  |  idle 5
written to reports/2026-11-01
";

/// summary.md, whole: the model rendered, with the temporary snapshot path masked.
#[test]
fn summary_md_renders_the_model() {
    let audited = audit(true, &ReportOptions::default());
    let summary = std::fs::read_to_string(audited.out.join("summary.md"))
        .expect("summary")
        .replace(&audited.snapshot.display().to_string(), "[SNAPSHOT]");
    assert_eq!(summary, EXPECTED_SUMMARY);
}

const EXPECTED_SUMMARY: &str = r#"# seatwise license audit as of 2026-11-01

- Snapshot: [SNAPSHOT], tenant t, collected 2026-11-01T06:00:00Z
- As-of date 2026-11-01 (the snapshot's collectedAt date); activity window 90 days, 2026-08-04 to 2026-11-01
- Prices in USD: 69 bundled list prices, 1 overridden by the snapshot's prices.csv
- 5 users, 5 holding at least one license

## Money

| | per month (USD) | per year (USD) |
| --- | ---: | ---: |
| What the tenant pays for its purchased seats | 504.50 | 6,054.00 |
| Could be saved (inactive holders, unused premium, redundant licenses, idle seats) | 388.38 | 4,660.50 |
| Would cost to license unlicensed premium use | 20.00 | 240.00 |

Per licensed user, the tenant pays 100.90 USD a month.

## Seats

Seats of the priced SKUs the tenant pays for.

| | seats |
| --- | ---: |
| Purchased | 12 |
| Assigned | 7 |
| Held by users active in the window | 5 |
| Idle (purchased, not assigned) | 5 |

## Findings

| kind | meaning | findings | per month (USD) | |
| --- | --- | ---: | ---: | --- |
| `assignment-error` | a license assignment Entra could not apply | 0 | 0.00 |  |
| `duplicate-assignment` | the same license granted by more than one source | 1 | 0.00 |  |
| `idle-seats` | purchased seats nobody holds | 3 | 212.25 | saving |
| `inactive-holder` | a paid license held by a disabled, never-signed-in or inactive user | 3 | 156.13 | saving |
| `missing-premium` | premium apps used without a premium license | 1 | 20.00 | cost to comply |
| `redundant-license` | a paid license whose every service another license the user holds already grants | 0 | 0.00 | saving |
| `right-size` | a per-user Power Apps Premium license whose use another license covers for less | 1 | 10.00 | saving by changing license |
| `unused-premium` | a premium license with no premium app use in the window | 1 | 20.00 | saving |

## Cost and waste by SKU

| SKU | price (USD) | purchased | assigned | utilisation | active holders | idle | per month (USD) | could save (USD) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| SPE_E5 | 60.00 | 5 | 3 | 60.0% | 2 | 2 | 300.00 | 240.00 |
| SPE_E3 | 36.13 | 4 | 2 | 50.0% | 1 | 2 | 144.50 | 108.38 |
| POWERAPPS_PER_USER | 20.00 | 3 | 2 | 66.7% | 2 | 1 | 60.00 | 40.00 |
| FLOW_FREE | 0.00 | 10000 | 1 | 0.0% | 1 | 9999 | 0.00 | 0.00 |

## Savings by SKU

| SKU | findings | per month (USD) |
| --- | ---: | ---: |
| SPE_E5 | 3 | 240.00 |
| SPE_E3 | 2 | 108.38 |
| POWERAPPS_PER_USER | 2 | 40.00 |

## Savings by department

| department | findings | per month (USD) |
| --- | ---: | ---: |
| Sales | 2 | 80.00 |
| Unassigned | 1 | 60.00 |
| Finance | 1 | 36.13 |

## Unlicensed premium use by department

| department | findings | per month (USD) |
| --- | ---: | ---: |
| Unassigned | 1 | 20.00 |

## Largest savings

| kind | user, or seats | department | SKU | reason | per month (USD) |
| --- | --- | --- | --- | --- | ---: |
| `idle-seats` | 2 idle |  | SPE_E5 |  | 120.00 |
| `idle-seats` | 2 idle |  | SPE_E3 |  | 72.25 |
| `inactive-holder` | bob@contoso.com | Unassigned | SPE_E5 | never-signed-in | 60.00 |
| `inactive-holder` | eve@contoso.com | Sales | SPE_E5 | disabled | 60.00 |
| `inactive-holder` | cy@contoso.com | Finance | SPE_E3 | inactive | 36.13 |
| `idle-seats` | 1 idle |  | POWERAPPS_PER_USER |  | 20.00 |
| `unused-premium` | dee@contoso.com | Sales | POWERAPPS_PER_USER | no-premium-use | 20.00 |

## When the savings can be banked

- 176.13 USD a month of the savings are licenses taken back from users: the seats can go to the next hire at once instead of a purchase.
- The snapshot has no subscriptions.json (Graph `GET /v1.0/directory/subscriptions`), so when seats can drop is unknown.

| seats can drop on | findings | per month (USD) | per year (USD) |
| --- | ---: | ---: | ---: |
| unknown | 7 | 388.38 | 4,660.50 |

## Premium use

- 2 users opened premium apps in the window: 1 with a premium license, 1 without
- 2 users hold a premium license the tenant pays for; 1 of them opened a premium app in the window

| premium apps opened | users | without a premium license |
| ---: | ---: | ---: |
| 1 | 1 | 1 |
| 2 | 1 | 0 |

## Power Apps license mix

Premium use counted over the calendar months wholly inside the window (2026-09, 2026-10), priced each way the price book allows; the cheapest for each user wins, a tie keeps per user.

| option | price (USD) | users on the cheapest mix | per month (USD) |
| --- | ---: | ---: | ---: |
| Power Apps Premium per user (`POWERAPPS_PER_USER`, per user a month) | 20.00 | 0 | 0.00 |
| pay-as-you-go (`POWERAPPS_PAYG`, per active user per app a month) | 10.00 | 2 | 15.00 |

- 2 premium users priced: 1 holding Power Apps Premium (not in a reclaim finding), 1 without a premium license; the per-user tier comes from 3 purchased seats
- Per month: 20.00 USD today for the holders; 40.00 USD with every priced user on per user; 15.00 USD on the cheapest mix
- 0 users are within 10 % of a break-even (their two cheapest options differ by at most a tenth)
- Not considered: per app, as the price book has no per app plan that is purchasable

## Data quality

- Audit coverage (the earliest to the latest exported record): 2026-08-05T08:00:00Z to 2026-11-03T09:00:00Z; it covers the window (2026-08-04 to 2026-11-01, allowing 7 days late and 2 days early)
- Audit exports: 1 files, 8 rows, 7 `LaunchPowerApp` launches (6 in the window, 1 after the as-of date and ignored); 1 rows of other operations skipped
- Launches in the window by users not in the directory: 1 by 1 users (1 of premium apps); not findings
- Launches in the window of apps missing from the inventory (treated as not premium): 0 of 0 apps
- No malformed rows
"#;

/// On the sample tenant, the model's totals are the audit's: the same figures findings.json
/// states, and the breakdowns add up to them.
#[test]
fn the_model_of_the_sample_agrees_with_findings_json() {
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
    let model = ReportModel::from_audit_folder(&out, &ReportOptions::default()).expect("model");
    let (document, _) =
        seatwise::contract::findings::read(&out.join("findings.json")).expect("findings.json");
    let summary = &document.summary;
    let headline = &model.headline;
    assert_eq!(headline.users, 300);
    assert_eq!(
        (headline.users, headline.licensed_users),
        (summary.users as i64, summary.licensed_users as i64)
    );
    // findings.json rounds to cents; the model keeps the exact sums.
    assert_eq!(
        headline.monthly_cost.rounded_to_cents(),
        summary.monthly_cost
    );
    assert_eq!(
        headline.monthly_savings.rounded_to_cents(),
        summary.monthly_savings
    );
    assert_eq!(
        headline.monthly_cost_to_comply.rounded_to_cents(),
        summary.monthly_cost_to_comply
    );
    for total in &model.by_kind {
        assert_eq!(
            Some(total.count as usize),
            summary.findings.get(&total.kind).copied(),
            "{}",
            total.kind
        );
    }
    let by_sku: Money = model.skus.iter().map(|sku| sku.monthly_cost).sum();
    assert_eq!(by_sku, headline.monthly_cost);
    let sku_savings: Money = model.skus.iter().map(|sku| sku.monthly_savings).sum();
    assert_eq!(sku_savings, headline.monthly_savings);
    let charged: Money = model
        .by_attribute
        .groups
        .iter()
        .map(|group| group.license_cost)
        .sum();
    assert_eq!(charged + model.by_attribute.overhead, headline.monthly_cost);
    let group_users: i64 = model
        .by_attribute
        .groups
        .iter()
        .map(|group| group.users)
        .sum();
    assert_eq!(group_users, headline.users);
    assert_eq!(
        model.premium_use.unlicensed_users,
        model
            .by_kind
            .iter()
            .find(|total| total.kind == FindingKind::MissingPremium)
            .map_or(0, |total| total.count)
    );
    // The generated directory carries the chargeback attributes: cost centers are groups.
    let by_cost_center = ReportModel::from_audit_folder(
        &out,
        &ReportOptions {
            by: UserAttribute::CostCenter,
            top: 10,
        },
    )
    .expect("model by cost center");
    assert!(by_cost_center.by_attribute.groups.len() > 5);
    assert!(
        by_cost_center
            .by_attribute
            .groups
            .iter()
            .any(|group| group.name.starts_with("CC-"))
    );
}
