//! Rule tests on hand-built frames. Each test builds a tiny tenant with [`TenantBuilder`],
//! runs the whole analysis, and compares with findings written out by hand.

use super::*;
use crate::catalogue::{CatalogueSku, PriceEntry};
use crate::model::{IngestQuality, SnapshotMetadata};
use chrono::NaiveDate;

const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const PREMIUM: &str = "b30411f5-fea1-4a59-9ad9-3db7c7ead579";
const TRIAL: &str = "dcb1a3ae-b33f-4487-846a-a640262fadf4";
const PREMIUM_APP: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const STANDARD_APP: &str = "aaaaaaaa-0000-0000-0000-000000000002";
const UNLISTED_APP: &str = "aaaaaaaa-0000-0000-0000-000000000003";
const GROUP: &str = "99999999-0000-0000-0000-000000000001";
const OTHER_GROUP: &str = "99999999-0000-0000-0000-000000000002";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date")
}

/// Milliseconds of `YYYY-MM-DDTHH:MM:SSZ`.
fn at(text: &str) -> i64 {
    crate::support::timestamp::parse_timestamp(text).expect("valid timestamp")
}

fn catalogue() -> Catalogue {
    let sku = |part: &str, id: &str, premium: bool| CatalogueSku {
        part_number: part.into(),
        sku_id: id.into(),
        display_name: part.into(),
        premium,
    };
    Catalogue {
        skus: vec![
            sku("SPE_E5", E5, false),
            sku("POWERAPPS_PER_USER", PREMIUM, true),
            sku("POWERAPPS_VIRAL", TRIAL, true),
        ],
        coverage: crate::catalogue::Coverage::none(),
    }
}

fn prices() -> PriceBook {
    let entry = |part: &str, price: &str| PriceEntry {
        part_number: part.into(),
        monthly_price: Money::parse(price).expect("valid price"),
        currency: "USD".into(),
        effective_from: None,
        min_seats: 0,
        purchasable: true,
        source: None,
    };
    PriceBook {
        entries: vec![
            entry("SPE_E5", "57.00"),
            entry("POWERAPPS_PER_USER", "20.00"),
            entry("POWERAPPS_VIRAL", "0"),
        ],
    }
}

#[derive(Clone)]
struct TestUser {
    id: String,
    upn: String,
    enabled: Option<bool>,
    department: Option<String>,
    last_sign_in: Option<i64>,
    last_non_interactive: Option<i64>,
    last_successful: Option<i64>,
    counts_failed_attempts: bool,
}

#[derive(Default)]
struct TenantBuilder {
    users: Vec<TestUser>,
    holdings: Vec<(String, String)>,
    states: Vec<(String, String, String, String, String)>,
    skus: Vec<(String, String, i64, i64)>,
    apps: Vec<(String, bool)>,
    launches: Vec<(String, String, i64)>,
    activity_known: bool,
}

impl TenantBuilder {
    fn new() -> Self {
        TenantBuilder {
            activity_known: true,
            skus: vec![
                (E5.into(), "SPE_E5".into(), 10, 0),
                (PREMIUM.into(), "POWERAPPS_PER_USER".into(), 10, 0),
                (TRIAL.into(), "POWERAPPS_VIRAL".into(), 10000, 0),
            ],
            apps: vec![(PREMIUM_APP.into(), true), (STANDARD_APP.into(), false)],
            ..TenantBuilder::default()
        }
    }

    /// An enabled user whose last successful sign-in is `last_successful`.
    fn user(mut self, id: &str, last_successful: Option<&str>) -> Self {
        self.users.push(TestUser {
            id: id.into(),
            upn: format!("{id}@contoso.com"),
            enabled: Some(true),
            department: Some("Sales".into()),
            last_sign_in: last_successful.map(at),
            last_non_interactive: None,
            last_successful: last_successful.map(at),
            counts_failed_attempts: false,
        });
        self
    }

    fn edit_user(mut self, id: &str, edit: impl FnOnce(&mut TestUser)) -> Self {
        if let Some(user) = self.users.iter_mut().find(|user| user.id == id) {
            edit(user);
        }
        self
    }

    /// `user` holds `sku` through `sources` (`direct` and/or group ids).
    fn holds(mut self, user: &str, sku: &str, sources: &[&str]) -> Self {
        self.holdings.push((user.into(), sku.into()));
        for source in sources {
            self.states.push((
                user.into(),
                sku.into(),
                (*source).into(),
                "Active".into(),
                "None".into(),
            ));
        }
        for entry in self.skus.iter_mut().filter(|entry| entry.0 == sku) {
            entry.3 += 1;
        }
        self
    }

    fn failed_assignment(mut self, user: &str, sku: &str, group: &str, error: &str) -> Self {
        self.states.push((
            user.into(),
            sku.into(),
            group.into(),
            "Error".into(),
            error.into(),
        ));
        self
    }

    fn launch(mut self, upn: &str, app: &str, when: &str) -> Self {
        self.launches
            .push((upn.to_lowercase(), app.into(), at(when)));
        self
    }

    fn build(self) -> Snapshot {
        let datetime = |name: &str, values: Vec<Option<i64>>| {
            Column::new(name.into(), values)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .expect("cast to datetime")
        };
        let users = &self.users;
        let strings = |name: &str, pick: &dyn Fn(&TestUser) -> Option<String>| {
            Column::new(name.into(), users.iter().map(pick).collect::<Vec<_>>())
        };
        let last_activity = |user: &TestUser| {
            let interactive = if user.counts_failed_attempts {
                user.last_sign_in
            } else {
                user.last_successful
            };
            interactive.max(user.last_non_interactive)
        };
        let users_frame = DataFrame::new_infer_height(vec![
            strings(columns::USER_ID, &|user| Some(user.id.clone())),
            strings(columns::USER_PRINCIPAL_NAME, &|user| Some(user.upn.clone())),
            strings(columns::USER_KEY, &|user| Some(user.upn.to_lowercase())),
            strings(columns::USER_DISPLAY_NAME, &|user| Some(user.id.clone())),
            Column::new(
                columns::ACCOUNT_ENABLED.into(),
                users.iter().map(|user| user.enabled).collect::<Vec<_>>(),
            ),
            strings(columns::USER_TYPE, &|_| Some("Member".into())),
            strings(columns::DEPARTMENT, &|user| user.department.clone()),
            strings(columns::JOB_TITLE, &|_| None),
            strings(columns::USAGE_LOCATION, &|_| None),
            strings(columns::COMPANY_NAME, &|_| None),
            strings(columns::OFFICE_LOCATION, &|_| None),
            strings(columns::COST_CENTER, &|_| None),
            strings(columns::DIVISION, &|_| None),
            datetime(columns::CREATED_AT, users.iter().map(|_| None).collect()),
            datetime(
                columns::LAST_SIGN_IN,
                users.iter().map(|user| user.last_sign_in).collect(),
            ),
            datetime(
                columns::LAST_NON_INTERACTIVE_SIGN_IN,
                users.iter().map(|user| user.last_non_interactive).collect(),
            ),
            datetime(
                columns::LAST_SUCCESSFUL_SIGN_IN,
                users.iter().map(|user| user.last_successful).collect(),
            ),
            datetime(
                columns::LAST_ACTIVITY,
                users.iter().map(last_activity).collect(),
            ),
            Column::new(
                columns::ACTIVITY_COUNTS_FAILED_ATTEMPTS.into(),
                users
                    .iter()
                    .map(|user| user.counts_failed_attempts)
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                columns::HAS_SIGN_IN_TIMESTAMP.into(),
                users
                    .iter()
                    .map(|user| {
                        user.last_sign_in.is_some()
                            || user.last_non_interactive.is_some()
                            || user.last_successful.is_some()
                    })
                    .collect::<Vec<_>>(),
            ),
        ])
        .expect("users frame");
        let pick = |rows: &Vec<(String, String)>, index: usize| -> Vec<String> {
            rows.iter()
                .map(|row| {
                    if index == 0 {
                        row.0.clone()
                    } else {
                        row.1.clone()
                    }
                })
                .collect()
        };
        let mut holdings = df!(
            columns::USER_ID => pick(&self.holdings, 0),
            columns::SKU_ID => pick(&self.holdings, 1),
        )
        .expect("holdings frame");
        holdings
            .with_column(crate::ingest::users::disabled_plans_column(
                self.holdings.iter().map(|_| &[] as &[String]),
            ))
            .expect("disabled plans column");
        let states = df!(
            columns::USER_ID => self.states.iter().map(|row| row.0.clone()).collect::<Vec<_>>(),
            columns::SKU_ID => self.states.iter().map(|row| row.1.clone()).collect::<Vec<_>>(),
            columns::ASSIGNED_BY => self.states.iter().map(|row| row.2.clone()).collect::<Vec<_>>(),
            columns::ASSIGNMENT_STATE => self.states.iter().map(|row| row.3.clone()).collect::<Vec<_>>(),
            columns::ASSIGNMENT_ERROR => self.states.iter().map(|row| row.4.clone()).collect::<Vec<_>>(),
        )
        .expect("states frame");
        let subscribed = df!(
            columns::SKU_ID => self.skus.iter().map(|row| row.0.clone()).collect::<Vec<_>>(),
            columns::SKU_PART_NUMBER => self.skus.iter().map(|row| row.1.clone()).collect::<Vec<_>>(),
            columns::PREPAID_ENABLED => self.skus.iter().map(|row| row.2).collect::<Vec<_>>(),
            columns::PREPAID_WARNING => self.skus.iter().map(|_| 0i64).collect::<Vec<_>>(),
            columns::CONSUMED_UNITS => self.skus.iter().map(|row| row.3).collect::<Vec<_>>(),
            columns::CAPABILITY_STATUS => self.skus.iter().map(|_| "Enabled").collect::<Vec<_>>(),
            columns::APPLIES_TO => self.skus.iter().map(|_| "User").collect::<Vec<_>>(),
        )
        .expect("skus frame");
        let apps = df!(
            columns::APP_ID => self.apps.iter().map(|row| row.0.clone()).collect::<Vec<_>>(),
            columns::APP_IS_PREMIUM => self.apps.iter().map(|row| row.1).collect::<Vec<_>>(),
        )
        .expect("apps frame");
        let launch_count = self.launches.len();
        // Through the reader's own reduction, as an export's records would go.
        let mut records = crate::ingest::launch_days::FileLaunches::default();
        for (offset, (user, app, at)) in self.launches.iter().enumerate() {
            records.push(user, None, app, *at, None, offset as u64);
        }
        let mut log =
            crate::ingest::error::RejectionLog::new(crate::ingest::error::Strictness::Strict);
        let launch_days = crate::ingest::launch_days::reduce(
            crate::ingest::launch_days::LaunchMerge::of(vec![records]),
            &[],
            &mut log,
        )
        .expect("launch days");
        let empty_members = df!(columns::GROUP_ID => Vec::<String>::new(), columns::USER_ID => Vec::<String>::new())
            .expect("members frame");
        Snapshot {
            dir: "hand-built".into(),
            metadata: SnapshotMetadata {
                sign_in_activity_collected: self.activity_known,
                // As `ingest graph` records it: a query over the whole window.
                audit_query: Some((at("2026-08-04T00:00:00Z"), at("2026-11-01T06:00:00Z"))),
                ..SnapshotMetadata::default()
            },
            users: users_frame,
            holdings,
            assignment_states: states,
            subscribed_skus: subscribed,
            groups: DataFrame::empty(),
            group_members: empty_members.clone(),
            group_licenses: empty_members,
            apps: Some(apps),
            launches: launch_days.frame,
            launch_identities: launch_days.identities,
            prices: None,
            renewals: Default::default(),
            quality: IngestQuality {
                audit_files: 1,
                launch_rows: launch_count,
                ..IngestQuality::default()
            },
            file_digests: Default::default(),
        }
    }
}

fn run(snapshot: &Snapshot) -> Analysis {
    let window = AuditWindow {
        as_of: as_of(),
        days: 90,
    };
    analyze(
        snapshot,
        &catalogue(),
        prices(),
        window,
        super::AnalyzeOptions::default(),
    )
    .expect("analysis runs")
}

/// (kind, user id or SKU part number for SKU findings, SKU part number, reason, amount in cents)
fn brief(analysis: &Analysis) -> Vec<(String, String, String, String, i64)> {
    analysis
        .findings
        .iter()
        .map(|finding| {
            (
                finding.kind.to_string(),
                finding.user_id.clone().unwrap_or_default(),
                finding.sku_part_number.clone(),
                finding
                    .reason
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                finding.monthly_amount.cents(),
            )
        })
        .collect()
}

fn row(
    kind: &str,
    user: &str,
    sku: &str,
    reason: &str,
    cents: i64,
) -> (String, String, String, String, i64) {
    (kind.into(), user.into(), sku.into(), reason.into(), cents)
}

/// Seats are bought to match holdings exactly so idle seats stay out of the way.
fn no_idle_seats(mut builder: TenantBuilder) -> TenantBuilder {
    for sku in builder.skus.iter_mut() {
        sku.2 = sku.3;
    }
    builder
}

#[test]
fn the_window_starts_on_its_first_day_inclusive() {
    // 90 days ending 2026-11-01 start on 2026-08-04.
    let tenant = TenantBuilder::new()
        .user("first-day", Some("2026-08-04T00:00:00Z"))
        .user("day-before", Some("2026-08-03T23:59:59Z"))
        .holds("first-day", E5, &["direct"])
        .holds("day-before", E5, &["direct"]);
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![row(
            "inactive-holder",
            "day-before",
            "SPE_E5",
            "inactive",
            5700
        )]
    );
}

#[test]
fn disabled_wins_and_a_disabled_user_is_never_unused_premium() {
    let tenant = TenantBuilder::new()
        .user("gone", Some("2026-10-30T10:00:00Z"))
        .edit_user("gone", |user| user.enabled = Some(false))
        .holds("gone", E5, &["direct"])
        .holds("gone", PREMIUM, &["direct"]);
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![
            row(
                "inactive-holder",
                "gone",
                "POWERAPPS_PER_USER",
                "disabled",
                2000
            ),
            row("inactive-holder", "gone", "SPE_E5", "disabled", 5700),
        ]
    );
    assert_eq!(
        analysis.findings[0].note.as_deref(),
        Some("the account is disabled but was active in the window")
    );
}

#[test]
fn never_signed_in_is_told_from_inactive() {
    let tenant = TenantBuilder::new()
        .user("never", None)
        .user("failed-only", None)
        .edit_user("failed-only", |user| {
            user.last_sign_in = Some(at("2026-10-31T09:00:00Z"))
        })
        .holds("never", E5, &["direct"])
        .holds("failed-only", E5, &["direct"]);
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![
            row("inactive-holder", "failed-only", "SPE_E5", "inactive", 5700),
            row(
                "inactive-holder",
                "never",
                "SPE_E5",
                "never-signed-in",
                5700
            ),
        ]
    );
    assert_eq!(
        analysis.findings[0].note.as_deref(),
        Some("only failed sign-in attempts are recorded, no successful sign-in")
    );
}

#[test]
fn a_sign_in_after_the_as_of_date_keeps_the_user_active() {
    let tenant = TenantBuilder::new()
        .user("later", Some("2026-11-20T00:00:00Z"))
        .holds("later", E5, &["direct"]);
    assert!(run(&no_idle_seats(tenant).build()).findings.is_empty());
}

#[test]
fn premium_use_in_the_window_matches_upns_ignoring_case() {
    let tenant = TenantBuilder::new()
        .user("maker", Some("2026-10-30T10:00:00Z"))
        .user("idle-maker", Some("2026-10-30T10:00:00Z"))
        .holds("maker", PREMIUM, &["direct"])
        .holds("idle-maker", PREMIUM, &["direct"])
        .launch("MAKER@Contoso.COM", PREMIUM_APP, "2026-10-01T08:00:00Z")
        .launch(
            "idle-maker@contoso.com",
            STANDARD_APP,
            "2026-10-01T08:00:00Z",
        );
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![row(
            "unused-premium",
            "idle-maker",
            "POWERAPPS_PER_USER",
            "no-premium-use",
            2000
        )]
    );
}

#[test]
fn launches_after_the_as_of_date_are_ignored() {
    let tenant = TenantBuilder::new()
        .user("holder", Some("2026-10-30T10:00:00Z"))
        .user("newcomer", Some("2026-10-30T10:00:00Z"))
        .holds("holder", PREMIUM, &["direct"])
        .launch("holder@contoso.com", PREMIUM_APP, "2026-11-02T00:00:00Z")
        .launch("newcomer@contoso.com", PREMIUM_APP, "2026-11-02T00:00:00Z");
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![row(
            "unused-premium",
            "holder",
            "POWERAPPS_PER_USER",
            "no-premium-use",
            2000
        )]
    );
    assert_eq!(analysis.quality.launches_after_as_of, 2);
}

#[test]
fn premium_use_without_a_premium_license_is_missing_premium_whatever_the_account_state() {
    let tenant = TenantBuilder::new()
        .user("shadow", Some("2026-10-30T10:00:00Z"))
        .user("disabled-shadow", Some("2026-10-30T10:00:00Z"))
        .edit_user("disabled-shadow", |user| user.enabled = Some(false))
        .user("trialist", Some("2026-10-30T10:00:00Z"))
        .holds("trialist", TRIAL, &["direct"])
        .launch("shadow@contoso.com", PREMIUM_APP, "2026-08-04T00:00:00Z")
        .launch("shadow@contoso.com", PREMIUM_APP, "2026-10-04T00:00:00Z")
        .launch(
            "disabled-shadow@contoso.com",
            PREMIUM_APP,
            "2026-10-04T00:00:00Z",
        )
        .launch("trialist@contoso.com", PREMIUM_APP, "2026-10-04T00:00:00Z")
        .launch("departed@contoso.com", PREMIUM_APP, "2026-10-04T00:00:00Z");
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![
            row(
                "missing-premium",
                "disabled-shadow",
                "POWERAPPS_PER_USER",
                "unlicensed-premium-use",
                2000
            ),
            row(
                "missing-premium",
                "shadow",
                "POWERAPPS_PER_USER",
                "unlicensed-premium-use",
                2000
            ),
        ]
    );
    let shadow = &analysis.findings[1];
    assert_eq!(shadow.premium_apps_used, Some(1));
    assert_eq!(shadow.last_premium_use, Some(at("2026-10-04T00:00:00Z")));
    assert_eq!(shadow.sku_id, PREMIUM);
    assert_eq!(
        analysis.summary.monthly_cost_to_comply,
        Money::parse("40").expect("amount")
    );
    assert_eq!(analysis.quality.unknown_user_launches, 1);
    assert_eq!(analysis.quality.unknown_user_premium_launches, 1);
}

#[test]
fn premium_use_before_the_window_does_not_count() {
    let tenant = TenantBuilder::new()
        .user("lapsed", Some("2026-10-30T10:00:00Z"))
        .holds("lapsed", PREMIUM, &["direct"])
        .launch("lapsed@contoso.com", PREMIUM_APP, "2026-08-03T23:59:59Z");
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![row(
            "unused-premium",
            "lapsed",
            "POWERAPPS_PER_USER",
            "no-premium-use",
            2000
        )]
    );
    assert_eq!(
        analysis.findings[0].last_premium_use,
        Some(at("2026-08-03T23:59:59Z"))
    );
}

#[test]
fn apps_missing_from_the_inventory_are_not_premium() {
    let tenant = TenantBuilder::new()
        .user("explorer", Some("2026-10-30T10:00:00Z"))
        .launch("explorer@contoso.com", UNLISTED_APP, "2026-10-04T00:00:00Z");
    let analysis = run(&no_idle_seats(tenant).build());
    assert!(analysis.findings.is_empty());
    assert_eq!(
        (
            analysis.quality.unknown_app_launches,
            analysis.quality.unknown_apps
        ),
        (1, 1)
    );
}

#[test]
fn group_and_direct_holders_are_duplicates_with_every_source() {
    let tenant = TenantBuilder::new()
        .user("both", Some("2026-10-30T10:00:00Z"))
        .user("two-groups", Some("2026-10-30T10:00:00Z"))
        .holds("both", E5, &[GROUP, "direct"])
        .holds("two-groups", E5, &[GROUP, OTHER_GROUP]);
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![
            row(
                "duplicate-assignment",
                "both",
                "SPE_E5",
                "direct-and-group",
                0
            ),
            row(
                "duplicate-assignment",
                "two-groups",
                "SPE_E5",
                "multiple-groups",
                0
            ),
        ]
    );
    assert_eq!(
        analysis.findings[0].assigned_by,
        vec!["direct".to_string(), GROUP.to_string()]
    );
    assert_eq!(
        analysis.findings[1].assigned_by,
        vec![GROUP.to_string(), OTHER_GROUP.to_string()]
    );
}

#[test]
fn inactive_group_and_direct_holders_carry_both_sources() {
    let tenant = TenantBuilder::new()
        .user("stale", Some("2026-01-01T00:00:00Z"))
        .holds("stale", E5, &[GROUP, "direct"]);
    let analysis = run(&no_idle_seats(tenant).build());
    let inactive: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|finding| finding.kind == FindingKind::InactiveHolder)
        .collect();
    assert_eq!(inactive.len(), 1);
    assert_eq!(
        inactive[0].assigned_by,
        vec!["direct".to_string(), GROUP.to_string()]
    );
}

#[test]
fn assignment_errors_are_one_finding_per_user_and_sku() {
    let tenant = TenantBuilder::new()
        .user("unlucky", Some("2026-10-30T10:00:00Z"))
        .failed_assignment("unlucky", PREMIUM, GROUP, "CountViolation")
        .failed_assignment("unlucky", PREMIUM, OTHER_GROUP, "CountViolation")
        .failed_assignment("unlucky", E5, GROUP, "MutuallyExclusiveViolation");
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![
            row(
                "assignment-error",
                "unlucky",
                "POWERAPPS_PER_USER",
                "CountViolation",
                0
            ),
            row(
                "assignment-error",
                "unlucky",
                "SPE_E5",
                "MutuallyExclusiveViolation",
                0
            ),
        ]
    );
    assert_eq!(
        analysis.findings[0].assigned_by,
        vec![GROUP.to_string(), OTHER_GROUP.to_string()]
    );
}

#[test]
fn idle_seats_only_for_priced_skus() {
    let mut tenant = TenantBuilder::new().user("someone", Some("2026-10-30T10:00:00Z"));
    tenant = tenant.holds("someone", E5, &["direct"]);
    // E5: 10 bought, 1 held; Power Apps Premium: 10 bought, none held; the trial is free.
    let analysis = run(&tenant.build());
    let idle: Vec<(String, Option<i64>, i64)> = analysis
        .findings
        .iter()
        .map(|finding| {
            (
                finding.sku_part_number.clone(),
                finding.seats,
                finding.monthly_amount.cents(),
            )
        })
        .collect();
    assert_eq!(
        idle,
        vec![
            ("POWERAPPS_PER_USER".to_string(), Some(10), 20000),
            ("SPE_E5".to_string(), Some(9), 51300)
        ]
    );
    assert_eq!(
        analysis.summary.monthly_savings,
        Money::parse("713").expect("amount")
    );
    assert_eq!(
        analysis.summary.monthly_cost,
        Money::parse("770").expect("amount")
    );
}

#[test]
fn the_fallback_to_last_sign_in_is_said_in_the_finding() {
    let tenant = TenantBuilder::new()
        .user("old-export", None)
        .edit_user("old-export", |user| {
            user.last_sign_in = Some(at("2026-03-01T00:00:00Z"));
            user.counts_failed_attempts = true;
        })
        .holds("old-export", E5, &["direct"]);
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![row(
            "inactive-holder",
            "old-export",
            "SPE_E5",
            "inactive",
            5700
        )]
    );
    assert!(
        analysis.findings[0]
            .note
            .as_deref()
            .is_some_and(|note| note.contains("also counts failed sign-ins"))
    );
}

#[test]
fn unknown_activity_reports_only_disabled_holders() {
    let mut tenant = TenantBuilder::new()
        .user("unknown", None)
        .user("off", None)
        .edit_user("off", |user| user.enabled = Some(false))
        .holds("unknown", E5, &["direct"])
        .holds("off", E5, &["direct"]);
    tenant.activity_known = false;
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        brief(&analysis),
        vec![row("inactive-holder", "off", "SPE_E5", "disabled", 5700)]
    );
}

#[test]
fn empty_departments_read_unassigned() {
    let tenant = TenantBuilder::new()
        .user("nobody", None)
        .edit_user("nobody", |user| user.department = None)
        .holds("nobody", E5, &["direct"]);
    let analysis = run(&no_idle_seats(tenant).build());
    assert_eq!(
        analysis.findings[0].department.as_deref(),
        Some("Unassigned")
    );
}

#[test]
fn a_pair_is_never_both_inactive_holder_and_unused_premium() {
    let tenant = TenantBuilder::new()
        .user("a", Some("2026-01-01T00:00:00Z"))
        .user("b", Some("2026-10-30T00:00:00Z"))
        .user("c", None)
        .holds("a", PREMIUM, &["direct"])
        .holds("b", PREMIUM, &["direct"])
        .holds("c", PREMIUM, &["direct"])
        // The exports hold a launch, so premium use is knowable (SPEC §3).
        .launch("a@contoso.com", STANDARD_APP, "2026-10-01T08:00:00Z");
    let analysis = run(&no_idle_seats(tenant).build());
    let mut pairs: Vec<(String, String)> = analysis
        .findings
        .iter()
        .filter(|finding| finding.kind.is_saving() && finding.user_id.is_some())
        .map(|finding| {
            (
                finding.user_id.clone().unwrap_or_default(),
                finding.sku_id.clone(),
            )
        })
        .collect();
    let total = pairs.len();
    pairs.sort();
    pairs.dedup();
    assert_eq!((total, pairs.len()), (3, 3));
}
