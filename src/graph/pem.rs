//! PEM files as the certificate credential reads them: a list of labelled DER blocks.
//!
//! One file may hold several blocks (a certificate, its chain, the private key), and files made
//! by `openssl pkcs12 -nodes` put "Bag Attributes" lines before each block. So a file is cut at
//! its `-----BEGIN …-----` / `-----END …-----` lines, text outside the blocks is skipped, and
//! each block is decoded by the RFC 7468 decoder of the `der` crate.

use x509_cert::der::pem;

/// One `-----BEGIN LABEL-----` … `-----END LABEL-----` block, decoded.
pub struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
    /// The 1-based line of its BEGIN line, for messages.
    pub line: usize,
}

impl std::fmt::Debug for PemBlock {
    // The DER of a private key must not reach a debug print.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PemBlock")
            .field("label", &self.label)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// Why a PEM file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PemProblem {
    /// A BEGIN line without its END line.
    Unterminated { label: String, line: usize },
    /// A block whose base64 or framing is broken.
    Malformed {
        label: String,
        line: usize,
        problem: String,
    },
}

impl std::fmt::Display for PemProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PemProblem::Unterminated { label, line } => write!(
                formatter,
                "line {line}: the {label} block has no \"-----END {label}-----\" line"
            ),
            PemProblem::Malformed {
                label,
                line,
                problem,
            } => write!(
                formatter,
                "line {line}: the {label} block is not valid PEM ({problem})"
            ),
        }
    }
}

/// Every block of `text`, in file order.
pub fn blocks(text: &str) -> Result<Vec<PemBlock>, PemProblem> {
    let mut found = Vec::new();
    let mut open: Option<(String, usize, usize)> = None;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        match &open {
            None => {
                if let Some(label) = boundary_label(trimmed, "-----BEGIN ") {
                    open = Some((label.to_string(), index + 1, start));
                }
            }
            Some((label, begin_line, begin_offset)) => {
                if boundary_label(trimmed, "-----END ").is_some_and(|end| end == label) {
                    let block = text[*begin_offset..offset].trim();
                    let decoded = pem::decode_vec(block.as_bytes()).map_err(|error| {
                        PemProblem::Malformed {
                            label: label.clone(),
                            line: *begin_line,
                            problem: error.to_string(),
                        }
                    })?;
                    found.push(PemBlock {
                        label: label.clone(),
                        der: decoded.1,
                        line: *begin_line,
                    });
                    open = None;
                }
            }
        }
    }
    match open {
        Some((label, line, _)) => Err(PemProblem::Unterminated { label, line }),
        None => Ok(found),
    }
}

/// `LABEL` of a `-----BEGIN LABEL-----` (or END) line.
fn boundary_label<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.strip_prefix(prefix)?.strip_suffix("-----")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_among_other_text() {
        let text = "Bag Attributes\n    localKeyID: 01\nsubject=CN = x\n-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\nKey Attributes: <No Attributes>\r\n-----BEGIN PRIVATE KEY-----\r\nBAUG\r\n-----END PRIVATE KEY-----\r\n";
        let found = blocks(text).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].label, "CERTIFICATE");
        assert_eq!(found[0].der, vec![1, 2, 3]);
        assert_eq!(found[0].line, 4);
        assert_eq!(found[1].label, "PRIVATE KEY");
        assert_eq!(found[1].der, vec![4, 5, 6]);
        assert!(!format!("{:?}", found[1]).contains('4'));
        assert!(blocks("no blocks at all\n").is_ok_and(|found| found.is_empty()));
    }

    #[test]
    fn broken_blocks_are_refused_with_their_line() {
        let unterminated = blocks("\n-----BEGIN CERTIFICATE-----\nAQID\n");
        assert_eq!(
            unterminated.err(),
            Some(PemProblem::Unterminated {
                label: "CERTIFICATE".to_string(),
                line: 2
            })
        );
        let malformed =
            blocks("-----BEGIN CERTIFICATE-----\n*not base64*\n-----END CERTIFICATE-----\n")
                .err()
                .map(|problem| problem.to_string())
                .unwrap_or_default();
        assert!(
            malformed.starts_with("line 1: the CERTIFICATE block is not valid PEM"),
            "{malformed}"
        );
    }
}
