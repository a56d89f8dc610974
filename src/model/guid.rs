//! Entra object ids, SKU ids and app ids are GUIDs; this tells a GUID from other keys, and
//! holds one in 128 bits ([`Guid`]) where many are compared or kept.
//!
//! Audit records carry a user's object id in `UserKey`, except older ones that carry a PUID
//! (16 hex digits) there instead (SPEC §2): only a real GUID may be matched as an object id.

use std::fmt;

/// The value of each byte as a hex digit, `0xFF` for a byte that is not one: GUIDs are parsed
/// by the hundred thousand when months of history are compared.
const HEX_VALUES: [u8; 256] = {
    let mut values = [0xFF_u8; 256];
    let mut digit = 0;
    while digit < 10 {
        values[b'0' as usize + digit] = digit as u8;
        digit += 1;
    }
    let mut letter = 0;
    while letter < 6 {
        values[b'a' as usize + letter] = 10 + letter as u8;
        values[b'A' as usize + letter] = 10 + letter as u8;
        letter += 1;
    }
    values
};

/// Where the 32 hex digits of an `8-4-4-4-12` GUID are.
const HEX_POSITIONS: [usize; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29,
    30, 31, 32, 33, 34, 35,
];

/// A GUID stored as 128 bits and written in Microsoft's lowercase 8-4-4-4-12 form: a key that
/// hashes and compares as one integer, for the tables that pair hundreds of thousands of ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(u128);

impl Guid {
    pub const fn from_bits(bits: u128) -> Guid {
        Guid(bits)
    }

    pub const fn bits(self) -> u128 {
        self.0
    }

    /// `text` as a GUID (`8-4-4-4-12` hex digits in any case, surrounding space and braces
    /// allowed), or `None` when it is not one.
    pub fn parse(text: &str) -> Option<Guid> {
        let trimmed = text.trim();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
            .unwrap_or(trimmed);
        let bytes: &[u8; 36] = inner.as_bytes().try_into().ok()?;
        if [8, 13, 18, 23].iter().any(|&dash| bytes[dash] != b'-') {
            return None;
        }
        // Two 64-bit halves, each digit looked up; a byte that is no digit sets a high bit.
        let mut halves = [0_u64; 2];
        let mut invalid = 0_u8;
        for (half, positions) in halves.iter_mut().zip(HEX_POSITIONS.chunks_exact(16)) {
            for &position in positions {
                let nibble = HEX_VALUES[usize::from(bytes[position])];
                invalid |= nibble;
                *half = (*half << 4) | u64::from(nibble & 0xF);
            }
        }
        if invalid > 0xF {
            return None;
        }
        Some(Guid((u128::from(halves[0]) << 64) | u128::from(halves[1])))
    }

    /// The GUID's text, lower case, in a buffer of its own.
    fn text_bytes(self) -> [u8; 36] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [b'-'; 36];
        for (nibble_index, position) in HEX_POSITIONS.iter().enumerate() {
            let shift = 124 - 4 * nibble_index;
            text[*position] = HEX[((self.0 >> shift) & 0xF) as usize];
        }
        text
    }

    /// Appends the GUID's text to `out` without allocating.
    pub fn push_to(&self, out: &mut String) {
        let text = self.text_bytes();
        out.extend(text.iter().map(|byte| char::from(*byte)));
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text_bytes();
        formatter.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl serde::Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.text_bytes();
        match std::str::from_utf8(&text) {
            Ok(text) => serializer.serialize_str(text),
            Err(error) => Err(serde::ser::Error::custom(error)),
        }
    }
}

/// `text` as a lower-case GUID (`8-4-4-4-12` hex digits, surrounding space and braces
/// allowed), or `None` when it is not one.
pub fn parse_guid(text: &str) -> Option<String> {
    Guid::parse(text).map(|guid| guid.to_string())
}

/// `text` as a lower-case GUID, or a message saying it is not one: for ids that must be GUIDs
/// (object ids, SKU ids, group ids), which later land in scripts and requests.
pub fn require_guid(text: &str) -> Result<String, String> {
    parse_guid(text).ok_or_else(|| {
        format!(
            "not a GUID: {:?} (Graph writes object and SKU ids as 8-4-4-4-12 hex digits)",
            text.chars().take(60).collect::<String>()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{Guid, parse_guid};

    #[test]
    fn guids_in_any_case_and_braces() {
        let id = "2a1b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b";
        assert_eq!(parse_guid(id).as_deref(), Some(id));
        assert_eq!(parse_guid(&id.to_uppercase()).as_deref(), Some(id));
        assert_eq!(parse_guid(&format!(" {{{id}}} ")).as_deref(), Some(id));
    }

    #[test]
    fn other_keys_are_not_guids() {
        for text in [
            "",
            "10032001A2B3C4D5",
            "ada@contoso.com",
            "2a1b3c4d00004e5f8a9b0c1d2e3f4a5b",
            "2a1b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5g",
            "2a1b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b0",
        ] {
            assert_eq!(parse_guid(text), None, "{text}");
        }
    }

    #[test]
    fn a_guid_reads_back_as_its_text() {
        let id = "2a1b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b";
        let guid = Guid::parse(id).expect("a GUID");
        assert_eq!(guid.to_string(), id);
        assert_eq!(guid.bits(), 0x2a1b_3c4d_0000_4e5f_8a9b_0c1d_2e3f_4a5b);
        assert_eq!(Guid::parse(&id.to_uppercase()), Some(guid));
        assert_eq!(Guid::parse("2a1b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5+"), None);
        // Multi-byte characters in a text of 36 bytes, also where a dash belongs.
        assert_eq!(Guid::parse("2a1b3c4d-0000-4e5f-8a9b-0c1d2e3f4aé"), None);
        assert_eq!(Guid::parse("2a1b3c4dé000-4e5f-8a9b-0c1d2e3f4a5b"), None);
        for position in 0..id.len() {
            let mut damaged = id.as_bytes().to_vec();
            damaged[position] = if damaged[position] == b'-' {
                b'0'
            } else {
                b'g'
            };
            let damaged = String::from_utf8(damaged).expect("ASCII");
            assert_eq!(Guid::parse(&damaged), None, "{damaged}");
        }
    }
}
