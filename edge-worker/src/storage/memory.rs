//! The native backend: an in-memory SQLite (rusqlite), for the tests of stores and rules.
//! Rows read into serde types the way the worker's backend reads them: by column name,
//! integers and reals as numbers, text as strings, NULL as none.

use super::{Backend, Bindings, StoreError, StoreResult, Value};
use rusqlite::types::{Value as Sqlite, ValueRef};
use rusqlite::{Connection, params_from_iter};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

pub struct Memory(Connection);

impl Memory {
    pub fn new() -> Self {
        Memory(Connection::open_in_memory().expect("an in-memory SQLite"))
    }

    /// Natively an object's storage is a new one in memory.
    pub fn of(_: &worker::State) -> Self {
        Memory::new()
    }
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn bound(value: Value) -> Sqlite {
    match value {
        Value::Null => Sqlite::Null,
        Value::Boolean(b) => Sqlite::Integer(i64::from(b)),
        Value::Integer(i) => Sqlite::Integer(i),
        Value::Float(f) => Sqlite::Real(f),
        Value::String(s) => Sqlite::Text(s),
        Value::Blob(b) => Sqlite::Blob(b),
    }
}

fn json(value: ValueRef<'_>) -> Json {
    match value {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => f.into(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => b.to_vec().into(),
    }
}

impl Memory {
    /// Runs one statement: the rows it read, and how many it wrote.
    fn exec<T: DeserializeOwned>(
        &self,
        query: &str,
        bindings: Bindings,
    ) -> StoreResult<(Vec<T>, usize)> {
        let mut statement = self.0.prepare(query).map_err(failed)?;
        let names: Vec<String> = statement.column_names().into_iter().map(String::from).collect();
        let writes = !statement.readonly();
        let mut rows =
            statement.query(params_from_iter(bindings.into_iter().map(bound))).map_err(failed)?;
        let mut read = Vec::new();
        while let Some(row) = rows.next().map_err(failed)? {
            let mut object = Map::new();
            for (at, name) in names.iter().enumerate() {
                object.insert(name.clone(), json(row.get_ref(at).map_err(failed)?));
            }
            read.push(serde_json::from_value(Json::Object(object)).map_err(failed)?);
        }
        drop(rows);
        let written = if writes { self.0.changes() as usize } else { 0 };
        Ok((read, written))
    }
}

impl Backend for Memory {
    fn run(&self, query: &str, bindings: Bindings) -> StoreResult<usize> {
        Ok(self.exec::<serde::de::IgnoredAny>(query, bindings)?.1)
    }

    fn rows<T: DeserializeOwned>(&self, query: &str, bindings: Bindings) -> StoreResult<Vec<T>> {
        Ok(self.exec(query, bindings)?.0)
    }

    fn script(&self, script: &str) -> StoreResult<()> {
        self.0.execute_batch(script).map_err(failed)
    }
}
