//! The API's front door: CORS, routing, and turning every outcome into a response.

use crate::config::{self, Config};
use crate::cors;
use crate::error::ApiError;
use crate::handlers;
use crate::page_ref::PageRef;
use crate::routes::{self, Resolved, Route};
use kudos_core::comment::CommentId;
use kudos_core::visitor::{VisitorId, VisitorKey};
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

    /// The number of the comment named by the `{id}` path parameter, which must belong to
    /// `page` (its tag says so); a comment of another page is not found here.
    pub fn comment_seq(
        &self,
        page: &PageRef,
        params: &[(&'static str, String)],
    ) -> Result<u64, ApiError> {
        let raw =
            params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.as_str()).unwrap_or_default();
        let id = CommentId::parse(raw)?;
        if id.tag != page.tag() {
            return Err(ApiError::reject(
                ErrorCode::CommentNotFound,
                "there is no such comment on this page",
            ));
        }
        Ok(id.seq)
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
        #[cfg(feature = "bench-naive")]
        Route::NaiveLike if req.method() == Method::Get => handlers::naive::read(&req, ctx).await,
        #[cfg(feature = "bench-naive")]
        Route::NaiveLike => handlers::naive::increment(&req, ctx).await,
    }
}
