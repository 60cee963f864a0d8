//! The limiter: site-wide abuse budgets per client address, in Durable Objects sharded by
//! the address's keyed hash.
//!
//! Per-page limits reset whenever the page id changes, so every budget that must span the
//! site (new visitors, new pages, comments, comment likes, notes, Checkout Sessions, wrong
//! admin tokens) is counted here. A Durable Object rather than the Workers Rate Limiting
//! binding, because budgets here are exact (the binding is approximate and per location),
//! may span an hour or a day (the binding allows 10 or 60 seconds), and say how long to wait
//! (`Retry-After`). One address always lands on the same shard; shards spread the load.
//!
//! An answer does not wait for storage: the object keeps the windows it has read and spent
//! in memory (at most [`MAX_WINDOWS`]) and writes what it spent behind, on an alarm
//! [`SAVE_AFTER_MS`] later. While the object lives its budgets are exact; a restart of the
//! object forgets at most that last second's spending. Waiting for each commit made every
//! write on the site queue behind one shard's disk.
//!
//! A client that spends quickly (a script, or many readers behind one address) is granted
//! several actions at a time, which the isolate spends without calling again
//! (`kudos_core::limits::Lease`): at most an eighth of the budget and [`limits::MAX_LEASE`],
//! spent in the limiter when granted, so no budget is ever exceeded. A client that spends
//! now and then is granted one at a time.

use crate::error::ApiError;
use crate::now_ms;
use crate::object::{call, serve, to_json};
use crate::storage::{Sql, StoreResult};
use kudos_core::limits::{self, Action, Budget, Lease, Refusal, Window};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use worker::{
    DurableObject, Env, Request, Response, ScheduledTime, State, Stub, durable_object, js_sys,
};

/// How many limiter objects a site's budgets are spread over.
const SHARDS: u8 = 16;

/// How long after a spend the limiter writes it to storage.
const SAVE_AFTER_MS: i64 = 1_000;

/// How many windows a limiter keeps in memory; past this it saves them and forgets them.
const MAX_WINDOWS: usize = 4_096;

/// A client address as budgets know it: the keyed hash of its group (see
/// `kudos_core::limits::client_group`). The raw address is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// How many actions to spend: up to this many (`take_many`), at least one.
    spend: u32,
}

#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    /// Allowed; `granted` actions spent (the first for this request, the rest leased),
    /// in a window ending at `until`.
    Allowed {
        granted: u32,
        until: i64,
    },
    Refused {
        retry_after_ms: i64,
    },
}

/// How many clients' leases an isolate keeps; past this it forgets them all (their
/// unspent actions are lost to those clients until their windows end).
const MAX_LEASES: usize = 4_096;

thread_local! {
    /// This isolate's leases, by limiter object name, client and action.
    static LEASES: RefCell<HashMap<(String, ClientKey, Action), Lease>> = RefCell::default();
}

/// The worker's (and the page objects') side of the limiter. A client that spends one
/// action quickly after another is granted several at once and spends them from this
/// isolate's [`Lease`] without a call; the site as a whole (its KV writes) never is.
pub struct Limiter {
    stub: Stub,
    name: String,
    client: ClientKey,
}

impl Limiter {
    pub fn new(env: &Env, site: &str, client: &ClientKey) -> Result<Self, ApiError> {
        let name = format!("limits\n{site}\n{}", client.shard());
        let stub = env.durable_object(crate::bindings::LIMITER)?.get_by_name(&name)?;
        Ok(Limiter { stub, name, client: client.clone() })
    }

    /// Spends one `action` of `budget` for this client, or refuses with `429` (and how long
    /// to wait) or, for a budget of 0, `403`.
    pub async fn take(&self, action: Action, budget: Budget) -> Result<(), ApiError> {
        let now = now_ms();
        let leases = self.client != ClientKey::whole_site();
        if !budget.is_off() && leases && self.lease(action, |l| l.spend(now)) {
            return Ok(());
        }
        let want = if leases { self.lease(action, |l| l.want(now)) } else { 1 };
        let (granted, until) = self.ask(action, budget, want).await?;
        if leases {
            self.lease(action, |l| l.granted(granted, until, now));
        }
        Ok(())
    }

    /// Gives back one `action` spent ahead that turned out not to count (a right admin
    /// token): it goes to this isolate's lease for the client, so the client's next one is
    /// spent without a call. Nothing is given back once the window has ended.
    pub fn give_back(&self, action: Action) {
        self.lease(action, |l| l.give_back(now_ms()));
    }

    /// Runs `f` on this isolate's lease for `action`.
    fn lease<T>(&self, action: Action, f: impl FnOnce(&mut Lease) -> T) -> T {
        LEASES.with_borrow_mut(|leases| {
            if leases.len() >= MAX_LEASES {
                leases.clear();
            }
            let key = (self.name.clone(), self.client.clone(), action);
            f(leases.entry(key).or_default())
        })
    }

    async fn ask(
        &self,
        action: Action,
        budget: Budget,
        spend: u32,
    ) -> Result<(u32, i64), ApiError> {
        if budget.is_off() {
            return Err(ApiError::refused(action, Refusal::Off));
        }
        let ask = Ask { client: self.client.clone(), action, budget, spend };
        match call(&self.stub, &ask).await? {
            Answer::Allowed { granted, until } => Ok((granted, until)),
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
    /// The windows read or spent since the last save, by (client, action); a spent one is
    /// newer than storage's until the save.
    windows: RefCell<HashMap<(String, Action), Known>>,
    /// Whether something was spent since the last save (and the alarm that saves it set).
    save_due: Cell<bool>,
}

impl DurableObject for LimiterObject {
    fn new(state: State, _env: Env) -> Self {
        LimiterObject {
            state,
            sql: OnceCell::new(),
            windows: RefCell::default(),
            save_due: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        serve("limiter", req, |ask: Ask| async move {
            let answer = self.decide(&ask)?;
            let spent = matches!(answer, Answer::Allowed { .. });
            self.save_later(spent).await?;
            to_json(&answer)
        })
        .await
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.save_due.set(false);
        self.save()?;
        Response::ok("saved")
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

/// A window as stored: what was spent, and when the row may go.
#[derive(Debug, Clone, Copy, Deserialize)]
struct Saved {
    started_at: i64,
    used: i64,
    expires_at: i64,
}

/// A window in memory, and whether it was spent since the last save.
#[derive(Debug, Clone, Copy)]
struct Known {
    saved: Saved,
    unsaved: bool,
}

impl LimiterObject {
    fn sql(&self) -> StoreResult<&Sql> {
        Sql::once(&self.sql, &self.state, MIGRATIONS)
    }

    fn decide(&self, ask: &Ask) -> worker::Result<Answer> {
        let now = now_ms();
        let key = (ask.client.0.clone(), ask.action);
        let known = self.windows.borrow().get(&key).copied();
        let known = match known {
            Some(known) => Some(known),
            None => self
                .sql()?
                .row::<Saved>(
                    "SELECT started_at, used, expires_at FROM budgets
                     WHERE client = ? AND action = ?",
                    vec![ask.client.0.as_str().into(), ask.action.as_str().into()],
                )?
                .map(|saved| Known { saved, unsaved: false }),
        };
        let spent =
            known.map(|k| Window { started_at: k.saved.started_at, used: k.saved.used as u32 });
        let until = |w: Window| w.started_at + ask.budget.window_ms;
        let (known, answer) = match limits::take_many(ask.budget, spent, now, ask.spend) {
            Ok((window, granted)) => {
                let saved = Saved {
                    started_at: window.started_at,
                    used: i64::from(window.used),
                    expires_at: until(window),
                };
                (
                    Some(Known { saved, unsaved: true }),
                    Answer::Allowed { granted, until: until(window) },
                )
            }
            Err(refusal) => (known, refused(refusal, ask.budget)),
        };
        if let Some(known) = known {
            self.windows.borrow_mut().insert(key, known);
        }
        Ok(answer)
    }

    /// Makes sure what was spent gets saved: by the alarm, or at once when the windows in
    /// memory are too many.
    async fn save_later(&self, spent: bool) -> worker::Result<()> {
        if self.windows.borrow().len() > MAX_WINDOWS {
            return self.save();
        }
        if !spent || self.save_due.replace(true) {
            return Ok(());
        }
        let at = (now_ms() + SAVE_AFTER_MS) as f64;
        let storage = self.state.storage();
        let set = storage.set_alarm(ScheduledTime::new(js_sys::Date::new(&at.into()))).await;
        set.inspect_err(|_| self.save_due.set(false))
    }

    /// Writes the windows spent since the last save and forgets every window in memory,
    /// and drops the rows of windows that have ended: storage stays as small as the set of
    /// addresses active within the longest window.
    fn save(&self) -> worker::Result<()> {
        let sql = self.sql()?;
        let now = now_ms();
        for ((client, action), known) in self.windows.borrow().iter().filter(|(_, k)| k.unsaved) {
            sql.run(
                "INSERT INTO budgets (client, action, started_at, used, expires_at)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (client, action) DO UPDATE SET started_at = excluded.started_at,
                    used = excluded.used, expires_at = excluded.expires_at",
                vec![
                    client.as_str().into(),
                    action.as_str().into(),
                    known.saved.started_at.into(),
                    known.saved.used.into(),
                    known.saved.expires_at.into(),
                ],
            )?;
        }
        sql.run("DELETE FROM budgets WHERE expires_at <= ?", vec![now.into()])?;
        // Cleared only once all are written: after a failure the alarm's retry saves them.
        self.windows.borrow_mut().clear();
        Ok(())
    }
}

fn refused(refusal: Refusal, budget: Budget) -> Answer {
    match refusal {
        Refusal::Spent { retry_after_ms } => Answer::Refused { retry_after_ms },
        Refusal::Off => Answer::Refused { retry_after_ms: budget.window_ms },
    }
}
