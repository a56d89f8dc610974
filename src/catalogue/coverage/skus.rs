//! Which SKUs take part in coverage: those that apply to users, and, on the covering side,
//! those that are not trials.
//!
//! Graph's `subscribedSkus` says `appliesTo: User | Company`, but the official CSV does not, and
//! the bundled tables must be derived from the official CSV alone. So a SKU is judged by its
//! `Product_Display_Name`, which for every non-user product says what it sells: a capacity, a
//! storage pack, a count of extra items, a device or room, a resource account, a server. The
//! markers below are matched case-insensitively anywhere in the display name; each names the
//! products it catches in the December 2025 file.

/// A display-name marker of a product that is not licensed to a person, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct NonUserMarker {
    /// Lowercase text looked for in the display name.
    pub marker: &'static str,
    pub why: &'static str,
}

/// Markers of SKUs that do not apply to users; such SKUs neither cover nor are covered.
pub const NON_USER_MARKERS: &[NonUserMarker] = &[
    NonUserMarker {
        marker: "capacity",
        why: "tenant-wide capacity pools: Dataverse database/file/log capacity, AI Builder \
              capacity, Business Central database capacity, Power Pages and Power Apps portals \
              capacity packs",
    },
    NonUserMarker {
        marker: "storage",
        why: "tenant-wide storage: Office 365 Extra File Storage, Stream storage add-on",
    },
    NonUserMarker {
        marker: "additional",
        why: "counted extras for a tenant or an environment: Dynamics 365 additional \
              instances, portals, database storage and environments, Customer Voice \
              responses, Marketing applications, Sensor Data Intelligence machines",
    },
    NonUserMarker {
        marker: "addl",
        why: "the same abbreviated: \"Dynamics 365 Asset Management Addl Assets\"",
    },
    NonUserMarker {
        marker: "addnl",
        why: "the same abbreviated: \"Dynamics 365 for Marketing Addnl Contacts\"",
    },
    NonUserMarker {
        marker: "sandbox",
        why: "non-production environments: Dynamics 365 Operations sandbox tiers and the \
              partner sandbox",
    },
    NonUserMarker {
        marker: "rooms",
        why: "Microsoft Teams Rooms licenses, assigned to a meeting room's resource account",
    },
    NonUserMarker {
        marker: "device",
        why: "per-device licenses: Teams Shared Devices, Intune Device, Microsoft 365 Apps for \
              enterprise (device), Dynamics 365 Operations - Device",
    },
    NonUserMarker {
        marker: "shared use",
        why: "Windows 365 Shared Use Cloud PCs, shared by a group rather than held by a person",
    },
    NonUserMarker {
        marker: "resource account",
        why: "Teams Phone Resource Account, for auto attendants and call queues",
    },
    NonUserMarker {
        marker: "endpoint server",
        why: "Microsoft Defender for Endpoint Server, licensed per server",
    },
    NonUserMarker {
        marker: "subject rights request",
        why: "Privacy Management request packs: a count of requests for the tenant",
    },
    NonUserMarker {
        marker: "power bi premium p1",
        why: "Power BI Premium P1 capacity (and its GCC edition), a tenant capacity",
    },
    NonUserMarker {
        marker: "power bi premium em",
        why: "Power BI Premium EM1/EM2 embedded capacity, a tenant capacity",
    },
];

/// True when the display name carries none of the [`NON_USER_MARKERS`].
pub fn applies_to_users(display_name: &str) -> bool {
    let lower = display_name.to_lowercase();
    !NON_USER_MARKERS
        .iter()
        .any(|marker| lower.contains(marker.marker))
}

/// True when the SKU is a trial, which never covers another SKU (SPEC §8: A is never a trial).
///
/// A trial is a SKU whose display name has the word `Trial` or `vTrial` (or `Tria`, Microsoft's
/// spelling in "Dynamics 365 P1 Tria for Information Workers"), or whose part number contains
/// `TRIAL` or `VIRAL` (self-service "viral" sign-ups: `POWERAPPS_VIRAL`,
/// `CCIBOTS_PRIVPREV_VIRAL`, and `TEAMS_COMMERCIAL_TRIAL`, whose display name does not say
/// so). This is the catalogue's view; the audit also reads `isTrial` from a tenant's
/// subscriptions where it has them.
pub fn is_trial(part_number: &str, display_name: &str) -> bool {
    let upper = part_number.to_ascii_uppercase();
    upper.contains("TRIAL")
        || upper.contains("VIRAL")
        || display_name
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| {
                ["trial", "vtrial", "tria"]
                    .iter()
                    .any(|trial| word.eq_ignore_ascii_case(trial))
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_catch_non_user_products_only() {
        assert!(!applies_to_users("Microsoft Teams Rooms Pro"));
        assert!(!applies_to_users("Microsoft Teams Shared Devices for GCC"));
        assert!(!applies_to_users("Common Data Service Database Capacity"));
        assert!(!applies_to_users("Power BI Premium P1 GCC"));
        assert!(applies_to_users("Microsoft 365 E5"));
        assert!(applies_to_users("Power BI Premium Per User"));
        assert!(applies_to_users(
            "Azure Information Protection Premium P1_USGOV_GCCHIGH"
        ));
        assert!(applies_to_users(
            "Exchange Online Archiving for Exchange Server"
        ));
    }

    #[test]
    fn trials_are_found_by_name_or_part_number() {
        assert!(is_trial(
            "POWERAPPS_VIRAL",
            "Microsoft Power Apps Plan 2 Trial"
        ));
        assert!(is_trial(
            "TEAMS_COMMERCIAL_TRIAL",
            "Microsoft Teams Commercial Cloud"
        ));
        assert!(is_trial(
            "DYN365_ENTERPRISE_P1_IW",
            "Dynamics 365 P1 Tria for Information Workers"
        ));
        assert!(is_trial(
            "Dynamics_365_Guides_vTrial",
            "Dynamics 365 Guides vTrial"
        ));
        assert!(!is_trial("SPE_E5", "Microsoft 365 E5"));
        assert!(!is_trial("FLOW_FREE", "Microsoft Power Automate Free"));
        // "Triangle" is not a trial.
        assert!(!is_trial("X", "Triangle Suite"));
    }
}
