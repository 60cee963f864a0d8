//! The KV read model, and the only code that writes KV: one snapshot per page, written
//! only by the page's object on a flush and read by every page view and counts request;
//! each kept set's counts (written by the counts object); the site's recent activity
//! (written by the site object). Every key is named here. Nothing here ever reads a value
//! to write it back; counts are computed in the objects, never in KV.

use crate::error::ApiError;
use crate::page_ref::{MAX_MOVES_FOLLOWED, PageRef};
use kudos_core::PageId;
use kudos_core::feed::Recent;
use kudos_core::snapshot::{self, Snapshot};
use kudos_core::wire::{PageCounts, PageView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use worker::Env;
use worker::kv::KvStore;

/// The KV value of a set: its pages' counts by canonical id.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SetValue {
    pub counts: BTreeMap<String, PageCounts>,
}

/// The key of a set's counts.
fn set_key(site: &str, id: &str) -> String {
    format!("counts:{site}:{id}")
}

/// The key of a site's recent activity.
fn recent_key(site: &str) -> String {
    format!("recent:{site}")
}

pub struct ReadModel {
    kv: KvStore,
    cache_ttl_seconds: u64,
}

impl ReadModel {
    pub fn new(env: &Env, cache_ttl_seconds: u64) -> Result<Self, ApiError> {
        Ok(ReadModel { kv: env.kv(crate::bindings::KV)?, cache_ttl_seconds })
    }

    /// The read model for an object that writes it (its reads are not cached).
    pub fn writer(env: &Env) -> Result<Self, ApiError> {
        ReadModel::new(env, 0)
    }

    pub async fn view(&self, page: &PageRef) -> Result<Option<Snapshot>, ApiError> {
        let text = self.kv.get(&page.kv_key()).cache_ttl(self.cache_ttl_seconds).text().await?;
        Ok(text.as_deref().map(snapshot::decode))
    }

    /// The snapshot of `page`, or of the page its moves led to (at most
    /// [`MAX_MOVES_FOLLOWED`] of them), and that page.
    pub async fn landing(
        &self,
        mut page: PageRef,
    ) -> Result<(PageRef, Option<Snapshot>), ApiError> {
        let mut snapshot = self.view(&page).await?;
        for _ in 0..MAX_MOVES_FOLLOWED {
            let Some(Snapshot::Moved(to)) = &snapshot else { break };
            page = PageRef::new(&page.site, PageId::from_canonical(to)?);
            snapshot = self.view(&page).await?;
        }
        Ok((page, snapshot))
    }

    /// Views of many pages in one KV bulk read, in the order asked (outdated snapshots
    /// still give their counts); a page that moved gives the view of where it went (one
    /// more bulk read for each move followed).
    pub async fn views(&self, pages: &[PageRef]) -> Result<Vec<Option<PageView>>, ApiError> {
        let mut snapshots = self.snapshots(pages).await?;
        for _ in 0..MAX_MOVES_FOLLOWED {
            let moved: Vec<(usize, PageRef)> = snapshots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match s {
                    Some(Snapshot::Moved(to)) => PageId::from_canonical(to)
                        .ok()
                        .map(|to| (i, PageRef::new(&pages[i].site, to))),
                    _ => None,
                })
                .collect();
            if moved.is_empty() {
                break;
            }
            let targets: Vec<PageRef> = moved.iter().map(|(_, to)| to.clone()).collect();
            for ((i, _), found) in moved.into_iter().zip(self.snapshots(&targets).await?) {
                snapshots[i] = found;
            }
        }
        Ok(snapshots.into_iter().map(|s| s.and_then(Snapshot::view)).collect())
    }

    async fn snapshots(&self, pages: &[PageRef]) -> Result<Vec<Option<Snapshot>>, ApiError> {
        if pages.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = pages.iter().map(PageRef::kv_key).collect();
        let found = self.kv.get_bulk(&keys).cache_ttl(self.cache_ttl_seconds).text().await?;
        // Two spellings of one page ask for the same key: each gets the answer.
        Ok(keys
            .iter()
            .map(|k| found.get(k).cloned().flatten().as_deref().map(snapshot::decode))
            .collect())
    }

    /// A JSON value; `None` when it is missing or unreadable.
    async fn json<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ApiError> {
        let text = self.kv.get(key).cache_ttl(self.cache_ttl_seconds).text().await?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    async fn put_json<T: Serialize>(&self, key: &str, value: &T) -> Result<(), ApiError> {
        let json = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.kv.put(key, json)?.execute().await?;
        Ok(())
    }

    /// A kept set's counts.
    pub async fn set(&self, site: &str, id: &str) -> Result<Option<SetValue>, ApiError> {
        self.json(&set_key(site, id)).await
    }

    pub async fn store_set(&self, site: &str, id: &str, value: &SetValue) -> Result<(), ApiError> {
        self.put_json(&set_key(site, id), value).await
    }

    /// Forgets a set no longer kept.
    pub async fn remove_set(&self, site: &str, id: &str) -> Result<(), ApiError> {
        self.kv.delete(&set_key(site, id)).await?;
        Ok(())
    }

    /// The site's recent activity (empty before anything happened).
    pub async fn recent(&self, site: &str) -> Result<Recent, ApiError> {
        Ok(self.json(&recent_key(site)).await?.unwrap_or_default())
    }

    pub async fn store_recent(&self, site: &str, recent: &Recent) -> Result<(), ApiError> {
        self.put_json(&recent_key(site), recent).await
    }

    pub async fn store(&self, page: &PageRef, view: &PageView) -> Result<(), ApiError> {
        self.kv.put(&page.kv_key(), snapshot::encode(view))?.execute().await?;
        Ok(())
    }

    /// The snapshot of a page that moved: where it went.
    pub async fn store_moved(&self, page: &PageRef, to: &str) -> Result<(), ApiError> {
        self.kv.put(&page.kv_key(), snapshot::encode_moved(to))?.execute().await?;
        Ok(())
    }

    /// Removes a snapshot no object stands behind (one a page's other spelling wrote
    /// before page ids were canonical).
    pub async fn remove(&self, page: &PageRef) -> Result<(), ApiError> {
        self.kv.delete(&page.kv_key()).await?;
        Ok(())
    }
}
