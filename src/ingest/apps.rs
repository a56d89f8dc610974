//! The Power Apps inventory (`apps.csv`, as `Get-AdminPowerApp … | Export-Csv` writes it).
//!
//! An app is premium when it uses a premium API, a custom API or the on-premises gateway
//! (SPEC §1). The flags are PowerShell booleans (`True`/`False`); an empty flag is false.

use super::error::{IngestError, RejectionLog, rejection};
use super::table::CsvTable;
use crate::model::columns;
use polars::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

const APP_NAME: &str = "AppName";
const PREMIUM_FLAGS: [&str; 3] = ["UsesPremiumApi", "UsesCustomApi", "UsesOnPremiseGateway"];

/// Reads `apps.csv` into the `apps` frame.
pub fn read_apps(path: &Path, log: &mut RejectionLog) -> Result<DataFrame, IngestError> {
    let mut required = vec![APP_NAME];
    required.extend(PREMIUM_FLAGS);
    let table = CsvTable::open(path, &required)?;
    let mut seen = BTreeSet::new();
    let mut app_ids = Vec::new();
    let mut display_names = Vec::new();
    let mut environments = Vec::new();
    let mut premium = Vec::new();
    'rows: for row in table.rows() {
        let app_id = row.get(APP_NAME).trim().to_ascii_lowercase();
        if app_id.is_empty() {
            log.reject(rejection(path, row.location(), APP_NAME, "empty app id"))?;
            continue;
        }
        let mut uses_premium = false;
        for flag in PREMIUM_FLAGS {
            match parse_flag(row.get(flag)) {
                Some(value) => uses_premium |= value,
                None => {
                    log.reject(rejection(
                        path,
                        row.location(),
                        flag,
                        format!("expected True or False, found {:?}", row.get(flag)),
                    ))?;
                    continue 'rows;
                }
            }
        }
        if !seen.insert(app_id.clone()) {
            log.reject(rejection(
                path,
                row.location(),
                APP_NAME,
                format!("app {app_id} is listed twice"),
            ))?;
            continue;
        }
        app_ids.push(app_id);
        display_names
            .push(Some(row.get("DisplayName").trim().to_string()).filter(|name| !name.is_empty()));
        environments.push(
            Some(row.get("EnvironmentName").trim().to_string()).filter(|name| !name.is_empty()),
        );
        premium.push(uses_premium);
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
