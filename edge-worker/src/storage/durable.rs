//! The worker's backend: the Durable Object's own SQLite.

use super::{Backend, Bindings, StoreError, StoreResult};
use serde::de::DeserializeOwned;
use worker::SqlStorage;

pub struct Durable(SqlStorage);

impl Durable {
    pub fn of(state: &worker::State) -> Self {
        Durable(state.storage().sql())
    }
}

fn failed(e: worker::Error) -> StoreError {
    StoreError(e.to_string())
}

impl Backend for Durable {
    fn run(&self, query: &str, bindings: Bindings) -> StoreResult<usize> {
        Ok(self.0.exec(query, bindings).map_err(failed)?.rows_written())
    }

    fn rows<T: DeserializeOwned>(&self, query: &str, bindings: Bindings) -> StoreResult<Vec<T>> {
        self.0.exec(query, bindings).and_then(|cursor| cursor.to_array()).map_err(failed)
    }

    fn script(&self, script: &str) -> StoreResult<()> {
        self.0.exec(script, None).map(|_| ()).map_err(failed)
    }
}
