//! The shared polite HTTP layer every source fetches through.
//!
//! One [`Fetcher`] holds one `reqwest` client and everything that makes draftwatch a good
//! citizen toward the portals and robust against what they send back:
//!
//! - a per-host gate ([`HostRateLimiter`]): at most one request per `min_interval` per host;
//! - retries with exponential backoff and jitter on network errors, timeouts, 429 and 5xx,
//!   honouring `Retry-After` up to [`MAX_RETRY_AFTER`] (never on other 4xx);
//! - a response size cap, checked on `Content-Length` and while streaming the body;
//! - charset detection (header, BOM, `<meta>`, UTF-8) via [`decode_html`];
//! - conditional GET (ETag / Last-Modified remembered in memory, bounded);
//! - detection of the F5 firewall's "Request Rejected" page that is served with HTTP 200;
//! - robots.txt, fetched once per host and cached (parser: [`RobotsRules`]).
//!
//! It is not responsible for parsing pages, deciding what to fetch, or cancellation: callers
//! race [`Fetcher::get_text`] against their shutdown token (dropping the future is safe).

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use encoding_rs::Encoding;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use tokio::time::Instant;
use url::Url;

use crate::config::HttpConfig;

/// The longest `Retry-After` we are willing to sleep: a server asking for more is treated as
/// an error, so a poll never hangs silently for hours.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10 * 60);

/// The product token draftwatch looks for in robots.txt `User-agent` lines.
pub const ROBOTS_AGENT_TOKEN: &str = "draftwatch";

/// How long a robots.txt answer is trusted before it is fetched again.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long an unreachable robots.txt (5xx, network) counts as "allow all" before retrying.
const ROBOTS_ERROR_TTL: Duration = Duration::from_secs(60 * 60);
/// robots.txt files larger than this are cut (RFC 9309 asks crawlers to read at least 500 KiB).
const ROBOTS_MAX_BYTES: u64 = 512 * 1024;
/// How many URLs keep their ETag / Last-Modified and body for conditional GET.
const VALIDATOR_CACHE_CAPACITY: usize = 256;
/// Upper bound of one computed backoff delay (before jitter).
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// How many bytes of a body are searched for `<meta charset>`.
const META_SNIFF_BYTES: usize = 1024;

/// Why a page could not be fetched. Every message names the URL so an admin reading the log
/// knows which request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL cannot be fetched at all (not http/https, no host).
    #[error("invalid url {url}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Connecting or reading failed (DNS, refused connection, reset, TLS).
    #[error("{url}: network error: {source}")]
    Network {
        /// The URL requested.
        url: String,
        /// The underlying client error.
        #[source]
        source: reqwest::Error,
    },
    /// No complete answer within the configured timeout.
    #[error("{url}: no complete answer within {timeout:?} (http.timeout)")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The configured timeout.
        timeout: Duration,
    },
    /// The server answered with an error status (after retries, for 429 and 5xx).
    #[error("{url}: the server answered HTTP {status}")]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The body is larger than `http.max_response_bytes`.
    #[error("{url}: the response is larger than the {limit}-byte limit (http.max_response_bytes)")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The portal's firewall answered with its "Request Rejected" page instead of content.
    #[error(
        "{url}: the portal's firewall rejected the request (\"Request Rejected\" page); \
         check the address and query string, or ask the portal's support whether our server is blocked"
    )]
    Rejected {
        /// The URL requested.
        url: String,
    },
    /// The site's robots.txt forbids draftwatch to read this URL.
    #[error("{url}: the site's robots.txt disallows this address for draftwatch")]
    DisallowedByRobots {
        /// The URL refused.
        url: String,
    },
    /// The server asked us to come back later than we are willing to wait.
    #[error(
        "{url}: the server asked to wait {requested:?} before retrying (Retry-After), more than the {MAX_RETRY_AFTER:?} limit"
    )]
    RetryAfterTooLong {
        /// The URL requested.
        url: String,
        /// The delay the server asked for.
        requested: Duration,
    },
    /// The body is not valid in the charset the page declares (or UTF-8, the default): e.g. a
    /// windows-1257 page served as UTF-8. Said plainly, because parsing the mangled text would
    /// otherwise be reported as changed markup.
    #[error(
        "{url}: could not decode as {encoding}: the page holds bytes that are not {encoding} (the server may send another charset, such as windows-1257, than it declares)"
    )]
    Undecodable {
        /// The URL requested.
        url: String,
        /// The charset the page was decoded with.
        encoding: &'static str,
    },
    /// The HTTP client could not be built from the configuration.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// A fetched and decoded page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Final URL after redirects.
    pub url: Url,
    /// HTTP status of the answer the body comes from (200 also for a 304 served from memory).
    pub status: u16,
    /// Body decoded to text using the detected charset.
    pub body: String,
    /// True when the server answered 304 Not Modified and `body` is the remembered copy.
    pub not_modified: bool,
}

/// A fetched binary body ([`Fetcher::get_bytes`]).
#[derive(Debug, Clone)]
pub struct Download {
    /// Final URL after redirects.
    pub url: Url,
    /// The `Content-Type` header as sent, if any.
    pub content_type: Option<String>,
    /// The body as received.
    pub bytes: Vec<u8>,
}

/// Polite HTTP client shared by all sources; cheap to share by reference across polls.
pub struct Fetcher {
    client: reqwest::Client,
    config: HttpConfig,
    limiter: HostRateLimiter,
    validators: Mutex<ValidatorCache>,
    robots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<RobotsEntry>>>>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Outcome of one HTTP attempt that did not produce a page.
enum AttemptFailure {
    /// Worth another try; `retry_after` is what the server asked for, if anything.
    Retryable {
        error: FetchError,
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help.
    Fatal(FetchError),
}

impl Fetcher {
    /// Build the shared client from `[http]`; fails only when the TLS backend cannot start.
    pub fn new(config: &HttpConfig) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(FetchError::Client)?;
        Ok(Fetcher {
            client,
            config: config.clone(),
            limiter: HostRateLimiter::new(config.min_interval),
            validators: Mutex::new(ValidatorCache::default()),
            robots: Mutex::new(HashMap::new()),
        })
    }

    /// GET `url` and decode it as text, applying every politeness and safety rule of this
    /// module. A firewall page, an oversized body or a robots.txt refusal is an error, never a
    /// page, so callers cannot mistake them for content.
    pub async fn get_text(&self, url: &Url) -> Result<Page, FetchError> {
        self.with_retries(url, || self.attempt(url)).await
    }

    /// GET `url` as raw bytes (a DOCX or PDF attachment) under the same politeness rules as
    /// [`Fetcher::get_text`], refusing a body above `limit` bytes (announced or streamed; so
    /// at most `limit` bytes plus one network chunk are held). No charset decoding and no
    /// conditional GET; the firewall's rejection page is still an error.
    pub async fn get_bytes(&self, url: &Url, limit: u64) -> Result<Download, FetchError> {
        self.with_retries(url, || self.attempt_bytes(url, limit))
            .await
    }

    /// Run `attempt` with robots.txt, the host gate and retries (the rules of this module).
    async fn with_retries<T, F, Fut>(&self, url: &Url, mut attempt_once: F) -> Result<T, FetchError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AttemptFailure>>,
    {
        let host_key = host_key(url)?;
        if self.config.respect_robots_txt && url.path() != "/robots.txt" {
            self.check_robots(url, &host_key).await?;
        }
        let mut attempt: u32 = 0;
        loop {
            self.limiter.wait_turn(&host_key).await;
            tracing::debug!(%url, attempt, "Sending a GET request.");
            match attempt_once().await {
                Ok(page) => return Ok(page),
                Err(AttemptFailure::Fatal(error)) => return Err(error),
                Err(AttemptFailure::Retryable { error, retry_after }) => {
                    if let Some(requested) = retry_after
                        && requested > MAX_RETRY_AFTER
                    {
                        return Err(FetchError::RetryAfterTooLong {
                            url: url.to_string(),
                            requested,
                        });
                    }
                    if attempt >= self.config.retries {
                        return Err(error);
                    }
                    let delay = retry_after
                        .unwrap_or_else(|| backoff_delay(self.config.retry_base_delay, attempt));
                    tracing::warn!(
                        %url,
                        attempt = attempt + 1,
                        of = self.config.retries,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = %error,
                        "Retrying the request."
                    );
                    // The wait goes through the host gate, so other requests to the same host
                    // also respect the server's wish.
                    self.limiter.defer(&host_key, Instant::now() + delay).await;
                    attempt += 1;
                }
            }
        }
    }

    /// One binary request, classified like [`Fetcher::attempt`].
    async fn attempt_bytes(&self, url: &Url, limit: u64) -> Result<Download, AttemptFailure> {
        let response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| self.transport_failure(url, e))?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(AttemptFailure::Retryable {
                error: status_error(url, status),
                retry_after: retry_after(response.headers()),
            });
        }
        if !status.is_success() {
            return Err(AttemptFailure::Fatal(status_error(url, status)));
        }
        let final_url = response.url().clone();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = self.read_capped(url, response, limit).await?;
        let head = &bytes[..bytes.len().min(META_SNIFF_BYTES * 4)];
        if is_firewall_rejection(&String::from_utf8_lossy(head)) {
            tracing::warn!(%url, "The portal's firewall answered with its \"Request Rejected\" page.");
            return Err(AttemptFailure::Fatal(FetchError::Rejected {
                url: url.to_string(),
            }));
        }
        Ok(Download {
            url: final_url,
            content_type,
            bytes,
        })
    }

    /// One request, classified.
    async fn attempt(&self, url: &Url) -> Result<Page, AttemptFailure> {
        let mut request = self.client.get(url.clone());
        let remembered = self.remembered(url);
        if let Some(cached) = &remembered {
            if let Some(etag) = &cached.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = &cached.last_modified {
                request = request.header(IF_MODIFIED_SINCE, last_modified);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_failure(url, e))?;
        let status = response.status();
        let final_url = response.url().clone();

        if status == StatusCode::NOT_MODIFIED {
            return match remembered {
                Some(cached) => {
                    tracing::debug!(%url, "Page not modified; serving the remembered body.");
                    Ok(Page {
                        url: cached.final_url,
                        status: cached.status,
                        body: cached.body,
                        not_modified: true,
                    })
                }
                None => Err(AttemptFailure::Fatal(status_error(url, status))),
            };
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let retry_after = retry_after(response.headers());
            return Err(AttemptFailure::Retryable {
                error: status_error(url, status),
                retry_after,
            });
        }

        let headers = response.headers().clone();
        let body_result = self
            .read_capped(url, response, self.config.max_response_bytes)
            .await;
        let bytes = match body_result {
            Ok(bytes) => bytes,
            // An error page we cannot read is still reported by its status, not its body.
            Err(_) if !status.is_success() => {
                return Err(AttemptFailure::Fatal(status_error(url, status)));
            }
            Err(failure) => return Err(failure),
        };
        let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let (body, encoding, malformed) = decode_html_checked(&bytes, content_type);
        if is_firewall_rejection(&body) {
            tracing::warn!(%url, status = status.as_u16(), "The portal's firewall answered with its \"Request Rejected\" page.");
            return Err(AttemptFailure::Fatal(FetchError::Rejected {
                url: url.to_string(),
            }));
        }
        if !status.is_success() {
            return Err(AttemptFailure::Fatal(status_error(url, status)));
        }
        if malformed {
            return Err(AttemptFailure::Fatal(FetchError::Undecodable {
                url: url.to_string(),
                encoding: encoding.name(),
            }));
        }
        self.remember(url, &headers, &final_url, status, &body);
        Ok(Page {
            url: final_url,
            status: status.as_u16(),
            body,
            not_modified: false,
        })
    }

    /// Read the body, refusing it once it exceeds `limit` (announced or actual size).
    async fn read_capped(
        &self,
        url: &Url,
        mut response: reqwest::Response,
        limit: u64,
    ) -> Result<Vec<u8>, AttemptFailure> {
        let too_large = || {
            AttemptFailure::Fatal(FetchError::TooLarge {
                url: url.to_string(),
                limit,
            })
        };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_failure(url, e))?
        {
            let new_len = u64::try_from(body.len() + chunk.len()).unwrap_or(u64::MAX);
            if new_len > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_failure(&self, url: &Url, error: reqwest::Error) -> AttemptFailure {
        let error = if error.is_timeout() {
            FetchError::Timeout {
                url: url.to_string(),
                timeout: self.config.timeout,
            }
        } else {
            FetchError::Network {
                url: url.to_string(),
                source: error,
            }
        };
        AttemptFailure::Retryable {
            error,
            retry_after: None,
        }
    }

    fn validator_cache(&self) -> MutexGuard<'_, ValidatorCache> {
        self.validators.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remembered(&self, url: &Url) -> Option<CachedPage> {
        self.validator_cache().entries.get(url.as_str()).cloned()
    }

    fn remember(
        &self,
        url: &Url,
        headers: &HeaderMap,
        final_url: &Url,
        status: StatusCode,
        body: &str,
    ) {
        let header_text = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header_text(ETAG);
        let last_modified = header_text(LAST_MODIFIED);
        let mut cache = self.validator_cache();
        if etag.is_none() && last_modified.is_none() {
            cache.forget(url.as_str());
            return;
        }
        cache.insert(
            url.as_str().to_owned(),
            CachedPage {
                etag,
                last_modified,
                final_url: final_url.clone(),
                status: status.as_u16(),
                body: body.to_owned(),
            },
        );
    }

    /// Refuse `url` when the host's robots.txt disallows it for us.
    async fn check_robots(&self, url: &Url, host_key: &str) -> Result<(), FetchError> {
        let slot = {
            let mut hosts = self.robots.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(hosts.entry(host_key.to_owned()).or_default())
        };
        // One fetch per host even when several requests arrive together: the slot lock is held
        // while robots.txt is read.
        let mut entry = slot.lock().await;
        let fresh = entry
            .as_ref()
            .is_some_and(|e| Instant::now() < e.valid_until);
        if !fresh {
            *entry = Some(self.fetch_robots(url, host_key).await);
        }
        let allowed = entry
            .as_ref()
            .is_none_or(|e| e.rules.is_allowed(&path_and_query(url)));
        if allowed {
            Ok(())
        } else {
            tracing::warn!(%url, "Request refused by robots.txt.");
            Err(FetchError::DisallowedByRobots {
                url: url.to_string(),
            })
        }
    }

    /// Read and parse robots.txt once; every failure means "allow all" (see module docs).
    async fn fetch_robots(&self, url: &Url, host_key: &str) -> RobotsEntry {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        self.limiter.wait_turn(host_key).await;
        tracing::debug!(url = %robots_url, "Fetching robots.txt.");
        let allow_all = |ttl| RobotsEntry {
            rules: RobotsRules::default(),
            valid_until: Instant::now() + ttl,
        };
        let response = match self.client.get(robots_url.clone()).send().await {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(url = %robots_url, %error, "The site's robots.txt is unreachable; treating the site as allowed.");
                return allow_all(ROBOTS_ERROR_TTL);
            }
        };
        let status = response.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            tracing::warn!(url = %robots_url, status = status.as_u16(), "The site's robots.txt answered an error; treating the site as allowed.");
            return allow_all(ROBOTS_ERROR_TTL);
        }
        if !status.is_success() {
            tracing::debug!(url = %robots_url, status = status.as_u16(), "No robots.txt; everything is allowed.");
            return allow_all(ROBOTS_TTL);
        }
        let limit = ROBOTS_MAX_BYTES.min(self.config.max_response_bytes);
        match self.read_capped(&robots_url, response, limit).await {
            Ok(bytes) => RobotsEntry {
                rules: RobotsRules::parse(&String::from_utf8_lossy(&bytes), ROBOTS_AGENT_TOKEN),
                valid_until: Instant::now() + ROBOTS_TTL,
            },
            Err(AttemptFailure::Fatal(error) | AttemptFailure::Retryable { error, .. }) => {
                tracing::warn!(url = %robots_url, %error, "The site's robots.txt is unreadable; treating the site as allowed.");
                allow_all(ROBOTS_ERROR_TTL)
            }
        }
    }
}

/// A cached robots.txt verdict for one host.
#[derive(Debug)]
struct RobotsEntry {
    rules: RobotsRules,
    valid_until: Instant,
}

/// A page remembered for conditional GET.
#[derive(Debug, Clone)]
struct CachedPage {
    etag: Option<String>,
    last_modified: Option<String>,
    final_url: Url,
    status: u16,
    body: String,
}

/// Bounded map URL → remembered page; the oldest entry is dropped first.
#[derive(Debug, Default)]
struct ValidatorCache {
    entries: HashMap<String, CachedPage>,
    order: VecDeque<String>,
}

impl ValidatorCache {
    fn insert(&mut self, key: String, page: CachedPage) {
        if self.entries.insert(key.clone(), page).is_none() {
            self.order.push_back(key);
        }
        while self.entries.len() > VALIDATOR_CACHE_CAPACITY {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.entries.remove(&oldest);
                }
                None => break,
            }
        }
    }

    fn forget(&mut self, key: &str) {
        if self.entries.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }
}

/// Per-host request gate: at most one request per `min_interval` for each `host:port`.
///
/// Waiters for the same host queue in arrival order (tokio's mutex is fair); different hosts
/// never wait for each other. Public so that any future source with its own client can share
/// the same discipline, and so it can be tested on its own.
#[derive(Debug)]
pub struct HostRateLimiter {
    min_interval: Duration,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
}

impl HostRateLimiter {
    /// A gate letting one request per `min_interval` through per host.
    pub fn new(min_interval: Duration) -> Self {
        HostRateLimiter {
            min_interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, host_key: &str) -> Arc<tokio::sync::Mutex<Option<Instant>>> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(hosts.entry(host_key.to_owned()).or_default())
    }

    /// Wait until a request to `host_key` is allowed, and claim that turn.
    pub async fn wait_turn(&self, host_key: &str) {
        let slot = self.slot(host_key);
        let mut next_allowed = slot.lock().await;
        if let Some(at) = *next_allowed {
            tokio::time::sleep_until(at).await;
        }
        *next_allowed = Some(Instant::now() + self.min_interval);
    }

    /// Push the next allowed request to `host_key` back to at least `until` (used for
    /// `Retry-After` and backoff, so the whole host rests, not only one request).
    pub async fn defer(&self, host_key: &str, until: Instant) {
        let slot = self.slot(host_key);
        let mut next_allowed = slot.lock().await;
        *next_allowed = Some(next_allowed.map_or(until, |at| at.max(until)));
    }
}

/// The rules of one robots.txt that apply to one user-agent token (RFC 9309).
///
/// Only the groups naming the token apply; when none does, the `*` groups apply; when neither
/// exists, everything is allowed. Among the rules matching a path the longest pattern wins,
/// and `Allow` wins a tie. Patterns support `*` (any characters) and a final `$` (end).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RobotsRules {
    rules: Vec<RobotsRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RobotsRule {
    allow: bool,
    pattern: String,
}

impl RobotsRules {
    /// Parse robots.txt text, keeping only the rules for `agent_token` (case-insensitive).
    pub fn parse(text: &str, agent_token: &str) -> Self {
        let agent_token = agent_token.to_ascii_lowercase();
        let mut specific = Vec::new();
        let mut wildcard = Vec::new();
        let mut found_specific = false;
        // State of the group being read: which agents it names, and whether rules started.
        let mut group_agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        group_agents.clear();
                        in_rules = false;
                    }
                    let product = value
                        .split(|c: char| c == '/' || c.is_whitespace())
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if product == agent_token {
                        found_specific = true;
                    }
                    group_agents.push(product);
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if value.is_empty() {
                        continue; // "Disallow:" with nothing means no rule
                    }
                    let rule = RobotsRule {
                        allow: key == "allow",
                        pattern: value.to_owned(),
                    };
                    if group_agents.contains(&agent_token) {
                        specific.push(rule.clone());
                    }
                    if group_agents.iter().any(|a| a == "*") {
                        wildcard.push(rule);
                    }
                }
                _ => {} // sitemap, crawl-delay, unknown keys: ignored, do not end a group
            }
        }
        RobotsRules {
            rules: if found_specific { specific } else { wildcard },
        }
    }

    /// Whether the path (with its query, e.g. `/list?page=2`) may be fetched.
    pub fn is_allowed(&self, path_and_query: &str) -> bool {
        self.rules
            .iter()
            .filter(|rule| robots_pattern_matches(&rule.pattern, path_and_query))
            .max_by_key(|rule| (rule.pattern.len(), rule.allow))
            .is_none_or(|rule| rule.allow)
    }
}

/// Match a robots.txt path pattern (`*` wildcard, final `$` anchor) against a path prefix.
fn robots_pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest_parts) = match parts.split_first() {
        Some(split) => split,
        None => return true,
    };
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest_parts.split_last() else {
        return !anchored || rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    if anchored {
        rest.ends_with(last)
    } else {
        rest.contains(last)
    }
}

/// Decode an HTML body: charset from the `Content-Type` header, else a byte-order mark, else
/// a `<meta charset>` / `<meta http-equiv content="...charset=...">` in the first 1024 bytes,
/// else UTF-8. Undecodable bytes become U+FFFD rather than failing the page.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    decode_html_checked(bytes, content_type).0
}

/// [`decode_html`], also telling which charset was used and whether any bytes were not valid
/// in it (the fetcher refuses such pages rather than parse mangled text).
pub fn decode_html_checked(
    bytes: &[u8],
    content_type: Option<&str>,
) -> (String, &'static Encoding, bool) {
    if let Some(encoding) = content_type.and_then(charset_from_content_type) {
        let (text, malformed) = encoding.decode_with_bom_removal(bytes);
        return (text.into_owned(), encoding, malformed);
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, malformed) = encoding.decode_without_bom_handling(rest);
        return (text.into_owned(), encoding, malformed);
    }
    let encoding = sniff_meta_charset(bytes).unwrap_or(encoding_rs::UTF_8);
    let (text, malformed) = encoding.decode_with_bom_removal(bytes);
    (text.into_owned(), encoding, malformed)
}

fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(
            value
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .as_bytes(),
        )
    })
}

/// Find a charset declared by a `<meta>` tag in the first [`META_SNIFF_BYTES`] bytes.
fn sniff_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes
        .get(..META_SNIFF_BYTES)
        .unwrap_or(bytes)
        .to_ascii_lowercase();
    let mut from = 0;
    while let Some(offset) = find_bytes(head.get(from..)?, b"<meta") {
        let tag_start = from + offset;
        let tag_end =
            find_bytes(head.get(tag_start..)?, b">").map_or(head.len(), |e| tag_start + e);
        let tag = head.get(tag_start..tag_end)?;
        if let Some(at) = find_bytes(tag, b"charset") {
            let value = tag.get(at + b"charset".len()..)?;
            let value = trim_ascii_start(value);
            if let Some(value) = value.strip_prefix(b"=") {
                let value = trim_ascii_start(value);
                let value = value
                    .strip_prefix(b"\"")
                    .or_else(|| value.strip_prefix(b"'"))
                    .unwrap_or(value);
                let label: Vec<u8> = value
                    .iter()
                    .copied()
                    .take_while(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(b))
                    .collect();
                if let Some(encoding) = Encoding::for_label(&label) {
                    // HTML: a meta claiming UTF-16 is wrong by construction (it is ASCII text).
                    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                        return Some(encoding_rs::UTF_8);
                    }
                    return Some(encoding);
                }
            }
        }
        from = tag_end;
    }
    None
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    bytes.get(skip..).unwrap_or_default()
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether a body is the F5 firewall's rejection page (`<title>Request Rejected…`), which the
/// TAP portal serves with HTTP 200 (../shared/docs/sources.md §1.7).
pub fn is_firewall_rejection(body: &str) -> bool {
    let head: String = body
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    let Some(title_at) = head.find("<title") else {
        return false;
    };
    let after_tag = head
        .get(title_at..)
        .and_then(|t| t.find('>').map(|gt| title_at + gt + 1));
    after_tag
        .and_then(|start| head.get(start..))
        .is_some_and(|title| title.trim_start().starts_with("request rejected"))
}

/// Parse `Retry-After`: delta-seconds or an HTTP date (a date in the past means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when = SystemTime::from(when);
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// `base * 2^attempt`, capped, plus up to 25 % random jitter so that retries of several
/// clients do not synchronise.
fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(16));
    let delay = base.saturating_mul(factor).min(MAX_BACKOFF);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(attempt);
    let jitter_permille = hasher.finish() % 250;
    delay + delay.mul_f64(jitter_permille as f64 / 1000.0)
}

fn status_error(url: &Url, status: StatusCode) -> FetchError {
    FetchError::Status {
        url: url.to_string(),
        status: status.as_u16(),
    }
}

/// `host:port` of an http(s) URL, the key of the rate limit and robots caches.
fn host_key(url: &Url) -> Result<String, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::InvalidUrl {
            url: url.to_string(),
            reason: format!("scheme `{}` is not http or https", url.scheme()),
        });
    }
    let host = url.host_str().ok_or_else(|| FetchError::InvalidUrl {
        url: url.to_string(),
        reason: "no host".to_owned(),
    })?;
    let port = url.port_or_known_default().unwrap_or(0);
    Ok(format!("{host}:{port}"))
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}
