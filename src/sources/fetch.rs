//! The shared HTTP layer (stub: replaced by the sources work).

use crate::config::HttpConfig;

/// Errors of the HTTP layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Placeholder.
    #[error("{0}")]
    Other(String),
}

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Final URL after redirects.
    pub url: url::Url,
    /// HTTP status.
    pub status: u16,
    /// Decoded body.
    pub body: String,
}

/// Polite HTTP client shared by all sources.
#[derive(Debug)]
pub struct Fetcher {}

impl Fetcher {
    /// Build from config.
    pub fn new(_config: &HttpConfig) -> Result<Self, FetchError> {
        Ok(Fetcher {})
    }

    /// GET a page as text.
    pub async fn get_text(&self, _url: &url::Url) -> Result<Page, FetchError> {
        Err(FetchError::Other("not implemented".into()))
    }
}
