//! `Sql`: the small storage type every Durable Object here keeps its state in. It opens the
//! object's SQLite with its migrations applied (each once, counted in `schema_version`) and
//! runs queries that read rows into serde types.
//!
//! It runs over a [`Backend`]: the Durable Object's own SQLite in the worker
//! ([`durable`]), an in-memory SQLite natively ([`memory`]), so the stores and rules of
//! every object run under `cargo test` as they run in workerd.
//!
//! All calls are synchronous. A Durable Object's requests that make several of them without
//! an `await` in between commit them together, which is what keeps counts exact.

#[cfg(target_arch = "wasm32")]
mod durable;
#[cfg(not(target_arch = "wasm32"))]
mod memory;
mod rows;

pub use rows::{REWARD_COLUMNS, RewardRow};

use serde::de::DeserializeOwned;

/// A value bound to a query's `?`.
pub use worker::SqlStorageValue as Value;

/// A query's bound values.
pub type Bindings = Vec<Value>;

/// Storage failed (a query the schema refuses, or the runtime's storage is gone).
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

pub type StoreResult<T> = Result<T, StoreError>;

/// For the adapters that both store and call the runtime (deliveries over HTTP).
impl From<StoreError> for worker::Error {
    fn from(e: StoreError) -> Self {
        worker::Error::RustError(e.to_string())
    }
}

/// What `Sql` needs of a SQLite: one statement with bound values, and a script.
pub trait Backend {
    /// Runs one statement for what it writes; returns how many rows it wrote.
    fn run(&self, query: &str, bindings: Bindings) -> StoreResult<usize>;
    /// Runs one statement for the rows it reads.
    fn rows<T: DeserializeOwned>(&self, query: &str, bindings: Bindings) -> StoreResult<Vec<T>>;
    /// Runs statements separated by `;` (a migration), binding nothing.
    fn script(&self, script: &str) -> StoreResult<()>;
}

#[cfg(target_arch = "wasm32")]
type Platform = durable::Durable;
#[cfg(not(target_arch = "wasm32"))]
type Platform = memory::Memory;

pub struct Sql(Platform);

impl Sql {
    /// The object's storage with `migrations` applied, opened on first use and kept in
    /// `cell` for the life of the object's instance.
    pub fn once<'a>(
        cell: &'a std::cell::OnceCell<Sql>,
        state: &worker::State,
        migrations: &[&str],
    ) -> StoreResult<&'a Sql> {
        if let Some(sql) = cell.get() {
            return Ok(sql);
        }
        let (sql, _) = Sql::of(state).migrated(migrations)?;
        Ok(cell.get_or_init(|| sql))
    }

    /// An object's storage, as it is (no migrations applied).
    pub fn of(state: &worker::State) -> Sql {
        Sql(Platform::of(state))
    }

    /// A new, empty storage in memory, with `migrations` applied: what native tests run on.
    #[cfg(test)]
    pub fn memory(migrations: &[&str]) -> Sql {
        Sql(memory::Memory::new()).migrated(migrations).expect("the migrations apply").0
    }

    /// Whether the storage has a table named `name`, read without creating anything (an
    /// object nobody wrote to stays without storage).
    pub fn has_table(&self, name: &str) -> bool {
        let query = "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?";
        self.count(query, vec![name.into()]).is_ok_and(|n| n > 0)
    }

    /// Applies `migrations` in order, each once. Returns the storage with the number that
    /// had been applied before (0 for a new object), for one-off repairs.
    pub fn migrated(self, migrations: &[&str]) -> StoreResult<(Self, usize)> {
        self.run(
            "CREATE TABLE IF NOT EXISTS schema_version (
                id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)",
            vec![],
        )?;
        let applied = self.count("SELECT applied AS n FROM schema_version WHERE id = 1", vec![])?;
        let applied = (applied.max(0) as usize).min(migrations.len());
        for migration in &migrations[applied..] {
            self.0.script(migration)?;
        }
        if applied < migrations.len() {
            self.run(
                "INSERT INTO schema_version (id, applied) VALUES (1, ?)
                 ON CONFLICT (id) DO UPDATE SET applied = excluded.applied",
                vec![(migrations.len() as i64).into()],
            )?;
        }
        Ok((self, applied))
    }

    /// Runs a statement; returns how many rows it wrote.
    pub fn run(&self, query: &str, bindings: Bindings) -> StoreResult<usize> {
        self.0.run(query, bindings)
    }

    pub fn rows<T: DeserializeOwned>(
        &self,
        query: &str,
        bindings: Bindings,
    ) -> StoreResult<Vec<T>> {
        self.0.rows(query, bindings)
    }

    /// The last row a query returns (the only one, for a query by key).
    pub fn row<T: DeserializeOwned>(
        &self,
        query: &str,
        bindings: Bindings,
    ) -> StoreResult<Option<T>> {
        Ok(self.rows(query, bindings)?.pop())
    }

    /// The `n` column of a query's first row; 0 when it returns none.
    pub fn count(&self, query: &str, bindings: Bindings) -> StoreResult<i64> {
        #[derive(serde::Deserialize)]
        struct Count {
            n: i64,
        }
        Ok(self.row::<Count>(query, bindings)?.map_or(0, |c| c.n))
    }
}

/// A flag read from JSON (`true`) or from SQLite (`1`), for a type both carry.
pub fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(match <Flag as serde::Deserialize>::deserialize(d)? {
        Flag::Bool(b) => b,
        Flag::Int(n) => n != 0,
    })
}

/// A list of words read from JSON (`["spam","rude"]`) or from SQLite (`spam,rude`, empty
/// for none), for a type both carry.
pub fn reasons<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Reasons {
        List(Vec<String>),
        Joined(String),
    }
    Ok(match <Reasons as serde::Deserialize>::deserialize(d)? {
        Reasons::List(list) => list,
        Reasons::Joined(text) => {
            text.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIGRATIONS: &[&str] = &[
        "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)",
        "ALTER TABLE t ADD COLUMN at REAL",
    ];

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Row {
        k: String,
        n: u64,
        note: Option<String>,
        at: Option<f64>,
    }

    #[test]
    fn migrations_apply_once_and_rows_read_into_serde_types() {
        let sql = Sql::memory(MIGRATIONS);
        let (sql, applied) = sql.migrated(MIGRATIONS).unwrap();
        assert_eq!(applied, 2, "each migration once");
        let insert = "INSERT OR IGNORE INTO t (k, n, note, at) VALUES (?, ?, ?, ?)";
        let row = |k: &str, n: i64| vec![k.into(), n.into(), None::<String>.into(), 1.5.into()];
        assert_eq!(sql.run(insert, row("a", 3)).unwrap(), 1);
        assert_eq!(sql.run(insert, row("a", 4)).unwrap(), 0, "ignored: nothing written");
        let read: Vec<Row> = sql.rows("SELECT k, n, note, at FROM t", vec![]).unwrap();
        assert_eq!(read, vec![Row { k: "a".into(), n: 3, note: None, at: Some(1.5) }]);
        assert_eq!(sql.count("SELECT n FROM t WHERE k = 'b'", vec![]).unwrap(), 0);
        assert!(sql.has_table("t") && !sql.has_table("u"));
        let n = sql.count("UPDATE t SET n = n + 1 RETURNING n", vec![]).unwrap();
        assert_eq!(n, 4, "RETURNING reads what the statement wrote");
    }

    #[test]
    fn a_query_the_schema_refuses_is_a_store_error_not_a_panic() {
        let sql = Sql::memory(MIGRATIONS);
        let refused = sql.run("INSERT INTO t (k, n) VALUES (?, ?)", vec!["a".into(), Value::Null]);
        assert!(matches!(refused, Err(StoreError(_))), "{refused:?}");
        assert!(sql.run("SELECT * FROM nowhere", vec![]).is_err());
    }

    #[test]
    fn a_flag_reads_from_json_and_from_an_integer_column() {
        #[derive(serde::Deserialize)]
        struct Row {
            #[serde(deserialize_with = "super::flag")]
            pinned: bool,
        }
        let read = |json: &str| serde_json::from_str::<Row>(json).map(|r| r.pinned).ok();
        assert_eq!(
            (read(r#"{"pinned":true}"#), read(r#"{"pinned":0}"#), read(r#"{"pinned":1}"#)),
            (Some(true), Some(false), Some(true))
        );
        assert_eq!(read(r#"{"pinned":"yes"}"#), None);
        let sql = Sql::memory(&["CREATE TABLE f (pinned INTEGER NOT NULL)"]);
        sql.run("INSERT INTO f (pinned) VALUES (1)", vec![]).unwrap();
        let rows: Vec<Row> = sql.rows("SELECT pinned FROM f", vec![]).unwrap();
        assert!(rows[0].pinned);
    }
}
