//! Parsers of the TAP `/legal_acts` list and of the meetings pages (VSS and Cabinet lists and
//! agendas), against the reconstructed fixtures in tests/fixtures/tap (see its README: the
//! values come from real captures, the markup from the captured participation list page).
//! Every field of every fixture row is asserted; broken pages must be errors, never "nothing".

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use draftwatch::model::CommentWindow;
use draftwatch::sources::tap::flextable::{PageError, RowProblem};
use draftwatch::sources::tap::legal_acts_list::{
    LegalActRow, LegalActsPage, Stage, parse_legal_acts_page,
};
use draftwatch::sources::tap::meetings::{
    Agenda, AgendaItem, AgendaMarker, DocumentLink, MeetingKind, OpinionsOutcome,
    ParticipationLine, parse_agenda_page, parse_meetings_page,
};
use url::Url;

const PORTAL: &str = "https://tapportals.mk.gov.lv/";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tap")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn portal() -> Url {
    Url::parse(PORTAL).unwrap()
}

fn link(path: &str) -> Url {
    portal().join(path).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d.%m.%Y.").unwrap()
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%d.%m.%Y. %H:%M").unwrap()
}

/// One row of a reconstructed `/legal_acts` fixture, as written into it.
struct ExpectedAct {
    ta_number: &'static str,
    restricted: bool,
    title: &'static str,
    kind: &'static str,
    stage: Stage,
    ministry: &'static str,
    sent_on: Option<&'static str>,
    deadline: Option<&'static str>,
    uuid: &'static str,
}

fn assert_acts(actual: &[LegalActRow], expected: &[ExpectedAct]) {
    assert_eq!(actual.len(), expected.len(), "row count");
    for (row, (act, want)) in actual.iter().zip(expected).enumerate() {
        let row = row + 1;
        assert_eq!(act.ta_number, want.ta_number, "row {row}: TA number");
        assert_eq!(act.restricted, want.restricted, "row {row}: restricted");
        assert_eq!(act.title, want.title, "row {row}: title");
        assert_eq!(act.kind, want.kind, "row {row}: kind");
        assert_eq!(act.stage, want.stage, "row {row}: stage");
        assert_eq!(act.ministry, want.ministry, "row {row}: ministry");
        assert_eq!(act.sent_on, want.sent_on.map(day), "row {row}: sent");
        assert_eq!(
            act.coordination_deadline,
            want.deadline.map(day),
            "row {row}: deadline"
        );
        assert_eq!(
            act.url,
            link(&format!("/legal_acts/{}", want.uuid)),
            "row {row}: url"
        );
    }
}

fn legal_acts(name: &str) -> Result<LegalActsPage, PageError> {
    parse_legal_acts_page(&fixture(name), &portal())
}

#[test]
fn legal_acts_page1_every_row_and_the_paginator() {
    let page = legal_acts("legal_acts_page1.html").unwrap();
    assert_acts(&page.acts, &expected_page1());
    assert_eq!(page.paginator.total, Some(48207));
    assert_eq!(page.paginator.current_page, Some(1));
    assert_eq!(page.paginator.last_page, Some(1929));
    assert_eq!(page.paginator.next_page, Some(link("/legal_acts?page=2")));
    assert!(!page.paginator.is_last_page());
    assert_eq!(page.app_version.as_deref(), Some("bc230"));
}

#[test]
fn legal_acts_last_page_every_row_and_the_end_of_the_list() {
    let page = legal_acts("legal_acts_last_page.html").unwrap();
    assert_acts(&page.acts, &expected_last());
    assert_eq!(page.paginator.total, Some(48207));
    assert_eq!(page.paginator.current_page, Some(1929));
    assert_eq!(page.paginator.last_page, Some(1929));
    assert_eq!(page.paginator.next_page, None);
    assert!(page.paginator.is_last_page());
}

#[test]
fn legal_acts_ip_row_is_restricted_without_the_suffix_and_an_empty_deadline_is_none() {
    let page = legal_acts("legal_acts_restricted.html").unwrap();
    assert_acts(&page.acts, &expected_restricted());
    let restricted = &page.acts[0];
    assert_eq!(restricted.ta_number, "26-TA-2254");
    assert!(restricted.restricted);
    assert_eq!(restricted.coordination_deadline, None);
    assert_eq!(restricted.sent_on, Some(day("15.09.2026.")));
    // One page without page links: the list ends here.
    assert_eq!(page.paginator.total, Some(3));
    assert_eq!(page.paginator.last_page, None);
    assert!(page.paginator.is_last_page());
}

#[test]
fn legal_acts_stage_words_and_final_stages() {
    let observed = [
        ("Iesniegts", Stage::Submitted, false),
        ("Sabiedrības līdzdalība", Stage::PublicParticipation, false),
        ("Saskaņošana", Stage::Coordination, false),
        ("Izskatīts", Stage::Examined, false),
        ("Pieņemts", Stage::Adopted, true),
        ("Atsaukts", Stage::Withdrawn, true),
        (
            "Nodots Saeimai",
            Stage::Other("Nodots Saeimai".to_owned()),
            false,
        ),
    ];
    for (text, stage, is_final) in observed {
        assert_eq!(Stage::from_portal(text), stage, "{text}");
        assert_eq!(stage.is_final(), is_final, "{text}");
    }
}

#[test]
fn legal_acts_zero_rows_is_an_error() {
    assert_eq!(
        legal_acts("legal_acts_zero_rows.html"),
        Err(PageError::ZeroRows {
            expected: "legal acts list",
            total: Some(0)
        })
    );
}

#[test]
fn firewall_page_is_an_error_for_every_parser() {
    let firewall = fixture("firewall_rejected.html");
    assert_eq!(
        parse_legal_acts_page(&firewall, &portal()),
        Err(PageError::Firewall {
            expected: "legal acts list"
        })
    );
    assert_eq!(
        parse_meetings_page(&firewall, &portal(), MeetingKind::StateSecretaries),
        Err(PageError::Firewall {
            expected: "meetings list"
        })
    );
    assert_eq!(
        parse_agenda_page(&firewall, &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::Firewall {
            expected: "meeting agenda"
        })
    );
}

#[test]
fn a_page_without_the_grid_is_not_a_list() {
    let detail = fixture("public_participation_detail.html");
    assert_eq!(
        parse_legal_acts_page(&detail, &portal()),
        Err(PageError::NotAList {
            expected: "legal acts list"
        })
    );
    assert_eq!(
        parse_meetings_page("", &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::NotAList {
            expected: "meetings list"
        })
    );
    assert_eq!(
        parse_agenda_page(&detail, &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::NotAList {
            expected: "meeting agenda"
        })
    );
}

#[test]
fn the_participation_list_read_as_legal_acts_is_an_error_not_rows() {
    let error =
        parse_legal_acts_page(&fixture("public_participation_page1.html"), &portal()).unwrap_err();
    assert_eq!(
        error,
        PageError::Row {
            expected: "legal acts list",
            row: 1,
            name: None,
            problem: RowProblem::MissingCell("Projekta ID"),
        }
    );
}

#[test]
fn legal_acts_row_missing_its_ta_number_is_an_error_naming_the_row() {
    let html = fixture("legal_acts_page1.html").replace(
        r#"<span class="flextable__value">26-TA-2279</span>"#,
        r#"<span class="flextable__value"> </span>"#,
    );
    let error = parse_legal_acts_page(&html, &portal()).unwrap_err();
    assert_eq!(
        error,
        PageError::Row {
            expected: "legal acts list",
            row: 3,
            name: None,
            problem: RowProblem::EmptyCell("Projekta ID"),
        }
    );
    assert!(error.to_string().contains("row 3"), "{error}");

    let html = fixture("legal_acts_page1.html").replacen(
        r#"data-column-header-name="Projekta ID""#,
        r#"data-column-header-name="Projekta numurs""#,
        2,
    );
    assert_eq!(
        parse_legal_acts_page(&html, &portal()),
        Err(PageError::Row {
            expected: "legal acts list",
            row: 1,
            name: None,
            problem: RowProblem::MissingCell("Projekta ID"),
        })
    );
}

#[test]
fn legal_acts_impossible_date_is_an_error_naming_row_and_column() {
    // Row 3 (26-TA-2279) is the first whose deadline is 01.10.2026.
    let html = fixture("legal_acts_page1.html").replacen("01.10.2026.", "32.13.2026.", 1);
    let error = parse_legal_acts_page(&html, &portal()).unwrap_err();
    assert_eq!(
        error,
        PageError::Row {
            expected: "legal acts list",
            row: 3,
            name: Some("26-TA-2279".to_owned()),
            problem: RowProblem::UnreadableDate {
                column: "Saskaņošanas termiņš",
                text: "32.13.2026.".to_owned(),
            },
        }
    );
    let message = error.to_string();
    assert!(message.contains("row 3 (26-TA-2279)"), "{message}");
    assert!(message.contains("32.13.2026."), "{message}");
}

#[test]
fn legal_acts_row_linking_outside_legal_acts_is_an_error() {
    let html = fixture("legal_acts_restricted.html").replacen(
        r#"data-url="/legal_acts/30c4fdc4-2fcf-5ce7-993b-57b262d47144""#,
        r#"data-url="/public_participation/30c4fdc4-2fcf-5ce7-993b-57b262d47144""#,
        1,
    );
    assert!(matches!(
        parse_legal_acts_page(&html, &portal()),
        Err(PageError::Row {
            row: 1,
            problem: RowProblem::BadLink(_),
            ..
        })
    ));
}

// ---------------------------------------------------------------- meetings lists

#[test]
fn cabinet_meetings_list_every_row_of_the_capture() {
    let page = parse_meetings_page(
        &fixture("meetings_cabinet_list.html"),
        &portal(),
        MeetingKind::CabinetMinisters,
    )
    .unwrap();
    assert_eq!(page.kind, MeetingKind::CabinetMinisters);
    let expected = [
        (
            "15.09.2026. 12:00",
            "Ministru kabineta 15.09.2026. sēde",
            None,
            "470933a7-f0c2-4835-a4cc-dd1c9c25fddb",
        ),
        (
            "10.09.2026. 16:00",
            "Ministru kabineta 10.09.2026. ārkārtas sēde",
            None,
            "4d83073f-1814-47e7-8487-222fd7f24667",
        ),
        (
            "08.09.2026. 14:00",
            "Ministru kabineta 08.09.2026. sēde (sēdes sākums plkst.14.00)",
            Some("51"),
            "0af5da1a-a1cb-476e-beab-c5b09ea633a3",
        ),
        (
            "04.09.2026. 08:00",
            "Ministru kabineta 04.09.2026. ārkārtas sēde",
            Some("50"),
            "3e53b912-a125-4e3f-9f1e-fa49d64ca1b6",
        ),
        (
            "01.09.2026. 13:00",
            "Ministru kabineta 01.09.2026. sēde (sēdes sākums plkst.13.00)",
            Some("49"),
            "547a3b56-1307-49cb-92ee-65b0c601a60a",
        ),
        (
            "25.08.2026. 12:00",
            "Ministru kabineta 25.08.2026. sēde",
            Some("48"),
            "f2f140a3-7b69-49b6-8a6d-c48b103134b9",
        ),
        (
            "24.08.2026. 10:00",
            "Ministru kabineta 24.08.2026. krīzes vadības sēde",
            Some("47"),
            "80593257-1238-46a4-89aa-a340aa612696",
        ),
        (
            "18.08.2026. 13:00",
            "Ministru kabineta 18.08.2026. sēde (sēdes sākums plkst.13.00)",
            Some("46"),
            "e834a8aa-c57d-42ac-b86d-3079e78ee05a",
        ),
    ];
    assert_eq!(page.meetings.len(), expected.len());
    for (meeting, (date, name, protocol, uuid)) in page.meetings.iter().zip(expected) {
        assert_eq!(meeting.starts_at, at(date), "{name}");
        assert_eq!(meeting.name, name);
        assert_eq!(
            meeting.protocol.as_ref().map(|p| p.number.as_str()),
            protocol,
            "{name}"
        );
        assert_eq!(
            meeting.protocol.as_ref().and_then(|p| p.url.clone()),
            None,
            "{name}"
        );
        assert_eq!(
            meeting.url,
            link(&format!("/meetings/cabinet_ministers/{uuid}")),
            "{name}"
        );
    }
    assert_eq!(page.paginator.total, Some(289));
    assert_eq!(
        page.paginator.next_page,
        Some(link("/meetings/cabinet_ministers?page=2"))
    );
    assert!(!page.paginator.is_last_page());
}

#[test]
fn state_secretaries_meetings_list_every_row_with_protocol_links() {
    let page = parse_meetings_page(
        &fixture("meetings_state_secretaries_list.html"),
        &portal(),
        MeetingKind::StateSecretaries,
    )
    .unwrap();
    assert_eq!(page.kind, MeetingKind::StateSecretaries);
    let expected = vec![
        (
            at("17.09.2026. 10:00"),
            "Valsts sekretāru 17.09.2026. sanāksme",
            None,
            None,
            "/meetings/state_secretaries/1a1eb862-5eaf-527c-a15d-e85146593e46",
        ),
        (
            at("10.09.2026. 10:00"),
            "Valsts sekretāru 10.09.2026. sanāksme",
            Some("36"),
            Some("/meetings/protocols/09c6f8fd-6720-5992-816b-5f73224d8b83"),
            "/meetings/state_secretaries/8e790dac-5ab4-5b02-9d84-cb7708eeac53",
        ),
        (
            at("03.09.2026. 10:00"),
            "Valsts sekretāru 03.09.2026. sanāksme",
            Some("35"),
            Some("/meetings/protocols/becb387a-930b-5c8d-97b7-3a131a0274d1"),
            "/meetings/state_secretaries/f559cec8-25cc-51c0-b706-c44abafbbc2a",
        ),
        (
            at("27.08.2026. 10:00"),
            "Valsts sekretāru 27.08.2026. sanāksme",
            Some("34"),
            None,
            "/meetings/state_secretaries/d2ca2c57-04df-54e9-a0fa-904b445582c1",
        ),
    ];
    let rows: Vec<_> = page
        .meetings
        .iter()
        .map(|m| {
            (
                m.starts_at,
                m.name.as_str(),
                m.protocol.as_ref().map(|p| p.number.as_str()),
                m.protocol
                    .as_ref()
                    .and_then(|p| p.url.as_ref())
                    .map(Url::path),
                m.url.path(),
            )
        })
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(page.paginator.current_page, Some(14));
    assert_eq!(page.paginator.last_page, Some(14));
    assert_eq!(page.paginator.total, Some(329));
    assert!(page.paginator.is_last_page());
}

#[test]
fn the_cabinet_list_read_as_state_secretaries_is_an_error() {
    let error = parse_meetings_page(
        &fixture("meetings_cabinet_list.html"),
        &portal(),
        MeetingKind::StateSecretaries,
    )
    .unwrap_err();
    assert!(
        matches!(
            &error,
            PageError::Row {
                row: 1,
                problem: RowProblem::BadLink(_),
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn meetings_zero_rows_is_an_error() {
    assert_eq!(
        parse_meetings_page(
            &fixture("meetings_zero_rows.html"),
            &portal(),
            MeetingKind::StateSecretaries
        ),
        Err(PageError::ZeroRows {
            expected: "meetings list",
            total: Some(0)
        })
    );
}

#[test]
fn meetings_impossible_date_is_an_error_naming_the_row() {
    let html =
        fixture("meetings_cabinet_list.html").replace("10.09.2026. 16:00", "32.13.2026. 16:00");
    assert_eq!(
        parse_meetings_page(&html, &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::Row {
            expected: "meetings list",
            row: 2,
            name: Some("Ministru kabineta 10.09.2026. ārkārtas sēde".to_owned()),
            problem: RowProblem::UnreadableDateTime {
                column: "Datums",
                text: "32.13.2026. 16:00".to_owned(),
            },
        })
    );
}

#[test]
fn meetings_protocol_not_written_as_a_number_is_an_error() {
    let html = fixture("meetings_cabinet_list.html").replace("Nr. 51", "51. protokols");
    assert!(matches!(
        parse_meetings_page(&html, &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::Row {
            row: 3,
            problem: RowProblem::UnreadableText { .. },
            ..
        })
    ));
}

// ---------------------------------------------------------------- agendas

fn documents(links: &[(&str, &str)]) -> Vec<DocumentLink> {
    links
        .iter()
        .map(|(title, path)| DocumentLink {
            title: (*title).to_owned(),
            url: link(path),
        })
        .collect()
}

fn cabinet_agenda() -> Agenda {
    parse_agenda_page(
        &fixture("meetings_cabinet_agenda.html"),
        &portal(),
        MeetingKind::CabinetMinisters,
    )
    .unwrap()
}

#[test]
fn cabinet_agenda_every_field_of_both_captured_items() {
    let agenda = cabinet_agenda();
    assert_eq!(agenda.kind, MeetingKind::CabinetMinisters);
    assert_eq!(agenda.items.len(), 2);

    let first = &agenda.items[0];
    assert_eq!(first.number, "1.1");
    assert_eq!(first.ta_number, "26-TA-1173");
    assert!(!first.restricted);
    assert_eq!(
        first.legal_act_url,
        Some(link("/legal_acts/4a86980f-d4f7-4119-b75d-60fdf7a52d9c"))
    );
    assert_eq!(
        first.question,
        r#"Noteikumu projekts "Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 "Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21"""#
    );
    assert_eq!(first.document_count, Some(4));
    assert_eq!(first.presenter.as_deref(), Some("V. Valainis"));
    assert_eq!(first.status, None);
    assert_eq!(first.markers, vec![]);
    assert_eq!(
        first.participation,
        Some(ParticipationLine {
            kind: "Publiskā apspriešana".to_owned(),
            window: CommentWindow {
                from: day("24.07.2026."),
                to: day("07.08.2026."),
            },
            opinions: OpinionsOutcome::Overview {
                published_at: at("18.08.2026. 16:09"),
                url: Some(link(
                    "/public_participation/71e0368d-9bae-49f0-a86b-b54be1f4a010/additional_documents/66d91b42-3846-4cbf-82f7-7490befef2f1/download"
                )),
            },
        })
    );
    assert_eq!(
        first.documents.previews,
        documents(&[
            (
                "Noteikumu (grozījumu) projekts",
                "/structuralizer/data/nodes/675403cc-66bb-4c8e-baaa-4b865598ef75/preview"
            ),
            (
                "MK sēdes protokollēmuma projekts",
                "/structuralizer/data/nodes/96d75fba-79c7-4914-80d3-67aa286936cd/preview"
            ),
            (
                "Noteikumu konsolidētā versija",
                "/structuralizer/data/nodes/b22e31a7-1e8f-4e37-b8dc-26fe39880c99/preview"
            ),
        ])
    );
    assert_eq!(
        first.documents.annotations,
        documents(&[(
            "Anotācija (ex-ante)",
            "/annotation/31991c08-593e-43dd-bc73-10f6734b123f"
        )])
    );
    assert_eq!(
        first.documents.attachments,
        documents(&[(
            "Izziņa",
            "/attachments/legal_acts/additional_documents/a33179ae-963f-4fa0-b7b1-cc946a79e309/download"
        )])
    );
    assert_eq!(
        first.documents.opinions,
        documents(&[
            (
                "FM",
                "/reviews/resolutions/81148141-95a3-4851-a0e3-1cd43bcc7709"
            ),
            (
                "LPS",
                "/reviews/resolutions/91c4796b-855d-4746-8abb-3315bce2b471"
            ),
            (
                "KEM",
                "/reviews/resolutions/913aa667-77ab-4c3b-be17-5af6f079a6b7"
            ),
            (
                "VEA - pēc termiņa",
                "/reviews/resolutions/ed5b20c7-f4f6-4e1b-a015-18830999c3f6"
            ),
            (
                "TM",
                "/reviews/resolutions/f6d5a797-d87c-4ea6-93e3-1f6bf8b4004c"
            ),
            (
                "LTRK",
                "/reviews/resolutions/2ff4b132-e1d0-4f04-9fbc-389ce514efe6"
            ),
        ])
    );
    let late: Vec<&str> = first
        .documents
        .opinions
        .iter()
        .filter(|o| o.is_late())
        .map(|o| o.title.as_str())
        .collect();
    assert_eq!(late, ["VEA - pēc termiņa"]);

    let second = &agenda.items[1];
    assert_eq!(second.number, "1.2");
    assert_eq!(second.ta_number, "25-TA-316");
    assert!(!second.restricted);
    assert_eq!(
        second.legal_act_url,
        Some(link("/legal_acts/e3881f05-0522-45ab-8fd0-69856c87e8f7"))
    );
    assert_eq!(
        second.question,
        r#"Noteikumu projekts "Grozījumi Ministru kabineta 2016. gada 13. decembra noteikumos Nr. 772 "Kredīta starpnieku un kredīta starpnieku pārstāvju reģistrācijas noteikumi"""#
    );
    assert_eq!(second.document_count, Some(4));
    assert_eq!(second.presenter.as_deref(), Some("V. Valainis"));
    assert_eq!(second.status, None);
    assert_eq!(second.markers, vec![]);
    assert_eq!(
        second.participation,
        Some(ParticipationLine {
            kind: "Publiskā apspriešana".to_owned(),
            window: CommentWindow {
                from: day("03.04.2025."),
                to: day("17.04.2025."),
            },
            opinions: OpinionsOutcome::NoneReceived,
        })
    );
    assert_eq!(
        second.documents.previews,
        documents(&[
            (
                "Noteikumu (grozījumu) projekts",
                "/structuralizer/data/nodes/14844a78-8d2f-4b3c-8d6c-4faf18e872d5/preview"
            ),
            (
                "MK sēdes protokollēmuma projekts",
                "/structuralizer/data/nodes/cad421b4-1dcd-440e-a7c6-be18e10bd5f2/preview"
            ),
            (
                "Noteikumu konsolidētā versija",
                "/structuralizer/data/nodes/f4f4e4c2-a506-498a-9f88-007feccf5e56/preview"
            ),
        ])
    );
    assert_eq!(
        second.documents.annotations,
        documents(&[(
            "Anotācija (ex-ante)",
            "/annotation/d8929b7e-8423-4f6c-b89c-ce4da02c7164"
        )])
    );
    assert_eq!(
        second.documents.attachments,
        documents(&[(
            "Izziņa",
            "/attachments/legal_acts/additional_documents/64e6d862-a9fa-460d-ba30-d7a0011bed18/download"
        )])
    );
    assert_eq!(
        second.documents.opinions,
        documents(&[
            (
                "DVI (13.08.2026. 15:19)",
                "/reviews/resolutions/55c7a28e-1529-462b-8950-5e84b40037ec"
            ),
            (
                "LB",
                "/reviews/resolutions/cebdac85-25fc-4bdf-aead-2ed7938b518f"
            ),
            (
                "DVI (21.08.2026. 14:11)",
                "/reviews/resolutions/b94c3761-3f2b-4153-a8e5-1c8b7d636a92"
            ),
            (
                "TM",
                "/reviews/resolutions/97f01044-3192-46d2-b633-4559f004ecd1"
            ),
            (
                "LFNA",
                "/reviews/resolutions/41accd2d-81a7-4d78-a75f-5dca3e6569de"
            ),
            (
                "FM",
                "/reviews/resolutions/ff5c00db-ae3d-4acd-8d85-22f28ca9ee75"
            ),
            (
                "FLA",
                "/reviews/resolutions/503958ac-a6da-4a07-b588-950e01522a5b"
            ),
        ])
    );
}

fn vss_agenda() -> Agenda {
    parse_agenda_page(
        &fixture("meetings_state_secretaries_agenda.html"),
        &portal(),
        MeetingKind::StateSecretaries,
    )
    .unwrap()
}

fn vss_item_documents(item: &AgendaItem, preview: (&str, &str), annotation: &str) {
    assert_eq!(
        item.documents.previews,
        documents(&[preview]),
        "{}",
        item.number
    );
    assert_eq!(
        item.documents.annotations,
        documents(&[("Anotācija (ex-ante)", annotation)]),
        "{}",
        item.number
    );
    assert!(item.documents.opinions.is_empty(), "{}", item.number);
    assert!(item.documents.attachments.is_empty(), "{}", item.number);
}

#[test]
fn state_secretaries_agenda_every_field_markers_and_participation_lines() {
    let agenda = vss_agenda();
    assert_eq!(agenda.kind, MeetingKind::StateSecretaries);
    let [railway, children, wind, report] = agenda.items.as_slice() else {
        panic!("expected 4 items, got {:?}", agenda.items);
    };

    assert_eq!(railway.number, "1.");
    assert_eq!(railway.ta_number, "26-TA-2279");
    assert!(!railway.restricted);
    assert_eq!(
        railway.legal_act_url,
        Some(link("/legal_acts/3cb3a0d7-1a14-5a5a-8f26-83213c4a4472"))
    );
    assert_eq!(
        railway.question,
        r#"Likumprojekts "Grozījumi Dzelzceļa likumā""#
    );
    assert_eq!(railway.document_count, Some(2));
    assert_eq!(railway.presenter, None);
    assert_eq!(railway.status, None);
    assert_eq!(railway.markers, vec![]);
    assert_eq!(railway.participation, None);
    vss_item_documents(
        railway,
        (
            "Likumprojekts",
            "/structuralizer/data/nodes/8a74744b-f89f-5d09-a5c0-e2b2fca835b6/preview",
        ),
        "/annotation/064981f0-58c5-5f53-b7c8-09413f996969",
    );

    assert_eq!(children.number, "2.");
    assert_eq!(children.ta_number, "26-TA-1985");
    assert!(!children.restricted);
    assert_eq!(
        children.legal_act_url,
        Some(link("/legal_acts/097301aa-d43b-5f4d-aa2d-0d51a822b4c6"))
    );
    assert_eq!(
        children.question,
        r#"Likumprojekts "Grozījumi Bērnu tiesību aizsardzības likumā""#
    );
    assert_eq!(children.document_count, Some(2));
    assert_eq!(children.presenter, None);
    assert_eq!(children.status, None);
    assert_eq!(children.markers, vec![]);
    assert_eq!(
        children.participation,
        Some(ParticipationLine {
            kind: "Publiskā apspriešana".to_owned(),
            window: CommentWindow {
                from: day("25.08.2026."),
                to: day("08.09.2026."),
            },
            opinions: OpinionsOutcome::Pending,
        })
    );
    vss_item_documents(
        children,
        (
            "Likumprojekts",
            "/structuralizer/data/nodes/113ca083-8b8b-5da4-9ab0-7b984faef689/preview",
        ),
        "/annotation/bf475477-1a49-5231-ba24-a8fcd41f4712",
    );

    assert_eq!(wind.number, "3.");
    assert_eq!(wind.ta_number, "26-TA-1919");
    assert!(!wind.restricted);
    assert_eq!(
        wind.legal_act_url,
        Some(link("/legal_acts/e67441a8-b03f-5854-8389-74d1e623cc71"))
    );
    assert_eq!(
        wind.question,
        r#"Noteikumu projekts "Grozījums Ministru kabineta 2024. gada 27. augusta noteikumos Nr. 577 "Vēja elektrostaciju maksājumu kārtība vietējās kopienas attīstībai"" (iekļauts papildus)"#
    );
    assert_eq!(wind.document_count, Some(2));
    assert_eq!(wind.presenter, None);
    assert_eq!(wind.status, None);
    assert_eq!(wind.markers, vec![AgendaMarker::IncludedAdditionally]);
    assert_eq!(
        wind.participation,
        Some(ParticipationLine {
            kind: "Publiskā apspriešana".to_owned(),
            window: CommentWindow {
                from: day("10.08.2026."),
                to: day("24.08.2026."),
            },
            opinions: OpinionsOutcome::NoneReceived,
        })
    );
    vss_item_documents(
        wind,
        (
            "Noteikumu projekts",
            "/structuralizer/data/nodes/1a853123-d9b5-57a7-85e2-111cad803fed/preview",
        ),
        "/annotation/9ce607db-0990-53c4-8ee7-daafa9649f22",
    );

    assert_eq!(report.number, "4.");
    assert_eq!(report.ta_number, "26-TA-2254");
    assert!(report.restricted);
    assert_eq!(
        report.legal_act_url,
        Some(link("/legal_acts/30c4fdc4-2fcf-5ce7-993b-57b262d47144"))
    );
    assert_eq!(
        report.question,
        r#"Informatīvais ziņojums "par Ministru kabineta 2026.gada 4.septembra ārkārtas sēdes protokola Nr.50 1. § 4.,5. un 8.punkta izpildi un Ministru kabineta 8.septembra sēdes protokola Nr.51 izpildi""#
    );
    assert_eq!(report.document_count, None);
    assert_eq!(report.presenter, None);
    assert_eq!(report.status.as_deref(), Some("Atlikt"));
    assert_eq!(report.markers, vec![AgendaMarker::Postponed]);
    assert_eq!(report.participation, None);
    assert_eq!(report.documents, Default::default());
}

#[test]
fn agenda_markers_inside_the_quoted_title_are_not_markers() {
    let html = fixture("meetings_state_secretaries_agenda.html").replace(
        r#""Grozījumi Dzelzceļa likumā""#,
        r#""Par atlikto maksājumu un steidzamo svītrojumu kārtību""#,
    );
    let agenda = parse_agenda_page(&html, &portal(), MeetingKind::StateSecretaries).unwrap();
    assert_eq!(agenda.items[0].markers, vec![]);

    let html = fixture("meetings_state_secretaries_agenda.html").replace(
        r#""Grozījumi Dzelzceļa likumā" [2 dokumenti]"#,
        r#""Grozījumi Dzelzceļa likumā" (steidzams) (svītrot) [2 dokumenti]"#,
    );
    let agenda = parse_agenda_page(&html, &portal(), MeetingKind::StateSecretaries).unwrap();
    assert_eq!(
        agenda.items[0].markers,
        vec![AgendaMarker::Urgent, AgendaMarker::Struck]
    );

    // Typographic quotes are several bytes long; the title inside them is still skipped.
    let html = fixture("meetings_state_secretaries_agenda.html").replace(
        r#""Grozījumi Dzelzceļa likumā" [2 dokumenti]"#,
        "„Par atlikto maksājumu kārtību” (atlikt) [2 dokumenti]",
    );
    let agenda = parse_agenda_page(&html, &portal(), MeetingKind::StateSecretaries).unwrap();
    assert_eq!(agenda.items[0].markers, vec![AgendaMarker::Postponed]);
    assert_eq!(
        agenda.items[0].question,
        "Likumprojekts „Par atlikto maksājumu kārtību” (atlikt)"
    );
}

#[test]
fn agenda_participation_line_with_an_impossible_date_is_an_error_naming_the_item() {
    let html = fixture("meetings_cabinet_agenda.html").replace(
        "Publiskā apspriešana 03.04.2025. - 17.04.2025.",
        "Publiskā apspriešana 32.13.2025. - 17.04.2025.",
    );
    let error = parse_agenda_page(&html, &portal(), MeetingKind::CabinetMinisters).unwrap_err();
    assert_eq!(
        error,
        PageError::Row {
            expected: "meeting agenda",
            row: 2,
            name: Some("1.2".to_owned()),
            problem: RowProblem::UnreadableText {
                what: "the participation line",
                text: "Publiskā apspriešana 32.13.2025. - 17.04.2025. Viedokļi nav saņemti"
                    .to_owned(),
            },
        }
    );
    assert!(error.to_string().contains("32.13.2025."), "{error}");
}

#[test]
fn agenda_summary_with_an_impossible_time_is_an_error() {
    let html = fixture("meetings_cabinet_agenda.html").replace(
        "Viedokļu pārskats (18.08.2026. 16:09)",
        "Viedokļu pārskats (18.08.2026. 25:09)",
    );
    assert!(matches!(
        parse_agenda_page(&html, &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::Row {
            row: 1,
            problem: RowProblem::UnreadableText { .. },
            ..
        })
    ));
}

#[test]
fn agenda_item_missing_its_ta_number_is_an_error_naming_the_item() {
    let html = fixture("meetings_cabinet_agenda.html").replace(">25-TA-316</a>", "></a>");
    assert_eq!(
        parse_agenda_page(&html, &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::Row {
            expected: "meeting agenda",
            row: 2,
            name: Some("1.2".to_owned()),
            problem: RowProblem::EmptyCell("Projekta ID"),
        })
    );
}

#[test]
fn agenda_without_items_is_an_error() {
    let html = fixture("meetings_cabinet_agenda.html");
    let first_item = html
        .find(r#"<div class="meeting-header-question" "#)
        .unwrap();
    let list_end = html.find("<script>new VKPPub.ModaalFormLoader();").unwrap();
    let empty = format!("{}</div>{}", &html[..first_item], &html[list_end..]);
    assert_eq!(
        parse_agenda_page(&empty, &portal(), MeetingKind::CabinetMinisters),
        Err(PageError::ZeroRows {
            expected: "meeting agenda",
            total: None
        })
    );
}

// ---------------------------------------------------------------- expected /legal_acts rows
// The values written into the reconstructed fixtures (tests/fixtures/tap/README.md).

fn expected_page1() -> Vec<ExpectedAct> {
    vec![
        ExpectedAct {
            ta_number: "26-TA-2284",
            restricted: false,
            title: "Latvijas Republikas nostājas projekts, sniedzot rakstiskus apsvērumus prejudiciālā nolēmuma lūguma procesā Eiropas Savienības Tiesas lietā C-694/26 Iepirkumu uzraudzības birojs",
            kind: "Latvijas Republikas nostājas projekts",
            stage: Stage::Submitted,
            ministry: "Tieslietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "8a0ddd26-faca-55ea-a170-026d2707776a",
        },
        ExpectedAct {
            ta_number: "26-TA-2280",
            restricted: false,
            title: "Par valsts nekustamā īpašuma daļas Alsungas ielā 29, Liepājā, un valsts inženierbūvju ieguldīšanu sabiedrības ar ierobežotu atbildību “Tiesu namu aģentūra” pamatkapitālā",
            kind: "Rīkojuma projekts",
            stage: Stage::Submitted,
            ministry: "Tieslietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "6cbed3d0-4c14-5a05-93a0-5691ac1216d1",
        },
        ExpectedAct {
            ta_number: "26-TA-2279",
            restricted: false,
            title: "Grozījumi Dzelzceļa likumā",
            kind: "Likumprojekts",
            stage: Stage::Coordination,
            ministry: "Satiksmes ministrija",
            sent_on: Some("17.09.2026."),
            deadline: Some("01.10.2026."),
            uuid: "3cb3a0d7-1a14-5a5a-8f26-83213c4a4472",
        },
        ExpectedAct {
            ta_number: "26-TA-2276",
            restricted: false,
            title: "Par Kopīgu paziņojumu Eiropas Parlamentam un Padomei “Aizstāvēt vērtības, virzīt reformas, panākt ietekmi: ES humanitārā rīcība mainīgā pasaules kārtībā”",
            kind: "ESVIS projekts",
            stage: Stage::Submitted,
            ministry: "Ārlietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "583007c1-8bf9-5822-a189-0d5388e90216",
        },
        ExpectedAct {
            ta_number: "26-TA-2275",
            restricted: false,
            title: "Pavadvēstule par Latvijas Republikas nacionālo pozīciju Nr. 1 \"Par Eiropas Savienības de minimis atbalsta regulējumā noteikto robežlielumu atbilstību pašreizējai ekonomiskajai situācijai\"",
            kind: "ESVIS projekts",
            stage: Stage::Examined,
            ministry: "Ekonomikas ministrija",
            sent_on: Some("16.09.2026."),
            deadline: None,
            uuid: "2116e2ea-bb02-579a-8ae4-3a40984561a7",
        },
        ExpectedAct {
            ta_number: "26-TA-2274",
            restricted: false,
            title: "Par Latvijas Republikas nacionālo pozīciju Nr. 1 “Par priekšlikumu Eiropas Parlamenta un Padomes Regulai, ar ko groza Regulu (ES) 2019/943 attiecībā uz elektroenerģijas rēķinu pielāgošanu nākotnes vajadzībām Savienībā, samazinot sistēmas izmaksas un veicinot elektrifikāciju un digitalizāciju”",
            kind: "ESVIS projekts",
            stage: Stage::Examined,
            ministry: "Klimata un enerģētikas ministrija",
            sent_on: Some("16.09.2026."),
            deadline: None,
            uuid: "4f3c9234-5e56-5382-a433-b32b15d0c2a6",
        },
        ExpectedAct {
            ta_number: "26-TA-2261",
            restricted: false,
            title: "Pavadvēstule \"Par Eiropas Savienības neformālajā Transporta ministru sanāksmē 2026. gada 20.-21. septembrī izskatāmajiem jautājumiem\"",
            kind: "ESVIS projekts",
            stage: Stage::Adopted,
            ministry: "Satiksmes ministrija",
            sent_on: Some("15.09.2026."),
            deadline: None,
            uuid: "70d152bf-88c9-52c5-a2d2-9b17d37fee45",
        },
        ExpectedAct {
            ta_number: "26-TA-2254",
            restricted: true,
            title: "Informatīvais ziņojums par Ministru kabineta 2026.gada 4.septembra ārkārtas sēdes protokola Nr.50 1. § 4.,5. un 8.punkta izpildi un Ministru kabineta 8.septembra sēdes protokola Nr.51 izpildi",
            kind: "Informatīvais ziņojums",
            stage: Stage::Coordination,
            ministry: "Ārlietu ministrija",
            sent_on: Some("15.09.2026."),
            deadline: Some("22.09.2026."),
            uuid: "30c4fdc4-2fcf-5ce7-993b-57b262d47144",
        },
        ExpectedAct {
            ta_number: "26-TA-2253",
            restricted: false,
            title: "Informatīvais ziņojums \"Bērnu, jaunatnes un ģimenes attīstības pamatnostādņu 2022.–2027. gadam starpposma izvērtējums\"",
            kind: "Informatīvais ziņojums",
            stage: Stage::Coordination,
            ministry: "Labklājības ministrija",
            sent_on: Some("17.09.2026."),
            deadline: Some("01.10.2026."),
            uuid: "a8406452-85dd-5318-933a-4d937831d2a3",
        },
        ExpectedAct {
            ta_number: "26-TA-2251",
            restricted: false,
            title: "Pavadvēstule: Latvijas Republikas nacionālā pozīcija \"Par ES kopējās nostājas projektu par sarunu 12. sadaļas “Pārtikas drošība, veterinārā un fitosanitārā politika”, 18. sadaļas “Statistika” un 19. sadaļas “Sociālā politika un nodarbinātība” slēgšanu Melnkalnei\"",
            kind: "ESVIS projekts",
            stage: Stage::Adopted,
            ministry: "Ārlietu ministrija",
            sent_on: Some("14.09.2026."),
            deadline: None,
            uuid: "8f77ea92-a479-5738-8073-8c2b159240a8",
        },
        ExpectedAct {
            ta_number: "26-TA-2248",
            restricted: false,
            title: "Par finanšu līdzekļu piešķiršanu no valsts budžeta programmas \"Līdzekļi neparedzētiem gadījumiem\"",
            kind: "Rīkojuma projekts",
            stage: Stage::Coordination,
            ministry: "Viedās administrācijas un reģionālās attīstības ministrija",
            sent_on: Some("14.09.2026."),
            deadline: Some("17.09.2026."),
            uuid: "64ee4228-b673-57bf-b677-84783f55cf1f",
        },
        ExpectedAct {
            ta_number: "26-TA-2241",
            restricted: false,
            title: "Par valsts aizsardzības dienesta sistēmas daļas ieviešanu Valsts robežsardzē",
            kind: "Informatīvais ziņojums",
            stage: Stage::Submitted,
            ministry: "Iekšlietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "c3c8c28a-bad1-5588-9f1c-30f719d0cf54",
        },
        ExpectedAct {
            ta_number: "26-TA-2237",
            restricted: false,
            title: "Par risinājumiem graudu tranzīta jomā",
            kind: "Informatīvais ziņojums",
            stage: Stage::Withdrawn,
            ministry: "Iekšlietu ministrija",
            sent_on: Some("11.09.2026."),
            deadline: None,
            uuid: "75eb20f3-f9b0-51b7-afd0-ebd8afc11789",
        },
        ExpectedAct {
            ta_number: "26-TA-2228",
            restricted: false,
            title: "Likumprojekts \"Grozījumi likumā \"Par audzinoša rakstura piespiedu līdzekļu piemērošanu bērniem\"\"",
            kind: "Likumprojekts",
            stage: Stage::PublicParticipation,
            ministry: "Tieslietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "dd61e7ad-27ba-5bb9-bb10-f2cb843045c9",
        },
        ExpectedAct {
            ta_number: "26-TA-2227",
            restricted: false,
            title: "Likumprojekts \"Grozījumi Kriminālprocesa likumā\"",
            kind: "Likumprojekts",
            stage: Stage::PublicParticipation,
            ministry: "Tieslietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "9888621e-068b-5f2b-9c0a-972667631ee6",
        },
        ExpectedAct {
            ta_number: "26-TA-2225",
            restricted: false,
            title: "Progresa ziņojums par integrēta palīdzības modeļa īstenošanu nepilngadīgajiem ar psihoaktīvo vielu lietošanas traucējumiem",
            kind: "Informatīvais ziņojums",
            stage: Stage::Examined,
            ministry: "Veselības ministrija",
            sent_on: Some("10.09.2026."),
            deadline: Some("17.09.2026."),
            uuid: "e77a3884-0551-598a-9dc7-bf241d974093",
        },
        ExpectedAct {
            ta_number: "26-TA-2222",
            restricted: false,
            title: "Par finanšu līdzekļu piešķiršanu no valsts budžeta programmas \"Līdzekļi neparedzētiem gadījumiem\"",
            kind: "Rīkojuma projekts",
            stage: Stage::Adopted,
            ministry: "Viedās administrācijas un reģionālās attīstības ministrija",
            sent_on: Some("10.09.2026."),
            deadline: Some("14.09.2026."),
            uuid: "733f23e9-ba05-50a7-9c6a-fc3665629fbb",
        },
        ExpectedAct {
            ta_number: "26-TA-2217",
            restricted: false,
            title: "Likumprojekts \"Grozījumi Krimināllikumā\"",
            kind: "Likumprojekts",
            stage: Stage::PublicParticipation,
            ministry: "Tieslietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "240ff19a-da86-56a7-8299-bd35ffba9bc0",
        },
        ExpectedAct {
            ta_number: "26-TA-2209",
            restricted: false,
            title: "Par finanšu līdzekļu piešķiršanu no valsts budžeta programmas \"Līdzekļi neparedzētiem gadījumiem\"",
            kind: "Rīkojuma projekts",
            stage: Stage::Adopted,
            ministry: "Iekšlietu ministrija",
            sent_on: Some("10.09.2026."),
            deadline: Some("14.09.2026."),
            uuid: "3a66b304-2290-59c2-bd6e-9b2ad59bf777",
        },
        ExpectedAct {
            ta_number: "26-TA-2200",
            restricted: false,
            title: "Par ierobežojuma noteikšanu Latvijas Republikas–Baltkrievijas Republikas un Latvijas Republikas–Krievijas Federācijas robežas šķērsošanai, veicot starptautiskos neregulāros pasažieru pārvadājumus ar autobusiem",
            kind: "Rīkojuma projekts",
            stage: Stage::Coordination,
            ministry: "Satiksmes ministrija",
            sent_on: Some("10.09.2026."),
            deadline: Some("24.09.2026."),
            uuid: "096d2621-ccf3-58ac-90f3-4578e8c52d39",
        },
        ExpectedAct {
            ta_number: "26-TA-2195",
            restricted: false,
            title: "Latvijas Republikas nacionālā pozīcija \"Priekšlikums Eiropas Parlamenta un Padomes Regulai, ar ko attiecībā uz tādu pasažieru aizsardzību, kuriem ir vienotas biļetes, groza Regulu (ES) 2021/782\"",
            kind: "ESVIS projekts",
            stage: Stage::Examined,
            ministry: "Satiksmes ministrija",
            sent_on: Some("10.09.2026."),
            deadline: None,
            uuid: "eee4d60c-7379-5aec-aa8b-cfb145927e10",
        },
        ExpectedAct {
            ta_number: "26-TA-2189",
            restricted: false,
            title: "Par nekustamā īpašuma “Upmalas iela 8”, Bauskā, Bauskas novadā, valstij piederošo 1859/37500 domājamo daļu pārdošanu",
            kind: "Rīkojuma projekts",
            stage: Stage::Coordination,
            ministry: "Finanšu ministrija",
            sent_on: Some("10.09.2026."),
            deadline: Some("24.09.2026."),
            uuid: "6f7b3584-191e-5944-b528-d9f0537e6cf6",
        },
        ExpectedAct {
            ta_number: "26-TA-2183",
            restricted: false,
            title: "Par finanšu līdzekļu piešķiršanu no valsts budžeta programmas \"Līdzekļi neparedzētiem gadījumiem\"",
            kind: "Rīkojuma projekts",
            stage: Stage::Adopted,
            ministry: "Zemkopības ministrija",
            sent_on: Some("09.09.2026."),
            deadline: Some("11.09.2026."),
            uuid: "86abfca2-3581-5ae9-936d-5bfa48079810",
        },
        ExpectedAct {
            ta_number: "26-TA-2181",
            restricted: false,
            title: "Grozījumi Ministru kabineta 2023. gada 12. septembra noteikumos Nr. 530 \"Eiropas Savienības kohēzijas politikas programmas 2021.–2027. gadam 5.1.1. specifiskā atbalsta mērķa \"Vietējās teritorijas integrētās sociālās, ekonomiskās un vides attīstības un kultūras mantojuma, tūrisma un drošības veicināšana pilsētu funkcionālajās teritorijās\" 5.1.1.5. pasākuma \"Unikāla Eiropas mēroga kultūras mantojuma atjaunošana, lai veicinātu to piekļūstamību, attīstot kultūras pakalpojumus\" īstenošanas noteikumi\"",
            kind: "Noteikumu projekts",
            stage: Stage::Coordination,
            ministry: "Kultūras ministrija",
            sent_on: Some("10.09.2026."),
            deadline: Some("24.09.2026."),
            uuid: "dc9845fd-1252-5850-b0f8-3e1fb16f697c",
        },
        ExpectedAct {
            ta_number: "26-TA-2180",
            restricted: false,
            title: "Par apropriācijas pārdali labklājības nozares neatliekamu un nozīmīgu pasākumu īstenošanai",
            kind: "Rīkojuma projekts",
            stage: Stage::Submitted,
            ministry: "Labklājības ministrija",
            sent_on: None,
            deadline: None,
            uuid: "dbe744d3-34ce-53b5-9130-d806426ff9dd",
        },
    ]
}

fn expected_last() -> Vec<ExpectedAct> {
    vec![
        ExpectedAct {
            ta_number: "26-TA-1173",
            restricted: false,
            title: "Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 \"Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21\"",
            kind: "Noteikumu projekts",
            stage: Stage::Adopted,
            ministry: "Ekonomikas ministrija",
            sent_on: Some("24.07.2026."),
            deadline: Some("07.08.2026."),
            uuid: "4a86980f-d4f7-4119-b75d-60fdf7a52d9c",
        },
        ExpectedAct {
            ta_number: "25-TA-316",
            restricted: false,
            title: "Grozījumi Ministru kabineta 2016. gada 13. decembra noteikumos Nr. 772 \"Kredīta starpnieku un kredīta starpnieku pārstāvju reģistrācijas noteikumi\"",
            kind: "Noteikumu projekts",
            stage: Stage::Adopted,
            ministry: "Ekonomikas ministrija",
            sent_on: Some("20.08.2026."),
            deadline: Some("27.08.2026."),
            uuid: "e3881f05-0522-45ab-8fd0-69856c87e8f7",
        },
        ExpectedAct {
            ta_number: "26-TA-1985",
            restricted: false,
            title: "Grozījumi Bērnu tiesību aizsardzības likumā",
            kind: "Likumprojekts",
            stage: Stage::Coordination,
            ministry: "Labklājības ministrija",
            sent_on: Some("10.09.2026."),
            deadline: Some("24.09.2026."),
            uuid: "097301aa-d43b-5f4d-aa2d-0d51a822b4c6",
        },
        ExpectedAct {
            ta_number: "26-TA-1919",
            restricted: false,
            title: "Grozījums Ministru kabineta 2024. gada 27. augusta noteikumos Nr. 577 \"Vēja elektrostaciju maksājumu kārtība vietējās kopienas attīstībai\"",
            kind: "Noteikumu projekts",
            stage: Stage::Examined,
            ministry: "Klimata un enerģētikas ministrija",
            sent_on: Some("27.08.2026."),
            deadline: Some("03.09.2026."),
            uuid: "e67441a8-b03f-5854-8389-74d1e623cc71",
        },
        ExpectedAct {
            ta_number: "26-TA-1864",
            restricted: false,
            title: "Grozījums Ministru kabineta 2022. gada 20. septembra noteikumos Nr. 594 \"Eiropas Savienības Atveseļošanas un noturības mehānisma plāna 1.2. reformu un investīciju virziena \"Energoefektivitātes uzlabošana\" 1.2.1.2.i. investīcijas \"Energoefektivitātes paaugstināšana uzņēmējdarbībā (ietverot pāreju uz atjaunojamo energoresursu tehnoloģiju izmantošanu siltumapgādē un pētniecības un attīstības aktivitātes (t. sk. bioekonomikā))\" 1.2.1.2.i.1. pasākuma \"Energoefektivitātes paaugstināšana uzņēmējdarbībā (ietverot pāreju uz atjaunojamo energoresursu tehnoloģiju izmantošanu siltumapgādē)\" īstenošanas noteikumi\"",
            kind: "Noteikumu projekts",
            stage: Stage::Coordination,
            ministry: "Ekonomikas ministrija",
            sent_on: Some("03.09.2026."),
            deadline: Some("17.09.2026."),
            uuid: "8db3099e-0be5-5b18-8339-8eb880e525ad",
        },
        ExpectedAct {
            ta_number: "26-TA-1836",
            restricted: false,
            title: "Grozījumi Kriminālprocesa likumā",
            kind: "Likumprojekts",
            stage: Stage::Other("Nodots Saeimai".to_owned()),
            ministry: "Tieslietu ministrija",
            sent_on: Some("13.08.2026."),
            deadline: Some("27.08.2026."),
            uuid: "3ab971c7-ac81-5fea-83d1-d5b8dd2e81b7",
        },
        ExpectedAct {
            ta_number: "26-TA-2001",
            restricted: false,
            title: "Nacionālie antidopinga noteikumi",
            kind: "Noteikumu projekts",
            stage: Stage::Withdrawn,
            ministry: "Veselības ministrija",
            sent_on: None,
            deadline: None,
            uuid: "cd476867-93ac-5507-ab89-9eab840a0901",
        },
    ]
}

fn expected_restricted() -> Vec<ExpectedAct> {
    vec![
        ExpectedAct {
            ta_number: "26-TA-2254",
            restricted: true,
            title: "Informatīvais ziņojums par Ministru kabineta 2026.gada 4.septembra ārkārtas sēdes protokola Nr.50 1. § 4.,5. un 8.punkta izpildi un Ministru kabineta 8.septembra sēdes protokola Nr.51 izpildi",
            kind: "Informatīvais ziņojums",
            stage: Stage::Coordination,
            ministry: "Ārlietu ministrija",
            sent_on: Some("15.09.2026."),
            deadline: None,
            uuid: "30c4fdc4-2fcf-5ce7-993b-57b262d47144",
        },
        ExpectedAct {
            ta_number: "26-TA-2253",
            restricted: false,
            title: "Informatīvais ziņojums \"Bērnu, jaunatnes un ģimenes attīstības pamatnostādņu 2022.–2027. gadam starpposma izvērtējums\"",
            kind: "Informatīvais ziņojums",
            stage: Stage::Coordination,
            ministry: "Labklājības ministrija",
            sent_on: Some("17.09.2026."),
            deadline: Some("01.10.2026."),
            uuid: "a8406452-85dd-5318-933a-4d937831d2a3",
        },
        ExpectedAct {
            ta_number: "26-TA-2228",
            restricted: false,
            title: "Likumprojekts \"Grozījumi likumā \"Par audzinoša rakstura piespiedu līdzekļu piemērošanu bērniem\"\"",
            kind: "Likumprojekts",
            stage: Stage::PublicParticipation,
            ministry: "Tieslietu ministrija",
            sent_on: None,
            deadline: None,
            uuid: "dd61e7ad-27ba-5bb9-bb10-f2cb843045c9",
        },
    ]
}
