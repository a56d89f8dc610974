//! The user attributes costs can be broken down by: the chargeback attributes of SPEC §6.

use crate::analyze::inputs::UNASSIGNED_DEPARTMENT;
use crate::model::columns;
use polars::prelude::{Expr, NULL, col, lit, when};
use std::fmt;

/// A chargeback attribute of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserAttribute {
    #[default]
    Department,
    CompanyName,
    OfficeLocation,
    UsageLocation,
    CostCenter,
    Division,
}

impl UserAttribute {
    pub const ALL: [UserAttribute; 6] = [
        UserAttribute::Department,
        UserAttribute::CompanyName,
        UserAttribute::OfficeLocation,
        UserAttribute::UsageLocation,
        UserAttribute::CostCenter,
        UserAttribute::Division,
    ];

    /// The Graph property, as `--by` takes it.
    pub fn graph_name(self) -> &'static str {
        match self {
            UserAttribute::Department => "department",
            UserAttribute::CompanyName => "companyName",
            UserAttribute::OfficeLocation => "officeLocation",
            UserAttribute::UsageLocation => "usageLocation",
            UserAttribute::CostCenter => "employeeOrgData.costCenter",
            UserAttribute::Division => "employeeOrgData.division",
        }
    }

    /// The column of `users.parquet`.
    pub fn column(self) -> &'static str {
        match self {
            UserAttribute::Department => columns::DEPARTMENT,
            UserAttribute::CompanyName => columns::COMPANY_NAME,
            UserAttribute::OfficeLocation => columns::OFFICE_LOCATION,
            UserAttribute::UsageLocation => columns::USAGE_LOCATION,
            UserAttribute::CostCenter => columns::COST_CENTER,
            UserAttribute::Division => columns::DIVISION,
        }
    }

    /// What people call it, in a heading: "Savings by cost center".
    pub fn label(self) -> &'static str {
        match self {
            UserAttribute::Department => "department",
            UserAttribute::CompanyName => "company",
            UserAttribute::OfficeLocation => "office",
            UserAttribute::UsageLocation => "usage location",
            UserAttribute::CostCenter => "cost center",
            UserAttribute::Division => "division",
        }
    }

    /// A user's group under this attribute, over `users.parquet`: the value, or `Unassigned`
    /// when it is unset or blank (never guessed).
    pub fn group(self) -> Expr {
        let value = col(self.column());
        when(
            value
                .clone()
                .is_null()
                .or(value.clone().str().strip_chars(lit(NULL)).eq(lit(""))),
        )
        .then(lit(UNASSIGNED_DEPARTMENT))
        .otherwise(value)
    }

    /// Reads the Graph property name (`employeeOrgData.costCenter`), its last part
    /// (`costCenter`) or the column name (`cost_center`), ignoring case.
    pub fn parse(text: &str) -> Option<UserAttribute> {
        let wanted = text.trim();
        UserAttribute::ALL.into_iter().find(|attribute| {
            let graph = attribute.graph_name();
            let short = graph.rsplit('.').next().unwrap_or(graph);
            [graph, short, attribute.column()]
                .iter()
                .any(|name| name.eq_ignore_ascii_case(wanted))
        })
    }
}

impl fmt::Display for UserAttribute {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.graph_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_an_attribute_is_read() {
        for text in ["employeeOrgData.costCenter", "costcenter", "cost_center"] {
            assert_eq!(UserAttribute::parse(text), Some(UserAttribute::CostCenter));
        }
        assert_eq!(
            UserAttribute::parse("CompanyName"),
            Some(UserAttribute::CompanyName)
        );
        assert_eq!(UserAttribute::parse("jobTitle"), None);
    }
}
