//! The API's front door: CORS, routing, the admin guard, and turning every outcome into a
//! response. Each handler gets its request and a [`Ctx`].

use crate::cors;
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::handlers;
use crate::routes::{self, Resolved, Route};
use worker::{Env, Request, Response};

pub async fn handle(req: Request, env: Env) -> Response {
    let ctx = Ctx::new(env, req.url().ok().as_ref());
    // The method as the client sent it: an unknown one (`QUERY`) must not pass for `GET`.
    let method = req.inner().method();
    if method == "OPTIONS" {
        return cors::preflight(&req, ctx.origins())
            .unwrap_or_else(|e| cors::with_origin(e.into_response(), None));
    }
    let origin = match cors::check_origin(&req, ctx.origins()) {
        Ok(origin) => origin,
        Err(e) => return cors::with_origin(e.into_response(), None),
    };
    let resp = match routes::resolve(&method, &req.path()) {
        Resolved::Found(route, params) => dispatch(route, &params, req, &ctx).await,
        Resolved::WrongMethod(allow) => Err(ApiError::MethodNotAllowed { allow }),
        Resolved::NotFound => Err(ApiError::NotFound),
    };
    cors::with_origin(resp.unwrap_or_else(ApiError::into_response), origin.as_deref())
}

async fn dispatch(
    route: Route,
    params: &[(&'static str, String)],
    req: Request,
    ctx: &Ctx,
) -> Result<Response, ApiError> {
    use handlers::{admin, comments, likes, moderation, notes, page, rewards, visitor};
    let signed = if route.is_admin() { Some(admin::authorize(&req, ctx).await?) } else { None };
    match route {
        Route::Health => handlers::health::health(ctx),
        Route::PageView => page::view(&req, ctx).await,
        Route::Live => handlers::live::open(req, ctx).await,
        Route::SetLike => likes::set_like(req, ctx).await,
        Route::Counts => handlers::counts::counts(&req, ctx).await,
        Route::Challenge => visitor::challenge(req, ctx).await,
        Route::Pass => visitor::pass(req, ctx).await,
        Route::ListComments => comments::list(&req, ctx).await,
        Route::Replies => comments::replies(&req, params, ctx).await,
        Route::CreateComment => comments::create(req, ctx).await,
        Route::EditComment => comments::edit(req, params, ctx).await,
        Route::DeleteComment => comments::delete(req, params, ctx).await,
        Route::LikeComment => likes::like_comment(req, params, ctx).await,
        Route::FlagComment => likes::flag_comment(req, params, ctx).await,
        Route::PendingComments => comments::pending(req, ctx).await,
        Route::Preview => comments::preview(req, ctx).await,
        Route::AdminListComments => admin::list(&req, ctx).await,
        Route::AdminModerateComment => admin::moderate(req, params, ctx).await,
        Route::AdminComment => admin::comment(req, ctx).await,
        Route::AdminImport => handlers::import::import(req, ctx).await,
        Route::AdminExport => handlers::import::export(&req, ctx).await,
        Route::AdminDeleteComment => admin::delete(&req, params, ctx).await,
        Route::StartCheckout => rewards::checkout(req, ctx).await,
        Route::RewardStatus => rewards::status(&req, ctx).await,
        Route::StripeWebhook => rewards::webhook(req, ctx).await,
        Route::SendNote => notes::send(req, ctx).await,
        Route::EmailLinkPage => handlers::email::ask(&req, ctx).await,
        Route::CommentsFeed => handlers::feed::comments(&req, ctx).await,
        Route::SupportersFeed => handlers::feed::supporters(&req, ctx).await,
        Route::Recent => handlers::feed::recent_json(ctx).await,
        Route::EmailLinkAct => handlers::email::act(&req, ctx).await,
        Route::ActLinkPage => handlers::act::ask(&req, ctx).await,
        Route::ActLinkAct => handlers::act::act(req, ctx).await,
        Route::AdminRewards => admin::rewards(&req, ctx).await,
        Route::AdminModerateReward => admin::moderate_reward(req, params, ctx).await,
        Route::AdminNotes => admin::notes(&req, ctx).await,
        Route::AdminReadNote => admin::read_note(&req, params, ctx).await,
        Route::AdminSignIn => admin::sign_in(req, ctx).await,
        Route::AdminHealth => admin::health(ctx).await,
        Route::AdminPages => admin::pages(&req, ctx).await,
        Route::AdminClosePage => admin::close_page(req, ctx).await,
        Route::AdminMovePage => admin::move_page(req, ctx).await,
        Route::AdminPageSettings => admin::page_settings(req, ctx).await,
        Route::AdminLedger => admin::ledger(&req, ctx).await,
        Route::AdminActivity => admin::activity(&req, ctx).await,
        Route::AdminBans => moderation::bans(&req, ctx).await,
        Route::AdminBan => moderation::ban(req, ctx).await,
        Route::AdminUnban => moderation::unban(params, ctx).await,
        Route::AdminRules => moderation::rules(ctx).await,
        Route::AdminSetRules => moderation::set_rules(req, ctx).await,
        Route::AdminTrusted => moderation::trusted(ctx).await,
        Route::AdminTrust => moderation::trust(req, ctx).await,
        Route::AdminAudit => moderation::audit(&req, ctx).await,
        Route::AdminSession => admin::session(signed.ok_or(ApiError::Unauthorized)?),
        Route::AdminSignOut => admin::sign_out(signed.ok_or(ApiError::Unauthorized)?, ctx).await,
        Route::AdminSignOutEverywhere => admin::sign_out_everywhere(ctx).await,
        #[cfg(feature = "bench-naive")]
        Route::NaiveLike if req.inner().method() == "GET" => handlers::naive::read(&req, ctx).await,
        #[cfg(feature = "bench-naive")]
        Route::NaiveLike => handlers::naive::increment(&req, ctx).await,
    }
}
