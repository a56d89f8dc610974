//! Case-insensitive JSON records.
//!
//! Graph returns camelCase property names and the Graph PowerShell SDK's `ConvertTo-Json`
//! PascalCase; SPEC §2 asks for both, so every record type is declared with
//! [`case_insensitive_record!`], which matches keys ignoring ASCII case without allocating a
//! key string. Every field is an `Option`: `None` means the property was absent, so a type of
//! `Option<Option<T>>` tells an absent property from one that is present but null.

use serde::de::{DeserializeSeed, Deserializer, Visitor};
use std::fmt;

/// Deserializes a map key into the index of the matching name in `names`, ignoring case.
pub struct KeyIndex(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIndex {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIndex {
    type Value = Option<usize>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self
            .0
            .iter()
            .position(|name| name.eq_ignore_ascii_case(key)))
    }
}

/// Declares a struct whose JSON form is an object with case-insensitive property names.
///
/// Each field is written `name: Type = "jsonName"`; the generated field has type
/// `Option<Type>` (absent property = `None`). Unknown properties are skipped. A property read
/// twice in one object (`id` and `Id`, say) is an error: which value would win is arbitrary.
#[macro_export]
macro_rules! case_insensitive_record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $field_vis:vis $field:ident : $type:ty = $key:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $field_vis $field: Option<$type>, )*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$($key),*];
                struct RecordVisitor;
                impl<'de> serde::de::Visitor<'de> for RecordVisitor {
                    type Value = $name;
                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        formatter.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        let mut record = $name { $( $field: None, )* };
                        while let Some(found) = map.next_key_seed($crate::ingest::record::KeyIndex(NAMES))? {
                            let Some(index) = found else {
                                map.next_value::<serde::de::IgnoredAny>()?;
                                continue;
                            };
                            let mut position = 0usize;
                            $(
                                if index == position {
                                    if record.$field.is_some() {
                                        return Err(<A::Error as serde::de::Error>::custom(format!(
                                            "in `{}`: the property appears twice (names match in any letter case), so its value is ambiguous",
                                            $key
                                        )));
                                    }
                                    record.$field = Some(map.next_value().map_err(|error| {
                                        <A::Error as serde::de::Error>::custom(
                                            $crate::ingest::record::qualify($key, &error),
                                        )
                                    })?);
                                    continue;
                                }
                                position += 1;
                            )*
                            let _ = position;
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                        Ok(record)
                    }
                }
                deserializer.deserialize_map(RecordVisitor)
            }
        }
    };
}

/// Prefixes a nested deserialization error with the property it happened in.
pub fn qualify(key: &str, error: &dyn fmt::Display) -> String {
    format!("in `{key}`: {}", without_position(&error.to_string()))
}

/// Splits "in `a`: in `b`: problem" into the field path `a.b` and the problem.
pub fn split_field_path(message: &str) -> (String, String) {
    let mut path = Vec::new();
    let mut rest = message;
    while let Some(after) = rest.strip_prefix("in `") {
        let Some((key, remainder)) = after.split_once("`: ") else {
            break;
        };
        path.push(key);
        rest = remainder;
    }
    (path.join("."), without_position(rest).to_string())
}

/// Drops serde_json's " at line N column M" suffix: positions inside one record mislead.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) if message[index..].contains(" column ") => &message[..index],
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::case_insensitive_record! {
        #[derive(Debug)]
        struct Probe {
            name: Option<String> = "displayName",
            count: i64 = "count",
        }
    }

    #[test]
    fn keys_match_in_any_case_and_absent_differs_from_null() {
        let camel: Probe = serde_json::from_str(r#"{"displayName":"a","count":1,"other":[1]}"#)
            .expect("valid record");
        let pascal: Probe =
            serde_json::from_str(r#"{"DisplayName":null,"COUNT":2}"#).expect("valid record");
        let absent: Probe = serde_json::from_str(r#"{}"#).expect("valid record");
        assert_eq!((camel.name, camel.count), (Some(Some("a".into())), Some(1)));
        assert_eq!((pascal.name, pascal.count), (Some(None), Some(2)));
        assert_eq!((absent.name, absent.count), (None, None));
    }

    #[test]
    fn a_property_twice_is_ambiguous_whatever_its_case() {
        for text in [
            r#"{"displayName":"a","displayName":"b"}"#,
            r#"{"displayName":"a","DISPLAYNAME":"b"}"#,
        ] {
            let error = serde_json::from_str::<Probe>(text).expect_err("ambiguous");
            let (field, problem) = split_field_path(&error.to_string());
            assert_eq!(field, "displayName");
            assert!(problem.contains("appears twice"), "{problem}");
        }
    }

    #[test]
    fn type_errors_name_the_property() {
        let error = serde_json::from_str::<Probe>(r#"{"count":"many"}"#)
            .expect_err("a string is not a count");
        let (field, problem) = split_field_path(&error.to_string());
        assert_eq!(field, "count");
        assert!(problem.starts_with("invalid type: string"), "{problem}");
    }
}
