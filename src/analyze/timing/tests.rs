//! Hand-built cases: every expected date and saving below is worked out by hand from the
//! new-commerce rules in the module's header.

use super::*;
use crate::model::subscriptions::SubscriptionStatus;

const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const PRICE: Money = Money(36_000_000);

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn as_of() -> NaiveDate {
    date("2026-11-01")
}

fn finding(kind: FindingKind, user: Option<&str>, seats: Option<i64>) -> Finding {
    Finding {
        kind,
        user_id: user.map(str::to_string),
        user_principal_name: user.map(|user| format!("{user}@contoso.com")),
        department: None,
        sku_part_number: "SPE_E3".to_string(),
        sku_id: E3.to_string(),
        reason: None,
        assigned_by: Vec::new(),
        last_activity: None,
        last_premium_use: None,
        premium_apps_used: None,
        seats,
        monthly_amount: PRICE.times(seats.unwrap_or(1)),
        note: None,
        timing: None,
        covered_by: None,
        current_monthly_cost: None,
        cheapest_part_number: None,
        cheapest_monthly_cost: None,
        whole_months: None,
    }
}

fn subscription(id: u8, seats: i64, renewal: Option<&str>) -> Subscription {
    Subscription {
        id: format!("00000000-0000-4000-8000-0000000000{id:02}"),
        commerce_subscription_id: Some(format!("c0000000-0000-4000-8000-0000000000{id:02}")),
        sku_id: E3.to_string(),
        sku_part_number: Some("SPE_E3".to_string()),
        total_licenses: seats,
        is_trial: false,
        status: SubscriptionStatus::Enabled,
        created: Some(date("2025-01-15")),
        next_lifecycle: renewal.map(date),
    }
}

fn renewals(subscriptions: Vec<Subscription>, terms: Vec<TermRow>) -> Renewals {
    Renewals {
        subscriptions: Some(subscriptions),
        terms,
    }
}

fn reducible(timing: &Timing, index: usize) -> ReducibleOn {
    timing.findings[index].expect("a saving").reducible_on
}

#[test]
fn a_subscription_with_no_date_gives_unknown_never_a_guess() {
    let findings = [finding(FindingKind::InactiveHolder, Some("ann"), None)];
    let timing = time_savings(
        &findings,
        &renewals(vec![subscription(1, 10, None)], Vec::new()),
        as_of(),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Unknown);
    assert!(timing.findings[0].expect("a saving").reassignable_now);
    // The seat is still on the calendar, undated.
    assert_eq!(timing.calendar.subscriptions.len(), 1);
    assert_eq!(
        timing.calendar.subscriptions[0].reducible_on,
        ReducibleOn::Unknown
    );
    assert_eq!(timing.calendar.subscriptions[0].seats_to_cut, 1);
}

#[test]
fn a_sku_with_two_subscriptions_cuts_from_the_earliest_renewal_first() {
    // Two idle seats and three inactive holders of E3; subscription 2 renews first and has
    // three seats, subscription 1 renews later with five.
    let findings = [
        finding(FindingKind::IdleSeats, None, Some(2)),
        finding(FindingKind::InactiveHolder, Some("ann"), None),
        finding(FindingKind::InactiveHolder, Some("bob"), None),
        finding(FindingKind::InactiveHolder, Some("cat"), None),
    ];
    let timing = time_savings(
        &findings,
        &renewals(
            vec![
                subscription(1, 5, Some("2027-03-01")),
                subscription(2, 3, Some("2026-12-15")),
            ],
            Vec::new(),
        ),
        as_of(),
    );
    // The idle seats fill two of subscription 2's three; Ann takes the third.
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2026-12-15")));
    assert_eq!(reducible(&timing, 1), ReducibleOn::Date(date("2026-12-15")));
    assert_eq!(reducible(&timing, 2), ReducibleOn::Date(date("2027-03-01")));
    assert_eq!(reducible(&timing, 3), ReducibleOn::Date(date("2027-03-01")));
    assert!(!timing.findings[0].expect("a saving").reassignable_now);

    let lines: Vec<(ReducibleOn, i64, Money, Money)> = timing
        .calendar
        .subscriptions
        .iter()
        .map(|cut| {
            (
                cut.reducible_on,
                cut.seats_to_cut,
                cut.monthly_saving,
                cut.yearly_saving,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            // 3 × 36.00 a month, 1,296.00 a year.
            (
                ReducibleOn::Date(date("2026-12-15")),
                3,
                Money(108_000_000),
                Money(1_296_000_000)
            ),
            // 2 × 36.00 a month, 864.00 a year.
            (
                ReducibleOn::Date(date("2027-03-01")),
                2,
                Money(72_000_000),
                Money(864_000_000)
            ),
        ]
    );
}

#[test]
fn idle_seats_spread_over_two_subscriptions_are_banked_at_the_later_date() {
    let findings = [finding(FindingKind::IdleSeats, None, Some(4))];
    let timing = time_savings(
        &findings,
        &renewals(
            vec![
                subscription(1, 2, Some("2026-12-01")),
                subscription(2, 10, Some("2027-02-01")),
            ],
            Vec::new(),
        ),
        as_of(),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2027-02-01")));
    let cuts: Vec<i64> = timing
        .calendar
        .subscriptions
        .iter()
        .map(|cut| cut.seats_to_cut)
        .collect();
    assert_eq!(cuts, [2, 2]);
}

#[test]
fn a_monthly_term_drops_at_the_next_monthly_renewal() {
    // Created on the 10th; terms.csv says monthly, with no renewal date: the next renewal
    // after 1 November is 10 November.
    let mut monthly = subscription(1, 10, None);
    monthly.created = Some(date("2026-03-10"));
    let terms = vec![TermRow {
        key: TermKey::SkuPartNumber("spe_e3".to_string()),
        term: Some(Term::Monthly),
        billing: Some("Monthly".to_string()),
        renewal_date: None,
    }];
    let findings = [finding(FindingKind::UnusedPremium, Some("ann"), None)];
    let timing = time_savings(&findings, &renewals(vec![monthly], terms), as_of());
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2026-11-10")));
    assert_eq!(timing.calendar.subscriptions[0].term, Some(Term::Monthly));
}

#[test]
fn a_stale_renewal_steps_forward_by_the_term() {
    // A yearly term that renewed on 2026-06-30 (the export's date is last year's lifecycle)
    // next renews on 2027-06-30.
    let terms = vec![TermRow {
        key: TermKey::Subscription("c0000000-0000-4000-8000-000000000001".to_string()),
        term: Some(Term::Yearly),
        billing: None,
        renewal_date: Some(date("2025-06-30")),
    }];
    let findings = [finding(FindingKind::InactiveHolder, Some("ann"), None)];
    let timing = time_savings(
        &findings,
        &renewals(vec![subscription(1, 10, Some("2026-01-01"))], terms),
        as_of(),
    );
    // terms.csv's renewal date wins over Graph's, matched by the commerce id.
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2027-06-30")));
}

#[test]
fn within_seven_days_of_a_purchase_or_renewal_seats_drop_now() {
    let mut bought = subscription(1, 10, Some("2027-10-28"));
    bought.created = Some(date("2026-10-28"));
    let findings = [finding(FindingKind::InactiveHolder, Some("ann"), None)];
    let timing = time_savings(&findings, &renewals(vec![bought], Vec::new()), as_of());
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(as_of()));

    // Renewed on 2026-10-29 for a year: the window after that renewal is open until 5 November.
    let terms = vec![TermRow {
        key: TermKey::SkuPartNumber("SPE_E3".to_string()),
        term: Some(Term::Yearly),
        billing: None,
        renewal_date: None,
    }];
    let timing = time_savings(
        &findings,
        &renewals(vec![subscription(1, 10, Some("2027-10-29"))], terms.clone()),
        as_of(),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(as_of()));
    // Renewed on 2026-10-20: twelve days ago, the window is closed.
    let timing = time_savings(
        &findings,
        &renewals(vec![subscription(1, 10, Some("2027-10-20"))], terms),
        as_of(),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2027-10-20")));
}

#[test]
fn trials_and_suspended_subscriptions_take_no_seats() {
    let mut trial = subscription(1, 25, Some("2026-11-20"));
    trial.is_trial = true;
    let mut suspended = subscription(2, 25, Some("2026-11-21"));
    suspended.status = SubscriptionStatus::Suspended;
    let findings = [finding(FindingKind::InactiveHolder, Some("ann"), None)];
    let timing = time_savings(
        &findings,
        &renewals(vec![trial, suspended], Vec::new()),
        as_of(),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Unknown);
    assert!(timing.calendar.subscriptions.is_empty());
}

#[test]
fn without_subscriptions_every_saving_is_undated_and_costs_are_untimed() {
    let findings = [
        finding(FindingKind::InactiveHolder, Some("ann"), None),
        finding(FindingKind::MissingPremium, Some("bob"), None),
    ];
    let timing = time_savings(&findings, &Renewals::default(), as_of());
    assert!(!timing.calendar.subscriptions_known);
    assert_eq!(reducible(&timing, 0), ReducibleOn::Unknown);
    assert_eq!(timing.findings[1], None, "a cost to comply is not a saving");
    assert!(timing.calendar.subscriptions.is_empty());
}

#[test]
fn more_seats_to_cut_than_subscribed_leaves_the_rest_undated() {
    let findings = [
        finding(FindingKind::InactiveHolder, Some("ann"), None),
        finding(FindingKind::InactiveHolder, Some("bob"), None),
    ];
    let timing = time_savings(
        &findings,
        &renewals(vec![subscription(1, 1, Some("2026-12-01"))], Vec::new()),
        as_of(),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2026-12-01")));
    assert_eq!(reducible(&timing, 1), ReducibleOn::Unknown);
}

#[test]
fn reducible_on_reads_and_writes_as_a_date_or_unknown() {
    let known = ReducibleOn::Date(date("2026-12-15"));
    assert_eq!(
        serde_json::to_string(&known).expect("json"),
        "\"2026-12-15\""
    );
    assert_eq!(
        serde_json::to_string(&ReducibleOn::Unknown).expect("json"),
        "\"unknown\""
    );
    let read: ReducibleOn = serde_json::from_str("\"unknown\"").expect("read");
    assert_eq!(read, ReducibleOn::Unknown);
    let error = serde_json::from_str::<ReducibleOn>("\"soon\"").expect_err("not a date");
    assert!(error.to_string().contains("soon"), "{error}");
}

#[test]
fn a_monthly_renewal_on_the_31st_does_not_drift_through_february() {
    // Renewing on 2027-03-31, monthly, seen on 15 November: the renewals before are 28
    // February, 31 January, 31 December and 30 November, each counted from 31 March (stepping
    // back one month at a time would stick at the 28th).
    let terms = vec![TermRow {
        key: TermKey::SkuPartNumber("SPE_E3".to_string()),
        term: Some(Term::Monthly),
        billing: None,
        renewal_date: Some(date("2027-03-31")),
    }];
    let findings = [finding(FindingKind::InactiveHolder, Some("ann"), None)];
    let timing = time_savings(
        &findings,
        &renewals(vec![subscription(1, 10, None)], terms),
        date("2026-11-15"),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2026-11-30")));
}

#[test]
fn a_right_size_saving_is_banked_when_its_per_user_seat_can_drop() {
    // Ann's per-user license costs 36.00 and pay-as-you-go would cost 10.00 a month: 26.00 to
    // save, once the seat drops at the subscription's renewal. Bob is inactive on the same SKU.
    let mut right_size = finding(FindingKind::RightSize, Some("ann"), None);
    right_size.monthly_amount = Money(26_000_000);
    let findings = [
        right_size,
        finding(FindingKind::InactiveHolder, Some("bob"), None),
        // A cost is never timed.
        finding(FindingKind::MissingPremium, Some("cat"), None),
    ];
    let timing = time_savings(
        &findings,
        &renewals(vec![subscription(1, 10, Some("2027-02-01"))], Vec::new()),
        as_of(),
    );
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2027-02-01")));
    assert!(!timing.findings[0].expect("timed").reassignable_now);
    assert!(timing.findings[1].expect("timed").reassignable_now);
    assert_eq!(timing.findings[2], None);
    let cut = &timing.calendar.subscriptions[0];
    assert_eq!(cut.seats_to_cut, 2);
    assert_eq!(cut.monthly_saving, Money(62_000_000));
    assert_eq!(cut.yearly_saving, Money(744_000_000));
}

#[test]
fn right_sized_seats_take_the_renewals_the_reclaims_leave() {
    // Two subscriptions of one seat each; the right-size finding sorts first by kind, but the
    // inactive holder's seat takes the earlier renewal.
    let mut right_size = finding(FindingKind::RightSize, Some("ann"), None);
    right_size.monthly_amount = Money(26_000_000);
    let findings = [
        right_size,
        finding(FindingKind::InactiveHolder, Some("bob"), None),
    ];
    let timing = time_savings(
        &findings,
        &renewals(
            vec![
                subscription(1, 1, Some("2027-02-01")),
                subscription(2, 1, Some("2026-12-01")),
            ],
            Vec::new(),
        ),
        as_of(),
    );
    assert_eq!(reducible(&timing, 1), ReducibleOn::Date(date("2026-12-01")));
    assert_eq!(reducible(&timing, 0), ReducibleOn::Date(date("2027-02-01")));
}
