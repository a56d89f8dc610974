//! Whose launch is it? (SPEC §2)
//!
//! A launch record carries the user principal name at the time of the launch and, in most
//! records, the user's Entra object id. Names change (a marriage, a new domain) and are reused
//! after their owner leaves, so the object id decides when the record carries one as a GUID:
//! the launch belongs to the directory user with that id, or to an unknown user when nobody
//! has it, even if a current user now has the record's name. Only a record without a GUID
//! (no id at all, or a PUID in an older record) is matched by name, case-insensitively, and
//! only to a name exactly one user has.
//!
//! Owners are decided once per launch identity (a distinct name and object id pair of the
//! records), not per launch row: a tenant has millions of launch rows and a fraction as many
//! identities, and each row then takes its identity's owner by number.

use crate::model::columns;
use polars::prelude::*;

/// True for a launch matched by object id whose record names the user differently: a user
/// renamed since (reported in data quality).
pub const UPN_DIFFERS: &str = "upn_differs";
/// The owner's place among the directory users in the order of their ids, null for an unknown
/// user: launch tables are sorted by owner, and millions of rows sort far faster on this number
/// than on the id strings, in the same order.
pub const OWNER_ORDER: &str = "owner_order";

/// For a launch by someone not in the directory, who: the object id the records carry, else
/// their lower-case user principal name; null for a directory user's launch.
pub const UNKNOWN_USER: &str = "unknown_user";

const ID_MATCH: &str = "id_match";
const ID_OWNER_KEY: &str = "id_owner_key";
const ID_OWNER_ORDER: &str = "id_owner_order";
const NAME_MATCH: &str = "name_match";
const NAME_OWNER: &str = "name_owner";
const NAME_HOLDERS: &str = "name_holders";
const NAME_OWNER_ORDER: &str = "name_owner_order";

/// The owner of each launch identity of `identities` (in the layout of
/// [`crate::model::schema::launch_identities`]), one row per identity in their order:
/// [`columns::USER_ID`] (null for an unknown user), [`OWNER_ORDER`], [`UPN_DIFFERS`] and
/// [`UNKNOWN_USER`].
pub fn attribute(identities: LazyFrame, users: LazyFrame) -> LazyFrame {
    let users = users
        .select([col(columns::USER_ID), col(columns::USER_KEY)])
        .sort([columns::USER_ID], SortMultipleOptions::default())
        .with_row_index(OWNER_ORDER, None);
    let by_id = users.clone().select([
        col(columns::USER_ID).alias(ID_MATCH),
        col(columns::USER_KEY).alias(ID_OWNER_KEY),
        col(OWNER_ORDER).alias(ID_OWNER_ORDER),
    ]);
    let by_name = users
        .group_by([col(columns::USER_KEY).alias(NAME_MATCH)])
        .agg([
            col(columns::USER_ID).first().alias(NAME_OWNER),
            col(OWNER_ORDER).first().alias(NAME_OWNER_ORDER),
            len().alias(NAME_HOLDERS),
        ])
        .filter(col(NAME_HOLDERS).eq(lit(1u32)))
        .select([col(NAME_MATCH), col(NAME_OWNER), col(NAME_OWNER_ORDER)]);
    let has_object_id = col(columns::USER_OBJECT_ID).is_not_null();
    // Row n of the result is identity n: the joins keep the identities' order.
    let in_identity_order = JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(JoinType::Left).with_coalesce(JoinCoalesce::KeepColumns)
    };
    identities
        .join(
            by_id,
            [col(columns::USER_OBJECT_ID)],
            [col(ID_MATCH)],
            in_identity_order.clone(),
        )
        .join(
            by_name,
            [col(columns::USER_KEY)],
            [col(NAME_MATCH)],
            in_identity_order,
        )
        .with_columns([
            when(has_object_id.clone())
                .then(col(ID_MATCH))
                .otherwise(col(NAME_OWNER))
                .alias(columns::USER_ID),
            when(has_object_id.clone())
                .then(col(ID_OWNER_ORDER))
                .otherwise(col(NAME_OWNER_ORDER))
                .alias(OWNER_ORDER),
            has_object_id
                .and(col(ID_OWNER_KEY).is_not_null())
                .and(col(columns::USER_KEY).neq(lit("")))
                .and(col(columns::USER_KEY).neq(col(ID_OWNER_KEY)))
                .alias(UPN_DIFFERS),
        ])
        .select([
            col(columns::USER_ID),
            col(OWNER_ORDER),
            col(UPN_DIFFERS),
            when(col(columns::USER_ID).is_null())
                .then(coalesce(&[
                    col(columns::USER_OBJECT_ID),
                    col(columns::USER_KEY),
                ]))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(UNKNOWN_USER),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "11111111-1111-1111-1111-111111111111";
    const NEW_BOB: &str = "22222222-2222-2222-2222-222222222222";
    const GONE: &str = "99999999-9999-9999-9999-999999999999";

    #[test]
    fn the_object_id_decides_and_names_only_stand_in() {
        let users = df!(
            columns::USER_ID => [ADA, NEW_BOB],
            columns::USER_KEY => ["ada.lovelace@contoso.com", "bob@contoso.com"],
        )
        .expect("users");
        let identities = df!(
            // Ada renamed since; Bob's name reused by a new user after the old Bob left;
            // a legacy record with a PUID; a record with no id of a current name; a stranger.
            columns::USER_KEY => ["ada@contoso.com", "bob@contoso.com", "ada.lovelace@contoso.com", "bob@contoso.com", "eve@contoso.com"],
            columns::USER_OBJECT_ID => [Some(ADA), Some(GONE), None, None, None],
        )
        .expect("identities");
        let attributed = attribute(identities.lazy(), users.lazy())
            .collect()
            .expect("attribute");
        let owners: Vec<Option<&str>> = attributed
            .column(columns::USER_ID)
            .and_then(|column| column.str())
            .expect("owners")
            .iter()
            .collect();
        assert_eq!(
            owners,
            vec![Some(ADA), None, Some(ADA), Some(NEW_BOB), None]
        );
        // Ada's id sorts first among the users, Bob's second.
        let order: Vec<Option<u32>> = attributed
            .column(OWNER_ORDER)
            .and_then(|column| column.idx())
            .expect("owner order")
            .iter()
            .collect();
        assert_eq!(order, vec![Some(0), None, Some(0), Some(1), None]);
        let renamed: Vec<Option<bool>> = attributed
            .column(UPN_DIFFERS)
            .and_then(|column| column.bool())
            .expect("flags")
            .iter()
            .collect();
        assert_eq!(
            renamed,
            vec![
                Some(true),
                Some(false),
                Some(false),
                Some(false),
                Some(false)
            ]
        );
        let unknown: Vec<Option<&str>> = attributed
            .column(UNKNOWN_USER)
            .and_then(|column| column.str())
            .expect("unknown users")
            .iter()
            .collect();
        assert_eq!(
            unknown,
            vec![None, Some(GONE), None, None, Some("eve@contoso.com")]
        );
    }

    #[test]
    fn row_n_is_the_owner_of_identity_n_however_many_there_are() {
        let count = 20_000;
        let id = |n: usize| format!("{n:08x}-0000-0000-0000-000000000000");
        let users = df!(
            columns::USER_ID => (0..count).map(id).collect::<Vec<_>>(),
            columns::USER_KEY => (0..count).map(|n| format!("user{n}@contoso.com")).collect::<Vec<_>>(),
        )
        .expect("users");
        // Identities in the reverse order of the users, every third by name only.
        let identities = df!(
            columns::USER_KEY => (0..count).rev().map(|n| format!("user{n}@contoso.com")).collect::<Vec<_>>(),
            columns::USER_OBJECT_ID => (0..count).rev().map(|n| (n % 3 != 0).then(|| id(n))).collect::<Vec<_>>(),
        )
        .expect("identities");
        let attributed = attribute(identities.lazy(), users.lazy())
            .collect()
            .expect("attribute");
        let owners: Vec<Option<String>> = attributed
            .column(columns::USER_ID)
            .and_then(|column| column.str())
            .expect("owners")
            .iter()
            .map(|owner| owner.map(str::to_string))
            .collect();
        let expected: Vec<Option<String>> = (0..count).rev().map(|n| Some(id(n))).collect();
        assert_eq!(owners, expected);
    }
}
