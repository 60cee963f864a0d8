//! The links in reply emails. Each opens a small page with one button (so a mail scanner
//! that fetches links changes nothing); the button, or a mail client's RFC 8058 one-click
//! `POST` (`List-Unsubscribe=One-Click`), does what the link says. Links are signed by the
//! site and checked before anything is looked up; their pages are never cached and never
//! send the link to another origin as a referrer.

use crate::ctx::Ctx;
use crate::email::LinkOutcome;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::site_object::SiteClient;
use kudos_core::ErrorCode;
use kudos_core::email::{Link, LinkKind, escape_html};
use worker::{Request, Response};

/// The signed link in `?t=`, verified, or `invalid_link`.
fn link(req: &Request, ctx: &Ctx) -> Result<(Link, String), ApiError> {
    let query = Query::of(req)?;
    let token = query.first("t").unwrap_or_default().to_owned();
    let link = Link::verify(&token, ctx.salt()?.as_bytes(), crate::now_ms()).ok_or_else(|| {
        ApiError::reject(ErrorCode::InvalidLink, "this link is not valid, or it expired")
    })?;
    Ok((link, token))
}

fn refused(e: ApiError) -> Result<Response, ApiError> {
    match e.code() {
        ErrorCode::InvalidLink => io::html_page(
            404,
            "This link does not work",
            "<p>It is not a link this site sent, or it expired. A confirmation link works \
             for 7 days; comment again with your address for a new one.</p>",
        ),
        _ => Err(e),
    }
}

// GET /api/v1/email/confirm?t= and GET /api/v1/email/unsubscribe?t=
/// The page a link opens: what it will do, and the button that does it.
pub async fn ask(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let (link, token) = match link(req, ctx) {
        Ok(found) => found,
        Err(e) => return refused(e),
    };
    let (path, title, what, button) = match link.kind {
        LinkKind::Confirm => (
            "confirm",
            "Confirm your address",
            "You asked to be emailed when someone replies to your comment on",
            "Confirm",
        ),
        LinkKind::Thread => (
            "unsubscribe",
            "Stop emails about this thread",
            "You will get no more emails about replies to your comment on",
            "Unsubscribe",
        ),
        LinkKind::All => (
            "unsubscribe",
            "Stop all emails from this site",
            "Your address will be forgotten and you will get no more emails about any comment, including",
            "Unsubscribe from everything",
        ),
    };
    let body = format!(
        "<p>{what} <code>{page}</code>.</p>\
         <form method=\"post\" action=\"/api/v1/email/{path}?t={token}\"><button type=\"submit\">{button}</button></form>",
        page = escape_html(&link.page),
        token = escape_html(&token),
    );
    io::html_page(200, title, &body)
}

// POST /api/v1/email/confirm?t= and POST /api/v1/email/unsubscribe?t=
/// Does what the link says: the button on its page, or a mail client's one-click POST.
pub async fn act(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let (link, _) = match link(req, ctx) {
        Ok(found) => found,
        Err(e) => return refused(e),
    };
    let wanted = if req.path().ends_with("/confirm") {
        link.kind == LinkKind::Confirm
    } else {
        link.kind != LinkKind::Confirm
    };
    if !wanted {
        return refused(ApiError::reject(
            ErrorCode::InvalidLink,
            "this link is for something else",
        ));
    }
    let outcome = SiteClient::new(&ctx.env, &ctx.config.site_id)?.email_link(&link).await?;
    let (title, body) = match outcome {
        LinkOutcome::Confirmed => (
            "Address confirmed",
            "You will get one email for each reply to your comment. Every email has a link to stop them.",
        ),
        LinkOutcome::LeftThread => {
            ("Unsubscribed", "You will get no more emails about this thread.")
        }
        LinkOutcome::LeftSite => (
            "Unsubscribed from everything",
            "Your address is forgotten; this site will send you nothing more.",
        ),
        LinkOutcome::Unknown => (
            "Nothing to do",
            "This address is not on this site's list: it left, or it was never confirmed in time.",
        ),
    };
    io::html_page(200, title, &format!("<p>{body}</p>"))
}
