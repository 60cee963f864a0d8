//! Where a plan keeps what it has read until it is sent: the [`Store`] a [`Planner`]
//! writes to and reads pages back from, and [`Memory`], the console's. The command line's
//! is a private SQLite file (`cli/src/spill.rs`).
//!
//! [`Planner`]: crate::Planner

use crate::ImportError;
use kudos_core::PageId;
use kudos_core::wire::{ImportItem, ImportStatus, ImportedPage, ImportedReward};
use std::collections::{BTreeMap, HashMap};

/// What a plan needs of a comment to place it: all it holds of a page's comments at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Where the store keeps it.
    pub key: u64,
    pub id: String,
    pub parent: Option<String>,
    pub created_at: u64,
    pub status: ImportStatus,
}

/// What [`Store::keep`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// Kept; its page now holds this many comments.
    New(usize),
    /// Not kept: its id is the one at this place of the file.
    Again(String),
}

/// Where a plan keeps what it has read until it is sent.
pub trait Store {
    /// Keeps `item`, read `at` a place of the file, on `page`, unless a comment with its
    /// id is kept already.
    fn keep(&mut self, page: &PageId, at: &str, item: ImportItem) -> Result<Kept, ImportError>;
    /// Keeps a reward on `page`; answers how many the page now holds.
    fn keep_reward(&mut self, page: &PageId, reward: ImportedReward) -> Result<usize, ImportError>;
    /// Sets a page's own state (a second one for the page replaces the first).
    fn keep_settings(&mut self, page: &PageId, state: ImportedPage) -> Result<(), ImportError>;
    /// The first page after `after`, in order, with anything kept.
    fn page_after(&mut self, after: Option<&PageId>) -> Result<Option<PageId>, ImportError>;
    fn shapes(&mut self, page: &PageId) -> Result<Vec<Shape>, ImportError>;
    /// The comments kept under `keys`, in that order.
    fn items(&mut self, keys: &[u64]) -> Result<Vec<ImportItem>, ImportError>;
    /// A page's rewards, oldest first (by their time, then the later kept first: an export
    /// lists them newest first).
    fn rewards(&mut self, page: &PageId) -> Result<Vec<ImportedReward>, ImportError>;
    fn settings(&mut self, page: &PageId) -> Result<Option<ImportedPage>, ImportError>;
    /// Keeps a name a parser noted (see [`Sink::note`]).
    fn note(&mut self, table: &str, key: &str, value: &str) -> Result<(), ImportError>;
    fn noted(&mut self, table: &str, key: &str) -> Result<Option<String>, ImportError>;
}

/// A [`Store`] in memory: the console's (a browser holds the file anyway).
#[derive(Debug, Default)]
pub struct Memory {
    items: Vec<ImportItem>,
    /// Where each id was read.
    ids: HashMap<String, String>,
    pages: BTreeMap<PageId, MemoryPage>,
    notes: HashMap<(String, String), String>,
}

#[derive(Debug, Default)]
struct MemoryPage {
    items: Vec<u64>,
    rewards: Vec<ImportedReward>,
    settings: Option<ImportedPage>,
}

impl Store for Memory {
    fn keep(&mut self, page: &PageId, at: &str, item: ImportItem) -> Result<Kept, ImportError> {
        if let Some(first) = self.ids.get(&item.id) {
            return Ok(Kept::Again(first.clone()));
        }
        self.ids.insert(item.id.clone(), at.to_owned());
        let kept = self.pages.entry(page.clone()).or_default();
        kept.items.push(self.items.len() as u64);
        self.items.push(item);
        Ok(Kept::New(kept.items.len()))
    }

    fn keep_reward(&mut self, page: &PageId, reward: ImportedReward) -> Result<usize, ImportError> {
        let rewards = &mut self.pages.entry(page.clone()).or_default().rewards;
        rewards.push(reward);
        Ok(rewards.len())
    }

    fn keep_settings(&mut self, page: &PageId, state: ImportedPage) -> Result<(), ImportError> {
        self.pages.entry(page.clone()).or_default().settings = Some(state);
        Ok(())
    }

    fn page_after(&mut self, after: Option<&PageId>) -> Result<Option<PageId>, ImportError> {
        use std::ops::Bound::{Excluded, Unbounded};
        let mut pages = match after {
            None => self.pages.range::<PageId, _>(..),
            Some(after) => self.pages.range::<PageId, _>((Excluded(after), Unbounded)),
        };
        Ok(pages.next().map(|(page, _)| page.clone()))
    }

    fn shapes(&mut self, page: &PageId) -> Result<Vec<Shape>, ImportError> {
        let keys = self.pages.get(page).map(|p| p.items.as_slice()).unwrap_or_default();
        Ok(keys.iter().map(|key| shape(*key, &self.items[*key as usize])).collect())
    }

    fn items(&mut self, keys: &[u64]) -> Result<Vec<ImportItem>, ImportError> {
        Ok(keys.iter().filter_map(|key| self.items.get(*key as usize).cloned()).collect())
    }

    fn rewards(&mut self, page: &PageId) -> Result<Vec<ImportedReward>, ImportError> {
        let mut rewards = self.pages.get(page).map(|p| p.rewards.clone()).unwrap_or_default();
        rewards.reverse();
        rewards.sort_by_key(|r| r.at);
        Ok(rewards)
    }

    fn settings(&mut self, page: &PageId) -> Result<Option<ImportedPage>, ImportError> {
        Ok(self.pages.get(page).and_then(|p| p.settings.clone()))
    }

    fn note(&mut self, table: &str, key: &str, value: &str) -> Result<(), ImportError> {
        self.notes.insert((table.to_owned(), key.to_owned()), value.to_owned());
        Ok(())
    }

    fn noted(&mut self, table: &str, key: &str) -> Result<Option<String>, ImportError> {
        Ok(self.notes.get(&(table.to_owned(), key.to_owned())).cloned())
    }
}

/// An item's shape, as a store keeps it under `key`.
pub fn shape(key: u64, item: &ImportItem) -> Shape {
    Shape {
        key,
        id: item.id.clone(),
        parent: item.parent.clone(),
        created_at: item.created_at,
        status: item.status,
    }
}
