//! draftwatch watches Latvian government consultation portals for draft laws and
//! regulations that matter to child-welfare NGOs, and emails each partner a digest.
//!
//! Data flows in one direction, with the SQLite store as the durable buffer between stages:
//!
//! ```text
//!  schedule ──fires──▶ pipeline::poll_source
//!                        │  sources::<portal> (fetch pages via sources::fetch, parse sync)
//!                        ▼
//!                      store::record_poll  (one transaction: drafts new/changed + poll row)
//!
//!  schedule ──fires──▶ digest::send_digests
//!                        │  store drafts ─▶ matcher (watchlists) ─▶ per-recipient selection
//!                        ▼
//!                      mailer (SMTP or .eml files) ─▶ store marks delivered after acceptance
//! ```
//!
//! The binary (`src/main.rs`) only parses the command line and calls [`cli`].

pub mod alerts;
pub mod atomic_file;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod digest;
pub mod documents;
pub mod line_index;
pub mod mailer;
pub mod matcher;
pub mod model;
pub mod pipeline;
pub mod schedule;
pub mod sources;
pub mod store;
