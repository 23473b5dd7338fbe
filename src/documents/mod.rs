//! Draft texts beyond the title: fetch a draft's annotation, its structuralizer preview and
//! its DOCX/PDF attachments, and extract their text, within byte, memory and time limits.
//!
//! Entry points:
//! - [`fetch_draft_texts`]: the async whole — fetch every linked document through the shared
//!   [`Fetcher`] (politeness, retries, firewall detection) and return [`DraftTexts`] plus one
//!   [`DocumentFailure`] per document that could not be read. It never fails as a whole: a
//!   poll records the failures on the draft and goes on.
//! - [`extract_document`]: the async extraction of downloaded bytes (DOCX or PDF, told apart
//!   by their first bytes), run on the blocking pool under [`TextLimits::timeout`].
//! - [`docx::docx_text`], [`pdf::pdf_text`], [`preview::preview_text`]: the sync extractors.
//!
//! Limits and the memory bound are in docs/draft-texts.md. In short, per document: the
//! download is refused above [`TextLimits::max_download_bytes`] (announced or while
//! streaming), inflated data above [`TextLimits::max_unpacked_bytes`], and extracted text is
//! cut at [`TextLimits::max_text_bytes`]; fetch plus extraction must finish within
//! [`TextLimits::timeout`]. Every failure is a typed [`DocumentError`], never a panic.

pub mod docx;
pub mod pdf;
pub mod preview;

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use url::Url;

use crate::model::DraftTexts;
use crate::sources::fetch::Download;
use crate::sources::tap::annotation::Annotation;
use crate::sources::tap::labels::DetailError;
use crate::sources::{FetchError, Fetcher};

/// Byte, memory and time limits of text extraction (docs/draft-texts.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLimits {
    /// Largest input accepted, in bytes: an attachment's body (checked on `Content-Length`
    /// and while streaming) and the input of every extractor. HTML pages (annotation, preview)
    /// are fetched under `http.max_response_bytes`.
    pub max_download_bytes: u64,
    /// Largest amount of inflated data one document may produce: a DOCX's XML part (declared
    /// and actually read) or a PDF's decoded streams.
    pub max_unpacked_bytes: u64,
    /// Longest text kept per document and for [`DraftTexts::document`] as a whole; longer
    /// text is cut at a character boundary and reported in [`TextsOutcome::truncated`].
    pub max_text_bytes: usize,
    /// Time for one document: its fetch (with retries) plus its extraction.
    pub timeout: Duration,
}

impl Default for TextLimits {
    /// 20 MiB downloads, 64 MiB inflated, 1 MiB of text, 60 s per document: a 300-page draft
    /// is a few hundred KB of text, real attachments are a few MB.
    fn default() -> Self {
        TextLimits {
            max_download_bytes: 20 * 1024 * 1024,
            max_unpacked_bytes: 64 * 1024 * 1024,
            max_text_bytes: 1024 * 1024,
            timeout: Duration::from_secs(60),
        }
    }
}

/// Why one document's text could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The request failed (network, status, firewall, robots.txt, …).
    #[error(transparent)]
    Fetch(FetchError),
    /// The body is larger than [`TextLimits::max_download_bytes`].
    #[error("the document is larger than the {limit}-byte limit (max_download_bytes)")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Fetch plus extraction took longer than [`TextLimits::timeout`].
    #[error("the document was not read within {limit:?}")]
    Timeout {
        /// The time limit.
        limit: Duration,
    },
    /// Shutdown was requested before the document was read.
    #[error("cancelled before the document was read")]
    Cancelled,
    /// The portal redirected to its login (`/users/…`): the document is not public.
    #[error("the portal asks for a login ({url}); the document is not public")]
    LoginRequired {
        /// Where the request ended up.
        url: String,
    },
    /// The bytes are neither a DOCX (ZIP) nor a PDF.
    #[error("the file is neither DOCX nor PDF (it starts with {head:?})")]
    UnknownFormat {
        /// The first bytes, lossily decoded, for the log.
        head: String,
    },
    /// The ZIP or its XML cannot be read.
    #[error("corrupt DOCX: {reason}")]
    CorruptDocx {
        /// What the ZIP or XML reader said.
        reason: String,
    },
    /// A ZIP without `word/document.xml` (and without inner `.docx` files).
    #[error("the ZIP holds no Word document (no word/document.xml)")]
    NotWord,
    /// A ZIP entry declares or inflates to more than [`TextLimits::max_unpacked_bytes`].
    #[error(
        "the DOCX part {entry} unpacks to at least {size} bytes, over the {limit}-byte limit (a zip bomb or an oversized document)"
    )]
    ZipBomb {
        /// The entry's name.
        entry: String,
        /// Its declared size, or the bytes read before stopping.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The PDF cannot be read (damaged, encrypted, unsupported).
    #[error("corrupt PDF: {reason}")]
    CorruptPdf {
        /// What the PDF reader said.
        reason: String,
    },
    /// A PDF stream decodes to more than its share of [`TextLimits::max_unpacked_bytes`].
    #[error(
        "the PDF's streams decode to more than the {limit}-byte limit (a decompression bomb or an oversized document)"
    )]
    PdfBomb {
        /// The limit in bytes.
        limit: u64,
    },
    /// The document holds no text (a scanned PDF, an empty preview).
    #[error("the document holds no text (a scan or an empty page)")]
    NoText,
    /// A preview page without `.structuralizer-tree`.
    #[error(
        "the preview page has no .structuralizer-tree element; the portal's markup may have changed"
    )]
    NoPreviewTree,
    /// The annotation page could not be parsed.
    #[error("annotation: {0}")]
    Annotation(#[from] DetailError),
    /// The extraction task ended abnormally (a panic inside a parser crate).
    #[error("the extraction task failed: {reason}")]
    TaskFailed {
        /// What the runtime said.
        reason: String,
    },
}

impl From<FetchError> for DocumentError {
    /// A body over the caller's cap is [`DocumentError::TooLarge`] (the fetch layer's message
    /// would name `http.max_response_bytes`); everything else stays a fetch error.
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::TooLarge { limit, .. } => DocumentError::TooLarge { limit },
            other => DocumentError::Fetch(other),
        }
    }
}

/// Extracted text and whether it was cut at [`TextLimits::max_text_bytes`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtractedText {
    /// The text, lines separated by `\n`.
    pub text: String,
    /// Whether text beyond the limit was dropped.
    pub truncated: bool,
}

/// Refuse an input larger than [`TextLimits::max_download_bytes`], so the sync extractors
/// keep their bound when called with bytes from elsewhere.
pub(crate) fn check_input_size(len: usize, limits: &TextLimits) -> Result<(), DocumentError> {
    if u64::try_from(len).unwrap_or(u64::MAX) > limits.max_download_bytes {
        return Err(DocumentError::TooLarge {
            limit: limits.max_download_bytes,
        });
    }
    Ok(())
}

/// Text accumulated up to a byte limit, cut at a character boundary.
#[derive(Debug)]
pub(crate) struct TextBuilder {
    text: String,
    limit: usize,
    truncated: bool,
}

impl TextBuilder {
    pub(crate) fn new(limit: usize) -> Self {
        TextBuilder {
            text: String::new(),
            limit,
            truncated: false,
        }
    }

    /// Append `piece`, or as much of it as fits.
    pub(crate) fn push_str(&mut self, piece: &str) {
        if self.truncated {
            return;
        }
        let room = self.limit.saturating_sub(self.text.len());
        if piece.len() <= room {
            self.text.push_str(piece);
        } else {
            let mut cut = room;
            while !piece.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.push_str(&piece[..cut]);
            self.truncated = true;
        }
    }

    /// Whether the limit was reached (further text is dropped).
    pub(crate) fn is_full(&self) -> bool {
        self.truncated
    }

    pub(crate) fn finish(self) -> ExtractedText {
        ExtractedText {
            text: self.text.trim_end().to_owned(),
            truncated: self.truncated,
        }
    }
}

/// What kind of file downloaded bytes are, by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A ZIP: DOCX (or a ZIP of DOCX files).
    Docx,
    /// A PDF (`%PDF-` within the first KiB, as readers accept).
    Pdf,
}

impl DocumentKind {
    /// Tell DOCX and PDF apart by content, not by name or `Content-Type` (the portal serves
    /// ZIPs named `.docx` and generic types).
    pub fn sniff(bytes: &[u8]) -> Result<Self, DocumentError> {
        if bytes.starts_with(b"PK\x03\x04") {
            return Ok(DocumentKind::Docx);
        }
        let head = &bytes[..bytes.len().min(1024)];
        if head.windows(5).any(|w| w == b"%PDF-") {
            return Ok(DocumentKind::Pdf);
        }
        Err(DocumentError::UnknownFormat {
            head: String::from_utf8_lossy(&bytes[..bytes.len().min(16)]).into_owned(),
        })
    }
}

/// Extract the text of a downloaded DOCX or PDF on the blocking pool, giving up after
/// [`TextLimits::timeout`]. A timed-out extraction keeps its thread until it ends (threads
/// cannot be killed), but its work is bounded by the byte limits.
pub async fn extract_document(
    bytes: Vec<u8>,
    limits: &TextLimits,
) -> Result<ExtractedText, DocumentError> {
    let kind = DocumentKind::sniff(&bytes)?;
    let task_limits = limits.clone();
    let task = tokio::task::spawn_blocking(move || match kind {
        DocumentKind::Docx => docx::docx_text(&bytes, &task_limits),
        DocumentKind::Pdf => pdf::pdf_text(&bytes, &task_limits),
    });
    match tokio::time::timeout(limits.timeout, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join_error)) => Err(DocumentError::TaskFailed {
            reason: join_error.to_string(),
        }),
        Err(_) => Err(DocumentError::Timeout {
            limit: limits.timeout,
        }),
    }
}

/// The documents of one draft to read, as linked from its pages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftTextLinks {
    /// `/annotation/<uuid>` (HTML).
    pub annotation: Option<Url>,
    /// `/structuralizer/data/nodes/<uuid>/preview` (HTML).
    pub preview: Option<Url>,
    /// DOCX or PDF attachments (`…/download`, `/preview.docx`), read in this order.
    pub attachments: Vec<Url>,
}

/// One document that could not be read, for the draft's record and the log.
#[derive(Debug)]
pub struct DocumentFailure {
    /// The document's address.
    pub url: Url,
    /// Why.
    pub error: DocumentError,
}

/// What [`fetch_draft_texts`] found.
#[derive(Debug, Default)]
pub struct TextsOutcome {
    /// The annotation's free text and impact items, and the draft's text: the preview's and
    /// every attachment's text, in link order, separated by a blank line, cut at
    /// [`TextLimits::max_text_bytes`] in all.
    pub texts: DraftTexts,
    /// The parsed annotation (sections, header, title), when it was read.
    pub annotation: Option<Annotation>,
    /// Documents that could not be read; the others still count.
    pub failures: Vec<DocumentFailure>,
    /// Documents whose text was cut at the limit.
    pub truncated: Vec<Url>,
}

/// Fetch and read every document in `links`. Each document gets [`TextLimits::timeout`] for
/// its fetch and extraction; a failure is recorded in [`TextsOutcome::failures`] and the
/// others are still read. Cancellation stops at once: the document in flight is recorded as
/// [`DocumentError::Cancelled`] and the rest are left unread.
pub async fn fetch_draft_texts(
    fetcher: &Fetcher,
    links: &DraftTextLinks,
    limits: &TextLimits,
    cancel: &CancellationToken,
) -> TextsOutcome {
    let mut outcome = TextsOutcome::default();
    if let Some(url) = &links.annotation {
        match bounded(cancel, limits, read_annotation(fetcher, url)).await {
            Ok(annotation) => {
                outcome.texts.annotation = annotation.annotation_text();
                outcome.texts.impacts = annotation.impacts.clone();
                outcome.annotation = Some(annotation);
            }
            Err(error) => outcome.fail(url, error),
        }
    }
    let documents = links
        .preview
        .iter()
        .map(|url| (url, true))
        .chain(links.attachments.iter().map(|url| (url, false)));
    let mut document = TextBuilder::new(limits.max_text_bytes);
    for (url, is_preview) in documents {
        if cancel.is_cancelled() {
            outcome.fail(url, DocumentError::Cancelled);
            break;
        }
        let read = if is_preview {
            bounded(cancel, limits, read_preview(fetcher, url, limits)).await
        } else {
            bounded(cancel, limits, read_attachment(fetcher, url, limits)).await
        };
        match read {
            Ok(extracted) => {
                if !document.text.is_empty() {
                    document.push_str("\n\n");
                }
                document.push_str(&extracted.text);
                if extracted.truncated || document.is_full() {
                    outcome.truncated.push(url.clone());
                }
            }
            Err(error) => outcome.fail(url, error),
        }
    }
    let document = document.finish();
    outcome.texts.document = (!document.text.is_empty()).then_some(document.text);
    outcome
}

impl TextsOutcome {
    fn fail(&mut self, url: &Url, error: DocumentError) {
        tracing::warn!(%url, %error, "A draft document could not be read.");
        self.failures.push(DocumentFailure {
            url: url.clone(),
            error,
        });
    }
}

/// Run one document's work under the time limit and the cancellation token.
async fn bounded<T>(
    cancel: &CancellationToken,
    limits: &TextLimits,
    work: impl Future<Output = Result<T, DocumentError>>,
) -> Result<T, DocumentError> {
    tokio::select! {
        () = cancel.cancelled() => Err(DocumentError::Cancelled),
        result = tokio::time::timeout(limits.timeout, work) => {
            result.unwrap_or(Err(DocumentError::Timeout { limit: limits.timeout }))
        }
    }
}

async fn read_annotation(fetcher: &Fetcher, url: &Url) -> Result<Annotation, DocumentError> {
    let page = fetcher.get_text(url).await?;
    refuse_login(&page.url)?;
    Ok(Annotation::from_html(&page.body)?)
}

async fn read_preview(
    fetcher: &Fetcher,
    url: &Url,
    limits: &TextLimits,
) -> Result<ExtractedText, DocumentError> {
    let page = fetcher.get_text(url).await?;
    refuse_login(&page.url)?;
    let limits = limits.clone();
    let task = tokio::task::spawn_blocking(move || preview::preview_text(&page.body, &limits));
    task.await.map_err(|join_error| DocumentError::TaskFailed {
        reason: join_error.to_string(),
    })?
}

async fn read_attachment(
    fetcher: &Fetcher,
    url: &Url,
    limits: &TextLimits,
) -> Result<ExtractedText, DocumentError> {
    let Download {
        url: final_url,
        bytes,
        ..
    } = fetcher.get_bytes(url, limits.max_download_bytes).await?;
    refuse_login(&final_url)?;
    extract_document(bytes, limits).await
}

/// A redirect to the portal's login means the document is not public (sources.md §1.4).
fn refuse_login(final_url: &Url) -> Result<(), DocumentError> {
    if final_url.path().starts_with("/users/") {
        return Err(DocumentError::LoginRequired {
            url: final_url.to_string(),
        });
    }
    Ok(())
}
