//! `Sql`: the small storage type every Durable Object here keeps its state in. It opens the
//! object's SQLite with its migrations applied (each once, counted in `schema_version`) and
//! runs queries that read rows into serde types.
//!
//! All calls are synchronous. A Durable Object's requests that make several of them without
//! an `await` in between commit them together, which is what keeps counts exact.

use serde::de::DeserializeOwned;
use worker::{SqlStorage, SqlStorageValue};

/// A query's bound values.
pub type Bindings = Vec<SqlStorageValue>;

pub struct Sql(SqlStorage);

impl Sql {
    /// The object's storage with `migrations` applied, opened on first use and kept in
    /// `cell` for the life of the object's instance.
    pub fn once<'a>(
        cell: &'a std::cell::OnceCell<Sql>,
        state: &worker::State,
        migrations: &[&str],
    ) -> worker::Result<&'a Sql> {
        if let Some(sql) = cell.get() {
            return Ok(sql);
        }
        let (sql, _) = Sql::open(state.storage().sql(), migrations)?;
        Ok(cell.get_or_init(|| sql))
    }

    /// Opens the storage with `migrations` applied in order, each once. Returns it with the
    /// number that had been applied before (0 for a new object), for one-off repairs.
    /// Whether an object's storage has a table named `name`, read without creating
    /// anything (an object nobody wrote to stays without storage).
    pub fn has_table(storage: &SqlStorage, name: &str) -> bool {
        #[derive(serde::Deserialize)]
        struct Found {
            n: i64,
        }
        let query = "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?";
        let found = storage.exec(query, vec![name.into()]).and_then(|c| c.to_array::<Found>());
        found.is_ok_and(|rows| rows.first().is_some_and(|f| f.n > 0))
    }

    pub fn open(storage: SqlStorage, migrations: &[&str]) -> worker::Result<(Self, usize)> {
        let sql = Sql(storage);
        sql.run(
            "CREATE TABLE IF NOT EXISTS schema_version (
                id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)",
            vec![],
        )?;
        let applied = sql.count("SELECT applied AS n FROM schema_version WHERE id = 1", vec![])?;
        let applied = (applied.max(0) as usize).min(migrations.len());
        for migration in &migrations[applied..] {
            sql.0.exec(migration, None)?;
        }
        if applied < migrations.len() {
            sql.run(
                "INSERT INTO schema_version (id, applied) VALUES (1, ?)
                 ON CONFLICT (id) DO UPDATE SET applied = excluded.applied",
                vec![(migrations.len() as i64).into()],
            )?;
        }
        Ok((sql, applied))
    }

    /// Runs a statement; returns how many rows it wrote.
    pub fn run(&self, query: &str, bindings: Bindings) -> worker::Result<usize> {
        Ok(self.0.exec(query, bindings)?.rows_written())
    }

    pub fn rows<T: DeserializeOwned>(
        &self,
        query: &str,
        bindings: Bindings,
    ) -> worker::Result<Vec<T>> {
        self.0.exec(query, bindings)?.to_array()
    }

    /// The last row a query returns (the only one, for a query by key).
    pub fn row<T: DeserializeOwned>(
        &self,
        query: &str,
        bindings: Bindings,
    ) -> worker::Result<Option<T>> {
        Ok(self.rows(query, bindings)?.pop())
    }

    /// The `n` column of a query's first row; 0 when it returns none.
    pub fn count(&self, query: &str, bindings: Bindings) -> worker::Result<i64> {
        #[derive(serde::Deserialize)]
        struct Count {
            n: i64,
        }
        Ok(self.row::<Count>(query, bindings)?.map_or(0, |c| c.n))
    }
}
