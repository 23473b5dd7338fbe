//! Parser of the TAP `/legal_acts` list, against the reconstructed fixtures in tests/fixtures/tap (see its README: the
//! values come from real captures, the markup from the captured participation list page).
//! Every field of every fixture row is asserted; broken pages must be errors, never "nothing".

use std::path::Path;

use chrono::NaiveDate;
use draftwatch::sources::tap::flextable::{PageError, RowProblem};
use draftwatch::sources::tap::legal_acts_list::{
    LegalActRow, LegalActsPage, Stage, parse_legal_acts_page,
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
fn firewall_page_is_an_error() {
    let firewall = fixture("firewall_rejected.html");
    assert_eq!(
        parse_legal_acts_page(&firewall, &portal()),
        Err(PageError::Firewall {
            expected: "legal acts list"
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
