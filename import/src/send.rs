//! What is sent to the worker for a planned page: its comments in [`batches`] within the
//! import route's limits, then its rewards, then its own state; and what the worker's
//! answers add up to ([`gather`], [`before_and_after`]).

use crate::{Format, ImportError, PagePlan};
use kudos_core::PageId;
use kudos_core::wire::{
    ImportBatch, ImportItem, ImportReply, ImportedPage, ImportedReward, MAX_IMPORT_BATCH,
    MAX_IMPORT_BYTES,
};
use std::collections::BTreeMap;

/// Adds what the worker answered for one of a page's batches to what it answered for the
/// page's others. A dry run stores nothing, so each batch sees the page as it is.
pub fn gather(page: &mut ImportReply, batch: ImportReply) {
    page.added += batch.added;
    page.existing += batch.existing;
    page.skipped.extend(batch.skipped);
    page.before = batch.before;
    for (status, n) in batch.adds {
        *page.adds.entry(status).or_default() += n;
    }
}

/// A page's comments by state as a dry run found them and as the import would leave
/// them: `on the site now: 3 published; after: 5 published, 1 pending`.
pub fn before_and_after(did: &ImportReply) -> String {
    let mut after = did.before.clone();
    for (status, n) in &did.adds {
        *after.entry(status.clone()).or_default() += n;
    }
    let said = |counts: &BTreeMap<String, u64>| {
        let states = ["published", "pending", "hidden", "spam", "deleted"];
        let parts: Vec<String> = states
            .iter()
            .filter_map(|s| counts.get(*s).filter(|n| **n > 0).map(|n| format!("{n} {s}")))
            .collect();
        if parts.is_empty() { "nothing".to_owned() } else { parts.join(", ") }
    };
    format!("on the site now: {}; after: {}", said(&did.before), said(&after))
}

/// `items` in batches the worker takes: at most [`MAX_IMPORT_BATCH`] items and about
/// [`MAX_IMPORT_BYTES`] of JSON each (one item alone may be larger; the worker refuses it).
pub fn batches(items: &[ImportItem]) -> Vec<&[ImportItem]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (n, item) in items.iter().enumerate() {
        let size = serde_json::to_string(item).map_or(0, |s| s.len()) + 1;
        if n > start && (n - start >= MAX_IMPORT_BATCH || bytes + size > MAX_IMPORT_BYTES - 4_096) {
            out.push(&items[start..n]);
            (start, bytes) = (n, 0);
        }
        bytes += size;
    }
    if start < items.len() {
        out.push(&items[start..]);
    }
    out
}

/// The requests that import one page held in memory (see [`page_requests`]).
pub fn requests(page: &PagePlan, format: Format) -> Vec<ImportBatch> {
    let chunks = page.items.chunks(MAX_IMPORT_BATCH).map(|c| Ok(c.to_vec()));
    page_requests(&page.page, format, chunks, &page.rewards, page.settings.as_ref())
        .filter_map(Result::ok)
        .collect()
}

/// The requests that import one page: its comments (given in `chunks` of at most
/// [`MAX_IMPORT_BATCH`], in order) in [`batches`], then its rewards, then the page's own
/// state last (its pinned comment is one of those comments).
pub(crate) fn page_requests<'a>(
    page: &'a PageId,
    format: Format,
    chunks: impl Iterator<Item = Result<Vec<ImportItem>, ImportError>> + 'a,
    rewards: &'a [ImportedReward],
    settings: Option<&'a ImportedPage>,
) -> impl Iterator<Item = Result<ImportBatch, ImportError>> + 'a {
    let comments = chunks.flat_map(|chunk| {
        let bodies: Vec<Result<ImportBatch, ImportError>> = match chunk {
            Ok(items) => batches(&items)
                .into_iter()
                .map(|items| Ok(ImportBatch { items: items.to_vec(), ..Default::default() }))
                .collect(),
            Err(e) => vec![Err(e)],
        };
        bodies
    });
    let rewards = rewards
        .chunks(MAX_IMPORT_BATCH)
        .map(|rewards| Ok(ImportBatch { rewards: rewards.to_vec(), ..Default::default() }));
    let settings = settings
        .map(|state| Ok(ImportBatch { settings: Some(state.clone()), ..Default::default() }));
    comments.chain(rewards).chain(settings).map(move |body| {
        body.map(|mut body| {
            body.page = Some(page.to_string());
            body.source = format.name().to_owned();
            body
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dry_runs_answers_add_up_to_the_page_before_and_after() {
        let counts = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
            pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
        };
        let mut page = ImportReply::default();
        for adds in [counts(&[("published", 2)]), counts(&[("published", 1), ("pending", 1)])] {
            let before = counts(&[("published", 3), ("spam", 1)]);
            gather(
                &mut page,
                ImportReply { added: 2, existing: 1, before, adds, ..Default::default() },
            );
        }
        assert_eq!((page.added, page.existing), (4, 2));
        assert_eq!(
            before_and_after(&page),
            "on the site now: 3 published, 1 spam; after: 6 published, 1 pending, 1 spam"
        );
        assert!(before_and_after(&ImportReply::default()).starts_with("on the site now: nothing"));
    }
}
