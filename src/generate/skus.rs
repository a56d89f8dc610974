//! The SKUs a synthetic tenant subscribes to, with their real identifiers.
//!
//! A generated snapshot must look like a real tenant to the ingestion code and to a person, so
//! every `skuId`, `skuPartNumber` and service plan here is copied from Microsoft's official
//! "Product names and service plan identifiers for licensing" CSV (checked against the copy in
//! `shared/data/` when this table was written). Only a few representative service plans of each
//! SKU are listed: Graph lists them all, but nothing downstream reads them.

/// A SKU the generator can subscribe to and assign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sku {
    /// Microsoft 365 E3.
    SpeE3,
    /// Microsoft 365 E5.
    SpeE5,
    /// Office 365 E3.
    EnterprisePack,
    /// Office 365 E1.
    StandardPack,
    /// Microsoft 365 F3.
    SpeF1,
    /// Microsoft 365 Business Standard.
    BusinessPremium,
    /// Power Apps Premium (per user).
    PowerAppsPerUser,
    /// Power Apps per app.
    PowerAppsPerApp,
    /// Power Apps Plan 2 trial.
    PowerAppsViral,
    /// Power Automate Premium.
    PowerAutomatePremium,
    /// Power Automate Free.
    FlowFree,
    /// Power BI Pro.
    PowerBiPro,
    /// Dynamics 365 Sales Enterprise.
    D365Sales,
}

/// How `prepaidUnits.enabled` relates to the seats in use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Purchase {
    /// Paid seats with this fraction of idle seats on top (at least one idle seat).
    IdleFraction(f64),
    /// Paid seats, exactly as many as are consumed: new assignments fail with `CountViolation`.
    Exhausted,
    /// A free or trial SKU: Microsoft shows 10,000 units (more when more are consumed).
    Free,
}

/// Static facts about one SKU.
#[derive(Debug)]
pub struct SkuFacts {
    /// Graph `skuPartNumber`.
    pub part_number: &'static str,
    /// Graph `skuId`.
    pub sku_id: &'static str,
    /// How the tenant bought it.
    pub purchase: Purchase,
    /// A few of its service plans: `(servicePlanName, servicePlanId)`.
    pub service_plans: &'static [(&'static str, &'static str)],
}

impl Sku {
    /// Every SKU, in the order `subscribedSkus.json` lists them.
    pub const ALL: [Sku; 13] = [
        Sku::SpeE3,
        Sku::SpeE5,
        Sku::EnterprisePack,
        Sku::StandardPack,
        Sku::SpeF1,
        Sku::BusinessPremium,
        Sku::PowerAppsPerUser,
        Sku::PowerAppsPerApp,
        Sku::PowerAppsViral,
        Sku::PowerAutomatePremium,
        Sku::FlowFree,
        Sku::PowerBiPro,
        Sku::D365Sales,
    ];

    /// Position of the SKU in [`Sku::ALL`], for per-SKU counters.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the SKU grants Power Apps premium rights in some form (per user, per app, trial,
    /// or within Dynamics 365): such holders are never used as "missing premium" examples.
    pub fn grants_some_premium_rights(self) -> bool {
        matches!(
            self,
            Sku::PowerAppsPerUser | Sku::PowerAppsPerApp | Sku::PowerAppsViral | Sku::D365Sales
        )
    }

    /// The SKU's identifiers and service plans.
    pub fn facts(self) -> &'static SkuFacts {
        match self {
            Sku::SpeE3 => &SPE_E3,
            Sku::SpeE5 => &SPE_E5,
            Sku::EnterprisePack => &ENTERPRISEPACK,
            Sku::StandardPack => &STANDARDPACK,
            Sku::SpeF1 => &SPE_F1,
            Sku::BusinessPremium => &O365_BUSINESS_PREMIUM,
            Sku::PowerAppsPerUser => &POWERAPPS_PER_USER,
            Sku::PowerAppsPerApp => &POWERAPPS_PER_APP_NEW,
            Sku::PowerAppsViral => &POWERAPPS_VIRAL,
            Sku::PowerAutomatePremium => &POWERAUTOMATE_ATTENDED_RPA,
            Sku::FlowFree => &FLOW_FREE,
            Sku::PowerBiPro => &POWER_BI_PRO,
            Sku::D365Sales => &DYN365_ENTERPRISE_SALES,
        }
    }
}

static SPE_E3: SkuFacts = SkuFacts {
    part_number: "SPE_E3",
    sku_id: "05e9a617-0261-4cee-bb44-138d3ef5d965",
    purchase: Purchase::IdleFraction(0.08),
    service_plans: &[
        (
            "EXCHANGE_S_ENTERPRISE",
            "efb87545-963c-4e0d-99df-69c6916d9eb0",
        ),
        (
            "SHAREPOINTENTERPRISE",
            "5dbe027f-2339-4123-9542-606e4d348a72",
        ),
        ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
        ("OFFICESUBSCRIPTION", "43de0ff5-c92c-492b-9116-175376d08c38"),
        ("POWERAPPS_O365_P2", "c68f8d98-5534-41c8-bf36-22fa496fa792"),
        ("FLOW_O365_P2", "76846ad7-7776-4c40-a281-a386362dd1b9"),
    ],
};

static SPE_E5: SkuFacts = SkuFacts {
    part_number: "SPE_E5",
    sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
    purchase: Purchase::IdleFraction(0.12),
    service_plans: &[
        (
            "EXCHANGE_S_ENTERPRISE",
            "efb87545-963c-4e0d-99df-69c6916d9eb0",
        ),
        (
            "SHAREPOINTENTERPRISE",
            "5dbe027f-2339-4123-9542-606e4d348a72",
        ),
        ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
        ("BI_AZURE_P2", "70d33638-9c74-4d01-bfd3-562de28bd4ba"),
        ("POWERAPPS_O365_P3", "9c0dab89-a30c-4117-86e7-97bda240acd2"),
        ("FLOW_O365_P3", "07699545-9485-468e-95b6-2fca3738be01"),
    ],
};

static ENTERPRISEPACK: SkuFacts = SkuFacts {
    part_number: "ENTERPRISEPACK",
    sku_id: "6fd2c87f-b296-42f0-b197-1e91e994b900",
    purchase: Purchase::IdleFraction(0.05),
    service_plans: &[
        (
            "EXCHANGE_S_ENTERPRISE",
            "efb87545-963c-4e0d-99df-69c6916d9eb0",
        ),
        (
            "SHAREPOINTENTERPRISE",
            "5dbe027f-2339-4123-9542-606e4d348a72",
        ),
        ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
        ("POWERAPPS_O365_P2", "c68f8d98-5534-41c8-bf36-22fa496fa792"),
        ("FLOW_O365_P2", "76846ad7-7776-4c40-a281-a386362dd1b9"),
    ],
};

static STANDARDPACK: SkuFacts = SkuFacts {
    part_number: "STANDARDPACK",
    sku_id: "18181a46-0d4e-45cd-891e-60aabd171b4e",
    purchase: Purchase::IdleFraction(0.10),
    service_plans: &[
        (
            "EXCHANGE_S_STANDARD",
            "9aaf7827-d63c-4b61-89c3-182f06f82e5c",
        ),
        ("SHAREPOINTSTANDARD", "c7699d2e-19aa-44de-8edf-1736da088ca1"),
        ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
        ("POWERAPPS_O365_P1", "92f7a6f3-b89b-4bbd-8c30-809e6da5ad1c"),
        ("FLOW_O365_P1", "0f9b09cb-62d1-4ff4-9129-43f4996f83f4"),
    ],
};

static SPE_F1: SkuFacts = SkuFacts {
    part_number: "SPE_F1",
    sku_id: "66b55226-6b4f-492c-910c-a3b7a3c9d993",
    purchase: Purchase::IdleFraction(0.06),
    service_plans: &[
        (
            "EXCHANGE_S_DESKLESS",
            "4a82b400-a79f-41a4-b4e2-e94f5787b113",
        ),
        ("SHAREPOINTDESKLESS", "902b47e5-dcb2-4fdc-858b-c63a90a2bdb9"),
        ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
        ("POWERAPPS_O365_S1", "e0287f9f-e222-4f98-9a83-f379e249159a"),
        ("FLOW_O365_S1", "bd91b1a4-9f94-4ecf-b45b-3a65e5c8128a"),
    ],
};

static O365_BUSINESS_PREMIUM: SkuFacts = SkuFacts {
    part_number: "O365_BUSINESS_PREMIUM",
    sku_id: "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
    purchase: Purchase::IdleFraction(0.15),
    service_plans: &[
        (
            "EXCHANGE_S_STANDARD",
            "9aaf7827-d63c-4b61-89c3-182f06f82e5c",
        ),
        ("OFFICE_BUSINESS", "094e7854-93fc-4d55-b2c0-3ab5369ebdc1"),
        ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
        ("POWERAPPS_O365_P1", "92f7a6f3-b89b-4bbd-8c30-809e6da5ad1c"),
        ("FLOW_O365_P1", "0f9b09cb-62d1-4ff4-9129-43f4996f83f4"),
    ],
};

static POWERAPPS_PER_USER: SkuFacts = SkuFacts {
    part_number: "POWERAPPS_PER_USER",
    sku_id: "b30411f5-fea1-4a59-9ad9-3db7c7ead579",
    purchase: Purchase::IdleFraction(0.10),
    service_plans: &[
        ("DYN365_CDS_P2", "6ea4c1ef-c259-46df-bce2-943342cd3cb2"),
        (
            "EXCHANGE_S_FOUNDATION",
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
        ),
        ("POWERAPPS_PER_USER", "ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86"),
        (
            "Flow_PowerApps_PerUser",
            "dc789ed8-0170-4b65-a415-eb77d5bb350a",
        ),
    ],
};

static POWERAPPS_PER_APP_NEW: SkuFacts = SkuFacts {
    part_number: "POWERAPPS_PER_APP_NEW",
    sku_id: "b4d7b828-e8dc-4518-91f9-e123ae48440d",
    purchase: Purchase::IdleFraction(0.15),
    service_plans: &[
        (
            "EXCHANGE_S_FOUNDATION",
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
        ),
        (
            "DATAVERSE_POWERAPPS_PER_APP_NEW",
            "6f0e9100-ff66-41ce-96fc-3d8b7ad26887",
        ),
        (
            "POWERAPPS_PER_APP_NEW",
            "14f8dac2-0784-4daa-9cb2-6d670b088d64",
        ),
        ("Flow_Per_APP", "c539fa36-a64e-479a-82e1-e40ff2aa83ee"),
    ],
};

static POWERAPPS_VIRAL: SkuFacts = SkuFacts {
    part_number: "POWERAPPS_VIRAL",
    sku_id: "dcb1a3ae-b33f-4487-846a-a640262fadf4",
    purchase: Purchase::Free,
    service_plans: &[
        ("DYN365_CDS_VIRAL", "17ab22cd-a0b3-4536-910a-cb6eb12696c0"),
        (
            "EXCHANGE_S_FOUNDATION",
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
        ),
        ("FLOW_P2_VIRAL", "50e68c76-46c6-4674-81f9-75456511b170"),
        ("FLOW_P2_VIRAL_REAL", "d20bfa21-e9ae-43fc-93c2-20783f0840c3"),
        ("POWERAPPS_P2_VIRAL", "d5368ca3-357e-4acb-9c21-8495fb025d1f"),
    ],
};

static POWERAUTOMATE_ATTENDED_RPA: SkuFacts = SkuFacts {
    part_number: "POWERAUTOMATE_ATTENDED_RPA",
    sku_id: "eda1941c-3c4f-4995-b5eb-e85a42175ab9",
    purchase: Purchase::IdleFraction(0.07),
    service_plans: &[
        ("CDS_ATTENDED_RPA", "3da2fd4c-1bee-4b61-a17f-94c31e5cab93"),
        (
            "EXCHANGE_S_FOUNDATION",
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
        ),
        (
            "POWER_AUTOMATE_ATTENDED_RPA",
            "375cd0ad-c407-49fd-866a-0bff4f8a9a4d",
        ),
    ],
};

static FLOW_FREE: SkuFacts = SkuFacts {
    part_number: "FLOW_FREE",
    sku_id: "f30db892-07e9-47e9-837c-80727f46fd3d",
    purchase: Purchase::Free,
    service_plans: &[
        ("DYN365_CDS_VIRAL", "17ab22cd-a0b3-4536-910a-cb6eb12696c0"),
        (
            "EXCHANGE_S_FOUNDATION",
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
        ),
        ("FLOW_P2_VIRAL", "50e68c76-46c6-4674-81f9-75456511b170"),
    ],
};

static POWER_BI_PRO: SkuFacts = SkuFacts {
    part_number: "POWER_BI_PRO",
    sku_id: "f8a1db68-be16-40ed-86d5-cb42ce701560",
    purchase: Purchase::IdleFraction(0.09),
    service_plans: &[
        (
            "EXCHANGE_S_FOUNDATION",
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
        ),
        ("BI_AZURE_P2", "70d33638-9c74-4d01-bfd3-562de28bd4ba"),
    ],
};

static DYN365_ENTERPRISE_SALES: SkuFacts = SkuFacts {
    part_number: "DYN365_ENTERPRISE_SALES",
    sku_id: "1e1a282c-9c54-43a2-9310-98ef728faace",
    purchase: Purchase::Exhausted,
    service_plans: &[
        (
            "DYN365_ENTERPRISE_SALES",
            "2da8e897-7791-486b-b08f-cc63c8129df7",
        ),
        ("FLOW_DYN_APPS", "7e6d7d78-73de-46ba-83b1-6d25117334ba"),
        ("NBENTERPRISE", "03acaee3-9492-4f40-aed4-bcb6b32981b6"),
        ("POWERAPPS_DYN_APPS", "874fc546-6efe-4d22-90b8-5c4e7aa59f4b"),
        ("PROJECT_ESSENTIALS", "1259157c-8581-4875-bca7-2ffb18c51bda"),
    ],
};

/// Seats to buy for a SKU with `consumed` holders.
pub fn prepaid_units(purchase: Purchase, consumed: usize) -> usize {
    match purchase {
        Purchase::IdleFraction(fraction) => {
            consumed + ((consumed as f64 * fraction).ceil() as usize).max(1)
        }
        Purchase::Exhausted => consumed,
        Purchase::Free => consumed.div_ceil(10_000).max(1) * 10_000,
    }
}
