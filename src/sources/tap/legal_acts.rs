//! The `tap_legal_acts` source: TAP `/legal_acts`, every draft legal act newest first with
//! its stage and coordination deadline, and each draft's `/legal_acts/<uuid>` page (policy
//! areas, coordination rounds, opinions, participation rounds, meetings, publication).
//! ../shared/docs/sources.md §1.3–1.4.
//!
//! A [`PagedList`] on the shared skeleton ([`crate::sources::paging`]). The key is the TA
//! number without `(IP)` (the UUIDs differ between TAP views, the TA number does not), so the
//! store can join what this source, `tap_participation` and `tap_meetings` see of one draft;
//! `(IP)` becomes [`ScrapedDraft::restricted`]. A page with a row that cannot be read (an
//! impossible date such as `32.13.2026.`, a missing cell) is refused whole: a stage or deadline
//! read wrongly would be reported wrongly.

use chrono::NaiveDate;
use url::Url;

use super::flextable::PageError;
use super::labels::LabelledPage;
use super::legal_act_detail::{LegalActDetail, MeetingEntry};
use super::legal_acts_list::{LegalActRow, Stage, parse_legal_acts_page};
use crate::config::SourceConfig;
use crate::model::{
    CommentWindow, DraftDetail, KindedWindow, Meeting, Milestone, Opinion, ScrapedDraft, WindowKind,
};
use crate::sources::SourceError;
use crate::sources::fetch::Page;
use crate::sources::paging::{ListRead, ListSettings, PagedList};

/// The meeting status TAP writes when the Cabinet adopted the draft.
const ADOPTED: &str = "Pieņemts";

/// The `/legal_acts` adapter.
#[derive(Debug, Clone)]
pub struct TapLegalActs {
    settings: ListSettings,
}

impl TapLegalActs {
    /// Build from a configured source.
    pub fn new(config: &SourceConfig) -> Self {
        TapLegalActs {
            settings: ListSettings::from_config(config),
        }
    }

    /// Build from the parts the adapter uses, so tools and tests need no schedule.
    pub fn with_limits(name: &str, base_url: Url, page_limit: u32, detail_limit: u32) -> Self {
        TapLegalActs {
            settings: ListSettings::new(name, base_url, page_limit, detail_limit),
        }
    }

    /// How many followed drafts' detail pages are re-read per poll.
    pub fn with_recheck_limit(mut self, recheck_limit: u32) -> Self {
        self.settings.limits.recheck_limit = recheck_limit;
        self
    }
}

impl PagedList for TapLegalActs {
    fn tracks_stage(&self) -> bool {
        true
    }

    fn settings(&self) -> &ListSettings {
        &self.settings
    }

    /// `/legal_acts` is newest first by default; page N is `?page=N`.
    fn list_url(&self, page: u32) -> Url {
        let mut url = self.settings.url_of("/legal_acts");
        url.set_query((page > 1).then(|| format!("page={page}")).as_deref());
        url
    }

    fn parse_list(&self, page: &Page, _page_number: u32) -> Result<ListRead, SourceError> {
        let list = parse_legal_acts_page(&page.body, &page.url)
            .map_err(|error| page_error(&page.url, error))?;
        Ok(ListRead {
            is_last_page: list.paginator.is_last_page(),
            drafts: list.acts.into_iter().map(draft_of_row).collect(),
            ..ListRead::default()
        })
    }

    fn parse_detail(&self, page: &Page) -> Result<DraftDetail, String> {
        LegalActDetail::from_html(&page.body)
            .map(detail_of_page)
            .map_err(|e| e.to_string())
    }
}

/// A list page's [`PageError`] as the poll's error: zero rows stays zero rows (its own alert),
/// everything else is markup the adapter could not read.
pub(super) fn page_error(url: &Url, error: PageError) -> SourceError {
    match error {
        PageError::ZeroRows { .. } => SourceError::ZeroRows {
            url: url.to_string(),
        },
        other => SourceError::Markup {
            url: url.to_string(),
            message: other.to_string(),
        },
    }
}

/// One list row as a draft: stage as written, the coordination deadline as a window from the
/// day it was sent.
pub fn draft_of_row(row: LegalActRow) -> ScrapedDraft {
    let windows = row
        .coordination_deadline
        .map(|to| coordination_window(row.sent_on, to))
        .into_iter()
        .collect();
    ScrapedDraft {
        external_id: row.ta_number.clone(),
        ta_number: Some(row.ta_number),
        title: row.title,
        kind: Some(row.kind),
        ministry: Some(row.ministry),
        stage: Some(row.stage.as_portal().to_owned()),
        url: row.url.to_string(),
        windows,
        restricted: row.restricted,
        ..ScrapedDraft::default()
    }
}

/// A coordination window: from the day opinions were requested (the deadline itself when the
/// list does not say) to the deadline, both inclusive.
fn coordination_window(requested_on: Option<NaiveDate>, due_on: NaiveDate) -> KindedWindow {
    KindedWindow {
        kind: WindowKind::Coordination,
        window: CommentWindow {
            from: requested_on.map_or(due_on, |from| from.min(due_on)),
            to: due_on,
        },
        submit_to: None,
    }
}

/// The detail page in the shared model: coordination rounds as windows (sorted by request
/// day), the latest participation round as the public window, `Saskaņojumi` as opinions,
/// meetings as agenda milestones (and adoption when a meeting adopted it), the Vēstnesis
/// fields as publication.
pub fn detail_of_page(page: LegalActDetail) -> DraftDetail {
    let windows = page
        .coordination_rounds
        .iter()
        .map(|round| coordination_window(Some(round.requested_on), round.due_on))
        .collect();
    let window = page
        .participation_rounds
        .iter()
        .map(|round| CommentWindow {
            from: round.window.from,
            to: round.window.to,
        })
        .max_by_key(|window| window.to);
    let opinions = page
        .opinions
        .iter()
        .map(|opinion| Opinion {
            window_kind: WindowKind::Coordination,
            submitter: opinion.institution.clone(),
            legal_person: true,
            given_on: Some(opinion.given_on),
            late: opinion.late,
        })
        .collect();
    let mut milestones: Vec<Milestone> = page.meetings.iter().filter_map(on_agenda).collect();
    let adopted_on = page
        .meetings
        .iter()
        .filter(|m| m.status.as_deref() == Some(ADOPTED))
        .map(|m| m.at.date())
        .max();
    let published = page.published_on.is_some()
        || page.publication_number.is_some()
        || page.publication_url.is_some();
    if adopted_on.is_some() || published {
        milestones.push(Milestone::Adopted { date: adopted_on });
    }
    if published {
        milestones.push(Milestone::Published {
            number: page.publication_number.clone(),
            date: page.published_on,
            url: page.publication_url.clone(),
        });
    }
    DraftDetail {
        description: None,
        policy_areas: page.policy_areas,
        window,
        unreadable_deadline: None,
        // Adoption is the one stage the detail page shows for certain; the list gives the rest.
        stage: (adopted_on.is_some() || published).then(|| Stage::Adopted.as_portal().to_owned()),
        windows,
        opinions,
        milestones,
        annotation_urls: page.annotation_urls,
    }
}

/// A `Sēdes/Sanāksmes` row as an agenda milestone; rows of other meetings (committees) are
/// not milestones a partner acts on.
fn on_agenda(entry: &MeetingEntry) -> Option<Milestone> {
    let meeting = if entry.name.starts_with("Valsts sekretāru") {
        Meeting::StateSecretaries
    } else if entry.name.starts_with("Ministru kabineta") && !entry.name.contains("komitej") {
        Meeting::Cabinet
    } else {
        return None;
    };
    Some(Milestone::OnAgenda {
        meeting,
        date: entry.at.date(),
        item: None,
        markers: Vec::new(),
        url: None,
    })
}
