//! Which SKU covers which: the catalogue part of the `redundant-license` rule (SPEC §8).
//!
//! # Why this exists
//!
//! A user who holds Microsoft 365 E5 and Power BI Pro pays twice for Power BI Pro: E5 already
//! includes it. Microsoft says which service plans each SKU grants, one row per (SKU, plan), in
//! the official CSV (`data/product_names_service_plan_identifiers_licensing.csv`), but a plain
//! "B's plans are a subset of A's" test gives wrong answers both ways (MICROSOFT.md §5.2):
//! Power BI Pro lists `EXCHANGE_S_FOUNDATION`, which E5 does not; E5 lists `FORMS_PLAN_E5`
//! where E3 lists `FORMS_PLAN_E3`. This module turns the official file into two derived tables
//! with the rules below, and answers questions about them at run time ([`Coverage`]).
//!
//! - `data/coverage.csv` ([`derive_coverage`]): one row per pair, `CoveringSkuPartNumber,
//!   CoveringSkuId, CoveredSkuPartNumber, CoveredSkuId`, sorted by covering part number (bytes),
//!   covering `skuId`, covered part number, covered `skuId`. This is the table to review.
//! - `data/coverage_plans.csv` ([`derive_coverage_plans`]): the user-facing plans of every SKU
//!   in a pair, `SkuPartNumber, SkuId, ServicePlanName, ServicePlanId`. Graph's
//!   `disabledPlans` are plan GUIDs, and a disabled plan covers nothing, so answering for one
//!   user needs the plans, not just the pair.
//!
//! Both are generated text: integration tests check that they equal the derivations applied to
//! the committed official file byte for byte. With the December 2025 file the derivation finds
//! 3,092 covering pairs among 461 user SKUs (318 of them in at least one pair).
//!
//! # The rules
//!
//! 1. **Plans.** The official file is read as `src/catalogue/official.rs` says (trimmed fields, GUIDs
//!    lowercase, contradictory rows rejected with line and column). A plan is its
//!    `Service_Plan_Id`; its name is the spelling most rows give that GUID (ties: byte order),
//!    because Microsoft spells a few plans two ways (`Deskless`/`DESKLESS`,
//!    `RMS_S_ENTERPRISE)` with a stray parenthesis).
//! 2. **User-facing plans.** A SKU's user-facing plans are its plans minus
//!    [`IGNORED_PLANS`]: infrastructure carried by many SKUs (`EXCHANGE_S_FOUNDATION`),
//!    features that live inside another plan, and retired services. The list is curated: each
//!    entry says what the plan is.
//! 3. **Plan coverage.** A plan covers itself, every lower tier of its [`TIER_FAMILIES`]
//!    (`AAD_PREMIUM` < `AAD_PREMIUM_P2`, `FORMS_PLAN_E3` < `FORMS_PLAN_E5`, Exchange Plan 1 <
//!    Plan 2, ...), the plans its [`PLAN_ALIASES`] name (`RMS_S_ENTERPRISE` covers
//!    `RMS_S_BASIC`, `STREAM_O365_E1` covers `STREAM_O365_SMB`, ...), and transitively what
//!    those cover. Every family and alias says why the covering plan includes the covered one.
//! 4. **User SKUs.** Only SKUs that apply to users take part, judged by the display name
//!    ([`NON_USER_MARKERS`]: capacity, storage, rooms, devices, resource accounts, ...), since
//!    the official file has no `appliesTo`. A SKU with no user-facing plan left takes no part
//!    either: it covers and is covered by nothing.
//! 5. **Pairs.** A covers B when A and B are different user SKUs, A is not a trial
//!    ([`is_trial`]), and every user-facing plan of B is covered by some user-facing plan of A.
//!    Two SKUs with equivalent plans cover each other, and both pairs are listed: which one is
//!    redundant is the finding rule's call (SPEC §8: the pricier one).
//! 6. **Disabled plans.** At run time, [`Coverage::covers_with_disabled`] repeats rule 5 with
//!    the covering SKU's disabled plans removed.

mod bundled;
mod plans;
mod skus;
mod table;

pub use super::official::DeriveError;
pub use bundled::{BUNDLED_COVERAGE_CSV, BUNDLED_COVERAGE_PLANS_CSV, Coverage, CoveragePlan};
pub use plans::{
    IGNORED_PLANS, IgnoredPlan, PLAN_ALIASES, PlanAlias, PlanRelation, TIER_FAMILIES, TierFamily,
};
pub use skus::{NON_USER_MARKERS, NonUserMarker, applies_to_users, is_trial};
pub use table::{COVERAGE_HEADER, COVERAGE_PLANS_HEADER, derive_coverage, derive_coverage_plans};
