//! The page rules' native tests, one module per rule module, over a page in memory; and
//! what they share: readers by number, and the site messages the rules put in the outbox.

mod background;
mod comments;
mod import;
mod likes;
mod live;
mod moderation;
mod moves;
mod notes;
mod outbox;
mod page;
mod rewards;

use super::{PageRules, RuleError, Ruled};
use crate::config::PageSettings;
use crate::limiter::ClientKey;
use crate::page_object::protocol::{Created, Post};
use crate::page_object::store::Store;
use crate::page_ref::PageRef;
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::comment::{CommentInput, TokenHash};
use kudos_core::moderation::Screening;
use kudos_core::visitor::{VisitorId, VisitorKey, sha256_hex};
use kudos_core::{PageId, wire};

pub const NOW: i64 = 1_700_000_000_000;

pub struct Page {
    pub store: Store,
    pub settings: PageSettings,
    pub page: PageRef,
}

impl Page {
    /// `/posts/a` of the site `blog`, opened as the object opens a page on its first write.
    pub fn new() -> Self {
        Page::with(PageSettings::default())
    }

    pub fn with(settings: PageSettings) -> Self {
        let page = PageRef::new("blog", PageId::parse("/posts/a").expect("a page id"));
        let store = Store::memory();
        store.ensure_page(&page.site, page.page.as_str()).expect("the page opens");
        Page { store, settings, page }
    }

    pub fn rules(&self, now: i64) -> PageRules<'_> {
        PageRules::new(&self.store, &self.settings, &self.page, now)
    }

    pub fn at(&self) -> PageRules<'_> {
        self.rules(NOW)
    }

    /// The site messages waiting in the outbox, oldest first.
    pub fn outbox(&self) -> Vec<SiteCommand> {
        let rows = self.store.outbox(1_000).expect("the outbox reads");
        rows.iter().map(|m| serde_json::from_str(&m.body).expect("a site command")).collect()
    }

    /// Empties the outbox, as a delivery does.
    pub fn deliver(&self) {
        if let Some(last) = self.store.outbox(1_000).unwrap().last() {
            self.store.outbox_done_through(last.id).unwrap();
        }
    }

    /// Reader `n` posts `body` (a reply to `parent`), with edit token `token-<n>`.
    pub fn post(&self, n: u8, body: &str, parent: Option<&str>) -> Ruled<Created> {
        self.post_at(n, body, parent, NOW)
    }

    pub fn post_at(&self, n: u8, body: &str, parent: Option<&str>, now: i64) -> Ruled<Created> {
        self.post_screened(n, body, parent, now, Screening::default())
    }

    /// As [`Self::post_at`], with what the site's moderation said of it.
    pub fn post_screened(
        &self,
        n: u8,
        body: &str,
        parent: Option<&str>,
        now: i64,
        screening: Screening,
    ) -> Ruled<Created> {
        let post = self.new_post(n, body, parent, now, screening);
        self.rules(now).post_comment(&ClientKey(format!("client-{n}")), post)
    }

    /// Reader `n`'s comment as the worker hands it to the page's object.
    pub fn new_post(
        &self,
        n: u8,
        body: &str,
        parent: Option<&str>,
        now: i64,
        screening: Screening,
    ) -> Post {
        let new = wire::NewComment {
            page: Some(self.page.page.to_string()),
            parent: parent.map(str::to_owned),
            name: Some(format!("Reader {n}")),
            body: body.to_owned(),
            idempotency_key: Some(format!("key-{n}-{}-{now}", &sha256_hex(body.as_bytes())[..16])),
            ..wire::NewComment::default()
        };
        Post {
            author: reader(n),
            input: CommentInput::try_from(&new).expect("a valid comment"),
            html: format!("<p>{body}</p>"),
            edit_token: token(n),
            follow: None,
            screening,
            origin: "https://kudos.example".into(),
        }
    }
}

/// Reader `n`'s visitor key.
pub fn reader(n: u8) -> VisitorKey {
    VisitorId::from_random([n; 16]).key(b"salt")
}

/// The hash of reader `n`'s edit token.
pub fn token(n: u8) -> TokenHash {
    TokenHash::of_given(Some(&format!("token-{n}"))).expect("a token")
}

/// The code a rule refused with.
pub fn refusal<T: std::fmt::Debug>(ruled: Ruled<T>) -> ErrorCode {
    match ruled {
        Err(RuleError::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The number of a comment's public id (`<tag>-<number>`).
pub fn seq(id: &str) -> u64 {
    id.rsplit('-').next().and_then(|n| n.parse().ok()).expect("a comment id")
}
