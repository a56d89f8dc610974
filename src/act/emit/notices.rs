//! `notices.csv`: who will lose what, when and why, so any mail system can warn people
//! during the grace period. Managers are not in a snapshot yet, so that column is left for
//! the mail merge to fill where known.

use crate::act::{Mechanism, Plan};
use crate::support::spreadsheet::spreadsheet_safe;

pub fn render(plan: &Plan) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "user_principal_name",
        "manager",
        "what",
        "when",
        "why",
        "action",
    ]);
    for action in &plan.actions {
        let removal = matches!(
            action.mechanism,
            Mechanism::RemoveDirect | Mechanism::RemoveFromGroup | Mechanism::Manual
        );
        let Some(user) = action.user_principal_name.as_deref().filter(|_| removal) else {
            continue;
        };
        let mut what = format!("license {}", action.sku_part_number);
        if let Some(group) = action
            .group_display_name
            .as_deref()
            .or(action.group_id.as_deref())
        {
            what.push_str(&format!(" (membership of group {group})"));
        }
        if !action.also_removes.is_empty() {
            what.push_str(&format!("; also {}", action.also_removes.join("; ")));
        }
        let _ = writer.write_record([
            spreadsheet_safe(user),
            String::new(),
            spreadsheet_safe(&what),
            action
                .not_before
                .clone()
                .unwrap_or_else(|| plan.planned_on.clone()),
            spreadsheet_safe(&action.reason),
            action.id.clone(),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}
