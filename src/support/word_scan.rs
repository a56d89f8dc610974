//! Byte searches eight bytes at a time in a machine word, for the short hops of the audit
//! readers: from quote to quote in a CSV field that holds JSON, and across the short strings of
//! that JSON (names, GUIDs, times). A vector search (`memchr`) is faster over long stretches,
//! but its setup costs more than crossing a dozen bytes.
//!
//! For a word `w`, `(w - ONES * n) & !w & HIGHS` flags (sets the high bit of) each byte below
//! `n`, for `n` up to 0x80; a byte equal to `b` is a byte of `w ^ (ONES * b)` below 1. A
//! subtraction's borrow can flag a byte wrongly, but only above a byte rightly flagged, so the
//! lowest flag of a word is always the first byte sought.

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// Flags of the bytes of `word` below `limit` (at most 0x80).
pub fn bytes_below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGHS
}

/// Flags of the bytes of `word` equal to `byte`.
pub fn bytes_equal(word: u64, byte: u8) -> u64 {
    bytes_below(word ^ (ONES * u64::from(byte)), 1)
}

/// The place of the first byte of `bytes` sought, within the first `words` words: `flags`
/// marks the bytes sought in a word (read in little-endian order, so the first byte is the
/// lowest) and `is_sought` judges a byte alone, for a tail shorter than a word. `Err` carries
/// how many bytes were crossed without finding one (`words` words, or all of `bytes`).
pub fn find_in_words(
    bytes: &[u8],
    words: usize,
    flags: impl Fn(u64) -> u64,
    is_sought: impl Fn(u8) -> bool,
) -> Result<usize, usize> {
    let mut crossed = 0;
    for _ in 0..words {
        let Some(chunk) = bytes[crossed..].first_chunk::<8>() else {
            return match bytes[crossed..].iter().position(|&byte| is_sought(byte)) {
                Some(place) => Ok(crossed + place),
                None => Err(bytes.len()),
            };
        };
        let found = flags(u64::from_le_bytes(*chunk));
        if found != 0 {
            return Ok(crossed + (found.trailing_zeros() / 8) as usize);
        }
        crossed += 8;
    }
    Err(crossed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_stop(byte: u8) -> bool {
        byte == b'"' || byte == b'\\' || byte < 0x20
    }

    fn stops(word: u64) -> u64 {
        bytes_below(word, 0x20) | bytes_equal(word, b'"') | bytes_equal(word, b'\\')
    }

    /// The first stop, word by word to the end.
    fn first_stop(bytes: &[u8]) -> Option<usize> {
        find_in_words(bytes, usize::MAX, stops, is_stop).ok()
    }

    #[test]
    fn every_byte_value_in_every_place_is_judged_as_alone() {
        // Every byte value at every place, after plain bytes of both halves of the byte range
        // and before further stops (a borrow's false flag must not hide the real first one).
        for length in 1..20 {
            for place in 0..length {
                for value in 0..=255u8 {
                    for filler in [b'a', 0xC3, 0x7F, 0x21, 0x00] {
                        let mut bytes = vec![b'x'; length];
                        bytes[place] = value;
                        for later in bytes.iter_mut().skip(place + 1) {
                            *later = filler;
                        }
                        let expected = bytes.iter().position(|&byte| is_stop(byte));
                        assert_eq!(first_stop(&bytes), expected, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_search_stops_after_the_words_asked_for() {
        let bytes = b"0123456789abcdef0123\"";
        assert_eq!(find_in_words(bytes, 2, stops, is_stop), Err(16));
        assert_eq!(find_in_words(bytes, 3, stops, is_stop), Ok(20));
        assert_eq!(find_in_words(b"0123", 2, stops, is_stop), Err(4));
        assert_eq!(find_in_words(b"", 2, stops, is_stop), Err(0));
        let quote = |word| bytes_equal(word, b'"');
        assert_eq!(
            find_in_words(b"ab\x00\"cdefgh", 1, quote, |byte| byte == b'"'),
            Ok(3)
        );
    }
}
