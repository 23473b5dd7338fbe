//! Draft text extraction: DOCX and PDF files made here (a minimal DOCX written with the `zip`
//! crate, a minimal PDF written by hand), a structuralizer preview, corrupt files, zip and
//! deflate bombs, and the async fetch against local mock servers (127.0.0.1 only): an
//! oversized attachment, a slow server, a login redirect, and a whole draft's documents.

use std::io::{Cursor, Write};
use std::path::Path;
use std::time::Duration;

use draftwatch::config::HttpConfig;
use draftwatch::documents::docx::docx_text;
use draftwatch::documents::pdf::pdf_text;
use draftwatch::documents::preview::preview_text;
use draftwatch::documents::{
    DocumentError, DocumentKind, DraftTextLinks, ExtractedText, TextLimits, extract_document,
    fetch_draft_texts,
};
use draftwatch::model::ImpactAnswer;
use draftwatch::sources::{FetchError, Fetcher};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const MIB: u64 = 1024 * 1024;

fn limits() -> TextLimits {
    TextLimits {
        max_download_bytes: 2 * MIB,
        max_unpacked_bytes: MIB,
        max_text_bytes: 64 * 1024,
        timeout: Duration::from_secs(10),
    }
}

// ---------------------------------------------------------------- DOCX

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

/// `word/document.xml` with one paragraph per entry of `paragraphs`.
fn document_xml(paragraphs: &[&str]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    )
}

/// A ZIP of `(name, content)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn docx(document: &str) -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

#[test]
fn docx_paragraphs_runs_tabs_and_entities_become_text() {
    let xml = document_xml(&[
        "Grozījumi noteikumos par audžuģimenēm",
        "Bērna labākās intereses &amp; &quot;aprūpe&quot; &#8211; ārpusģimenes",
    ])
    .replace(
        "<w:sectPr/>",
        "<w:p><w:r><w:t>1.</w:t><w:tab/><w:t>Punkts</w:t><w:br/><w:t>otrā rinda</w:t></w:r></w:p><w:sectPr/>",
    );
    let bytes = docx(&xml);
    assert_eq!(DocumentKind::sniff(&bytes).unwrap(), DocumentKind::Docx);
    let text = docx_text(&bytes, &limits()).unwrap();
    assert_eq!(
        text,
        ExtractedText {
            text: "Grozījumi noteikumos par audžuģimenēm\nBērna labākās intereses & \"aprūpe\" – ārpusģimenes\n1.\tPunkts\notrā rinda".to_owned(),
            truncated: false,
        }
    );
}

#[test]
fn docx_that_is_a_zip_of_word_files_reads_each() {
    let first = docx(&document_xml(&["Pirmais dokuments"]));
    let second = docx(&document_xml(&["Otrais dokuments"]));
    let bundle = zip_of(&[("a.docx", &first), ("b.DOCX", &second)]);
    let text = docx_text(&bundle, &limits()).unwrap();
    assert_eq!(text.text, "Pirmais dokuments\nOtrais dokuments");
}

#[test]
fn docx_text_is_cut_at_the_text_limit() {
    let long = "bērni ".repeat(1000);
    let bytes = docx(&document_xml(&[&long]));
    let small = TextLimits {
        max_text_bytes: 101,
        ..limits()
    };
    let text = docx_text(&bytes, &small).unwrap();
    assert!(text.truncated);
    assert!(text.text.len() <= 101);
    assert!(text.text.starts_with("bērni bērni"));
}

#[test]
fn corrupt_docx_is_a_typed_error() {
    let mut truncated = docx(&document_xml(&["Teksts"]));
    truncated.truncate(truncated.len() / 2);
    for bytes in [b"PK\x03\x04 this is no zip at all".to_vec(), truncated] {
        assert!(
            matches!(
                docx_text(&bytes, &limits()),
                Err(DocumentError::CorruptDocx { .. })
            ),
            "{bytes:.20?}"
        );
    }
    let broken_xml = docx("<w:document><w:body><w:p><w:t>Teksts</w:p></w:body>");
    let error = docx_text(&broken_xml, &limits()).unwrap_err();
    assert!(
        matches!(&error, DocumentError::CorruptDocx { reason } if reason.contains("word/document.xml")),
        "{error}"
    );
    let no_word = zip_of(&[("readme.txt", b"nav Word")]);
    assert!(matches!(
        docx_text(&no_word, &limits()),
        Err(DocumentError::NotWord)
    ));
}

/// A document.xml of `size` bytes that deflates to a few KB.
fn huge_document(size: usize) -> String {
    let paragraph =
        "<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>";
    let mut xml = String::from("<w:document xmlns:w=\"w\"><w:body>");
    while xml.len() < size {
        xml.push_str(paragraph);
    }
    xml.push_str("</w:body></w:document>");
    xml
}

#[test]
fn zip_bomb_declaring_a_huge_document_is_refused_before_reading() {
    let bytes = docx(&huge_document(8 * MIB as usize));
    assert!(bytes.len() < 100_000, "a small file: {} bytes", bytes.len());
    let error = docx_text(&bytes, &limits()).unwrap_err();
    assert!(
        matches!(
            &error,
            DocumentError::ZipBomb { entry, size, limit }
                if entry == "word/document.xml" && *size > 8 * MIB && *limit == MIB
        ),
        "{error}"
    );
}

/// Overwrite the uncompressed size of every entry in the local headers and the central
/// directory: a ZIP that lies about how much it expands to.
fn lie_about_sizes(mut zip: Vec<u8>, declared: u32) -> Vec<u8> {
    let mut at = 0;
    while at + 46 <= zip.len() {
        let signature = &zip[at..at + 4];
        let field = if signature == b"PK\x03\x04" {
            Some(at + 22)
        } else if signature == b"PK\x01\x02" {
            Some(at + 24)
        } else {
            None
        };
        if let Some(offset) = field {
            zip[offset..offset + 4].copy_from_slice(&declared.to_le_bytes());
        }
        at += 1;
    }
    zip
}

#[test]
fn zip_bomb_declaring_a_small_size_is_stopped_while_reading() {
    let bytes = lie_about_sizes(docx(&huge_document(8 * MIB as usize)), 1000);
    let error = docx_text(&bytes, &limits()).unwrap_err();
    // The zip crate stops at the declared size and says so; our own count of the bytes
    // read (limit + 1 at most) is the second line of defence. Either way: an error, never
    // 8 MiB in memory.
    assert!(
        matches!(&error, DocumentError::CorruptDocx { reason } if reason.contains("declared")),
        "{error}"
    );
}

// ---------------------------------------------------------------- PDF

/// A minimal valid PDF: one page, Helvetica, the content stream given (with its dictionary
/// entries, e.g. a filter), cross-reference table with real offsets.
fn pdf_with_content(stream_dict: &str, content: &[u8]) -> Vec<u8> {
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        [
            format!("<< /Length {}{stream_dict} >>\nstream\n", content.len()).as_bytes(),
            content,
            b"\nendstream",
        ]
        .concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
    for line in lines {
        content.push_str(&format!("({line}) Tj T*\n"));
    }
    content.push_str("ET");
    pdf_with_content("", content.as_bytes())
}

#[test]
fn pdf_text_stream_becomes_text() {
    let bytes = pdf(&["Par bernu tiesibu aizsardzibu", "Audzugimenes pabalsts"]);
    assert_eq!(DocumentKind::sniff(&bytes).unwrap(), DocumentKind::Pdf);
    let text = pdf_text(&bytes, &limits()).unwrap();
    assert!(!text.truncated);
    assert!(
        text.text.contains("Par bernu tiesibu aizsardzibu"),
        "{:?}",
        text.text
    );
    assert!(
        text.text.contains("Audzugimenes pabalsts"),
        "{:?}",
        text.text
    );
}

#[test]
fn corrupt_pdf_is_a_typed_error() {
    let mut truncated = pdf(&["Teksts"]);
    truncated.truncate(40);
    for bytes in [b"%PDF-1.4\nthis is no PDF\n%%EOF".to_vec(), truncated] {
        let error = pdf_text(&bytes, &limits()).unwrap_err();
        assert!(
            matches!(error, DocumentError::CorruptPdf { .. }),
            "{bytes:.20?}: {error}"
        );
    }
    let scan = pdf_with_content("", b"q 1 0 0 1 0 0 cm Q");
    assert!(matches!(
        pdf_text(&scan, &limits()),
        Err(DocumentError::NoText)
    ));
}

#[test]
fn pdf_deflate_bomb_is_refused() {
    let mut content = String::from("BT /F1 12 Tf 72 720 Td (");
    content.push_str(&" ".repeat(8 * MIB as usize));
    content.push_str(") Tj ET");
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content.as_bytes()).unwrap();
    let compressed = encoder.finish().unwrap();
    let bytes = pdf_with_content(" /Filter /FlateDecode", &compressed);
    assert!(bytes.len() < 100_000, "a small file: {} bytes", bytes.len());
    let error = pdf_text(&bytes, &limits()).unwrap_err();
    assert!(
        matches!(error, DocumentError::PdfBomb { limit } if limit == MIB),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_format_is_a_typed_error() {
    let error = extract_document(b"<html>nav dokuments</html>".to_vec(), &limits())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DocumentError::UnknownFormat { head } if head.starts_with("<html>")),
        "{error}"
    );
}

// ---------------------------------------------------------------- preview

const PREVIEW: &str = r#"<!DOCTYPE html><html><head><title>Priekšskatījums</title><style>.x{}</style></head><body><header>TAP portāls</header><div class="structuralizer-tree"><h1>Ministru kabineta noteikumi Nr. 1</h1><div class="node"><p>1. Noteikumi nosaka   kārtību, kādā audžuģimenei</p><p>izmaksā pabalstu.</p><script>var x = "nav teksts";</script></div><ul><li>bērnam līdz 7 gadiem;</li><li>bērnam no 7 gadiem.</li></ul></div><footer>Versija bc230</footer></body></html>"#;

#[test]
fn preview_text_is_the_structuralizer_tree() {
    let text = preview_text(PREVIEW, &limits()).unwrap();
    assert_eq!(
        text.text,
        "Ministru kabineta noteikumi Nr. 1\n1. Noteikumi nosaka kārtību, kādā audžuģimenei\nizmaksā pabalstu.\nbērnam līdz 7 gadiem;\nbērnam no 7 gadiem."
    );
    assert!(matches!(
        preview_text("<html><main>Pieteikties</main></html>", &limits()),
        Err(DocumentError::NoPreviewTree)
    ));
}

// ---------------------------------------------------------------- fetching

fn fetcher(timeout: Duration) -> Fetcher {
    Fetcher::new(&HttpConfig {
        user_agent: "draftwatch-test/0.1 (+mailto:admin@example.org)".to_owned(),
        timeout,
        min_interval: Duration::from_millis(1),
        max_response_bytes: 4 * MIB,
        retries: 0,
        retry_base_delay: Duration::from_millis(5),
        respect_robots_txt: false,
    })
    .unwrap()
}

fn at(server: &MockServer, route: &str) -> Url {
    Url::parse(&format!("{}{route}", server.uri())).unwrap()
}

async fn serve(server: &MockServer, route: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

fn attachment_links(server: &MockServer, routes: &[&str]) -> DraftTextLinks {
    DraftTextLinks {
        attachments: routes.iter().map(|route| at(server, route)).collect(),
        ..DraftTextLinks::default()
    }
}

#[tokio::test]
async fn oversized_attachment_is_refused_at_the_size_cap() {
    let server = MockServer::start().await;
    let fifty_mib = vec![b'x'; 50 * MIB as usize];
    serve(
        &server,
        "/big/download",
        ResponseTemplate::new(200).set_body_bytes(fifty_mib),
    )
    .await;
    let outcome = fetch_draft_texts(
        &fetcher(Duration::from_secs(10)),
        &attachment_links(&server, &["/big/download"]),
        &limits(),
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(outcome.texts.document, None);
    assert_eq!(outcome.failures.len(), 1);
    let error = &outcome.failures[0].error;
    assert!(
        matches!(error, DocumentError::TooLarge { limit } if *limit == 2 * MIB),
        "{error}"
    );
    assert!(error.to_string().contains("max_download_bytes"), "{error}");
}

#[tokio::test]
async fn slow_server_is_a_timeout() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/slow/download",
        ResponseTemplate::new(200)
            .set_body_bytes(docx(&document_xml(&["Vēlu"])))
            .set_delay(Duration::from_secs(5)),
    )
    .await;
    let short = TextLimits {
        timeout: Duration::from_millis(300),
        ..limits()
    };
    let outcome = fetch_draft_texts(
        &fetcher(Duration::from_secs(30)),
        &attachment_links(&server, &["/slow/download"]),
        &short,
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(outcome.failures.len(), 1);
    let error = &outcome.failures[0].error;
    assert!(
        matches!(error, DocumentError::Timeout { limit } if *limit == Duration::from_millis(300)),
        "{error}"
    );
}

#[derive(Deserialize)]
struct Capture {
    text: String,
}

/// The real 26-TA-1634 annotation text inside a bare `<main>`.
fn annotation_page() -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tap_annotation/tap_annotation_26-TA-1634_text_with_ja.json");
    let capture: Capture = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    format!(
        "<html><body><main><div>{}</div></main></body></html>",
        html_escape::encode_text(&capture.text)
    )
}

#[tokio::test]
async fn draft_documents_are_read_and_failures_recorded_per_document() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/annotation/a",
        ResponseTemplate::new(200).set_body_raw(annotation_page(), "text/html; charset=utf-8"),
    )
    .await;
    serve(
        &server,
        "/structuralizer/data/nodes/n/preview",
        ResponseTemplate::new(200).set_body_raw(PREVIEW, "text/html; charset=utf-8"),
    )
    .await;
    serve(
        &server,
        "/docx/download",
        ResponseTemplate::new(200).set_body_bytes(docx(&document_xml(&["Audžuģimenes atbalsts"]))),
    )
    .await;
    serve(
        &server,
        "/pdf/download",
        ResponseTemplate::new(200).set_body_bytes(pdf(&["Izzina par bernu tiesibam"])),
    )
    .await;
    serve(
        &server,
        "/corrupt/download",
        ResponseTemplate::new(200).set_body_bytes(b"%PDF-1.7 broken".to_vec()),
    )
    .await;
    serve(&server, "/gone/download", ResponseTemplate::new(404)).await;
    serve(
        &server,
        "/private/download",
        ResponseTemplate::new(302).insert_header("Location", "/users/sign_in"),
    )
    .await;
    serve(
        &server,
        "/users/sign_in",
        ResponseTemplate::new(200).set_body_raw("<html>Pieteikties</html>", "text/html"),
    )
    .await;

    let links = DraftTextLinks {
        annotation: Some(at(&server, "/annotation/a")),
        preview: Some(at(&server, "/structuralizer/data/nodes/n/preview")),
        attachments: [
            "/docx/download",
            "/corrupt/download",
            "/gone/download",
            "/private/download",
            "/pdf/download",
        ]
        .iter()
        .map(|route| at(&server, route))
        .collect(),
    };
    let outcome = fetch_draft_texts(
        &fetcher(Duration::from_secs(10)),
        &links,
        &limits(),
        &CancellationToken::new(),
    )
    .await;

    let annotation = outcome.annotation.as_ref().unwrap();
    assert_eq!(annotation.ta_number.as_deref(), Some("26-TA-1634"));
    assert_eq!(outcome.texts.impacts.len(), 16);
    assert_eq!(outcome.texts.impacts[15].answer, ImpactAnswer::Yes);
    assert!(
        outcome
            .texts
            .annotation
            .as_deref()
            .unwrap()
            .contains("tostarp bērniem")
    );
    let document = outcome.texts.document.as_deref().unwrap();
    assert!(
        document.starts_with("Ministru kabineta noteikumi Nr. 1\n"),
        "{document}"
    );
    assert!(
        document.contains("\n\nAudžuģimenes atbalsts\n\n"),
        "{document}"
    );
    assert!(
        document.ends_with("Izzina par bernu tiesibam"),
        "{document}"
    );

    let failures: Vec<(&str, &DocumentError)> = outcome
        .failures
        .iter()
        .map(|f| (f.url.path(), &f.error))
        .collect();
    assert_eq!(failures.len(), 3, "{failures:?}");
    assert!(matches!(
        failures[0],
        ("/corrupt/download", DocumentError::CorruptPdf { .. })
    ));
    assert!(
        matches!(failures[1], ("/gone/download", DocumentError::Fetch(_))),
        "{failures:?}"
    );
    assert!(failures[1].1.to_string().contains("404"));
    assert!(
        matches!(
            failures[2],
            ("/private/download", DocumentError::LoginRequired { .. })
        ),
        "{failures:?}"
    );
    assert!(outcome.truncated.is_empty());
}

#[tokio::test]
async fn cancelled_fetch_reads_nothing_more() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/docx/download",
        ResponseTemplate::new(200).set_body_bytes(docx(&document_xml(&["Teksts"]))),
    )
    .await;
    let cancel = CancellationToken::new();
    cancel.cancel();
    let outcome = fetch_draft_texts(
        &fetcher(Duration::from_secs(10)),
        &attachment_links(&server, &["/docx/download", "/docx/download"]),
        &limits(),
        &cancel,
    )
    .await;
    assert_eq!(outcome.texts.document, None);
    assert_eq!(outcome.failures.len(), 1);
    assert!(matches!(
        outcome.failures[0].error,
        DocumentError::Cancelled
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn firewall_page_instead_of_an_attachment_is_a_fetch_error() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/blocked/download",
        ResponseTemplate::new(200).set_body_raw(
            "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected.</body></html>",
            "text/html",
        ),
    )
    .await;
    let outcome = fetch_draft_texts(
        &fetcher(Duration::from_secs(10)),
        &attachment_links(&server, &["/blocked/download"]),
        &limits(),
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(outcome.failures.len(), 1);
    let error = &outcome.failures[0].error;
    assert!(
        matches!(error, DocumentError::Fetch(FetchError::Rejected { .. })),
        "{error}"
    );
}

#[test]
fn extractors_refuse_input_over_the_size_cap() {
    let tiny = TextLimits {
        max_download_bytes: 100,
        ..limits()
    };
    let docx_bytes = docx(&document_xml(&["Teksts"]));
    let pdf_bytes = pdf(&["Teksts"]);
    assert!(docx_bytes.len() > 100 && pdf_bytes.len() > 100);
    for result in [
        docx_text(&docx_bytes, &tiny),
        pdf_text(&pdf_bytes, &tiny),
        preview_text(PREVIEW, &tiny),
    ] {
        assert!(
            matches!(result, Err(DocumentError::TooLarge { limit: 100 })),
            "{result:?}"
        );
    }
}
