//! Acting on a held comment from a phone: the signed, one-use links in its notification
//! (`kudos_core::moderation::links`). A link opens a small page of its own (no script, no
//! Wasm, works in any mail app's browser) showing the comment as it now is, with one button
//! (and, to ban, the ban's choices); only that button's `POST` acts, so a mail scanner or a
//! chat app's link preview that fetches the link changes nothing.
//!
//! The link is spent in the site object before the action runs and given back if the
//! action fails, so it acts once however often it is pressed.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::handlers::moderation::make_ban;
use crate::io::{self, Query};
use crate::page_object::PageClient;
use crate::page_ref::PageRef;
use crate::site_object::{SiteClient, SiteCommand};
use kudos_core::comment::ItemId;
use kudos_core::email::escape_html;
use kudos_core::moderation::links::{Act, ActLink};
use kudos_core::notify::ACT_PATH;
use kudos_core::wire::{
    ACTOR_LINK, BanBy, MAX_BAN_REASON_CHARS, MAX_TIME_OUT_SECONDS, ModerationItem, ModerationList,
    ModerationStatus, NewBan,
};
use kudos_core::{ErrorCode, PageId};
use worker::{Request, Response};

/// The time-outs the ban form offers, in seconds, with their words (none: for good).
const BAN_LENGTHS: [(Option<u64>, &str); 4] = [
    (Some(86_400), "One day"),
    (Some(7 * 86_400), "One week"),
    (Some(30 * 86_400), "30 days"),
    (None, "For good"),
];

/// The link in `?t=`, verified, with its token.
fn link(req: &Request, ctx: &Ctx) -> Result<(ActLink, String), ApiError> {
    let query = Query::of(req)?;
    let token = query.first("t").unwrap_or_default().to_owned();
    let key = crate::config::act_key(&ctx.env)?;
    let link = ActLink::verify(&token, &key, crate::now_ms()).ok_or_else(|| {
        ApiError::reject(ErrorCode::InvalidLink, "this link is not valid, or it expired")
    })?;
    Ok((link, token))
}

/// The page that says a link does nothing (more), for the errors a link's holder can
/// meet; anything else stays an error.
fn refused(e: ApiError) -> Result<Response, ApiError> {
    let (status, title, body) = match e.code() {
        ErrorCode::InvalidLink => (
            404,
            "This link does not work",
            "It is not a link this site sent, it expired (links work for 3 days), or the \
             admin token changed since. Act on the comment from the console.",
        ),
        ErrorCode::CommentNotFound => {
            (404, "The comment is gone", "It was deleted, or it never reached the console.")
        }
        _ => return Err(e),
    };
    io::html_page(status, title, &format!("<p>{body}</p>"))
}

/// The comment as the console's index has it, with its page.
async fn indexed(ctx: &Ctx, link: &ActLink) -> Result<(PageRef, u64, ModerationItem), ApiError> {
    let gone = || ApiError::reject(ErrorCode::CommentNotFound, "there is no such comment");
    let page = PageId::from_canonical(&link.page).map_err(|_| gone())?;
    let page = PageRef::new(&ctx.config.site_id, page);
    let id = ItemId::parse(&link.comment).map_err(|_| gone())?;
    if id.tag != page.tag() {
        return Err(gone());
    }
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    let command = SiteCommand::IndexedComment { page: link.page.clone(), id: link.comment.clone() };
    let found: ModerationList = site.ask(&command).await?;
    let item = found.comments.into_iter().next().ok_or_else(gone)?;
    Ok((page, id.seq, item))
}

fn status_words(status: &str) -> &str {
    match status {
        "pending" => "awaiting approval",
        "published" => "published",
        "hidden" => "hidden",
        "spam" => "marked as spam",
        _ => "deleted",
    }
}

/// The comment as the page shows it: who, where, its words and where it stands.
fn comment_html(item: &ModerationItem) -> String {
    let name = if item.name.trim().is_empty() { "Someone" } else { &item.name };
    format!(
        "<p><b>{name}</b> on <code>{page}</code>, now <b>{status}</b>:</p>\
         <blockquote style=\"white-space:pre-wrap;border-left:3px solid #999;margin:0;padding:0 1em\">{body}</blockquote>",
        name = escape_html(name),
        page = escape_html(&item.page),
        status = status_words(&item.status),
        body = escape_html(&item.body),
    )
}

/// The ban's choices, as the console's ban form has them.
fn ban_fields() -> String {
    let by = [
        (BanBy::Visitor, "This browser"),
        (BanBy::Network, "This network (IPv4 address or IPv6 /64)"),
        (BanBy::Email, "The email address they follow replies with"),
    ];
    let mut out = String::from("<fieldset><legend>Ban by</legend>");
    for (n, (by, words)) in by.iter().enumerate() {
        let value = serde_json::to_value(by).unwrap_or_default();
        let checked = if n == 0 { " checked" } else { "" };
        out.push_str(&format!(
            "<label><input type=\"radio\" name=\"by\" value=\"{}\"{checked}> {words}</label><br>",
            value.as_str().unwrap_or_default()
        ));
    }
    out.push_str("</fieldset><fieldset><legend>For</legend>");
    for (n, (seconds, words)) in BAN_LENGTHS.iter().enumerate() {
        let checked = if n == 0 { " checked" } else { "" };
        let value = seconds.map(|s| s.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "<label><input type=\"radio\" name=\"for\" value=\"{value}\"{checked}> {words}</label><br>"
        ));
    }
    out.push_str(&format!(
        "</fieldset><p><label><input type=\"checkbox\" name=\"shadow\" value=\"on\"> Shadow-ban \
         (their comments reach only them)</label></p><p><label>Reason (optional)<br><input \
         name=\"reason\" maxlength=\"{MAX_BAN_REASON_CHARS}\" style=\"width:100%\"></label></p>"
    ));
    out
}

// GET /api/v1/act?t=
/// The page an action link opens: the comment as it now is, and the button that acts.
pub async fn ask(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let shown = async {
        let (link, token) = link(req, ctx)?;
        let (_, _, item) = indexed(ctx, &link).await?;
        Ok::<_, ApiError>((link, token, item))
    };
    let (link, token, item) = match shown.await {
        Ok(shown) => shown,
        Err(e) => return refused(e),
    };
    let fields = if link.act == Act::Ban { ban_fields() } else { String::new() };
    let body = format!(
        "{comment}<form method=\"post\" action=\"{ACT_PATH}?t={token}\">{fields}\
         <button type=\"submit\">{button}</button></form>",
        comment = comment_html(&item),
        token = escape_html(&token),
        button = link.act.label(),
    );
    io::html_page(200, &format!("{}?", link.act.label()), &body)
}

/// A ban's choices from the page's form, each checked (any link's form: a field that is
/// there must make sense).
fn ban_from_form(form: &[u8], link: &ActLink) -> Result<NewBan, ApiError> {
    let mut ban = NewBan {
        page: link.page.clone(),
        comment: link.comment.clone(),
        by: BanBy::Visitor,
        for_seconds: None,
        shadow: false,
        reason: String::new(),
    };
    for (name, value) in url::form_urlencoded::parse(form) {
        match &*name {
            "by" => {
                ban.by = serde_json::from_value(value.as_ref().into())
                    .map_err(|_| ApiError::InvalidParameter("by"))?
            }
            "for" if value.is_empty() => ban.for_seconds = None,
            "for" => {
                let seconds = io::number(&value).filter(|s| (1..=MAX_TIME_OUT_SECONDS).contains(s));
                ban.for_seconds = Some(seconds.ok_or(ApiError::InvalidParameter("for"))?)
            }
            "shadow" if value == "on" => ban.shadow = true,
            "shadow" => return Err(ApiError::InvalidParameter("shadow")),
            "reason" if value.chars().count() > MAX_BAN_REASON_CHARS => {
                return Err(ApiError::InvalidParameter("reason"));
            }
            "reason" => ban.reason = value.into_owned(),
            _ => {}
        }
    }
    Ok(ban)
}

// POST /api/v1/act?t=
/// Does what the link says, once: approves, hides or marks the comment as spam, or bans its
/// reader (with the form's choices) and marks it as spam.
pub async fn act(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let (link, _) = match link(&req, ctx) {
        Ok(found) => found,
        Err(e) => return refused(e),
    };
    // The form is checked whatever the link, before the link is spent: nonsense is refused
    // and changes nothing.
    let form = io::read_bytes(&mut req).await?;
    let ban = match ban_from_form(&form, &link) {
        Ok(ban) => (link.act == Act::Ban).then_some(ban),
        Err(e) => {
            let why = escape_html(&e.to_string());
            return io::html_page(400, "Nothing was done", &format!("<p>{why}</p>"));
        }
    };
    let key = crate::config::act_key(&ctx.env)?;
    let id = link.id(&key);
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    let fresh: bool =
        site.ask(&SiteCommand::SpendLink { id: id.clone(), expires: link.expires }).await?;
    if !fresh {
        return io::html_page(
            410,
            "This link was used",
            "<p>Each link works once. Open the console to change the comment again.</p>",
        );
    }
    match run(ctx, &link, ban).await {
        Ok(item) => {
            let title = match link.act {
                Act::Approve => "Approved",
                Act::Hide => "Hidden",
                Act::Spam => "Marked as spam",
                Act::Ban => "Banned, and the comment marked as spam",
            };
            let console = "<p><a href=\"/admin/\">Open the console</a></p>";
            io::html_page(200, title, &format!("{}{console}", comment_html(&item)))
        }
        Err(e) => {
            let _: serde_json::Value = site.ask(&SiteCommand::ReleaseLink { id }).await?;
            match e.code() {
                ErrorCode::InvalidParameter | ErrorCode::NotFound => {
                    let why = escape_html(&e.to_string());
                    io::html_page(400, "Nothing was done", &format!("<p>{why}</p>"))
                }
                _ => refused(e),
            }
        }
    }
}

/// The link's action on its comment; the comment as it then is.
async fn run(ctx: &Ctx, link: &ActLink, ban: Option<NewBan>) -> Result<ModerationItem, ApiError> {
    let (page, seq, mut item) = indexed(ctx, link).await?;
    if let Some(ban) = ban {
        make_ban(ctx, ban, Some(ACTOR_LINK)).await?;
    }
    let status = match link.act {
        Act::Approve => ModerationStatus::Published,
        Act::Hide => ModerationStatus::Hidden,
        Act::Spam | Act::Ban => ModerationStatus::Spam,
    };
    PageClient::new(&ctx.env, page)?.by(ACTOR_LINK).moderate(seq, status).await?;
    item.status = link.act.status().to_owned();
    Ok(item)
}
