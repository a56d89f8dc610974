//! The bundled SKU catalogue and price book.
//!
//! `data/skus.csv` (derived from Microsoft's official licensing CSV by [`derive`]) names each
//! SKU and says whether it is premium in the sense of SPEC §1; `data/coverage.csv` and
//! `data/coverage_plans.csv` (derived from the same file by [`coverage`]) say which SKU already
//! grants everything another one does; `data/prices.csv` holds public list prices. All are
//! compiled into the binary so an audit runs anywhere; a snapshot's own `prices.csv` overrides
//! the bundled prices.

pub mod coverage;
pub mod derive;
mod official;
pub mod price_book;

use crate::ingest::error::{IngestError, RejectionLog, Strictness, rejection};
use crate::ingest::table::CsvTable;
use crate::model::columns;
use polars::prelude::*;
use std::path::Path;

pub use coverage::Coverage;
pub use price_book::{PriceBook, PriceEntry};

/// `data/skus.csv`, as bundled.
pub const BUNDLED_SKUS_CSV: &str = include_str!("../../data/skus.csv");
/// `data/prices.csv`, as bundled.
pub const BUNDLED_PRICES_CSV: &str = include_str!("../../data/prices.csv");

/// The part number of the license that covers premium Power Apps use (SPEC §3).
pub const POWER_APPS_PREMIUM: &str = "POWERAPPS_PER_USER";

/// One SKU of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueSku {
    pub part_number: String,
    pub sku_id: String,
    pub display_name: String,
    pub premium: bool,
}

/// The SKU catalogue: every SKU Microsoft lists, with its premium flag, and which SKU covers
/// which.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub skus: Vec<CatalogueSku>,
    pub coverage: Coverage,
}

impl Catalogue {
    /// The catalogue and the coverage tables compiled into the binary.
    pub fn bundled() -> Result<Catalogue, IngestError> {
        Ok(Catalogue {
            coverage: Coverage::bundled()?,
            ..Catalogue::parse(Path::new("data/skus.csv"), BUNDLED_SKUS_CSV)?
        })
    }

    /// Parses a catalogue in the `data/skus.csv` layout; it knows no coverage (every SKU
    /// covers only itself) until one is given.
    pub fn parse(path: &Path, text: &str) -> Result<Catalogue, IngestError> {
        let mut log = RejectionLog::new(Strictness::Strict);
        let table = CsvTable::open_text(
            path,
            text,
            &["SkuPartNumber", "SkuId", "DisplayName", "Premium"],
        )?;
        let mut skus = Vec::new();
        for row in table.rows() {
            let premium = match row.get("Premium").trim() {
                value if value.eq_ignore_ascii_case("true") => true,
                value if value.eq_ignore_ascii_case("false") => false,
                other => {
                    log.reject(rejection(
                        path,
                        row.location(),
                        "Premium",
                        format!("expected true or false, found {other:?}"),
                    ))?;
                    continue;
                }
            };
            skus.push(CatalogueSku {
                part_number: row.get("SkuPartNumber").trim().to_string(),
                sku_id: row.get("SkuId").trim().to_ascii_lowercase(),
                display_name: row.get("DisplayName").trim().to_string(),
                premium,
            });
        }
        Ok(Catalogue {
            skus,
            coverage: Coverage::none(),
        })
    }

    /// The catalogue's GUID of a part number, if it lists it.
    pub fn sku_id_of(&self, part_number: &str) -> Option<&str> {
        self.skus
            .iter()
            .find(|sku| sku.part_number.eq_ignore_ascii_case(part_number))
            .map(|sku| sku.sku_id.as_str())
    }

    /// The catalogue as a frame: `sku_id`, `sku_part_number`, `display_name`, `premium`.
    pub fn frame(&self) -> PolarsResult<DataFrame> {
        let column = |name: &str, values: Vec<&str>| Column::new(name.into(), values);
        DataFrame::new_infer_height(vec![
            column(
                columns::SKU_ID,
                self.skus.iter().map(|sku| sku.sku_id.as_str()).collect(),
            ),
            column(
                columns::CATALOGUE_PART_NUMBER,
                self.skus
                    .iter()
                    .map(|sku| sku.part_number.as_str())
                    .collect(),
            ),
            column(
                columns::SKU_DISPLAY_NAME,
                self.skus
                    .iter()
                    .map(|sku| sku.display_name.as_str())
                    .collect(),
            ),
            Column::new(
                columns::PREMIUM.into(),
                self.skus
                    .iter()
                    .map(|sku| sku.premium)
                    .collect::<Vec<bool>>(),
            ),
        ])
    }
}
