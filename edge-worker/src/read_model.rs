//! The KV read model: one snapshot per page, written only by the page's object on a flush,
//! read by every page view and counts request. Nothing here ever reads a value to write it
//! back; counts are computed in the object, never in KV.

use crate::error::ApiError;
use crate::page_ref::PageRef;
use kudos_core::snapshot::{self, Snapshot};
use kudos_core::wire::PageView;
use worker::Env;
use worker::kv::KvStore;

pub struct ReadModel {
    kv: KvStore,
    cache_ttl_seconds: u64,
}

impl ReadModel {
    pub fn new(env: &Env, cache_ttl_seconds: u64) -> Result<Self, ApiError> {
        Ok(ReadModel { kv: env.kv(crate::bindings::KV)?, cache_ttl_seconds })
    }

    pub async fn view(&self, page: &PageRef) -> Result<Option<Snapshot>, ApiError> {
        let text = self.kv.get(&page.kv_key()).cache_ttl(self.cache_ttl_seconds).text().await?;
        Ok(text.as_deref().map(snapshot::decode))
    }

    /// Views of many pages in one KV bulk read, in the order asked (outdated snapshots
    /// still give their counts).
    pub async fn views(&self, pages: &[PageRef]) -> Result<Vec<Option<PageView>>, ApiError> {
        if pages.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = pages.iter().map(PageRef::kv_key).collect();
        let found = self.kv.get_bulk(&keys).cache_ttl(self.cache_ttl_seconds).text().await?;
        // Two spellings of one page ask for the same key: each gets the answer.
        Ok(keys
            .iter()
            .map(|k| {
                let text = found.get(k).cloned().flatten();
                text.as_deref().and_then(|t| snapshot::decode(t).view())
            })
            .collect())
    }

    /// Any other JSON value the read model keeps (a set's counts); `None` when it is
    /// missing or unreadable.
    pub async fn json<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, ApiError> {
        let text = self.kv.get(key).cache_ttl(self.cache_ttl_seconds).text().await?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    pub async fn store(&self, page: &PageRef, view: &PageView) -> Result<(), ApiError> {
        self.kv.put(&page.kv_key(), snapshot::encode(view))?.execute().await?;
        Ok(())
    }

    /// Removes a snapshot no object stands behind (one a page's other spelling wrote
    /// before page ids were canonical).
    pub async fn remove(&self, page: &PageRef) -> Result<(), ApiError> {
        self.kv.delete(&page.kv_key()).await?;
        Ok(())
    }
}
