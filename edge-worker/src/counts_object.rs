//! The counts object: one Durable Object per site that keeps, for each set of pages an index
//! page asks counts for, one KV value holding all of their counts, so that a counts request
//! costs one KV read however many pages it names.
//!
//! Page objects report their counts here after each flush of their snapshot; the alarm
//! then rewrites, once, every set holding a page that changed, so a set's value is as fresh
//! as its pages' snapshots. A set comes into being on the first counts request that misses
//! it (the worker answers that one from the pages' snapshots and registers the set with
//! their counts). What an attacker can make of this is bounded: a page belongs to at most
//! [`MAX_SETS_PER_PAGE`] sets and a site keeps at most `MAX_COUNT_SETS` (the longest kept go
//! first, and their KV values with them; a set asked for again after it went is kept
//! again), and each address may register only `LIMIT_COUNT_SETS` sets.

use crate::error::ApiError;
use crate::object::{call, serve};
use crate::read_model::{ReadModel, SetValue};
use crate::storage::{Sql, StoreResult};
use kudos_core::wire::PageCounts;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use worker::{DurableObject, Env, Request, Response, ScheduledTime, State, Stub, durable_object};

/// The most sets one page belongs to: every flush of the page rewrites each of them.
pub const MAX_SETS_PER_PAGE: i64 = 8;
/// The most sets a site keeps unless `MAX_COUNT_SETS` says otherwise.
pub const DEFAULT_MAX_SETS: i64 = 10_000;
/// How long after a report the alarm rewrites the sets it touched, so the reports of many
/// pages of one set within this time cost one KV write.
const WRITE_DELAY_MS: i64 = 200;

const MIGRATIONS: &[&str] = &["CREATE TABLE pages (
        page TEXT PRIMARY KEY,
        likes INTEGER NOT NULL,
        comments INTEGER NOT NULL,
        reward_total INTEGER NOT NULL,
        supporters INTEGER NOT NULL,
        version INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE sets (
        id TEXT PRIMARY KEY,
        -- The order sets were (last) registered in: the lowest goes first.
        used_at INTEGER NOT NULL,
        dirty INTEGER NOT NULL DEFAULT 1
    ) WITHOUT ROWID;
    CREATE INDEX sets_used ON sets (used_at);
    CREATE INDEX sets_dirty ON sets (dirty);
    CREATE TABLE members (
        page TEXT NOT NULL,
        set_id TEXT NOT NULL,
        PRIMARY KEY (page, set_id)
    ) WITHOUT ROWID;
    CREATE INDEX members_set ON members (set_id)"];

/// A page's counts at a version of the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Counted {
    pub page: String,
    pub counts: PageCounts,
    pub version: u64,
}

impl Counted {
    /// A page's counts as its state holds them.
    pub fn of(state: &kudos_core::wire::PageState) -> Self {
        Counted {
            page: state.page.clone(),
            counts: PageCounts {
                likes: state.likes,
                comments: state.comments,
                reward_total: state.reward_total,
                supporters: state.supporters,
            },
            version: state.version,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum CountsCommand {
    /// A page's counts after a flush of its snapshot.
    Report(Counted),
    /// A set of pages (canonical ids) an index asked for, with what their snapshots said.
    Register { id: String, pages: Vec<String>, known: Vec<Counted> },
}

#[durable_object]
pub struct CountsObject {
    state: State,
    env: Env,
    sql: OnceCell<Sql>,
    max_sets: i64,
}

impl DurableObject for CountsObject {
    fn new(state: State, env: Env) -> Self {
        let max_sets = crate::config::max_count_sets(&env).unwrap_or(DEFAULT_MAX_SETS);
        CountsObject { state, env, sql: OnceCell::new(), max_sets: max_sets.max(1) }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        serve("counts object", req, |command| self.handle(command)).await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.write_dirty().await.map_err(|e| worker::Error::RustError(e.to_string()))?;
        Response::ok("done")
    }
}

#[derive(Deserialize)]
struct SetRow {
    id: String,
}

/// A member of a set with its page's counts (zero for a page never reported).
#[derive(Deserialize)]
struct MemberRow {
    page: String,
    likes: i64,
    comments: i64,
    reward_total: i64,
    supporters: i64,
}

impl CountsObject {
    fn sql(&self) -> StoreResult<&Sql> {
        Sql::once(&self.sql, &self.state, MIGRATIONS)
    }

    async fn handle(&self, command: CountsCommand) -> Result<String, ApiError> {
        let now = crate::now_ms();
        match command {
            CountsCommand::Report(counted) => {
                if self.record(&counted)? {
                    self.sql()?.run(
                        "UPDATE sets SET dirty = 1
                         WHERE id IN (SELECT set_id FROM members WHERE page = ?)",
                        vec![counted.page.as_str().into()],
                    )?;
                    self.schedule(now).await?;
                }
            }
            CountsCommand::Register { id, pages, known } => {
                for counted in &known {
                    self.record(counted)?;
                }
                self.register(&id, &pages).await?;
                // Written at once, so the index's next request reads it.
                self.write_dirty().await?;
            }
        }
        Ok("{}".to_owned())
    }

    /// Keeps a page's counts unless newer ones are kept; returns whether they changed.
    fn record(&self, counted: &Counted) -> worker::Result<bool> {
        let c = &counted.counts;
        let written = self.sql()?.run(
            "INSERT INTO pages (page, likes, comments, reward_total, supporters, version)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (page) DO UPDATE SET likes = excluded.likes,
                comments = excluded.comments, reward_total = excluded.reward_total,
                supporters = excluded.supporters, version = excluded.version
             WHERE excluded.version > pages.version",
            vec![
                counted.page.as_str().into(),
                (c.likes as i64).into(),
                (c.comments as i64).into(),
                (c.reward_total as i64).into(),
                (c.supporters as i64).into(),
                (counted.version.min(i64::MAX as u64) as i64).into(),
            ],
        )?;
        Ok(written > 0)
    }

    /// Adds a set (or renews it), making room within the caps: a page's longest kept set
    /// goes when the page would belong to too many, the site's when it would keep too
    /// many. A set that goes loses its KV value at once.
    async fn register(&self, id: &str, pages: &[String]) -> Result<(), ApiError> {
        let sql = self.sql()?;
        let next = sql.count("SELECT COALESCE(MAX(used_at), 0) + 1 AS n FROM sets", vec![])?;
        let known = sql.count("SELECT COUNT(*) AS n FROM sets WHERE id = ?", vec![id.into()])?;
        if known > 0 {
            sql.run(
                "UPDATE sets SET used_at = ?, dirty = 1 WHERE id = ?",
                vec![next.into(), id.into()],
            )?;
            return Ok(());
        }
        let mut evict: Vec<String> = Vec::new();
        for page in pages {
            #[derive(Deserialize)]
            struct Id {
                set_id: String,
            }
            let held: Vec<Id> = sql.rows(
                "SELECT m.set_id FROM members m JOIN sets s ON s.id = m.set_id
                 WHERE m.page = ? ORDER BY s.used_at DESC",
                vec![page.as_str().into()],
            )?;
            let keep = (MAX_SETS_PER_PAGE - 1).max(0) as usize;
            evict.extend(held.into_iter().skip(keep).map(|h| h.set_id));
        }
        let total = sql.count("SELECT COUNT(*) AS n FROM sets", vec![])?;
        let max_sets = self.max_sets;
        if total >= max_sets {
            #[derive(Deserialize)]
            struct Old {
                id: String,
            }
            let old: Vec<Old> = sql.rows(
                "SELECT id FROM sets ORDER BY used_at LIMIT ?",
                vec![(total - max_sets + 1).into()],
            )?;
            evict.extend(old.into_iter().map(|o| o.id));
        }
        evict.sort();
        evict.dedup();
        for gone in &evict {
            sql.run("DELETE FROM members WHERE set_id = ?", vec![gone.as_str().into()])?;
            sql.run("DELETE FROM sets WHERE id = ?", vec![gone.as_str().into()])?;
        }
        sql.run(
            "INSERT INTO sets (id, used_at, dirty) VALUES (?, ?, 1)",
            vec![id.into(), next.into()],
        )?;
        for page in pages {
            sql.run(
                "INSERT OR IGNORE INTO members (page, set_id) VALUES (?, ?)",
                vec![page.as_str().into(), id.into()],
            )?;
        }
        let read_model = ReadModel::writer(&self.env)?;
        for gone in &evict {
            read_model.remove_set(&self.site()?, gone).await?;
        }
        Ok(())
    }

    /// The site this object is for (its name is `counts\n<site>`).
    fn site(&self) -> Result<String, ApiError> {
        let name = self.state.id().name().unwrap_or_default();
        Ok(name.strip_prefix("counts\n").unwrap_or_default().to_owned())
    }

    async fn schedule(&self, now: i64) -> Result<(), ApiError> {
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none() {
            let at = worker::js_sys::Date::new(&((now + WRITE_DELAY_MS) as f64).into());
            storage.set_alarm(ScheduledTime::new(at)).await?;
        }
        Ok(())
    }

    /// Writes every set whose pages changed since it was last written.
    async fn write_dirty(&self) -> Result<(), ApiError> {
        let sql = self.sql()?;
        let dirty: Vec<SetRow> = sql.rows("SELECT id FROM sets WHERE dirty = 1", vec![])?;
        if dirty.is_empty() {
            return Ok(());
        }
        let read_model = ReadModel::writer(&self.env)?;
        let site = self.site()?;
        for set in dirty {
            let members: Vec<MemberRow> = sql.rows(
                "SELECT m.page, COALESCE(p.likes, 0) AS likes, COALESCE(p.comments, 0) AS comments,
                    COALESCE(p.reward_total, 0) AS reward_total,
                    COALESCE(p.supporters, 0) AS supporters
                 FROM members m LEFT JOIN pages p ON p.page = m.page WHERE m.set_id = ?",
                vec![set.id.as_str().into()],
            )?;
            let counts = members.into_iter().map(|m| {
                let counts = PageCounts {
                    likes: m.likes as u64,
                    comments: m.comments as u64,
                    reward_total: m.reward_total as u64,
                    supporters: m.supporters as u64,
                };
                (m.page, counts)
            });
            let value = SetValue { counts: counts.collect() };
            // Cleared first: a report that lands while the value is being written marks
            // the set again, and the next alarm writes it.
            sql.run("UPDATE sets SET dirty = 0 WHERE id = ?", vec![set.id.as_str().into()])?;
            read_model.store_set(&site, &set.id, &value).await?;
        }
        Ok(())
    }
}

/// The id of a set of pages: a hash of its canonical ids, in order and without repeats.
pub fn set_id(pages: &[kudos_core::PageId]) -> String {
    let joined: Vec<&str> = pages.iter().map(kudos_core::PageId::as_str).collect();
    kudos_core::visitor::sha256_hex(joined.join("\n").as_bytes())[..32].to_owned()
}

/// The worker's and the page objects' side of a site's counts object.
pub struct CountsClient {
    stub: Stub,
}

impl CountsClient {
    pub fn new(env: &Env, site: &str) -> Result<Self, ApiError> {
        let name = format!("counts\n{site}");
        Ok(CountsClient { stub: env.durable_object(crate::bindings::COUNTS)?.get_by_name(&name)? })
    }

    pub async fn report(&self, counted: Counted) -> Result<(), ApiError> {
        let _: serde_json::Value = call(&self.stub, &CountsCommand::Report(counted)).await?;
        Ok(())
    }

    pub async fn register(
        &self,
        id: String,
        pages: Vec<String>,
        known: Vec<Counted>,
    ) -> Result<(), ApiError> {
        let _: serde_json::Value =
            call(&self.stub, &CountsCommand::Register { id, pages, known }).await?;
        Ok(())
    }
}
