//! Derivation of the bundled SKU catalogue (`data/skus.csv`) from Microsoft's official
//! "Product names and service plan identifiers for licensing" CSV.
//!
//! # Why this exists
//!
//! Graph reports licenses as a `skuId` GUID and a terse `skuPartNumber` (`SPE_E5`,
//! `POWERAPPS_PER_USER`), and says nothing about which of them carry Power Apps premium rights.
//! Microsoft publishes one row per (SKU, service plan) pair in the official CSV
//! (`data/product_names_service_plan_identifiers_licensing.csv`, an unmodified copy, BOM included).
//! seatwise needs one row per SKU with a display name and a `Premium` flag, so this module folds
//! the official file into `data/skus.csv`. The committed catalogue is generated text: an
//! integration test checks that it equals [`derive_sku_catalogue`] applied to the committed
//! official copy byte for byte, so refreshing the catalogue means replacing the official file and
//! regenerating, never hand-editing.
//!
//! # Reading the official file
//!
//! The reading rules (BOM, header normalisation, trimming, debris rows, GUID checks) live in
//! `src/catalogue/official.rs`, shared with the coverage derivation. This derivation requires only
//! `Product_Display_Name`, `String_Id`, `GUID` and `Service_Plan_Name`.
//!
//! # One row per SKU
//!
//! A SKU is a `skuId`. All rows of one `skuId` must agree on part number and display name,
//! otherwise the file contradicts itself and derivation fails, naming both lines. A part number
//! may map to more than one `skuId` (the official file lists `MCOPSTN5` twice, as two different
//! PSTN calling products); each `skuId` gets its own row, so a catalogue lookup by GUID (what
//! Graph's `assignedLicenses` carry) always succeeds. Output rows are sorted by part number
//! (byte order), then by `skuId`.
//!
//! # The premium rule
//!
//! SPEC §1: a SKU is premium when it grants use of Power Apps that need premium connectors,
//! custom connectors or the on-premises gateway. A SKU is premium iff it includes one of the
//! service plans in [`PREMIUM_SERVICE_PLANS`] (matched on the trimmed `Service_Plan_Name`,
//! exactly). Those are the plans that grant *general* Power Apps premium rights: usable with
//! premium, custom and gateway connectors in production, not tied to the context of a
//! Dynamics 365 or industry application. Each entry, and each family deliberately left out, is
//! explained next to the list. With the December 2025 official file this marks 12 of 569 SKUs premium.

use super::official::{OfficialSku, PlanColumns, read_skus, write_csv};

pub use super::official::DeriveError;

/// Service plans whose presence makes a SKU premium (general Power Apps premium rights).
///
/// Included:
/// - `POWERAPPS_PER_USER`: Power Apps Premium (per user), the reference premium license; also
///   carried by `POWERAPPS_PER_USER_BD_ONLY`.
/// - `POWERAPPS_PER_USER_GCC`: the same plan for US Government (GCC) tenants.
/// - `POWERAPPS_PER_APP_NEW`: Power Apps per app (1 app or website): premium rights, limited to
///   the licensed app, but seatwise cannot see which app a pass covers, so it counts as premium.
/// - `POWERAPPS_PER_APP_GCC_NEW`: the same for GCC (also in the `..._BD_Only_GCC` SKU).
/// - `POWERAPPS_PER_APP`: the legacy per-app plan (2 apps and 1 portal), premium rights.
/// - `POWERAPPS_PER_APP_GCC`: the legacy per-app plan for GCC.
/// - `POWERAPPS_P2`: legacy Power Apps Plan 2 (in `POWERFLOW_P2`), a superset of Plan 1.
/// - `POWERAPPS_P1`: legacy Power Apps Plan 1 (premium and custom connectors, gateway). It is
///   absent from the December 2025 file but present in older copies; listed so they classify the
///   same way.
/// - `POWERAPPS_P1_GOV`: legacy Power Apps Plan 1 for Government.
/// - `POWERAPPS_P2_VIRAL`: the Power Apps trial (`POWERAPPS_VIRAL`). A trial grants full premium
///   rights while it lasts; it is premium here and priced at 0, so it is never "reclaimed" for
///   money (MICROSOFT.md §3.2: do not treat it as production coverage; the report can say so).
///
/// Deliberately not included:
/// - `POWERAPPS_O365_*` (E1/E3/E5/F3/Business Basic/Standard/Premium and their GCC twins): the
///   seeded Microsoft 365 rights cover standard connectors only.
/// - Power Automate plans (`FLOW_*`, `POWER_AUTOMATE_ATTENDED_RPA`, per-flow and per-process):
///   they license flows, not apps, so Power Automate SKUs are not premium.
/// - `POWERAPPS_DEV_VIRAL` (Developer Plan): developer environments only, not production use.
/// - `POWERAPPSFREE` (`POWERAPPS_INDIVIDUAL_USER`): the legacy free plan.
/// - `POWERAPPS_DYN_*`, `POWERAPPS_SALES_PRO*`, `POWERAPPS_CUSTOMER_SERVICE_PRO`,
///   `POWER_APPS_DYN365_VIRAL_TRIAL*`, `POWERAPPS_GUIDES`, `POWER_APPS_FOR_MCS_USL`: Dynamics 365
///   and industry-cloud rights are limited to the context of that application, so they do not
///   cover an arbitrary premium canvas app.
/// - `POWERAPPS_PER_APP_IWTRIAL` (`POWERAPPS_PER_APP_IW`, "per app baseline access"): a no-cost
///   entitlement given to users of per-app capacity; the right itself comes from capacity
///   allocated to an environment, which the license list does not show.
/// - `CDS_POWERAPPS_*`, `POWERAPPS_PORTALS_*`, `DATAVERSE_POWERAPPS_PER_APP_NEW`: Dataverse or
///   portal capacity, not user rights to run apps.
pub const PREMIUM_SERVICE_PLANS: &[&str] = &[
    "POWERAPPS_PER_USER",
    "POWERAPPS_PER_USER_GCC",
    "POWERAPPS_PER_APP_NEW",
    "POWERAPPS_PER_APP_GCC_NEW",
    "POWERAPPS_PER_APP",
    "POWERAPPS_PER_APP_GCC",
    "POWERAPPS_P2",
    "POWERAPPS_P1",
    "POWERAPPS_P1_GOV",
    "POWERAPPS_P2_VIRAL",
];

/// The header line of `data/skus.csv`.
pub const CATALOGUE_HEADER: [&str; 4] = ["SkuPartNumber", "SkuId", "DisplayName", "Premium"];

/// Turns the text of Microsoft's official licensing CSV into the exact text of `data/skus.csv`:
/// header `SkuPartNumber,SkuId,DisplayName,Premium`, one row per distinct `skuId`, sorted by
/// part number (byte order) then `skuId`, `Premium` written `true`/`false`, LF line ends.
///
/// See the module documentation for the reading rules and the premium rule.
pub fn derive_sku_catalogue(official_csv: &str) -> Result<String, DeriveError> {
    let skus = read_skus(official_csv, PlanColumns::Name)?;
    let mut rows: Vec<(&String, &OfficialSku)> = skus.iter().collect();
    rows.sort_by(|(id_a, a), (id_b, b)| {
        a.part_number
            .as_bytes()
            .cmp(b.part_number.as_bytes())
            .then_with(|| id_a.cmp(id_b))
    });
    write_csv(
        &CATALOGUE_HEADER,
        rows.into_iter().map(|(sku_id, sku)| {
            let premium = sku
                .plans
                .iter()
                .any(|plan| PREMIUM_SERVICE_PLANS.contains(&plan.name.as_str()));
            vec![
                sku.part_number.as_str(),
                sku_id.as_str(),
                sku.display_name.as_str(),
                if premium { "true" } else { "false" },
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n";

    #[test]
    fn folds_rows_and_flags_premium() {
        let csv = format!(
            "\u{feff}{HEADER}\
             Power Apps Premium,POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,DYN365_CDS_P2,6ea4c1ef-c259-46df-bce2-943342cd3cb2,x\n\
             Power Apps Premium,POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,POWERAPPS_PER_USER,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n\
             \"Office 365 E1, test\",STANDARDPACK ,18181A46-0D4E-45CD-891E-60AABD171B4E,POWERAPPS_O365_P1,92f7a6f3-b89b-4bbd-8c30-809e6da5ad1c,x\n"
        );
        let out = derive_sku_catalogue(&csv).expect("derives");
        assert_eq!(
            out,
            "SkuPartNumber,SkuId,DisplayName,Premium\n\
             POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,Power Apps Premium,true\n\
             STANDARDPACK,18181a46-0d4e-45cd-891e-60aabd171b4e,\"Office 365 E1, test\",false\n"
        );
    }

    #[test]
    fn conflicting_part_numbers_name_both_lines() {
        let csv = format!(
            "{HEADER}A,X,b30411f5-fea1-4a59-9ad9-3db7c7ead579,P,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n\
             A,Y,b30411f5-fea1-4a59-9ad9-3db7c7ead579,Q,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n"
        );
        let err = derive_sku_catalogue(&csv).expect_err("conflict");
        let text = err.to_string();
        assert!(
            text.contains("line 3") && text.contains("line 2") && text.contains("String_Id"),
            "{text}"
        );
    }

    #[test]
    fn bad_guid_and_empty_field_name_line_and_column() {
        let bad = format!("{HEADER}A,X,not-a-guid,P,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n");
        let text = derive_sku_catalogue(&bad)
            .expect_err("bad guid")
            .to_string();
        assert!(text.contains("line 2") && text.contains("GUID"), "{text}");
        let empty = format!("{HEADER}A,,b30411f5-fea1-4a59-9ad9-3db7c7ead579,P,x,x\n");
        let text = derive_sku_catalogue(&empty).expect_err("empty").to_string();
        assert!(
            text.contains("line 2") && text.contains("String_Id"),
            "{text}"
        );
    }

    #[test]
    fn ragged_rows_and_empty_files_are_errors() {
        let ragged = format!("{HEADER}A,X,b30411f5-fea1-4a59-9ad9-3db7c7ead579\n");
        let text = derive_sku_catalogue(&ragged)
            .expect_err("ragged")
            .to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(matches!(
            derive_sku_catalogue(HEADER),
            Err(DeriveError::NoRows)
        ));
        assert!(matches!(
            derive_sku_catalogue(""),
            Err(DeriveError::MissingColumn { .. })
        ));
    }
}
