//! The API's front door: CORS, routing, and turning every outcome into a response.

use crate::config::{self, Config};
use crate::cors;
use crate::error::ApiError;
use crate::handlers;
use crate::page_ref::PageRef;
use crate::routes::{self, Resolved, Route};
use kudos_core::comment::CommentId;
use kudos_core::visitor::{VisitorId, VisitorKey, keyed_hash};
use kudos_core::{ErrorCode, PageId};
use worker::{Env, Method, Request, Response};

/// What every handler may use besides its request.
pub struct Ctx {
    pub env: Env,
    pub config: Config,
}

impl Ctx {
    pub fn page_ref(&self, raw: &str) -> Result<PageRef, ApiError> {
        Ok(PageRef::new(&self.config.site_id, PageId::parse(raw)?))
    }

    pub fn visitor_key(&self, visitor: VisitorId) -> Result<VisitorKey, ApiError> {
        Ok(visitor.key(self.salt()?.as_bytes()))
    }

    pub fn salt(&self) -> Result<String, ApiError> {
        config::visitor_salt(&self.env)
    }

    /// The number of the comment, reward or note named by the `{id}` path parameter, which
    /// must belong to `page` (its tag says so); one of another page is `missing` here.
    pub fn seq_in(
        &self,
        page: &PageRef,
        params: &[(&'static str, String)],
        missing: ErrorCode,
    ) -> Result<u64, ApiError> {
        let raw =
            params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.as_str()).unwrap_or_default();
        let not_here = || ApiError::reject(missing, "there is no such item on this page");
        let id = CommentId::parse(raw).map_err(|_| not_here())?;
        if id.tag != page.tag() {
            return Err(not_here());
        }
        Ok(id.seq)
    }

    /// The reader's address as Cloudflare reports it, hashed: the only form in which it is
    /// used (for rate limits) or stored.
    pub fn ip_key(&self, req: &Request) -> Result<String, ApiError> {
        let ip = req
            .headers()
            .get("cf-connecting-ip")
            .ok()
            .flatten()
            .unwrap_or_else(|| "unknown".into());
        Ok(keyed_hash(self.salt()?.as_bytes(), "ip", &[ip.as_bytes()]))
    }

    /// Where to send a reader back after paying: an http(s) address on an allowed origin (or
    /// the worker's own), without its fragment. Anything else could make kudos an open
    /// redirect.
    pub fn return_url(&self, req: &Request, raw: Option<&str>) -> Result<String, ApiError> {
        let bad = || {
            ApiError::reject(
                ErrorCode::InvalidReturnUrl,
                "the return address must be a page of this site",
            )
        };
        let mut url = url::Url::parse(raw.unwrap_or_default()).map_err(|_| bad())?;
        let origin = url.origin().ascii_serialization();
        let own = req.url().ok().map(|u| u.origin().ascii_serialization());
        let allowed = self.config.allowed_origins.contains(&origin)
            || own.as_deref() == Some(origin.as_str());
        if !matches!(url.scheme(), "http" | "https") || !allowed {
            return Err(bad());
        }
        url.set_fragment(None);
        Ok(url.to_string())
    }
}

pub async fn handle(req: Request, env: Env) -> Response {
    let ctx = Ctx { config: Config::from_env(&env), env };
    if req.method() == Method::Options {
        return cors::preflight(&req, &ctx.config.allowed_origins)
            .unwrap_or_else(|e| cors::with_origin(e.into_response(), None));
    }
    let origin = match cors::check_origin(&req, &ctx.config.allowed_origins) {
        Ok(origin) => origin,
        Err(e) => return cors::with_origin(e.into_response(), None),
    };
    let resp = match routes::resolve(req.method().as_ref(), &req.path()) {
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
    use handlers::{admin, comments};
    match route {
        Route::Health => handlers::health::health(ctx),
        Route::PageView => handlers::page::view(&req, ctx).await,
        Route::SetLike => handlers::page::set_like(req, ctx).await,
        Route::Counts => handlers::counts::counts(&req, ctx).await,
        Route::ListComments => comments::list(&req, ctx).await,
        Route::Replies => comments::replies(&req, params, ctx).await,
        Route::CreateComment => comments::create(req, ctx).await,
        Route::EditComment => comments::edit(req, params, ctx).await,
        Route::DeleteComment => comments::delete(req, params, ctx).await,
        Route::LikeComment => comments::like(req, params, ctx).await,
        Route::PendingComments => comments::pending(req, ctx).await,
        Route::Preview => comments::preview(req).await,
        Route::AdminListComments => admin::list(&req, ctx).await,
        Route::AdminModerateComment => admin::moderate(req, params, ctx).await,
        Route::AdminDeleteComment => admin::delete(&req, params, ctx).await,
        Route::StartCheckout => handlers::rewards::checkout(req, ctx).await,
        Route::RewardStatus => handlers::rewards::status(&req, ctx).await,
        Route::StripeWebhook => handlers::rewards::webhook(req, ctx).await,
        Route::SendNote => handlers::notes::send(req, ctx).await,
        Route::AdminRewards => admin::rewards(&req, ctx).await,
        Route::AdminModerateReward => admin::moderate_reward(req, params, ctx).await,
        Route::AdminNotes => admin::notes(&req, ctx).await,
        Route::AdminReadNote => admin::read_note(&req, params, ctx).await,
        #[cfg(feature = "bench-naive")]
        Route::NaiveLike if req.method() == Method::Get => handlers::naive::read(&req, ctx).await,
        #[cfg(feature = "bench-naive")]
        Route::NaiveLike => handlers::naive::increment(&req, ctx).await,
    }
}
