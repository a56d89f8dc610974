//! `plan.ps1` never runs tenant text. Plans whose every value (UPNs, display and group names,
//! ids, SKU part numbers, reasons, notes, dates, even the plan's own header fields) is a
//! hostile string are rendered for every mechanism and read back with the independent
//! tokenizer in [`crate::ps_tokens`]:
//!
//! - the script has the same lines of code as for plain values, token for token, so no value
//!   adds a command, a statement, a comment end or an expansion;
//! - every literal reads back as exactly the value put in (after the documented rendering of
//!   hidden characters), and every comment holds exactly the value's comment form;
//! - nothing is double-quoted and only the template's own variables and commands appear.

use crate::hostile;
use crate::ps_tokens::{self, Kind, Line};
use seatwise::act::emit::powershell;
use seatwise::act::{Action, Mechanism, Plan};
use seatwise::contract::plan::{ObservedState, PlanSource, SCHEMA};
use seatwise::money::Money;

/// Variables the template uses.
const KNOWN_VARIABLES: [&str; 5] = [
    "$true",
    "$ErrorActionPreference",
    "$failures",
    "$PSCmdlet",
    "$_",
];

/// Commands and keywords the template starts statements with.
const KNOWN_COMMANDS: [&str; 13] = [
    "param",
    "Connect-MgGraph",
    "try",
    "if",
    "Set-MgUserLicense",
    "Set-MgGroupLicense",
    "Remove-MgGroupMemberByRef",
    "New-MgGroupMember",
    "Out-Null",
    "Write-Host",
    "Write-Warning",
    "Format-Table",
    "exit",
];

/// Every text field of a plan, each with the plain value that marks where it lands.
#[derive(Clone, Copy)]
enum Field {
    Id,
    UserId,
    Upn,
    GroupId,
    GroupName,
    SkuId,
    SkuPart,
    DisabledPlan,
    Reason,
    Note,
    NotBefore,
    Strategy,
    PlannedOn,
    Currency,
    Hash,
}

const FIELDS: [Field; 15] = [
    Field::Id,
    Field::UserId,
    Field::Upn,
    Field::GroupId,
    Field::GroupName,
    Field::SkuId,
    Field::SkuPart,
    Field::DisabledPlan,
    Field::Reason,
    Field::Note,
    Field::NotBefore,
    Field::Strategy,
    Field::PlannedOn,
    Field::Currency,
    Field::Hash,
];

impl Field {
    /// A plain value found nowhere else in the script.
    fn marker(self) -> &'static str {
        match self {
            Field::Id => "zIdz",
            Field::UserId => "zUserIdz",
            Field::Upn => "zUpnz",
            Field::GroupId => "zGroupIdz",
            Field::GroupName => "zGroupNamez",
            Field::SkuId => "zSkuIdz",
            Field::SkuPart => "zSkuPartz",
            Field::DisabledPlan => "zDisabledPlanz",
            Field::Reason => "zReasonz",
            Field::Note => "zNotez",
            Field::NotBefore => "zNotBeforez",
            Field::Strategy => "zStrategyz",
            Field::PlannedOn => "zPlannedOnz",
            Field::Currency => "zCurrencyz",
            Field::Hash => "zHashz",
        }
    }
}

/// The value of each field: its marker, or one hostile string everywhere.
#[derive(Clone, Copy)]
enum Values {
    Plain,
    Hostile(&'static str),
}

impl Values {
    fn of(self, field: Field) -> String {
        match self {
            Values::Plain => field.marker().to_string(),
            Values::Hostile(text) => text.to_string(),
        }
    }
}

/// An action with every field filled.
fn action(values: Values, mechanism: Mechanism) -> Action {
    Action {
        id: values.of(Field::Id),
        mechanism,
        user_id: Some(values.of(Field::UserId)),
        user_principal_name: Some(values.of(Field::Upn)),
        group_id: Some(values.of(Field::GroupId)),
        group_display_name: Some(values.of(Field::GroupName)),
        sku_id: values.of(Field::SkuId),
        sku_part_number: values.of(Field::SkuPart),
        disabled_plans: Vec::new(),
        reason: values.of(Field::Reason),
        observed: ObservedState::default(),
        monthly_amount: Money(12_500_000),
        together_with: Vec::new(),
        depends_on: Vec::new(),
        frees: Vec::new(),
        also_removes: Vec::new(),
        also_grants: Vec::new(),
        group_licenses: Vec::new(),
        not_before: Some(values.of(Field::NotBefore)),
        note: Some(values.of(Field::Note)),
    }
}

/// Every mechanism, and the variants that change which value the script shows: group actions
/// without a user, a group without a display name, disabled plans, a manual action without a
/// user or note.
fn actions(values: Values) -> Vec<Action> {
    let mut actions: Vec<Action> = [
        Mechanism::RemoveDirect,
        Mechanism::RemoveFromGroup,
        Mechanism::AssignDirect,
        Mechanism::AddToGroup,
        Mechanism::AssignToGroup,
        Mechanism::RemoveGroupLicense,
        Mechanism::Manual,
    ]
    .into_iter()
    .map(|mechanism| action(values, mechanism))
    .collect();

    let mut with_plans = action(values, Mechanism::AssignDirect);
    with_plans.disabled_plans = vec![values.of(Field::DisabledPlan); 2];
    actions.push(with_plans);
    for mechanism in [
        Mechanism::AssignToGroup,
        Mechanism::RemoveGroupLicense,
        Mechanism::Manual,
    ] {
        let mut group_only = action(values, mechanism);
        group_only.user_id = None;
        group_only.user_principal_name = None;
        group_only.not_before = None;
        actions.push(group_only);
    }
    for mechanism in [Mechanism::RemoveFromGroup, Mechanism::AddToGroup] {
        let mut unnamed = action(values, mechanism);
        unnamed.group_display_name = None;
        actions.push(unnamed);
    }
    let mut bare = action(values, Mechanism::Manual);
    bare.user_principal_name = None;
    bare.group_display_name = None;
    bare.note = None;
    actions.push(bare);
    let mut anonymous = action(values, Mechanism::RemoveGroupLicense);
    anonymous.user_principal_name = None;
    anonymous.group_display_name = None;
    anonymous.group_id = None;
    actions.push(anonymous);
    actions
}

fn plan(values: Values) -> Plan {
    Plan {
        schema: SCHEMA.into(),
        strategy: values.of(Field::Strategy),
        planned_on: values.of(Field::PlannedOn),
        currency: values.of(Field::Currency),
        source: PlanSource::default(),
        required_approvals: 1,
        actions: actions(values),
        skipped: Vec::new(),
        total_monthly_amount: Money(100_000_000),
        signatures: None,
        content_hash: values.of(Field::Hash),
    }
}

/// The documented rendering of characters a reader should see as code points: control
/// characters (C0 except tab, DEL, C1), U+2028, U+2029 and the bidirectional controls.
fn shown_as_code_point(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// What a literal holding `value` reads back as.
fn literal_form(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if shown_as_code_point(c) {
                format!("U+{:04X}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// What a `#` comment holding `value` shows: line breaks as spaces, other hidden characters
/// as code points.
fn comment_form(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => " ".to_string(),
            c => literal_form(&c.to_string()),
        })
        .collect()
}

/// What the `<# … #>` header shows for `value`.
fn block_form(value: &str) -> String {
    comment_form(value).replace("#>", "# >")
}

/// `plain` with every field's marker replaced by `form(hostile)`.
fn substituted(plain: &str, hostile: &str, form: fn(&str) -> String) -> String {
    let replacement = form(hostile);
    FIELDS.iter().fold(plain.to_string(), |text, field| {
        text.replace(field.marker(), &replacement)
    })
}

fn render(values: Values) -> (String, Vec<Line>) {
    let script = powershell::render(&plan(values));
    let lines = ps_tokens::lines(&script).unwrap_or_else(|error| panic!("{error}\n{script}"));
    (script, lines)
}

fn skeletons(lines: &[Line]) -> Vec<&str> {
    lines.iter().map(|line| line.skeleton.as_str()).collect()
}

/// No double quotes, no `$(`, no escapes outside literals, and only the template's variables
/// and commands.
fn assert_template_only(lines: &[Line], context: &str) {
    for line in lines {
        assert_eq!(line.double_quoted, 0, "{context}: line {}", line.number);
        for expansion in &line.expansions {
            assert!(
                KNOWN_VARIABLES.contains(&expansion.as_str()),
                "{context}: line {} evaluates {expansion:?}",
                line.number
            );
        }
        for command in &line.commands {
            assert!(
                KNOWN_COMMANDS.contains(&command.as_str()),
                "{context}: line {} runs {command:?}",
                line.number
            );
        }
        assert!(
            line.tokens.iter().all(|token| token.kind != Kind::Escape),
            "{context}: line {} has a backtick escape",
            line.number
        );
    }
}

#[test]
fn the_plain_script_uses_only_its_template() {
    let (script, lines) = render(Values::Plain);
    assert!(script.starts_with('\u{feff}'), "the script carries a BOM");
    assert_template_only(&lines, "plain");
    // Each value meant for a cmdlet or ShouldProcess has a literal of its own.
    let literals: Vec<&str> = lines
        .iter()
        .flat_map(|line| line.literals.iter().map(|(_, value)| value.as_str()))
        .collect();
    for field in [
        Field::Id,
        Field::UserId,
        Field::Upn,
        Field::GroupId,
        Field::GroupName,
        Field::SkuId,
        Field::DisabledPlan,
    ] {
        assert!(
            literals.contains(&field.marker()),
            "{} has no literal of its own",
            field.marker()
        );
    }
    // And every other value is inside some literal or comment.
    for field in FIELDS {
        let in_literal = literals.iter().any(|value| value.contains(field.marker()));
        let in_comment = lines.iter().any(|line| {
            line.comments
                .iter()
                .any(|text| text.contains(field.marker()))
        });
        assert!(in_literal || in_comment, "{} is not shown", field.marker());
    }
}

#[test]
fn hostile_values_never_change_the_script_structure() {
    let (_, plain) = render(Values::Plain);
    for hostile in hostile::corpus() {
        let (script, lines) = render(Values::Hostile(hostile));
        let context = format!("value {hostile:?}");
        assert_eq!(
            skeletons(&lines),
            skeletons(&plain),
            "{context}: the lines of code differ\n{script}"
        );
        assert_template_only(&lines, &context);
        for (line, plain_line) in lines.iter().zip(&plain) {
            assert_eq!(
                line.commands, plain_line.commands,
                "{context}: line {}",
                line.number
            );
            assert_eq!(
                line.expansions, plain_line.expansions,
                "{context}: line {}",
                line.number
            );
        }
    }
}

#[test]
fn hostile_values_read_back_exactly_from_their_literals() {
    let (_, plain) = render(Values::Plain);
    for hostile in hostile::corpus() {
        let (_, lines) = render(Values::Hostile(hostile));
        for (line, plain_line) in lines.iter().zip(&plain) {
            let values: Vec<&str> = line.literals.iter().map(|(_, v)| v.as_str()).collect();
            let expected: Vec<String> = plain_line
                .literals
                .iter()
                .map(|(_, value)| substituted(value, hostile, literal_form))
                .collect();
            assert_eq!(
                values, expected,
                "value {hostile:?}: line {} reads back differently",
                line.number
            );
        }
    }
}

#[test]
fn hostile_values_stay_inside_their_comments() {
    let (_, plain) = render(Values::Plain);
    for hostile in hostile::corpus() {
        let (_, lines) = render(Values::Hostile(hostile));
        for (line, plain_line) in lines.iter().zip(&plain) {
            let expected: Vec<String> = plain_line
                .comments
                .iter()
                .map(|text| {
                    if text.starts_with("<#") {
                        substituted(text, hostile, block_form)
                    } else {
                        substituted(text, hostile, comment_form)
                    }
                })
                .collect();
            assert_eq!(
                line.comments, expected,
                "value {hostile:?}: line {} comments differ",
                line.number
            );
        }
    }
}

#[test]
fn a_value_that_is_exactly_a_literal_reads_back_as_itself() {
    // The ShouldProcess target and the failure's Target are the UPN alone.
    for hostile in hostile::corpus() {
        let (_, lines) = render(Values::Hostile(hostile));
        let expected = literal_form(hostile);
        let whole = lines
            .iter()
            .flat_map(|line| &line.literals)
            .filter(|(_, value)| *value == expected)
            .count();
        assert!(whole > 0, "value {hostile:?} has no literal of its own");
    }
}

#[test]
fn the_pinned_reclaim_script_uses_only_its_template() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/reclaim/plan.ps1");
    let script = std::fs::read_to_string(&path).expect("golden plan.ps1");
    assert!(script.starts_with('\u{feff}'), "the script carries a BOM");
    let lines = ps_tokens::lines(&script).unwrap_or_else(|error| panic!("{error}"));
    assert_template_only(&lines, "reclaim golden");
    let manual = lines
        .iter()
        .find(|line| line.commands == ["Write-Host"])
        .expect("the manual action's instruction");
    assert!(
        manual.literals[0].1.contains("the user's attributes"),
        "{:?}",
        manual.literals
    );
}
