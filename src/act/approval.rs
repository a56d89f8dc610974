//! Approvals: who approved which exact plan. An approval records the SHA-256 of `plan.json`'s
//! bytes and of the folder's `manifest.json` (the hashes of plan.ps1, plan.csv, notices.csv
//! and every `batch/` body), so what was reviewed is what runs: change one byte of any of
//! them and the approval no longer counts. Approvals live beside the plan in
//! `approvals.json`, so approving never edits the plan itself.
//!
//! Approvers are counted once each by their normalised name (Unicode NFKC, trimmed,
//! case-folded): `Ada`, ` ada ` and `ＡＤＡ` are one approver. A plan that requires
//! signatures (see [`super::signers`]) counts only approvals signed by a key of its
//! allowed-signers file, once per principal.

use super::signers::{self, AllowedSigners, SignerError};
use crate::contract::manifest::{self, ManifestError};
use crate::contract::plan::{self, Plan, PlanFileError, SignatureRequirement};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub by: String,
    pub at: String,
    pub note: Option<String>,
    pub plan_sha256: String,
    /// The SHA-256 of `manifest.json`; an approval without it predates manifests and counts
    /// for nothing.
    #[serde(default)]
    pub manifest_sha256: Option<String>,
    /// An armored `sshsig` signature of [`approval_message`], when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("{}: cannot read or write: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a seatwise approvals file: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(transparent)]
    Plan(#[from] PlanFileError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Signer(#[from] SignerError),
    #[error("approver name is empty")]
    NoName,
    #[error(
        "{}: this plan requires approvals signed with an allowed SSH key\nhint: `seatwise approve {} --by NAME --sign-with ~/.ssh/id_ed25519`",
        path.display(),
        path.display()
    )]
    SignatureRequired { path: PathBuf },
    #[error(
        "{}: {by:?} is not a principal of the key in {} that made this signature",
        path.display(),
        signers.display()
    )]
    NotAnAllowedSigner {
        path: PathBuf,
        by: String,
        signers: PathBuf,
    },
}

/// How approver names are compared: Unicode NFKC, trimmed, case-folded (and NFKC again, as
/// case folding can denormalise). Full-width, ligature and letter-case variants of one name
/// are one approver.
pub fn normalised_name(name: &str) -> String {
    let compatible: String = name.nfkc().collect();
    let folded = caseless::default_case_fold_str(compatible.trim());
    folded.nfkc().collect::<String>().trim().to_string()
}

/// What an approval signs: the plan's and the manifest's hashes, each on its own line.
pub fn approval_message(plan_sha256: &str, manifest_sha256: &str) -> Vec<u8> {
    format!("seatwise plan approval\nplan.json {plan_sha256}\nmanifest.json {manifest_sha256}\n")
        .into_bytes()
}

/// `approvals.json` beside a plan.
pub fn approvals_path(plan_path: &Path) -> PathBuf {
    plan_path.with_file_name("approvals.json")
}

/// Reads a plan and checks its content hash.
pub fn read_plan(path: &Path) -> Result<Plan, ApprovalError> {
    read_plan_and_sha(path).map(|(plan, _)| plan)
}

/// Reads a plan once: the plan, checked against its schema and content hash, and the SHA-256
/// of the very bytes parsed (what approvals bind to), so the file cannot change between the
/// two.
pub fn read_plan_and_sha(path: &Path) -> Result<(Plan, String), ApprovalError> {
    Ok(plan::read(path)?)
}

pub fn read_approvals(plan_path: &Path) -> Result<Vec<Approval>, ApprovalError> {
    let path = approvals_path(plan_path);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(&path).map_err(|source| ApprovalError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| ApprovalError::Parse { path, source })
}

/// The allowed signers a plan requires, read from its folder and checked against the hash
/// recorded in the plan; `None` when the plan requires no signatures.
pub fn required_signers(
    plan_path: &Path,
    plan: &Plan,
) -> Result<Option<AllowedSigners>, ApprovalError> {
    let Some(SignatureRequirement {
        allowed_signers_sha256,
        ..
    }) = &plan.signatures
    else {
        return Ok(None);
    };
    let path = plan_path.with_file_name(plan::ALLOWED_SIGNERS);
    Ok(Some(AllowedSigners::read_expected(
        &path,
        allowed_signers_sha256,
    )?))
}

/// Records an approval of the plan folder as it is now, signed with the OpenSSH private key
/// at `sign_with` if given (required when the plan requires signatures).
pub fn approve(
    plan_path: &Path,
    by: &str,
    note: Option<&str>,
    at: &str,
    sign_with: Option<&Path>,
) -> Result<Approval, ApprovalError> {
    if normalised_name(by).is_empty() {
        return Err(ApprovalError::NoName);
    }
    let (plan, plan_sha256) = read_plan_and_sha(plan_path)?;
    let manifest_sha256 = manifest::verify(plan_path)?;
    let signers = required_signers(plan_path, &plan)?;
    let message = approval_message(&plan_sha256, &manifest_sha256);
    let signature = match sign_with {
        Some(key) => Some(signers::sign(key, &message)?),
        None if signers.is_some() => {
            return Err(ApprovalError::SignatureRequired {
                path: plan_path.to_path_buf(),
            });
        }
        None => None,
    };
    if let (Some(signers), Some(signature)) = (&signers, &signature)
        && signers.signer_of(by, &message, signature).is_none()
    {
        return Err(ApprovalError::NotAnAllowedSigner {
            path: plan_path.to_path_buf(),
            by: by.trim().to_string(),
            signers: signers.path.clone(),
        });
    }
    let approval = Approval {
        by: by.trim().to_string(),
        at: at.to_string(),
        note: note.map(str::to_string),
        plan_sha256,
        manifest_sha256: Some(manifest_sha256),
        signature,
    };
    let mut approvals = read_approvals(plan_path)?;
    let name = normalised_name(&approval.by);
    // Approving again replaces the earlier approval of the same content in place, under the
    // name it was first given.
    let earlier = approvals.iter_mut().find(|existing| {
        normalised_name(&existing.by) == name
            && existing.plan_sha256 == approval.plan_sha256
            && existing.manifest_sha256 == approval.manifest_sha256
    });
    let approval = match earlier {
        Some(existing) => {
            *existing = Approval {
                by: existing.by.clone(),
                ..approval
            };
            existing.clone()
        }
        None => {
            approvals.push(approval.clone());
            approval
        }
    };
    write_approvals(plan_path, &approvals)?;
    Ok(approval)
}

/// Writes `approvals.json` aside and renames it into place, so a crash leaves the old file
/// or the new one, never half of one.
fn write_approvals(plan_path: &Path, approvals: &[Approval]) -> Result<(), ApprovalError> {
    let path = approvals_path(plan_path);
    let partial = path.with_file_name(format!(".approvals.json.partial-{}", std::process::id()));
    let mut text = serde_json::to_string_pretty(approvals).unwrap_or_default();
    text.push('\n');
    let io = |source| ApprovalError::Io {
        path: path.clone(),
        source,
    };
    std::fs::write(&partial, text).map_err(io)?;
    std::fs::rename(&partial, &path).map_err(io)
}

/// The distinct approvers of the plan folder as it is now (its plan bytes and manifest).
pub fn valid_approvers(plan_path: &Path) -> Result<Vec<String>, ApprovalError> {
    let (plan, plan_sha256) = read_plan_and_sha(plan_path)?;
    let manifest_sha256 = manifest::verify(plan_path)?;
    approvers_of(plan_path, &plan, &plan_sha256, &manifest_sha256)
}

/// The distinct approvers (named as they first approved) of the plan bytes `plan_sha256` with
/// the manifest `manifest_sha256`. When the plan requires signatures, only approvals with a
/// valid signature by an allowed signer count, once per principal.
pub fn approvers_of(
    plan_path: &Path,
    plan: &Plan,
    plan_sha256: &str,
    manifest_sha256: &str,
) -> Result<Vec<String>, ApprovalError> {
    let signers = required_signers(plan_path, plan)?;
    let message = approval_message(plan_sha256, manifest_sha256);
    let mut counted: Vec<(String, String)> = Vec::new();
    for approval in read_approvals(plan_path)? {
        if approval.plan_sha256 != plan_sha256
            || approval.manifest_sha256.as_deref() != Some(manifest_sha256)
        {
            continue;
        }
        let key = match (&signers, &approval.signature) {
            (None, _) => normalised_name(&approval.by),
            (Some(signers), Some(signature)) => {
                match signers.signer_of(&approval.by, &message, signature) {
                    Some(principal) => principal,
                    None => continue,
                }
            }
            (Some(_), None) => continue,
        };
        if !key.is_empty() && !counted.iter().any(|(existing, _)| *existing == key) {
            counted.push((key, approval.by));
        }
    }
    Ok(counted.into_iter().map(|(_, name)| name).collect())
}

#[cfg(test)]
mod tests {
    use super::normalised_name;

    #[test]
    fn names_are_compared_normalised() {
        for variant in [
            "Ada Lovelace",
            " ada lovelace ",
            "ＡＤＡ ＬＯＶＥＬＡＣＥ",
            "ADA LOVELACE\u{3000}",
        ] {
            assert_eq!(normalised_name(variant), "ada lovelace", "{variant:?}");
        }
        assert_eq!(normalised_name("Straße"), normalised_name("STRASSE"));
        assert_eq!(normalised_name("ﬁnance"), "finance");
        assert_eq!(normalised_name(" \u{3000}\t"), "");
        assert_ne!(normalised_name("Ada"), normalised_name("Adam"));
    }
}
