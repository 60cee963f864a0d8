//! A page's changes as they happen: `GET /api/v1/page/live?page=<id>` upgrades to a
//! WebSocket held by the page's object (`PageObject::accept_live`), which sends each
//! change readers may see as a `wire::LiveUpdate`. Opening one spends the client's `live`
//! budget, and one client holds at most `MAX_LIVE_PER_ADDRESS` of a page's at once; page
//! views never open one, so a page nobody has open never wakes its object.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::Query;
use crate::page_object::PageClient;
use kudos_core::ErrorCode;
use kudos_core::limits::Action;
use worker::{Request, Response};

pub async fn open(req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(&req)?;
    let page = ctx.page_of(&query)?;
    let upgrade = req.headers().get("upgrade").ok().flatten();
    if !upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err(ApiError::reject(
            ErrorCode::UpgradeRequired,
            "a page's live changes come over a WebSocket",
        ));
    }
    let client = ctx.client(&req)?;
    ctx.spend(&client, Action::Live).await?;
    PageClient::new(&ctx.env, page)?.live(&client).await
}
