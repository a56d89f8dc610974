//! Entra object ids, SKU ids and app ids are GUIDs; this tells a GUID from other keys.
//!
//! Audit records carry a user's object id in `UserKey`, except older ones that carry a PUID
//! (16 hex digits) there instead (SPEC §2): only a real GUID may be matched as an object id.

/// `text` as a lower-case GUID (`8-4-4-4-12` hex digits, surrounding space and braces
/// allowed), or `None` when it is not one.
pub fn parse_guid(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
        .unwrap_or(trimmed);
    let bytes = inner.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let well_formed = bytes.iter().enumerate().all(|(index, byte)| match index {
        8 | 13 | 18 | 23 => *byte == b'-',
        _ => byte.is_ascii_hexdigit(),
    });
    well_formed.then(|| inner.to_ascii_lowercase())
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
    use super::parse_guid;

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
}
