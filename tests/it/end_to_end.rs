//! End-to-end audit checked against an independent oracle.
//!
//! Each test runs the real `seatwise` binary (`seatwise audit SNAPSHOT --out DIR`) and compares
//! its `findings.json` and `findings.csv` with findings that this file derives on its own from the
//! snapshot's raw files (`snapshot.json`, `subscribedSkus.json`, the user pages, `apps.csv`,
//! `audit/*.csv`, the snapshot's `prices.csv`) and the bundled `data/skus.csv` / `data/prices.csv`.
//!
//! Independence: the oracle below is a literal, deliberately naive reading of SPEC §1–§3 (and
//! §8's `redundant-license`, over the committed `data/coverage.csv`) written
//! with `HashMap`s and loops. It uses only `serde_json`, `csv`, `chrono`, `std` and `tempfile`;
//! it never calls seatwise library code and never reuses the output of an earlier run. Expected
//! values are never copied from the binary: when the two disagree, the SPEC decides, and the
//! assertion stays on the SPEC side. Money is computed in integer cents.
//!
//! Launches are tied to users as SPEC §2 says: by the object id the record carries (`UserKey`,
//! else `enduser.id`, when it is a GUID), to nobody when no directory user has that id, and only
//! without a GUID id by the user principal name; a record exported twice (same `AuditData.Id`)
//! counts once, and a `#TYPE` first line is skipped.
//!
//! Cases: the committed `data/sample` tenant; a tenant made by `seatwise generate --users 400
//! --seed 11 --as-of 2026-10-15`; and that tenant audited with `--window-days 30 --as-of
//! 2026-09-30`. Every finding kind must occur in each case, so no comparison passes vacuously
//! (but `redundant-license`, which the committed sample lacks); the first two must also hold a renamed premium holder, a reused user principal name and a
//! launch matched by name only, whose findings are checked one by one.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde_json::Value;

const KINDS: [&str; 8] = [
    "assignment-error",
    "duplicate-assignment",
    "idle-seats",
    "inactive-holder",
    "missing-premium",
    "redundant-license",
    "right-size",
    "unused-premium",
];
/// Kinds a case may lack without passing vacuously: the committed sample holds no license
/// another of its holder's licenses covers (the generated tenants do; `tests/it/redundant.rs`
/// has the cases one by one).
const KINDS_THE_SAMPLE_LACKS: [&str; 1] = ["redundant-license"];
const POWER_APP_ID_PROPERTY: &str = "powerplatform.analytics.resource.power_app.id";
const MISSING_PREMIUM_PART: &str = "POWERAPPS_PER_USER";

// ---------------------------------------------------------------------------------------------
// Small readers
// ---------------------------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("oracle: cannot read {}: {e}", path.display()));
    text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned()
}

/// Lower-cases every object key, recursively (SPEC §2: JSON names match in any letter case).
fn lower_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_lowercase(), lower_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(lower_keys).collect()),
        other => other,
    }
}

fn read_json(path: &Path) -> Value {
    let text = read_text(path);
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("oracle: {} is not JSON: {e}", path.display()));
    lower_keys(value)
}

/// The records of a Graph page (`{"value":[…]}`), a JSON array, or a single object.
fn records(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("value") {
            Some(Value::Array(items)) => items,
            Some(other) => {
                map.insert("value".to_owned(), other);
                vec![Value::Object(map)]
            }
            None => vec![Value::Object(map)],
        },
        other => panic!("oracle: unexpected JSON record container {other}"),
    }
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// A CSV file's text without a `#TYPE …` first line (Windows PowerShell 5.1's `Export-Csv`).
fn read_csv_text(path: &Path) -> String {
    let text = read_text(path);
    if text.starts_with("#TYPE") {
        text.split_once('\n')
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or_default()
    } else {
        text
    }
}

/// A CSV file as a list of rows keyed by lower-cased, trimmed header names.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = read_csv_text(path);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("oracle: {} has no header: {e}", path.display()))
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record =
            record.unwrap_or_else(|e| panic!("oracle: {} record {}: {e}", path.display(), n + 1));
        let mut row = HashMap::new();
        for (h, v) in headers.iter().zip(record.iter()) {
            row.insert(h.clone(), v.to_owned());
        }
        rows.push(row);
    }
    rows
}

fn header_of(path: &Path) -> Vec<String> {
    let text = read_csv_text(path);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .headers()
        .unwrap_or_else(|e| panic!("oracle: {} has no header: {e}", path.display()))
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect()
}

/// ISO 8601 with or without fractional seconds and offset (none = UTC), or `M/D/YYYY h:mm:ss AM`.
fn parse_time(raw: &str) -> DateTime<Utc> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return t.with_timezone(&Utc);
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return t.and_utc();
        }
    }
    panic!("oracle: unparseable timestamp {raw:?}")
}

fn optional_time(value: &Value, key: &str) -> Option<DateTime<Utc>> {
    match value.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(parse_time(s)),
        Some(other) => panic!("oracle: {key} is not a timestamp: {other}"),
    }
}

/// A decimal price with at most two decimals, in cents.
fn price_cents(raw: &str) -> i64 {
    let s = raw.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(
        frac.len() <= 2,
        "oracle: price {raw:?} has more than 2 decimals; the oracle computes in cents"
    );
    let whole: i64 = whole
        .parse()
        .unwrap_or_else(|_| panic!("oracle: bad price {raw:?}"));
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}")
            .parse()
            .unwrap_or_else(|_| panic!("oracle: bad price {raw:?}"))
    };
    whole * 100 + frac
}

/// A JSON amount (number, or a decimal string) in cents, rounded half away from zero.
fn json_cents(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    Some((number * 100.0).round() as i64)
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

// ---------------------------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------------------------

/// One finding's identity: (kind, user id, SKU id, reason). Reason is kept for inactive-holder only.
type Key = (String, Option<String>, String, Option<String>);

#[derive(Debug, Default)]
struct Expected {
    /// Key -> monthly amount in cents.
    findings: BTreeMap<Key, i64>,
    /// idle-seats: SKU id -> idle seat count.
    seats: HashMap<String, i64>,
    users: i64,
    licensed_users: i64,
    monthly_cost: i64,
    monthly_savings: i64,
    monthly_cost_to_comply: i64,
    identity: IdentityCases,
}

/// Directory users whose premium use only the matching rule of SPEC §2 gets right, each with
/// their user id and user principal name (lower case).
#[derive(Debug, Default)]
struct IdentityCases {
    /// Active, enabled premium holders whose every premium launch in the window carries an older
    /// user principal name (matched by object id): never `unused-premium`.
    renamed_premium_holders: Vec<(String, String)>,
    /// Users whose user principal name premium launches of a deleted user (an object id no
    /// directory user has) carry, and who have no premium use of their own: never credited with
    /// those launches. With the `unused-premium` rule applying to them (the flag), they must be
    /// reported.
    reused_upn_holders: Vec<(String, String, bool)>,
    /// Users tied to a premium launch by user principal name only (a non-GUID key such as a
    /// PUID, no `enduser.id`): credited with it, so either they hold a premium SKU (the flag)
    /// and are not `unused-premium`, or they are `missing-premium`.
    upn_matched_users: Vec<(String, String, bool)>,
}

impl Expected {
    fn count(&self, kind: &str) -> usize {
        self.findings.keys().filter(|k| k.0 == kind).count()
    }
}

struct User {
    id: String,
    upn: String,
    enabled: bool,
    held: BTreeSet<String>,
    /// SKU id -> the plan ids disabled on it (`assignedLicenses[].disabledPlans`).
    disabled_plans: HashMap<String, Vec<String>>,
    /// (sku id, source: None = direct, state, error)
    states: Vec<(String, Option<String>, String, Option<String>)>,
    has_sign_in: bool,
    last_activity: Option<DateTime<Utc>>,
}

/// The date part (UTC) of `snapshot.json`'s `collectedAt`.
fn snapshot_as_of(dir: &Path) -> NaiveDate {
    let snapshot = read_json(&dir.join("snapshot.json"));
    let collected = str_field(&snapshot, "collectedat").expect("oracle: snapshot.json collectedAt");
    parse_time(collected).date_naive()
}

/// Effective prices (part number, lower case -> cents) on `as_of` from one price file, at the
/// tier (`MinSeats`) the tenant's purchased seats of each part reach, and the part numbers
/// whose row in force says `Purchasable` false.
fn price_file(
    path: &Path,
    as_of: NaiveDate,
    seats: &HashMap<String, i64>,
) -> (HashMap<String, i64>, HashSet<String>) {
    // part -> ((effective from, None = earliest; MinSeats), cents, purchasable)
    type Best = ((Option<NaiveDate>, i64), i64, bool);
    let mut best: HashMap<String, Best> = HashMap::new();
    for row in read_csv(path) {
        let part = row
            .get("skupartnumber")
            .expect("oracle: SkuPartNumber column")
            .trim()
            .to_lowercase();
        let cents = price_cents(
            row.get("monthlyprice")
                .expect("oracle: MonthlyPrice column"),
        );
        let from = row
            .get("effectivefrom")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .unwrap_or_else(|_| panic!("oracle: bad EffectiveFrom {s:?}"))
            });
        if from.is_some_and(|f| f > as_of) {
            continue;
        }
        let min_seats: i64 = row
            .get("minseats")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map_or(0, |s| s.parse().expect("oracle: MinSeats"));
        // Every tenant reaches the base tier.
        if min_seats > seats.get(&part).copied().unwrap_or(0).max(1) {
            continue;
        }
        let purchasable = !row
            .get("purchasable")
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("false"));
        match best.get(&part) {
            Some((current, _, _)) if *current > (from, min_seats) => {}
            _ => {
                best.insert(part, ((from, min_seats), cents, purchasable));
            }
        }
    }
    let not_purchasable = best
        .iter()
        .filter(|(_, (_, _, purchasable))| !purchasable)
        .map(|(part, _)| part.clone())
        .collect();
    (
        best.into_iter().map(|(k, (_, c, _))| (k, c)).collect(),
        not_purchasable,
    )
}

fn read_users(dir: &Path) -> Vec<Value> {
    let mut raw = Vec::new();
    let json = dir.join("users.json");
    let jsonl = dir.join("users.jsonl");
    let folder = dir.join("users");
    if json.is_file() {
        raw.extend(records(read_json(&json)));
    }
    if jsonl.is_file() {
        for line in read_text(&jsonl).lines() {
            if !line.trim().is_empty() {
                let value: Value = serde_json::from_str(line).expect("oracle: users.jsonl line");
                raw.extend(records(lower_keys(value)));
            }
        }
    }
    if folder.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("oracle: read users/")
            .map(|e| e.expect("oracle: users/ entry").path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            })
            .collect();
        files.sort();
        for file in files {
            raw.extend(records(read_json(&file)));
        }
    }
    assert!(!raw.is_empty(), "oracle: no users in {}", dir.display());
    // A user listed twice with identical data is one user; different data would be bad input.
    let mut seen: HashMap<String, Value> = HashMap::new();
    let mut unique = Vec::new();
    for user in raw {
        let id = str_field(&user, "id")
            .expect("oracle: user id")
            .to_lowercase();
        match seen.get(&id) {
            Some(previous) => assert_eq!(
                previous, &user,
                "oracle: user {id} listed twice with different data"
            ),
            None => {
                seen.insert(id, user.clone());
                unique.push(user);
            }
        }
    }
    unique
}

fn parse_user(raw: &Value) -> User {
    let id = str_field(raw, "id")
        .expect("oracle: user id")
        .to_lowercase();
    let upn = str_field(raw, "userprincipalname")
        .expect("oracle: userPrincipalName")
        .to_lowercase();
    let enabled = raw.get("accountenabled").and_then(Value::as_bool) != Some(false);
    let mut held = BTreeSet::new();
    let mut disabled_plans = HashMap::new();
    if let Some(Value::Array(licenses)) = raw.get("assignedlicenses") {
        for license in licenses {
            let sku = str_field(license, "skuid")
                .expect("oracle: assignedLicenses skuId")
                .to_lowercase();
            if let Some(Value::Array(plans)) = license.get("disabledplans") {
                disabled_plans.insert(
                    sku.clone(),
                    plans
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_lowercase)
                        .collect(),
                );
            }
            held.insert(sku);
        }
    }
    let mut states = Vec::new();
    if let Some(Value::Array(entries)) = raw.get("licenseassignmentstates") {
        for entry in entries {
            states.push((
                str_field(entry, "skuid")
                    .expect("oracle: licenseAssignmentStates skuId")
                    .to_lowercase(),
                str_field(entry, "assignedbygroup").map(str::to_lowercase),
                str_field(entry, "state").unwrap_or_default().to_owned(),
                str_field(entry, "error").map(str::to_owned),
            ));
        }
    }
    let (has_sign_in, last_activity) = match raw.get("signinactivity") {
        Some(activity @ Value::Object(map)) => {
            let last_sign_in = optional_time(activity, "lastsignindatetime");
            let non_interactive = optional_time(activity, "lastnoninteractivesignindatetime");
            let successful = optional_time(activity, "lastsuccessfulsignindatetime");
            let interactive = if map.contains_key("lastsuccessfulsignindatetime") {
                successful
            } else {
                last_sign_in
            };
            (
                last_sign_in.is_some() || non_interactive.is_some() || successful.is_some(),
                interactive.max(non_interactive),
            )
        }
        _ => (false, None),
    };
    User {
        id,
        upn,
        enabled,
        held,
        disabled_plans,
        states,
        has_sign_in,
        last_activity,
    }
}

/// Whether `text` is a GUID in its 8-4-4-4-12 form (braces allowed).
fn is_guid(text: &str) -> bool {
    let text = text.trim();
    let text = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn guid_key(text: &str) -> String {
    text.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_lowercase()
}

/// How a premium launch in the window was tied to a user (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Match {
    /// By object id to this directory user.
    ById(String),
    /// By object id to nobody in the directory: an unknown user.
    UnknownId,
    /// No GUID id; by user principal name to this directory user.
    ByUpn(String),
    /// No GUID id and no user with that name: an unknown user.
    UnknownUpn,
}

/// One premium launch in the window, counted once per `AuditData.Id`.
#[derive(Debug, Clone)]
struct PremiumLaunch {
    /// The user principal name the record carries (lower case).
    upn: String,
    matched: Match,
    /// The app's GUID (lower case).
    app: String,
    time: DateTime<Utc>,
}

impl PremiumLaunch {
    fn user(&self) -> Option<&str> {
        match &self.matched {
            Match::ById(id) | Match::ByUpn(id) => Some(id),
            Match::UnknownId | Match::UnknownUpn => None,
        }
    }
}

/// Premium launches in the window, each tied to a directory user or to nobody (SPEC §1, §2).
fn premium_launches(
    dir: &Path,
    users: &[User],
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
) -> Vec<PremiumLaunch> {
    let mut premium_apps = HashSet::new();
    let apps = dir.join("apps.csv");
    if apps.is_file() {
        for row in read_csv(&apps) {
            let is_true = |column: &str| {
                row.get(column)
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
            };
            if is_true("usespremiumapi")
                || is_true("usescustomapi")
                || is_true("usesonpremisegateway")
                || is_true("usespcfexternalserviceusage")
            {
                premium_apps.insert(
                    row.get("appname")
                        .expect("oracle: AppName")
                        .trim()
                        .to_lowercase(),
                );
            }
        }
    }
    let ids: HashSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let by_upn: HashMap<&str, &str> = users
        .iter()
        .map(|u| (u.upn.as_str(), u.id.as_str()))
        .collect();
    let mut launches = Vec::new();
    let mut seen_records: HashSet<String> = HashSet::new();
    let folder = dir.join("audit");
    if !folder.is_dir() {
        return launches;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("oracle: read audit/")
        .map(|e| e.expect("oracle: audit/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
        .collect();
    files.sort();
    for file in files {
        let header = header_of(&file);
        let pick = |names: &[&str]| {
            names
                .iter()
                .find(|n| header.iter().any(|h| h == *n))
                .map(|n| (*n).to_owned())
        };
        let operation = pick(&["operation", "operations"])
            .unwrap_or_else(|| panic!("oracle: {} has no Operation(s) column", file.display()));
        let user_column = pick(&["userid", "userids"])
            .unwrap_or_else(|| panic!("oracle: {} has no UserId(s) column", file.display()));
        assert!(
            header.iter().any(|h| h == "auditdata"),
            "oracle: {} has no AuditData",
            file.display()
        );
        for row in read_csv(&file) {
            if row[&operation].trim() != "LaunchPowerApp" {
                continue;
            }
            let data: Value = lower_keys(
                serde_json::from_str(&row["auditdata"])
                    .unwrap_or_else(|e| panic!("oracle: {} AuditData: {e}", file.display())),
            );
            // A record exported twice (overlapping exports) counts once.
            if let Some(id) = str_field(&data, "id").map(|id| id.trim().to_lowercase())
                && !seen_records.insert(id)
            {
                continue;
            }
            let time = match str_field(&data, "creationtime") {
                Some(t) => parse_time(t),
                None => parse_time(row.get("creationdate").expect("oracle: CreationDate")),
            };
            if time < window_start || time >= window_end {
                continue;
            }
            let user = str_field(&data, "userid")
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| row[&user_column].as_str())
                .trim()
                .to_lowercase();
            let record_type = data
                .get("recordtype")
                .and_then(Value::as_i64)
                .or_else(|| row.get("recordtype").and_then(|r| r.trim().parse().ok()));
            let from_app_name = || str_field(&data, "appname").map(str::to_owned);
            let from_properties = || {
                data.get("propertycollection")
                    .and_then(Value::as_array)?
                    .iter()
                    .find(|p| str_field(p, "name") == Some(POWER_APP_ID_PROPERTY))
                    .and_then(|p| str_field(p, "value"))
                    .map(str::to_owned)
            };
            let app = match record_type {
                Some(45) => from_app_name(),
                Some(256) => from_properties(),
                _ => from_properties().or_else(from_app_name),
            }
            .unwrap_or_else(|| panic!("oracle: {} launch without app id: {data}", file.display()))
            .trim()
            .to_lowercase();
            if !premium_apps.contains(&app) {
                continue;
            }
            // The object id: UserKey when it is a GUID, else enduser.id when that is one.
            let end_user_id = || {
                data.get("propertycollection")
                    .and_then(Value::as_array)?
                    .iter()
                    .find(|p| str_field(p, "name") == Some("enduser.id"))
                    .and_then(|p| str_field(p, "value"))
            };
            let object_id = str_field(&data, "userkey")
                .filter(|k| is_guid(k))
                .or_else(|| end_user_id().filter(|k| is_guid(k)))
                .map(guid_key);
            let matched = match object_id {
                Some(id) if ids.contains(id.as_str()) => Match::ById(id),
                Some(_) => Match::UnknownId,
                None => match by_upn.get(user.as_str()) {
                    Some(id) => Match::ByUpn((*id).to_owned()),
                    None => Match::UnknownUpn,
                },
            };
            launches.push(PremiumLaunch {
                upn: user,
                matched,
                app,
                time,
            });
        }
    }
    launches
}

/// Finds the users of [`IdentityCases`] among `users` and the window's premium launches.
fn identity_cases(
    users: &[User],
    launches: &[PremiumLaunch],
    window_start: DateTime<Utc>,
    is_premium: &dyn Fn(&str) -> bool,
) -> IdentityCases {
    let mut cases = IdentityCases::default();
    for user in users {
        let active = user.last_activity.is_some_and(|t| t >= window_start);
        let holds_premium = user.held.iter().any(|s| is_premium(s));
        let unused_rule_applies = holds_premium && user.enabled && active;
        let own: Vec<&PremiumLaunch> = launches
            .iter()
            .filter(|l| l.user() == Some(user.id.as_str()))
            .collect();
        if unused_rule_applies
            && !own.is_empty()
            && own
                .iter()
                .all(|l| matches!(l.matched, Match::ById(_)) && l.upn != user.upn)
        {
            cases
                .renamed_premium_holders
                .push((user.id.clone(), user.upn.clone()));
        }
        let someone_elses = launches
            .iter()
            .any(|l| l.matched == Match::UnknownId && l.upn == user.upn);
        if someone_elses && own.is_empty() {
            cases
                .reused_upn_holders
                .push((user.id.clone(), user.upn.clone(), unused_rule_applies));
        }
        if own.iter().any(|l| matches!(l.matched, Match::ByUpn(_))) {
            cases
                .upn_matched_users
                .push((user.id.clone(), user.upn.clone(), holds_premium));
        }
    }
    cases
}

/// SPEC §1–§3, literally: the findings and summary of `dir` as of `as_of` over `window_days`.
fn oracle(dir: &Path, as_of: NaiveDate, window_days: u64) -> Expected {
    let window_start = as_of
        .checked_sub_days(Days::new(window_days - 1))
        .expect("window start")
        .and_time(NaiveTime::MIN)
        .and_utc();
    let window_end = as_of
        .checked_add_days(Days::new(1))
        .expect("window end")
        .and_time(NaiveTime::MIN)
        .and_utc();

    // Catalogue: SKU id -> (part number, premium).
    let mut catalogue: HashMap<String, (String, bool)> = HashMap::new();
    for row in read_csv(&repo_root().join("data/skus.csv")) {
        catalogue.insert(
            row["skuid"].trim().to_lowercase(),
            (
                row["skupartnumber"].trim().to_owned(),
                row["premium"].trim().eq_ignore_ascii_case("true"),
            ),
        );
    }
    let subscribed = records(read_json(&dir.join("subscribedSkus.json")));
    // Purchased seats per part number choose the price tiers (SPEC §2 `MinSeats`).
    let mut seats_by_part: HashMap<String, i64> = HashMap::new();
    for sku in &subscribed {
        let unpaid = str_field(sku, "capabilitystatus")
            .is_some_and(|status| ["Suspended", "Deleted", "LockedOut"].contains(&status));
        if let (Some(part), false) = (str_field(sku, "skupartnumber"), unpaid) {
            let units = |name: &str| {
                sku.get("prepaidunits")
                    .and_then(|p| p.get(name))
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
            };
            *seats_by_part.entry(part.to_lowercase()).or_default() +=
                units("enabled") + units("warning");
        }
    }
    let (mut prices, mut not_purchasable) =
        price_file(&repo_root().join("data/prices.csv"), as_of, &seats_by_part);
    if dir.join("prices.csv").is_file() {
        let (snapshot_prices, snapshot_not_purchasable) =
            price_file(&dir.join("prices.csv"), as_of, &seats_by_part);
        for part in snapshot_prices.keys() {
            not_purchasable.remove(part);
        }
        not_purchasable.extend(snapshot_not_purchasable);
        prices.extend(snapshot_prices);
    }
    let mut parts: HashMap<String, String> = catalogue
        .iter()
        .map(|(id, (part, _))| (id.clone(), part.clone()))
        .collect();
    for sku in &subscribed {
        if let Some(part) = str_field(sku, "skupartnumber") {
            let id = str_field(sku, "skuid")
                .expect("oracle: skuId")
                .to_lowercase();
            parts.insert(id, part.to_owned());
        }
    }
    let price_of = |sku_id: &str| -> i64 {
        parts
            .get(sku_id)
            .and_then(|part| prices.get(&part.to_lowercase()))
            .copied()
            .unwrap_or(0)
    };
    let is_premium = |sku_id: &str| catalogue.get(sku_id).is_some_and(|(_, p)| *p);

    let users: Vec<User> = read_users(dir).iter().map(parse_user).collect();
    let launches = premium_launches(dir, &users, window_start, window_end);
    let mut uses_by_user: HashMap<&str, usize> = HashMap::new();
    for launch in &launches {
        if let Some(id) = launch.user() {
            *uses_by_user.entry(id).or_default() += 1;
        }
    }

    let mut out = Expected {
        users: users.len() as i64,
        licensed_users: users.iter().filter(|u| !u.held.is_empty()).count() as i64,
        ..Expected::default()
    };
    let add = |out: &mut Expected,
               kind: &str,
               user: Option<&str>,
               sku: &str,
               reason: Option<&str>,
               cents: i64| {
        let key = (
            kind.to_owned(),
            user.map(str::to_owned),
            sku.to_owned(),
            reason.map(str::to_owned),
        );
        assert!(
            out.findings.insert(key.clone(), cents).is_none(),
            "oracle: duplicate {key:?}"
        );
    };

    let missing_sku = parts
        .iter()
        .find(|(_, part)| part.eq_ignore_ascii_case(MISSING_PREMIUM_PART))
        .map(|(id, _)| id.clone())
        .expect("oracle: POWERAPPS_PER_USER in the catalogue");
    let missing_price = prices
        .get(&MISSING_PREMIUM_PART.to_lowercase())
        .copied()
        .unwrap_or(0);

    for user in &users {
        let active = user.last_activity.is_some_and(|t| t >= window_start);
        let premium_uses = uses_by_user.get(user.id.as_str()).copied().unwrap_or(0);
        for sku in &user.held {
            let price = price_of(sku);
            if price > 0 {
                let reason = if !user.enabled {
                    Some("disabled")
                } else if !user.has_sign_in {
                    Some("never-signed-in")
                } else if !active {
                    Some("inactive")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    add(
                        &mut out,
                        "inactive-holder",
                        Some(&user.id),
                        sku,
                        Some(reason),
                        price,
                    );
                }
            }
            if is_premium(sku) && user.enabled && active && premium_uses == 0 {
                add(&mut out, "unused-premium", Some(&user.id), sku, None, price);
            }
        }
        if premium_uses > 0 && !user.held.iter().any(|s| is_premium(s)) {
            add(
                &mut out,
                "missing-premium",
                Some(&user.id),
                &missing_sku,
                None,
                missing_price,
            );
        }
        let mut errors = BTreeSet::new();
        let mut sources: HashMap<&str, HashSet<Option<&str>>> = HashMap::new();
        for (sku, group, state, error) in &user.states {
            if error
                .as_deref()
                .is_some_and(|e| !e.eq_ignore_ascii_case("none"))
            {
                errors.insert(sku.as_str());
            }
            if state.eq_ignore_ascii_case("active") {
                sources
                    .entry(sku.as_str())
                    .or_default()
                    .insert(group.as_deref());
            }
        }
        for sku in errors {
            add(&mut out, "assignment-error", Some(&user.id), sku, None, 0);
        }
        for (sku, from) in sources {
            if from.len() >= 2 {
                add(
                    &mut out,
                    "duplicate-assignment",
                    Some(&user.id),
                    sku,
                    None,
                    0,
                );
            }
        }
    }

    // SPEC §8, read naively: B is redundant when another held A covers it by
    // `data/coverage.csv`, neither (user, B) nor (user, A) is inactive-holder or
    // unused-premium, and, when the two cover each other, B is the pricier (equal prices: the
    // part number sorting later).
    let coverage: HashSet<(String, String)> = read_csv(&repo_root().join("data/coverage.csv"))
        .iter()
        .map(|row| {
            (
                row["coveringskuid"].trim().to_lowercase(),
                row["coveredskuid"].trim().to_lowercase(),
            )
        })
        .collect();
    let mut user_facing_plans: HashMap<String, HashSet<String>> = HashMap::new();
    for row in read_csv(&repo_root().join("data/coverage_plans.csv")) {
        user_facing_plans
            .entry(row["skuid"].trim().to_lowercase())
            .or_default()
            .insert(row["serviceplanid"].trim().to_lowercase());
    }
    let reclaimed: HashSet<(String, String)> = out
        .findings
        .keys()
        .filter(|key| key.0 == "inactive-holder" || key.0 == "unused-premium")
        .filter_map(|key| Some((key.1.clone()?, key.2.clone())))
        .collect();
    let part_of = |sku: &str| parts.get(sku).cloned().unwrap_or_else(|| sku.to_owned());
    for user in &users {
        for covered in &user.held {
            let price = price_of(covered);
            if price == 0 || reclaimed.contains(&(user.id.clone(), covered.clone())) {
                continue;
            }
            let covered_by_one = user.held.iter().any(|covering| {
                if covering == covered
                    || !coverage.contains(&(covering.clone(), covered.clone()))
                    || reclaimed.contains(&(user.id.clone(), covering.clone()))
                {
                    return false;
                }
                let disabled = user.disabled_plans.get(covering).cloned().unwrap_or_default();
                assert!(
                    disabled.iter().all(|plan| !user_facing_plans
                        .get(covering)
                        .is_some_and(|plans| plans.contains(plan))),
                    "oracle: user {} has a user-facing plan of {covering} disabled, which this oracle does not model",
                    user.id
                );
                !coverage.contains(&(covered.clone(), covering.clone()))
                    || (price, part_of(covered)) > (price_of(covering), part_of(covering))
            });
            if covered_by_one {
                add(
                    &mut out,
                    "redundant-license",
                    Some(&user.id),
                    covered,
                    None,
                    price,
                );
            }
        }
    }

    // right-size (SPEC §8): per-user holders not reclaimed, priced over the whole months.
    let whole_months: Vec<(i32, u32)> = {
        let first = window_start.date_naive();
        let mut months = Vec::new();
        let mut day = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).expect("a month");
        if day < first {
            day = day
                .checked_add_months(chrono::Months::new(1))
                .expect("a month");
        }
        while let Some(next) = day.checked_add_months(chrono::Months::new(1)) {
            if next.pred_opt().expect("a day") > as_of {
                break;
            }
            months.push((day.year(), day.month()));
            day = next;
        }
        months
    };
    let dynamics_skus: HashSet<String> = read_csv(&repo_root().join("data/coverage_plans.csv"))
        .into_iter()
        .filter(|row| {
            [
                "POWERAPPS_DYN_APPS",
                "POWERAPPS_DYN_APPS_GOV",
                "POWERAPPS_DYN_P2",
                "POWERAPPS_DYN_P2_GOV",
            ]
            .contains(&row["serviceplanname"].trim())
        })
        .map(|row| row["skuid"].trim().to_lowercase())
        .collect();
    let payg = prices.get("powerapps_payg").copied();
    let per_app = ["powerapps_per_app_new", "powerapps_per_app"]
        .iter()
        .filter(|part| !not_purchasable.contains(**part))
        .filter_map(|part| prices.get(*part).copied())
        .filter(|cents| *cents > 0)
        .min();
    let months = whole_months.len() as i64;
    for user in &users {
        if !user.held.iter().any(|sku| *sku == missing_sku) || months == 0 {
            continue;
        }
        let reclaimed = out.findings.keys().any(|key| {
            (key.0 == "inactive-holder"
                || key.0 == "unused-premium"
                || key.0 == "redundant-license")
                && key.1.as_deref() == Some(user.id.as_str())
                && key.2 == missing_sku
        });
        if reclaimed {
            continue;
        }
        let apps: Vec<i64> = whole_months
            .iter()
            .map(|(year, month)| {
                launches
                    .iter()
                    .filter(|launch| {
                        launch.user() == Some(user.id.as_str())
                            && launch.time.year() == *year
                            && launch.time.month() == *month
                    })
                    .map(|launch| launch.app.as_str())
                    .collect::<HashSet<_>>()
                    .len() as i64
            })
            .collect();
        if apps.iter().all(|count| *count == 0) {
            continue;
        }
        // Totals over the months, in cents, decide; a tie keeps per user.
        let per_user_total = missing_price * months;
        let mut cheapest = ("per-user", per_user_total);
        if let Some(price) = payg {
            let covered = user.held.iter().any(|sku| dynamics_skus.contains(sku));
            let total = if covered {
                0
            } else {
                price * apps.iter().sum::<i64>()
            };
            if total < cheapest.1 {
                cheapest = ("pay-as-you-go", total);
            }
        }
        if let Some(price) = per_app {
            let total = price * apps.iter().max().copied().unwrap_or(0) * months;
            if total < cheapest.1 {
                cheapest = ("per-app", total);
            }
        }
        if cheapest.0 != "per-user" {
            // current − the cheapest's monthly average, rounded half up to a cent.
            let saving = ((per_user_total - cheapest.1) * 2 + months) / (2 * months);
            add(
                &mut out,
                "right-size",
                Some(&user.id),
                &missing_sku,
                None,
                saving,
            );
        }
    }

    for sku in &subscribed {
        let id = str_field(sku, "skuid")
            .expect("oracle: skuId")
            .to_lowercase();
        let enabled = sku
            .get("prepaidunits")
            .and_then(|p| p.get("enabled"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let consumed = sku
            .get("consumedunits")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let price = price_of(&id);
        out.monthly_cost += enabled * price;
        let idle = enabled - consumed;
        if price > 0 && idle > 0 {
            add(&mut out, "idle-seats", None, &id, None, idle * price);
            out.seats.insert(id, idle);
        }
    }

    out.identity = identity_cases(&users, &launches, window_start, &is_premium);

    for (key, cents) in &out.findings {
        match key.0.as_str() {
            "inactive-holder" | "unused-premium" | "idle-seats" | "redundant-license" => {
                out.monthly_savings += cents
            }
            "missing-premium" => out.monthly_cost_to_comply += cents,
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running the binary and comparing
// ---------------------------------------------------------------------------------------------

fn run(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(args)
        .output()
        .expect("run seatwise");
    assert!(
        output.status.success(),
        "seatwise {args:?} failed with {}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn generate(temp: &Path) -> PathBuf {
    let tenant = temp.join("tenant");
    let tenant_str = tenant.to_str().expect("utf-8 temp path");
    run(&[
        "generate",
        "--users",
        "400",
        "--seed",
        "11",
        "--as-of",
        "2026-10-15",
        "--out",
        tenant_str,
    ]);
    tenant
}

fn first_ten<T: std::fmt::Debug>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<T> = items.into_iter().collect();
    let shown: Vec<String> = items
        .iter()
        .take(10)
        .map(|i| format!("    {i:?}"))
        .collect();
    format!("{} item(s):\n{}", items.len(), shown.join("\n"))
}

/// Whether `findings` hold a finding of `kind` for user `id`.
fn has_finding(findings: &BTreeMap<Key, i64>, kind: &str, id: &str) -> bool {
    findings
        .keys()
        .any(|k| k.0 == kind && k.1.as_deref() == Some(id))
}

/// The identity cases of SPEC §2, checked on `findings` (the oracle's or the binary's): what is
/// wrong with each user, if anything.
fn identity_problems(identity: &IdentityCases, findings: &BTreeMap<Key, i64>) -> Vec<String> {
    let mut problems = Vec::new();
    for (id, upn) in &identity.renamed_premium_holders {
        if has_finding(findings, "unused-premium", id) {
            problems.push(format!(
                "renamed premium holder {upn} ({id}) is unused-premium: its launches under an \
                 older user principal name were not matched by object id"
            ));
        }
    }
    for (id, upn, unused_rule_applies) in &identity.reused_upn_holders {
        if has_finding(findings, "missing-premium", id) {
            problems.push(format!(
                "{upn} ({id}) is missing-premium: credited with a deleted user's launches under \
                 the reused user principal name"
            ));
        }
        if *unused_rule_applies && !has_finding(findings, "unused-premium", id) {
            problems.push(format!(
                "{upn} ({id}) is not unused-premium: credited with a deleted user's launches \
                 under the reused user principal name"
            ));
        }
    }
    for (id, upn, holds_premium) in &identity.upn_matched_users {
        if *holds_premium && has_finding(findings, "unused-premium", id) {
            problems.push(format!(
                "{upn} ({id}) is unused-premium: a launch without a GUID user key was not \
                 matched by user principal name"
            ));
        }
        if !*holds_premium && !has_finding(findings, "missing-premium", id) {
            problems.push(format!(
                "{upn} ({id}) is not missing-premium: a launch without a GUID user key was not \
                 matched by user principal name"
            ));
        }
    }
    problems
}

/// Audits `snapshot` with `extra` arguments and compares the result with the oracle. With
/// `identity_cases`, the snapshot must hold every identity case of SPEC §2 (a renamed premium
/// holder, a reused user principal name, a launch matched by name only).
fn is_committed_sample(snapshot: &Path) -> bool {
    snapshot == repo_root().join("data/sample")
}

fn audit_and_compare(
    snapshot: &Path,
    as_of: NaiveDate,
    window_days: u64,
    extra: &[&str],
    identity_cases: bool,
) {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    let mut args = vec![
        "audit",
        snapshot.to_str().expect("utf-8 snapshot path"),
        "--out",
        out.to_str().expect("utf-8 temp path"),
    ];
    args.extend_from_slice(extra);
    run(&args);

    let expected = oracle(snapshot, as_of, window_days);
    let vacuous: Vec<&str> = KINDS
        .into_iter()
        .filter(|k| expected.count(k) == 0)
        .filter(|k| !(is_committed_sample(snapshot) && KINDS_THE_SAMPLE_LACKS.contains(k)))
        .collect();
    assert!(
        vacuous.is_empty(),
        "the oracle finds no {vacuous:?} findings in {}: this tenant cannot test those kinds",
        snapshot.display()
    );

    let identity = &expected.identity;
    if identity_cases {
        assert!(
            !identity.renamed_premium_holders.is_empty()
                && identity.reused_upn_holders.iter().any(|case| case.2)
                && !identity.upn_matched_users.is_empty(),
            "{} lacks an identity case of SPEC §2: {identity:?}",
            snapshot.display()
        );
    }
    let oracle_problems = identity_problems(identity, &expected.findings);
    assert!(oracle_problems.is_empty(), "oracle: {oracle_problems:?}");

    let report: Value = serde_json::from_str(&read_text(&out.join("findings.json")))
        .expect("findings.json is JSON");
    let mut problems: Vec<String> = Vec::new();

    if report["schema"] != "seatwise.findings/1" {
        problems.push(format!("schema is {}", report["schema"]));
    }
    if report["as_of"] != as_of.format("%Y-%m-%d").to_string().as_str() {
        problems.push(format!("as_of is {}, expected {as_of}", report["as_of"]));
    }
    if report["window_days"].as_u64() != Some(window_days) {
        problems.push(format!(
            "window_days is {}, expected {window_days}",
            report["window_days"]
        ));
    }

    let summary = &report["summary"];
    for (name, want) in [
        ("users", expected.users),
        ("licensed_users", expected.licensed_users),
    ] {
        if summary[name].as_i64() != Some(want) {
            problems.push(format!(
                "summary.{name} is {}, expected {want}",
                summary[name]
            ));
        }
    }
    for (name, want) in [
        ("monthly_cost", expected.monthly_cost),
        ("monthly_savings", expected.monthly_savings),
        ("monthly_cost_to_comply", expected.monthly_cost_to_comply),
    ] {
        if json_cents(&summary[name]) != Some(want) {
            problems.push(format!(
                "summary.{name} is {}, expected {}",
                summary[name],
                money(want)
            ));
        }
    }

    let rows = report["findings"].as_array().expect("findings is an array");
    let mut actual: BTreeMap<Key, i64> = BTreeMap::new();
    let mut duplicates = Vec::new();
    let mut actual_seats: HashMap<String, Option<i64>> = HashMap::new();
    for row in rows {
        let kind = row["kind"].as_str().unwrap_or("<no kind>").to_owned();
        let user = row["user_id"].as_str().map(str::to_lowercase);
        let sku = row["sku_id"]
            .as_str()
            .unwrap_or("<no sku_id>")
            .to_lowercase();
        let reason = if kind == "inactive-holder" {
            row["reason"].as_str().map(str::to_owned)
        } else {
            None
        };
        let cents = json_cents(&row["monthly_amount"]).unwrap_or(i64::MIN);
        if kind == "idle-seats" {
            actual_seats.insert(sku.clone(), row["seats"].as_i64());
        }
        let key = (kind, user, sku, reason);
        if actual.insert(key.clone(), cents).is_some() {
            duplicates.push(key);
        }
    }
    if !duplicates.is_empty() {
        problems.push(format!("findings listed twice: {}", first_ten(&duplicates)));
    }

    for kind in KINDS {
        let want = expected.count(kind);
        let in_rows = rows.iter().filter(|r| r["kind"] == kind).count();
        let in_summary = summary["findings"][kind].as_u64().unwrap_or(0) as usize;
        if in_rows != want || in_summary != want {
            problems.push(format!(
                "{kind}: expected {want} findings, findings has {in_rows}, summary says {in_summary}"
            ));
        }
        let missing: Vec<&Key> = expected
            .findings
            .keys()
            .filter(|k| k.0 == kind && !actual.contains_key(*k))
            .collect();
        let unexpected: Vec<&Key> = actual
            .keys()
            .filter(|k| k.0 == kind && !expected.findings.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "{kind}: expected but absent: {}",
                first_ten(missing)
            ));
        }
        if !unexpected.is_empty() {
            problems.push(format!(
                "{kind}: present but not expected: {}",
                first_ten(unexpected)
            ));
        }
    }
    let unknown: Vec<&Key> = actual
        .keys()
        .filter(|k| !KINDS.contains(&k.0.as_str()))
        .collect();
    if !unknown.is_empty() {
        problems.push(format!("unknown kinds: {}", first_ten(unknown)));
    }

    let wrong_amounts: Vec<String> = expected
        .findings
        .iter()
        .filter_map(|(key, want)| {
            let got = actual.get(key)?;
            (got != want).then(|| format!("{key:?}: {} instead of {}", money(*got), money(*want)))
        })
        .collect();
    if !wrong_amounts.is_empty() {
        problems.push(format!(
            "wrong monthly_amount: {}",
            first_ten(wrong_amounts)
        ));
    }
    let wrong_seats: Vec<String> = expected
        .seats
        .iter()
        .filter_map(|(sku, want)| {
            let got = actual_seats.get(sku)?;
            (*got != Some(*want)).then(|| format!("{sku}: seats {got:?} instead of {want}"))
        })
        .collect();
    if !wrong_seats.is_empty() {
        problems.push(format!("wrong idle seats: {}", first_ten(wrong_seats)));
    }

    problems.extend(identity_problems(identity, &actual));

    // Order: kind, then user principal name (ignoring case), then SKU part number. Part numbers
    // are accepted in either byte order or case-insensitive order.
    let sort_key = |row: &Value, fold_part: bool| {
        let part = row["sku_part_number"].as_str().unwrap_or_default();
        (
            row["kind"].as_str().unwrap_or_default().to_owned(),
            row["user_principal_name"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase(),
            if fold_part {
                part.to_lowercase()
            } else {
                part.to_owned()
            },
        )
    };
    let sorted = |fold: bool| {
        rows.windows(2)
            .all(|w| sort_key(&w[0], fold) <= sort_key(&w[1], fold))
    };
    if !sorted(false) && !sorted(true) {
        let out_of_order: Vec<String> = rows
            .windows(2)
            .filter(|w| sort_key(&w[0], true) > sort_key(&w[1], true))
            .map(|w| {
                format!(
                    "{:?} before {:?}",
                    sort_key(&w[0], false),
                    sort_key(&w[1], false)
                )
            })
            .collect();
        problems.push(format!("findings not sorted: {}", first_ten(out_of_order)));
    }

    // findings.csv: a header and exactly one row per finding, with the same kinds.
    let csv_text = read_text(&out.join("findings.csv"));
    let mut reader = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
    let headers = reader.headers().expect("findings.csv header").clone();
    let kind_column = headers.iter().position(|h| h == "kind");
    let mut csv_kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut csv_rows = 0;
    for record in reader.records() {
        let record = record.expect("findings.csv record");
        csv_rows += 1;
        if let Some(i) = kind_column {
            *csv_kinds.entry(record[i].to_owned()).or_default() += 1;
        }
    }
    if csv_rows != rows.len() {
        problems.push(format!(
            "findings.csv has {csv_rows} rows for {} findings",
            rows.len()
        ));
    }
    match kind_column {
        None => problems.push(format!("findings.csv has no kind column: {headers:?}")),
        Some(_) => {
            let mut json_kinds: BTreeMap<String, usize> = BTreeMap::new();
            for row in rows {
                *json_kinds
                    .entry(row["kind"].as_str().unwrap_or_default().to_owned())
                    .or_default() += 1;
            }
            if csv_kinds != json_kinds {
                problems.push(format!(
                    "findings.csv kinds {csv_kinds:?} != findings.json {json_kinds:?}"
                ));
            }
        }
    }

    assert!(
        problems.is_empty(),
        "seatwise audit of {} (as of {as_of}, {window_days} days) disagrees with the SPEC oracle:\n- {}",
        snapshot.display(),
        problems.join("\n- ")
    );
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

#[test]
fn committed_sample_matches_oracle() {
    let sample = repo_root().join("data/sample");
    assert!(
        sample.join("snapshot.json").is_file(),
        "data/sample/snapshot.json is missing: the committed sample tenant is required"
    );
    let as_of = snapshot_as_of(&sample);
    audit_and_compare(&sample, as_of, 90, &[], true);
}

#[test]
fn generated_tenant_matches_oracle() {
    let temp = tempfile::tempdir().expect("temp dir");
    let tenant = generate(temp.path());
    let as_of = snapshot_as_of(&tenant);
    assert_eq!(
        as_of,
        NaiveDate::from_ymd_opt(2026, 10, 15).expect("date"),
        "snapshot.json collectedAt of the generated tenant"
    );
    audit_and_compare(&tenant, as_of, 90, &[], true);
}

#[test]
fn generated_tenant_with_short_window_and_earlier_as_of_matches_oracle() {
    let temp = tempfile::tempdir().expect("temp dir");
    let tenant = generate(temp.path());
    let as_of = NaiveDate::from_ymd_opt(2026, 9, 30).expect("date");
    audit_and_compare(
        &tenant,
        as_of,
        30,
        &["--window-days", "30", "--as-of", "2026-09-30"],
        false,
    );
}
