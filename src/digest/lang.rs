//! The words of a digest that depend on the recipient's language: the labels the templates
//! show ([`Labels`], one table per language, so the templates are shared and a new language
//! is one more table) and the words computed from facts: days left to comment, dates, the
//! subject line, reminders and changes.
//!
//! Latvian is the default and the language coordinators read. Latvian numerals govern the
//! noun: a number whose last digit is 1, except one ending in 11, takes the singular
//! ("21 diena"), every other number the plural ("11 dienas", "10 dienas"). This module does
//! not choose *which* drafts are shown, only how their facts are worded.

use chrono::NaiveDate;

use crate::config::Language;
use crate::model::{CommentWindow, Meeting, Opinion, WindowKind};

use super::item::{ChangeNote, WindowState};

/// Whether a Latvian numeral takes the singular noun: last digit 1 but not 11
/// ("1 diena", "21 diena", "111 dienas"). Works on the absolute value.
pub fn latvian_takes_singular(n: i64) -> bool {
    let n = n.unsigned_abs();
    n % 10 == 1 && n % 100 != 11
}

/// The fixed words of a digest, in one language; the templates show them as `l.<field>`.
/// Headings are written as in the HTML part; the text part upper-cases them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// The HTML `lang` attribute.
    pub lang: &'static str,
    /// The greeting that opens the message.
    pub greeting: &'static str,
    /// Heading: new drafts whose window ends soon.
    pub closing_soon: &'static str,
    /// Heading: deadline reminders.
    pub reminders: &'static str,
    /// Heading: new drafts open for public participation.
    pub open: &'static str,
    /// Heading: new drafts in coordination, with a deadline for opinions.
    pub coordination: &'static str,
    /// What the coordination heading adds in parentheses.
    pub coordination_note: &'static str,
    /// Heading: new drafts without an open window.
    pub no_window: &'static str,
    /// Heading: changes to drafts reported before.
    pub changes: &'static str,
    /// Item field: the TA number.
    pub number: &'static str,
    /// Item field: the kind of draft.
    pub kind: &'static str,
    /// Item field: the responsible institution.
    pub ministry: &'static str,
    /// Item field: the public-participation window.
    pub window: &'static str,
    /// Item field: the coordination deadline.
    pub coordination_window: &'static str,
    /// Item field: who has already given an opinion.
    pub opinions: &'static str,
    /// Item field: the watchlists that matched.
    pub matches: &'static str,
    /// Item field: the link to the draft.
    pub draft: &'static str,
    /// Item field and link: where to submit an opinion.
    pub submit_opinion: &'static str,
    /// Footer: the calendar attachment, followed by the number of events.
    pub calendar_attached: &'static str,
    /// Footer: the word before a source's name.
    pub source: &'static str,
    /// Footer: before the time of a source's last successful poll.
    pub last_success: &'static str,
    /// Footer: instead of that time when there was none.
    pub no_success_yet: &'static str,
    /// Footer, HTML part: a source failing for more than a day.
    pub source_failing: &'static str,
    /// Footer: who sent the message.
    pub sent_automatically: &'static str,
    /// Footer: the promise that each draft comes once.
    pub sent_once: &'static str,
}

impl Labels {
    /// Every label with its name, for the templates. The struct is taken apart field by
    /// field, so a label added to [`Labels`] cannot be forgotten here.
    pub fn named(&self) -> [(&'static str, &'static str); 25] {
        let Labels {
            lang,
            greeting,
            closing_soon,
            reminders,
            open,
            coordination,
            coordination_note,
            no_window,
            changes,
            number,
            kind,
            ministry,
            window,
            coordination_window,
            opinions,
            matches,
            draft,
            submit_opinion,
            calendar_attached,
            source,
            last_success,
            no_success_yet,
            source_failing,
            sent_automatically,
            sent_once,
        } = *self;
        [
            ("lang", lang),
            ("greeting", greeting),
            ("closing_soon", closing_soon),
            ("reminders", reminders),
            ("open", open),
            ("coordination", coordination),
            ("coordination_note", coordination_note),
            ("no_window", no_window),
            ("changes", changes),
            ("number", number),
            ("kind", kind),
            ("ministry", ministry),
            ("window", window),
            ("coordination_window", coordination_window),
            ("opinions", opinions),
            ("matches", matches),
            ("draft", draft),
            ("submit_opinion", submit_opinion),
            ("calendar_attached", calendar_attached),
            ("source", source),
            ("last_success", last_success),
            ("no_success_yet", no_success_yet),
            ("source_failing", source_failing),
            ("sent_automatically", sent_automatically),
            ("sent_once", sent_once),
        ]
    }
}

/// The Latvian labels.
const LATVIAN: Labels = Labels {
    lang: "lv",
    greeting: "Labdien!",
    closing_soon: "Termiņš drīz beidzas",
    reminders: "Atgādinājumi",
    open: "Sabiedrības līdzdalība",
    coordination: "Saskaņošana",
    coordination_note: "atzinumus var sniegt līdz norādītajam termiņam",
    no_window: "Jauni projekti bez atvērta termiņa",
    changes: "Izmaiņas jau nosūtītos projektos",
    number: "Numurs",
    kind: "Veids",
    ministry: "Atbildīgā iestāde",
    window: "Komentēšanas termiņš",
    coordination_window: "Atzinumus var sniegt līdz",
    opinions: "Viedokļus jau snieguši",
    matches: "Atbilst",
    draft: "Projekts",
    submit_opinion: "Iesniegt viedokli",
    calendar_attached: "Pielikumā kalendārs ar termiņiem",
    source: "Avots",
    last_success: "pēdējā veiksmīgā pārbaude",
    no_success_yet: "vēl nav bijusi",
    source_failing: "UZMANĪBU: avots nedarbojas ilgāk par diennakti, jaunākie projekti var trūkt.",
    sent_automatically: "Šo vēstuli automātiski nosūtīja draftwatch.",
    sent_once: "Katrs projekts tiek nosūtīts tikai vienreiz.",
};

/// The English labels.
const ENGLISH: Labels = Labels {
    lang: "en",
    greeting: "Hello,",
    closing_soon: "Closing soon",
    reminders: "Reminders",
    open: "Public participation",
    coordination: "Coordination",
    coordination_note: "opinions may be given until the deadline shown",
    no_window: "New drafts without an open deadline",
    changes: "Changes to drafts sent before",
    number: "Number",
    kind: "Kind",
    ministry: "Responsible institution",
    window: "Comment period",
    coordination_window: "Opinions may be given until",
    opinions: "Already commented",
    matches: "Matches",
    draft: "Draft",
    submit_opinion: "Submit an opinion",
    calendar_attached: "Attached: a calendar with the deadlines",
    source: "Source",
    last_success: "last successful check",
    no_success_yet: "none yet",
    source_failing: "WARNING: this source has been failing for more than a day; recent drafts may be missing.",
    sent_automatically: "This message was sent automatically by draftwatch.",
    sent_once: "Each draft is sent only once.",
};

/// The labels of a digest in `language`.
pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Lv => &LATVIAN,
        Language::En => &ENGLISH,
    }
}

/// The text part's warning about a source failing for more than a day, with its name and
/// latest error.
pub fn source_failing_phrase(name: &str, error: &str, language: Language) -> String {
    match language {
        Language::Lv => format!(
            "UZMANĪBU: avots {name} nedarbojas ilgāk par diennakti, jaunākie projekti var trūkt ({error})."
        ),
        Language::En => format!(
            "WARNING: source {name} has been failing for more than a day, recent drafts may be missing ({error})."
        ),
    }
}

/// How much time is left, in the recipient's language ("atlikušas 10 dienas").
pub fn days_left_phrase(state: WindowState, language: Language) -> String {
    match (language, state) {
        (Language::Lv, WindowState::NoWindow) => "nav noteikts".to_owned(),
        (Language::Lv, WindowState::NotStarted) => "vēl nav sācies".to_owned(),
        (Language::Lv, WindowState::Closed) => "termiņš beidzies".to_owned(),
        (Language::Lv, WindowState::Unreadable) => "termiņš nav nolasāms".to_owned(),
        (Language::Lv, WindowState::Withdrawn) => "izņemts no portāla".to_owned(),
        (Language::Lv, WindowState::Open(0)) => "termiņš beidzas šodien".to_owned(),
        (Language::Lv, WindowState::Open(n)) if latvian_takes_singular(n) => {
            format!("atlikusi {n} diena")
        }
        (Language::Lv, WindowState::Open(n)) => format!("atlikušas {n} dienas"),
        (Language::En, WindowState::NoWindow) => "not set".to_owned(),
        (Language::En, WindowState::NotStarted) => "not open yet".to_owned(),
        (Language::En, WindowState::Closed) => "closed".to_owned(),
        (Language::En, WindowState::Unreadable) => "deadline unreadable".to_owned(),
        (Language::En, WindowState::Withdrawn) => "withdrawn from the portal".to_owned(),
        (Language::En, WindowState::Open(0)) => "closes today".to_owned(),
        (Language::En, WindowState::Open(1)) => "1 day left".to_owned(),
        (Language::En, WindowState::Open(n)) => format!("{n} days left"),
    }
}

/// The Latvian way of writing a date, also used in the English digest so that dates read
/// the same as on the portal: "25.09.2026.".
pub fn format_date(day: NaiveDate) -> String {
    day.format("%d.%m.%Y.").to_string()
}

/// A comment window as "01.09.2026. – 25.09.2026.".
pub fn format_window(window: &CommentWindow) -> String {
    format!("{} – {}", format_date(window.from), format_date(window.to))
}

/// The subject of a digest with `count` drafts, naming the nearest deadline still open.
pub fn subject(count: usize, nearest_deadline: Option<NaiveDate>, language: Language) -> String {
    let count_i64 = i64::try_from(count).unwrap_or(i64::MAX);
    let (noun, deadline_label) = match language {
        Language::Lv if latvian_takes_singular(count_i64) => {
            ("projekts komentēšanai", "tuvākais termiņš")
        }
        Language::Lv => ("projekti komentēšanai", "tuvākais termiņš"),
        Language::En if count == 1 => ("draft open for comment", "nearest deadline"),
        Language::En => ("drafts open for comment", "nearest deadline"),
    };
    match nearest_deadline {
        Some(day) => format!(
            "draftwatch: {count} {noun} ({deadline_label} {})",
            format_date(day)
        ),
        None => format!("draftwatch: {count} {noun}"),
    }
}

/// What a digest holds, counted for its subject line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubjectCounts {
    /// New drafts with a comment window (closing soon or open).
    pub open_for_comment: usize,
    /// The nearest last day among them.
    pub nearest_deadline: Option<NaiveDate>,
    /// New drafts and reminders whose window ends today.
    pub ending_today: usize,
    /// New drafts and reminders whose window ends tomorrow.
    pub ending_tomorrow: usize,
    /// New drafts without a public window.
    pub coordination: usize,
    /// Reminders whose window ends later than tomorrow.
    pub other_reminders: usize,
    /// Drafts reported before that changed.
    pub changes: usize,
}

/// Pick the Latvian singular or plural form for `n` ("1 izmaiņa", "2 izmaiņas").
fn lv_noun<'a>(n: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if latvian_takes_singular(i64::try_from(n).unwrap_or(i64::MAX)) {
        singular
    } else {
        plural
    }
}

/// Pick the English singular or plural form for `n`.
fn en_noun<'a>(n: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

/// The subject of a digest: what is inside, counted ("draftwatch: 3 projekti komentēšanai
/// (tuvākais termiņš 25.09.2026.), 1 termiņš beidzas rīt"). A digest of new drafts open for
/// comment reads exactly like [`subject`].
pub fn digest_subject(counts: &SubjectCounts, language: Language) -> String {
    let mut parts = Vec::new();
    if counts.open_for_comment > 0 {
        let whole = subject(counts.open_for_comment, counts.nearest_deadline, language);
        parts.push(whole.trim_start_matches("draftwatch: ").to_owned());
    }
    let mut push = |n: usize, lv: (&str, &str), en: (&str, &str)| {
        if n > 0 {
            let noun = match language {
                Language::Lv => lv_noun(n, lv.0, lv.1),
                Language::En => en_noun(n, en.0, en.1),
            };
            parts.push(format!("{n} {noun}"));
        }
    };
    push(
        counts.ending_today,
        ("termiņš beidzas šodien", "termiņi beidzas šodien"),
        ("deadline today", "deadlines today"),
    );
    push(
        counts.ending_tomorrow,
        ("termiņš beidzas rīt", "termiņi beidzas rīt"),
        ("deadline tomorrow", "deadlines tomorrow"),
    );
    push(
        counts.other_reminders,
        ("atgādinājums par termiņu", "atgādinājumi par termiņiem"),
        ("deadline reminder", "deadline reminders"),
    );
    push(
        counts.coordination,
        ("jauns projekts saskaņošanā", "jauni projekti saskaņošanā"),
        ("new draft in coordination", "new drafts in coordination"),
    );
    push(
        counts.changes,
        ("izmaiņa projektā", "izmaiņas projektos"),
        ("changed draft", "changed drafts"),
    );
    if parts.is_empty() {
        parts.push(
            match language {
                Language::Lv => "nekā jauna",
                Language::En => "nothing new",
            }
            .to_owned(),
        );
    }
    format!("draftwatch: {}", parts.join(", "))
}

/// The line of a digest with nothing to report (sent only to recipients who asked for it).
pub fn nothing_new_phrase(language: Language) -> &'static str {
    match language {
        Language::Lv => "Kopš iepriekšējās vēstules nav jaunu projektu, atgādinājumu vai izmaiņu.",
        Language::En => {
            "Nothing new since the previous message: no new drafts, reminders or changes."
        }
    }
}

/// The note of a digest cut to its size limit: how many new drafts follow in the next one
/// ("… vēl 3 projekti nākamajā vēstulē").
pub fn left_out_phrase(left_out: usize, language: Language) -> String {
    match language {
        Language::Lv => format!(
            "… vēl {left_out} {} nākamajā vēstulē",
            lv_noun(left_out, "projekts", "projekti")
        ),
        Language::En => format!(
            "… {left_out} more {} in the next message",
            en_noun(left_out, "draft", "drafts")
        ),
    }
}

/// One change to a draft, in the recipient's language.
pub fn change_phrase(note: &ChangeNote, language: Language) -> String {
    let stage = |value: &Option<String>| match (value, language) {
        (Some(text), _) => format!("«{text}»"),
        (None, Language::Lv) => "nav norādīts".to_owned(),
        (None, Language::En) => "none".to_owned(),
    };
    match (note, language) {
        (ChangeNote::DeadlineMoved { from, to }, Language::Lv) => format!(
            "termiņš pārcelts: {} → {}",
            format_date(*from),
            format_date(*to)
        ),
        (ChangeNote::DeadlineMoved { from, to }, Language::En) => format!(
            "deadline moved: {} → {}",
            format_date(*from),
            format_date(*to)
        ),
        (ChangeNote::WindowReopened { from, to }, Language::Lv) => format!(
            "apspriešana atsākta (beidzās {}, tagad līdz {})",
            format_date(*from),
            format_date(*to)
        ),
        (ChangeNote::WindowReopened { from, to }, Language::En) => format!(
            "consultation reopened (ended {}, now until {})",
            format_date(*from),
            format_date(*to)
        ),
        (ChangeNote::WindowOpened { to }, Language::Lv) => {
            format!("sākta publiskā apspriešana līdz {}", format_date(*to))
        }
        (ChangeNote::WindowOpened { to }, Language::En) => {
            format!("public consultation opened until {}", format_date(*to))
        }
        (ChangeNote::StageChanged { from, to }, Language::Lv) => {
            format!("stadija mainīta: {} → {}", stage(from), stage(to))
        }
        (ChangeNote::StageChanged { from, to }, Language::En) => {
            format!("stage changed: {} → {}", stage(from), stage(to))
        }
        (ChangeNote::Withdrawn, Language::Lv) => {
            "projekts vairs nav atrodams portālā (atsaukts vai izņemts)".to_owned()
        }
        (ChangeNote::Withdrawn, Language::En) => {
            "the draft is no longer on the portal (withdrawn or removed)".to_owned()
        }
        (ChangeNote::CoordinationOpened { to }, Language::Lv) => format!(
            "nodots saskaņošanai: atzinumus var sniegt līdz {}",
            format_date(*to)
        ),
        (ChangeNote::CoordinationOpened { to }, Language::En) => format!(
            "sent for coordination: opinions may be given until {}",
            format_date(*to)
        ),
        (ChangeNote::CoordinationMoved { from, to }, Language::Lv) => format!(
            "saskaņošanas termiņš pārcelts: {} → {} (atzinumus var sniegt līdz {})",
            format_date(*from),
            format_date(*to),
            format_date(*to)
        ),
        (ChangeNote::CoordinationMoved { from, to }, Language::En) => format!(
            "coordination deadline moved: {} → {} (opinions may be given until {})",
            format_date(*from),
            format_date(*to),
            format_date(*to)
        ),
        (
            ChangeNote::OnAgenda {
                meeting: Meeting::StateSecretaries,
                date,
            },
            Language::Lv,
        ) => format!(
            "izsludināts Valsts sekretāru sanāksmē {}",
            format_date(*date)
        ),
        (
            ChangeNote::OnAgenda {
                meeting: Meeting::StateSecretaries,
                date,
            },
            Language::En,
        ) => format!(
            "announced at the State Secretaries' meeting (VSS) on {}",
            format_date(*date)
        ),
        (
            ChangeNote::OnAgenda {
                meeting: Meeting::Cabinet,
                date,
            },
            Language::Lv,
        ) => format!(
            "tiks izskatīts Ministru kabineta sēdē {}",
            format_date(*date)
        ),
        (
            ChangeNote::OnAgenda {
                meeting: Meeting::Cabinet,
                date,
            },
            Language::En,
        ) => format!("to be decided at the Cabinet on {}", format_date(*date)),
        (ChangeNote::Adopted { date: Some(date) }, Language::Lv) => {
            format!("pieņemts {}", format_date(*date))
        }
        (ChangeNote::Adopted { date: None }, Language::Lv) => "pieņemts".to_owned(),
        (ChangeNote::Adopted { date: Some(date) }, Language::En) => {
            format!("adopted on {}", format_date(*date))
        }
        (ChangeNote::Adopted { date: None }, Language::En) => "adopted".to_owned(),
        (ChangeNote::Published { number, date, url }, language) => {
            let mut text = match language {
                Language::Lv => "publicēts «Latvijas Vēstnesī»".to_owned(),
                Language::En => "published in Latvijas Vēstnesis".to_owned(),
            };
            if let Some(date) = date {
                let on = match language {
                    Language::Lv => "",
                    Language::En => "on ",
                };
                text.push_str(&format!(" {on}{}", format_date(*date)));
            }
            if let Some(number) = number {
                let no = match language {
                    Language::Lv => "Nr.",
                    Language::En => "No.",
                };
                text.push_str(&format!(", {no} {number}"));
            }
            if let Some(url) = url {
                text.push_str(&format!(": {url}"));
            }
            text
        }
    }
}

/// The label of a window of `kind` on an item ("Komentēšanas termiņš", "Atzinumus var sniegt
/// līdz"); a kind this build does not know is named as stored.
pub fn window_label(kind: &WindowKind, language: Language) -> &str {
    let labels = labels(language);
    match kind {
        WindowKind::PublicParticipation => labels.window,
        WindowKind::Coordination => labels.coordination_window,
        WindowKind::Other(name) => name,
    }
}

/// How many legal persons are named before "un vēl N".
const NAMED_OPINIONS: usize = 5;

/// Who has already given an opinion, short: organisations by name (the first
/// [`NAMED_OPINIONS`], then how many more), private persons counted, never named ("LPS,
/// VARAM un vēl 2; un 3 privātpersonas"). `None` when nobody has.
pub fn opinions_phrase(opinions: &[Opinion], language: Language) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    for opinion in opinions.iter().filter(|opinion| opinion.legal_person) {
        let name = opinion.submitter.trim();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    let private = opinions
        .iter()
        .filter(|opinion| !opinion.legal_person)
        .count();
    if names.is_empty() && private == 0 {
        return None;
    }
    let more = names.len().saturating_sub(NAMED_OPINIONS);
    let mut text = names
        .iter()
        .take(NAMED_OPINIONS)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        text.push_str(&match language {
            Language::Lv => format!(" un vēl {more}"),
            Language::En => format!(" and {more} more"),
        });
    }
    if private > 0 {
        let persons = match language {
            Language::Lv => format!(
                "{private} {}",
                lv_noun(private, "privātpersona", "privātpersonas")
            ),
            Language::En => format!(
                "{private} {}",
                en_noun(private, "private person", "private persons")
            ),
        };
        if text.is_empty() {
            text = persons;
        } else {
            let and = match language {
                Language::Lv => "un",
                Language::En => "and",
            };
            text.push_str(&format!("; {and} {persons}"));
        }
    }
    Some(text)
}

/// A reminder of the `kind` window ending in `days_left` days.
pub fn window_reminder_phrase(kind: &WindowKind, days_left: i64, language: Language) -> String {
    if *kind != WindowKind::Coordination {
        return reminder_phrase(days_left, language);
    }
    match (language, days_left) {
        (Language::Lv, 0) => "Atgādinājums: saskaņošanas termiņš beidzas šodien".to_owned(),
        (Language::Lv, 1) => "Atgādinājums: saskaņošanas termiņš beidzas rīt".to_owned(),
        (Language::Lv, n) if latvian_takes_singular(n) => {
            format!("Atgādinājums: saskaņošanas termiņš beidzas pēc {n} dienas")
        }
        (Language::Lv, n) => format!("Atgādinājums: saskaņošanas termiņš beidzas pēc {n} dienām"),
        (Language::En, 0) => "Reminder: the coordination deadline is today".to_owned(),
        (Language::En, 1) => "Reminder: the coordination deadline is tomorrow".to_owned(),
        (Language::En, n) => format!("Reminder: the coordination deadline is in {n} days"),
    }
}

/// "In N days" for a reminder, in the recipient's language.
pub fn reminder_phrase(days_left: i64, language: Language) -> String {
    match (language, days_left) {
        (Language::Lv, 0) => "Atgādinājums: termiņš beidzas šodien".to_owned(),
        (Language::Lv, 1) => "Atgādinājums: termiņš beidzas rīt".to_owned(),
        (Language::Lv, n) if latvian_takes_singular(n) => {
            format!("Atgādinājums: termiņš beidzas pēc {n} dienas")
        }
        (Language::Lv, n) => format!("Atgādinājums: termiņš beidzas pēc {n} dienām"),
        (Language::En, 0) => "Reminder: the deadline is today".to_owned(),
        (Language::En, 1) => "Reminder: the deadline is tomorrow".to_owned(),
        (Language::En, n) => format!("Reminder: the deadline is in {n} days"),
    }
}

/// Labels of what a draft's annotation and text add to its entry (issue #12), kept apart
/// from [`Labels`] so the templates get them under the same `l` but the two tables change
/// independently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLabels {
    /// Before the sentence around a hit in the annotation.
    pub in_annotation: &'static str,
    /// Before the sentence around a hit in the draft's own text.
    pub in_document: &'static str,
    /// Before the annotation's impact items answered `Jā`.
    pub impacts_yes: &'static str,
    /// Before the note that 8.1.16 answers `Nē` while a child watchlist fired on the text.
    pub contradiction: &'static str,
}

impl TextLabels {
    /// Every label with its name, for the templates (taken apart field by field, so none
    /// can be forgotten).
    pub fn named(&self) -> [(&'static str, &'static str); 4] {
        let TextLabels {
            in_annotation,
            in_document,
            impacts_yes,
            contradiction,
        } = *self;
        [
            ("in_annotation", in_annotation),
            ("in_document", in_document),
            ("impacts_yes", impacts_yes),
            ("contradiction", contradiction),
        ]
    }
}

const LATVIAN_TEXTS: TextLabels = TextLabels {
    in_annotation: "Anotācijā",
    in_document: "Projekta tekstā",
    impacts_yes: "Anotācijā norādīta ietekme",
    contradiction: "Pretruna",
};

const ENGLISH_TEXTS: TextLabels = TextLabels {
    in_annotation: "In the annotation",
    in_document: "In the draft text",
    impacts_yes: "Impacts marked in the annotation",
    contradiction: "Contradiction",
};

/// The annotation and text labels in `language`.
pub fn text_labels(language: Language) -> &'static TextLabels {
    match language {
        Language::Lv => &LATVIAN_TEXTS,
        Language::En => &ENGLISH_TEXTS,
    }
}

/// "… and N more places" after the sentences shown for a draft's text hits.
pub fn more_places_phrase(more: usize, language: Language) -> String {
    let n = i64::try_from(more).unwrap_or(i64::MAX);
    match language {
        Language::Lv if latvian_takes_singular(n) => format!("… un vēl {more} vieta tekstā"),
        Language::Lv => format!("… un vēl {more} vietas tekstā"),
        Language::En if more == 1 => "… and 1 more place in the text".to_owned(),
        Language::En => format!("… and {more} more places in the text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opinions_name_legal_persons_and_count_private_ones() {
        let opinion = |submitter: &str, legal_person| Opinion {
            window_kind: WindowKind::Coordination,
            submitter: submitter.to_owned(),
            legal_person,
            given_on: None,
            late: false,
        };
        let mut given: Vec<Opinion> = ["FM", "TM", "LPS", "VEA", "IZM", "VARAM", "FM"]
            .iter()
            .map(|name| opinion(name, true))
            .collect();
        given.extend((0..3).map(|_| opinion("Jānis B.", false)));
        assert_eq!(
            opinions_phrase(&given, Language::Lv).as_deref(),
            Some("FM, TM, LPS, VEA, IZM un vēl 1; un 3 privātpersonas")
        );
        assert_eq!(
            opinions_phrase(&given[7..8], Language::En).as_deref(),
            Some("1 private person")
        );
        assert_eq!(opinions_phrase(&[], Language::Lv), None);
    }

    #[test]
    fn singular_rule_follows_last_digits() {
        for n in [1, 21, 31, 101, 121, -1, -21] {
            assert!(latvian_takes_singular(n), "{n}");
        }
        for n in [0, 2, 5, 10, 11, 12, 111, 211, 20, -11] {
            assert!(!latvian_takes_singular(n), "{n}");
        }
    }
}
