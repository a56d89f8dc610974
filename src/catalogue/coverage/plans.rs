//! The curated service-plan tables of the coverage rule, and the plan-level relation they
//! define: which plans are ignored as infrastructure, which plans rank as tiers of one service,
//! and which plans cover others under another name.
//!
//! Names are canonical `Service_Plan_Name`s (see the parent module for how a name is chosen
//! when Microsoft spells one plan two ways). A unit test checks that every name in these tables
//! occurs in the committed official file, so a typo cannot silently switch an entry off.

use std::collections::{BTreeMap, BTreeSet};

/// A plan that gives no user a service of its own, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct IgnoredPlan {
    pub name: &'static str,
    pub why: &'static str,
}

/// Plans ignored when comparing SKUs: infrastructure, features that live inside another plan,
/// and retired services.
///
/// Chosen by reading the data for plans that very many SKUs carry or that block coverage
/// between suites, but every entry is here for what the plan *is*, stated in `why`. Plans that
/// are frequent but give a user a real service (`SHAREPOINTWAC` Office for the web, `SWAY`,
/// `INTUNE_O365`, `TEAMS1`, `MICROSOFTBOOKINGS`, ...) are deliberately not ignored: they are
/// compared like any other plan, with tiers where a higher plan includes them.
pub const IGNORED_PLANS: &[IgnoredPlan] = &[
    IgnoredPlan {
        name: "EXCHANGE_S_FOUNDATION",
        why: "Exchange Foundation: the back-end Exchange presence that Teams, Planner, Power BI \
              and other services store their data in; it gives no mailbox. 224 of the 569 SKUs \
              carry it, and suites that include a real Exchange plan often do not list it",
    },
    IgnoredPlan {
        name: "EXCHANGE_S_FOUNDATION_GOV",
        why: "Exchange Foundation for the government clouds (also spelled \
              EXCHANGE_FOUNDATION_GOV under the same plan GUID): same role, no mailbox",
    },
    IgnoredPlan {
        name: "MICROSOFT_SEARCH",
        why: "Microsoft Search: the search box over content the user reaches through other plans \
              (SharePoint, OneDrive, Exchange, Teams); it holds nothing of its own",
    },
    IgnoredPlan {
        name: "M365_LIGHTHOUSE_CUSTOMER_PLAN1",
        why: "Microsoft 365 Lighthouse: lets a managed-service partner administer the tenant; a \
              service to the partner, not to the licensed user",
    },
    IgnoredPlan {
        name: "M365_LIGHTHOUSE_PARTNER_PLAN1",
        why: "Microsoft 365 Lighthouse (Plan 2): as above, a partner's administration tool",
    },
    IgnoredPlan {
        name: "Nucleus",
        why: "a back-end component seeded with the Office suites; Microsoft names no user \
              service for it (its friendly name is just \"Nucleus\") and sells it nowhere alone",
    },
    IgnoredPlan {
        name: "MESH_AVATARS_FOR_TEAMS",
        why: "Avatars for Teams: a feature inside the Teams client, usable only with a Teams \
              plan, never sold alone; Teams itself (TEAMS1) is compared as a user-facing plan. \
              The December 2025 file lists the Mesh plans on Office 365 E3 but not on Office \
              365 E5, which would otherwise make E5 fail to cover E3 over a client feature",
    },
    IgnoredPlan {
        name: "MESH_AVATARS_ADDITIONAL_FOR_TEAMS",
        why: "Avatars for Teams (additional): more avatar options in the same Teams client \
              feature; see MESH_AVATARS_FOR_TEAMS",
    },
    IgnoredPlan {
        name: "MESH_IMMERSIVE_FOR_TEAMS",
        why: "Immersive spaces for Teams: a meeting view inside the Teams client; see \
              MESH_AVATARS_FOR_TEAMS",
    },
    IgnoredPlan {
        name: "Deskless",
        why: "Microsoft StaffHub: retired by Microsoft in 2020 and replaced by Shifts in Teams; \
              it grants nothing today",
    },
    IgnoredPlan {
        name: "Bing_Chat_Enterprise",
        why: "retired: Microsoft's own friendly name is \"RETIRED - Commercial data protection \
              for Microsoft Copilot\"",
    },
    IgnoredPlan {
        name: "O365_SB_Relationship_Management",
        why: "retired: Microsoft's own friendly name is \"RETIRED - Outlook Customer Manager\"",
    },
    IgnoredPlan {
        name: "NBENTERPRISE",
        why: "retired: Microsoft's own friendly name is \"Retired - Microsoft Social Engagement\"",
    },
    IgnoredPlan {
        name: "CRM_AUTO_ROUTING_ADDON",
        why: "retired: Microsoft's own friendly name is \"RETIRED - Field Service – Automated \
              Routing Engine Add-On\"",
    },
];

/// Plans that differ only by tier, lowest first: a plan covers every plan before it in its
/// family. A plan may sit in more than one family.
#[derive(Debug, Clone, Copy)]
pub struct TierFamily {
    pub service: &'static str,
    pub plans: &'static [&'static str],
    pub why: &'static str,
}

/// The tier families. Each `why` says why the higher tier includes the lower one.
pub const TIER_FAMILIES: &[TierFamily] = &[
    TierFamily {
        service: "Microsoft Entra ID",
        plans: &["AAD_BASIC", "AAD_PREMIUM", "AAD_PREMIUM_P2"],
        why: "P2 is P1 plus identity protection and governance; P1 is Basic plus conditional \
              access and more",
    },
    TierFamily {
        service: "Exchange Online",
        plans: &[
            "EXCHANGE_S_DESKLESS",
            "EXCHANGE_S_STANDARD",
            "EXCHANGE_S_ENTERPRISE",
        ],
        why: "Kiosk is a smaller mailbox than Plan 1; Plan 2 is Plan 1 plus archiving, DLP and \
              a larger mailbox",
    },
    TierFamily {
        service: "Exchange Online for government",
        plans: &[
            "EXCHANGE_S_DESKLESS_GOV",
            "EXCHANGE_S_STANDARD_GOV",
            "EXCHANGE_S_ENTERPRISE_GOV",
        ],
        why: "the same ranking in the government clouds",
    },
    TierFamily {
        service: "SharePoint Online",
        plans: &[
            "SHAREPOINTDESKLESS",
            "SHAREPOINTSTANDARD",
            "SHAREPOINTENTERPRISE",
        ],
        why: "Kiosk < Plan 1 < Plan 2: each adds to the one before",
    },
    TierFamily {
        service: "SharePoint Online for education",
        plans: &["SHAREPOINTSTANDARD_EDU", "SHAREPOINTENTERPRISE_EDU"],
        why: "Plan 1 < Plan 2, education editions",
    },
    TierFamily {
        service: "SharePoint Online for government",
        plans: &["SHAREPOINTDESKLESS_GOV", "SHAREPOINTENTERPRISE_GOV"],
        why: "Kiosk < Plan 2, government editions",
    },
    TierFamily {
        service: "OneDrive for Business",
        plans: &["ONEDRIVE_BASIC", "ONEDRIVESTANDARD", "ONEDRIVEENTERPRISE"],
        why: "Basic < Plan 1 < Plan 2: the same service with more storage and features",
    },
    TierFamily {
        service: "Office apps",
        plans: &[
            "OFFICEMOBILE_SUBSCRIPTION",
            "OFFICE_BUSINESS",
            "OFFICESUBSCRIPTION",
        ],
        why: "both desktop suites include the Office mobile apps; Microsoft 365 Apps for \
              enterprise is Apps for business plus enterprise management (shared computer \
              activation, Group Policy)",
    },
    TierFamily {
        service: "Office apps for government",
        plans: &["OFFICEMOBILE_SUBSCRIPTION_GOV", "OFFICESUBSCRIPTION_GOV"],
        why: "the GCC Apps for enterprise include the GCC mobile apps",
    },
    TierFamily {
        service: "Skype for Business Online",
        plans: &["MCOIMP", "MCOSTANDARD"],
        why: "Plan 2 is Plan 1 plus meetings",
    },
    TierFamily {
        service: "Skype for Business Online for government",
        plans: &["MCOIMP_GOV", "MCOSTANDARD_GOV"],
        why: "Plan 2 is Plan 1 plus meetings, government editions",
    },
    TierFamily {
        service: "Teams audio conferencing",
        plans: &["MCOMEETBASIC", "MCOMEETADV"],
        why: "Audio Conferencing includes dial-in and the dial-out that the select-geographies \
              plan offers alone",
    },
    TierFamily {
        service: "Microsoft Intune",
        plans: &["INTUNE_O365", "INTUNE_A"],
        why: "Intune Plan 1 includes the basic mobile device management built into Office 365",
    },
    TierFamily {
        service: "Microsoft Defender for Office 365",
        plans: &["ATP_ENTERPRISE", "THREAT_INTELLIGENCE"],
        why: "Plan 2 is Plan 1 plus threat investigation and response",
    },
    TierFamily {
        service: "Microsoft Defender for Office 365 for government",
        plans: &["ATP_ENTERPRISE_GOV", "THREAT_INTELLIGENCE_GOV"],
        why: "Plan 2 is Plan 1 plus investigation, government editions",
    },
    TierFamily {
        service: "Microsoft Defender for Endpoint",
        plans: &["MDE_LITE", "WINDEFATP"],
        why: "Plan 2 (WINDEFATP) is Plan 1 (MDE_LITE) plus detection and response",
    },
    TierFamily {
        service: "Microsoft Defender for Cloud Apps (discovery)",
        plans: &["ADALLOM_S_DISCOVERY", "ADALLOM_S_STANDALONE"],
        why: "the full Defender for Cloud Apps includes Cloud Discovery",
    },
    TierFamily {
        service: "Microsoft Defender for Cloud Apps (Office 365)",
        plans: &["ADALLOM_S_O365", "ADALLOM_S_STANDALONE"],
        why: "the full Defender for Cloud Apps includes Office 365 Cloud App Security",
    },
    TierFamily {
        service: "Azure Information Protection",
        plans: &["RMS_S_PREMIUM", "RMS_S_PREMIUM2"],
        why: "Premium P2 is Premium P1 plus automatic classification",
    },
    TierFamily {
        service: "Azure Information Protection for government",
        plans: &["RMS_S_PREMIUM_GOV", "RMS_S_PREMIUM2_GOV"],
        why: "P1 < P2, GCC editions",
    },
    TierFamily {
        service: "Information Protection for Office 365",
        plans: &["MIP_S_CLP1", "MIP_S_CLP2"],
        why: "Premium includes Standard (manual labelling) and adds automatic labelling",
    },
    TierFamily {
        service: "Microsoft Forms",
        plans: &[
            "FORMS_PLAN_K",
            "FORMS_PLAN_E1",
            "FORMS_PLAN_E3",
            "FORMS_PLAN_E5",
        ],
        why: "the same Forms service at the F, E1, E3 and E5 suite levels",
    },
    TierFamily {
        service: "Microsoft Forms for government",
        plans: &[
            "FORMS_GOV_F1",
            "FORMS_GOV_E1",
            "FORMS_GOV_E3",
            "FORMS_GOV_E5",
        ],
        why: "the same ranking in the government clouds",
    },
    TierFamily {
        service: "Microsoft Stream for Office 365",
        plans: &[
            "STREAM_O365_K",
            "STREAM_O365_E1",
            "STREAM_O365_E3",
            "STREAM_O365_E5",
        ],
        why: "the same Stream service at the F, E1, E3 and E5 suite levels",
    },
    TierFamily {
        service: "Microsoft Stream for Office 365 for government",
        plans: &[
            "STREAM_O365_K_GOV",
            "STREAM_O365_E1_GOV",
            "STREAM_O365_E3_GOV",
            "STREAM_O365_E5_GOV",
        ],
        why: "the same ranking in the government clouds",
    },
    TierFamily {
        service: "Microsoft Whiteboard",
        plans: &[
            "WHITEBOARD_FIRSTLINE1",
            "WHITEBOARD_PLAN1",
            "WHITEBOARD_PLAN2",
            "WHITEBOARD_PLAN3",
        ],
        why: "the same Whiteboard service at the F, E1, E3 and E5 suite levels",
    },
    TierFamily {
        service: "Microsoft To Do",
        plans: &[
            "BPOS_S_TODO_FIRSTLINE",
            "BPOS_S_TODO_1",
            "BPOS_S_TODO_2",
            "BPOS_S_TODO_3",
        ],
        why: "the same To Do service at the F, E1, E3 and E5 suite levels",
    },
    TierFamily {
        service: "Project for Office",
        plans: &[
            "PROJECT_O365_F3",
            "PROJECT_O365_P1",
            "PROJECT_O365_P2",
            "PROJECT_O365_P3",
        ],
        why: "the Project seeded into the F, E1, E3 and E5 suites",
    },
    TierFamily {
        service: "Project for Office for government",
        plans: &["PROJECT_O365_P2_GOV", "PROJECT_O365_P3_GOV"],
        why: "E3 < E5 levels, government editions",
    },
    TierFamily {
        service: "Power Apps for Office 365",
        plans: &[
            "POWERAPPS_O365_S1",
            "POWERAPPS_O365_P1",
            "POWERAPPS_O365_P2",
            "POWERAPPS_O365_P3",
        ],
        why: "the same standard-connector Power Apps rights seeded into the F3, E1, E3 and E5 \
              suites",
    },
    TierFamily {
        service: "Power Apps for Office 365 for government",
        plans: &[
            "POWERAPPS_O365_S1_GOV",
            "POWERAPPS_O365_P1_GOV",
            "POWERAPPS_O365_P2_GOV",
            "POWERAPPS_O365_P3_GOV",
        ],
        why: "the same ranking in the government clouds",
    },
    TierFamily {
        service: "Power Automate for Office 365",
        plans: &[
            "FLOW_O365_S1",
            "FLOW_O365_P1",
            "FLOW_O365_P2",
            "FLOW_O365_P3",
        ],
        why: "the same standard-connector Power Automate rights seeded into the F3, E1, E3 and \
              E5 suites",
    },
    TierFamily {
        service: "Power Automate for Office 365 for government",
        plans: &[
            "FLOW_O365_S1_GOV",
            "FLOW_O365_P1_GOV",
            "FLOW_O365_P2_GOV",
            "FLOW_O365_P3_GOV",
        ],
        why: "the same ranking in the government clouds",
    },
    TierFamily {
        service: "Power Virtual Agents for Office 365",
        plans: &[
            "POWER_VIRTUAL_AGENTS_O365_F1",
            "POWER_VIRTUAL_AGENTS_O365_P1",
            "POWER_VIRTUAL_AGENTS_O365_P2",
            "POWER_VIRTUAL_AGENTS_O365_P3",
        ],
        why: "the same seeded Teams-bot rights at the F, E1, E3 and E5 suite levels",
    },
    TierFamily {
        service: "Dataverse for Teams",
        plans: &["CDS_O365_F1", "CDS_O365_P1", "CDS_O365_P2", "CDS_O365_P3"],
        why: "the same seeded Dataverse for Teams at the F, E1, E3 and E5 suite levels",
    },
    TierFamily {
        service: "Dataverse for Teams (GCC)",
        plans: &[
            "CDS_O365_F1_GCC",
            "CDS_O365_P1_GCC",
            "CDS_O365_P2_GCC",
            "CDS_O365_P3_GCC",
        ],
        why: "the same ranking in GCC",
    },
    TierFamily {
        service: "Common Data Service for Office 365",
        plans: &[
            "DYN365_CDS_O365_F1",
            "DYN365_CDS_O365_P1",
            "DYN365_CDS_O365_P2",
            "DYN365_CDS_O365_P3",
        ],
        why: "the same seeded Common Data Service at the F, E1, E3 and E5 suite levels",
    },
    TierFamily {
        service: "Common Data Service for Office 365 (GCC)",
        plans: &[
            "DYN365_CDS_O365_F1_GCC",
            "DYN365_CDS_O365_P1_GCC",
            "DYN365_CDS_O365_P2_GCC",
            "DYN365_CDS_O365_P3_GCC",
        ],
        why: "the same ranking in GCC",
    },
    TierFamily {
        service: "Microsoft Kaizala Pro",
        plans: &[
            "KAIZALA_O365_P1",
            "KAIZALA_O365_P2",
            "KAIZALA_O365_P3",
            "KAIZALA_STANDALONE",
        ],
        why: "all four are \"Microsoft Kaizala Pro\" in Microsoft's friendly names: the seeded \
              E1/E3 levels and the standalone service",
    },
    TierFamily {
        service: "Power BI",
        plans: &["BI_AZURE_P0", "BI_AZURE_P2", "BI_AZURE_P3"],
        why: "free < Pro < Premium Per User: Pro adds sharing to free, Premium Per User adds \
              premium features to Pro",
    },
];

/// A plan that covers another one under another name, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct PlanAlias {
    pub covering: &'static str,
    pub covered: &'static str,
    pub why: &'static str,
}

/// Plans that cover a differently named plan. Combined with the tiers, transitively: a plan
/// above `covering` in its family also covers `covered`.
pub const PLAN_ALIASES: &[PlanAlias] = &[
    PlanAlias {
        covering: "RMS_S_ENTERPRISE",
        covered: "RMS_S_BASIC",
        why: "Azure Rights Management (in Office 365 E3/E5 and Azure Information Protection) \
              includes the basic content protection of Rights Management Service Basic",
    },
    PlanAlias {
        covering: "STREAM_O365_E1",
        covered: "STREAM_O365_SMB",
        why: "Stream for Office 365 in the Business suites is the same Stream service at the E1 \
              level",
    },
    PlanAlias {
        covering: "SHAREPOINTSTANDARD",
        covered: "ONEDRIVESTANDARD",
        why: "OneDrive for Business runs on SharePoint Online; SharePoint Plan 1 includes \
              OneDrive Plan 1",
    },
    PlanAlias {
        covering: "SHAREPOINTENTERPRISE",
        covered: "ONEDRIVEENTERPRISE",
        why: "SharePoint Plan 2 includes OneDrive Plan 2",
    },
    PlanAlias {
        covering: "EXCHANGE_S_ENTERPRISE",
        covered: "EXCHANGE_S_ARCHIVE_ADDON",
        why: "Exchange Online Plan 2 includes the archive that the Exchange Online Archiving \
              add-on sells to Plan 1 mailboxes",
    },
    PlanAlias {
        covering: "WIN10_PRO_ENT_SUB",
        covered: "WIN10_ENT_LOC_F1",
        why: "\"Windows 10 Enterprise E3 (Local Only)\" in Microsoft 365 F3 is the Windows \
              Enterprise E3 right limited to local installs, a subset of Windows Enterprise E3",
    },
    PlanAlias {
        covering: "AAD_PREMIUM",
        covered: "MFA_PREMIUM",
        why: "Microsoft Entra ID P1 includes the multifactor authentication that the \
              standalone Azure MFA plan sells",
    },
];

/// The plan-level "covers" relation: a plan covers itself, every lower tier of its families,
/// its aliases, and (transitively) whatever those cover.
#[derive(Debug, Clone)]
pub struct PlanRelation {
    /// Covering plan → the other plans it covers.
    covered_by: BTreeMap<&'static str, BTreeSet<&'static str>>,
}

impl PlanRelation {
    /// The relation defined by [`TIER_FAMILIES`] and [`PLAN_ALIASES`].
    pub fn curated() -> PlanRelation {
        let mut covered_by: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
        for family in TIER_FAMILIES {
            for (rank, higher) in family.plans.iter().enumerate() {
                covered_by
                    .entry(higher)
                    .or_default()
                    .extend(family.plans.iter().take(rank).copied());
            }
        }
        for alias in PLAN_ALIASES {
            covered_by
                .entry(alias.covering)
                .or_default()
                .insert(alias.covered);
        }
        // Transitive closure; the tables are tiny, so repeat until nothing changes.
        loop {
            let mut grown = false;
            let snapshot = covered_by.clone();
            for covered in covered_by.values_mut() {
                let reachable: Vec<&'static str> = covered
                    .iter()
                    .filter_map(|plan| snapshot.get(plan))
                    .flatten()
                    .copied()
                    .collect();
                for plan in reachable {
                    grown |= covered.insert(plan);
                }
            }
            if !grown {
                break;
            }
        }
        PlanRelation { covered_by }
    }

    /// The plans that `covering` covers, itself excepted.
    pub fn covered_by<'s>(
        &'s self,
        covering: &str,
    ) -> impl Iterator<Item = &'static str> + use<'s> {
        self.covered_by.get(covering).into_iter().flatten().copied()
    }

    /// True when a user holding plan `covering` has what plan `covered` gives.
    pub fn covers(&self, covering: &str, covered: &str) -> bool {
        covering == covered
            || self
                .covered_by
                .get(covering)
                .is_some_and(|plans| plans.contains(covered))
    }
}

/// True when a plan is ignored by [`IGNORED_PLANS`].
pub fn is_ignored(plan: &str) -> bool {
    IGNORED_PLANS.iter().any(|ignored| ignored.name == plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_cover_downwards_only() {
        let relation = PlanRelation::curated();
        assert!(relation.covers("AAD_PREMIUM_P2", "AAD_PREMIUM"));
        assert!(relation.covers("AAD_PREMIUM_P2", "AAD_BASIC"));
        assert!(!relation.covers("AAD_PREMIUM", "AAD_PREMIUM_P2"));
        assert!(relation.covers("AAD_PREMIUM", "AAD_PREMIUM"));
        assert!(!relation.covers("AAD_PREMIUM", "EXCHANGE_S_STANDARD"));
        assert_eq!(
            relation.covered_by("AAD_PREMIUM_P2").collect::<Vec<_>>(),
            ["AAD_BASIC", "AAD_PREMIUM", "MFA_PREMIUM"]
        );
        assert_eq!(relation.covered_by("TEAMS1").count(), 0);
    }

    #[test]
    fn aliases_combine_with_tiers() {
        let relation = PlanRelation::curated();
        // P2 > P1 (tier), P1 covers MFA (alias): so P2 covers MFA.
        assert!(relation.covers("AAD_PREMIUM_P2", "MFA_PREMIUM"));
        // Stream E5 > E1 (tier), E1 covers the Business suites' Stream (alias).
        assert!(relation.covers("STREAM_O365_E5", "STREAM_O365_SMB"));
        // SharePoint Plan 2 > Plan 1 (tier) covers OneDrive Plan 1 (alias) and, through the
        // OneDrive tiers, OneDrive Basic.
        assert!(relation.covers("SHAREPOINTENTERPRISE", "ONEDRIVESTANDARD"));
        assert!(relation.covers("SHAREPOINTENTERPRISE", "ONEDRIVE_BASIC"));
        // An alias does not run backwards.
        assert!(!relation.covers("RMS_S_BASIC", "RMS_S_ENTERPRISE"));
    }

    #[test]
    fn every_curated_name_is_a_plan_of_the_official_file() {
        let official =
            include_str!("../../../data/product_names_service_plan_identifiers_licensing.csv");
        let skus = crate::catalogue::official::read_skus(
            official,
            crate::catalogue::official::PlanColumns::Name,
        )
        .expect("the official file reads");
        let names: BTreeSet<&str> = skus
            .values()
            .flat_map(|sku| sku.plans.iter().map(|plan| plan.name.as_str()))
            .collect();
        let curated = IGNORED_PLANS
            .iter()
            .map(|plan| plan.name)
            .chain(
                TIER_FAMILIES
                    .iter()
                    .flat_map(|family| family.plans.iter().copied()),
            )
            .chain(
                PLAN_ALIASES
                    .iter()
                    .flat_map(|alias| [alias.covering, alias.covered]),
            );
        for name in curated {
            assert!(
                names.contains(name),
                "{name} is not a plan of the official file"
            );
        }
    }

    #[test]
    fn no_plan_is_both_ignored_and_ranked() {
        for family in TIER_FAMILIES {
            for plan in family.plans {
                assert!(
                    !is_ignored(plan),
                    "{plan} is ignored and in {}",
                    family.service
                );
            }
        }
        for alias in PLAN_ALIASES {
            assert!(!is_ignored(alias.covering) && !is_ignored(alias.covered));
        }
    }
}
