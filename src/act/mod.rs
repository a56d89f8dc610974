//! Acting on an audit: plans for every assignment strategy of the seed document.
//!
//! A plan is a reviewable file of actions (`plan.json`, schema `seatwise.plan/2`, its type in
//! [`crate::contract::plan`]). The planners here are pure and deterministic: [`reclaim`]
//! turns an audit's findings into removals under a [`policy`], [`assign`] covers manual,
//! bulk, group-based, by-request and on-demand assignment. [`emit`] writes the plan for
//! review (CSV), for PowerShell admins (Microsoft Graph PowerShell SDK) and as Graph `$batch`
//! bodies; [`approval`] binds approvals to the plan's exact bytes, so any edit voids them;
//! [`apply`] carries an approved plan out through Graph (journal, resume, rollback, audit
//! trail).

pub mod apply;
pub mod approval;
pub mod assign;
pub mod emit;
pub mod policy;
pub mod reclaim;
pub mod signers;
pub mod tenant;

pub use crate::contract::plan::{Action, Mechanism, Plan};
