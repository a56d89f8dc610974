//! The tenant the fake serves: loaded once from a snapshot folder, then held as mutable state.
//!
//! Exists to turn a SPEC §2 snapshot (Graph pages, JSON arrays or JSON Lines of users, groups with
//! inlined members, `subscribedSkus.json`, `subscriptions.json`, `snapshot.json`; camelCase or PascalCase names) into
//! Graph's camelCase objects, kept in snapshot order behind `Arc<Mutex<TenantState>>`. Reads serve
//! from it, and the write endpoints (`assignLicense`, `members/$ref`, `$batch`; the rules are in
//! `licensing.rs`) edit it in place, so tests assert on it through [`super::FakeGraph::tenant`]
//! (see `TenantState::license_sources`, `direct_groups_of` and `snapshot_fingerprint`).
//!
//! Sized for 100,000-user tenants: users are compact JSON spans, ids resolve through hash
//! lookups, and each group keeps a set of its member ids so membership checks never scan a
//! member list.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// A directory object's properties, Graph (camelCase) names, lossless.
pub type Properties = Map<String, Value>;

/// The served tenant.
#[derive(Debug, Default, Clone)]
pub struct TenantState {
    /// `subscribedSkus` entries (mutable: assigning a license changes `consumedUnits`).
    pub subscribed_skus: Vec<Properties>,
    /// `directory/subscriptions` entries (`subscriptions.json`), as written.
    pub subscriptions: Vec<Properties>,
    /// Users in snapshot order (the order `/users` pages them in).
    pub users: Vec<User>,
    /// Groups in snapshot order, members split out.
    pub groups: Vec<Group>,
    /// Lower-cased user id and user principal name → index in `users`.
    user_lookup: HashMap<String, usize>,
    /// Lower-cased group id → index in `groups`.
    group_lookup: HashMap<String, usize>,
}

/// One user. Its properties (Graph's camelCase names, `id` and `userPrincipalName` included) are
/// kept as compact JSON text, one span per property, so a 100,000-user tenant stays small and a
/// page is written by copying bytes. Reads and edits go through [`User::value`] / [`User::set`].
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub user_principal_name: String,
    /// Names and JSON values, back to back.
    text: String,
    /// Per property: where its name and its JSON value are in `text`.
    spans: Vec<Span>,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    name_start: u32,
    value_start: u32,
    value_end: u32,
}

impl User {
    /// Builds a user from its Graph object; `None` without a string `id`.
    pub fn from_properties(properties: &Properties) -> Option<User> {
        let id = properties.get("id")?.as_str()?.to_string();
        let user_principal_name = properties
            .get("userPrincipalName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut user = User {
            id,
            user_principal_name,
            text: String::new(),
            spans: Vec::with_capacity(properties.len()),
        };
        for (name, value) in properties {
            user.push(name, value);
        }
        user.text.shrink_to_fit();
        Some(user)
    }

    fn push(&mut self, name: &str, value: &Value) {
        let offset = |text: &String| u32::try_from(text.len()).unwrap_or(u32::MAX);
        let name_start = offset(&self.text);
        self.text.push_str(name);
        let value_start = offset(&self.text);
        self.text.push_str(&value.to_string());
        let value_end = offset(&self.text);
        self.spans.push(Span {
            name_start,
            value_start,
            value_end,
        });
    }

    fn name_of(&self, span: &Span) -> &str {
        &self.text[span.name_start as usize..span.value_start as usize]
    }

    /// Property names and their compact JSON text, in stored order.
    pub fn properties(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans.iter().map(|span| {
            (
                self.name_of(span),
                &self.text[span.value_start as usize..span.value_end as usize],
            )
        })
    }

    /// The compact JSON text of property `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.properties()
            .find(|(property, _)| *property == name)
            .map(|(_, json)| json)
    }

    /// Property `name`, parsed.
    pub fn value(&self, name: &str) -> Option<Value> {
        self.get(name)
            .and_then(|json| serde_json::from_str(json).ok())
    }

    /// The whole user as a Graph object.
    pub fn to_properties(&self) -> Properties {
        self.properties()
            .filter_map(|(name, json)| {
                serde_json::from_str(json)
                    .ok()
                    .map(|value| (name.to_string(), value))
            })
            .collect()
    }

    /// Sets (or adds) property `name`, e.g. a new `assignedLicenses` array after `assignLicense`.
    /// Only that property's span is rewritten (the other properties are not re-parsed).
    pub fn set(&mut self, name: &str, value: &Value) {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        let json = value.to_string();
        let Some(position) = self
            .spans
            .iter()
            .position(|span| self.name_of(span) == name)
        else {
            self.push(name, value);
            self.after_set(name, value);
            return;
        };
        let start = self.spans[position].value_start as usize;
        let end = self.spans[position].value_end as usize;
        self.text.replace_range(start..end, &json);
        let grown = json.len();
        let shrunk = end - start;
        // Later spans move by the size difference (an old offset is at least `end`, so this
        // cannot underflow).
        let moved = |at: u32| offset(at as usize + grown - shrunk);
        self.spans[position].value_end = offset(start + grown);
        for later in &mut self.spans[position + 1..] {
            later.name_start = moved(later.name_start);
            later.value_start = moved(later.value_start);
            later.value_end = moved(later.value_end);
        }
        self.after_set(name, value);
    }

    /// Keeps the cached `id` and `userPrincipalName` in step with the properties.
    fn after_set(&mut self, name: &str, value: &Value) {
        match (name, value.as_str()) {
            ("id", Some(id)) => self.id = id.to_string(),
            ("userPrincipalName", Some(upn)) => self.user_principal_name = upn.to_string(),
            _ => {}
        }
    }
}

impl super::odata::Entity for User {
    fn write_property(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match self.get(name) {
            Some(json) => {
                out.extend_from_slice(json.as_bytes());
                true
            }
            None => false,
        }
    }

    fn property_names(&self) -> Vec<&str> {
        self.properties().map(|(name, _)| name).collect()
    }
}

/// One group: its properties without `members`, and its direct members.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub properties: Properties,
    /// Direct members as stored (`id`, `userPrincipalName`, maybe `@odata.type`), in order. Edit
    /// through [`Group::add_member`] / [`Group::remove_member`] (or call
    /// [`TenantState::reindex`] after editing it directly) so the member lookup stays right.
    pub members: Vec<Properties>,
    /// Lower-cased `id`s of `members`.
    member_ids: HashSet<String>,
}

impl Group {
    pub fn new(id: String, properties: Properties, members: Vec<Properties>) -> Self {
        let mut group = Self {
            id,
            properties,
            members,
            member_ids: HashSet::new(),
        };
        group.reindex_members();
        group
    }

    fn reindex_members(&mut self) {
        self.member_ids = self
            .members
            .iter()
            .filter_map(|member| member.get("id").and_then(Value::as_str))
            .map(str::to_ascii_lowercase)
            .collect();
    }

    /// Whether the object with this id (case-insensitive) is a direct member.
    pub fn has_member(&self, id: &str) -> bool {
        self.member_ids.contains(&id.to_ascii_lowercase())
    }

    /// Appends a member (`id` required; a member without one is ignored); false if already there.
    pub fn add_member(&mut self, member: Properties) -> bool {
        let Some(id) = member.get("id").and_then(Value::as_str) else {
            return false;
        };
        if !self.member_ids.insert(id.to_ascii_lowercase()) {
            return false;
        }
        self.members.push(member);
        true
    }

    /// Removes the member with this id (case-insensitive); false if it was not a member. Finding
    /// its position scans the list, but only for an actual member.
    pub fn remove_member(&mut self, id: &str) -> bool {
        if !self.member_ids.remove(&id.to_ascii_lowercase()) {
            return false;
        }
        let position = self.members.iter().position(|member| {
            member
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|member_id| member_id.eq_ignore_ascii_case(id))
        });
        if let Some(position) = position {
            self.members.remove(position);
        }
        true
    }

    /// True when `groupTypes` contains `DynamicMembership`.
    pub fn is_dynamic(&self) -> bool {
        self.properties
            .get("groupTypes")
            .and_then(Value::as_array)
            .is_some_and(|types| {
                types
                    .iter()
                    .any(|kind| kind.as_str() == Some("DynamicMembership"))
            })
    }

    /// True when the group carries at least one license.
    pub fn has_licenses(&self) -> bool {
        self.properties
            .get("assignedLicenses")
            .and_then(Value::as_array)
            .is_some_and(|licenses| !licenses.is_empty())
    }
}

impl TenantState {
    /// Builds the state and its lookups.
    pub fn new(subscribed_skus: Vec<Properties>, users: Vec<User>, groups: Vec<Group>) -> Self {
        let mut state = Self {
            subscribed_skus,
            subscriptions: Vec::new(),
            users,
            groups,
            user_lookup: HashMap::new(),
            group_lookup: HashMap::new(),
        };
        state.reindex();
        state
    }

    /// Rebuilds the id lookups and the groups' member lookups; call after adding or removing users
    /// or groups, or editing a group's `members` directly.
    pub fn reindex(&mut self) {
        self.user_lookup.clear();
        for (index, user) in self.users.iter().enumerate() {
            self.user_lookup
                .entry(user.id.to_ascii_lowercase())
                .or_insert(index);
            if !user.user_principal_name.is_empty() {
                self.user_lookup
                    .entry(user.user_principal_name.to_lowercase())
                    .or_insert(index);
            }
        }
        self.group_lookup.clear();
        for (index, group) in self.groups.iter_mut().enumerate() {
            group.reindex_members();
            self.group_lookup
                .entry(group.id.to_ascii_lowercase())
                .or_insert(index);
        }
    }

    /// Index of the user with this object id or user principal name (case-insensitive), as Graph's
    /// `/users/{id | userPrincipalName}` resolves it.
    pub fn user_index(&self, id_or_upn: &str) -> Option<usize> {
        self.user_lookup.get(&id_or_upn.to_lowercase()).copied()
    }

    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        self.user_index(id_or_upn).map(|index| &self.users[index])
    }

    pub fn user_mut(&mut self, id_or_upn: &str) -> Option<&mut User> {
        self.user_index(id_or_upn)
            .map(|index| &mut self.users[index])
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.group_lookup.get(&id.to_ascii_lowercase()).copied()
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.group_index(id).map(|index| &self.groups[index])
    }

    pub fn group_mut(&mut self, id: &str) -> Option<&mut Group> {
        self.group_index(id).map(|index| &mut self.groups[index])
    }
}

/// What `snapshot.json` says, when present.
#[derive(Debug, Default, Clone)]
pub struct SnapshotInfo {
    pub tenant_id: Option<String>,
}

/// Loads the tenant of a snapshot folder. Panics (this is test support) with a message naming the
/// file when a file is unreadable or not the documented shape; users are required.
pub fn load(snapshot: &Path) -> (TenantState, SnapshotInfo) {
    let skus = match read_optional(&snapshot.join("subscribedSkus.json")) {
        Some((path, text)) => objects_of(&path, collection(&path, &text)),
        None => Vec::new(),
    };
    let users = load_users(snapshot);
    let groups = match read_optional(&snapshot.join("groups.json")) {
        Some((path, text)) => objects_of(&path, collection(&path, &text))
            .into_iter()
            .enumerate()
            .map(|(index, properties)| group_from(&path, properties, index))
            .collect(),
        None => Vec::new(),
    };
    let info = match read_optional(&snapshot.join("snapshot.json")) {
        Some((path, text)) => {
            let value = parse_json(&path, &text);
            SnapshotInfo {
                tenant_id: value
                    .as_object()
                    .and_then(|object| get_ignore_case(object, "tenantId"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }
        }
        None => SnapshotInfo::default(),
    };
    let mut state = TenantState::new(skus, users, groups);
    if let Some((path, text)) = read_optional(&snapshot.join("subscriptions.json")) {
        state.subscriptions = objects_of(&path, collection(&path, &text));
    }
    (state, info)
}

/// Users from `users.json`, `users.jsonl` or `users/*.json` (in file name order), normalised
/// and compacted file by file (a whole tenant never sits in memory as `Value`s).
fn load_users(snapshot: &Path) -> Vec<User> {
    let mut users = Vec::new();
    let mut add = |path: &Path, values: Vec<Value>| {
        for properties in objects_of(path, values) {
            let number = users.len() + 1;
            users.push(User::from_properties(&properties).unwrap_or_else(|| {
                panic!(
                    "fake graph: {}: user #{number} has no string id",
                    path.display()
                )
            }));
        }
    };
    if let Some((path, text)) = read_optional(&snapshot.join("users.json")) {
        add(&path, collection(&path, &text));
        return users;
    }
    if let Some((path, text)) = read_optional(&snapshot.join("users.jsonl")) {
        let values = text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| parse_json(&path, line))
            .collect();
        add(&path, values);
        return users;
    }
    let folder = snapshot.join("users");
    let mut pages: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap_or_else(|error| {
            panic!(
                "fake graph: snapshot {} has no users.json, users.jsonl or users/ ({error})",
                snapshot.display()
            )
        })
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
        })
        .collect();
    pages.sort();
    for page in pages {
        let text = read_text(&page);
        add(&page, collection(&page, &text));
    }
    users
}

fn group_from(path: &Path, mut properties: Properties, index: usize) -> Group {
    let id = properties
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_else(|| {
            panic!(
                "fake graph: {}: group #{} has no string id",
                path.display(),
                index + 1
            )
        })
        .to_string();
    let members = match properties.remove("members") {
        Some(Value::Array(members)) => members
            .into_iter()
            .filter_map(|member| match member {
                Value::Object(member) => Some(member),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Group::new(id, properties, members)
}

/// Reads a file if it exists (BOM stripped).
fn read_optional(path: &Path) -> Option<(PathBuf, String)> {
    path.is_file()
        .then(|| (path.to_path_buf(), read_text(path)))
}

fn read_text(path: &Path) -> String {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("fake graph: cannot read {}: {error}", path.display()));
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

fn parse_json(path: &Path, text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("fake graph: {} is not JSON: {error}", path.display()))
}

/// The items of a Graph page (`{"value":[…]}`) or a JSON array.
fn collection(path: &Path, text: &str) -> Vec<Value> {
    match parse_json(path, text) {
        Value::Array(items) => items,
        Value::Object(mut object) => {
            let key = object
                .keys()
                .find(|key| key.eq_ignore_ascii_case("value"))
                .cloned();
            match key.and_then(|key| object.remove(&key)) {
                Some(Value::Array(items)) => items,
                _ => panic!(
                    "fake graph: {} is neither a JSON array nor a Graph page with a value array",
                    path.display()
                ),
            }
        }
        _ => panic!(
            "fake graph: {} is not a JSON array or object",
            path.display()
        ),
    }
}

/// Normalised objects (non-objects are a broken snapshot).
fn objects_of(path: &Path, values: Vec<Value>) -> Vec<Properties> {
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| match camel_case_keys(value) {
            Value::Object(object) => object,
            _ => panic!(
                "fake graph: {}: record #{} is not a JSON object",
                path.display(),
                index + 1
            ),
        })
        .collect()
}

/// Graph names properties in camelCase; the PowerShell SDK writes PascalCase. Lower-cases the
/// first letter of every object key, recursively (annotations such as `@odata.type` untouched).
pub fn camel_case_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| (camel_case(&key), camel_case_keys(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case_keys).collect()),
        other => other,
    }
}

fn camel_case(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() => {
            let mut name = String::with_capacity(key.len());
            name.push(first.to_ascii_lowercase());
            name.push_str(chars.as_str());
            name
        }
        _ => key.to_string(),
    }
}

fn get_ignore_case<'a>(object: &'a Properties, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}
