//! [`Ctx`]: what every handler gets besides its request: the settings, and the
//! extractors that turn a request's raw fields into the page, the reader and the client.

use crate::config::{self, Config};
use crate::error::ApiError;
use crate::io::Query;
use crate::limiter::{ClientKey, Limiter};
use crate::page_ref::PageRef;
use kudos_core::comment::ItemId;
use kudos_core::limits::{Action, client_group};
use kudos_core::origin::Origins;
use kudos_core::visitor::{VisitorId, VisitorKey, keyed_hash};
use kudos_core::wire;
use kudos_core::{ErrorCode, PageId, proof};
use worker::{Env, Request};

/// What every handler may use besides its request.
pub struct Ctx {
    pub env: Env,
    pub config: std::rc::Rc<Config>,
    /// Whether this worker is served from this machine (`wrangler dev`), where the
    /// settings that ship in wrangler.toml are fine.
    pub local: bool,
    /// The origin the worker itself is served from.
    own_origin: Option<String>,
}

/// A request (body or query) that names a page in its `page` field.
pub trait OnPage {
    fn page_field(&self) -> Option<&str>;
}

/// A request body that names the visitor writing and carries their pass.
pub trait ByReader: OnPage {
    fn visitor_field(&self) -> Option<&str>;
    fn pass_field(&self) -> Option<&str>;
}

macro_rules! on_page {
    ($($body:ty),* $(,)?) => {$(
        impl OnPage for $body {
            fn page_field(&self) -> Option<&str> {
                self.page.as_deref()
            }
        }
    )*};
}

macro_rules! by_reader {
    ($($body:ty),* $(,)?) => {$(
        on_page!($body);
        impl ByReader for $body {
            fn visitor_field(&self) -> Option<&str> {
                self.visitor.as_deref()
            }
            fn pass_field(&self) -> Option<&str> {
                self.pass.as_deref()
            }
        }
    )*};
}

on_page!(wire::EditComment, wire::DeleteComment, wire::PendingRequest);
on_page!(
    wire::ModerateComment,
    wire::ModerateReward,
    wire::ClosePage,
    wire::OwnerComment,
    wire::MovePage,
    wire::PageSettings,
);
on_page!(wire::ImportBatch);
by_reader!(
    wire::SetLike,
    wire::NewComment,
    wire::SetCommentLike,
    wire::FlagComment,
    wire::NewNote,
    wire::NewReward,
);

impl OnPage for Query {
    fn page_field(&self) -> Option<&str> {
        self.first("page")
    }
}

impl Ctx {
    /// The edit token of `author`'s comment with idempotency key `key` on `page`: derived
    /// from the salt, so the same comment sent again gets the same token back.
    pub fn edit_token(
        &self,
        page: &PageRef,
        author: &VisitorKey,
        key: &kudos_core::comment::IdempotencyKey,
    ) -> Result<kudos_core::comment::EditToken, ApiError> {
        let salt = self.salt()?;
        let (site, page) = (&page.site, page.page.as_str());
        Ok(kudos_core::comment::EditToken::derive(salt.as_bytes(), site, page, author, key))
    }

    /// The page a request names, parsed once. Outside `PAGE_PREFIXES` it is refused:
    /// only real article paths can ever become pages.
    pub fn page_of(&self, input: &impl OnPage) -> Result<PageRef, ApiError> {
        self.page_named(input.page_field())
    }

    /// The page a field names (canonical, and one of the site's article pages).
    pub fn page_named(&self, raw: Option<&str>) -> Result<PageRef, ApiError> {
        let page = PageId::parse(raw.unwrap_or_default())?;
        if !self.config.page_allowed(&page) {
            return Err(ApiError::reject(
                ErrorCode::PageNotAllowed,
                "this site keeps likes and comments only for its article pages",
            ));
        }
        Ok(PageRef::new(&self.config.site_id, page))
    }

    /// The page a write names and the key of the reader writing: a valid visitor id with
    /// its pass. Also checks that the deployment takes writes at all.
    pub fn reader_on(&self, input: &impl ByReader) -> Result<(PageRef, VisitorKey), ApiError> {
        let page = self.page_of(input)?;
        self.writable()?;
        let id = VisitorId::parse(input.visitor_field())?;
        let salt = self.salt()?;
        let site = &self.config.site_id;
        let valid = input
            .pass_field()
            .is_some_and(|pass| proof::pass_is_valid(salt.as_bytes(), site, &id, pass));
        if !valid {
            return Err(ApiError::reject(
                ErrorCode::ProofRequired,
                "this visitor has no valid pass; solve a challenge from /visitor/challenge",
            ));
        }
        Ok((page, id.key(salt.as_bytes())))
    }

    /// Refuses a write while the deployment's settings forbid writes, saying what to set.
    pub fn writable(&self) -> Result<(), ApiError> {
        match self.config.refuses_writes(self.local) {
            Some(fix) => Err(ApiError::NotSetUp(fix)),
            None => Ok(()),
        }
    }

    pub fn visitor_key(&self, visitor: VisitorId) -> Result<VisitorKey, ApiError> {
        Ok(visitor.key(self.salt()?.as_bytes()))
    }

    pub fn salt(&self) -> Result<&str, ApiError> {
        self.config.salt()
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
        let id = ItemId::parse(raw).map_err(|_| not_here())?;
        if id.tag != page.tag() {
            return Err(not_here());
        }
        Ok(id.seq)
    }

    /// The client's address as Cloudflare reports it (`CF-Connecting-IP`, which a client
    /// cannot set in production), grouped (IPv6 by /64) and hashed: the only form in which
    /// it is used or stored.
    pub fn client(&self, req: &Request) -> Result<ClientKey, ApiError> {
        let ip = req.headers().get("cf-connecting-ip").ok().flatten();
        let group = client_group(ip.as_deref());
        Ok(ClientKey(keyed_hash(self.salt()?.as_bytes(), "client", &[group.as_bytes()])))
    }

    /// Spends one `action` of the client's site-wide budget, or refuses.
    pub async fn spend(&self, client: &ClientKey, action: Action) -> Result<(), ApiError> {
        let limiter = Limiter::new(&self.env, &self.config.site_id, client)?;
        limiter.take(action, self.config.limits.budget(action)).await
    }

    /// The worker's own origin, as the request reached it.
    pub fn own_origin(&self) -> Option<&str> {
        self.own_origin.as_deref()
    }

    /// The origins this deployment trusts (CORS, return addresses): the allowlist and its
    /// own.
    pub fn origins(&self) -> Origins<'_> {
        Origins { allowed: &self.config.allowed_origins, own: self.own_origin.as_deref() }
    }
}

impl Ctx {
    /// The context of a request to `url` on this deployment.
    pub fn new(env: Env, url: Option<&url::Url>) -> Self {
        Ctx {
            config: Config::cached(&env),
            env,
            local: url.is_some_and(config::is_loopback),
            own_origin: url.map(|u| u.origin().ascii_serialization()),
        }
    }
}
