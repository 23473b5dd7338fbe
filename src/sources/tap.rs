//! TAP portāls public participation (stub: replaced by the sources work).

use super::{BoxFuture, Fetcher, KnownDrafts, PollOutput, Source};
use crate::config::SourceConfig;

/// `/public_participation` adapter.
#[derive(Debug)]
pub struct TapParticipation {
    name: String,
}

impl TapParticipation {
    /// Build from config.
    pub fn new(config: &SourceConfig) -> Self {
        TapParticipation {
            name: config.name.clone(),
        }
    }
}

impl Source for TapParticipation {
    fn name(&self) -> &str {
        &self.name
    }

    fn poll<'a>(
        &'a self,
        _fetcher: &'a Fetcher,
        _known: &'a KnownDrafts,
        _cancel: &'a tokio_util::sync::CancellationToken,
    ) -> BoxFuture<'a, PollOutput> {
        Box::pin(async { PollOutput::default() })
    }
}
