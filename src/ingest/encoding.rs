//! Text encodings of exported files, read transparently (SPEC §2).
//!
//! PowerShell 7 and Graph write UTF-8, often with a byte order mark. Windows PowerShell 5.1,
//! which many admins still run, writes UTF-16 LE with a BOM through `>` and `Out-File`, and
//! some tools write UTF-16 BE. Every reader takes its bytes through [`read_utf8`] (or
//! [`to_utf8`]), so the parsers after it only ever see UTF-8 without a BOM. A UTF-16 file that
//! is cut in half or holds an unpaired surrogate is an error naming the file and the line.

use super::error::{IngestError, Location, rejection};
use crate::support::digest::FileDigest;
use std::borrow::Cow;
use std::path::Path;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

/// The encoding a file's first bytes announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16LittleEndian,
    Utf16BigEndian,
}

impl Encoding {
    /// The encoding and the length of its byte order mark (0 for UTF-8 without one).
    pub fn detect(bytes: &[u8]) -> (Encoding, usize) {
        if bytes.starts_with(UTF8_BOM) {
            (Encoding::Utf8, UTF8_BOM.len())
        } else if bytes.starts_with(UTF16_LE_BOM) {
            (Encoding::Utf16LittleEndian, UTF16_LE_BOM.len())
        } else if bytes.starts_with(UTF16_BE_BOM) {
            (Encoding::Utf16BigEndian, UTF16_BE_BOM.len())
        } else {
            (Encoding::Utf8, 0)
        }
    }
}

/// Reads `path` and returns its content as UTF-8. A UTF-8 file is returned as read, byte
/// order mark included (the parsers skip it), so a large export is never copied; a UTF-16 file
/// is transcoded.
pub fn read_utf8(path: &Path) -> Result<Vec<u8>, IngestError> {
    let bytes = std::fs::read(path).map_err(|error| IngestError::io(path, error))?;
    into_utf8(path, bytes)
}

/// [`read_utf8`], with the digest of the file's bytes as stored (before any transcoding): for
/// the large inputs, whose digests history records.
pub fn read_utf8_digested(path: &Path) -> Result<(Vec<u8>, FileDigest), IngestError> {
    let bytes = std::fs::read(path).map_err(|error| IngestError::io(path, error))?;
    let digest = FileDigest::of(&bytes);
    Ok((into_utf8(path, bytes)?, digest))
}

fn into_utf8(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, IngestError> {
    match Encoding::detect(&bytes).0 {
        Encoding::Utf8 => Ok(bytes),
        Encoding::Utf16LittleEndian | Encoding::Utf16BigEndian => {
            Ok(to_utf8(path, &bytes)?.into_owned())
        }
    }
}

/// `bytes` (the content of `path`) as UTF-8 without a byte order mark; UTF-8 input is
/// borrowed, UTF-16 input is transcoded. UTF-8 validity itself is left to the parsers, which
/// report it against their own records.
pub fn to_utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, IngestError> {
    let (encoding, bom) = Encoding::detect(bytes);
    let body = &bytes[bom..];
    let units: Box<dyn Iterator<Item = u16>> = match encoding {
        Encoding::Utf8 => return Ok(Cow::Borrowed(body)),
        Encoding::Utf16LittleEndian => Box::new(
            body.chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]])),
        ),
        Encoding::Utf16BigEndian => Box::new(
            body.chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]])),
        ),
    };
    let mut text = String::with_capacity(body.len() / 2 + body.len() / 8);
    let mut line = 1u64;
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(character) => {
                if character == '\n' {
                    line += 1;
                }
                text.push(character);
            }
            Err(error) => {
                return Err(IngestError::Unreadable(rejection(
                    path,
                    Location::Line(line),
                    "(encoding)",
                    format!(
                        "broken UTF-16: unpaired surrogate 0x{:04X}",
                        error.unpaired_surrogate()
                    ),
                )));
            }
        }
    }
    if !body.len().is_multiple_of(2) {
        return Err(IngestError::Unreadable(rejection(
            path,
            Location::Line(line),
            "(encoding)",
            "broken UTF-16: the file ends in the middle of a character (an odd number of bytes)",
        )));
    }
    Ok(Cow::Owned(text.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            UTF16_BE_BOM.to_vec()
        } else {
            UTF16_LE_BOM.to_vec()
        };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    }

    #[test]
    fn every_encoding_reads_as_the_same_text() {
        let text = "{\"value\":[{\"displayName\":\"Zoë Łukasz 🚀\"}]}\r\n";
        let path = Path::new("users.json");
        let expected = text.as_bytes();
        let with_bom = [UTF8_BOM, text.as_bytes()].concat();
        assert_eq!(
            to_utf8(path, text.as_bytes()).ok().as_deref(),
            Some(expected)
        );
        assert_eq!(to_utf8(path, &with_bom).ok().as_deref(), Some(expected));
        for big_endian in [false, true] {
            let bytes = utf16(text, big_endian);
            assert_eq!(to_utf8(path, &bytes).ok().as_deref(), Some(expected));
        }
    }

    #[test]
    fn broken_utf16_names_the_line() {
        let mut bytes = utf16("a\nb\n", false);
        bytes.extend([0x00, 0xD8]); // a lone high surrogate
        bytes.extend("c".encode_utf16().flat_map(u16::to_le_bytes));
        let message = match to_utf8(Path::new("apps.csv"), &bytes) {
            Err(error) => error.to_string(),
            Ok(_) => String::from("accepted"),
        };
        assert!(message.contains("apps.csv: line 3"), "{message}");
        assert!(message.contains("unpaired surrogate 0xD800"), "{message}");

        let odd = [utf16("ab", false), vec![0x41]].concat();
        let message = match to_utf8(Path::new("apps.csv"), &odd) {
            Err(error) => error.to_string(),
            Ok(_) => String::from("accepted"),
        };
        assert!(message.contains("odd number of bytes"), "{message}");
    }
}
