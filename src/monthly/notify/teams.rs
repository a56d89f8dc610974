//! The Teams Workflows webhook payload: a message with one Adaptive Card (version 1.4):
//! `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
//! "content":{…}}]}`. TextBlocks and facts render a markdown subset, so text from the tenant
//! or the run is escaped (see [`escape`]): markdown markers get a backslash, and `<`, `>`,
//! `&` become entities, so a name cannot become a link, emphasis or a list.

use super::{changes_line, crossed_line, facts, headline};
use crate::monthly::run::{MonthlyResult, RunStatus};
use serde_json::{Value, json};

const CARD_SCHEMA: &str = "http://adaptivecards.io/schemas/adaptive-card.json";
const CARD_VERSION: &str = "1.4";
const CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// Escapes `text` for an Adaptive Card TextBlock or Fact (markdown subset): emphasis, code,
/// link brackets and backslashes anywhere; list and heading markers (`-`, `+`, `#`, `1.`)
/// at the start of a line; `<`, `>`, `&` as entities. Other punctuation stays as written, so
/// dates and amounts read plainly.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            escaped.push('\n');
        }
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        for (position, character) in line.chars().enumerate() {
            let line_start = position == 0 && matches!(character, '-' | '+' | '#');
            let ordered_list = digits > 0 && position == digits && character == '.';
            match character {
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '&' => escaped.push_str("&amp;"),
                '\\' | '*' | '_' | '[' | ']' | '`' | '~' => {
                    escaped.push('\\');
                    escaped.push(character);
                }
                _ if line_start || ordered_list => {
                    escaped.push('\\');
                    escaped.push(character);
                }
                other => escaped.push(other),
            }
        }
    }
    escaped
}

fn text_block(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "wrap": true})
}

pub fn payload(result: &MonthlyResult) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock",
        "text": escape(&headline(result)),
        "weight": "Bolder",
        "size": "Medium",
        "wrap": true,
        "color": match result.status {
            RunStatus::Ok | RunStatus::Skipped => "Good",
            RunStatus::ThresholdsCrossed => "Warning",
            RunStatus::Failed => "Attention",
        }
    })];
    let facts: Vec<Value> = facts(result)
        .into_iter()
        .map(|(title, value)| json!({"title": escape(&title), "value": escape(&value)}))
        .collect();
    if !facts.is_empty() {
        body.push(json!({"type": "FactSet", "facts": facts}));
    }
    if let Some(line) = changes_line(result) {
        body.push(text_block(&escape(&line)));
    }
    if let Some(line) = crossed_line(result) {
        let mut block = text_block(&escape(&line));
        block["color"] = json!("Warning");
        body.push(block);
    }
    if let Some(error) = &result.error {
        let mut block = text_block(&format!("The run failed: {}", escape(error)));
        block["color"] = json!("Attention");
        body.push(block);
    }
    if let Some(audit) = &result.audit {
        let mut block = text_block(&format!("Audit folder: {}", escape(audit)));
        block["isSubtle"] = json!(true);
        block["size"] = json!("Small");
        body.push(block);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": CONTENT_TYPE,
            "contentUrl": null,
            "content": {
                "$schema": CARD_SCHEMA,
                "type": "AdaptiveCard",
                "version": CARD_VERSION,
                "body": body
            }
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown() {
        assert_eq!(escape("**[x](http://e)**"), r"\*\*\[x\](http://e)\*\*");
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(
            escape("- item\n1. first\n# title\n> quote"),
            "\\- item\n1\\. first\n\\# title\n&gt; quote"
        );
        assert_eq!(escape("2026-11: 1,169.00"), "2026-11: 1,169.00");
    }

    #[test]
    fn the_card_has_the_shape_teams_expects() {
        let payload = payload(&MonthlyResult::started(Some("contoso".to_string())));
        assert_eq!(payload["type"], "message");
        assert_eq!(payload["attachments"][0]["contentType"], CONTENT_TYPE);
        assert_eq!(payload["attachments"][0]["content"]["type"], "AdaptiveCard");
        assert_eq!(payload["attachments"][0]["content"]["version"], "1.4");
    }
}
