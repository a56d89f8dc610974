//! The synthetic Power Apps inventory and its `apps.csv`.
//!
//! Premium use is decided by joining audit launches to the inventory's four premium flags, so
//! the inventory must be realistic in the ways that matter: about a third of the apps premium
//! (each flag occurring on its own at least once, including an app that is premium only because
//! a code component calls an external service), Zipf-like popularity, several environments
//! including the tenant's default one, display names with a comma and a double quote, and apps
//! deleted since (launched in the audit log but absent from `apps.csv`). The file is written the
//! way `Get-AdminPowerApp | Select ... | Export-Csv -NoTypeInformation` writes it: every field
//! quoted, CRLF line ends, `True`/`False`.

use std::path::Path;

use super::GenerateError;
use super::names::{APP_NAME_QUALIFIERS, APP_NAMES};
use super::output::CsvFile;
use super::rng::{Guid, Rng, ZipfTable, quota};

/// One Power App.
#[derive(Debug, Clone)]
pub struct App {
    /// `AppName`: the app's GUID.
    pub id: Guid,
    /// `DisplayName`.
    pub display_name: String,
    /// Index into [`Inventory::environments`].
    pub environment: usize,
    /// `UsesPremiumApi`.
    pub uses_premium_api: bool,
    /// `UsesCustomApi`.
    pub uses_custom_api: bool,
    /// `UsesOnPremiseGateway`.
    pub uses_gateway: bool,
    /// `UsesPcfExternalServiceUsage`: a code component that calls an external service.
    pub uses_pcf_external: bool,
}

impl App {
    /// SPEC §1: an app is premium when any of the four flags is set.
    pub fn is_premium(&self) -> bool {
        self.uses_premium_api || self.uses_custom_api || self.uses_gateway || self.uses_pcf_external
    }

    /// Premium only through its code component's external service use.
    pub fn is_premium_only_through_pcf(&self) -> bool {
        self.uses_pcf_external
            && !(self.uses_premium_api || self.uses_custom_api || self.uses_gateway)
    }
}

/// An app deleted before the snapshot: it still appears in older audit records.
#[derive(Debug, Clone)]
pub struct DeletedApp {
    /// The app as it was.
    pub app: App,
    /// The day (since the epoch) it was deleted; it has no launches from that day on.
    pub deleted_day: i64,
}

/// The tenant's apps, live and deleted, with their popularity order.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// Environment names (`Default-<tenant id>` first, then environment GUIDs).
    pub environments: Vec<String>,
    /// Live apps, in `apps.csv` order.
    pub apps: Vec<App>,
    /// Deleted apps.
    pub deleted: Vec<DeletedApp>,
    /// Live premium apps (indices into `apps`), most popular first.
    pub premium_by_popularity: Vec<usize>,
    /// Live standard apps (indices into `apps`), most popular first.
    pub standard_by_popularity: Vec<usize>,
    /// Popularity law over `premium_by_popularity`.
    pub premium_popularity: ZipfTable,
    /// Popularity law over `standard_by_popularity`.
    pub standard_popularity: ZipfTable,
}

impl Inventory {
    /// The first live app that is premium only through `UsesPcfExternalServiceUsage`.
    pub fn pcf_only_app(&self) -> Option<usize> {
        self.apps.iter().position(App::is_premium_only_through_pcf)
    }
}

/// How many live apps a tenant of `users` users has: about 30 for a small tenant, a few hundred
/// for a large one.
fn live_app_count(users: usize) -> usize {
    (30 + users / 500).min(400)
}

/// Unique display names: the base list first (the comma and quote names always included), then
/// qualified variants.
fn display_names(count: usize, rng: &mut Rng) -> Vec<String> {
    let mut base: Vec<&str> = APP_NAMES.to_vec();
    rng.shuffle(&mut base);
    // Keep the two names that test CSV and JSON escaping in every tenant.
    base.sort_by_key(|name| !(name.contains(',') || name.contains('"')));
    let mut names: Vec<String> = base.iter().map(|name| (*name).to_string()).collect();
    'qualified: for qualifier in APP_NAME_QUALIFIERS {
        for name in &base {
            if names.len() >= count {
                break 'qualified;
            }
            names.push(format!("{name} ({qualifier})"));
        }
    }
    let mut serial = 2;
    while names.len() < count {
        names.push(format!("{} {serial}", rng.pick(APP_NAMES)));
        serial += 1;
    }
    names.truncate(count);
    names
}

/// Builds the inventory of a tenant with `users` users.
pub fn build_inventory(tenant_id: Guid, users: usize, as_of_day: i64, rng: &mut Rng) -> Inventory {
    let mut environments = vec![format!("Default-{tenant_id}")];
    environments.extend((0..3).map(|_| rng.guid().to_string()));

    let live_count = live_app_count(users);
    let deleted_count = quota(live_count, 0.1, 3);
    let mut names = display_names(live_count + deleted_count, rng);
    let deleted_names = names.split_off(live_count);
    rng.shuffle(&mut names);

    let mut apps: Vec<App> = names
        .into_iter()
        .map(|display_name| standard_app(display_name, environments.len(), rng))
        .collect();
    let premium_count = quota(live_count, 1.0 / 3.0, 4);
    let mut order: Vec<usize> = (0..apps.len()).collect();
    rng.shuffle(&mut order);
    for (rank, &index) in order.iter().take(premium_count).enumerate() {
        let app = &mut apps[index];
        match rank {
            0 => app.uses_premium_api = true,
            1 => app.uses_custom_api = true,
            2 => app.uses_gateway = true,
            3 => app.uses_pcf_external = true,
            _ => {
                app.uses_premium_api = rng.chance(0.8);
                app.uses_custom_api = rng.chance(0.3);
                app.uses_gateway = rng.chance(0.1);
                app.uses_pcf_external = rng.chance(0.05);
                if !app.is_premium() {
                    app.uses_premium_api = true;
                }
            }
        }
    }

    let deleted = deleted_names
        .into_iter()
        .enumerate()
        .map(|(rank, display_name)| {
            let mut app = standard_app(display_name, environments.len(), rng);
            app.uses_premium_api = rng.chance(0.4);
            // The first one was deleted recently, so some of its launches fall in the window.
            let days_ago = if rank == 0 { 10 } else { rng.between(5, 170) };
            DeletedApp {
                app,
                deleted_day: as_of_day - days_ago,
            }
        })
        .collect();

    let mut premium_by_popularity: Vec<usize> = (0..apps.len())
        .filter(|&index| apps[index].is_premium())
        .collect();
    let mut standard_by_popularity: Vec<usize> = (0..apps.len())
        .filter(|&index| !apps[index].is_premium())
        .collect();
    rng.shuffle(&mut premium_by_popularity);
    rng.shuffle(&mut standard_by_popularity);
    Inventory {
        environments,
        premium_popularity: ZipfTable::new(premium_by_popularity.len(), 1.05),
        standard_popularity: ZipfTable::new(standard_by_popularity.len(), 1.05),
        apps,
        deleted,
        premium_by_popularity,
        standard_by_popularity,
    }
}

fn standard_app(display_name: String, environment_count: usize, rng: &mut Rng) -> App {
    let environment = if rng.chance(0.55) {
        0
    } else {
        1 + rng.index(environment_count.saturating_sub(1))
    };
    App {
        id: rng.guid(),
        display_name,
        environment,
        uses_premium_api: false,
        uses_custom_api: false,
        uses_gateway: false,
        uses_pcf_external: false,
    }
}

fn power_shell_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// Writes `apps.csv` as `Export-Csv -NoTypeInformation` would.
pub fn write_apps_csv(path: &Path, inventory: &Inventory) -> Result<(), GenerateError> {
    let mut file = CsvFile::create_quoted(path)?;
    file.write_record([
        "AppName",
        "DisplayName",
        "EnvironmentName",
        "UsesPremiumApi",
        "UsesCustomApi",
        "UsesOnPremiseGateway",
        "UsesPcfExternalServiceUsage",
    ])?;
    for app in &inventory.apps {
        let id = app.id.to_string();
        let environment = inventory
            .environments
            .get(app.environment)
            .map_or("", String::as_str);
        file.write_record([
            id.as_str(),
            app.display_name.as_str(),
            environment,
            power_shell_bool(app.uses_premium_api),
            power_shell_bool(app.uses_custom_api),
            power_shell_bool(app.uses_gateway),
            power_shell_bool(app.uses_pcf_external),
        ])?;
    }
    file.finish()
}
