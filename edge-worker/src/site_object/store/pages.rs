//! The site's pages with their counts (one index per sort of the console's list), each
//! page's reward totals, and likes gained per day.

use super::SiteStore;
use crate::site_object::protocol::{PageReport, PageSort};
use crate::storage::{Bindings, StoreResult};
use kudos_core::console::DayTotals;
use kudos_core::wire::{AdminPage, PageRewards};
use serde::Deserialize;

impl SiteStore {
    /// A page's likes as last reported (0 for a page not listed).
    pub fn page_likes(&self, page: &str) -> StoreResult<i64> {
        self.sql.count("SELECT likes AS n FROM pages WHERE page = ?", vec![page.into()])
    }

    /// Sets a page's counts as of the report (its time moves only forward).
    pub fn set_page_counts(&self, r: &PageReport) -> StoreResult<()> {
        self.sql.run(
            "INSERT INTO pages (page, likes, comments, closed, updated_at, close_at, moderation)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (page) DO UPDATE SET likes = excluded.likes,
                comments = excluded.comments, closed = excluded.closed,
                updated_at = MAX(updated_at, excluded.updated_at),
                close_at = excluded.close_at, moderation = excluded.moderation",
            vec![
                r.page.as_str().into(),
                (r.likes.min(i64::MAX as u64) as i64).into(),
                (r.comments.min(i64::MAX as u64) as i64).into(),
                i64::from(r.closed).into(),
                r.at.into(),
                r.close_at.into(),
                r.moderation.clone().into(),
            ],
        )?;
        Ok(())
    }

    /// Moves a page's time forward to `at`.
    pub fn touch_page(&self, page: &str, at: i64) -> StoreResult<()> {
        self.sql.run(
            "UPDATE pages SET updated_at = MAX(updated_at, ?) WHERE page = ?",
            vec![at.into(), page.into()],
        )?;
        Ok(())
    }

    /// Adds `gained` (may be negative) to the likes of `day`.
    pub fn add_daily_likes(&self, day: i64, gained: i64) -> StoreResult<()> {
        self.sql.run(
            "INSERT INTO daily_likes (day, likes) VALUES (?, ?)
             ON CONFLICT (day) DO UPDATE SET likes = likes + excluded.likes",
            vec![day.into(), gained.into()],
        )?;
        Ok(())
    }

    /// Forgets a page: its comments, ledger, counts and reward totals.
    pub fn forget_page(&self, page: &str) -> StoreResult<()> {
        for table in ["comments", "ledger", "pages", "page_rewards"] {
            self.sql.run(&format!("DELETE FROM {table} WHERE page = ?"), vec![page.into()])?;
        }
        Ok(())
    }

    /// Sets a page's reward totals.
    pub fn set_page_rewards(&self, totals: &PageRewards) -> StoreResult<()> {
        let total = totals.total.min(i64::MAX as u64) as i64;
        let supporters = totals.supporters.min(i64::MAX as u64) as i64;
        self.sql.run(
            "INSERT OR REPLACE INTO page_rewards (page, currency, total, supporters) VALUES (?, ?, ?, ?)",
            vec![
                totals.page.as_str().into(),
                totals.currency.as_str().into(),
                total.into(),
                supporters.into(),
            ],
        )?;
        self.sql.run(
            "INSERT INTO pages (page, reward_total, currency, supporters) VALUES (?, ?, ?, ?)
             ON CONFLICT (page) DO UPDATE SET reward_total = excluded.reward_total,
                currency = excluded.currency, supporters = excluded.supporters",
            vec![
                totals.page.as_str().into(),
                total.into(),
                totals.currency.as_str().into(),
                supporters.into(),
            ],
        )?;
        Ok(())
    }

    /// The site's reward totals by currency, with their supporters.
    pub fn reward_totals(&self) -> StoreResult<Vec<(String, u64, u64)>> {
        #[derive(Deserialize)]
        struct Total {
            currency: String,
            total: i64,
            supporters: i64,
        }
        let totals: Vec<Total> = self.sql.rows(
            "SELECT currency, SUM(total) AS total, SUM(supporters) AS supporters
                 FROM page_rewards GROUP BY currency",
            vec![],
        )?;
        Ok(totals
            .into_iter()
            .map(|t| (t.currency, t.total.max(0) as u64, t.supporters.max(0) as u64))
            .collect())
    }

    /// Pages with rewards, highest total first, after (total, page); one more than `limit`
    /// if there is one.
    pub fn rewarded_pages(
        &self,
        (total, page): (u64, String),
        limit: usize,
    ) -> StoreResult<Vec<PageRewards>> {
        let total = total.min(i64::MAX as u64) as i64;
        self.sql.rows(
            "SELECT page, currency, total, supporters FROM page_rewards
                 WHERE total < ? OR (total = ? AND page > ?)
                 ORDER BY total DESC, page LIMIT ?",
            vec![total.into(), total.into(), page.into(), (limit as i64 + 1).into()],
        )
    }

    /// Pages by `sort` after (value, page), each sort walking its own index; one more than
    /// `limit` if there is one.
    pub fn pages(
        &self,
        sort: PageSort,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> StoreResult<Vec<AdminPage>> {
        #[derive(Deserialize)]
        struct Row {
            page: String,
            likes: i64,
            comments: i64,
            pending: i64,
            reward_total: i64,
            currency: String,
            supporters: i64,
            closed: i64,
            updated_at: i64,
            close_at: Option<i64>,
            moderation: Option<String>,
        }
        let columns = "page, likes, comments, pending, reward_total, currency, supporters, closed,
            updated_at, close_at, moderation";
        let (query, bindings): (String, Bindings) = match sort {
            PageSort::Page => (
                format!("SELECT {columns} FROM pages WHERE page > ? ORDER BY page LIMIT ?"),
                vec![after.map(|(_, p)| p).unwrap_or_default().into(), (limit as i64 + 1).into()],
            ),
            _ => {
                let column = sort.column();
                let (value, page) = after.unwrap_or((i64::MAX as u64, String::new()));
                (
                    format!(
                        "SELECT {columns} FROM pages WHERE ({column}, page) < (?, ?)
                         ORDER BY {column} DESC, page DESC LIMIT ?"
                    ),
                    vec![
                        (value.min(i64::MAX as u64) as i64).into(),
                        page.into(),
                        (limit as i64 + 1).into(),
                    ],
                )
            }
        };
        let rows: Vec<Row> = self.sql.rows(&query, bindings)?;
        Ok(rows
            .into_iter()
            .map(|r| AdminPage {
                page: r.page,
                likes: r.likes.max(0) as u64,
                comments: r.comments.max(0) as u64,
                pending: r.pending.max(0) as u64,
                reward_total: r.reward_total.max(0) as u64,
                currency: r.currency,
                supporters: r.supporters.max(0) as u64,
                closed: r.closed != 0,
                updated_at: r.updated_at,
                close_at: r.close_at,
                moderation: r.moderation,
            })
            .collect())
    }

    /// Likes gained on each day from `from` to `to` (days, inclusive).
    pub fn daily_likes(&self, from: i64, to: i64) -> StoreResult<Vec<DayTotals>> {
        #[derive(Deserialize)]
        struct Likes {
            day: i64,
            likes: i64,
        }
        let likes: Vec<Likes> = self.sql.rows(
            "SELECT day, likes FROM daily_likes WHERE day BETWEEN ? AND ?",
            vec![from.into(), to.into()],
        )?;
        Ok(likes
            .into_iter()
            .map(|l| DayTotals { day: l.day, likes: l.likes, ..DayTotals::default() })
            .collect())
    }
}
