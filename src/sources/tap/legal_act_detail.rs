//! Parsing of a TAP `/legal_acts/<uuid>` detail page (a draft's whole path through the
//! government: coordination, opinions, participation, meetings, publication), label by label
//! from the visible text of `<main>` (../shared/docs/sources.md §1.4; the 26-TA-1173 and
//! 25-TA-316 captures in ../shared/samples).

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime};
use regex::Regex;

use super::labels::{
    DATE_PATTERN, DateRange, DetailError, Labelled, LabelledPage, PageLink, after_header, each_row,
    link_titled, links_under, meaningful, parse_date, parse_date_time, parse_range, regex,
    split_policy_areas, unreadable,
};

/// The draft's TA number; `(IP)` after it marks restricted access.
pub const LABEL_ID: &str = "Projekta ID";
/// Title.
pub const LABEL_TITLE: &str = "Tiesību akta nosaukums";
/// Kind of act (`Noteikumu projekts`, `Likumprojekts`, …).
pub const LABEL_KIND: &str = "Tiesību akta veids";
/// Responsible ministry.
pub const LABEL_MINISTRY: &str = "Atbildīgā ministrija";
/// Policy areas.
pub const LABEL_POLICY_AREAS: &str = "Politikas jomas";
/// Availability (`Vispārpieejams`, …).
pub const LABEL_AVAILABILITY: &str = "Pieejamības statuss";
/// Who prepared the draft, `Name (EM)`.
pub const LABEL_PREPARED_BY: &str = "Sagatavotājs";
/// Day of publication in Latvijas Vēstnesis (appears after adoption).
pub const LABEL_PUBLISHED_ON: &str = "Publikācijas datums vestnesis.lv";
/// Latvijas Vēstnesis issue number, `2026/180.9` (appears after adoption).
pub const LABEL_PUBLICATION_NUMBER: &str = "Publikācijas nr. vestnesis.lv";
/// Link to the published act (appears after adoption).
pub const LABEL_PUBLICATION_URL: &str = "Publicētais dokuments vestnesis.lv";
/// The draft's documents (link texts).
pub const LABEL_DOCUMENTS: &str = "Dokumenti";
/// Opinions given in coordination, `FM - 06.08.2026.`.
pub const LABEL_OPINIONS: &str = "Saskaņojumi";
/// Coordination rounds, requested / due date pairs.
pub const LABEL_COORDINATION: &str = "Saskaņošana";
/// Public participation rounds (the genitive form is what the page prints).
pub const LABEL_PARTICIPATION: &str = "Sabiedrības līdzdalības";
/// Meetings the draft was on.
pub const LABEL_MEETINGS: &str = "Sēdes/Sanāksmes";

/// The labels in page order.
const LABELS: [&str; 15] = [
    LABEL_ID,
    LABEL_TITLE,
    LABEL_KIND,
    LABEL_MINISTRY,
    LABEL_POLICY_AREAS,
    LABEL_AVAILABILITY,
    LABEL_PREPARED_BY,
    LABEL_PUBLISHED_ON,
    LABEL_PUBLICATION_NUMBER,
    LABEL_PUBLICATION_URL,
    LABEL_DOCUMENTS,
    LABEL_OPINIONS,
    LABEL_COORDINATION,
    LABEL_PARTICIPATION,
    LABEL_MEETINGS,
];

const COORDINATION_HEADER: &str = "Pieprasīts Sniegšanas termiņš";
const PARTICIPATION_HEADER: &str = "Līdzdalības veids Termiņš";
const MEETINGS_HEADER: &str = "Datums Nosaukums Statuss Protokols";
/// Suffix of an opinion given after the coordination deadline.
const LATE_MARK: &str = " - pēc termiņa";
/// Suffix of a restricted draft's id ("ierobežotas pieejamības").
const RESTRICTED_MARK: &str = "(IP)";

static OPINION: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"^(?P<who>\S.*?) - (?P<date>{DATE_PATTERN})(?P<late>{LATE_MARK})?(?: |$)"
    ))
});
static ANY_DATE: LazyLock<Regex> = LazyLock::new(|| regex(DATE_PATTERN));
static PARTICIPATION_ROW: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"^(?P<kind>\S.*?) (?P<range>{DATE_PATTERN} - {DATE_PATTERN})(?: |$)"
    ))
});
/// A meeting row starts with its date and time; the name holds a date without a time.
static MEETING_START: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?:^| )({DATE_PATTERN} \d{{1,2}}:\d{{2}})(?: |$)"
    ))
});
/// A meeting's name ends with the kind of meeting, maybe followed by a remark in parentheses
/// (`sēde (sēdes sākums plkst.14.00)`).
static MEETING_NAME: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^(?P<name>.*?(?:sēde|sanāksme)(?: \([^)]*\))?)(?: (?P<rest>.*))?$"));
static PROTOCOL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^(?P<status>.*?) ?(?P<protocol>Nr\. ?\S+)$"));

/// A draft legal act's detail page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalActDetail {
    /// TA number without the `(IP)` mark, e.g. `26-TA-1173`.
    pub id: String,
    /// The id carried `(IP)`: restricted access, documents not public.
    pub restricted: bool,
    /// Title as written.
    pub title: Option<String>,
    /// Kind of act.
    pub kind: Option<String>,
    /// Responsible ministry.
    pub ministry: Option<String>,
    /// Policy areas. In the collapsed text several areas cannot be told apart unless the page
    /// separates them with commas, so an unseparated value is one entry.
    pub policy_areas: Vec<String>,
    /// Availability status.
    pub availability: Option<String>,
    /// Who prepared the draft, as written (`Name (EM)`).
    pub prepared_by: Option<String>,
    /// Day of publication in Latvijas Vēstnesis, once adopted.
    pub published_on: Option<NaiveDate>,
    /// Latvijas Vēstnesis number, once adopted.
    pub publication_number: Option<String>,
    /// Link to the published act, once adopted.
    pub publication_url: Option<String>,
    /// The `Dokumenti` value as written (link texts run together).
    pub documents: Option<String>,
    /// Opinions given in coordination, in page order.
    pub opinions: Vec<CoordinationOpinion>,
    /// Coordination rounds, sorted by the day they were requested.
    pub coordination_rounds: Vec<CoordinationRound>,
    /// Public participation rounds.
    pub participation_rounds: Vec<ParticipationRound>,
    /// Meetings the draft was on.
    pub meetings: Vec<MeetingEntry>,
    /// Links to the draft's annotation (`/annotation/<uuid>`).
    pub annotation_urls: Vec<String>,
}

/// One entry of `Saskaņojumi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordinationOpinion {
    /// Short code of the institution, `FM`, `VEA`.
    pub institution: String,
    /// Day the opinion was given.
    pub given_on: NaiveDate,
    /// Marked `pēc termiņa`: given after the coordination deadline.
    pub late: bool,
    /// The opinion's page (`/reviews/resolutions/<uuid>`), when the links were given.
    pub resolution_url: Option<String>,
}

/// One coordination round of `Saskaņošana`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CoordinationRound {
    /// Day opinions were requested (`Pieprasīts`).
    pub requested_on: NaiveDate,
    /// Last day to give them (`Sniegšanas termiņš`, inclusive).
    pub due_on: NaiveDate,
}

/// One row of `Sabiedrības līdzdalības`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationRound {
    /// `Līdzdalības veids`, e.g. `Publiskā apspriešana`.
    pub kind: String,
    /// `Termiņš`.
    pub window: DateRange,
}

/// One row of `Sēdes/Sanāksmes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingEntry {
    /// When the meeting starts (Riga time).
    pub at: NaiveDateTime,
    /// The meeting's name, e.g. `Ministru kabineta 15.09.2026. sēde`.
    pub name: String,
    /// What the meeting did with the draft, e.g. `Pieņemts`.
    pub status: Option<String>,
    /// Protocol number, empty until the protocol is signed.
    pub protocol: Option<String>,
}

impl LabelledPage for LegalActDetail {
    const PAGE: &'static str = "legal act detail page";
    const LABELS: &'static [&'static str] = &LABELS;

    /// The links give the annotation and the opinions' pages.
    fn from_labelled(labelled: &Labelled<'_>, links: &[PageLink]) -> Result<Self, DetailError> {
        let raw_id = labelled
            .value(LABEL_ID)
            .ok_or(DetailError::Missing { label: LABEL_ID })?;
        let (id, restricted) = match raw_id.strip_suffix(RESTRICTED_MARK) {
            Some(id) => (id.trim_end().to_owned(), true),
            None => (raw_id, false),
        };
        Ok(LegalActDetail {
            id,
            restricted,
            title: labelled.value(LABEL_TITLE),
            kind: labelled.value(LABEL_KIND),
            ministry: labelled.value(LABEL_MINISTRY),
            policy_areas: labelled
                .value(LABEL_POLICY_AREAS)
                .map(|areas| split_policy_areas(&areas))
                .unwrap_or_default(),
            availability: labelled.value(LABEL_AVAILABILITY),
            prepared_by: labelled.value(LABEL_PREPARED_BY),
            published_on: labelled.read(LABEL_PUBLISHED_ON, parse_date)?,
            publication_number: labelled.value(LABEL_PUBLICATION_NUMBER),
            publication_url: labelled.value(LABEL_PUBLICATION_URL),
            documents: labelled.value(LABEL_DOCUMENTS),
            opinions: labelled.table(LABEL_OPINIONS, |value| parse_opinions(value, links))?,
            coordination_rounds: labelled.table(LABEL_COORDINATION, parse_coordination)?,
            participation_rounds: labelled.table(LABEL_PARTICIPATION, parse_participation)?,
            meetings: labelled.table(LABEL_MEETINGS, parse_meetings)?,
            annotation_urls: links_under(links, "/annotation/"),
        })
    }
}

/// `FM - 06.08.2026. VEA - 13.08.2026. - pēc termiņa …`: every entry must be read.
fn parse_opinions(
    value: &str,
    links: &[PageLink],
) -> Result<Vec<CoordinationOpinion>, DetailError> {
    each_row(
        LABEL_OPINIONS,
        value,
        &OPINION,
        "expected \"INSTITUTION - dd.mm.yyyy.\" optionally followed by \" - pēc termiņa\"",
        |captures| {
            let entry = captures.get(0).map_or("", |m| m.as_str()).trim_end();
            Ok(CoordinationOpinion {
                institution: captures["who"].to_owned(),
                given_on: parse_date(LABEL_OPINIONS, &captures["date"])?,
                late: captures.name("late").is_some(),
                resolution_url: link_titled(links, entry, "/reviews/resolutions/"),
            })
        },
    )
}

/// `Pieprasīts Sniegšanas termiņš` followed by dates that pair up two by two (requested, due),
/// in no particular order between pairs: pair them, then sort by the requested day, so the
/// first round is never just the first pair printed.
fn parse_coordination(value: &str) -> Result<Vec<CoordinationRound>, DetailError> {
    let dates_text = after_header(LABEL_COORDINATION, value, COORDINATION_HEADER)?;
    let leftover = ANY_DATE.replace_all(dates_text, "");
    if !leftover.trim().is_empty() {
        return Err(unreadable(
            LABEL_COORDINATION,
            dates_text,
            "expected only dd.mm.yyyy. dates",
        ));
    }
    let dates = ANY_DATE
        .find_iter(dates_text)
        .map(|m| parse_date(LABEL_COORDINATION, m.as_str()))
        .collect::<Result<Vec<_>, _>>()?;
    if dates.len() % 2 != 0 {
        return Err(unreadable(
            LABEL_COORDINATION,
            dates_text,
            "an odd number of dates cannot be requested/due pairs",
        ));
    }
    let mut rounds = Vec::new();
    for pair in dates.chunks_exact(2) {
        let round = CoordinationRound {
            requested_on: pair[0],
            due_on: pair[1],
        };
        // A deadline before the request means the columns are not what they were.
        if round.due_on < round.requested_on {
            return Err(unreadable(
                LABEL_COORDINATION,
                dates_text,
                "a round is due before it was requested",
            ));
        }
        rounds.push(round);
    }
    rounds.sort();
    Ok(rounds)
}

/// `Līdzdalības veids Termiņš` followed by `KIND dd.mm.yyyy. - dd.mm.yyyy.` rows.
fn parse_participation(value: &str) -> Result<Vec<ParticipationRound>, DetailError> {
    each_row(
        LABEL_PARTICIPATION,
        after_header(LABEL_PARTICIPATION, value, PARTICIPATION_HEADER)?,
        &PARTICIPATION_ROW,
        "expected \"KIND dd.mm.yyyy. - dd.mm.yyyy.\"",
        |captures| {
            Ok(ParticipationRound {
                kind: captures["kind"].to_owned(),
                window: parse_range(LABEL_PARTICIPATION, &captures["range"])?,
            })
        },
    )
}

/// `Datums Nosaukums Statuss Protokols` followed by rows that each start with a date and time.
fn parse_meetings(value: &str) -> Result<Vec<MeetingEntry>, DetailError> {
    let rows_text = after_header(LABEL_MEETINGS, value, MEETINGS_HEADER)?;
    let starts: Vec<_> = MEETING_START
        .captures_iter(rows_text)
        .filter_map(|c| c.get(1))
        .collect();
    if starts.first().is_none_or(|first| first.start() != 0) && !rows_text.is_empty() {
        return Err(unreadable(
            LABEL_MEETINGS,
            rows_text,
            "a meeting row must start with \"dd.mm.yyyy. HH:MM\"",
        ));
    }
    let mut meetings = Vec::new();
    for (index, start) in starts.iter().enumerate() {
        let row_end = starts
            .get(index + 1)
            .map_or(rows_text.len(), |next| next.start());
        let row = rows_text[start.end()..row_end].trim();
        let named = MEETING_NAME.captures(row).ok_or_else(|| {
            unreadable(
                LABEL_MEETINGS,
                rows_text[start.start()..row_end].trim(),
                "expected a meeting name ending in \"sēde\" or \"sanāksme\"",
            )
        })?;
        let rest = named.name("rest").map_or("", |m| m.as_str()).trim();
        let (status, protocol) = match PROTOCOL.captures(rest) {
            Some(found) => (meaningful(&found["status"]), meaningful(&found["protocol"])),
            None => (meaningful(rest), None),
        };
        meetings.push(MeetingEntry {
            at: parse_date_time(LABEL_MEETINGS, start.as_str())?,
            name: named["name"].to_owned(),
            status,
            protocol,
        });
    }
    Ok(meetings)
}
