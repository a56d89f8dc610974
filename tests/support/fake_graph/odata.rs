//! OData query options and paging, as Graph applies them to collections.
//!
//! Exists so every collection endpoint pages and projects the same way Graph does: `$select`
//! (case-insensitive names, `id` always returned, unknown names refused), `$top` bounds with
//! Graph's own error text, `@odata.nextLink` as a full absolute URL carrying the original query
//! plus an opaque, unforgeable `$skiptoken`, and compact JSON written straight from the stored
//! objects (no per-request cloning, so large tenants page quickly).

use std::io::Write;

use serde_json::{Map, Value};

use super::errors::GraphError;
use super::ids::Ids;

/// Graph's `$top` ceiling for directory collections.
pub const MAX_TOP: i64 = 999;

/// Graph's default page size for directory collections.
pub const DEFAULT_PAGE: usize = 100;

/// The query options of one request.
#[derive(Debug, Default, Clone)]
pub struct QueryOptions {
    /// `$select` names as sent (not yet resolved against a type).
    pub select: Option<Vec<String>>,
    pub top: Option<usize>,
    pub skiptoken: Option<String>,
    pub filter: Option<String>,
    pub count: bool,
    /// The raw `key=value` pieces other than `$skiptoken`, to rebuild the next link.
    passthrough: Vec<String>,
}

/// Parses a raw query string. Options not in `allowed` (lower-case, with `$`) are refused the way
/// Graph refuses an option a resource does not support.
pub fn parse_query(raw: Option<&str>, allowed: &[&str]) -> Result<QueryOptions, GraphError> {
    let mut options = QueryOptions::default();
    let Some(raw) = raw else {
        return Ok(options);
    };
    for piece in raw.split('&').filter(|piece| !piece.is_empty()) {
        let (key, value) = url::form_urlencoded::parse(piece.as_bytes())
            .next()
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .unwrap_or_default();
        let name = key.to_ascii_lowercase();
        if name == "$skiptoken" {
            options.skiptoken = Some(value);
            continue;
        }
        options.passthrough.push(piece.to_string());
        if !name.starts_with('$') {
            continue; // custom parameters are ignored, as Graph does
        }
        if !allowed.contains(&name.as_str()) {
            return Err(GraphError::unsupported_query(format!(
                "Query option '{key}' is not supported by this fake Graph on this resource."
            )));
        }
        match name.as_str() {
            "$select" => {
                options.select = Some(
                    value
                        .split(',')
                        .map(|name| name.trim().to_string())
                        .filter(|name| !name.is_empty())
                        .collect(),
                );
            }
            "$top" => {
                let top = value.trim().parse::<i64>().ok().filter(|top| *top >= 1);
                match top {
                    Some(top) if top <= MAX_TOP => options.top = usize::try_from(top).ok(),
                    _ => {
                        return Err(GraphError::bad_request(format!(
                            "Invalid page size specified: '{value}'. Must be between 1 and {MAX_TOP} inclusive."
                        )));
                    }
                }
            }
            "$filter" => options.filter = Some(value),
            "$count" => match value.trim().to_ascii_lowercase().as_str() {
                "true" => options.count = true,
                "false" => options.count = false,
                _ => {
                    return Err(GraphError::bad_request(format!(
                        "Invalid value '{value}' for $count; expected true or false."
                    )));
                }
            },
            _ => {}
        }
    }
    Ok(options)
}

/// Resolves `$select` names against a type's property names (case-insensitive), keeping the
/// order asked for and dropping duplicates. `None` when nothing was selected.
pub fn resolve_select<'a>(
    select: Option<&[String]>,
    known: impl Fn(&str) -> Option<&'a str>,
    type_name: &str,
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(select) = select else {
        return Ok(None);
    };
    let mut resolved: Vec<String> = Vec::with_capacity(select.len());
    for name in select {
        let canonical = known(name).ok_or_else(|| {
            GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type '{type_name}'."
            ))
        })?;
        if !resolved.iter().any(|existing| existing == canonical) {
            resolved.push(canonical.to_string());
        }
    }
    Ok(Some(resolved))
}

/// A page of a collection: `[start, end)` and the offset of the next page, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBounds {
    pub start: usize,
    pub end: usize,
    pub next: Option<usize>,
}

pub fn page_bounds(total: usize, start: usize, size: usize) -> PageBounds {
    let start = start.min(total);
    let end = start.saturating_add(size.max(1)).min(total);
    PageBounds {
        start,
        end,
        next: (end < total).then_some(end),
    }
}

/// Makes and checks skip tokens: the offset plus a keyed checksum over the collection path, so a
/// token from another collection, server or a hand-made one is refused.
pub fn encode_skiptoken(ids: &Ids, scope: &str, offset: usize) -> String {
    let offset_hex = format!("{offset:x}");
    let check = ids.checksum(&[scope, &offset_hex]);
    format!("RFNwdA{check}{offset_hex}")
}

pub fn decode_skiptoken(ids: &Ids, scope: &str, token: &str) -> Result<usize, GraphError> {
    let invalid = || GraphError::bad_request("Invalid skip token value.");
    let body = token.strip_prefix("RFNwdA").ok_or_else(invalid)?;
    if body.len() <= 16 || !body.is_char_boundary(16) {
        return Err(invalid());
    }
    let (check, offset_hex) = body.split_at(16);
    if ids.checksum(&[scope, offset_hex]) != check {
        return Err(invalid());
    }
    usize::from_str_radix(offset_hex, 16).map_err(|_| invalid())
}

/// The absolute next link: this resource with the original query options and a new skip token.
pub fn next_link(base_url: &str, path: &str, options: &QueryOptions, skiptoken: &str) -> String {
    let mut link = format!("{base_url}{path}?");
    for piece in &options.passthrough {
        link.push_str(piece);
        link.push('&');
    }
    link.push_str("$skiptoken=");
    link.push_str(skiptoken);
    link
}

/// Writes `value` as compact JSON into `out`.
pub fn write_json(out: &mut Vec<u8>, value: &Value) {
    // Writing into a Vec cannot fail and a `Value` always serialises.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Writes a JSON string literal.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(&mut *out, text);
}

/// Something whose properties the writer can copy out as JSON.
pub trait Entity {
    /// Appends property `name`'s JSON to `out`; false (nothing written) when it is absent.
    fn write_property(&self, name: &str, out: &mut Vec<u8>) -> bool;
    /// Every stored property name, in stored order.
    fn property_names(&self) -> Vec<&str>;
}

impl Entity for Map<String, Value> {
    fn write_property(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match self.get(name) {
            Some(value) => {
                write_json(out, value);
                true
            }
            None => false,
        }
    }

    fn property_names(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
}

/// Writes one entity: `{"@odata.type"?, "id", …}`. With a selection, exactly `id` plus the
/// selected names in order (a property the object lacks is `null`, as Graph returns unset
/// properties; `fallback` is asked first, e.g. the user behind a group member); without one,
/// `defaults` the same way, or every stored property when `defaults` is empty.
pub fn write_entity(
    out: &mut Vec<u8>,
    odata_type: Option<&str>,
    entity: &dyn Entity,
    selection: Option<&[String]>,
    defaults: &[&str],
    fallback: Option<&dyn Entity>,
) {
    let write_value = |out: &mut Vec<u8>, name: &str| {
        if !entity.write_property(name, out)
            && !fallback.is_some_and(|fallback| fallback.write_property(name, out))
        {
            out.extend_from_slice(b"null");
        }
    };
    out.push(b'{');
    if let Some(odata_type) = odata_type {
        out.extend_from_slice(b"\"@odata.type\":");
        write_str(out, odata_type);
        out.push(b',');
    }
    out.extend_from_slice(b"\"id\":");
    write_value(out, "id");
    let names: Vec<&str> = match selection {
        Some(names) => names.iter().map(String::as_str).collect(),
        None if !defaults.is_empty() => defaults.to_vec(),
        None => entity.property_names(),
    };
    for name in names {
        if name == "id" || name == "@odata.type" {
            continue;
        }
        out.push(b',');
        write_str(out, name);
        out.push(b':');
        write_value(out, name);
    }
    out.push(b'}');
}

/// Writes the collection envelope around `items` (already JSON, comma-joined by the caller).
pub struct CollectionWriter {
    out: Vec<u8>,
    items: usize,
}

impl CollectionWriter {
    /// Starts `{"@odata.context":…, ["@odata.count":…,] ["@odata.nextLink":…,] "value":[`.
    pub fn new(
        context: &str,
        count: Option<usize>,
        next_link: Option<&str>,
        capacity: usize,
    ) -> Self {
        let mut out = Vec::with_capacity(capacity + 256);
        out.extend_from_slice(b"{\"@odata.context\":");
        write_str(&mut out, context);
        if let Some(count) = count {
            let _ = write!(out, ",\"@odata.count\":{count}");
        }
        if let Some(link) = next_link {
            out.extend_from_slice(b",\"@odata.nextLink\":");
            write_str(&mut out, link);
        }
        out.extend_from_slice(b",\"value\":[");
        Self { out, items: 0 }
    }

    /// The buffer to write the next item into (the separator already written).
    pub fn item(&mut self) -> &mut Vec<u8> {
        if self.items > 0 {
            self.out.push(b',');
        }
        self.items += 1;
        &mut self.out
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"]}");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptokens_round_trip_and_refuse_forgeries() {
        let ids = Ids::new();
        let token = encode_skiptoken(&ids, "/v1.0/users", 240);
        assert_eq!(
            decode_skiptoken(&ids, "/v1.0/users", &token).ok(),
            Some(240)
        );
        assert!(decode_skiptoken(&ids, "/v1.0/groups", &token).is_err());
        assert!(decode_skiptoken(&ids, "/v1.0/users", "RFNwdA0000000000000000f0").is_err());
        assert!(decode_skiptoken(&Ids::new(), "/v1.0/users", &token).is_err());
    }

    #[test]
    fn top_bounds_use_graphs_message() {
        let error = parse_query(Some("$top=1000"), &["$top"]).err();
        assert_eq!(
            error.map(|error| error.message),
            Some(
                "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.".into()
            )
        );
        let options = parse_query(Some("%24top=999&%24select=id"), &["$top", "$select"]);
        assert_eq!(options.ok().and_then(|options| options.top), Some(999));
    }
}
