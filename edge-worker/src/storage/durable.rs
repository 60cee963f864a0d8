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
    fn exec<T: DeserializeOwned>(
        &self,
        query: &str,
        bindings: Bindings,
    ) -> StoreResult<(Vec<T>, usize)> {
        let cursor = self.0.exec(query, bindings).map_err(failed)?;
        let rows = cursor.to_array().map_err(failed)?;
        Ok((rows, cursor.rows_written()))
    }

    fn script(&self, script: &str) -> StoreResult<()> {
        self.0.exec(script, None).map(|_| ()).map_err(failed)
    }
}
