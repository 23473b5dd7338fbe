//! Turning selected drafts into a digest: the HTML and plain-text bodies (minijinja
//! templates), the subject, and the finished [`lettre::Message`].
//!
//! Templates ship in `config/templates/` for admins to edit and are also compiled into the
//! binary, so draftwatch runs with no template files around; a file in the override folder
//! replaces the embedded template of the same name. `*.html.j2` templates are auto-escaped.
//! Highlighting of matched words is done here, not in templates: the text is escaped first
//! and only then wrapped in `<mark>`, so a draft title can never inject markup.
//!
//! This module does not choose drafts ([`super::select`]) nor send mail ([`crate::mailer`]).

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior, context};

use crate::config::{Language, RecipientConfig};
use crate::matcher::Field;

use super::lang::{self, WindowState};
use super::select::{DigestItem, nearest_deadline};

/// Names and embedded sources of every template, Latvian first.
const EMBEDDED_TEMPLATES: [(&str, &str); 4] = [
    (
        "digest.html.j2",
        include_str!("../../config/templates/digest.html.j2"),
    ),
    (
        "digest.txt.j2",
        include_str!("../../config/templates/digest.txt.j2"),
    ),
    (
        "digest.en.html.j2",
        include_str!("../../config/templates/digest.en.html.j2"),
    ),
    (
        "digest.en.txt.j2",
        include_str!("../../config/templates/digest.en.txt.j2"),
    ),
];

/// How many bytes of description are shown on each side of a matched word.
const EXCERPT_RADIUS: usize = 80;

/// Why a digest could not be rendered or built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A template override file could not be read.
    #[error("cannot read template {}: {source}", path.display())]
    ReadTemplate {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A template has a syntax error or failed while rendering (minijinja names the template
    /// and line).
    #[error("template error: {0:#}")]
    Template(#[from] minijinja::Error),
    /// lettre refused to assemble the message (for example a recipient without addresses).
    #[error("cannot build the message: {0}")]
    Message(#[from] lettre::error::Error),
}

/// A digest ready to send: what the recipient will read.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedDigest {
    /// Subject line.
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
    /// Store ids of the drafts it contains, to mark them delivered after sending.
    pub draft_ids: Vec<i64>,
}

/// The compiled digest templates.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Only the templates compiled into the binary.
    pub fn embedded() -> Result<Self, RenderError> {
        let mut env = new_environment()?;
        for (name, source) in EMBEDDED_TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Templates { env })
    }

    /// The embedded templates, each replaced by the file of the same name in `dir` when
    /// there is one. A missing `dir` is not an error: it just means no overrides.
    pub fn with_overrides(dir: &Path) -> Result<Self, RenderError> {
        let mut env = new_environment()?;
        for (name, embedded) in EMBEDDED_TEMPLATES {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(source) => env.add_template_owned(name, source)?,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    env.add_template(name, embedded)?
                }
                Err(source) => return Err(RenderError::ReadTemplate { path, source }),
            }
        }
        Ok(Templates { env })
    }

    /// Render the digest of `items` for `recipient`. `today` is the local day the window
    /// wording is computed for.
    pub fn render(
        &self,
        recipient: &RecipientConfig,
        items: &[DigestItem<'_>],
        today: NaiveDate,
    ) -> Result<RenderedDigest, RenderError> {
        let language = recipient.language;
        let subject = lang::subject(items.len(), nearest_deadline(items), language);
        let ctx = context! {
            recipient => recipient.name.as_str(),
            subject => subject.as_str(),
            today => lang::format_date(today),
            count => items.len(),
            items => items
                .iter()
                .map(|item| item_value(item, language))
                .collect::<Value>(),
        };
        let (html_name, text_name) = match language {
            Language::Lv => ("digest.html.j2", "digest.txt.j2"),
            Language::En => ("digest.en.html.j2", "digest.en.txt.j2"),
        };
        let html = self.env.get_template(html_name)?.render(&ctx)?;
        let text = self.env.get_template(text_name)?.render(&ctx)?;
        Ok(RenderedDigest {
            subject,
            text,
            html,
            draft_ids: items.iter().map(|item| item.draft.id).collect(),
        })
    }
}

fn new_environment() -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    // A misspelt variable in an edited template is an error the admin sees, not a blank.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on their own line leave no blank line behind, so templates stay readable.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    Ok(env)
}

/// Everything a template may show about one item.
fn item_value(item: &DigestItem<'_>, language: Language) -> Value {
    let draft = item.draft;
    let title_spans = spans_in(item, Field::Title);
    let excerpt = draft.description.as_deref().and_then(|description| {
        excerpt_around(
            description,
            &spans_in(item, Field::Description),
            EXCERPT_RADIUS,
        )
    });
    let matches: Vec<Value> = item
        .matches
        .iter()
        .map(|verdict| {
            context! {
                watchlist => verdict.watchlist.as_str(),
                words => distinct_words(verdict.hits.iter().map(|hit| hit.matched.as_str())),
            }
        })
        .collect();
    // Only web links go into href: a stored `javascript:` URL must not become clickable.
    // Escaped here for a double-quoted attribute (the template's escaper would also turn
    // every `/` into an entity, which is valid but makes the mail source unreadable).
    let link = (draft.url.starts_with("https://") || draft.url.starts_with("http://")).then(|| {
        Value::from_safe_string(
            html_escape::encode_double_quoted_attribute(&draft.url).into_owned(),
        )
    });
    let state = match item.window_state {
        WindowState::NoWindow => "none",
        WindowState::NotStarted => "not_started",
        WindowState::Open(days) if days <= 3 => "urgent",
        WindowState::Open(_) => "open",
        WindowState::Closed => "closed",
    };
    context! {
        id => draft.id,
        title => draft.title.as_str(),
        title_html => Value::from_safe_string(highlight_html(&draft.title, &title_spans)),
        display_id => draft.display_id(),
        ministry => draft.ministry.as_deref(),
        kind => draft.kind.as_deref(),
        window => draft.window.as_ref().map(lang::format_window),
        days_left => lang::days_left_phrase(item.window_state, language),
        state => state,
        url => draft.url.as_str(),
        link => link,
        excerpt => excerpt.as_ref().map(Excerpt::plain),
        excerpt_html => excerpt.as_ref().map(|excerpt| Value::from_safe_string(excerpt.html())),
        matches => Value::from(matches),
    }
}

/// Spans of every hit in `field` among the fired watchlists of `item`.
fn spans_in(item: &DigestItem<'_>, field: Field) -> Vec<Range<usize>> {
    item.matches
        .iter()
        .flat_map(|verdict| verdict.hits.iter())
        .filter(|hit| hit.field == field)
        .map(|hit| hit.span.clone())
        .collect()
}

/// Matched words without repeats (case-insensitive), in first-seen order.
fn distinct_words<'a>(words: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    words
        .filter(|word| seen.insert(word.to_lowercase()))
        .map(str::to_owned)
        .collect()
}

/// `text` HTML-escaped, with the byte ranges `spans` wrapped in `<mark>`. Overlapping or
/// touching spans merge; spans outside the text or not on character boundaries are ignored
/// (they come from another component and must not make us panic or split a character).
pub fn highlight_html(text: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut cursor = 0;
    for span in merge_spans(text, spans) {
        out.push_str(&html_escape::encode_safe(&text[cursor..span.start]));
        out.push_str("<mark>");
        out.push_str(&html_escape::encode_safe(&text[span.clone()]));
        out.push_str("</mark>");
        cursor = span.end;
    }
    out.push_str(&html_escape::encode_safe(&text[cursor..]));
    out
}

/// Valid, non-empty spans of `text`, sorted and merged; every returned range is safe to
/// slice `text` with.
fn merge_spans(text: &str, spans: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut valid: Vec<Range<usize>> = spans
        .iter()
        .filter(|span| span.start < span.end && text.get(span.start..span.end).is_some())
        .cloned()
        .collect();
    valid.sort_by_key(|span| (span.start, span.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(valid.len());
    for span in valid {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// A piece of a longer text around a matched word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Excerpt {
    /// The piece (without ellipses).
    pub text: String,
    /// The matched spans, as byte ranges into `text`.
    pub spans: Vec<Range<usize>>,
    /// Whether text was left out before the piece.
    pub cut_before: bool,
    /// Whether text was left out after the piece.
    pub cut_after: bool,
}

impl Excerpt {
    /// The piece as plain text, with "…" where text was left out.
    pub fn plain(&self) -> String {
        format!(
            "{}{}{}",
            ellipsis(self.cut_before),
            self.text,
            ellipsis(self.cut_after)
        )
    }

    /// The piece escaped for HTML with the spans in `<mark>`, and "…" where text was left out.
    pub fn html(&self) -> String {
        format!(
            "{}{}{}",
            ellipsis(self.cut_before),
            highlight_html(&self.text, &self.spans),
            ellipsis(self.cut_after)
        )
    }
}

fn ellipsis(cut: bool) -> &'static str {
    if cut { "…" } else { "" }
}

/// A piece of `text` around its first valid span, about `radius` bytes each side, cut at
/// whitespace and character boundaries, with the spans shifted into it.
pub fn excerpt_around(text: &str, spans: &[Range<usize>], radius: usize) -> Option<Excerpt> {
    let merged = merge_spans(text, spans);
    let first = merged.first()?;
    let mut start = first.start.saturating_sub(radius);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    if start > 0
        && let Some(space) = text[start..first.start].find(char::is_whitespace)
    {
        start += space + 1;
    }
    let mut end = first.end.saturating_add(radius).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if end < text.len()
        && let Some(space) = text[first.end..end].rfind(char::is_whitespace)
    {
        end = first.end + space;
    }
    // Drop the whitespace at both ends so the piece reads cleanly next to the ellipses.
    start += text[start..end].len() - text[start..end].trim_start().len();
    end = start + text[start..end].trim_end().len();
    let inside = merged
        .iter()
        .filter(|span| span.start >= start && span.end <= end)
        .map(|span| span.start - start..span.end - start)
        .collect();
    Some(Excerpt {
        text: text[start..end].to_owned(),
        spans: inside,
        cut_before: !text[..start].trim().is_empty(),
        cut_after: !text[end..].trim().is_empty(),
    })
}

/// The `Auto-Submitted: auto-generated` header (RFC 3834): tells vacation responders and
/// mailing-list software not to answer a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if s.trim().eq_ignore_ascii_case("auto-generated") {
            Ok(AutoSubmitted)
        } else {
            Err(format!("unsupported Auto-Submitted value {s:?}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// A new globally unique Message-ID (with angle brackets) in the sender's domain. It is
/// stored with the delivery record, so a coordinator's question about a mail can be traced.
pub fn new_message_id(from: &Mailbox, recipient: &str, now: DateTime<Utc>) -> String {
    use std::hash::{Hash as _, Hasher as _};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    recipient.hash(&mut hasher);
    std::process::id().hash(&mut hasher);
    COUNTER.fetch_add(1, Ordering::Relaxed).hash(&mut hasher);
    std::time::SystemTime::now().hash(&mut hasher);
    format!(
        "<{}.{:016x}.draftwatch@{}>",
        now.format("%Y%m%d%H%M%S"),
        hasher.finish(),
        from.email.domain()
    )
}

/// Assemble the message: From, To (every address of the recipient), Subject, Date,
/// Message-ID, Auto-Submitted and a multipart/alternative text + HTML body.
pub fn build_message(
    from: &Mailbox,
    recipient: &RecipientConfig,
    digest: &RenderedDigest,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, RenderError> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(digest.subject.as_str())
        .date(now.into())
        .message_id(Some(message_id.to_owned()))
        .header(AutoSubmitted);
    for address in &recipient.addresses {
        builder = builder.to(address.clone());
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(
        digest.text.clone(),
        digest.html.clone(),
    ))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_spans_are_ignored_not_panicked_on() {
        let text = "Bērni";
        // 1..2 splits "ē" (2 bytes at 1..3); 3..99 is past the end.
        assert_eq!(highlight_html(text, &[1..2, 3..99, 4..4]), "Bērni");
        // 2..6 starts inside "ē" and is dropped; 0..3 stays.
        assert_eq!(highlight_html(text, &[0..3, 2..6]), "<mark>Bē</mark>rni");
        // Touching spans merge into one mark.
        assert_eq!(highlight_html(text, &[3..5, 0..3]), "<mark>Bērn</mark>i");
    }

    #[test]
    fn excerpt_cuts_at_words_and_keeps_spans_aligned() {
        let text = "Ievads par daudz ko. Šeit runa ir par bērnu tiesībām un ģimeni. Beigas.";
        let start = text.find("bērnu").unwrap_or_default();
        let excerpt = excerpt_around(text, &[start..start + "bērnu".len(), 0..0], 12)
            .expect("a valid span gives an excerpt");
        assert_eq!(excerpt.spans.len(), 1);
        let span = excerpt.spans.first().cloned().unwrap_or_default();
        assert_eq!(&excerpt.text[span], "bērnu");
        assert_eq!(excerpt.plain(), "…ir par bērnu tiesībām…");
        let whole =
            excerpt_around("par bērnu", std::slice::from_ref(&(4..10)), 80).expect("excerpt");
        assert_eq!(whole.html(), "par <mark>bērnu</mark>");
        assert!(
            excerpt_around("par bērnu", std::slice::from_ref(&(5..6)), 80).is_none(),
            "span inside ē"
        );
    }
}
