//! The Power Apps inventory: `apps.csv` as `Get-AdminPowerApp | Select-Object … | Export-Csv`
//! writes it, or `apps.json` as `Get-AdminPowerApp | ConvertTo-Json` writes it.
//!
//! An app is premium when it uses a premium API, a custom API, the on-premises gateway, or a
//! code component with external service usage (SPEC §1). The CSV carries the flags as columns
//! (`True`/`False`; the last one optional); the JSON either as the same flat properties or
//! nested where the cmdlet keeps them, under `Internal.properties`, as JSON booleans or
//! PowerShell's `True`/`False` strings. An empty flag is false.

use super::error::{IngestError, Location, RejectionLog, rejection};
use super::table::CsvTable;
use crate::case_insensitive_record;
use crate::model::columns;
use polars::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeSet;
use std::path::Path;

const APP_NAME: &str = "AppName";
const REQUIRED_FLAGS: [&str; 3] = ["UsesPremiumApi", "UsesCustomApi", "UsesOnPremiseGateway"];
const OPTIONAL_FLAG: &str = "UsesPcfExternalServiceUsage";

/// One inventory app before the duplicate check.
struct App {
    id: String,
    display_name: Option<String>,
    environment: Option<String>,
    premium: bool,
}

/// Reads `apps.csv` or `apps.json` (by extension) into the `apps` frame; `None` when it lists
/// no app at all. An empty inventory does not say "nothing is premium": it is as if there were
/// none, and premium use is unknown.
pub fn read_apps(path: &Path, log: &mut RejectionLog) -> Result<Option<DataFrame>, IngestError> {
    let is_json = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"));
    let apps = if is_json {
        read_json(path, log)?
    } else {
        read_csv(path, log)?
    };
    if apps.is_empty() {
        return Ok(None);
    }
    frame(path, apps, log).map(Some)
}

fn read_csv(path: &Path, log: &mut RejectionLog) -> Result<Vec<(Location, App)>, IngestError> {
    let mut required = vec![APP_NAME];
    required.extend(REQUIRED_FLAGS);
    let table = CsvTable::read(path, &required, log)?;
    let has_optional_flag = table.has_column(OPTIONAL_FLAG);
    let mut apps = Vec::new();
    'rows: for row in table.rows() {
        let id = row.get(APP_NAME).trim().to_ascii_lowercase();
        if id.is_empty() {
            log.reject(rejection(path, row.location(), APP_NAME, "empty app id"))?;
            continue;
        }
        let mut premium = false;
        let flags = REQUIRED_FLAGS
            .iter()
            .chain(has_optional_flag.then_some(&OPTIONAL_FLAG));
        for flag in flags {
            match parse_flag(row.get(flag)) {
                Some(value) => premium |= value,
                None => {
                    log.reject(rejection(
                        path,
                        row.location(),
                        *flag,
                        format!("expected True or False, found {:?}", row.get(flag)),
                    ))?;
                    continue 'rows;
                }
            }
        }
        let text =
            |name: &str| Some(row.get(name).trim().to_string()).filter(|text| !text.is_empty());
        apps.push((
            row.location(),
            App {
                id,
                display_name: text("DisplayName"),
                environment: text("EnvironmentName"),
                premium,
            },
        ));
    }
    Ok(apps)
}

/// A flag as `ConvertTo-Json` writes it: a JSON boolean, or a `True`/`False` string when it
/// went through `Select-Object` as text first.
#[derive(Debug)]
struct Flag(Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Boolean(bool),
            Text(String),
            Null(()),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Boolean(value) => Ok(Flag(Some(value))),
            Raw::Null(()) => Ok(Flag(Some(false))),
            Raw::Text(text) => Ok(Flag(parse_flag(&text))),
        }
    }
}

case_insensitive_record! {
    struct FlagsRecord {
        uses_premium_api: Flag = "UsesPremiumApi",
        uses_custom_api: Flag = "UsesCustomApi",
        uses_on_premise_gateway: Flag = "UsesOnPremiseGateway",
        uses_pcf_external_service_usage: Flag = "UsesPcfExternalServiceUsage",
    }
}

case_insensitive_record! {
    struct InternalRecord {
        properties: FlagsRecord = "properties",
    }
}

case_insensitive_record! {
    struct AppRecord {
        app_name: Option<String> = "AppName",
        display_name: Option<String> = "DisplayName",
        environment_name: Option<String> = "EnvironmentName",
        uses_premium_api: Flag = "UsesPremiumApi",
        uses_custom_api: Flag = "UsesCustomApi",
        uses_on_premise_gateway: Flag = "UsesOnPremiseGateway",
        uses_pcf_external_service_usage: Flag = "UsesPcfExternalServiceUsage",
        internal: Option<InternalRecord> = "Internal",
    }
}

impl FlagsRecord {
    fn flags(self) -> [(&'static str, Option<Flag>); 4] {
        [
            ("UsesPremiumApi", self.uses_premium_api),
            ("UsesCustomApi", self.uses_custom_api),
            ("UsesOnPremiseGateway", self.uses_on_premise_gateway),
            (OPTIONAL_FLAG, self.uses_pcf_external_service_usage),
        ]
    }
}

/// The records of `apps.json`: an array, a Graph-style page, or one object (what
/// `ConvertTo-Json` writes for a single app).
fn json_records<'a>(path: &Path, bytes: &'a [u8]) -> Result<Vec<&'a RawValue>, IngestError> {
    let broken = |problem: String, line: u64| {
        IngestError::Unreadable(rejection(path, Location::Line(line), "(document)", problem))
    };
    let syntax =
        |error: serde_json::Error| broken(format!("broken JSON: {error}"), error.line() as u64);
    match bytes.iter().find(|byte| !byte.is_ascii_whitespace()) {
        None => Err(broken("the file is empty".to_string(), 1)),
        Some(b'[') => serde_json::from_slice(bytes).map_err(syntax),
        Some(b'{') => {
            let object: std::collections::HashMap<String, &RawValue> =
                serde_json::from_slice(bytes).map_err(syntax)?;
            let page = object
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case("value"))
                .map(|(_, value)| *value);
            match page {
                Some(value) => serde_json::from_str(value.get()).map_err(|error| {
                    broken(format!("`value` is not an array of apps: {error}"), 1)
                }),
                None => Ok(vec![serde_json::from_slice(bytes).map_err(syntax)?]),
            }
        }
        Some(_) => Err(broken(
            "expected an array of apps or one app (a JSON object)".to_string(),
            1,
        )),
    }
}

fn read_json(path: &Path, log: &mut RejectionLog) -> Result<Vec<(Location, App)>, IngestError> {
    let bytes = super::encoding::read_utf8(path)?;
    let mut apps = Vec::new();
    let bytes = super::json_records::strip_bom(&bytes);
    for (raw, number) in json_records(path, bytes)?.into_iter().zip(1u64..) {
        let location = Location::Record(number);
        let record = match serde_json::from_str::<AppRecord>(raw.get()) {
            Ok(record) => record,
            Err(error) => {
                let (field, problem) = super::record::split_field_path(&error.to_string());
                log.reject(rejection(path, location, field, problem))?;
                continue;
            }
        };
        match app_from_json(path, &location, record) {
            Ok(app) => apps.push((location, app)),
            Err(problem) => log.reject(problem)?,
        }
    }
    Ok(apps)
}

fn app_from_json(
    path: &Path,
    location: &Location,
    record: AppRecord,
) -> Result<App, super::error::Rejection> {
    let id = record
        .app_name
        .flatten()
        .map(|id| id.trim().to_ascii_lowercase())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| rejection(path, location.clone(), APP_NAME, "empty app id"))?;
    let top = FlagsRecord {
        uses_premium_api: record.uses_premium_api,
        uses_custom_api: record.uses_custom_api,
        uses_on_premise_gateway: record.uses_on_premise_gateway,
        uses_pcf_external_service_usage: record.uses_pcf_external_service_usage,
    };
    let nested = record
        .internal
        .flatten()
        .and_then(|internal| internal.properties);
    let mut premium = false;
    let mut found_required = [false; 3];
    let sources = [("", Some(top)), ("Internal.properties.", nested)];
    for (prefix, flags) in sources {
        let Some(flags) = flags else { continue };
        for (index, (name, flag)) in flags.flags().into_iter().enumerate() {
            let Some(Flag(value)) = flag else { continue };
            let value = value.ok_or_else(|| {
                rejection(
                    path,
                    location.clone(),
                    format!("{prefix}{name}"),
                    "expected true or false",
                )
            })?;
            premium |= value;
            if let Some(found) = found_required.get_mut(index) {
                *found = true;
            }
        }
    }
    if let Some(index) = found_required.iter().position(|found| !found) {
        return Err(rejection(
            path,
            location.clone(),
            REQUIRED_FLAGS[index],
            "the premium flag is missing (neither a property of the app nor of Internal.properties); export with ConvertTo-Json -Depth 10",
        ));
    }
    let text = |value: Option<Option<String>>| {
        value
            .flatten()
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty())
    };
    Ok(App {
        id,
        display_name: text(record.display_name),
        environment: text(record.environment_name),
        premium,
    })
}

fn frame(
    path: &Path,
    apps: Vec<(Location, App)>,
    log: &mut RejectionLog,
) -> Result<DataFrame, IngestError> {
    let mut seen = BTreeSet::new();
    let mut app_ids = Vec::new();
    let mut display_names = Vec::new();
    let mut environments = Vec::new();
    let mut premium = Vec::new();
    for (location, app) in apps {
        if !seen.insert(app.id.clone()) {
            log.reject(rejection(
                path,
                location,
                APP_NAME,
                format!("app {} is listed twice", app.id),
            ))?;
            continue;
        }
        app_ids.push(app.id);
        display_names.push(app.display_name);
        environments.push(app.environment);
        premium.push(app.premium);
    }
    DataFrame::new_infer_height(vec![
        Column::new(columns::APP_ID.into(), app_ids),
        Column::new(columns::APP_DISPLAY_NAME.into(), display_names),
        Column::new(columns::ENVIRONMENT.into(), environments),
        Column::new(columns::APP_IS_PREMIUM.into(), premium),
    ])
    .map_err(|error| IngestError::frame(path, error))
}

fn parse_flag(text: &str) -> Option<bool> {
    match text.trim() {
        "" => Some(false),
        value if value.eq_ignore_ascii_case("true") || value == "1" => Some(true),
        value if value.eq_ignore_ascii_case("false") || value == "0" => Some(false),
        _ => None,
    }
}
