//! The `AuditData` JSON of one unified audit log record, in the shapes Microsoft writes.
//!
//! Power Apps launches come in two record shapes in the same export: the older
//! `Workload:"PowerApps"` records (RecordType 45) carry the app id as `AppName`; the newer
//! `Workload:"PowerPlatform"` records (RecordType 256) hide it in a `PropertyCollection` of
//! `{Name, Value}` pairs, whose order varies. Exports also hold unrelated operations
//! (`UserLoggedIn`, `FileAccessed`) and app management events. This module writes all of them into
//! a reused buffer, property by property in Microsoft's order, so that two million records cost no
//! per-record allocation beyond the buffer itself.

use std::fmt::Write as _;

use super::rng::{Guid, Rng};
use super::time;

/// Operations the synthetic audit log contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A user opened an app.
    LaunchPowerApp,
    /// A maker created an app.
    CreatePowerApp,
    /// A maker edited an app.
    EditPowerApp,
    /// A maker published an app.
    PublishPowerApp,
    /// A maker deleted an app.
    DeletePowerApp,
    /// An Entra sign-in.
    UserLoggedIn,
    /// A SharePoint file was opened.
    FileAccessed,
}

impl Operation {
    /// The `Operation` value.
    pub fn name(self) -> &'static str {
        match self {
            Operation::LaunchPowerApp => "LaunchPowerApp",
            Operation::CreatePowerApp => "CreatePowerApp",
            Operation::EditPowerApp => "EditPowerApp",
            Operation::PublishPowerApp => "PublishPowerApp",
            Operation::DeletePowerApp => "DeletePowerApp",
            Operation::UserLoggedIn => "UserLoggedIn",
            Operation::FileAccessed => "FileAccessed",
        }
    }
}

/// Which of the two Power Apps record shapes to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerAppsShape {
    /// `RecordType` 45, `Workload:"PowerApps"`, app id in `AppName`.
    Legacy,
    /// `RecordType` 256, `Workload:"PowerPlatform"`, app id in `PropertyCollection`.
    PowerPlatform,
}

/// Names of the record types, as `Search-UnifiedAuditLog` prints the `RecordType` column.
pub fn record_type_name(record_type: u16) -> &'static str {
    match record_type {
        6 => "SharePointFileOperation",
        15 => "AzureActiveDirectoryStsLogon",
        45 => "PowerAppsApp",
        256 => "PowerPlatformAdministratorActivity",
        _ => "Unknown",
    }
}

/// The app a Power Apps record refers to.
#[derive(Debug, Clone, Copy)]
pub struct AppRef<'a> {
    /// App GUID.
    pub id: Guid,
    /// Display name.
    pub display_name: &'a str,
    /// Environment name (GUID or `Default-<tenant>`).
    pub environment: &'a str,
}

/// The user a record is about.
#[derive(Debug, Clone, Copy)]
pub struct RecordUser<'a> {
    /// Entra object id.
    pub object_id: Guid,
    /// A Passport-style key (PUID) that a Power Apps record carries as `UserKey` instead of the
    /// object id; such a record has no `enduser.id`.
    pub puid: Option<u64>,
    /// The UPN as written inside `AuditData`.
    pub upn: &'a str,
    /// Client IP.
    pub ip: [u8; 4],
    /// Whether the user is a guest.
    pub guest: bool,
    /// Browser user agent.
    pub user_agent: &'a str,
}

/// Row-level facts of a record just written into the buffer.
#[derive(Debug, Clone, Copy)]
pub struct RecordHeader {
    /// `Id` (also Purview's `RecordId`).
    pub id: Guid,
    /// `RecordType`.
    pub record_type: u16,
    /// `Operation`.
    pub operation: Operation,
}

/// Writes JSON object members with commas in between.
struct JsonObject<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    fn open(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        push_json_string(self.out, key);
        self.out.push(':');
    }

    fn string(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        push_json_string(self.out, value);
        self
    }

    fn guid(&mut self, key: &str, value: Guid) -> &mut Self {
        self.key(key);
        self.out.push('"');
        value.push_to(self.out);
        self.out.push('"');
        self
    }

    /// `UserKey`: the PUID when the record carries one (16 uppercase hex digits, e.g.
    /// `10032001A2B3C4D5`), else the object id.
    fn user_key(&mut self, user: RecordUser<'_>) -> &mut Self {
        match user.puid {
            Some(puid) => {
                self.key("UserKey");
                let _ = write!(self.out, "\"{puid:016X}\"");
                self
            }
            None => self.guid("UserKey", user.object_id),
        }
    }

    fn raw(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        self.out.push_str(value);
        self
    }

    fn number(&mut self, key: &str, value: i64) -> &mut Self {
        self.key(key);
        let _ = write!(self.out, "{value}");
        self
    }

    fn time(&mut self, key: &str, at: i64) -> &mut Self {
        self.key(key);
        self.out.push('"');
        time::push_audit(self.out, at);
        self.out.push('"');
        self
    }

    fn ip(&mut self, key: &str, ip: [u8; 4]) -> &mut Self {
        self.key(key);
        let _ = write!(self.out, "\"{}.{}.{}.{}\"", ip[0], ip[1], ip[2], ip[3]);
        self
    }

    /// Starts a member whose value the caller writes into [`JsonObject::out`].
    fn nested(&mut self, key: &str) -> &mut String {
        self.key(key);
        self.out
    }

    fn close(&mut self) {
        self.out.push('}');
    }
}

/// Appends `text` as a JSON string literal.
pub fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    let needs_escape = text
        .bytes()
        .any(|byte| byte == b'"' || byte == b'\\' || byte < 0x20);
    if !needs_escape {
        out.push_str(text);
        out.push('"');
        return;
    }
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            control if u32::from(control) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(control));
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

/// Builds `AuditData` strings for one tenant.
pub struct RecordBuilder {
    tenant_id: Guid,
    sharepoint_host: String,
    /// The `AuditData` of the last record built.
    pub audit_data: String,
}

/// PropertyCollection entries of a PowerPlatform record.
#[derive(Clone, Copy)]
enum Property {
    AppId,
    AppDisplayName,
    EnvironmentId,
    ResourceType,
    ActivityName,
    PrincipalName,
    Role,
    UserAgent,
    TenantId,
    EndUserId,
    CorrelationId,
}

/// Orders in which PropertyCollection entries appear: the app id is not always first.
const PROPERTY_ORDERS: [&[Property]; 3] = [
    &[
        Property::AppId,
        Property::AppDisplayName,
        Property::EnvironmentId,
        Property::ResourceType,
        Property::ActivityName,
        Property::PrincipalName,
        Property::Role,
        Property::UserAgent,
    ],
    &[
        Property::ActivityName,
        Property::ResourceType,
        Property::AppDisplayName,
        Property::EnvironmentId,
        Property::AppId,
        Property::EndUserId,
        Property::PrincipalName,
        Property::Role,
        Property::UserAgent,
        Property::CorrelationId,
    ],
    &[
        Property::PrincipalName,
        Property::Role,
        Property::EndUserId,
        Property::UserAgent,
        Property::TenantId,
        Property::EnvironmentId,
        Property::AppDisplayName,
        Property::AppId,
        Property::ActivityName,
        Property::ResourceType,
        Property::CorrelationId,
    ],
];

impl RecordBuilder {
    /// A builder for a tenant; `sharepoint_host` is e.g. `contoso.sharepoint.com`.
    pub fn new(tenant_id: Guid, sharepoint_host: String) -> Self {
        Self {
            tenant_id,
            sharepoint_host,
            audit_data: String::with_capacity(2048),
        }
    }

    /// A Power Apps event (launch or app management) in either shape.
    pub fn power_app(
        &mut self,
        rng: &mut Rng,
        at: i64,
        operation: Operation,
        shape: PowerAppsShape,
        user: RecordUser<'_>,
        app: AppRef<'_>,
    ) -> RecordHeader {
        let id = rng.guid();
        let session = rng.guid();
        self.audit_data.clear();
        let tenant_id = self.tenant_id;
        let mut object = JsonObject::open(&mut self.audit_data);
        match shape {
            PowerAppsShape::Legacy => {
                object
                    .guid("Id", id)
                    .number("RecordType", 45)
                    .time("CreationTime", at)
                    .string("Operation", operation.name())
                    .guid("OrganizationId", tenant_id)
                    .number("UserType", 0)
                    .user_key(user)
                    .string("Workload", "PowerApps")
                    .string("ResultStatus", "Succeeded")
                    .guid("ObjectId", app.id)
                    .string("UserId", user.upn)
                    .ip("ClientIP", user.ip)
                    .guid("AppName", app.id)
                    .string("EnvironmentName", app.environment)
                    .guid("AppSessionId", session);
            }
            PowerAppsShape::PowerPlatform => {
                object
                    .guid("Id", id)
                    .number("RecordType", 256)
                    .time("CreationTime", at)
                    .string("Operation", operation.name())
                    .guid("OrganizationId", tenant_id)
                    .number("UserType", 2)
                    .user_key(user)
                    .string("UserId", user.upn)
                    .ip("ClientIP", user.ip)
                    .string("Workload", "PowerPlatform")
                    .string("ResultStatus", "Succeeded")
                    .number("Version", 1)
                    .string("EnvironmentId", app.environment)
                    .raw("RequiresCustomerKeyEncryption", "false");
                let order = PROPERTY_ORDERS[rng.index(PROPERTY_ORDERS.len())];
                let out = object.nested("PropertyCollection");
                out.push('[');
                let order = order.iter().filter(|property| {
                    user.puid.is_none() || !matches!(property, Property::EndUserId)
                });
                for (position, property) in order.enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    let mut entry = JsonObject::open(out);
                    match property {
                        Property::AppId => entry
                            .string("Name", "powerplatform.analytics.resource.power_app.id")
                            .guid("Value", app.id),
                        Property::AppDisplayName => entry
                            .string(
                                "Name",
                                "powerplatform.analytics.resource.power_app.display_name",
                            )
                            .string("Value", app.display_name),
                        Property::EnvironmentId => entry
                            .string("Name", "powerplatform.analytics.resource.environment.id")
                            .string("Value", app.environment),
                        Property::ResourceType => entry
                            .string("Name", "powerplatform.analytics.resource.type")
                            .string("Value", "PowerApp"),
                        Property::ActivityName => entry
                            .string("Name", "powerplatform.analytics.activity.name")
                            .string("Value", operation.name()),
                        Property::PrincipalName => entry
                            .string("Name", "enduser.principal_name")
                            .string("Value", user.upn),
                        Property::Role => entry
                            .string("Name", "enduser.role")
                            .string("Value", if user.guest { "Guest" } else { "Member" }),
                        Property::UserAgent => entry
                            .string("Name", "user_agent.original")
                            .string("Value", user.user_agent),
                        Property::TenantId => entry
                            .string("Name", "powerplatform.analytics.resource.tenant.id")
                            .guid("Value", tenant_id),
                        Property::EndUserId => entry
                            .string("Name", "enduser.id")
                            .guid("Value", user.object_id),
                        Property::CorrelationId => entry
                            .string("Name", "powerplatform.analytics.correlation.id")
                            .guid("Value", session),
                    };
                    entry.close();
                }
                out.push(']');
            }
        }
        object.close();
        RecordHeader {
            id,
            record_type: match shape {
                PowerAppsShape::Legacy => 45,
                PowerAppsShape::PowerPlatform => 256,
            },
            operation,
        }
    }

    /// An Entra ID sign-in record.
    pub fn user_logged_in(&mut self, rng: &mut Rng, at: i64, user: RecordUser<'_>) -> RecordHeader {
        let id = rng.guid();
        let inter_system = rng.guid();
        let intra_system = rng.guid();
        self.audit_data.clear();
        let tenant_id = self.tenant_id;
        let mut object = JsonObject::open(&mut self.audit_data);
        object
            .time("CreationTime", at)
            .guid("Id", id)
            .string("Operation", "UserLoggedIn")
            .guid("OrganizationId", tenant_id)
            .number("RecordType", 15)
            .string("ResultStatus", "Success")
            .guid("UserKey", user.object_id)
            .number("UserType", 0)
            .number("Version", 1)
            .string("Workload", "AzureActiveDirectory")
            .ip("ClientIP", user.ip)
            .string("ObjectId", "00000003-0000-0ff1-ce00-000000000000")
            .string("UserId", user.upn)
            .number("AzureActiveDirectoryEventType", 1);
        let out = object.nested("ExtendedProperties");
        out.push('[');
        JsonObject::open(out)
            .string("Name", "ResultStatusDetail")
            .string("Value", "Redirect")
            .close();
        out.push(',');
        JsonObject::open(out)
            .string("Name", "UserAgent")
            .string("Value", user.user_agent)
            .close();
        out.push(',');
        JsonObject::open(out)
            .string("Name", "RequestType")
            .string("Value", "OAuth2:Authorize")
            .close();
        out.push(']');
        object
            .raw("ModifiedProperties", "[]")
            .guid("ActorContextId", tenant_id)
            .guid("InterSystemsId", inter_system)
            .guid("IntraSystemId", intra_system)
            .guid("TargetContextId", tenant_id)
            .string("ErrorNumber", "0")
            .close();
        RecordHeader {
            id,
            record_type: 15,
            operation: Operation::UserLoggedIn,
        }
    }

    /// A SharePoint file access record.
    pub fn file_accessed(
        &mut self,
        rng: &mut Rng,
        at: i64,
        user: RecordUser<'_>,
        site: &str,
        file_name: &str,
    ) -> RecordHeader {
        let id = rng.guid();
        let correlation = rng.guid();
        self.audit_data.clear();
        let tenant_id = self.tenant_id;
        let site_url = format!("https://{}/sites/{site}/", self.sharepoint_host);
        let extension = file_name.rsplit('.').next().unwrap_or_default();
        let mut object = JsonObject::open(&mut self.audit_data);
        object
            .time("CreationTime", at)
            .guid("Id", id)
            .string("Operation", "FileAccessed")
            .guid("OrganizationId", tenant_id)
            .number("RecordType", 6)
            .string(
                "UserKey",
                &format!("i:0h.f|membership|{}@live.com", user.object_id),
            )
            .number("UserType", 0)
            .number("Version", 1)
            .string("Workload", "SharePoint")
            .ip("ClientIP", user.ip)
            .string(
                "ObjectId",
                &format!("{site_url}Shared Documents/{file_name}"),
            )
            .string("UserId", user.upn)
            .guid("CorrelationId", correlation)
            .string("EventSource", "SharePoint")
            .string("ItemType", "File")
            .string("UserAgent", user.user_agent)
            .string("SiteUrl", &site_url)
            .string("SourceFileExtension", extension)
            .string("SourceFileName", file_name)
            .string("SourceRelativeUrl", "Shared Documents")
            .close();
        RecordHeader {
            id,
            record_type: 6,
            operation: Operation::FileAccessed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped_only_when_needed() {
        let mut out = String::new();
        push_json_string(&mut out, "Expense Tracker");
        push_json_string(&mut out, "\"Quick\" Quote\\Builder\n");
        assert_eq!(out, r#""Expense Tracker""\"Quick\" Quote\\Builder\n""#);
    }

    #[test]
    fn both_launch_shapes_carry_the_app_id() {
        let mut rng = Rng::stream(5, "record");
        let tenant = rng.guid();
        let app_id = rng.guid();
        let mut builder = RecordBuilder::new(tenant, "contoso.sharepoint.com".to_string());
        let user = RecordUser {
            object_id: rng.guid(),
            puid: None,
            upn: "ada@contoso.com",
            ip: [20, 190, 1, 2],
            guest: false,
            user_agent: "Mozilla/5.0",
        };
        let app = AppRef {
            id: app_id,
            display_name: "Budget Planner, \"FY27\"",
            environment: "Default-x",
        };
        for shape in [PowerAppsShape::Legacy, PowerAppsShape::PowerPlatform] {
            let header =
                builder.power_app(&mut rng, 0, Operation::LaunchPowerApp, shape, user, app);
            let data: serde_json::Value = serde_json::from_str(&builder.audit_data)
                .unwrap_or_else(|error| panic!("{error}: {}", builder.audit_data));
            assert_eq!(data["Id"], header.id.to_string());
            assert_eq!(data["CreationTime"], "1970-01-01T00:00:00");
            assert_eq!(data["RecordType"], u64::from(header.record_type));
            let found = match shape {
                PowerAppsShape::Legacy => data["AppName"].clone(),
                PowerAppsShape::PowerPlatform => data["PropertyCollection"]
                    .as_array()
                    .and_then(|entries| {
                        entries.iter().find(|entry| {
                            entry["Name"] == "powerplatform.analytics.resource.power_app.id"
                        })
                    })
                    .map(|entry| entry["Value"].clone())
                    .unwrap_or_default(),
            };
            assert_eq!(found, app_id.to_string());
        }
        // A PUID-keyed launch carries the PUID as UserKey and no enduser.id.
        let keyed = RecordUser {
            puid: Some(0x1003_2001_A2B3_C4D5),
            ..user
        };
        for shape in [PowerAppsShape::Legacy, PowerAppsShape::PowerPlatform] {
            for _ in 0..8 {
                builder.power_app(&mut rng, 0, Operation::LaunchPowerApp, shape, keyed, app);
                let data: serde_json::Value =
                    serde_json::from_str(&builder.audit_data).unwrap_or_default();
                assert_eq!(data["UserKey"], "10032001A2B3C4D5");
                assert!(!builder.audit_data.contains("enduser.id"));
                assert!(!builder.audit_data.contains(&user.object_id.to_string()));
            }
        }
        builder.user_logged_in(&mut rng, 0, user);
        let data: serde_json::Value = serde_json::from_str(&builder.audit_data).unwrap_or_default();
        assert_eq!(data["Operation"], "UserLoggedIn");
        builder.file_accessed(&mut rng, 0, user, "Finance", "Budget.xlsx");
        let data: serde_json::Value = serde_json::from_str(&builder.audit_data).unwrap_or_default();
        assert_eq!(data["SourceFileExtension"], "xlsx");
    }
}
