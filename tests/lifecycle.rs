//! Issue #10's acceptance for digests that follow a draft through its life on TAP portāls:
//! the three sources poll fixture pages served by a local mock portal (127.0.0.1 only) into a
//! real SQLite file, and the digests go over real SMTP to the in-process sink, where they are
//! parsed with mail-parser.
//!
//! - 26-TA-1985 is followed through five polls: public participation, coordination with a
//!   deadline, the State Secretaries' (VSS) agenda, the Cabinet agenda, adoption and
//!   publication. Each partner whose watchlist matches hears of each step once, in order; an
//!   extra poll and digest repeat nothing.
//! - 26-TA-2279 never had public participation; announced at VSS, it reaches the partner
//!   following railway law with its coordination deadline.
//! - 26-TA-1985's coordination deadline moves on the portal: the move is re-announced and
//!   the reminders come before the new date, never before the old one.
//!
//! The pages are the fixtures of `tests/fixtures/tap` and `tests/fixtures/tap_legal_acts`;
//! the ones reconstructed for these tests are listed in those folders' READMEs.

mod sources_common;
mod support;

use std::path::Path;

use chrono::{DateTime, Utc};
use draftwatch::clock::Clock;
use draftwatch::config::{Config, MeetingsOptions};
use draftwatch::digest::calendar::unfold;
use draftwatch::digest::{DigestContext, DigestSummary, send_digests};
use draftwatch::mailer::SmtpMailer;
use draftwatch::matcher::WatchlistSet;
use draftwatch::pipeline::poll_source;
use draftwatch::sources::Source;
use draftwatch::sources::tap::{TapLegalActs, TapMeetings, TapParticipation};
use draftwatch::store::{SharedStore, Store};
use support::smtp::SmtpSink;
use support::{FILE_MAIL, local_smtp, parse_mail, utc};
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{method, path, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// 26-TA-1985's page in the `/legal_acts` view (the UUID of the reconstructed list rows).
const LEGAL_ACT_1985: &str = "/legal_acts/097301aa-d43b-5f4d-aa2d-0d51a822b4c6";
/// The VSS meeting of 17.09.2026 in `meetings_state_secretaries_list.html`.
const VSS_17_09: &str = "/meetings/state_secretaries/1a1eb862-5eaf-527c-a15d-e85146593e46";
/// The Cabinet meeting of 22.09.2026 in the reconstructed `meetings_cabinet_list_22-09-2026.html`.
const CABINET_22_09: &str = "/meetings/cabinet_ministers/0c4b7e22-1985-4e2a-9d22-220920261200";

const CHILDREN: &str = "berni@biedriba.lv";
const VIOLENCE: &str = "vardarbiba@biedriba.lv";
const RAILWAYS: &str = "dzelzcels@biedriba.lv";

/// A partner following railway law: a watchlist of its own, next to two shipped ones.
const RAILWAY_WATCHLIST: &str = r#"name = "dzelzcels"
description = "Dzelzceļš"
fields = ["title"]

[[rules]]
word = "dzelzceļš"
"#;

/// One installation: the mock portal, a store file, the configuration, the watchlists and
/// the SMTP sink.
struct Installation {
    _dir: tempfile::TempDir,
    server: MockServer,
    config: Config,
    store: SharedStore,
    watchlists: WatchlistSet,
    sink: SmtpSink,
    mailer: SmtpMailer,
}

/// Three partners: "Bērni" (berni, Latvian), "Violence" (vardarbiba, English) and
/// "Dzelzceļi" (the railway watchlist, Latvian).
async fn installation() -> Installation {
    let dir = support::temp_dir();
    let db = dir.path().join("draftwatch.sqlite3");
    let lists = dir.path().join("watchlists");
    std::fs::create_dir_all(&lists).expect("watchlists folder");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("watchlists");
    for name in ["berni.toml", "vardarbiba.toml"] {
        std::fs::copy(shipped.join(name), lists.join(name)).expect("copy watchlist");
    }
    std::fs::write(lists.join("dzelzcels.toml"), RAILWAY_WATCHLIST).expect("watchlist");
    let text = format!(
        r#"{head}[[sources]]
name = "tap_legal_acts"
kind = "tap_legal_acts"
base_url = "https://tapportals.mk.gov.lv"
schedule = "20 8 * * *"
[[sources]]
name = "tap_meetings"
kind = "tap_meetings"
base_url = "https://tapportals.mk.gov.lv"
schedule = "40 8 * * *"
{FILE_MAIL}[digest]
schedule = "0 9 * * *"
[[recipients]]
name = "Bērni"
addresses = ["{CHILDREN}"]
watchlists = ["berni"]
language = "lv"
[[recipients]]
name = "Violence"
addresses = ["{VIOLENCE}"]
watchlists = ["vardarbiba"]
language = "en"
[[recipients]]
name = "Dzelzceļi"
addresses = ["{RAILWAYS}"]
watchlists = ["dzelzcels"]
language = "lv"
"#,
        head = support::config_head(&db),
    );
    let config = Config::from_toml(&text, None).expect("test config loads");
    let watchlists = WatchlistSet::load_dir(&lists).expect("watchlists load");
    let store = SharedStore::new(Store::open(&db).expect("store opens"));
    let sink = SmtpSink::start().await;
    let mailer = SmtpMailer::new(&local_smtp(sink.port())).expect("mailer");
    Installation {
        _dir: dir,
        server: MockServer::start().await,
        config,
        store,
        watchlists,
        sink,
        mailer,
    }
}

fn tap(name: &str) -> String {
    sources_common::fixture(&format!("tap/{name}"))
}

/// What `tap_meetings` reads: both meetings lists (the State Secretaries' one captured, the
/// Cabinet one `cabinet_list`) and one agenda, `agenda_file` served at `agenda_route`.
fn meeting_pages(
    cabinet_list: &str,
    agenda_route: &'static str,
    agenda_file: &str,
) -> [(&'static str, String); 3] {
    [
        (
            "/meetings/state_secretaries",
            tap("meetings_state_secretaries_list.html"),
        ),
        ("/meetings/cabinet_ministers", tap(cabinet_list)),
        (agenda_route, tap(agenda_file)),
    ]
}

fn legal(name: &str) -> String {
    sources_common::fixture(&format!("tap_legal_acts/{name}"))
}

impl Installation {
    fn base(&self) -> Url {
        Url::parse(&self.server.uri()).expect("mock portal URL")
    }

    /// Serve exactly `pages` (path, body); every other path answers 404.
    async fn serve(&self, pages: &[(&str, String)]) {
        self.server.reset().await;
        for (at, body) in pages {
            Mock::given(method("GET"))
                .and(path(*at))
                .and(query_param_is_missing("page"))
                .respond_with(sources_common::html(body.clone()))
                .mount(&self.server)
                .await;
        }
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&self.server)
            .await;
    }

    /// Poll `source` at `at` through the pipeline into the store; the poll must succeed.
    async fn poll(&self, source: &dyn Source, at: DateTime<Utc>) {
        let summary = poll_source(
            source,
            &sources_common::fetcher(),
            &self.store,
            &Clock::fixed(at),
            &CancellationToken::new(),
        )
        .await
        .expect("poll recorded");
        assert!(summary.error.is_none(), "{summary}");
    }

    async fn poll_participation(&self, at: DateTime<Utc>) {
        self.serve(&[(
            "/public_participation",
            tap("public_participation_page1.html"),
        )])
        .await;
        let source = TapParticipation::with_limits("tap", self.base(), 1, 0);
        self.poll(&source, at).await;
    }

    /// `/legal_acts` page 1 is `list`; 26-TA-1985's own page is `detail`, when given.
    async fn poll_legal_acts(&self, list: String, detail: Option<String>, at: DateTime<Utc>) {
        let mut pages = vec![("/legal_acts", list)];
        if let Some(detail) = detail {
            pages.push((LEGAL_ACT_1985, detail));
        }
        self.serve(&pages).await;
        let source = TapLegalActs::with_limits("tap_legal_acts", self.base(), 1, 5);
        self.poll(&source, at).await;
    }

    /// Both meetings lists and the agendas of meetings from the day before `at` on.
    async fn poll_meetings(&self, pages: &[(&str, String)], at: DateTime<Utc>) {
        self.serve(pages).await;
        let source = TapMeetings::with_options(
            "tap_meetings",
            self.base(),
            MeetingsOptions {
                page_limit: 2,
                days_back: 1,
                agenda_limit: 10,
            },
        )
        .with_clock(Clock::fixed(at));
        self.poll(&source, at).await;
    }

    async fn digest(&self, now: DateTime<Utc>) -> DigestSummary {
        let summary = send_digests(&DigestContext {
            config: &self.config,
            store: &self.store,
            watchlists: &self.watchlists,
            mailer: &self.mailer,
            now,
            dry_run: false,
            only_recipient: None,
        })
        .await
        .expect("digest run");
        assert!(!summary.has_failures(), "{summary}");
        summary
    }

    /// The messages `address` received so far, oldest first: (raw, parsed).
    fn mails_to(&self, address: &str) -> Vec<(Vec<u8>, support::ParsedMail)> {
        self.sink
            .messages()
            .into_iter()
            .map(|message| {
                let parsed = parse_mail(&message.data);
                (message.data, parsed)
            })
            .filter(|(_, mail)| mail.to.iter().any(|to| to == address))
            .collect()
    }
}

/// The calendar attachment of a raw message, if it has one.
fn calendar_of(raw: &[u8]) -> Option<String> {
    use mail_parser::{MessageParser, MimeHeaders};
    let message = MessageParser::default().parse(raw)?;
    message
        .attachments()
        .find(|part| {
            part.content_type().is_some_and(|ct| {
                ct.subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("calendar"))
            })
        })
        .map(|part| String::from_utf8_lossy(part.contents()).into_owned())
}

/// The plain-text part with CRLF turned into LF.
fn text(mail: &support::ParsedMail) -> String {
    mail.text.replace("\r\n", "\n")
}

/// How many of `texts` contain `needle`, and the index of the first; runs of white space
/// (the text part wraps long lines) count as one space.
fn occurrences(texts: &[String], needle: &str) -> (usize, Option<usize>) {
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let needle = words(needle);
    let texts: Vec<String> = texts.iter().map(|text| words(text)).collect();
    let count = texts.iter().filter(|text| text.contains(&needle)).count();
    (count, texts.iter().position(|text| text.contains(&needle)))
}

/// 26-TA-1985 through five polls of fixture pages, with a digest after each: public
/// participation (new), coordination with a deadline and the opinions already given, the VSS
/// agenda, the Cabinet agenda (with the coordination deadline's 3-day reminder), adoption and
/// publication; then an extra poll of every source and an extra digest.
#[tokio::test]
async fn one_draft_followed_through_five_polls_reaches_each_partner_once_per_event_in_order() {
    let i = installation().await;

    // 1. Public participation, 25.08.–08.09.2026: one day left on 07.09.
    i.poll_participation(utc(2026, 9, 7, 5, 0)).await;
    i.digest(utc(2026, 9, 7, 6, 0)).await;

    // 2. Sent for coordination on 10.09, opinions until 24.09; FM and LPS have answered.
    i.poll_legal_acts(
        legal("legal_acts_26-TA-1985_coordination.html"),
        Some(legal("legal_act_detail_26-TA-1985_coordination.html")),
        utc(2026, 9, 12, 5, 0),
    )
    .await;
    i.digest(utc(2026, 9, 12, 6, 0)).await;

    // 3. On the VSS agenda of 17.09.
    let vss = meeting_pages(
        "meetings_cabinet_list.html",
        VSS_17_09,
        "meetings_state_secretaries_agenda.html",
    );
    i.poll_meetings(&vss, utc(2026, 9, 18, 5, 0)).await;
    i.digest(utc(2026, 9, 18, 6, 0)).await;

    // 4. On the agenda of the Cabinet meeting of 22.09, read on 21.09: three days before
    // the coordination deadline.
    let cabinet = meeting_pages(
        "meetings_cabinet_list_22-09-2026.html",
        CABINET_22_09,
        "meetings_cabinet_agenda_22-09-2026.html",
    );
    i.poll_meetings(&cabinet, utc(2026, 9, 21, 5, 0)).await;
    i.digest(utc(2026, 9, 21, 6, 0)).await;

    // 5. Adopted on 22.09 and published on 29.09: newer drafts have pushed it off the first
    // list page, so its page is re-read as a followed draft whose stage is not final.
    i.poll_legal_acts(
        legal("legal_acts_after_26-TA-1985.html"),
        Some(legal("legal_act_detail_26-TA-1985_adopted.html")),
        utc(2026, 9, 30, 5, 0),
    )
    .await;
    i.digest(utc(2026, 9, 30, 6, 0)).await;
    let sent_before_extra = i.sink.messages().len();

    // An extra poll of every source and an extra digest tell nobody anything again.
    i.poll_participation(utc(2026, 10, 1, 5, 0)).await;
    i.poll_legal_acts(
        legal("legal_acts_after_26-TA-1985.html"),
        Some(legal("legal_act_detail_26-TA-1985_adopted.html")),
        utc(2026, 10, 1, 5, 10),
    )
    .await;
    i.poll_meetings(&cabinet, utc(2026, 10, 1, 5, 20)).await;
    i.digest(utc(2026, 10, 1, 6, 0)).await;
    let extra: Vec<String> = i.sink.messages()[sent_before_extra..]
        .iter()
        .map(|message| text(&parse_mail(&message.data)))
        .collect();
    assert!(
        extra.iter().all(|text| !text.contains("26-TA-1985")),
        "nothing about 26-TA-1985 is repeated: {extra:?}"
    );

    // Latvian partner (berni).
    let mails = i.mails_to(CHILDREN);
    let texts: Vec<String> = mails.iter().map(|(_, mail)| text(mail)).collect();
    // Each step in the digest after the poll that saw it (digest n follows poll n + 1).
    let events = [
        (
            "== TERMIŅŠ DRĪZ BEIDZAS ==\n\n1. Grozījumi Bērnu tiesību aizsardzības likumā\n   \
             Numurs: 26-TA-1985",
            0,
        ),
        // The participation list shows no stage; the legal acts list does.
        ("stadija mainīta: nav norādīts → «Saskaņošana»", 1),
        (
            "nodots saskaņošanai: atzinumus var sniegt līdz 24.09.2026.",
            1,
        ),
        ("izsludināts Valsts sekretāru sanāksmē 17.09.2026.", 2),
        ("tiks izskatīts Ministru kabineta sēdē 22.09.2026.", 3),
        ("stadija mainīta: «Saskaņošana» → «Pieņemts»", 4),
        ("pieņemts 22.09.2026.", 4),
        (
            "publicēts «Latvijas Vēstnesī» 29.09.2026., Nr. 2026/190.4: \
             https://vestnesis.lv/op/2026/190.4",
            4,
        ),
    ];
    assert_eq!(texts.len(), 5, "one digest per step: {texts:#?}");
    for (event, digest) in events {
        let (count, first) = occurrences(&texts, event);
        assert_eq!(count, 1, "{event:?} told once: {texts:#?}");
        assert_eq!(
            first,
            Some(digest),
            "{event:?} in digest {digest}: {texts:#?}"
        );
    }
    // The first report: public participation closing the next day.
    let first = &texts[0];
    assert!(first.contains("TERMIŅŠ DRĪZ BEIDZAS"), "{first}");
    assert!(
        first.contains("25.08.2026. – 08.09.2026. (atlikusi 1 diena)"),
        "{first}"
    );
    // In coordination: the deadline, who answered, where to submit; the calendar carries it.
    let (_, coordination) = occurrences(&texts, "nodots saskaņošanai");
    let coordination = coordination.expect("coordination told");
    let told = &texts[coordination];
    assert!(
        told.contains("Atzinumus var sniegt līdz: 24.09.2026. (atlikušas 12 dienas)"),
        "{told}"
    );
    assert!(told.contains("Viedokļus jau snieguši: FM, LPS"), "{told}");
    let calendar = calendar_of(&mails[coordination].0).expect("calendar attached");
    let lines = unfold(&calendar);
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("SUMMARY:Saskaņošanas termiņš: 26-TA-1985")),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"DTSTART;VALUE=DATE:20260924".to_owned()),
        "{lines:?}"
    );
    // The Cabinet digest, three days before the coordination deadline, reminds of it.
    let (_, cabinet_at) = occurrences(&texts, "tiks izskatīts Ministru kabineta sēdē");
    let cabinet_text = &texts[cabinet_at.expect("cabinet told")];
    assert!(
        cabinet_text.contains("* Atgādinājums: saskaņošanas termiņš beidzas pēc 3 dienām"),
        "{cabinet_text}"
    );
    assert_eq!(
        cabinet_text.matches("Numurs: 26-TA-1985").count(),
        1,
        "reminded and changed, listed once: {cabinet_text}"
    );
    // Adopted: the opinions given by then, organisations named, the rest counted.
    let (_, adopted_at) = occurrences(&texts, "pieņemts 22.09.2026.");
    let adopted = &texts[adopted_at.expect("adoption told")];
    assert!(
        adopted.contains("FM, LPS, TM, IZM, VK un vēl 2"),
        "{adopted}"
    );
    // Every window has closed by then: no invitation to submit an opinion any more.
    assert!(!adopted.contains("Iesniegt viedokli"), "{adopted}");

    // English partner (vardarbiba): the same steps, once each, in order.
    let english: Vec<String> = i
        .mails_to(VIOLENCE)
        .iter()
        .map(|(_, mail)| text(mail))
        .collect();
    assert_eq!(english.len(), 5, "one digest per step: {english:#?}");
    for (event, digest) in [
        (
            "sent for coordination: opinions may be given until 24.09.2026.",
            1,
        ),
        (
            "announced at the State Secretaries' meeting (VSS) on 17.09.2026.",
            2,
        ),
        ("to be decided at the Cabinet on 22.09.2026.", 3),
        ("adopted on 22.09.2026.", 4),
        (
            "published in Latvijas Vēstnesis on 29.09.2026., No. 2026/190.4",
            4,
        ),
    ] {
        let (count, first) = occurrences(&english, event);
        assert_eq!(count, 1, "{event:?} told once: {english:#?}");
        assert_eq!(
            first,
            Some(digest),
            "{event:?} in digest {digest}: {english:#?}"
        );
    }

    // The railway partner's watchlist does not match: it hears nothing of 26-TA-1985.
    assert!(
        i.mails_to(RAILWAYS)
            .iter()
            .all(|(_, mail)| !mail.text.contains("26-TA-1985"))
    );
}

/// 26-TA-2279 ("Grozījumi Dzelzceļa likumā") never had public participation. Announced at the
/// VSS meeting of 17.09 and listed in coordination until 01.10.2026, it reaches the partner
/// following railway law under "Saskaņošana" with that deadline and the VSS announcement.
#[tokio::test]
async fn a_draft_announced_at_vss_without_public_participation_reaches_the_partner_with_its_deadline()
 {
    let i = installation().await;
    let vss = meeting_pages(
        "meetings_cabinet_list.html",
        VSS_17_09,
        "meetings_state_secretaries_agenda.html",
    );
    i.poll_meetings(&vss, utc(2026, 9, 18, 5, 0)).await;
    i.poll_legal_acts(tap("legal_acts_page1.html"), None, utc(2026, 9, 18, 5, 10))
        .await;
    i.digest(utc(2026, 9, 18, 6, 0)).await;

    let mails = i.mails_to(RAILWAYS);
    assert_eq!(mails.len(), 1, "one digest");
    let (raw, mail) = &mails[0];
    let text = text(mail);
    let section = text
        .find("== SASKAŅOŠANA (atzinumus var sniegt līdz norādītajam termiņam) ==")
        .unwrap_or_else(|| panic!("coordination section in {text}"));
    let item = text.find("26-TA-2279").expect("the draft is listed");
    assert!(section < item, "{text}");
    assert!(
        text.contains("Atzinumus var sniegt līdz: 01.10.2026. (atlikušas 13 dienas)"),
        "{text}"
    );
    assert!(
        text.contains("* izsludināts Valsts sekretāru sanāksmē 17.09.2026."),
        "{text}"
    );
    assert!(!text.contains("SABIEDRĪBAS LĪDZDALĪBA"), "{text}");
    assert!(
        mail.subject
            .contains("komentēšanai (tuvākais termiņš 01.10.2026.)"),
        "{}",
        mail.subject
    );
    let calendar = calendar_of(raw).expect("calendar attached");
    let lines = unfold(&calendar);
    assert!(
        lines.contains(&"DTSTART;VALUE=DATE:20261001".to_owned()),
        "{lines:?}"
    );
    // The children's partners are not told about railways.
    for address in [CHILDREN, VIOLENCE] {
        assert!(
            i.mails_to(address)
                .iter()
                .all(|(_, mail)| !mail.text.contains("26-TA-2279"))
        );
    }
}

/// The coordination deadline of 26-TA-1985 moves from 24.09 to 01.10.2026 on the portal. The
/// move is announced with the new date, and the reminders (3 and 1 days before) come before
/// 01.10, never before 24.09.
#[tokio::test]
async fn a_moved_coordination_deadline_is_re_announced_and_the_reminders_follow_it() {
    let i = installation().await;
    i.poll_legal_acts(
        legal("legal_acts_26-TA-1985_coordination.html"),
        None,
        utc(2026, 9, 12, 5, 0),
    )
    .await;
    i.digest(utc(2026, 9, 12, 6, 0)).await;
    i.poll_legal_acts(
        legal("legal_acts_26-TA-1985_deadline_moved.html"),
        None,
        utc(2026, 9, 19, 5, 0),
    )
    .await;
    // A digest every day until after the new deadline, and an extra poll on the way.
    for day in 19..=30 {
        if day == 25 {
            i.poll_legal_acts(
                legal("legal_acts_26-TA-1985_deadline_moved.html"),
                None,
                utc(2026, 9, day, 5, 0),
            )
            .await;
        }
        i.digest(utc(2026, 9, day, 6, 0)).await;
    }
    i.digest(utc(2026, 10, 1, 6, 0)).await;

    let mails = i.mails_to(CHILDREN);
    let dated: Vec<(String, String)> = mails
        .iter()
        .map(|(_, mail)| (mail.subject.clone(), text(mail)))
        .collect();
    let texts: Vec<String> = dated.iter().map(|(_, text)| text.clone()).collect();
    assert!(
        texts[0].contains("Atzinumus var sniegt līdz: 24.09.2026. (atlikušas 12 dienas)"),
        "first report: {}",
        texts[0]
    );
    let moved = "saskaņošanas termiņš pārcelts: 24.09.2026. → 01.10.2026. \
                 (atzinumus var sniegt līdz 01.10.2026.)";
    let (count, at) = occurrences(&texts, moved);
    assert_eq!(count, 1, "re-announced once: {texts:#?}");
    assert_eq!(at, Some(1), "in the digest after the move: {texts:#?}");
    assert!(
        texts[1].contains("Atzinumus var sniegt līdz: 01.10.2026. (atlikušas 12 dienas)"),
        "{}",
        texts[1]
    );
    let reminders: Vec<&String> = texts
        .iter()
        .filter(|text| text.contains("Atgādinājums: saskaņošanas termiņš"))
        .collect();
    assert_eq!(reminders.len(), 2, "3 and 1 days before: {texts:#?}");
    assert!(
        reminders[0].contains("Atgādinājums: saskaņošanas termiņš beidzas pēc 3 dienām"),
        "{}",
        reminders[0]
    );
    assert!(
        reminders[1].contains("Atgādinājums: saskaņošanas termiņš beidzas rīt"),
        "{}",
        reminders[1]
    );
    // Nothing came for the old date: mails went out on 12.09, on 19.09 (the move), and on
    // 28.09 and 30.09 (the reminders), never on 21.09 or 23.09.
    assert_eq!(texts.len(), 4, "{dated:#?}");
    for (_, text) in &dated[2..] {
        assert!(text.contains("01.10.2026."), "{text}");
        assert!(!text.contains("24.09.2026."), "{text}");
    }
}
