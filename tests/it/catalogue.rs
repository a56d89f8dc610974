//! The bundled SKU catalogue and price book: `data/skus.csv` must be exactly what
//! `derive_sku_catalogue` makes of Microsoft's official licensing CSV, the key SKUs must carry
//! the right GUIDs and premium flags, and every price must name a catalogued SKU.
//!
//! To regenerate `data/skus.csv` after replacing the official file, run the catalogue tests
//! with `SEATWISE_BLESS=1` set.

use seatwise::catalogue::derive::{DeriveError, derive_sku_catalogue};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const OFFICIAL: &str = "data/product_names_service_plan_identifiers_licensing.csv";
const SKUS: &str = "data/skus.csv";
const PRICES: &str = "data/prices.csv";

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    let path = repo_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// One row of `data/skus.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SkuRow {
    part_number: String,
    sku_id: String,
    display_name: String,
    premium: bool,
}

fn sku_rows() -> Vec<SkuRow> {
    let text = read(SKUS);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("skus.csv has a header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["SkuPartNumber", "SkuId", "DisplayName", "Premium"],
        "skus.csv header"
    );
    reader
        .records()
        .map(|record| {
            let record = record.expect("skus.csv is valid CSV");
            let premium = match &record[3] {
                "true" => true,
                "false" => false,
                other => panic!(
                    "skus.csv line {:?}: Premium is {other:?}",
                    record.position()
                ),
            };
            SkuRow {
                part_number: record[0].to_string(),
                sku_id: record[1].to_string(),
                display_name: record[2].to_string(),
                premium,
            }
        })
        .collect()
}

fn by_part_number(rows: &[SkuRow]) -> BTreeMap<&str, Vec<&SkuRow>> {
    let mut map: BTreeMap<&str, Vec<&SkuRow>> = BTreeMap::new();
    for row in rows {
        map.entry(row.part_number.as_str()).or_default().push(row);
    }
    map
}

#[test]
fn skus_csv_is_exactly_derived_from_the_official_file() {
    let official = read(OFFICIAL);
    assert!(
        official.starts_with('\u{feff}'),
        "{OFFICIAL} must be Microsoft's file unchanged, BOM included"
    );
    let derived = derive_sku_catalogue(&official).expect("the official file derives");
    let committed = read(SKUS);
    if derived == committed {
        return;
    }
    if std::env::var_os("SEATWISE_BLESS").is_some() {
        std::fs::write(repo_path(SKUS), &derived).expect("write data/skus.csv");
        return;
    }
    let first_difference = derived
        .lines()
        .zip(committed.lines())
        .enumerate()
        .find(|(_, (want, have))| want != have)
        .map_or_else(
            || {
                format!(
                    "one file is a prefix of the other ({} derived lines, {} committed lines)",
                    derived.lines().count(),
                    committed.lines().count()
                )
            },
            |(index, (want, have))| {
                format!(
                    "line {}:\n  derived:   {want}\n  committed: {have}",
                    index + 1
                )
            },
        );
    panic!(
        "{SKUS} is not what derive_sku_catalogue makes of {OFFICIAL}; first difference at {first_difference}\n\
         It is generated text: regenerate it with `SEATWISE_BLESS=1 cargo test --test it catalogue`, never edit it by hand."
    );
}

#[test]
fn catalogue_has_one_sorted_row_per_sku() {
    let rows = sku_rows();
    assert_eq!(
        rows.len(),
        569,
        "one row per distinct skuId in the official file"
    );
    let ids: BTreeSet<&str> = rows.iter().map(|row| row.sku_id.as_str()).collect();
    assert_eq!(ids.len(), rows.len(), "skuIds are unique");
    for pair in rows.windows(2) {
        let key = |row: &SkuRow| (row.part_number.as_bytes().to_vec(), row.sku_id.clone());
        assert!(
            key(&pair[0]) < key(&pair[1]),
            "rows sorted: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    for row in &rows {
        assert_eq!(row.part_number.trim(), row.part_number, "trimmed: {row:?}");
        assert_eq!(
            row.display_name.trim(),
            row.display_name,
            "trimmed: {row:?}"
        );
        assert_eq!(
            row.sku_id.to_ascii_lowercase(),
            row.sku_id,
            "lowercase GUID: {row:?}"
        );
    }
    // Microsoft lists two products under MCOPSTN5: both stay, each under its own GUID.
    assert_eq!(by_part_number(&rows)["MCOPSTN5"].len(), 2);
    // The official file pads some part numbers with spaces and no-break spaces.
    let parts = by_part_number(&rows);
    assert!(parts.contains_key("MCOCAP_FACULTY"));
    assert!(parts.contains_key("AAD_PREMIUM_USGOV_GCCHIGH"));
}

#[test]
fn key_skus_have_the_right_guids_and_premium_flags() {
    let rows = sku_rows();
    let parts = by_part_number(&rows);
    let expected = [
        (
            "POWERAPPS_PER_USER",
            "b30411f5-fea1-4a59-9ad9-3db7c7ead579",
            true,
        ),
        (
            "POWERAPPS_PER_APP_NEW",
            "b4d7b828-e8dc-4518-91f9-e123ae48440d",
            true,
        ),
        (
            "POWERAPPS_PER_APP",
            "a8ad7d2b-b8cf-49d6-b25a-69094a0be206",
            true,
        ),
        (
            "POWERAPPS_VIRAL",
            "dcb1a3ae-b33f-4487-846a-a640262fadf4",
            true,
        ),
        ("POWERFLOW_P2", "ddfae3e3-fcb2-4174-8ebd-3023cb213c8b", true),
        (
            "POWERAPPS_DEV",
            "5b631642-bd26-49fe-bd20-1daaa972ef80",
            false,
        ),
        (
            "POWERAPPS_INDIVIDUAL_USER",
            "87bbbc60-4754-4998-8c88-227dca264858",
            false,
        ),
        (
            "POWERAUTOMATE_ATTENDED_RPA",
            "eda1941c-3c4f-4995-b5eb-e85a42175ab9",
            false,
        ),
        (
            "Power_Automate_per_process",
            "253ce8d3-6122-4240-8b04-f434a8fa831f",
            false,
        ),
        (
            "FLOW_PER_USER",
            "4a51bf65-409c-4a91-b845-1121b571cc9d",
            false,
        ),
        ("FLOW_FREE", "f30db892-07e9-47e9-837c-80727f46fd3d", false),
        ("SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d965", false),
        ("SPE_E5", "06ebc4ee-1bb5-47dd-8120-11324bc54e06", false),
        (
            "STANDARDPACK",
            "18181a46-0d4e-45cd-891e-60aabd171b4e",
            false,
        ),
        (
            "ENTERPRISEPACK",
            "6fd2c87f-b296-42f0-b197-1e91e994b900",
            false,
        ),
        (
            "ENTERPRISEPREMIUM",
            "c7df2760-2c81-4ef7-b578-5b5392b571df",
            false,
        ),
        ("SPE_F1", "66b55226-6b4f-492c-910c-a3b7a3c9d993", false),
        (
            "DESKLESSPACK",
            "4b585984-651b-448a-9e53-3b10f069cf7f",
            false,
        ),
        (
            "O365_BUSINESS_ESSENTIALS",
            "3b555118-da6a-4418-894f-7df1e2096870",
            false,
        ),
        (
            "O365_BUSINESS_PREMIUM",
            "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
            false,
        ),
        ("SPB", "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", false),
        (
            "DYN365_ENTERPRISE_SALES",
            "1e1a282c-9c54-43a2-9310-98ef728faace",
            false,
        ),
        (
            "DYN365_ENTERPRISE_CUSTOMER_SERVICE",
            "749742bf-0d37-4158-a120-33567104deeb",
            false,
        ),
        (
            "DYN365_ENTERPRISE_PLAN1",
            "ea126fc5-a19e-42e2-a731-da9d437bffcf",
            false,
        ),
        (
            "DYN365_TEAM_MEMBERS",
            "7ac9fe77-66b7-4e5e-9e46-10eed1cff547",
            false,
        ),
        (
            "D365_SALES_PRO",
            "be9f9771-1c64-4618-9907-244325141096",
            false,
        ),
    ];
    for (part_number, sku_id, premium) in expected {
        let found = parts
            .get(part_number)
            .unwrap_or_else(|| panic!("{part_number} is not in {SKUS}"));
        assert_eq!(found.len(), 1, "{part_number} has one row");
        assert_eq!(found[0].sku_id, sku_id, "{part_number} skuId");
        assert_eq!(found[0].premium, premium, "{part_number} premium flag");
    }
    assert_eq!(
        parts["POWERAPPS_PER_USER"][0].display_name,
        "Power Apps Premium"
    );

    let premium: Vec<&str> = rows
        .iter()
        .filter(|row| row.premium)
        .map(|row| row.part_number.as_str())
        .collect();
    assert_eq!(
        premium,
        [
            "POWERAPPS_P1_GOV",
            "POWERAPPS_PER_APP",
            "POWERAPPS_PER_APP_BD_ONLY_GCC",
            "POWERAPPS_PER_APP_GCC",
            "POWERAPPS_PER_APP_GCC_NEW",
            "POWERAPPS_PER_APP_NEW",
            "POWERAPPS_PER_USER",
            "POWERAPPS_PER_USER_BD_ONLY",
            "POWERAPPS_PER_USER_GCC",
            "POWERAPPS_VIRAL",
            "POWERFLOW_P2",
            "Power_Apps_per_app_plan_(1_app_or_portal)_BD_Only_GCC",
        ],
        "the premium SKUs (see the premium rule in src/catalogue/derive.rs)"
    );
}

#[test]
fn every_price_names_a_catalogued_sku_in_usd() {
    let rows = sku_rows();
    let parts = by_part_number(&rows);
    let text = read(PRICES);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("prices.csv has a header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "SkuPartNumber",
            "MonthlyPrice",
            "Currency",
            "EffectiveFrom",
            "MinSeats",
            "Purchasable",
            "Source"
        ],
        "prices.csv header"
    );
    // Priced meters that are not SKUs: pay-as-you-go is billed to Azure, never assigned.
    let meters = ["POWERAPPS_PAYG"];
    let mut seen = BTreeSet::new();
    let mut count = 0;
    for record in reader.records() {
        let record = record.expect("prices.csv is valid CSV");
        let line = record.position().map_or(0, csv::Position::line);
        let (part_number, price, currency, effective_from) =
            (&record[0], &record[1], &record[2], &record[3]);
        let (min_seats, purchasable, source) = (&record[4], &record[5], &record[6]);
        assert!(
            min_seats.is_empty() || min_seats.parse::<u32>().is_ok_and(|seats| seats > 1),
            "line {line}: MinSeats {min_seats:?} is empty or a tier above one seat"
        );
        assert!(
            ["", "true", "false"].contains(&purchasable),
            "line {line}: Purchasable {purchasable:?}"
        );
        assert!(
            !source.is_empty(),
            "line {line}: every price says its Source"
        );
        assert!(
            parts.contains_key(part_number) || meters.contains(&part_number),
            "line {line}: {part_number} is not in {SKUS}"
        );
        assert_eq!(currency, "USD", "line {line}: currency");
        let (whole, cents) = price
            .split_once('.')
            .unwrap_or_else(|| panic!("line {line}: price {price:?} has no decimals"));
        assert!(
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && cents.len() == 2
                && cents.bytes().all(|b| b.is_ascii_digit()),
            "line {line}: price {price:?} is not a non-negative decimal with cents"
        );
        let is_free = whole.bytes().all(|b| b == b'0') && cents == "00";
        if effective_from.is_empty() {
            assert!(
                is_free,
                "line {line}: a priced row needs an EffectiveFrom date"
            );
        } else {
            let bytes = effective_from.as_bytes();
            assert!(
                bytes.len() == 10
                    && bytes[4] == b'-'
                    && bytes[7] == b'-'
                    && bytes
                        .iter()
                        .enumerate()
                        .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit()),
                "line {line}: EffectiveFrom {effective_from:?} is not YYYY-MM-DD"
            );
        }
        assert!(
            seen.insert((
                part_number.to_string(),
                effective_from.to_string(),
                min_seats.to_string()
            )),
            "line {line}: {part_number} priced twice from {effective_from:?} at MinSeats {min_seats:?}"
        );
        count += 1;
    }
    assert!(count > 0, "prices.csv has rows");
    for free in [
        "POWERAPPS_VIRAL",
        "FLOW_FREE",
        "POWERAPPS_DEV",
        "POWER_BI_STANDARD",
    ] {
        assert!(
            seen.iter().any(|(part, _, _)| part == free),
            "{free} is in prices.csv"
        );
    }
}

#[test]
fn bundled_price_book_quotes_the_reference_prices() {
    let book = seatwise::catalogue::PriceBook::bundled().expect("the bundled price book parses");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date");
    let prices = book.effective_on(as_of);
    for (part_number, expected) in [
        ("powerapps_per_user", "20.00"),
        ("powerapps_per_app_new", "5.00"),
        ("powerautomate_attended_rpa", "15.00"),
        ("power_automate_per_process", "150.00"),
        ("powerapps_viral", "0.00"),
        ("powerapps_payg", "10.00"),
    ] {
        let price = prices
            .get(part_number)
            .unwrap_or_else(|| panic!("{part_number} has a price on {as_of}"));
        assert_eq!(price.to_string(), expected, "{part_number} on {as_of}");
    }
}

const HEADER: &str = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names";

#[test]
fn derive_names_a_missing_required_column() {
    let csv = "Product_Display_Name,String_Id,Service_Plan_Name\nPower Apps Premium,POWERAPPS_PER_USER,POWERAPPS_PER_USER\n";
    let error = derive_sku_catalogue(csv).expect_err("GUID column is missing");
    assert!(
        matches!(error, DeriveError::MissingColumn { column: "GUID", .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("`GUID`") && message.contains("line 1"),
        "{message}"
    );
}

#[test]
fn derive_reads_the_old_string_id_typo_and_crlf() {
    let modern = format!(
        "\u{feff}{HEADER}\n\
         Power Apps Premium,POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,POWERAPPS_PER_USER,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,Power Apps per User Plan\n\
         Microsoft 365 E5,SPE_E5,06ebc4ee-1bb5-47dd-8120-11324bc54e06,POWERAPPS_O365_P3,9c0dab89-a30c-4117-86e7-97bda240acd2,\"Power Apps for Office 365 (Plan 3)\"\n"
    );
    let old = modern
        .replace("String_Id", "String_ Id")
        .replace('\n', "\r\n");
    let expected = "SkuPartNumber,SkuId,DisplayName,Premium\n\
                    POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,Power Apps Premium,true\n\
                    SPE_E5,06ebc4ee-1bb5-47dd-8120-11324bc54e06,Microsoft 365 E5,false\n";
    assert_eq!(
        derive_sku_catalogue(&modern).expect("modern header"),
        expected
    );
    assert_eq!(
        derive_sku_catalogue(&old).expect("typo header, CRLF"),
        expected
    );
}

#[test]
fn derive_errors_name_line_and_column() {
    let csv = format!(
        "{HEADER}\r\n\
         Power Apps Premium,POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,POWERAPPS_PER_USER,x,y\r\n\
         \"Multi\nline\",SPE_E5,not-a-guid,POWERAPPS_O365_P3,x,y\r\n"
    );
    let message = derive_sku_catalogue(&csv)
        .expect_err("bad GUID")
        .to_string();
    assert!(
        message.contains("line 3") && message.contains("`GUID`"),
        "{message}"
    );
}
