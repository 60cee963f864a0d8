//! Moving in and out.
//!
//! `POST /api/v1/admin/import`: one page's comments from another system, as the
//! command-line tool (and the console) send them after parsing an export. Every item is
//! checked and its body sanitised or rendered here, by the same rules new comments meet;
//! an item that fails is skipped with its reason, the rest are stored by the page's object.
//!
//! `GET /api/v1/admin/export?page=`: one page as stored, a chunk of comments at a time,
//! for `kudos export`.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::page_object::PageClient;
use crate::page_object::protocol::{Import, Imported, RewardIn};
use crate::site_object::SiteClient;
use kudos_core::comment::{DisplayName, MAX_NAME_CHARS, Website};
use kudos_core::email::Address;
use kudos_core::markdown;
use kudos_core::reward::{MAX_MESSAGE_CHARS, SessionId};
use kudos_core::stripe::PaidCheckout;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    ImportBatch, ImportItem, ImportMarkup, ImportSkip, ImportStatus, ImportedPage, ImportedReward,
    MAX_IMPORT_BATCH, MAX_IMPORT_BYTES, import_id_ok,
};
use std::collections::HashMap;
use worker::{Request, Response};

/// Most likes one imported comment may bring.
const MAX_BASE_LIKES: u64 = 1_000_000;
/// 2^53 - 1: the largest integer every JSON reader holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// The most likes an item may say it has (kept up to [`MAX_BASE_LIKES`]).
const MAX_LIKES_SENT: u64 = 1_000_000_000_000;
/// A comment may be dated at most this far ahead (clocks differ).
const FUTURE_SLACK_MS: i64 = 86_400_000;

pub async fn import(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let batch: ImportBatch = io::read_json_within(&mut req, MAX_IMPORT_BYTES).await?;
    let page = ctx.page_of(&batch)?;
    if !system_ok(&batch.source) {
        return Err(ApiError::InvalidParameter("source"));
    }
    if batch.items.len() > MAX_IMPORT_BATCH || batch.rewards.len() > MAX_IMPORT_BATCH {
        return Err(ApiError::InvalidParameter("items"));
    }
    if batch.rewards.iter().any(|r| r.at > MAX_SAFE_INTEGER || r.amount > MAX_SAFE_INTEGER) {
        return Err(ApiError::InvalidParameter("rewards"));
    }
    if batch.settings.as_ref().is_some_and(|s| s.likes > MAX_LIKES_SENT) {
        return Err(ApiError::InvalidParameter("settings"));
    }
    // Numbers past what a JSON number holds exactly (or any count of likes) are not data.
    let past_safe = |n: Option<u64>| n.is_some_and(|n| n > MAX_SAFE_INTEGER);
    if batch.items.iter().any(|i| i.created_at > MAX_SAFE_INTEGER || past_safe(i.edited_at)) {
        return Err(ApiError::InvalidParameter("created_at"));
    }
    if batch.items.iter().any(|i| past_safe(i.seq)) {
        return Err(ApiError::InvalidParameter("seq"));
    }
    if batch.items.iter().any(|i| i.likes > MAX_LIKES_SENT) {
        return Err(ApiError::InvalidParameter("likes"));
    }
    let now = crate::now_ms();
    let mut items = Vec::with_capacity(batch.items.len());
    let mut skipped = Vec::new();
    // Authors' addresses that are addresses, by item: kept as not subscribed, once their
    // item is stored.
    let mut emails = HashMap::new();
    for item in batch.items {
        // A deleted comment keeps no trace of who wrote it.
        let email = item.email.as_deref().filter(|_| item.status != ImportStatus::Deleted);
        let email = email.and_then(Address::parse);
        match checked(item, now) {
            Ok(item) => {
                if let Some(address) = email {
                    emails.insert(item.key(&batch.source), address.as_str().to_owned());
                }
                items.push(item);
            }
            Err(skip) => skipped.push(skip),
        }
    }
    let mut rewards = Vec::with_capacity(batch.rewards.len());
    for reward in batch.rewards {
        match checked_reward(reward, now) {
            Ok(reward) => rewards.push(reward),
            Err(skip) => skipped.push(skip),
        }
    }
    let settings = batch.settings.map(|s| ImportedPage { likes: s.likes.min(MAX_BASE_LIKES), ..s });
    // Each item is imported once across the site: one that another page holds (the same
    // file imported under another page id) is skipped, naming that page.
    let keys = items
        .iter()
        .map(|i| i.key(&batch.source))
        .chain(rewards.iter().map(|r| format!("stripe:{}", r.paid.session)))
        .collect();
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    let elsewhere = site.claim_sources(page.page.as_str(), keys, batch.dry_run).await?;
    let elsewhere: HashMap<String, String> = elsewhere.into_iter().collect();
    let held = |key: String| elsewhere.get(&key).map(|p| format!("it was imported to {p}"));
    items.retain(|item| match held(item.key(&batch.source)) {
        Some(why) => {
            skipped.push(ImportSkip { id: item.id.clone(), why });
            false
        }
        None => true,
    });
    rewards.retain(|reward| match held(format!("stripe:{}", reward.paid.session)) {
        Some(why) => {
            skipped.push(ImportSkip { id: reward.paid.session.clone(), why });
            false
        }
        None => true,
    });
    let nothing_left = items.is_empty() && rewards.is_empty() && settings.is_none();
    let claimed: Vec<(String, String)> =
        items.iter().map(|i| (i.id.clone(), i.key(&batch.source))).collect();
    let mut reply = if nothing_left {
        Default::default()
    } else {
        let dry_run = batch.dry_run;
        let import = Import { source: batch.source.clone(), items, rewards, settings, dry_run };
        PageClient::new(&ctx.env, page.clone())?.import(import).await?
    };
    // The addresses of the items this page now holds, and of no other.
    let stored: Vec<(String, String)> = claimed
        .into_iter()
        .filter(|(id, _)| !reply.skipped.iter().any(|s| s.id == *id))
        .filter_map(|(_, key)| Some((key.clone(), emails.remove(&key)?)))
        .collect();
    if !stored.is_empty() && !batch.dry_run {
        site.keep_imported_emails(page.page.as_str(), stored).await?;
    }
    reply.skipped.splice(0..0, skipped);
    io::json(&reply)
}

// GET /api/v1/admin/export?page=<id>[&cursor=<next>][&private=true]
/// With `private=true`, each comment also holds its author's visitor key and, for an
/// imported one, the address its author gave the system it came from.
pub async fn export(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let after = query.cursor(io::number)?.unwrap_or(0);
    let private = match query.first("private") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::InvalidParameter("private")),
    };
    let mut chunk = PageClient::new(&ctx.env, page)?.export(after, private).await?;
    if private {
        let sources = chunk.comments.iter().filter_map(|c| c.source.clone()).collect();
        let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
        let emails: HashMap<String, String> =
            site.imported_emails(sources).await?.into_iter().collect();
        for comment in &mut chunk.comments {
            comment.email = comment.source.as_ref().and_then(|s| emails.get(s)).cloned();
        }
    }
    io::json(&chunk)
}

/// A reward from kudos's export as the page object records it, or why it is skipped.
fn checked_reward(reward: ImportedReward, now: i64) -> Result<RewardIn, ImportSkip> {
    let skip = |why: &str| ImportSkip { id: reward.session.clone(), why: why.to_owned() };
    let session = SessionId::parse(&reward.session)
        .ok_or_else(|| skip("its session is not a Stripe Checkout Session's id"))?;
    let currency_ok =
        reward.currency.len() == 3 && reward.currency.bytes().all(|b| b.is_ascii_lowercase());
    if !currency_ok {
        return Err(skip("its currency is not a three-letter ISO code"));
    }
    if reward.at as i64 > now + FUTURE_SLACK_MS {
        return Err(skip("its time is in the future"));
    }
    let event = match reward.event.is_empty() {
        true => format!("import_{}", session.as_str()),
        false => reward.event.chars().take(255).collect(),
    };
    let paid = PaidCheckout {
        event,
        session: session.as_str().to_owned(),
        amount: reward.amount,
        currency: reward.currency,
        name: imported_name(&reward.name),
        message: reward.message.chars().take(MAX_MESSAGE_CHARS).collect(),
        anonymous: reward.anonymous,
    };
    Ok(RewardIn { paid, at: reward.at as i64, message_hidden: reward.message_hidden })
}

/// A name from another system, cleaned as a reader's is. Other systems allow longer
/// names; kudos keeps the first [`MAX_NAME_CHARS`] characters.
fn imported_name(raw: &str) -> DisplayName {
    let cut: String = raw.chars().take(MAX_NAME_CHARS).collect();
    // Cleaning only removes characters, so the cut name is never too long.
    DisplayName::parse(&cut).unwrap_or_else(|_| DisplayName::parse("").expect("empty is a name"))
}

/// A system's name as an import names it: lowercase letters, digits and `-`, up to 32.
fn system_ok(system: &str) -> bool {
    (1..=32).contains(&system.len())
        && system.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An item as the page object stores it, or why it is skipped.
fn checked(item: ImportItem, now: i64) -> Result<Imported, ImportSkip> {
    let skip = |why: &str| ImportSkip { id: item.id.clone(), why: why.to_owned() };
    if !import_id_ok(&item.id) {
        return Err(skip("its id is empty, too long or not text"));
    }
    // Where a comment of kudos's export first came from: `<system>:<its id there>`.
    let origin = match item.origin.as_deref() {
        None => None,
        Some(origin) => match origin.split_once(':') {
            Some((system, id)) if system_ok(system) && import_id_ok(id) => Some(origin.to_owned()),
            _ => return Err(skip("its origin is not <system>:<id>")),
        },
    };
    let author = match item.author.as_deref() {
        None => None,
        Some(key) => {
            Some(VisitorKey::parse_exported(key).ok_or_else(|| skip("its author is not a key"))?)
        }
    };
    let created_at = i64::try_from(item.created_at).unwrap_or(i64::MAX);
    if created_at > now + FUTURE_SLACK_MS {
        return Err(skip("its time is in the future"));
    }
    let (mut body, html) = match item.markup {
        ImportMarkup::Markdown => (item.body.clone(), markdown::render(&item.body)),
        ImportMarkup::Html => {
            (markdown::html_to_text(&item.body), markdown::sanitize_html(&item.body))
        }
    };
    let html = html.map_err(|e| skip(&e.to_string()))?;
    // kudos's own export keeps the Markdown a comment was typed as.
    if let Some(text) = item.text.filter(|t| t.len() <= MAX_IMPORT_BYTES) {
        body = text;
    }
    // Other systems allow longer names; kudos keeps the first MAX_NAME_CHARS characters.
    // A website kudos would not link (`javascript:`, not http) is dropped, not the comment.
    let website =
        Website::parse(item.website.as_deref()).ok().flatten().map(|w| w.as_str().to_owned());
    Ok(Imported {
        id: item.id,
        parent: item.parent.filter(|p| !p.is_empty()),
        name: imported_name(&item.name).as_str().to_owned(),
        website,
        created_at,
        status: item.status,
        body,
        html,
        likes: item.likes.min(MAX_BASE_LIKES),
        edited_at: item.edited_at.map(|at| at as i64).filter(|at| *at <= now + FUTURE_SLACK_MS),
        by_owner: item.by_owner,
        seq: item.seq.filter(|seq| (1..=MAX_SAFE_INTEGER).contains(seq)),
        origin,
        author,
    })
}
