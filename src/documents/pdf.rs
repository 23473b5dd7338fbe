//! Text of a PDF document through `lopdf` (a maintained PDF library with text extraction; the
//! heavier `pdf-extract` adds ~15 crates on top of an older `lopdf`, see docs/draft-texts.md).
//!
//! Decompression is bounded: streams decoded while loading (object and cross-reference
//! streams) share [`TextLimits::max_unpacked_bytes`] between them (the per-stream limit is the
//! budget divided by how many such streams the file names), and each page's content is
//! decoded against the whole budget, one page at a time, its text appended until
//! [`TextLimits::max_text_bytes`].

use lopdf::{DecompressError, Document, Error as PdfError, LoadOptions};

use super::{DocumentError, ExtractedText, TextBuilder, TextLimits, check_input_size};

/// Extract the text of the PDF in `bytes`, page by page. A PDF without any text (a scan) is
/// [`DocumentError::NoText`].
pub fn pdf_text(bytes: &[u8], limits: &TextLimits) -> Result<ExtractedText, DocumentError> {
    check_input_size(bytes.len(), limits)?;
    let budget = usize::try_from(limits.max_unpacked_bytes).unwrap_or(usize::MAX);
    // Object and xref streams are decoded eagerly while loading. Their dictionaries are plain
    // text in the file (streams cannot nest), so counting the markers bounds how many there
    // are; an over-count only makes the per-stream limit stricter.
    let eager_streams = count(bytes, b"/ObjStm") + count(bytes, b"/XRef");
    let per_stream = budget / eager_streams.max(1);
    let options = LoadOptions {
        max_decompressed_size: Some(per_stream),
        ..LoadOptions::default()
    };
    let document = Document::load_mem_with_options(bytes, options)
        .map_err(|e| pdf_error(e, limits.max_unpacked_bytes))?;
    let mut text = TextBuilder::new(limits.max_text_bytes);
    for page_number in document.get_pages().into_keys() {
        let page = document
            .extract_text_with_limit(&[page_number], budget)
            .map_err(|e| pdf_error(e, limits.max_unpacked_bytes))?;
        text.push_str(&page);
        text.push_str("\n");
        if text.is_full() {
            break;
        }
    }
    let extracted = text.finish();
    if extracted.text.trim().is_empty() {
        return Err(DocumentError::NoText);
    }
    Ok(extracted)
}

fn pdf_error(error: PdfError, limit: u64) -> DocumentError {
    match error {
        PdfError::Decompress(DecompressError::MemoryLimitExceeded { .. }) => {
            DocumentError::PdfBomb { limit }
        }
        other => DocumentError::CorruptPdf {
            reason: other.to_string(),
        },
    }
}

/// How many times `needle` occurs in `haystack`.
fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}
