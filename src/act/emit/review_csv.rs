//! `plan.csv`: one row per action, for review in a spreadsheet.

use crate::act::Plan;
use crate::support::spreadsheet::spreadsheet_safe;

pub fn render(plan: &Plan) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "id",
        "mechanism",
        "user_principal_name",
        "user_id",
        "group",
        "group_id",
        "sku_part_number",
        "sku_id",
        "reason",
        "observed_assigned_by",
        "monthly_amount",
        "not_before",
        "together_with",
        "depends_on",
        "also_removes",
        "also_grants",
        "note",
    ]);
    for action in &plan.actions {
        let text = |value: Option<&str>| spreadsheet_safe(value.unwrap_or(""));
        let _ = writer.write_record([
            action.id.clone(),
            action.mechanism.as_str().to_string(),
            text(action.user_principal_name.as_deref()),
            text(action.user_id.as_deref()),
            text(action.group_display_name.as_deref()),
            text(action.group_id.as_deref()),
            text(Some(&action.sku_part_number)),
            text(Some(&action.sku_id)),
            text(Some(&action.reason)),
            text(Some(&action.observed.assigned_by.join(";"))),
            action.monthly_amount.to_string(),
            action.not_before.clone().unwrap_or_default(),
            action.together_with.join(";"),
            action.depends_on.join(";"),
            text(Some(&action.also_removes.join("; "))),
            text(Some(&action.also_grants.join("; "))),
            text(action.note.as_deref()),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}
