//! The Slack incoming-webhook payload: `{"text": …, "blocks": […]}`. `text` is the fallback
//! shown in notifications; the blocks hold the headline, the figures, the changes since the
//! previous month and any error. Text from the tenant or the run goes into `mrkdwn` only
//! escaped (`&`, `<`, `>`, as Slack asks), so a name cannot become a link or a mention.

use super::{changes_line, crossed_line, facts, headline};
use crate::monthly::run::MonthlyResult;
use serde_json::{Value, json};

/// Slack caps a header's text at 150 characters and a section's at 3000.
const HEADER_LIMIT: usize = 150;
const SECTION_LIMIT: usize = 3000;

/// Escapes `text` for Slack `mrkdwn`.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_LIMIT)}})
}

pub fn payload(result: &MonthlyResult) -> Value {
    let title = headline(result);
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": cut(&title, HEADER_LIMIT)}
    })];
    let fields: Vec<Value> = facts(result)
        .into_iter()
        .take(10)
        .map(|(label, value)| {
            json!({"type": "mrkdwn", "text": format!("*{}*\n{}", escape(&label), escape(&value))})
        })
        .collect();
    if !fields.is_empty() {
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    if let Some(line) = changes_line(result) {
        blocks.push(section(&escape(&line)));
    }
    if let Some(line) = crossed_line(result) {
        blocks.push(section(&format!(":warning: {}", escape(&line))));
    }
    if let Some(error) = &result.error {
        blocks.push(section(&format!(
            "*The run failed*\n```{}```",
            escape(error)
        )));
    }
    if let Some(audit) = &result.audit {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": cut(&format!("Audit folder: {}", escape(audit)), SECTION_LIMIT)}]
        }));
    }
    json!({"text": escape(&title), "blocks": blocks})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_slack_reads_as_markup() {
        assert_eq!(
            escape("<!channel> & <@U1|x>"),
            "&lt;!channel&gt; &amp; &lt;@U1|x&gt;"
        );
    }

    #[test]
    fn a_failed_run_carries_its_error_escaped() {
        let mut result = MonthlyResult::started(Some("contoso <evil>".to_string()));
        result.status = crate::monthly::run::RunStatus::Failed;
        result.error = Some("certificate expired <2026-11-30>".to_string());
        let payload = payload(&result);
        let text = payload.to_string();
        assert!(text.contains("contoso &lt;evil&gt;"), "{text}");
        assert!(
            text.contains("certificate expired &lt;2026-11-30&gt;"),
            "{text}"
        );
        assert!(!text.contains("<evil>\""), "{text}");
    }
}
