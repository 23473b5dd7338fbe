//! TAP detail pages parsed label by label from the visible text of `<main>`: the real text
//! captures (copies in tests/fixtures/tap/, and the shared originals when present) with every
//! label's value as written, pages framed in the portal's HTML, and bad input.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use draftwatch::sources::tap::labels::{DateRange, DetailError, LabelledPage, PageLink, main_text};
use draftwatch::sources::tap::legal_act_detail::{
    CoordinationOpinion, CoordinationRound, LegalActDetail, MeetingEntry, ParticipationRound,
};
use draftwatch::sources::tap::participation_detail::{
    AffectedPersons, OpinionSummary, ParticipationDetail, Submitter, SummaryDocument,
};
use draftwatch::sources::tap::review::{Remark, RemarkKind, ReviewResolution};
use serde::Deserialize;

const LEGAL_ACT_1173: &str = "tap_legal_act_detail_26-TA-1173_text_2026-09-18.json";
const LEGAL_ACT_316: &str = "tap_legal_act_detail_25-TA-316_text_2026-09-18.json";
const PARTICIPATION_1173: &str = "tap_public_participation_detail_26-TA-1173_text_2026-09-18.json";
const PARTICIPATION_316: &str = "tap_public_participation_detail_25-TA-316_text_2026-09-18.json";
const REVIEW_VEA: &str = "tap_review_resolution_26-TA-1173_VEA_text_2026-09-18.json";
const REVIEW_LPS: &str = "tap_review_resolution_26-TA-1173_LPS_text_2026-09-18.json";
const EXCERPT_ADC6AF81: &str = "tap_public_participation_detail_adc6af81_text_excerpt.txt";
const PORTAL: &str = "https://tapportals.mk.gov.lv";

/// A capture record: the visible text of `<main>` and the page's links.
#[derive(Debug, Deserialize)]
struct Record {
    text: String,
    links: Vec<PageLink>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tap")
}

fn read(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn record_in(dir: &Path, name: &str) -> Record {
    serde_json::from_str(&read(dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn record(name: &str) -> Record {
    record_in(&fixtures_dir(), name)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d.%m.%Y.").unwrap()
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%d.%m.%Y. %H:%M").unwrap()
}

fn range(from: &str, to: &str) -> DateRange {
    DateRange {
        from: day(from),
        to: day(to),
    }
}

fn written(value: &str) -> Option<String> {
    Some(value.to_owned())
}

fn resolution(uuid: &str) -> Option<String> {
    Some(format!("{PORTAL}/reviews/resolutions/{uuid}"))
}

fn opinion(institution: &str, given_on: &str, late: bool, uuid: &str) -> CoordinationOpinion {
    CoordinationOpinion {
        institution: institution.to_owned(),
        given_on: day(given_on),
        late,
        resolution_url: resolution(uuid),
    }
}

fn round(requested_on: &str, due_on: &str) -> CoordinationRound {
    CoordinationRound {
        requested_on: day(requested_on),
        due_on: day(due_on),
    }
}

fn public_consultation(from: &str, to: &str) -> Vec<ParticipationRound> {
    vec![ParticipationRound {
        kind: "Publiskā apspriešana".to_owned(),
        window: range(from, to),
    }]
}

fn cabinet_meeting_15_09_adopted() -> Vec<MeetingEntry> {
    vec![MeetingEntry {
        at: at("15.09.2026. 12:00"),
        name: "Ministru kabineta 15.09.2026. sēde".to_owned(),
        status: written("Pieņemts"),
        protocol: None,
    }]
}

// ---------------------------------------------------------------- legal-act detail

fn legal_act(record: &Record) -> LegalActDetail {
    LegalActDetail::parse(&record.text, &record.links).unwrap()
}

fn assert_legal_act_1173(detail: &LegalActDetail) {
    let expected = LegalActDetail {
        id: "26-TA-1173".to_owned(),
        restricted: false,
        title: written(
            "Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 \"Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21\"",
        ),
        kind: written("Noteikumu projekts"),
        ministry: written("Ekonomikas ministrija"),
        policy_areas: vec!["Būvniecības politika".to_owned()],
        availability: written("Vispārpieejams"),
        prepared_by: written("Andris Mālnieks (EM)"),
        published_on: Some(day("18.09.2026.")),
        publication_number: written("2026/180.9"),
        publication_url: written("https://vestnesis.lv/op/2026/180.9"),
        documents: written(
            "Noteikumi Anotācija MK sēdes protokollēmuma projekts Noteikumi (konsolidētā versija) Izziņa",
        ),
        opinions: vec![
            opinion(
                "FM",
                "06.08.2026.",
                false,
                "81148141-95a3-4851-a0e3-1cd43bcc7709",
            ),
            opinion(
                "KEM",
                "07.08.2026.",
                false,
                "913aa667-77ab-4c3b-be17-5af6f079a6b7",
            ),
            opinion(
                "LPS",
                "04.08.2026.",
                false,
                "91c4796b-855d-4746-8abb-3315bce2b471",
            ),
            opinion(
                "TM",
                "06.08.2026.",
                false,
                "f6d5a797-d87c-4ea6-93e3-1f6bf8b4004c",
            ),
            opinion(
                "VEA",
                "13.08.2026.",
                true,
                "ed5b20c7-f4f6-4e1b-a015-18830999c3f6",
            ),
            opinion(
                "LTRK",
                "08.08.2026.",
                false,
                "2ff4b132-e1d0-4f04-9fbc-389ce514efe6",
            ),
        ],
        coordination_rounds: vec![round("24.07.2026.", "07.08.2026.")],
        participation_rounds: public_consultation("24.07.2026.", "07.08.2026."),
        meetings: cabinet_meeting_15_09_adopted(),
        annotation_urls: vec![format!(
            "{PORTAL}/annotation/31991c08-593e-43dd-bc73-10f6734b123f"
        )],
    };
    assert_eq!(*detail, expected);
}

fn assert_legal_act_316(detail: &LegalActDetail) {
    let expected = LegalActDetail {
        id: "25-TA-316".to_owned(),
        restricted: false,
        title: written(
            "Grozījumi Ministru kabineta 2016. gada 13. decembra noteikumos Nr. 772 \"Kredīta starpnieku un kredīta starpnieku pārstāvju reģistrācijas noteikumi\"",
        ),
        kind: written("Noteikumu projekts"),
        ministry: written("Ekonomikas ministrija"),
        policy_areas: vec!["Patērētāju tiesību aizsardzība".to_owned()],
        availability: written("Vispārpieejams"),
        prepared_by: written("Baiba Januma (EM)"),
        published_on: None,
        publication_number: None,
        publication_url: None,
        documents: written(
            "Anotācija (ex-ante) Noteikumu (grozījumu) projekts Noteikumu konsolidētā versija MK sēdes protokollēmuma projekts Izziņa",
        ),
        opinions: vec![
            opinion(
                "DVI",
                "13.08.2026.",
                false,
                "55c7a28e-1529-462b-8950-5e84b40037ec",
            ),
            opinion(
                "FM",
                "05.06.2025.",
                false,
                "2d4e4eb6-af7d-4b8c-bffb-6670385c8880",
            ),
            opinion(
                "TM",
                "05.06.2025.",
                false,
                "62d57c1d-1d47-4fff-9ee7-cfc70cf8cc45",
            ),
            opinion(
                "TM",
                "08.07.2025.",
                false,
                "442fa98c-9255-4b75-8484-a00c65281a0b",
            ),
            opinion(
                "DVI",
                "21.08.2026.",
                false,
                "b94c3761-3f2b-4153-a8e5-1c8b7d636a92",
            ),
            opinion(
                "FLA",
                "05.06.2025.",
                false,
                "bd63b2dc-c8a3-499d-92ad-14663194d0e8",
            ),
            opinion(
                "FLA",
                "09.07.2025.",
                false,
                "1f0cbbcf-2459-447b-bc6b-2bd20b173e84",
            ),
            opinion(
                "FM",
                "04.07.2025.",
                false,
                "77744b83-5949-42a2-896b-2d88d3cceab2",
            ),
            opinion(
                "FM",
                "06.08.2025.",
                false,
                "01ebe65f-44a0-49b7-9f58-771e18ad7278",
            ),
            opinion(
                "LB",
                "09.06.2025.",
                false,
                "3448fdc5-dc5d-4926-b4ae-0af0b8c97341",
            ),
            opinion(
                "LB",
                "08.07.2025.",
                false,
                "256b9e8b-48e3-4ab8-9560-ef0426d02285",
            ),
            opinion(
                "LB",
                "04.08.2025.",
                false,
                "cebdac85-25fc-4bdf-aead-2ed7938b518f",
            ),
            opinion(
                "LFNA",
                "05.06.2025.",
                false,
                "04b36268-22eb-4fe5-a7a0-3b4aa482e1d7",
            ),
            opinion(
                "LFNA",
                "09.07.2025.",
                false,
                "9c02cf7c-8967-4562-975a-022c8575913b",
            ),
            opinion(
                "LFNA",
                "05.08.2025.",
                false,
                "41accd2d-81a7-4d78-a75f-5dca3e6569de",
            ),
            opinion(
                "TM",
                "05.08.2025.",
                false,
                "97f01044-3192-46d2-b633-4559f004ecd1",
            ),
            opinion(
                "FLA",
                "07.08.2025.",
                false,
                "503958ac-a6da-4a07-b588-950e01522a5b",
            ),
            opinion(
                "FM",
                "07.08.2025.",
                false,
                "ff5c00db-ae3d-4acd-8d85-22f28ca9ee75",
            ),
        ],
        // Printed as 02.07.–09.07.2025, 22.05.–10.06.2025, 30.07.–06.08.2025,
        // 07.08.–14.08.2026, 20.08.–27.08.2026: paired, then sorted by the request day.
        coordination_rounds: vec![
            round("22.05.2025.", "10.06.2025."),
            round("02.07.2025.", "09.07.2025."),
            round("30.07.2025.", "06.08.2025."),
            round("07.08.2026.", "14.08.2026."),
            round("20.08.2026.", "27.08.2026."),
        ],
        participation_rounds: public_consultation("03.04.2025.", "17.04.2025."),
        meetings: cabinet_meeting_15_09_adopted(),
        annotation_urls: vec![format!(
            "{PORTAL}/annotation/d8929b7e-8423-4f6c-b89c-ce4da02c7164"
        )],
    };
    assert_eq!(*detail, expected);
}

#[test]
fn legal_act_26_ta_1173_every_label_as_written() {
    assert_legal_act_1173(&legal_act(&record(LEGAL_ACT_1173)));
}

#[test]
fn legal_act_25_ta_316_every_label_as_written() {
    assert_legal_act_316(&legal_act(&record(LEGAL_ACT_316)));
}

#[test]
fn coordination_rounds_are_paired_then_sorted_never_the_first_pair_printed() {
    let detail = legal_act(&record(LEGAL_ACT_316));
    let first = detail.coordination_rounds.first().unwrap();
    assert_eq!(*first, round("22.05.2025.", "10.06.2025."));
    assert_ne!(
        *first,
        round("02.07.2025.", "09.07.2025."),
        "the first pair printed is not the first round"
    );
    let latest = detail.coordination_rounds.last().unwrap();
    assert_eq!(latest.due_on, day("27.08.2026."));
}

#[test]
fn legal_act_before_adoption_has_no_publication_fields() {
    // The 16.09 version of 26-TA-1173 (its changeSummary) had no vestnesis.lv fields.
    let full = record(LEGAL_ACT_1173).text;
    let start = full.find(" Publikācijas datums").unwrap();
    let end = full.find(" Dokumenti").unwrap();
    let before = format!("{}{}", &full[..start], &full[end..]);
    let detail = LegalActDetail::parse(&before, &[]).unwrap();
    assert_eq!(detail.published_on, None);
    assert_eq!(detail.publication_number, None);
    assert_eq!(detail.publication_url, None);
    assert_eq!(detail.prepared_by, written("Andris Mālnieks (EM)"));
    assert_eq!(detail.opinions.len(), 6);
    assert!(detail.annotation_urls.is_empty(), "no links given");
    assert_eq!(detail.opinions[0].resolution_url, None, "no links given");
}

#[test]
fn restricted_id_is_stripped_and_flagged() {
    let text = record(LEGAL_ACT_1173)
        .text
        .replace("Projekta ID 26-TA-1173 ", "Projekta ID 26-TA-1173 (IP) ");
    let detail = LegalActDetail::parse(&text, &[]).unwrap();
    assert_eq!(detail.id, "26-TA-1173");
    assert!(detail.restricted);
    assert!(!legal_act(&record(LEGAL_ACT_1173)).restricted);
}

#[test]
fn meeting_rows_with_remarks_in_the_name_and_a_protocol_number() {
    let full = record(LEGAL_ACT_1173).text;
    let table = "Sēdes/Sanāksmes Datums Nosaukums Statuss Protokols 15.09.2026. 12:00 Ministru kabineta 15.09.2026. sēde Pieņemts";
    assert!(full.ends_with(table));
    let text = full.replace(
        table,
        "Sēdes/Sanāksmes Datums Nosaukums Statuss Protokols 10.09.2026. 10:00 Valsts sekretāru 10.09.2026. sanāksme Izsludināts Nr. 35 08.09.2026. 14:00 Ministru kabineta 08.09.2026. sēde (sēdes sākums plkst.14.00) Atlikts Nr. 51",
    );
    let detail = LegalActDetail::parse(&text, &[]).unwrap();
    assert_eq!(
        detail.meetings,
        vec![
            MeetingEntry {
                at: at("10.09.2026. 10:00"),
                name: "Valsts sekretāru 10.09.2026. sanāksme".to_owned(),
                status: written("Izsludināts"),
                protocol: written("Nr. 35"),
            },
            MeetingEntry {
                at: at("08.09.2026. 14:00"),
                name: "Ministru kabineta 08.09.2026. sēde (sēdes sākums plkst.14.00)".to_owned(),
                status: written("Atlikts"),
                protocol: written("Nr. 51"),
            },
        ]
    );
}

// ---------------------------------------------------------------- participation detail

fn participation(record: &Record) -> ParticipationDetail {
    ParticipationDetail::parse(&record.text, &record.links).unwrap()
}

fn assert_participation_1173(detail: &ParticipationDetail) {
    let expected = ParticipationDetail {
        id: written("26-TA-1173"),
        title: written(
            "Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 \"Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21\"",
        ),
        kind: written("Publiskā apspriešana"),
        documents: written(
            "Noteikumi Anotācija MK sēdes protokollēmuma projekts Noteikumi (konsolidētā versija)",
        ),
        problem: written(P1173_PROBLEM),
        goal: written(P1173_GOAL),
        policy_areas: vec!["Būvniecības politika".to_owned()],
        territory: written("Latvija"),
        window: Some(range("24.07.2026.", "07.08.2026.")),
        information: written("Publiskā apspriešana paredzēta no 27.07.2026. līdz 10.08.2026."),
        private_persons: Some(AffectedPersons {
            groups: written("nekustamā īpašuma īpašnieki būvspeciālisti"),
            explanation: written(P1173_PRIVATE_EXPLANATION),
        }),
        legal_persons: Some(AffectedPersons {
            groups: written("nekustamā īpašuma īpašnieki būvkomersanti"),
            explanation: written(P1173_LEGAL_EXPLANATION),
        }),
        prepared_by: written("Andris Mālnieks (EM)"),
        responsible_person: written("Raivis Bremšmits (EM)"),
        announced_at: Some(at("24.07.2026. 16:47")),
        summary: Some(OpinionSummary::Documents(vec![SummaryDocument {
            title: "Viedokļu pārskats".to_owned(),
            published_on: day("18.08.2026."),
            url: written(
                "https://tapportals.mk.gov.lv/public_participation/71e0368d-9bae-49f0-a86b-b54be1f4a010/additional_documents/66d91b42-3846-4cbf-82f7-7490befef2f1/download",
            ),
        }])),
        opinions: vec![
            draftwatch::sources::tap::participation_detail::SubmittedOpinion {
                id: written("26-TA-1173/1"),
                submitter: Submitter::PrivatePerson,
                essence: P1173_OPINION.to_owned(),
                submitted_at: at("27.07.2026. 19:48"),
            },
        ],
        opinion_count: Some(1),
        annotation_urls: vec![format!(
            "{PORTAL}/annotation/d6ee4761-208e-44ef-afda-4840ab9cd174"
        )],
    };
    assert_eq!(*detail, expected);
}

fn assert_participation_316(detail: &ParticipationDetail) {
    let expected = ParticipationDetail {
        id: written("25-TA-316"),
        title: written(
            "Grozījumi Ministru kabineta 2016. gada 13. decembra noteikumos Nr. 772 \"Kredīta starpnieku un kredīta starpnieku pārstāvju reģistrācijas noteikumi\"",
        ),
        kind: written("Publiskā apspriešana"),
        documents: written(
            "Noteikumu (grozījumu) projekts Anotācija (ex-ante) Noteikumu konsolidētā versija",
        ),
        problem: written(P316_PROBLEM),
        goal: written(P316_GOAL),
        policy_areas: vec!["Patērētāju tiesību aizsardzība".to_owned()],
        territory: None,
        window: Some(range("03.04.2025.", "17.04.2025.")),
        information: written(P316_INFORMATION),
        private_persons: Some(AffectedPersons {
            groups: written("patērētāji"),
            explanation: written(P316_PRIVATE_EXPLANATION),
        }),
        legal_persons: Some(AffectedPersons {
            groups: written("kredīta starpnieki"),
            explanation: written(P316_LEGAL_EXPLANATION),
        }),
        prepared_by: written("Baiba Januma (EM)"),
        responsible_person: written("Edmunds Valantis (EM)"),
        announced_at: Some(at("03.04.2025. 16:39")),
        summary: Some(OpinionSummary::NoneReceived {
            published_on: day("23.07.2026."),
        }),
        opinions: Vec::new(),
        opinion_count: None,
        annotation_urls: vec![format!(
            "{PORTAL}/annotation/266f170a-aefb-41fd-ba20-ba3d5af7e48d"
        )],
    };
    assert_eq!(*detail, expected);
}

#[test]
fn participation_26_ta_1173_every_label_as_written() {
    assert_participation_1173(&participation(&record(PARTICIPATION_1173)));
}

#[test]
fn participation_25_ta_316_every_label_as_written() {
    assert_participation_316(&participation(&record(PARTICIPATION_316)));
}

#[test]
fn deadline_comes_from_norises_laiks_never_from_informacija() {
    let detail = participation(&record(PARTICIPATION_1173));
    // The free text says 27.07.2026.–10.08.2026.; the window is 24.07.–07.08.2026.
    assert!(
        detail
            .information
            .as_deref()
            .unwrap()
            .contains("no 27.07.2026. līdz 10.08.2026.")
    );
    let window = detail.window.unwrap();
    assert_eq!(window.to, day("07.08.2026."));
    assert_ne!(window.to, day("10.08.2026."));
    assert_eq!(window.from, day("24.07.2026."));
}

#[test]
fn participation_without_norises_laiks_has_no_window_even_if_informacija_has_dates() {
    let text = record(PARTICIPATION_1173)
        .text
        .replace("Norises laiks 24.07.2026. - 07.08.2026. ", "");
    let detail = ParticipationDetail::parse(&text, &[]).unwrap();
    assert_eq!(detail.window, None);
    assert_eq!(detail.territory, written("Latvija"));
}

fn excerpt() -> String {
    read(&fixtures_dir(), EXCERPT_ADC6AF81)
}

#[test]
fn participation_adc6af81_excerpt_labels_as_written() {
    let full = excerpt();
    // The excerpt is cut inside its first opinion row: read everything before that row.
    let cut = &full[..full.find("Latvijas Pilsoniskā alianse\nBiedrība").unwrap()];
    let detail = ParticipationDetail::parse(cut, &[]).unwrap();
    let expected = ParticipationDetail {
        id: None,
        title: written(
            "Grozījumi Ministru kabineta 2015. gada 13. janvāra noteikumos Nr. 18 \"Kārtība, kādā novērtē paredzētās darbības ietekmi uz vidi un akceptē paredzēto darbību\"",
        ),
        kind: written("Publiskā apspriešana"),
        documents: None,
        problem: written(
            "Noteikumu projekts nepieciešams, jo tiek virzīts likumprojekts \"Par Covid-19 infekcijas izplatības pārvaldības likuma atzīšanu par spēku zaudējušu” (23-TA-1390).",
        ),
        goal: written(
            "Noteikumu projekts izstrādāts, lai īstenotu likumprojekta \"Par Covid-19 infekcijas izplatības pārvaldības likuma atzīšanu par spēku zaudējušu” (23-TA-1390) 4.pārejas noteikumā noteikto.",
        ),
        policy_areas: vec!["Vides aizsardzība".to_owned()],
        territory: None,
        window: Some(range("03.10.2023.", "16.10.2023.")),
        information: written("Noteikumu projekts tiek nodots sabiedrības apspriedei."),
        // "JāSkaidrojums un ietekme": the value runs into the label without a space.
        private_persons: Some(AffectedPersons {
            groups: written("Jā"),
            explanation: None,
        }),
        legal_persons: Some(AffectedPersons {
            groups: written("- visi uzņēmumi"),
            explanation: None,
        }),
        prepared_by: written("Guna Šmerliņa (VARAM)"),
        responsible_person: written("Laila Bremša (VARAM)"),
        announced_at: Some(at("02.10.2023. 13:49")),
        summary: None,
        opinions: Vec::new(),
        opinion_count: None,
        annotation_urls: Vec::new(),
    };
    assert_eq!(detail, expected);
}

#[test]
fn participation_page_cut_inside_an_opinion_row_is_an_error() {
    let error = ParticipationDetail::parse(&excerpt(), &[]).unwrap_err();
    assert!(
        matches!(
            &error,
            DetailError::Unreadable { label: "Iesniegtie iebildumi / priekšlikumi", text, .. }
                if text.starts_with("Latvijas Pilsoniskā alianse Biedrība")
        ),
        "{error:?}"
    );
}

#[test]
fn opinion_of_an_organisation_keeps_its_name_at_the_start_of_the_essence() {
    let text = record(PARTICIPATION_1173).text.replace(
        "26-TA-1173/1 Fiziska persona Lūdzu",
        "26-TA-1173/1 Biedrība X Lūdzu",
    );
    let detail = ParticipationDetail::parse(&text, &[]).unwrap();
    let opinion = &detail.opinions[0];
    assert_eq!(opinion.submitter, Submitter::NotSeparable);
    assert!(opinion.essence.starts_with("Biedrība X Lūdzu ministriju"));
    assert_eq!(opinion.submitted_at, at("27.07.2026. 19:48"));
}

#[test]
fn absent_optional_label_named_in_later_free_text_does_not_swallow_the_labels_between() {
    // No summary yet, and the opinion itself says "Apkopojums …" with a capital.
    let text = record(PARTICIPATION_1173)
        .text
        .replace(
            "Apkopojums Dokumenta nosaukums Publicēts Viedokļu pārskats 18.08.2026. ",
            "",
        )
        .replace("Fiziska persona Lūdzu", "Fiziska persona Apkopojums lūdzu");
    let detail = ParticipationDetail::parse(&text, &[]).unwrap();
    assert_eq!(detail.summary, None);
    assert_eq!(detail.opinions.len(), 1);
    assert!(
        detail.opinions[0]
            .essence
            .starts_with("Apkopojums lūdzu ministriju")
    );
    assert_eq!(detail.opinion_count, Some(1));
}

#[test]
fn two_opinions_and_a_plural_count() {
    let text = record(PARTICIPATION_1173).text.replace(
        "19:48 Atlasīts 1 ieraksts.",
        "19:48 26-TA-1173/2 Fiziska persona Atbalstu. 28.07.2026. 08:05 Atlasīti 27 ieraksti.",
    );
    let detail = ParticipationDetail::parse(&text, &[]).unwrap();
    assert_eq!(detail.opinions.len(), 2);
    assert_eq!(detail.opinions[1].id, written("26-TA-1173/2"));
    assert_eq!(detail.opinions[1].essence, "Atbalstu.");
    assert_eq!(detail.opinions[1].submitted_at, at("28.07.2026. 08:05"));
    assert_eq!(detail.opinion_count, Some(27));
}

// ---------------------------------------------------------------- review resolutions

fn review(record: &Record) -> ReviewResolution {
    ReviewResolution::parse(&record.text, &record.links).unwrap()
}

fn assert_review_vea(detail: &ReviewResolution) {
    let expected = ReviewResolution {
        id: "26-TA-1173".to_owned(),
        reviewer: written("Vēja enerģijas asociācija"),
        submitted_on: Some(day("13.08.2026.")),
        result: written("Saskaņots ar priekšlikumiem"),
        remarks: vec![Remark {
            number: 1,
            draft_wording: "Noteikumu (grozījumu) projekts Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 \"Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21\"".to_owned(),
            kind: RemarkKind::Proposal,
            text: VEA_TEXT.to_owned(),
            proposed_wording: None,
        }],
        attachment_urls: vec![format!(
            "{PORTAL}/attachments/legal_acts/reviews/additional_documents/3cd665dd-a978-432a-b35d-412b52053a50/download"
        )],
    };
    assert_eq!(*detail, expected);
}

fn assert_review_lps(detail: &ReviewResolution) {
    let expected = ReviewResolution {
        id: "26-TA-1173".to_owned(),
        reviewer: written("Latvijas Pašvaldību savienība"),
        submitted_on: Some(day("04.08.2026.")),
        result: written("Saskaņots bez iebildumiem un priekšlikumiem"),
        remarks: Vec::new(),
        attachment_urls: vec![format!(
            "{PORTAL}/attachments/legal_acts/reviews/additional_documents/01abe6d8-dc18-47cf-abbc-d7b8b9bd6623/download"
        )],
    };
    assert_eq!(*detail, expected);
}

#[test]
fn review_vea_every_label_as_written() {
    assert_review_vea(&review(&record(REVIEW_VEA)));
}

#[test]
fn review_lps_every_label_as_written() {
    assert_review_lps(&review(&record(REVIEW_LPS)));
}

#[test]
fn review_with_two_remarks_an_objection_and_a_proposed_wording() {
    let base = record(REVIEW_VEA).text;
    assert!(base.ends_with(" Piedāvātā redakcija -"));
    let text = format!(
        "{base} 2. 3. punkts Iebildums Svītrot 3. punktu. Piedāvātā redakcija Punkts svītrots."
    );
    let detail = ReviewResolution::parse(&text, &[]).unwrap();
    assert_eq!(detail.remarks.len(), 2);
    assert_eq!(detail.remarks[0].proposed_wording, None);
    assert_eq!(detail.remarks[0].text, VEA_TEXT);
    assert_eq!(
        detail.remarks[1],
        Remark {
            number: 2,
            draft_wording: "3. punkts".to_owned(),
            kind: RemarkKind::Objection,
            text: "Svītrot 3. punktu.".to_owned(),
            proposed_wording: written("Punkts svītrots."),
        }
    );
}

// ---------------------------------------------------------------- bad input

#[test]
fn text_with_none_of_the_labels_is_an_error_for_every_page_kind() {
    // The left menu alone, as a page whose content markup changed would leave it.
    let menu_only = "Tiesību aktu projekti Sēdēs neskatāmie ziņojumi Sabiedrības līdzdalība Sēdes Ministru kabineta sēdes Video palīgs Lapa nav atrasta";
    assert!(matches!(
        LegalActDetail::parse(menu_only, &[]),
        Err(DetailError::NoLabels {
            first_label: "Projekta ID",
            ..
        })
    ));
    assert!(matches!(
        ParticipationDetail::parse(menu_only, &[]),
        Err(DetailError::NoLabels {
            first_label: "Projekta ID/ Uzdevuma numurs",
            ..
        })
    ));
    assert!(matches!(
        ReviewResolution::parse(menu_only, &[]),
        Err(DetailError::NoLabels {
            first_label: "Projekta ID",
            ..
        })
    ));
    assert!(matches!(
        LegalActDetail::parse("", &[]),
        Err(DetailError::NoLabels { .. })
    ));
    let message = LegalActDetail::parse(menu_only, &[])
        .unwrap_err()
        .to_string();
    assert!(message.contains("markup may have changed"), "{message}");
}

#[test]
fn a_page_without_main_is_an_error() {
    let firewall = read(&fixtures_dir(), "firewall_rejected.html");
    assert_eq!(
        LegalActDetail::from_html(&firewall),
        Err(DetailError::NoMain)
    );
    assert_eq!(
        ParticipationDetail::from_html(&firewall),
        Err(DetailError::NoMain)
    );
    assert_eq!(
        ReviewResolution::from_html(&firewall),
        Err(DetailError::NoMain)
    );
}

/// `32.13.2026.` is an error naming the label and the text: a detail page whose dates cannot
/// be read must not store a draft with a wrong or missing deadline, and an error is recorded
/// on the poll, where an "unreadable" value would pass silently.
#[test]
fn impossible_dates_are_errors_naming_label_and_text() {
    let bad = |label: &'static str| DetailError::BadDate {
        label,
        text: "32.13.2026.".to_owned(),
    };
    let legal = record(LEGAL_ACT_1173).text;
    let cases_legal = [
        ("FM - 06.08.2026.", "FM - 32.13.2026.", "Saskaņojumi"),
        (
            "vestnesis.lv 18.09.2026.",
            "vestnesis.lv 32.13.2026.",
            "Publikācijas datums vestnesis.lv",
        ),
        (
            "termiņš 24.07.2026. 07.08.2026.",
            "termiņš 32.13.2026. 07.08.2026.",
            "Saskaņošana",
        ),
        (
            "apspriešana 24.07.2026. -",
            "apspriešana 32.13.2026. -",
            "Sabiedrības līdzdalības",
        ),
    ];
    for (from, to, label) in cases_legal {
        let text = legal.replacen(from, to, 1);
        assert_ne!(text, legal, "{from}");
        assert_eq!(
            LegalActDetail::parse(&text, &[]),
            Err(bad(label)),
            "{label}"
        );
    }
    let part = record(PARTICIPATION_1173).text;
    let norises = part.replace("Norises laiks 24.07.2026.", "Norises laiks 32.13.2026.");
    assert_eq!(
        ParticipationDetail::parse(&norises, &[]),
        Err(bad("Norises laiks"))
    );
    let announced = part.replace(
        "Izsludināšanas datums 24.07.2026. 16:47",
        "Izsludināšanas datums 32.13.2026. 16:47",
    );
    assert_eq!(
        ParticipationDetail::parse(&announced, &[]),
        Err(DetailError::BadDate {
            label: "Izsludināšanas datums",
            text: "32.13.2026. 16:47".to_owned()
        })
    );
    let vea = record(REVIEW_VEA)
        .text
        .replace("iesniegts 13.08.2026.", "iesniegts 32.13.2026.");
    assert_eq!(
        ReviewResolution::parse(&vea, &[]),
        Err(bad("Atzinums iesniegts"))
    );
    let message = bad("Norises laiks").to_string();
    assert!(
        message.contains("Norises laiks") && message.contains("32.13.2026."),
        "{message}"
    );
}

#[test]
fn an_odd_count_of_coordination_dates_is_an_error() {
    let text = record(LEGAL_ACT_316)
        .text
        .replace(" 20.08.2026. 27.08.2026. ", " 20.08.2026. ");
    assert!(matches!(
        LegalActDetail::parse(&text, &[]),
        Err(DetailError::Unreadable {
            label: "Saskaņošana",
            ..
        })
    ));
}

#[test]
fn unknown_table_headers_are_an_error() {
    let text = record(LEGAL_ACT_1173).text.replace(
        "Pieprasīts Sniegšanas termiņš",
        "Sniegšanas termiņš Pieprasīts",
    );
    assert!(matches!(
        LegalActDetail::parse(&text, &[]),
        Err(DetailError::Unreadable {
            label: "Saskaņošana",
            ..
        })
    ));
}

// ---------------------------------------------------------------- HTML frame

/// Wrap a capture's text in the real list page's frame (head, header, `<main>` with the left
/// menu, footer), with each label in its own element, links as anchors, and a script and a
/// nav inside the content whose text must be dropped.
fn framed(capture_text: &str, labels: &[&str], anchors: &[(&str, &str)]) -> String {
    let page = read(&fixtures_dir(), "public_participation_page1.html");
    let menu_start = page.find("<main").unwrap();
    let menu_end = page.find("<div class=\"flash-messages\"").unwrap();
    let footer = page.find("</main>").unwrap();
    let menu_text = "Tiesību aktu projekti Sēdēs neskatāmie ziņojumi Sabiedrības līdzdalība Sēdes Ministru kabineta sēdes Ministru kabineta komitejas sēdes Valsts sekretāru sanāksmes Ministrijām dotie uzdevumi Deklasificētie dokumenti Pieteikties jaunumiem Pieteikt TAP slēgtās vides kontu Atvērtie dati Video palīgs ";
    let body = capture_text.strip_prefix(menu_text).unwrap();
    let mut content = html_escape::encode_text(body).into_owned();
    for label in labels {
        content = content.replacen(
            label,
            &format!("</div><div class=\"info-block__label\">{label}</div><div class=\"info-block__value\">"),
            1,
        );
    }
    for (title, href) in anchors {
        let escaped = html_escape::encode_text(title);
        content = content.replacen(
            escaped.as_ref(),
            &format!("<a href=\"{href}\"><span>{escaped}</span></a>"),
            1,
        );
    }
    format!(
        "{}{}<div class=\"content\"><script>var label = \"Projekta ID 99-TA-1\";</script><nav><a href=\"/legal_acts\">Atpakaļ</a></nav><style>.x {{ }}</style><div>{content}</div></div>{}",
        &page[..menu_start],
        &page[menu_start..menu_end],
        &page[footer..],
    )
}

#[test]
fn legal_act_from_html_reads_main_like_the_captures() {
    let capture = record(LEGAL_ACT_1173);
    let anchors = [
        (
            "Anotācija",
            "/annotation/31991c08-593e-43dd-bc73-10f6734b123f",
        ),
        (
            "VEA - 13.08.2026. - pēc termiņa",
            "/reviews/resolutions/ed5b20c7-f4f6-4e1b-a015-18830999c3f6",
        ),
    ];
    let labels = [
        "Projekta ID",
        "Tiesību akta nosaukums",
        "Politikas jomas",
        "Saskaņojumi",
        "Sēdes/Sanāksmes",
    ];
    let html = framed(&capture.text, &labels, &anchors);
    let page = main_text(&html).unwrap();
    assert_eq!(page.text, capture.text, "the same text as the capture");
    let detail = LegalActDetail::from_html(&html).unwrap();
    let links: Vec<PageLink> = anchors
        .iter()
        .map(|(title, url)| PageLink {
            url: (*url).to_owned(),
            title: (*title).to_owned(),
        })
        .collect();
    assert_eq!(
        detail,
        LegalActDetail::parse(&capture.text, &links).unwrap()
    );
    assert_eq!(
        detail.annotation_urls,
        vec!["/annotation/31991c08-593e-43dd-bc73-10f6734b123f".to_owned()]
    );
    assert_eq!(
        detail.opinions[4].resolution_url.as_deref(),
        Some("/reviews/resolutions/ed5b20c7-f4f6-4e1b-a015-18830999c3f6")
    );
    assert_eq!(detail.opinions[0].resolution_url, None, "FM was not linked");
}

#[test]
fn participation_and_review_from_html_equal_the_text_parse() {
    let capture = record(PARTICIPATION_316);
    let html = framed(&capture.text, &["Teritorija", "Norises laiks"], &[]);
    assert_eq!(
        ParticipationDetail::from_html(&html).unwrap(),
        ParticipationDetail::parse(&capture.text, &[]).unwrap()
    );
    let capture = record(REVIEW_LPS);
    let html = framed(&capture.text, &["Atzinuma sniedzējs"], &[]);
    assert_eq!(
        ReviewResolution::from_html(&html).unwrap(),
        ReviewResolution::parse(&capture.text, &[]).unwrap()
    );
}

// ---------------------------------------------------------------- conformance

/// Where the shared real captures live, if this checkout has them.
fn shared_samples() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("DRAFTWATCH_SAMPLES_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            manifest.join("../shared/samples"),
            manifest.join("../../shared/samples"),
        ])
        .find(|dir| dir.join(LEGAL_ACT_1173).is_file())
}

#[test]
fn conformance_with_shared_detail_captures() {
    let Some(dir) = shared_samples() else {
        // In CI the shared captures are part of the checkout: missing them is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared samples directory is required in CI (set DRAFTWATCH_SAMPLES_DIR)"
        );
        println!("skipped: no shared samples directory (set DRAFTWATCH_SAMPLES_DIR)");
        return;
    };
    assert_legal_act_1173(&legal_act(&record_in(&dir, LEGAL_ACT_1173)));
    assert_legal_act_316(&legal_act(&record_in(&dir, LEGAL_ACT_316)));
    assert_participation_1173(&participation(&record_in(&dir, PARTICIPATION_1173)));
    assert_participation_316(&participation(&record_in(&dir, PARTICIPATION_316)));
    assert_review_vea(&review(&record_in(&dir, REVIEW_VEA)));
    assert_review_lps(&review(&record_in(&dir, REVIEW_LPS)));
    assert_eq!(
        read(&dir, EXCERPT_ADC6AF81),
        excerpt(),
        "the fixture copy is unchanged"
    );
}

// ---------------------------------------------------------------- long values as written

/// As written in the capture.
const P1173_PROBLEM: &str = "Pašlaik LBN 405-21 nosaka obligātu periodisko tehnisko apsekošanu atsevišķām būvju grupām, tostarp publiskām ēkām, daudzstāvu daudzdzīvokļu dzīvojamām ēkām un atsevišķām inženierbūvēm, piemēram, tiltiem, pārvadiem, tuneļiem un atbalstsienām. Tomēr LBN 405-21 neparedz obligātu periodisko tehnisko apsekošanu vēja elektrostacijām, torņiem un mastiem, kuru augstums pārsniedz 60 metrus.";

/// As written in the capture.
const P1173_GOAL: &str = "Noteikumu projekts izstrādāts ar mērķi nodrošināt augstu inženierbūvju ekspluatācijas drošuma uzraudzību, nosakot Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 \"Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21\" (turpmāk - LBN 405-21) obligātu periodisko tehnisko apsekošanu vēja elektrostacijām, torņiem un mastiem, kuru augstums pārsniedz 60 metrus, lai savlaicīgi konstatētu būves tehniskā stāvokļa pasliktināšanos un novērstu iespējamu apdraudējumu cilvēku dzīvībai, veselībai, videi un īpašumam.";

/// As written in the capture.
const P1173_PRIVATE_EXPLANATION: &str = "LBN 405-21 grozījumi var ietekmēt fiziskās personas, kuru īpašumā ir vēja elektrostacijas, torņi vai masti, kuru augstums pārsniedz 60 metrus, kā arī būvspeciālistus, kas veic periodisko tehnisko apsekošanu. Regulējuma rezultātā fiziskajām personām, kuru īpašumā ir minētās inženierbūves, radīsies pienākums organizēt periodisko tehnisko apsekošanu ne retāk kā reizi 10 gados. Ņemot vērā, ka tehniskā apsekošana jāveic tikai reizi 10 gados, administratīvais un finansiālais slogs ir uzskatāms par samērīgu.";

/// As written in the capture.
const P1173_LEGAL_EXPLANATION: &str = "LBN 405-21 grozījumi galvenokārt ietekmēs juridiskās personas, kuru īpašumā vai valdījumā ir vēja elektrostacijas, torņi un masti, kuru augstums pārsniedz 60 metrus, kā arī būvkomersantus, kas veic tehniskās apsekošanas. Regulējuma rezultātā būvju īpašniekiem radīsies pienākums organizēt periodisko tehnisko apsekošanu ne retāk kā reizi 10 gados. Vienlaikus būvkomersantiem var pieaugt pieprasījums pēc tehniskās apsekošanas pakalpojumiem. Ņemot vērā, ka apsekošana jāveic tikai reizi 10 gados, administratīvais un finansiālais slogs ir uzskatāms par samērīgu.";

/// As written in the capture.
const P1173_OPINION: &str = "Lūdzu ministriju sniegt papildu skaidrojumu un pamatojumu, kāpēc kā augstuma robeža jeb kritērijs pārbaudāmo torņu un mastu atlasei ir izvēlēta tieši 60m augstuma atzīme? Šai augstuma robežai nav saskatāma loģiska sasaiste ar Vispārīgo būvnoteikumu 1.pielikumā noteikto būvju iedalījumu, kurā pie pirmās grupas inžnierbūvēm pārsvarā uzskaitītas būves ar augstumu aptuveni līdz 10m, savukārt kā trešās grupas inžnierbūves uzskaitīti masti un torņi no 100m augstuma, dūmeņi no 60m augstuma. Nav sniegts cits pamatojums. Pavisam nesen kurzemē nogāzās aptuveni 30m augsts vēja elektrostacijas masts, 2025.gada nogalē Lapmežciemā nogāzās 47m augsts sakaru tornis. Tas liecina, ka trūskt sistēmiskas kontroles arī zemāka augstuma mastiem, torņiem. Vēl Latvijas teritorijā ir vairāki ap 30m augsti vai augstāki publiskie skatu torņi, veci mūra dūmeņi, ugunsnovēršošanas torņi, ūdens troņi un skābbarības torņi, kurus visticamāk vairumā gadījumu arī neviens regulāri tehniski vairs neapseko, it īpaši ja to ekspluatācija ir pārtraukta, tāpēc tie novecojot rada arvien lielāku bīstamību. Ne retāk kā reizi desmit gados obligāti būtu apsekojami visi torņi, masti, t.sk. vēja turbīnu masti, kas pārsniedz ~10m augstumu, it īpaši publiskie skatu torņi. Pie [ubliskajiem skatu torņiem arī būtu lietderīgi izvietot markējumus, ka tornis ir apsekots noteiktā datumā, un ka nākošā pārbaude ir paredzēta noteiktā datumā, līdzīgi kā tas ir liftiem. Būves ar augstumu virs 10m pēc būtības jau atbilst otrajai un trešajai būvju grupai, ņemot vērā vispārējo kopainu par Vispārīgo būvnoteikumu 1.pielikumā esošajiem būvju iedalījuma augstuma kritērijiem. Tomēr, ja kā kritērijs tiek saglabāts 60m, tad tiešām nepieciešms izvēlētā kritērija papildus pamatojums no noteikumu grozījumu virzītāju puses.";

/// As written in the capture.
const P316_PROBLEM: &str = "Tiesību akta projekta \"Grozījumi Ministru kabineta 2016. gada 13. decembra noteikumos Nr. 772 \"Kredīta starpnieku un kredīta starpnieku pārstāvju reģistrācijas noteikumi\"\" (turpmāk - Noteikumu projekts) izstrādāts, lai nodrošinātu Eiropas Parlamenta un Padomes 2023. gada 18. oktobra Direktīvas (ES) 2023/2225 par patērētāju kredītlīgumiem un ar ko atceļ Direktīvu 2008/48/EK (turpmāk – Direktīva 2023/2225).";

/// As written in the capture.
const P316_GOAL: &str = "Noteikumu projekts izstrādāts, lai stiprinātu patērētāju aizsardzību, slēdzot patērētāju kreditēšanas līgumus ar starpnieka palīdzību.";

/// As written in the capture.
const P316_INFORMATION: &str = "2014.gada 4.februārī tika pieņemta Eiropas Parlamenta un Padomes 2014. gada 4. februāra Direktīva 2014/17/ES par patērētāju kredītlīgumiem saistībā ar mājokļa nekustamo īpašumu un ar ko groza Direktīvas 2008/48/EK un 2013/36/ES un Regulu (ES) Nr. 1093/2010 (turpmāk – Direktīva 2014/17/ES, lai nodrošinātu pārredzamāku un efektīvāku mājokļu kredītu tirgu Eiropas Savienības (ES) dalībvalstīs. Cita starpā Direktīva 2014/17/ES paredzēja noteikt regulējumu kredīta starpniekiem un kredīta starpnieku pārstāvjiem, paredzot ieviest kredīta starpnieku un kredīta starpnieku pārstāvju reģistrēšanas sistēmu, kas nodrošinātu Eiropas pasu režīmu un atzīšanu ES dalībvalstīs reģistrētiem starpniekiem. Taču šīs reģistrēšanas prasības attiecas tikai uz kredīta starpniekam vai kredīta starpnieka pārstāvjiem, kas piedāvā patērētājam kredītu, kura atmaksa nodrošināta ar nekustamā īpašuma hipotēku vai kura mērķis ir iegūt vai saglabāt tiesības uz nekustamo īpašumu. Pašreizējais patērētāju kreditēšanas regulējums izstrādāts atbilstoši Eiropas Parlamenta un Padomes 2008. gada 23. aprīļa Direktīvas 2008/48/EK par patēriņa kredītlīgumiem un ar ko atceļ Padomes Direktīvu 87/102/EEK (turpmāk - Direktīva 2008/48) prasībām, kā arī nacionālajiem nosacījumiem. Prasības patērētāju kreditēšanai noteiktas Patērētāju tiesību aizsardzības likumā (turpmāk - Likums), kā arī Ministru kabineta 2016.gada 25.oktobra noteikumos Nr.691 “Noteikumi par patērētāja kreditēšanu” (turpmāk Noteikumi Nr.691). Kopš Direktīvas 2008/48 pieņemšanas notikusī straujā tehnoloģiskā attīstība ir radījusi būtiskas izmaiņas patēriņa kredītu tirgū gan piedāvājuma, gan arī pieprasījuma ziņā, piemēram, jaunu produktu parādīšanos un patērētāju uzvedības un izvēles attīstību. Tādēļ regulējums tika pārskatīts ar Direktīvu 2023/2225, lai atrisinātu izaicinājumus, ko radījusi tehnoloģiju attīstība un lai panāktu augstu patērētāju tiesību aizsardzības līmeni.";

/// As written in the capture.
const P316_PRIVATE_EXPLANATION: &str = "Tiks stiprināta patērētāju aizsardzību, slēdzot patērētāju kreditēšanas līgumus ar starpnieka palīdzību.";

/// As written in the capture.
const P316_LEGAL_EXPLANATION: &str = "Noteikumu projekts paredz radīt kredīta starpnieku un kredīta starpnieku pārstāvju reģistrēšanas sistēmu, kas tādējādi palielinās administratīvo slogu tām personām, kas iesaistītas kredīta starpniecības pakalpojumu sniegšanā. Vienlaikus, ņemot vērā patērētājam radīto risku no ilgtermiņa finansiālajām saistībām un to nepildīšanas sekām, šāds slogs ir samērojams ar potenciālajiem ieguvumiem patērētājam un tirgus sakārtošanas nepieciešamību.";

/// As written in the capture.
const VEA_TEXT: &str = "Vēja enerģijas asociācija (VEA) konceptuāli atbalsta mērķi nodrošināt vēja elektrostaciju drošu ekspluatāciju un savlaicīgi konstatēt iespējamu būves tehniskā stāvokļa pasliktināšanos. Vienlaikus VEA aicina, ieviešot regulāras tehniskās apsekošanas prasību vēja elektrostacijām, ņemt vērā nozarē jau pastāvošās tehniskās kontroles un pārbaudes sistēmas. Vēja elektrostacijas ekspluatācijas laikā tiek pakļautas regulārām un sistemātiskām tehniskajām pārbaudēm atbilstoši konkrētās iekārtas ražotāja (OEM) prasībām, ražotāja tehniskās apkopes un inspekciju programmām, sertifikācijas prasībām un piemērojamajiem starptautiskajiem tehniskajiem standartiem. Šo pārbaužu ietvaros vērtē vēja elektrostacijas tehnisko un strukturālais stāvokli, tostarp būtiskus konstrukciju drošuma aspektus. Līdz ar to VEA ieskatā nav pamatoti noteikt pienākumu papildus jau veiktām pārbaudēm obligāti veikt atsevišķu tehnisko apsekošanu tikai tādēļ, lai formāli izpildītu LBN 405-21 prasību, ja jau veiktās pārbaudes pēc sava satura un apjoma nodrošina līdzvērtīgu informāciju par būves tehnisko stāvokli. Aicinām noteikumu projektā skaidri paredzēt, ka LBN 405-21 noteiktās periodiskās tehniskās apsekošanas prasības izpildē var tikt ieskaitīta iepriekš veikta vēja elektrostacijas tehniskā pārbaude, ko veikusi vēja elektrostacijas ražotāja (OEM) organizācija, OEM pilnvarots servisa uzņēmums, sertifikācijas institūcija vai cits atbilstoši kompetents tehniskais eksperts, ja pārbaudes saturs un rezultāti nodrošina LBN 405-21 noteiktajam mērķim atbilstošu būves tehniskā stāvokļa novērtējumu. Vienlaikus VEA aicina paredzēt, ka šādu pārbaudi var veikt arī ārvalstu OEM, tā pilnvarots servisa uzņēmums vai ārvalstīs atbilstoši kvalificēts tehniskais eksperts, un šādas pārbaudes atzīšana par LBN prasības izpildi nav automātiski sasaistāma ar pārbaudes veicēja reģistrāciju Latvijas būvspeciālistu reģistrā vai Latvijas būvspeciālista sertifikāta esību. Šāda pieeja ir būtiska, ņemot vērā vēja enerģijas nozares starptautisko raksturu un to, ka konkrēta vēja turbīnas modeļa tehnisko stāvokli bieži novērtē tieši tās ražotājs vai tā autorizēts servisa uzņēmums. Šo ekspertu kompetence ir tieši saistīta ar konkrētās turbīnas konstrukciju, tehnoloģiju, ražotāja noteiktajām pārbaudes metodēm un ekspluatācijas prasībām.";
