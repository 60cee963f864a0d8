//! A Durable Object's one alarm. Each part of an object that needs it (a flush, an outbox
//! retry, a queued email) asks for a time by which it must ring; an alarm already set
//! earlier stays, so no request can push back another's work.

use worker::{ScheduledTime, State, js_sys};

/// Makes the alarm ring at `due` (ms since the epoch) at the latest.
pub async fn ring_by(state: &State, due: i64) -> worker::Result<()> {
    let storage = state.storage();
    if storage.get_alarm().await?.is_none_or(|set| set > due) {
        storage.set_alarm(ScheduledTime::new(js_sys::Date::new(&(due as f64).into()))).await?;
    }
    Ok(())
}
