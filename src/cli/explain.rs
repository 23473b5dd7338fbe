//! `draftwatch explain`: a stored draft and why each watchlist does or does not fire on it.

use std::process::ExitCode;

use super::open_store;
use crate::clock::Clock;
use crate::config::Config;
use crate::matcher::WatchlistSet;
use crate::matcher::explain::render_verdicts;

/// `draftwatch explain`: every stored draft carrying `draft_id`, with each watchlist's
/// verdict and the rule, field and words behind it.
pub(super) fn explain(
    config: &Config,
    watchlists: &WatchlistSet,
    clock: &Clock,
    draft_id: &str,
) -> anyhow::Result<ExitCode> {
    let store = open_store(config)?;
    let drafts = store.find_drafts_by_display_id(draft_id)?;
    drop(store);
    if drafts.is_empty() {
        anyhow::bail!(
            "no stored draft has the TA number or portal id `{}` (`draftwatch drafts` lists them)",
            draft_id.trim()
        );
    }
    let today = clock.today(config.timezone);
    let mut out = String::new();
    if drafts.len() > 1 {
        out.push_str(&format!(
            "{} stored drafts carry the id `{}`:\n\n",
            drafts.len(),
            draft_id.trim()
        ));
    }
    for (index, draft) in drafts.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}  (source {}, portal id {})\n",
            draft.display_id(),
            draft.source,
            draft.external_id
        ));
        out.push_str(&format!("Title:    {}\n", draft.title));
        let window = match draft.window {
            Some(w) => format!(
                "{} – {} ({})",
                w.from.format("%d.%m.%Y"),
                w.to.format("%d.%m.%Y"),
                days_left_words(w.days_left(today))
            ),
            None => "none".to_string(),
        };
        out.push_str(&format!("Window:   {window}\n"));
        out.push_str(&format!("URL:      {}\n", draft.url));
        out.push_str(&render_verdicts(&watchlists.evaluate(&draft.match_input())));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Where a window stands, in the English of the surrounding `explain` text: "3 days left",
/// "last day today", "closed 66 days ago" (never "-66 days left").
fn days_left_words(days_left: i64) -> String {
    match days_left {
        ..=-2 => format!("closed {} days ago", days_left.unsigned_abs()),
        -1 => "closed yesterday".to_owned(),
        0 => "last day today".to_owned(),
        1 => "1 day left".to_owned(),
        _ => format!("{days_left} days left"),
    }
}

#[cfg(test)]
mod tests {
    use super::days_left_words;

    #[test]
    fn days_left_words_for_closed_last_day_and_open_windows() {
        assert_eq!(days_left_words(-66), "closed 66 days ago");
        assert_eq!(days_left_words(-1), "closed yesterday");
        assert_eq!(days_left_words(0), "last day today");
        assert_eq!(days_left_words(1), "1 day left");
        assert_eq!(days_left_words(10), "10 days left");
    }
}
