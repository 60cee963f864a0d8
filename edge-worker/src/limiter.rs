//! The limiter: site-wide abuse budgets per client address, in Durable Objects sharded by
//! the address's keyed hash.
//!
//! Per-page limits reset whenever the page id changes, so every budget that must span the
//! site (new visitors, new pages, comments, comment likes, notes, Checkout Sessions, wrong
//! admin tokens) is counted here. A Durable Object rather than the Workers Rate Limiting
//! binding, because budgets here are exact (the binding is approximate and per location),
//! may span an hour or a day (the binding allows 10 or 60 seconds), and say how long to wait
//! (`Retry-After`). One address always lands on the same shard; shards spread the load.

use crate::error::ApiError;
use crate::object::{call, serve, to_json};
use crate::storage::Sql;
use kudos_core::limits::{self, Action, Budget, Refusal, Window};
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use worker::{DurableObject, Env, Request, Response, State, Stub, durable_object};

/// How many limiter objects a site's budgets are spread over.
const SHARDS: u8 = 16;

/// A client address as budgets know it: the keyed hash of its group (see
/// `kudos_core::limits::client_group`). The raw address is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientKey(pub String);

impl ClientKey {
    /// The key of what the whole site spends together (its KV writes).
    pub fn whole_site() -> Self {
        ClientKey("site".to_owned())
    }

    fn shard(&self) -> u8 {
        let first = u8::from_str_radix(self.0.get(..2).unwrap_or("00"), 16).unwrap_or(0);
        first % SHARDS
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Ask {
    client: ClientKey,
    action: Action,
    budget: Budget,
    /// Spend one action (`true`) or only ask whether one would fit.
    spend: bool,
}

#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    Allowed,
    Refused { retry_after_ms: i64 },
}

/// The worker's (and the page objects') side of the limiter.
pub struct Limiter {
    stub: Stub,
    client: ClientKey,
}

impl Limiter {
    pub fn new(env: &Env, site: &str, client: &ClientKey) -> Result<Self, ApiError> {
        let name = format!("limits\n{site}\n{}", client.shard());
        let stub = env.durable_object(crate::bindings::LIMITER)?.get_by_name(&name)?;
        Ok(Limiter { stub, client: client.clone() })
    }

    /// Spends one `action` of `budget` for this client, or refuses with `429` (and how long
    /// to wait) or, for a budget of 0, `403`.
    pub async fn take(&self, action: Action, budget: Budget) -> Result<(), ApiError> {
        self.ask(action, budget, true).await
    }

    /// Whether one more `action` would fit, without spending it.
    pub async fn check(&self, action: Action, budget: Budget) -> Result<(), ApiError> {
        self.ask(action, budget, false).await
    }

    async fn ask(&self, action: Action, budget: Budget, spend: bool) -> Result<(), ApiError> {
        if budget.is_off() {
            return Err(ApiError::refused(action, Refusal::Off));
        }
        let ask = Ask { client: self.client.clone(), action, budget, spend };
        match call(&self.stub, &ask).await? {
            Answer::Allowed => Ok(()),
            Answer::Refused { retry_after_ms } => {
                Err(ApiError::refused(action, Refusal::Spent { retry_after_ms }))
            }
        }
    }
}

#[durable_object]
pub struct LimiterObject {
    state: State,
    sql: OnceCell<Sql>,
}

impl DurableObject for LimiterObject {
    fn new(state: State, _env: Env) -> Self {
        LimiterObject { state, sql: OnceCell::new() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        serve("limiter", req, |ask: Ask| async move { to_json(&self.decide(&ask)?) }).await
    }
}

/// One row per (address, action): the window it is spending. (`IF NOT EXISTS`: objects
/// made before migrations were counted have this table.)
const MIGRATIONS: &[&str] = &["CREATE TABLE IF NOT EXISTS budgets (
        client TEXT NOT NULL,
        action TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        used INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (client, action)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS budgets_expiry ON budgets (expires_at)"];

#[derive(Deserialize)]
struct Row {
    started_at: i64,
    used: i64,
}

impl LimiterObject {
    fn sql(&self) -> worker::Result<&Sql> {
        Sql::once(&self.sql, &self.state, MIGRATIONS)
    }

    fn decide(&self, ask: &Ask) -> worker::Result<Answer> {
        let sql = self.sql()?;
        let now = worker::Date::now().as_millis() as i64;
        let action = ask.action.as_str();
        let spent = sql
            .row::<Row>(
                "SELECT started_at, used FROM budgets WHERE client = ? AND action = ?",
                vec![ask.client.0.as_str().into(), action.into()],
            )?
            .map(|r| Window { started_at: r.started_at, used: r.used as u32 });
        let decided = if ask.spend {
            limits::take(ask.budget, spent, now)
        } else {
            limits::check(ask.budget, spent, now)
        };
        match decided {
            Ok(window) if ask.spend => {
                // Windows that have ended hold nothing worth keeping: storage stays as small
                // as the set of addresses active within the longest window.
                sql.run("DELETE FROM budgets WHERE expires_at <= ?", vec![now.into()])?;
                sql.run(
                    "INSERT INTO budgets (client, action, started_at, used, expires_at)
                     VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (client, action) DO UPDATE SET started_at = excluded.started_at,
                        used = excluded.used, expires_at = excluded.expires_at",
                    vec![
                        ask.client.0.as_str().into(),
                        action.into(),
                        window.started_at.into(),
                        i64::from(window.used).into(),
                        (window.started_at + ask.budget.window_ms).into(),
                    ],
                )?;
                Ok(Answer::Allowed)
            }
            Ok(_) => Ok(Answer::Allowed),
            Err(Refusal::Spent { retry_after_ms }) => Ok(Answer::Refused { retry_after_ms }),
            Err(Refusal::Off) => Ok(Answer::Refused { retry_after_ms: ask.budget.window_ms }),
        }
    }
}
