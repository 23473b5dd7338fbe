//! Text of a DOCX (Office Open XML) document: the paragraphs of `word/document.xml`, read with
//! the `zip` and `quick-xml` crates.
//!
//! Zip-bomb safe: the entry's declared uncompressed size is checked before reading and the
//! bytes actually inflated are counted while reading, both against
//! [`TextLimits::max_unpacked_bytes`]. A `.docx` that is really a ZIP of several Word files
//! (seen on the portal) is read one level deep, every inner file under the same limits.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;
use zip::ZipArchive;

use super::{DocumentError, ExtractedText, TextBuilder, TextLimits, check_input_size};

/// The main part of a Word document.
const DOCUMENT_PART: &str = "word/document.xml";

/// Extract the text of the DOCX in `bytes`: one line per paragraph, table cells separated by
/// tabs. Text beyond [`TextLimits::max_text_bytes`] is cut and marked as truncated.
pub fn docx_text(bytes: &[u8], limits: &TextLimits) -> Result<ExtractedText, DocumentError> {
    check_input_size(bytes.len(), limits)?;
    let mut archive = open(bytes)?;
    if archive.index_for_name(DOCUMENT_PART).is_some() {
        let xml = read_entry(&mut archive, DOCUMENT_PART, limits)?;
        let mut text = TextBuilder::new(limits.max_text_bytes);
        document_xml_text(&xml, &mut text)?;
        return Ok(text.finish());
    }
    // A ZIP of Word files: read each inner .docx (not deeper), in archive order.
    let inner_names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|name| name.to_ascii_lowercase().ends_with(".docx"))
        .map(|name| name.into_owned())
        .collect();
    if inner_names.is_empty() {
        return Err(DocumentError::NotWord);
    }
    let mut text = TextBuilder::new(limits.max_text_bytes);
    for name in inner_names {
        let inner = read_entry(&mut archive, &name, limits)?;
        let mut inner_archive = open(&inner)?;
        if inner_archive.index_for_name(DOCUMENT_PART).is_none() {
            return Err(DocumentError::NotWord);
        }
        let xml = read_entry(&mut inner_archive, DOCUMENT_PART, limits)?;
        document_xml_text(&xml, &mut text)?;
        if text.is_full() {
            break;
        }
    }
    Ok(text.finish())
}

fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, DocumentError> {
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocumentError::CorruptDocx {
        reason: e.to_string(),
    })
}

/// The bytes of one entry, refused when its declared or its actual size is over the limit.
fn read_entry(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limits: &TextLimits,
) -> Result<Vec<u8>, DocumentError> {
    let limit = limits.max_unpacked_bytes;
    let entry = archive
        .by_name(name)
        .map_err(|e| DocumentError::CorruptDocx {
            reason: format!("{name}: {e}"),
        })?;
    let bomb = |size| DocumentError::ZipBomb {
        entry: name.to_owned(),
        size,
        limit,
    };
    if entry.size() > limit {
        return Err(bomb(entry.size()));
    }
    let mut bytes = Vec::new();
    entry
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| DocumentError::CorruptDocx {
            reason: format!("{name}: {e}"),
        })?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(bomb(read));
    }
    Ok(bytes)
}

/// Walk `word/document.xml`: text runs (`w:t`), tabs, breaks and paragraph ends.
fn document_xml_text(xml: &[u8], text: &mut TextBuilder) -> Result<(), DocumentError> {
    let corrupt = |reason: String| DocumentError::CorruptDocx {
        reason: format!("{DOCUMENT_PART}: {reason}"),
    };
    let xml = std::str::from_utf8(xml).map_err(|e| corrupt(e.to_string()))?;
    let mut reader = Reader::from_str(xml);
    let mut in_text_run = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| corrupt(format!("at byte {}: {e}", reader.error_position())))?;
        match event {
            Event::Start(element) if element.local_name().as_ref() == "t" => in_text_run = true,
            Event::End(element) => match element.local_name().as_ref() {
                "t" => in_text_run = false,
                "p" => text.push_str("\n"),
                "tc" => text.push_str("\t"),
                _ => {}
            },
            Event::Empty(element) => match element.local_name().as_ref() {
                "tab" => text.push_str("\t"),
                "br" | "cr" => text.push_str("\n"),
                _ => {}
            },
            Event::Text(run) if in_text_run => text.push_str(&run.xml10_content()),
            Event::CData(run) if in_text_run => {
                text.push_str(&run.into_inner());
            }
            Event::GeneralRef(reference) if in_text_run => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => predefined_entity(&reference.xml10_content()),
                    Err(e) => return Err(corrupt(e.to_string())),
                };
                if let Some(c) = resolved {
                    text.push_str(c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        if text.is_full() {
            return Ok(());
        }
    }
}

/// The five entities XML predefines; Word writes no others.
fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}
