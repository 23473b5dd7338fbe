//! The `tap_meetings` source: the State Secretaries' (VSS) and Cabinet meetings of TAP and
//! their agendas (../shared/docs/sources.md §1.5). Each agenda item becomes a draft keyed by
//! its TA number (without `(IP)`), titled by the question, with an
//! [`Milestone::OnAgenda`] (meeting, date, item number, markers, agenda URL) and the
//! participation line's window; so a draft announced at VSS reaches partners even if it never
//! had public participation.
//!
//! One poll, per kind of meeting (VSS first, then Cabinet):
//! 1. Read the meetings list newest first (future meetings are listed too) until a page
//!    reaches a meeting older than `days_back` days, the last page, or `page_limit`. In the
//!    steady state that is one list request per kind.
//! 2. Read the agenda of each meeting from `days_back` days ago onwards, at most
//!    `agenda_limit` per poll, newest first. An agenda already read whose meeting has a signed
//!    protocol is final and not requested again; any other is re-requested with a conditional
//!    GET (the fetcher's ETag / Last-Modified), and an answer "not modified" is not parsed
//!    again. What was read is remembered in memory for the life of the process.
//!
//! Errors are loud, as in [`crate::sources::paging`]: a list or agenda with zero rows, new
//! markup, an impossible date or the firewall page stop the poll with the error, keeping what
//! was read before. The poll deadline stops agenda reading with a warning.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::legal_acts::page_error;
use super::meetings::{
    AgendaItem, Meeting as ListedMeeting, MeetingKind, parse_agenda_page, parse_meetings_page,
};
use crate::clock::Clock;
use crate::config::{MeetingsOptions, SourceConfig, SourceKind};
use crate::model::{KnownDrafts, Meeting, Milestone, ScrapedDraft};
use crate::sources::paging::{fetch, fetch_before, portal_url, warn_unreadable_deadlines};
use crate::sources::{
    BoxFuture, DEFAULT_POLL_DEADLINE, Fetcher, PollOutput, Source, SourceError, SourceWarning,
};

/// Defaults when built from a config of another kind (never in practice).
const DEFAULT_OPTIONS: MeetingsOptions = MeetingsOptions {
    page_limit: 2,
    days_back: 14,
    agenda_limit: 20,
};

/// The kinds read, in order: VSS announces a draft before the Cabinet decides it.
const KINDS: [MeetingKind; 2] = [MeetingKind::StateSecretaries, MeetingKind::CabinetMinisters];

/// The meetings adapter.
#[derive(Debug)]
pub struct TapMeetings {
    name: String,
    base_url: Url,
    options: MeetingsOptions,
    poll_deadline: Duration,
    clock: Clock,
    /// Agenda URL → whether the meeting's protocol was signed when its agenda was read.
    agendas_read: Mutex<HashMap<String, bool>>,
}

impl TapMeetings {
    /// Build from a configured source.
    pub fn new(config: &SourceConfig) -> Self {
        let options = match config.kind {
            SourceKind::TapMeetings(options) => options,
            _ => DEFAULT_OPTIONS,
        };
        Self::with_options(&config.name, config.base_url.clone(), options)
            .with_poll_deadline(config.poll_deadline)
    }

    /// Build from the parts the adapter uses, so tools and tests need no schedule.
    pub fn with_options(name: &str, base_url: Url, options: MeetingsOptions) -> Self {
        TapMeetings {
            name: name.to_owned(),
            base_url,
            options,
            poll_deadline: DEFAULT_POLL_DEADLINE,
            clock: Clock::System,
            agendas_read: Mutex::new(HashMap::new()),
        }
    }

    /// The clock that says which meetings are recent (tests fix it).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// How long a poll may fetch before it stops reading agendas.
    pub fn with_poll_deadline(mut self, poll_deadline: Duration) -> Self {
        self.poll_deadline = poll_deadline;
        self
    }

    /// URL of page `page` (1-based) of `kind`'s meetings list.
    pub fn list_url(&self, kind: MeetingKind, page: u32) -> Url {
        let mut url = portal_url(&self.base_url, kind.list_path());
        url.set_query((page > 1).then(|| format!("page={page}")).as_deref());
        url
    }

    async fn run_poll(&self, fetcher: &Fetcher, cancel: &CancellationToken) -> PollOutput {
        let deadline = Instant::now() + self.poll_deadline;
        let today = self.clock.today(chrono_tz::Europe::Riga);
        let cutoff = today
            .checked_sub_days(chrono::Days::new(u64::from(self.options.days_back)))
            .unwrap_or(today);
        let mut output = PollOutput::default();
        if let Err(error) = self
            .poll_steps(fetcher, cancel, cutoff, deadline, &mut output)
            .await
        {
            tracing::warn!(source = %self.name, %error, "The poll stopped.");
            output.error = Some(error);
        }
        warn_unreadable_deadlines(&self.name, &output.drafts, &mut output.warnings);
        output.requests.log(&self.name);
        output
    }

    async fn poll_steps(
        &self,
        fetcher: &Fetcher,
        cancel: &CancellationToken,
        cutoff: NaiveDate,
        deadline: Instant,
        output: &mut PollOutput,
    ) -> Result<(), SourceError> {
        let mut meetings = Vec::new();
        for kind in KINDS {
            meetings.extend(
                self.recent_meetings(fetcher, cancel, kind, cutoff, output)
                    .await?
                    .into_iter()
                    .map(|meeting| (kind, meeting)),
            );
        }
        let due: Vec<_> = meetings
            .into_iter()
            .filter(|(_, meeting)| !self.is_final_and_read(meeting))
            .take(self.options.agenda_limit as usize)
            .collect();
        for (done, (kind, meeting)) in due.iter().enumerate() {
            output.requests.detail += 1;
            let Some(page) = fetch_before(fetcher, &meeting.url, cancel, deadline).await else {
                output.requests.detail -= 1;
                let warning = SourceWarning::DeadlineReached {
                    deadline: self.poll_deadline,
                    left: due.len() - done,
                };
                tracing::warn!(source = %self.name, %warning, "The poll reached its deadline; what was read is kept.");
                output.warnings.push(warning);
                break;
            };
            let page = page?;
            let key = meeting.url.to_string();
            let known = self.remembered(&key).is_some();
            if page.not_modified && known {
                tracing::debug!(source = %self.name, url = %page.url, "Agenda not modified.");
                continue;
            }
            let agenda = parse_agenda_page(&page.body, &page.url, *kind)
                .map_err(|error| page_error(&page.url, error))?;
            for item in &agenda.items {
                merge(&mut output.drafts, draft_of_item(item, *kind, meeting));
            }
            self.remember(key, meeting.protocol.is_some());
        }
        Ok(())
    }

    /// The meetings of `kind` from `cutoff` on (future ones included), newest first.
    async fn recent_meetings(
        &self,
        fetcher: &Fetcher,
        cancel: &CancellationToken,
        kind: MeetingKind,
        cutoff: NaiveDate,
        output: &mut PollOutput,
    ) -> Result<Vec<ListedMeeting>, SourceError> {
        let mut recent = Vec::new();
        for page_number in 1..=self.options.page_limit {
            let url = self.list_url(kind, page_number);
            output.requests.list += 1;
            let page = fetch(fetcher, &url, cancel).await?;
            output.pages_read += 1;
            let list = parse_meetings_page(&page.body, &page.url, kind)
                .map_err(|error| page_error(&page.url, error))?;
            let reached_cutoff = list
                .meetings
                .iter()
                .any(|meeting| meeting.starts_at.date() < cutoff);
            recent.extend(
                list.meetings
                    .into_iter()
                    .filter(|meeting| meeting.starts_at.date() >= cutoff),
            );
            if reached_cutoff || list.paginator.is_last_page() {
                break;
            }
        }
        recent.sort_by_key(|meeting| std::cmp::Reverse(meeting.starts_at));
        Ok(recent)
    }

    /// Whether the meeting's agenda was read after its protocol was signed: it cannot change.
    fn is_final_and_read(&self, meeting: &ListedMeeting) -> bool {
        self.remembered(meeting.url.as_str()) == Some(true)
    }

    fn remembered(&self, key: &str) -> Option<bool> {
        self.agendas_read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .copied()
    }

    fn remember(&self, key: String, protocol_signed: bool) {
        self.agendas_read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, protocol_signed);
    }
}

/// One agenda item as a draft.
pub fn draft_of_item(
    item: &AgendaItem,
    kind: MeetingKind,
    meeting: &ListedMeeting,
) -> ScrapedDraft {
    let milestone = Milestone::OnAgenda {
        meeting: match kind {
            MeetingKind::StateSecretaries => Meeting::StateSecretaries,
            MeetingKind::CabinetMinisters => Meeting::Cabinet,
        },
        date: meeting.starts_at.date(),
        item: Some(item.number.clone()),
        markers: item
            .markers
            .iter()
            .map(|marker| marker.as_portal().to_owned())
            .collect(),
        url: Some(meeting.url.to_string()),
    };
    ScrapedDraft {
        external_id: item.ta_number.clone(),
        ta_number: Some(item.ta_number.clone()),
        title: item.question.clone(),
        url: item
            .legal_act_url
            .as_ref()
            .unwrap_or(&meeting.url)
            .to_string(),
        window: item.participation.as_ref().map(|line| line.window),
        milestones: vec![milestone],
        restricted: item.restricted,
        ..ScrapedDraft::default()
    }
}

/// Add `draft` to `drafts`, or its milestones to the draft already there with the same id
/// (one draft on a VSS and a Cabinet agenda in the same poll).
fn merge(drafts: &mut Vec<ScrapedDraft>, draft: ScrapedDraft) {
    match drafts
        .iter_mut()
        .find(|d| d.external_id == draft.external_id)
    {
        Some(existing) => {
            for milestone in draft.milestones {
                if !existing.milestones.contains(&milestone) {
                    existing.milestones.push(milestone);
                }
            }
            if existing.window.is_none() {
                existing.window = draft.window;
            }
        }
        None => drafts.push(draft),
    }
}

impl Source for TapMeetings {
    fn name(&self) -> &str {
        &self.name
    }

    fn poll<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        _known: &'a KnownDrafts,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, PollOutput> {
        Box::pin(self.run_poll(fetcher, cancel))
    }
}
