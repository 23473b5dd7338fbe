//! TAP annotations (anotācija) parsed from the visible text of `<main>`: the real captures
//! (copies in tests/fixtures/tap_annotation/, and the shared originals when present) with
//! every `8.1.N` answer as written, a renumbered form, pages framed in the portal's HTML, a
//! page that is no annotation, and the form's own words kept out of the draft's text.

use std::path::{Path, PathBuf};

use draftwatch::model::{ImpactAnswer, ImpactItem};
use draftwatch::sources::tap::annotation::{Annotation, IMPACT_WORDINGS};
use draftwatch::sources::tap::labels::{DetailError, PageLink, main_text};
use regex::Regex;
use serde::Deserialize;

const ANNOTATION_1173: &str = "tap_annotation_26-TA-1173_text_2026-09-18.json";
const ANNOTATION_1634: &str = "tap_annotation_26-TA-1634_text_with_ja.json";
const CHILD_INTERESTS: &str = "uz bērna labākajām interesēm";

/// A capture record: the visible text of `<main>` and, for 26-TA-1173, the page's links.
#[derive(Debug, Deserialize)]
struct Record {
    text: String,
    #[serde(default)]
    links: Vec<PageLink>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tap_annotation")
}

fn shared_samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn record_in(dir: &Path, name: &str) -> Record {
    serde_json::from_str(&read(&dir.join(name))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn record(name: &str) -> Record {
    record_in(&fixtures_dir(), name)
}

fn parse(record: &Record) -> Annotation {
    Annotation::parse(&record.text, &record.links).unwrap()
}

fn item(number: &str, label: &str, answer: ImpactAnswer, explanation: Option<&str>) -> ImpactItem {
    ImpactItem {
        number: number.to_owned(),
        label: label.to_owned(),
        answer,
        explanation: explanation.map(str::to_owned),
    }
}

/// The sixteen items as the form numbers them, all with the same answer and no explanation.
fn all_items(answer: ImpactAnswer) -> Vec<ImpactItem> {
    IMPACT_WORDINGS
        .iter()
        .enumerate()
        .map(|(i, wording)| item(&format!("8.1.{}", i + 1), wording, answer, None))
        .collect()
}

// ---------------------------------------------------------------- 26-TA-1173 (every item Nē)

fn assert_1173(annotation: &Annotation) {
    assert_eq!(
        annotation.header.as_deref(),
        Some("26-TA-1173: Noteikumu projekts (Grozījumi)")
    );
    assert_eq!(annotation.ta_number.as_deref(), Some("26-TA-1173"));
    assert_eq!(
        annotation.kind.as_deref(),
        Some("Noteikumu projekts (Grozījumi)")
    );
    assert_eq!(
        annotation.title.as_deref(),
        Some(
            "Grozījumi Ministru kabineta 2021. gada 15. jūnija noteikumos Nr. 384 \"Būvju tehniskās apsekošanas būvnormatīvs LBN 405-21\""
        )
    );
    // All sixteen answers as written: `8.1.1. uz publisku pakalpojumu attīstību Vai projekts
    // skar šo jomu? Nē` … `8.1.16. uz bērna labākajām interesēm Vai projekts skar šo jomu? Nē`.
    assert_eq!(annotation.impacts, all_items(ImpactAnswer::No));
}

#[test]
fn annotation_1173_has_all_sixteen_impact_answers_as_written() {
    assert_1173(&parse(&record(ANNOTATION_1173)));
}

#[test]
fn annotation_1173_shared_original_parses_like_the_fixture_copy() {
    let dir = shared_samples_dir();
    if !dir.join(ANNOTATION_1173).exists() {
        eprintln!("../shared/samples is absent; the fixture copy is checked by the other tests");
        return;
    }
    let original = parse(&record_in(&dir, ANNOTATION_1173));
    assert_1173(&original);
    assert_eq!(original, parse(&record(ANNOTATION_1173)));
}

#[test]
fn annotation_1173_sections_carry_the_ministrys_answers() {
    let annotation = parse(&record(ANNOTATION_1173));
    let numbers: Vec<&str> = annotation
        .sections
        .iter()
        .map(|s| s.number.as_str())
        .collect();
    assert_eq!(
        numbers,
        [
            "1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2", "2.1", "2.2", "2.3", "2.4", "2.5",
            "3", "4", "4.2", "5", "5.3", "6", "6.1", "6.2", "6.3", "6.4", "7", "7.5", "8", "8.1",
            "8.2"
        ],
        "`2.1. apakšpunktu` in the free text of 1.3 is not a heading"
    );
    let basis = annotation.section("1.1").unwrap();
    assert_eq!(basis.heading, "Pamatojums");
    assert_eq!(
        basis.answers,
        [
            "Ministrijas / iestādes iniciatīva",
            "Ministrijas iniciatīva"
        ]
    );
    let goal = annotation.section("1.2").unwrap();
    assert_eq!(goal.heading, "Mērķis");
    assert_eq!(goal.answers.len(), 2, "{:?}", goal.answers);
    assert!(goal.answers[0].starts_with("Noteikumu projekts izstrādāts ar mērķi nodrošināt"));
    assert!(goal.answers[0].ends_with("videi un īpašumam."));
    assert_eq!(goal.answers[1], "Vispārējā kārtība");
    let situation = annotation.section("1.3").unwrap();
    assert!(
        situation
            .text()
            .unwrap()
            .contains("saskaņā ar LBN 405-21 2.1. apakšpunktu neattiecas")
    );
    assert_eq!(situation.answers.last().map(String::as_str), Some("Nē"));
    let groups = annotation.section("2.1").unwrap();
    assert_eq!(
        groups.heading,
        "Sabiedrības grupas, kuras tiesiskais regulējums ietekmē, vai varētu ietekmēt"
    );
    assert_eq!(
        groups.answers[0],
        "nekustamā īpašuma īpašnieki būvspeciālisti"
    );
    assert!(groups.answers[1].starts_with("LBN 405-21 grozījumi var ietekmēt fiziskās personas"));
    assert_eq!(
        groups.answers[2],
        "nekustamā īpašuma īpašnieki būvkomersanti"
    );
    assert_eq!(
        annotation.section("1.6").unwrap().answers,
        Vec::<String>::new()
    );
    assert_eq!(
        annotation.section("8.2").unwrap().answers,
        Vec::<String>::new()
    );
    assert_eq!(
        annotation.links,
        [PageLink {
            url:
                "https://tapportals.mk.gov.lv/annotation/31991c08-593e-43dd-bc73-10f6734b123f.docx"
                    .to_owned(),
            title: "Saistītais dokuments".to_owned(),
        }]
    );
}

#[test]
fn annotation_1173_form_boilerplate_is_not_draft_text() {
    let annotation = parse(&record(ANNOTATION_1173));
    let texts = annotation.texts();
    let text = texts.annotation.as_deref().unwrap();
    for boilerplate in [
        CHILD_INTERESTS,
        "bērn",
        "ģimen",
        "Vai projekts skar šo jomu?",
        "Horizontālās ietekmes",
        "Mērķa apraksts",
        "Ietekmes apraksts",
        "Anotācijas (ex-ante) nosaukums",
        "Tiesību akta projekta izstrādes nepieciešamība",
        "Sabiedrības līdzdalība uz šo tiesību akta projektu neattiecas",
        "Tiesību aktu projekti Sēdēs neskatāmie ziņojumi",
        "Pielikumi",
    ] {
        assert!(!text.contains(boilerplate), "{boilerplate:?} is form text");
    }
    assert!(text.starts_with("Ministrijas / iestādes iniciatīva\nMinistrijas iniciatīva\n"));
    assert!(text.contains("obligātu periodisko tehnisko apsekošanu vēja elektrostacijām"));
    assert!(text.contains("\ntika nodrošināta TAP portālā\n"));
    assert!(
        !text.lines().any(|line| line == "Nē" || line == "Jā"),
        "bare answers are no text"
    );
    assert_eq!(texts.impacts, annotation.impacts);
    assert_eq!(texts.document, None);
    assert_eq!(annotation.clone().into_draft_texts(), texts);
}

// ---------------------------------------------------------------- 26-TA-1634 (Jā + explanation)

fn expected_1634() -> Vec<ImpactItem> {
    let mut items = all_items(ImpactAnswer::No);
    items[0] = item(
        "8.1.1",
        IMPACT_WORDINGS[0],
        ImpactAnswer::Yes,
        Some(
            "Projekts nodrošina valsts veselības aprūpes kapitālsabiedrību spēju nodrošināt nepārtrauktu un kvalitatīvu veselības aprūpes pakalpojumu sniegšanu.",
        ),
    );
    items[10] = item(
        "8.1.11",
        "uz veselību",
        ImpactAnswer::Yes,
        Some(
            "Projekts veicina veselības aprūpes pakalpojumu nepārtrauktību, pieejamību un kvalitāti, nodrošinot ārstniecības personu kapacitāti valsts kapitālsabiedrībās.",
        ),
    );
    items[15] = item(
        "8.1.16",
        CHILD_INTERESTS,
        ImpactAnswer::Yes,
        Some(
            "Projekts veicina nepārtrauktu un kvalitatīvu veselības aprūpes pakalpojumu nodrošināšanu, tostarp bērniem, nodrošinot ārstniecības personāla pieejamību Veselības ministrijas kapitālsabiedrībās.",
        ),
    );
    items
}

#[test]
fn annotation_1634_yes_answers_carry_their_explanation() {
    let annotation = parse(&record(ANNOTATION_1634));
    assert_eq!(
        annotation.header.as_deref(),
        Some("26-TA-1634: Rīkojuma projekts (Vispārīgais)")
    );
    assert_eq!(
        annotation.title.as_deref(),
        Some("Par Veselības ministrijas kapitālsabiedrību personāla izmaksām")
    );
    assert_eq!(annotation.impacts, expected_1634());
    let child = annotation.impact(CHILD_INTERESTS).unwrap();
    assert_eq!(child.answer, ImpactAnswer::Yes);

    let text = annotation.texts().annotation.unwrap();
    assert!(
        text.contains("tostarp bērniem"),
        "a Jā explanation is draft text"
    );
    assert!(!text.contains(CHILD_INTERESTS));
    assert!(
        !text.contains("Pielikums"),
        "the attachment list is not text"
    );
    // Free-text numbering (`2. VSIA "Paula Stradiņa …"`) stays inside section 1.3.
    let situation = annotation.section("1.3").unwrap().text().unwrap();
    assert!(situation.contains("2. VSIA \"Paula Stradiņa klīniskā universitātes"));
    assert!(situation.contains("3. VSIA \"Bērnu klīniskā universitātes slimnīca\""));
    assert!(text.contains("VSIA \"Bērnu klīniskā universitātes slimnīca\""));
    let participation = annotation.section("6").unwrap();
    assert_eq!(participation.answers[0], "Jā");
    assert!(participation.answers[1].starts_with("Projekta izstrādē tika izmantota"));
}

#[test]
fn annotation_with_renumbered_impact_items_parses_by_wording() {
    let original = record(ANNOTATION_1634);
    // A form revision that moved the checklist to 9.2 and numbered it backwards.
    let renumber = Regex::new(r"8\.1\.(\d+)\. uz ").unwrap();
    let text = renumber
        .replace_all(&original.text, |c: &regex::Captures<'_>| {
            let n: usize = c[1].parse().unwrap();
            format!("9.2.{}. uz ", 17 - n)
        })
        .into_owned();
    assert_ne!(text, original.text);
    let annotation = Annotation::parse(&text, &[]).unwrap();
    let expected: Vec<ImpactItem> = expected_1634()
        .into_iter()
        .enumerate()
        .map(|(i, item)| ImpactItem {
            number: format!("9.2.{}", 16 - i),
            ..item
        })
        .collect();
    assert_eq!(annotation.impacts, expected);

    // Without numbers at all, the known wordings still find every item.
    let unnumbered = Regex::new(r"8\.1\.\d+\. uz ").unwrap();
    let text = unnumbered.replace_all(&original.text, "uz ").into_owned();
    let annotation = Annotation::parse(&text, &[]).unwrap();
    let expected: Vec<ImpactItem> = expected_1634()
        .into_iter()
        .map(|item| ImpactItem {
            number: String::new(),
            ..item
        })
        .collect();
    assert_eq!(annotation.impacts, expected);
}

#[test]
fn annotation_item_with_an_unknown_wording_and_a_dash_answer_is_kept() {
    let original = record(ANNOTATION_1173).text;
    let text = original.replace(
        "8.1.16. uz bērna labākajām interesēm Vai projekts skar šo jomu? Nē",
        "8.1.16. uz bērna labākajām interesēm Vai projekts skar šo jomu? - 8.1.17. uz jauniešu politiku Vai projekts skar šo jomu? Jā Apraksts Jaunieši iesaistās.",
    );
    let annotation = Annotation::parse(&text, &[]).unwrap();
    assert_eq!(annotation.impacts.len(), 17);
    assert_eq!(
        annotation.impacts[15],
        item("8.1.16", CHILD_INTERESTS, ImpactAnswer::Missing, None)
    );
    assert_eq!(
        annotation.impacts[16],
        item(
            "8.1.17",
            "uz jauniešu politiku",
            ImpactAnswer::Yes,
            Some("Jaunieši iesaistās.")
        )
    );
}

// ---------------------------------------------------------------- not an annotation

#[test]
fn page_without_a_known_section_is_a_markup_error() {
    let detail = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tap/tap_legal_act_detail_26-TA-1173_text_2026-09-18.json");
    let legal_act: Record = serde_json::from_str(&read(&detail)).unwrap();
    for text in [
        legal_act.text.as_str(),
        "",
        "26-TA-1173: Noteikumu projekts (Grozījumi) Anotācijas (ex-ante) nosaukums Tiesību akta projekta \"X\" sākotnējās ietekmes (ex-ante) novērtējuma ziņojums (anotācija)",
    ] {
        assert!(
            matches!(
                Annotation::parse(text, &[]),
                Err(DetailError::NoLabels { .. })
            ),
            "{text:.60}"
        );
    }
    assert_eq!(
        Annotation::from_html("<html><body><p>Nav</p></body></html>"),
        Err(DetailError::NoMain)
    );
}

// ---------------------------------------------------------------- HTML frame

/// Wrap a capture's text in the real list page's frame (head, header, `<main>` with the left
/// menu, footer), each form heading and label in its own element, links as anchors, and a
/// script and a nav inside the content whose text must be dropped.
fn framed(capture_text: &str, links: &[PageLink]) -> String {
    let page = read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tap/public_participation_page1.html"),
    );
    let menu_start = page.find("<main").unwrap();
    let menu_end = page.find("<div class=\"flash-messages\"").unwrap();
    let footer = page.find("</main>").unwrap();
    let menu_text = "Tiesību aktu projekti Sēdēs neskatāmie ziņojumi Sabiedrības līdzdalība Sēdes Ministru kabineta sēdes Ministru kabineta komitejas sēdes Valsts sekretāru sanāksmes Ministrijām dotie uzdevumi Deklasificētie dokumenti Pieteikties jaunumiem Pieteikt TAP slēgtās vides kontu Atvērtie dati Video palīgs ";
    let body = capture_text.strip_prefix(menu_text).unwrap_or(capture_text);
    let mut content = html_escape::encode_text(body).into_owned();
    for heading in [
        "Anotācijas (ex-ante) nosaukums",
        "1.1. Pamatojums",
        "Mērķa apraksts",
        "8. Horizontālās ietekmes",
        "8.1.16. uz bērna labākajām interesēm",
        "Vai projekts skar šo jomu?",
    ] {
        content = content.replace(
            heading,
            &format!("</div><div class=\"annotation__label\"><h3>{heading}</h3></div><div class=\"annotation__value\">"),
        );
    }
    let anchors: String = links
        .iter()
        .map(|link| {
            format!(
                "<a href=\"{}\"><span>{}</span></a>",
                link.url,
                html_escape::encode_text(&link.title)
            )
        })
        .collect();
    format!(
        "{}{}<div class=\"content\"><script>var label = \"1.1. Pamatojums\";</script><nav><a href=\"/legal_acts\">Atpakaļ</a></nav><style>.x {{ }}</style><div>{content} {anchors}</div></div>{}",
        &page[..menu_start],
        &page[menu_start..menu_end],
        &page[footer..],
    )
}

#[test]
fn annotation_html_parses_like_its_text() {
    for name in [ANNOTATION_1173, ANNOTATION_1634] {
        let capture = record(name);
        let html = framed(&capture.text, &capture.links);
        let from_html = Annotation::from_html(&html).unwrap();
        let from_text = parse(&capture);
        let page = main_text(&html).unwrap();
        let titles: String = capture
            .links
            .iter()
            .map(|l| format!(" {}", l.title))
            .collect();
        let body = capture.text.split_once("26-TA-").unwrap().1;
        assert!(
            page.text.ends_with(&format!("{body}{titles}")),
            "{name}: the page's text is the capture's"
        );
        assert_eq!(from_html.header, from_text.header, "{name}");
        assert_eq!(from_html.title, from_text.title, "{name}");
        assert_eq!(from_html.sections, from_text.sections, "{name}");
        assert_eq!(from_html.impacts, from_text.impacts, "{name}");
        assert_eq!(from_html.links, capture.links, "{name}");
        assert_eq!(from_html.texts(), from_text.texts(), "{name}");
    }
    assert_1173(&Annotation::from_html(&framed(&record(ANNOTATION_1173).text, &[])).unwrap());
}
