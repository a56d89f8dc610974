//! `right-size` and the tenant's Power Apps license mix (SPEC §8), on a hand-built tenant.
//!
//! Every expected figure below is worked out by hand from the tenant's launches and the test
//! price book, not copied from output. The window is 2026-09-01 to 2026-10-31 (61 days), so
//! the whole months are September and October 2026. The price book is in EUR, so it replaces
//! the bundled one whole and each test says exactly which options exist.
//!
//! The users (all active, signed in on 2026-10-30 unless said otherwise):
//! - `tie`: per user; apps A, B in September and in October: pay-as-you-go (20 + 20) / 2 = 20,
//!   the per-user price: a tie keeps the license;
//! - `gap`: per user; A, B in September, nothing premium in October (one standard app only):
//!   pay-as-you-go (20 + 0) / 2 = 10;
//! - `dyn`: per user and Dynamics 365 Sales Enterprise (Power Apps rights); A, B, C both
//!   months: pay-as-you-go does not charge them, 0;
//! - `heavy`: per user; A, B, C both months: pay-as-you-go 30 > 20;
//! - `off`: per user, account disabled, A in September: `inactive-holder`, no right-size;
//! - `idle`: per user, no premium launch in the window: `unused-premium`, no right-size;
//! - `new`: no premium license, A in October: `missing-premium`, priced in the mix only:
//!   pay-as-you-go (0 + 10) / 2 = 5.

use seatwise::analyze::{
    Analysis, AnalyzeOptions, AuditWindow, CoverOption, FindingKind, FindingReason, analyze,
};
use seatwise::catalogue::{Catalogue, PriceBook};
use seatwise::ingest::error::Strictness;
use seatwise::ingest::{IngestOptions, read_snapshot};
use seatwise::money::Money;
use std::path::Path;

const PER_USER: &str = "b30411f5-fea1-4a59-9ad9-3db7c7ead579";
const DYNAMICS_SALES: &str = "1e1a282c-9c54-43a2-9310-98ef728faace";
const APP_A: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const APP_B: &str = "bbbbbbbb-0000-4000-8000-00000000000b";
const APP_C: &str = "cccccccc-0000-4000-8000-00000000000c";
const STANDARD_APP: &str = "dddddddd-0000-4000-8000-00000000000d";

/// A price book without pay-as-you-go, with per app passes not for sale.
const BOOK_PER_USER_ONLY: &str = "SkuPartNumber,MonthlyPrice,Currency,EffectiveFrom,MinSeats,Purchasable,Source\n\
POWERAPPS_PER_USER,20.00,EUR,2021-10-01,,,test\n\
POWERAPPS_PER_USER,12.00,EUR,2021-10-01,2000,,test tier\n\
POWERAPPS_PER_APP_NEW,5.00,EUR,2021-10-01,,false,test\n\
DYN365_ENTERPRISE_SALES,95.00,EUR,2021-10-01,,,test\n";

fn book_with_pay_as_you_go() -> String {
    format!("{BOOK_PER_USER_ONLY}POWERAPPS_PAYG,10.00,EUR,2021-10-01,,,test\n")
}

fn money(text: &str) -> Money {
    Money::parse(text).expect("an amount")
}

struct User {
    name: &'static str,
    enabled: bool,
    licenses: &'static [&'static str],
}

const USERS: [User; 7] = [
    User {
        name: "tie",
        enabled: true,
        licenses: &[PER_USER],
    },
    User {
        name: "gap",
        enabled: true,
        licenses: &[PER_USER],
    },
    User {
        name: "dyn",
        enabled: true,
        licenses: &[PER_USER, DYNAMICS_SALES],
    },
    User {
        name: "heavy",
        enabled: true,
        licenses: &[PER_USER],
    },
    User {
        name: "off",
        enabled: false,
        licenses: &[PER_USER],
    },
    User {
        name: "idle",
        enabled: true,
        licenses: &[PER_USER],
    },
    User {
        name: "new",
        enabled: true,
        licenses: &[],
    },
];

/// (user, app, day) launches.
const LAUNCHES: [(&str, &str, &str); 20] = [
    ("tie", APP_A, "2026-09-03"),
    ("tie", APP_B, "2026-09-20"),
    ("tie", APP_A, "2026-09-21"),
    ("tie", APP_A, "2026-10-02"),
    ("tie", APP_B, "2026-10-30"),
    ("gap", APP_A, "2026-09-05"),
    ("gap", APP_B, "2026-09-06"),
    ("gap", STANDARD_APP, "2026-10-06"),
    ("dyn", APP_A, "2026-09-07"),
    ("dyn", APP_B, "2026-09-08"),
    ("dyn", APP_C, "2026-09-09"),
    ("dyn", APP_A, "2026-10-07"),
    ("dyn", APP_B, "2026-10-08"),
    ("dyn", APP_C, "2026-10-09"),
    ("heavy", APP_A, "2026-09-10"),
    ("heavy", APP_B, "2026-09-11"),
    ("heavy", APP_C, "2026-09-12"),
    ("heavy", APP_C, "2026-10-12"),
    ("off", APP_A, "2026-09-15"),
    ("new", APP_A, "2026-10-16"),
];
/// `heavy` opens A and B in October too.
const MORE_LAUNCHES: [(&str, &str, &str); 2] = [
    ("heavy", APP_A, "2026-10-13"),
    ("heavy", APP_B, "2026-10-14"),
];

fn user_id(index: usize) -> String {
    format!("{:08}-0000-4000-8000-000000000000", index + 1)
}

fn upn(name: &str) -> String {
    format!("{name}@contoso.com")
}

fn write_tenant(dir: &Path, per_user_seats: i64, prices: &str) {
    std::fs::create_dir_all(dir.join("audit")).expect("create the snapshot folder");
    let skus = format!(
        r#"{{"value":[
 {{"skuId":"{PER_USER}","skuPartNumber":"POWERAPPS_PER_USER","prepaidUnits":{{"enabled":{per_user_seats},"warning":0}},"consumedUnits":6,"capabilityStatus":"Enabled"}},
 {{"skuId":"{DYNAMICS_SALES}","skuPartNumber":"DYN365_ENTERPRISE_SALES","prepaidUnits":{{"enabled":1}},"consumedUnits":1,"capabilityStatus":"Enabled"}}
]}}"#
    );
    let users: Vec<String> = USERS
        .iter()
        .enumerate()
        .map(|(index, user)| {
            let licenses: Vec<String> = user
                .licenses
                .iter()
                .map(|sku| format!(r#"{{"skuId":"{sku}","disabledPlans":[]}}"#))
                .collect();
            let states: Vec<String> = user
                .licenses
                .iter()
                .map(|sku| {
                    format!(
                        r#"{{"skuId":"{sku}","assignedByGroup":null,"state":"Active","error":"None"}}"#
                    )
                })
                .collect();
            format!(
                r#"{{"id":"{}","userPrincipalName":"{}","accountEnabled":{},"department":"Sales","assignedLicenses":[{}],"licenseAssignmentStates":[{}],"signInActivity":{{"lastSignInDateTime":"2026-10-30T08:00:00Z","lastNonInteractiveSignInDateTime":null,"lastSuccessfulSignInDateTime":"2026-10-30T08:00:00Z"}}}}"#,
                user_id(index),
                upn(user.name),
                user.enabled,
                licenses.join(","),
                states.join(",")
            )
        })
        .collect();
    let apps = format!(
        "AppName,DisplayName,EnvironmentName,UsesPremiumApi,UsesCustomApi,UsesOnPremiseGateway\n\
         {APP_A},A,env,True,False,False\n{APP_B},B,env,False,True,False\n{APP_C},C,env,False,False,True\n\
         {STANDARD_APP},Standard,env,False,False,False\n"
    );
    let mut audit = String::from("\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"\n");
    for (index, (user, app, day)) in LAUNCHES.iter().chain(MORE_LAUNCHES.iter()).enumerate() {
        audit.push_str(&format!(
            "\"{day}T10:00:00\",\"{upn}\",\"LaunchPowerApp\",\"{{\"\"Id\"\":\"\"r{index}\"\",\"\"RecordType\"\":45,\"\"CreationTime\"\":\"\"{day}T10:00:00\"\",\"\"Operation\"\":\"\"LaunchPowerApp\"\",\"\"UserId\"\":\"\"{upn}\"\",\"\"Workload\"\":\"\"PowerApps\"\",\"\"AppName\"\":\"\"{app}\"\"}}\"\n",
            upn = upn(user)
        ));
    }
    for (name, text) in [
        ("subscribedSkus.json", skus),
        ("users.json", format!("{{\"value\":[{}]}}", users.join(","))),
        ("apps.csv", apps),
        ("audit/search.csv", audit),
        ("prices.csv", prices.to_string()),
    ] {
        std::fs::write(dir.join(name), text).expect("write a snapshot file");
    }
}

fn audit_tenant(per_user_seats: i64, prices: &str) -> Analysis {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path(), per_user_seats, prices);
    let snapshot = read_snapshot(
        temp.path(),
        &IngestOptions {
            strictness: Strictness::Strict,
        },
    )
    .expect("read the snapshot");
    let window = AuditWindow {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 10, 31).expect("a date"),
        days: 61,
    };
    analyze(
        &snapshot,
        &Catalogue::bundled().expect("catalogue"),
        PriceBook::bundled().expect("prices"),
        window,
        // The exports hold only launches; the test asserts they are the window's all.
        AnalyzeOptions {
            audit_complete: true,
        },
    )
    .expect("analyze")
}

/// (user principal name, reason, amount, cheapest part number, cheapest cost) of each
/// `right-size` finding, in findings order.
fn right_sizes(analysis: &Analysis) -> Vec<(String, FindingReason, Money, String, Money)> {
    analysis
        .findings
        .iter()
        .filter(|finding| finding.kind == FindingKind::RightSize)
        .map(|finding| {
            assert_eq!(finding.sku_part_number, "POWERAPPS_PER_USER");
            assert_eq!(finding.whole_months, Some(2));
            (
                finding.user_principal_name.clone().unwrap_or_default(),
                finding.reason.clone().expect("a reason"),
                finding.monthly_amount,
                finding.cheapest_part_number.clone().unwrap_or_default(),
                finding.cheapest_monthly_cost.expect("the cheapest cost"),
            )
        })
        .collect()
}

fn kinds_of(analysis: &Analysis, name: &str) -> Vec<FindingKind> {
    analysis
        .findings
        .iter()
        .filter(|finding| finding.user_principal_name.as_deref() == Some(&upn(name)))
        .map(|finding| finding.kind)
        .collect()
}

#[test]
fn pay_as_you_go_right_sizes_the_light_users_and_a_tie_keeps_the_license() {
    let analysis = audit_tenant(10, &book_with_pay_as_you_go());
    assert_eq!(analysis.currency, "EUR");
    // `gap`: (2 apps × 10 + 0) / 2 months = 10, so 20 − 10 = 10 a month.
    // `dyn`: Dynamics 365 Sales keeps pay-as-you-go from charging them: 20 − 0 = 20.
    // `tie` (20 = 20) and `heavy` (30 > 20) keep per user; per app is not for sale.
    assert_eq!(
        right_sizes(&analysis),
        vec![
            (
                upn("dyn"),
                FindingReason::PayAsYouGo,
                money("20"),
                "POWERAPPS_PAYG".to_string(),
                money("0")
            ),
            (
                upn("gap"),
                FindingReason::PayAsYouGo,
                money("10"),
                "POWERAPPS_PAYG".to_string(),
                money("10")
            ),
        ]
    );
    let dynamics_note = analysis
        .findings
        .iter()
        .find(|finding| {
            finding.kind == FindingKind::RightSize
                && finding.user_principal_name.as_deref() == Some("dyn@contoso.com")
        })
        .and_then(|finding| finding.note.clone())
        .unwrap_or_default();
    assert!(dynamics_note.contains("Dynamics 365"), "{dynamics_note}");
    let gap = analysis
        .findings
        .iter()
        .find(|finding| {
            finding.kind == FindingKind::RightSize
                && finding.user_principal_name.as_deref() == Some("gap@contoso.com")
        })
        .expect("gap's finding");
    assert_eq!(gap.current_monthly_cost, Some(money("20")));
    assert_eq!(
        gap.note.as_deref(),
        Some("premium apps opened a month (2026-09, 2026-10): 2, 0")
    );
    assert!(kinds_of(&analysis, "tie").is_empty());
    assert!(kinds_of(&analysis, "heavy").is_empty());
}

#[test]
fn a_holder_in_a_reclaim_kind_is_not_right_sized() {
    let analysis = audit_tenant(10, &book_with_pay_as_you_go());
    // `off` opened one app in September: pay-as-you-go would be 5, but the disabled
    // account's license is reclaimed whole.
    assert_eq!(
        kinds_of(&analysis, "off"),
        vec![FindingKind::InactiveHolder]
    );
    assert_eq!(
        kinds_of(&analysis, "idle"),
        vec![FindingKind::UnusedPremium]
    );
    assert_eq!(
        kinds_of(&analysis, "new"),
        vec![FindingKind::MissingPremium]
    );
}

#[test]
fn the_license_mix_prices_every_premium_user_including_the_unlicensed() {
    let analysis = audit_tenant(10, &book_with_pay_as_you_go());
    let mix = analysis.license_mix.expect("a license mix");
    assert_eq!(mix.months, ["2026-09", "2026-10"]);
    let options: Vec<(CoverOption, String, Money)> = mix
        .prices
        .iter()
        .map(|price| (price.option, price.part_number.clone(), price.monthly_price))
        .collect();
    assert_eq!(
        options,
        vec![
            (
                CoverOption::PerUser,
                "POWERAPPS_PER_USER".to_string(),
                money("20")
            ),
            (
                CoverOption::PayAsYouGo,
                "POWERAPPS_PAYG".to_string(),
                money("10")
            ),
        ],
        "per app is not purchasable, so not an option"
    );
    assert_eq!(mix.per_user_seats, 10);
    // tie, gap, dyn, heavy hold per user; new holds nothing; off and idle are reclaimed.
    assert_eq!((mix.users, mix.holders, mix.unlicensed), (5, 4, 1));
    assert_eq!(mix.cost_today, money("80"));
    assert_eq!(mix.cost_all_per_user, money("100"));
    // tie 20 + heavy 20 on per user; gap 10 + dyn 0 + new 5 on pay-as-you-go.
    assert_eq!(mix.cost_cheapest_mix, money("55"));
    let by_option: Vec<(CoverOption, usize, Money)> = mix
        .by_option
        .iter()
        .map(|row| (row.option, row.users, row.monthly_cost))
        .collect();
    assert_eq!(
        by_option,
        vec![
            (CoverOption::PerUser, 2, money("40")),
            (CoverOption::PayAsYouGo, 3, money("15")),
        ]
    );
    // Only tie sits at a break-even: 20 against 20.
    assert_eq!(mix.near_break_even, 1);
    assert_eq!(mix.without_use_in_months, 0);
}

#[test]
fn the_tenants_seats_choose_the_volume_tier() {
    // 2,000 seats reach the 12.00 tier: gap's 10 now saves 2, dyn's 0 saves 12.
    let analysis = audit_tenant(2000, &book_with_pay_as_you_go());
    assert_eq!(
        right_sizes(&analysis),
        vec![
            (
                upn("dyn"),
                FindingReason::PayAsYouGo,
                money("12"),
                "POWERAPPS_PAYG".to_string(),
                money("0")
            ),
            (
                upn("gap"),
                FindingReason::PayAsYouGo,
                money("2"),
                "POWERAPPS_PAYG".to_string(),
                money("10")
            ),
        ]
    );
    let mix = analysis.license_mix.expect("a license mix");
    assert_eq!(mix.prices[0].monthly_price, money("12"));
    assert_eq!(mix.prices[0].min_seats, 2000);
    assert_eq!(mix.cost_today, money("48"));
    // One seat fewer stays on the base tier.
    let below = audit_tenant(1999, &book_with_pay_as_you_go());
    let below_mix = below.license_mix.expect("a license mix");
    assert_eq!(below_mix.prices[0].monthly_price, money("20"));
    assert_eq!(below_mix.prices[0].min_seats, 0);
}

#[test]
fn without_a_pay_as_you_go_row_nor_a_purchasable_per_app_plan_per_user_stays() {
    let analysis = audit_tenant(10, BOOK_PER_USER_ONLY);
    assert!(right_sizes(&analysis).is_empty());
    let mix = analysis.license_mix.expect("a license mix");
    assert_eq!(mix.prices.len(), 1);
    assert_eq!(mix.cost_cheapest_mix, mix.cost_all_per_user);
    assert_eq!(mix.cost_all_per_user, money("100"));
}

#[test]
fn a_purchasable_per_app_plan_prices_the_most_apps_in_a_month() {
    let book =
        BOOK_PER_USER_ONLY.replace("5.00,EUR,2021-10-01,,false", "5.00,EUR,2021-10-01,,true");
    let analysis = audit_tenant(10, &book);
    // Per app, 5 × the most apps in one month: dyn 15, gap 10, heavy 15, tie 10.
    let per_app = |name: &str, amount: &str, cheapest: &str| {
        (
            upn(name),
            FindingReason::PerApp,
            money(amount),
            "POWERAPPS_PER_APP_NEW".to_string(),
            money(cheapest),
        )
    };
    assert_eq!(
        right_sizes(&analysis),
        vec![
            per_app("dyn", "5", "15"),
            per_app("gap", "10", "10"),
            per_app("heavy", "5", "15"),
            per_app("tie", "10", "10"),
        ]
    );
}

#[test]
fn without_premium_use_evidence_there_is_no_recommendation() {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path(), 10, &book_with_pay_as_you_go());
    std::fs::remove_file(temp.path().join("apps.csv")).expect("remove the inventory");
    let snapshot = read_snapshot(
        temp.path(),
        &IngestOptions {
            strictness: Strictness::Strict,
        },
    )
    .expect("read the snapshot");
    let analysis = analyze(
        &snapshot,
        &Catalogue::bundled().expect("catalogue"),
        PriceBook::bundled().expect("prices"),
        AuditWindow {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 10, 31).expect("a date"),
            days: 61,
        },
        AnalyzeOptions {
            audit_complete: true,
        },
    )
    .expect("analyze");
    assert!(right_sizes(&analysis).is_empty());
    assert!(analysis.license_mix.is_none());
}

#[test]
fn a_price_book_tier_or_purchasable_flag_that_is_not_one_names_file_line_and_field() {
    let temp = tempfile::tempdir().expect("temp dir");
    for (row, field) in [
        (
            "POWERAPPS_PER_USER,12.00,EUR,2021-10-01,many,,x",
            "MinSeats",
        ),
        (
            "POWERAPPS_PER_USER,12.00,EUR,2021-10-01,2000,maybe,x",
            "Purchasable",
        ),
    ] {
        write_tenant(temp.path(), 10, &format!("{BOOK_PER_USER_ONLY}{row}\n"));
        let error = read_snapshot(
            temp.path(),
            &IngestOptions {
                strictness: Strictness::Strict,
            },
        )
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
        assert!(
            error.contains("prices.csv") && error.contains("line 6") && error.contains(field),
            "{error}"
        );
    }
}

/// The audit folder of the hand-built tenant, written by the binary, with a reclaim plan made
/// from it under the default policy.
#[test]
fn the_audit_folder_shows_the_mix_and_a_reclaim_plan_leaves_right_size_alone() {
    use crate::plans::{ok, run_in};
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(
        &temp.path().join("snapshot"),
        10,
        &book_with_pay_as_you_go(),
    );
    ok(run_in(
        temp.path(),
        &[
            "audit",
            "snapshot",
            "--as-of",
            "2026-10-31",
            "--window-days",
            "61",
            "--audit-complete",
            "--out",
            "audit",
        ],
    ));
    let audit = temp.path().join("audit");
    let findings: serde_json::Value = serde_json::from_slice(
        &std::fs::read(audit.join("findings.json")).expect("read findings.json"),
    )
    .expect("findings.json is JSON");
    let mix = &findings["license_mix"];
    assert_eq!(mix["cost_today"].as_f64(), Some(80.00));
    assert_eq!(mix["cost_cheapest_mix"].as_f64(), Some(55.00));
    assert_eq!(mix["near_break_even"], 1);
    assert_eq!(findings["summary"]["findings"]["right-size"], 2);
    assert_eq!(
        findings["summary"]["monthly_amounts"]["right-size"].as_f64(),
        Some(30.00)
    );
    // Not in the savings total: inactive-holder (off, 20) + unused-premium (idle, 20) + idle
    // seats (10 bought, 6 held: 4 × 20).
    assert_eq!(
        findings["summary"]["monthly_savings"].as_f64(),
        Some(120.00)
    );
    let gap = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| {
            finding["kind"] == "right-size" && finding["user_principal_name"] == "gap@contoso.com"
        })
        .expect("gap's finding");
    assert_eq!(gap["reason"], "pay-as-you-go");
    assert_eq!(gap["current_monthly_cost"].as_f64(), Some(20.00));
    assert_eq!(gap["cheapest_part_number"], "POWERAPPS_PAYG");
    assert_eq!(gap["cheapest_monthly_cost"].as_f64(), Some(10.00));
    assert_eq!(gap["whole_months"], 2);

    let summary = std::fs::read_to_string(audit.join("summary.md")).expect("summary.md");
    for line in [
        "| pay-as-you-go (`POWERAPPS_PAYG`, per active user per app a month) | 10.00 | 3 | 15.00 |",
        "| Power Apps Premium per user (`POWERAPPS_PER_USER`, per user a month) | 20.00 | 2 | 40.00 |",
        "- Per month: 80.00 EUR today for the holders; 100.00 EUR with every priced user on per user; 55.00 EUR on the cheapest mix",
        "- 1 users are within 10 % of a break-even (their two cheapest options differ by at most a tenth)",
        "- Not considered: per app, as the price book has no per app plan that is purchasable",
    ] {
        assert!(summary.contains(line), "{line}\n{summary}");
    }
    let page = std::fs::read_to_string(audit.join("report.html")).expect("report.html");
    assert!(
        page.contains("<tr><td>Cheapest mix</td><td></td><td class=\"num\">5</td><td class=\"num\">55.00</td></tr>"),
        "{page}"
    );
    let csv = std::fs::read_to_string(audit.join("findings.csv")).expect("findings.csv");
    assert!(
        csv.lines().any(|line| line.starts_with("right-size,")
            && line.contains("gap@contoso.com")
            && line.ends_with(",20.00,POWERAPPS_PAYG,10.00,2")),
        "{csv}"
    );

    // The plan removes the reclaimed licenses and changes none of the right-sized ones.
    ok(run_in(
        temp.path(),
        &[
            "plan",
            "reclaim",
            "audit",
            "--out",
            "plan/plan.json",
            "--on",
            "2026-11-02",
        ],
    ));
    let plan: serde_json::Value = serde_json::from_slice(
        &std::fs::read(temp.path().join("plan/plan.json")).expect("read plan.json"),
    )
    .expect("plan.json is JSON");
    let users: std::collections::BTreeSet<&str> = plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|action| action["user_principal_name"].as_str())
        .collect();
    assert!(users.contains("off@contoso.com"), "{users:?}");
    assert!(
        !users.contains("gap@contoso.com") && !users.contains("dyn@contoso.com"),
        "{users:?}"
    );

    // A policy cannot ask to reclaim right-size findings.
    std::fs::write(
        temp.path().join("policy.toml"),
        "kinds = [\"right-size\"]\n",
    )
    .expect("write");
    let refused = run_in(
        temp.path(),
        &[
            "plan",
            "reclaim",
            "audit",
            "--policy",
            "policy.toml",
            "--out",
            "plan2/plan.json",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("\"right-size\" cannot be reclaimed"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
