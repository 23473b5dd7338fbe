//! Stored watchlist verdicts and the indexed queries that pick a digest's or a calendar's
//! candidate drafts, so that their cost follows what changed rather than the whole history.
//!
//! Each evaluated draft has a `verdict_state` row (the watchlist set's version and the
//! draft's `last_changed` at evaluation) and one `verdicts` row per watchlist that fired, with
//! the matcher's verdict (score and hits) as JSON. A verdict is used only while both the
//! version and the draft's `last_changed` still match; otherwise it is stale and the caller
//! evaluates the draft again ([`Store::drafts_with_verdicts`] says which). Evaluating is the
//! matcher's job; this module stores, finds and reads.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, params};
use serde::Deserialize;

use crate::matcher::{Hit, WatchlistSet, WatchlistVerdict};
use crate::model::StoredDraft;

use super::{Store, StoreError, date_to_sql, timestamp_to_sql};
use super::{from_json, to_json};

/// Bumped when what a verdict means changes without the watchlists changing (the stored
/// JSON's shape); part of every version, so such a change makes every stored verdict stale.
const VERDICT_FORMAT: &str = "verdicts-1";

/// The version of a watchlist set, as stored verdicts are keyed: a 64-bit FNV-1a hash, as 16
/// hex digits, over this build's package version and every loaded watchlist (name,
/// threshold, rules, file). Equal sets give equal versions in any process and build of the
/// same release; any edit of a rule gives another version. A new release gives another
/// version too, because the matcher's rules of matching may have changed with it.
pub fn watchlist_set_version(set: &WatchlistSet) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut write = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    write(VERDICT_FORMAT.as_bytes());
    write(env!("CARGO_PKG_VERSION").as_bytes());
    for watchlist in set.watchlists() {
        let described = format!("{watchlist:?}");
        write(&(described.len() as u64).to_le_bytes());
        write(described.as_bytes());
    }
    format!("{hash:016x}")
}

/// What is stored of a verdict that fired ([`WatchlistVerdict`] without the two fields the
/// row itself holds: the watchlist's name and that it fired).
#[derive(Deserialize)]
struct StoredVerdict {
    score: f64,
    hits: Vec<Hit>,
    #[serde(default)]
    excluded_by: Vec<Hit>,
    #[serde(default)]
    ignored: Vec<Hit>,
}

/// A candidate draft as read from the store, with its verdicts when they are current.
#[derive(Debug, Clone)]
pub struct DraftVerdicts {
    /// The draft.
    pub draft: StoredDraft,
    /// The watchlists that fired on it, as stored; `None` when the stored verdicts are stale
    /// (another watchlist set, or the draft changed since) or missing: evaluate it again.
    pub fired: Option<Vec<WatchlistVerdict>>,
}

/// One recipient as the digest's candidate query needs it.
#[derive(Debug, Clone, Copy)]
pub struct CandidateRecipient<'a> {
    /// Recipient name (deliveries are recorded under it).
    pub name: &'a str,
    /// Its watchlists.
    pub watchlists: &'a [String],
}

impl Store {
    /// Store the verdicts of drafts evaluated with the watchlist set of `version`, in one
    /// transaction: each draft's earlier verdicts are replaced. Only fired verdicts are kept.
    /// The draft's `last_changed` recorded is the one of the draft as evaluated, so a draft
    /// changed meanwhile stays stale.
    pub fn save_verdicts(
        &mut self,
        version: &str,
        evaluated: &[(&StoredDraft, &[WatchlistVerdict])],
    ) -> Result<(), StoreError> {
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            {
                let mut clear = tx.prepare_cached("DELETE FROM verdicts WHERE draft_id = ?1")?;
                let mut state = tx.prepare_cached(
                    "INSERT INTO verdict_state (draft_id, version, draft_changed) \
                     VALUES (?1, ?2, ?3) ON CONFLICT (draft_id) DO UPDATE SET \
                     version = excluded.version, draft_changed = excluded.draft_changed",
                )?;
                let mut fired = tx.prepare_cached(
                    "INSERT INTO verdicts (watchlist, draft_id, verdict) VALUES (?1, ?2, ?3)",
                )?;
                for (draft, verdicts) in evaluated {
                    clear.execute(params![draft.id])?;
                    state.execute(params![
                        draft.id,
                        version,
                        timestamp_to_sql(draft.last_changed)
                    ])?;
                    for verdict in verdicts.iter().filter(|verdict| verdict.fired) {
                        let json = to_json(verdict)?;
                        fired.execute(params![verdict.watchlist, draft.id, json])?;
                    }
                }
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.query_error("storing verdicts", e))
    }

    /// Ids of drafts changed (or stored) at or after `since`: what one poll recorded.
    pub fn draft_ids_changed_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        self.query_ids(
            // No ORDER BY: with one, SQLite scans the table in id order instead of using the
            // index on last_changed; the ids are sorted here.
            "SELECT id FROM drafts WHERE last_changed >= ?1",
            params![timestamp_to_sql(since)],
            "finding changed drafts",
        )
        .map(|mut ids| {
            ids.sort_unstable();
            ids
        })
    }

    /// Up to `limit` ids, above `after_id` in id order, of drafts whose verdicts are not
    /// current for `version`: the next batch of a background re-evaluation.
    pub fn stale_verdict_ids(
        &self,
        version: &str,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<i64>, StoreError> {
        self.query_ids(
            "SELECT d.id FROM drafts AS d LEFT JOIN verdict_state AS s ON s.draft_id = d.id \
             WHERE d.id > ?1 AND (s.version IS NULL OR s.version <> ?2 \
                                  OR s.draft_changed <> d.last_changed) \
             ORDER BY d.id LIMIT ?3",
            params![after_id, version, i64::try_from(limit).unwrap_or(i64::MAX)],
            "finding stale verdicts",
        )
    }

    /// The drafts a calendar can show on `today`: those with a window of any kind
    /// (public participation, coordination, ...) that has not ended.
    pub fn calendar_candidate_ids(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<BTreeSet<i64>, StoreError> {
        let mut ids: BTreeSet<i64> = self
            .query_ids(
                "SELECT id FROM drafts WHERE window_to >= ?1",
                params![date_to_sql(today)],
                "finding open windows",
            )?
            .into_iter()
            .collect();
        ids.extend(self.draft_ids_with_open_windows(today)?);
        Ok(ids)
    }

    /// The drafts a digest on `today` can list for `recipient` besides those with a window
    /// still open ([`Store::calendar_candidate_ids`], the same for every recipient, which the
    /// digest reads once), found through indexes: drafts without any window, not withdrawn
    /// and not yet delivered to the recipient, on which one of its watchlists fired or whose
    /// verdicts are not current for `version`; and drafts changed since `since` (the
    /// recipient's last digest). Closed windows never delivered, the bulk of the history, are
    /// not among them. Drafts delivered before that have new history events are added by the
    /// digest ([`Store::delivered_draft_ids_with_events_after`]).
    pub fn digest_candidate_ids(
        &self,
        recipient: CandidateRecipient<'_>,
        version: &str,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<BTreeSet<i64>, StoreError> {
        let watchlists = to_json(recipient.watchlists)
            .map_err(|e| self.query_error("finding digest candidates", e))?;
        let mut ids: BTreeSet<i64> = BTreeSet::new();
        ids.extend(self.query_ids(
            "SELECT d.id FROM drafts AS d \
             WHERE d.window_to IS NULL AND d.vanished_at IS NULL \
               AND NOT EXISTS (SELECT 1 FROM comment_windows AS w WHERE w.draft_id = d.id) \
               AND NOT EXISTS (SELECT 1 FROM deliveries \
                               WHERE recipient = ?1 AND draft_id = d.id) \
               AND (EXISTS (SELECT 1 FROM verdicts AS v \
                            WHERE v.draft_id = d.id \
                              AND v.watchlist IN (SELECT value FROM json_each(?2))) \
                    OR NOT EXISTS (SELECT 1 FROM verdict_state AS s \
                                   WHERE s.draft_id = d.id AND s.version = ?3 \
                                     AND s.draft_changed = d.last_changed))",
            params![recipient.name, watchlists, version],
            "finding digest candidates",
        )?);
        if let Some(since) = since {
            ids.extend(self.query_ids(
                "SELECT DISTINCT draft_id FROM draft_changes WHERE changed_at >= ?1",
                params![timestamp_to_sql(since)],
                "finding changed drafts",
            )?);
        }
        Ok(ids)
    }

    /// The drafts of `ids` (those that exist), each with its fired verdicts when they are
    /// current for `version`.
    pub fn drafts_with_verdicts(
        &self,
        ids: impl IntoIterator<Item = i64>,
        version: &str,
    ) -> Result<Vec<DraftVerdicts>, StoreError> {
        let mut found = Vec::new();
        for id in ids {
            let Some(mut draft) = self.get_draft(id)? else {
                continue;
            };
            draft.opinions = self
                .opinions_of_drafts(&[id])?
                .remove(&id)
                .unwrap_or_default();
            let fired = self.current_verdicts(&draft, version)?;
            found.push(DraftVerdicts { draft, fired });
        }
        Ok(found)
    }

    /// `draft`'s stored fired verdicts, `None` when they are not current for `version`.
    fn current_verdicts(
        &self,
        draft: &StoredDraft,
        version: &str,
    ) -> Result<Option<Vec<WatchlistVerdict>>, StoreError> {
        let read = || -> rusqlite::Result<Option<Vec<WatchlistVerdict>>> {
            let current = self
                .conn
                .prepare_cached(
                    "SELECT 1 FROM verdict_state \
                     WHERE draft_id = ?1 AND version = ?2 AND draft_changed = ?3",
                )?
                .query_row(
                    params![draft.id, version, timestamp_to_sql(draft.last_changed)],
                    |_| Ok(()),
                )
                .optional()?;
            if current.is_none() {
                return Ok(None);
            }
            let mut statement = self.conn.prepare_cached(
                "SELECT watchlist, verdict FROM verdicts WHERE draft_id = ?1 ORDER BY watchlist",
            )?;
            let rows = statement.query_map(params![draft.id], |row| {
                let watchlist: String = row.get(0)?;
                let json: String = row.get(1)?;
                let stored: StoredVerdict = from_json(&json, 1)?;
                Ok(WatchlistVerdict {
                    watchlist,
                    fired: true,
                    score: stored.score,
                    hits: stored.hits,
                    excluded_by: stored.excluded_by,
                    ignored: stored.ignored,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map(Some)
        };
        read().map_err(|e| self.query_error("reading verdicts", e))
    }

    /// How many drafts have verdicts current for `version` (for tests and `status`-like
    /// checks).
    pub fn current_verdict_count(&self, version: &str) -> Result<usize, StoreError> {
        let read = || -> rusqlite::Result<i64> {
            self.conn.query_row(
                "SELECT count(*) FROM verdict_state AS s JOIN drafts AS d ON d.id = s.draft_id \
                 WHERE s.version = ?1 AND s.draft_changed = d.last_changed",
                params![version],
                |row| row.get(0),
            )
        };
        let count = read().map_err(|e| self.query_error("counting verdicts", e))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Run a query returning one id per row.
    fn query_ids(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        action: &'static str,
    ) -> Result<Vec<i64>, StoreError> {
        let read = || -> rusqlite::Result<Vec<i64>> {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows = statement.query_map(params, |row| row.get(0))?;
            rows.collect()
        };
        read().map_err(|e| self.query_error(action, e))
    }
}

/// Drafts with every verdict a caller needs, and how many had to be evaluated for it.
#[derive(Debug, Default)]
pub struct VerdictsRead {
    /// Each draft with the verdicts of the watchlists that fired on it (when evaluated on
    /// the spot, with every watchlist's verdict).
    pub drafts: Vec<(StoredDraft, Vec<WatchlistVerdict>)>,
    /// Drafts read from the store.
    pub loaded: usize,
    /// Drafts the matcher evaluated because their stored verdicts were stale or missing.
    pub evaluated: usize,
}

/// The drafts of `ids` with their verdicts under `watchlists`: stored verdicts when current,
/// otherwise evaluated now, outside the store's lock (and, when `save`, stored for the next
/// reader). The one place that decides between a stored verdict and the matcher, so a
/// digest, a calendar and a poll never disagree.
pub fn read_or_evaluate(
    store: &super::SharedStore,
    watchlists: &WatchlistSet,
    version: &str,
    ids: impl IntoIterator<Item = i64>,
    save: bool,
) -> Result<VerdictsRead, StoreError> {
    let mut candidates = store.lock()?.drafts_with_verdicts(ids, version)?;
    // Stale drafts are matched on their annotation and draft text too, so those are read
    // for them (and only them: current verdicts already carry their hits and contexts).
    {
        let mut stale: Vec<StoredDraft> = candidates
            .iter_mut()
            .filter(|candidate| candidate.fired.is_none())
            .map(|candidate| std::mem::take(&mut candidate.draft))
            .collect();
        if !stale.is_empty() {
            store.lock()?.load_texts(&mut stale)?;
        }
        let mut stale = stale.into_iter();
        for candidate in candidates.iter_mut().filter(|c| c.fired.is_none()) {
            if let Some(draft) = stale.next() {
                candidate.draft = draft;
            }
        }
    }
    let mut read = VerdictsRead {
        loaded: candidates.len(),
        ..VerdictsRead::default()
    };
    let mut fresh: Vec<usize> = Vec::new();
    for candidate in candidates {
        let (mut draft, verdicts) = match candidate.fired {
            Some(stored) => (candidate.draft, stored),
            None => {
                fresh.push(read.drafts.len());
                let verdicts = watchlists.evaluate(&candidate.draft.match_input());
                (candidate.draft, verdicts)
            }
        };
        // Texts are not kept past matching (a digest over hundreds of candidates would hold
        // megabytes), so every returned draft looks the same whether it was evaluated now or
        // not: callers that show texts load them (`Store::load_texts`).
        draft.texts = Default::default();
        read.drafts.push((draft, verdicts));
    }
    read.evaluated = fresh.len();
    if save && !fresh.is_empty() {
        let evaluated: Vec<(&StoredDraft, &[WatchlistVerdict])> = fresh
            .iter()
            .map(|&index| {
                let (draft, verdicts) = &read.drafts[index];
                (draft, verdicts.as_slice())
            })
            .collect();
        store.lock()?.save_verdicts(version, &evaluated)?;
    }
    Ok(read)
}
