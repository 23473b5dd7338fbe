//! Turning selected drafts into a digest: the HTML and plain-text bodies (minijinja
//! templates), the subject, and the finished [`lettre::Message`].
//!
//! Templates ship in `config/templates/` for admins to edit and are also compiled into the
//! binary, so draftwatch runs with no template files around; a file in the override folder
//! replaces the embedded template of the same name. `*.html.j2` templates are auto-escaped.
//! There is one template per part for every language; the words come from
//! [`super::lang`] (the `l` labels and the computed phrases).
//! Highlighting of matched words is done here, not in templates: the text is escaped first
//! and only then wrapped in `<mark>`, so a draft title can never inject markup.
//!
//! This module does not choose drafts ([`super::select`]) nor send mail ([`crate::mailer`]).

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior, context};

use crate::config::{Language, RecipientConfig};
use crate::mailer::{AutoSubmitted, format_instant};
use crate::matcher::Field;
use crate::model::WindowKind;

use super::calendar::digest_calendar;
use super::contents::DigestContents;
use super::item::{DigestItem, WindowState, opinion_url};
use super::lang::{self, SubjectCounts};
use super::select::nearest_deadline;
use super::texts::{DraftNotes, text_contexts};

/// File names of the two templates, one per part, shared by every language (the words
/// that differ come from [`lang::labels`]).
const HTML_TEMPLATE: &str = "digest.html.j2";
const TEXT_TEMPLATE: &str = "digest.txt.j2";

/// Names and embedded sources of every template.
const EMBEDDED_TEMPLATES: [(&str, &str); 2] = [
    (
        HTML_TEMPLATE,
        include_str!("../../config/templates/digest.html.j2"),
    ),
    (
        TEXT_TEMPLATE,
        include_str!("../../config/templates/digest.txt.j2"),
    ),
];

/// Override files of the per-language templates draftwatch used to have; no longer read.
const RETIRED_TEMPLATES: [&str; 2] = ["digest.en.html.j2", "digest.en.txt.j2"];

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
    /// Store ids of the new drafts it contains, to mark them delivered after sending.
    pub draft_ids: Vec<i64>,
    /// The iCalendar attachment (one event per open window listed), if any window is open.
    pub calendar: Option<String>,
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
        for name in RETIRED_TEMPLATES {
            if dir.join(name).exists() {
                tracing::warn!(
                    file = %dir.join(name).display(),
                    "Template override no longer read: every language shares digest.html.j2 and digest.txt.j2, with labels from the language table."
                );
            }
        }
        Ok(Templates { env })
    }

    /// Render a digest of new drafts only: `items` as the caller selected them, grouped by
    /// window, without changes, reminders, source footer or calendar. For callers that do
    /// their own selection; digest runs use [`Templates::render_contents`].
    pub fn render(
        &self,
        recipient: &RecipientConfig,
        items: &[DigestItem<'_>],
        today: NaiveDate,
    ) -> Result<RenderedDigest, RenderError> {
        let mut contents = DigestContents::default();
        for item in items {
            match item.window_state {
                WindowState::NoWindow => contents.no_window.push(item.clone()),
                WindowState::Open(days) if days <= DEFAULT_CLOSING_SOON_DAYS => {
                    contents.closing_soon.push(item.clone())
                }
                _ if item
                    .window()
                    .is_some_and(|window| window.kind == WindowKind::Coordination) =>
                {
                    contents.coordination.push(item.clone())
                }
                _ => contents.open.push(item.clone()),
            }
        }
        let mut digest = self.render_contents(recipient, &contents, today, chrono_tz::UTC)?;
        // The caller's order, not the grouped one, is the order the ids were given in.
        digest.draft_ids = items.iter().map(|item| item.draft.id).collect();
        digest.calendar = None;
        Ok(digest)
    }

    /// Render `contents` for `recipient`: subject, both bodies and the calendar. `today` is
    /// the local day the window wording is computed for; poll times are shown in `timezone`.
    /// Without impact items: see [`Templates::render_contents_with`].
    pub fn render_contents(
        &self,
        recipient: &RecipientConfig,
        contents: &DigestContents<'_>,
        today: NaiveDate,
        timezone: Tz,
    ) -> Result<RenderedDigest, RenderError> {
        self.render_contents_with(recipient, contents, &DraftNotes::default(), today, timezone)
    }

    /// [`Templates::render_contents`] with what `notes` knows of the listed drafts' annotations
    /// (impact items answered `Jā`, the best-interests contradiction).
    pub fn render_contents_with(
        &self,
        recipient: &RecipientConfig,
        contents: &DigestContents<'_>,
        notes: &DraftNotes,
        today: NaiveDate,
        timezone: Tz,
    ) -> Result<RenderedDigest, RenderError> {
        let language = recipient.language;
        let subject = lang::digest_subject(&subject_counts(contents), language);
        let values = |items: &[DigestItem<'_>]| -> Value {
            items
                .iter()
                .map(|item| item_value(item, notes, language))
                .collect()
        };
        let all_new: Vec<DigestItem<'_>> = contents.new_items().cloned().collect();
        // A draft reported before that both changed and is due a reminder is shown once,
        // among the changes, with the reminder as its first note: one entry per draft.
        let changed: BTreeSet<i64> = contents
            .changes
            .iter()
            .map(|change| change.item.draft.id)
            .collect();
        let reminder_phrase = |reminder: &super::contents::ReminderItem<'_>| {
            let days = (reminder.key.window_to - today).num_days();
            lang::window_reminder_phrase(&reminder.key.window_kind, days, language)
        };
        let reminders: Vec<Value> = contents
            .reminders
            .iter()
            .filter(|reminder| !changed.contains(&reminder.item.draft.id))
            .map(|reminder| {
                context! {
                    item => item_value(&reminder.item, notes, language),
                    note => reminder_phrase(reminder),
                }
            })
            .collect();
        let changes: Vec<Value> = contents
            .changes
            .iter()
            .map(|change| {
                let due = contents
                    .reminders
                    .iter()
                    .filter(|reminder| reminder.item.draft.id == change.item.draft.id)
                    .map(reminder_phrase);
                context! {
                    item => item_value(&change.item, notes, language),
                    notes => due
                        .chain(change.notes.iter().map(|note| lang::change_phrase(note, language)))
                        .collect::<Vec<_>>(),
                }
            })
            .collect();
        let sources: Vec<Value> = contents
            .sources
            .iter()
            .map(|source| {
                context! {
                    name => source.name.as_str(),
                    last_success => source
                        .last_success
                        .map(|at| format_instant(at, timezone)),
                    failing => source.failing.as_deref(),
                    warning => source.failing.as_deref().map(|error| {
                        lang::source_failing_phrase(&source.name, error, language)
                    }),
                }
            })
            .collect();
        let open_windows = contents.open_windows();
        let calendar = (!open_windows.is_empty()).then(|| digest_calendar(&open_windows, language));
        let ctx = context! {
            l => Value::from_pairs(
                lang::labels(language)
                    .named()
                    .into_iter()
                    .chain(lang::text_labels(language).named())
                    .collect::<Vec<_>>(),
            ),
            recipient => recipient.name.as_str(),
            subject => subject.as_str(),
            today => lang::format_date(today),
            count => all_new.len(),
            items => values(&all_new),
            closing_soon => values(&contents.closing_soon),
            open => values(&contents.open),
            coordination => values(&contents.coordination),
            no_window => values(&contents.no_window),
            reminders => Value::from(reminders),
            changes => Value::from(changes),
            sources => Value::from(sources),
            calendar_events => open_windows.len(),
            nothing_new => if contents.is_empty() && contents.left_out == 0 { lang::nothing_new_phrase(language) } else { "" },
            left_out => if contents.left_out > 0 {
                lang::left_out_phrase(contents.left_out, language)
            } else {
                String::new()
            },
        };
        let html = self.env.get_template(HTML_TEMPLATE)?.render(&ctx)?;
        let text = self.env.get_template(TEXT_TEMPLATE)?.render(&ctx)?;
        Ok(RenderedDigest {
            subject,
            text,
            html,
            draft_ids: contents.new_draft_ids(),
            calendar,
        })
    }
}

/// The "closing soon" limit [`Templates::render`] groups by (the configuration's default).
const DEFAULT_CLOSING_SOON_DAYS: i64 = 3;

/// Count what `contents` holds, for the subject line.
fn subject_counts(contents: &DigestContents<'_>) -> SubjectCounts {
    let with_window: Vec<&DigestItem<'_>> = contents
        .closing_soon
        .iter()
        .chain(&contents.open)
        .chain(&contents.coordination)
        .collect();
    let ending_in = |days: i64| {
        with_window
            .iter()
            .copied()
            .chain(contents.reminders.iter().map(|reminder| &reminder.item))
            .filter(|item| item.window_state == WindowState::Open(days))
            .count()
    };
    SubjectCounts {
        open_for_comment: with_window.len(),
        nearest_deadline: nearest_deadline(&contents.closing_soon)
            .into_iter()
            .chain(nearest_deadline(&contents.open))
            .chain(nearest_deadline(&contents.coordination))
            .min(),
        ending_today: ending_in(0),
        ending_tomorrow: ending_in(1),
        coordination: contents.no_window.len(),
        other_reminders: contents
            .reminders
            .iter()
            .filter(|reminder| !matches!(reminder.item.window_state, WindowState::Open(0 | 1)))
            .count(),
        changes: contents.changes.len(),
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
    env.add_filter("wrap", wrap_filter);
    Ok(env)
}

/// The plain-text part must read well at 80 columns: `text|wrap(indent)` breaks `text` at
/// spaces so that no line is longer than 78 characters, and starts every line after the
/// first with `indent` spaces. A single word longer than the width (a URL) stays whole.
fn wrap_filter(text: &str, indent: Option<usize>) -> String {
    wrap_text(text, 78, indent.unwrap_or(0))
}

/// The line breaking behind the `wrap` template filter. `width` counts characters; the
/// first line's own prefix (written by the template before the filtered text) is not known
/// here, so callers pass the indent that also matches that prefix.
pub fn wrap_text(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut line_len = indent;
    let mut first = true;
    for word in text.split_whitespace() {
        let word_len = word.chars().count();
        if first {
            out.push_str(word);
            line_len += word_len;
            first = false;
        } else if line_len + 1 + word_len > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            out.push_str(word);
            line_len = indent + word_len;
        } else {
            out.push(' ');
            out.push_str(word);
            line_len += 1 + word_len;
        }
    }
    out
}

/// A relative measure of how much one new item adds to the rendered digest: the size of
/// everything the templates may show about it. The digest's size cap splits the measured
/// growth of a rendered digest among its items by this weight, to choose how many fit
/// before rendering the message that is sent.
pub fn item_weight(item: &DigestItem<'_>, notes: &DraftNotes, language: Language) -> usize {
    item_value(item, notes, language).to_string().len()
}

impl RenderedDigest {
    /// Bytes of the subject, both bodies and the calendar as rendered, before the message's
    /// transfer encoding (which only adds to them).
    pub fn rendered_len(&self) -> usize {
        self.subject.len()
            + self.text.len()
            + self.html.len()
            + self.calendar.as_ref().map_or(0, String::len)
    }
}

/// Everything a template may show about one item.
fn item_value(item: &DigestItem<'_>, draft_notes: &DraftNotes, language: Language) -> Value {
    let draft = item.draft;
    let text_labels = lang::text_labels(language);
    let (contexts, more_contexts) = text_contexts(item);
    let texts: Vec<Value> = contexts
        .iter()
        .map(|context| {
            context! {
                place => if context.field == Field::Document {
                    text_labels.in_document
                } else {
                    text_labels.in_annotation
                },
                text => context.text.as_str(),
                html => Value::from_safe_string(highlight_html(&context.text, &context.spans)),
            }
        })
        .collect();
    let contradiction = draft_notes.contradiction(item).map(|note| match language {
        Language::Lv => note.message_lv(),
        Language::En => note.message_en(),
    });
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
    let link = link_of(&draft.url);
    // The window the item is about; a draft without an open one shows its public window
    // (closed, or none) as it always has.
    let (window_label, window, submit) = match item.window() {
        Some(w) if w.kind == WindowKind::Coordination => (
            lang::window_label(&w.kind, language),
            Some(lang::format_date(w.window.to)),
            w.submit_url(draft),
        ),
        Some(w) => (
            lang::window_label(&w.kind, language),
            Some(lang::format_window(&w.window)),
            w.submit_url(draft),
        ),
        None => (
            lang::labels(language).window,
            draft.window.as_ref().map(lang::format_window),
            opinion_url(draft),
        ),
    };
    let other_windows: Vec<Value> = item
        .windows
        .iter()
        .skip(1)
        .map(|w| {
            let submit = w.submit_url(draft);
            context! {
                label => lang::window_label(&w.kind, language),
                window => if w.kind == WindowKind::Coordination {
                    lang::format_date(w.window.to)
                } else {
                    lang::format_window(&w.window)
                },
                days_left => lang::days_left_phrase(w.state, language),
                submit => submit,
                submit_link => link_of(submit),
            }
        })
        .collect();
    let notes: Vec<String> = item
        .notes
        .iter()
        .map(|note| lang::change_phrase(note, language))
        .collect();
    let state = match item.window_state {
        WindowState::NoWindow => "none",
        WindowState::NotStarted => "not_started",
        WindowState::Open(days) if days <= 3 => "urgent",
        WindowState::Open(_) => "open",
        WindowState::Closed | WindowState::Withdrawn => "closed",
        WindowState::Unreadable => "unreadable",
    };
    context! {
        id => draft.id,
        title => draft.title.as_str(),
        title_html => Value::from_safe_string(highlight_html(&draft.title, &title_spans)),
        display_id => draft.display_id(),
        ministry => draft.ministry.as_deref(),
        kind => draft.kind.as_deref(),
        window => window,
        window_label => window_label,
        other_windows => Value::from(other_windows),
        opinions => lang::opinions_phrase(&draft.opinions, language),
        notes => notes,
        days_left => lang::days_left_phrase(item.window_state, language),
        state => state,
        url => draft.url.as_str(),
        link => link,
        opinion_url => submit,
        opinion_link => link_of(submit),
        excerpt => excerpt.as_ref().map(Excerpt::plain),
        excerpt_html => excerpt.as_ref().map(|excerpt| Value::from_safe_string(excerpt.html())),
        matches => Value::from(matches),
        texts => Value::from(texts),
        texts_more => if more_contexts > 0 {
            lang::more_places_phrase(more_contexts, language)
        } else {
            String::new()
        },
        impacts_yes => draft_notes.impacts_yes(draft.id),
        contradiction => contradiction,
    }
}

/// `url` ready for an `href`, or `None` when it is not a web link.
fn link_of(url: &str) -> Option<Value> {
    (url.starts_with("https://") || url.starts_with("http://")).then(|| {
        Value::from_safe_string(html_escape::encode_double_quoted_attribute(url).into_owned())
    })
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

/// The `List-Id` header (RFC 2919), `draftwatch digest <digest.draftwatch.DOMAIN>` with the
/// sender's domain: lets coordinators filter and their mail clients group digests, and
/// tells spam filters this is list-like bulk mail the recipient asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListId(pub String);

impl ListId {
    /// The List-Id of digests sent from `from`.
    pub fn for_sender(from: &Mailbox) -> Self {
        ListId(format!(
            "draftwatch digest <digest.draftwatch.{}>",
            from.email.domain()
        ))
    }
}

impl Header for ListId {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Id")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let value = s.trim();
        if value.ends_with('>') && value.contains('<') {
            Ok(ListId(value.to_owned()))
        } else {
            Err(format!("List-Id {s:?} lacks its <list-id> part").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// Assemble the message: From, To (every address of the recipient), Subject, Date,
/// Message-ID, Auto-Submitted, List-Id and a multipart/alternative text + HTML body; with a calendar,
/// multipart/mixed of that body and the `.ics` attachment.
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
        .header(AutoSubmitted)
        .header(ListId::for_sender(from));
    for address in &recipient.addresses {
        builder = builder.to(address.clone());
    }
    let body = MultiPart::alternative_plain_html(digest.text.clone(), digest.html.clone());
    let Some(calendar) = &digest.calendar else {
        return Ok(builder.multipart(body)?);
    };
    let calendar_type = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
        .map_err(|error| {
            RenderError::Message(lettre::error::Error::Io(std::io::Error::other(error)))
        })?;
    let attachment =
        Attachment::new(CALENDAR_FILE_NAME.to_owned()).body(calendar.clone(), calendar_type);
    Ok(builder.multipart(MultiPart::mixed().multipart(body).singlepart(attachment))?)
}

/// File name of the calendar attached to digests.
pub const CALENDAR_FILE_NAME: &str = "draftwatch-termini.ics";

/// The Message-ID of `recipient`'s digest for `scheduled_for`: the same every time it is
/// computed, so a dry run shows the id the real run will use, and unique per recipient and
/// minute like the outbox row it names.
pub fn digest_message_id(from: &Mailbox, recipient: &str, scheduled_for: DateTime<Utc>) -> String {
    // FNV-1a: stable across Rust versions, unlike the standard library's hasher.
    let hash = recipient
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!(
        "<{}.{hash:016x}.draftwatch@{}>",
        scheduled_for.format("%Y%m%d%H%M"),
        from.email.domain()
    )
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

#[cfg(test)]
mod wrap_tests {
    use super::wrap_text;

    #[test]
    fn wraps_at_width_with_indent_and_keeps_long_words_whole() {
        let text = "Grozījumi Ministru kabineta 2018. gada 26. jūnija noteikumos Nr. 354 \"Audžuģimenes noteikumi\" un citos";
        let wrapped = wrap_text(text, 40, 3);
        for line in wrapped.lines() {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        assert!(
            wrapped
                .lines()
                .skip(1)
                .all(|l| l.starts_with("   ") && !l.starts_with("    "))
        );
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        let url = format!("https://example.org/{}", "x".repeat(80));
        assert_eq!(wrap_text(&url, 40, 3), url);
    }
}
