//! Rewards: starting a Stripe Checkout, learning whether it is confirmed, and Stripe's
//! webhook, the only thing that ever counts a reward.

use crate::config;
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::page_object::PageClient;
use crate::page_ref::PageRef;
use crate::site_object::SiteClient;
use crate::stripe::{Checkout, Stripe};
use kudos_core::ErrorCode;
use kudos_core::comment::DisplayName;
use kudos_core::limits::Action;
use kudos_core::reward::{Currency, Note, RewardError, SessionId, parse_message};
use kudos_core::stripe::{self as signatures, Event, TOLERANCE_SECONDS};
use kudos_core::wire::NewReward;
use worker::{Request, Response};

// POST /api/v1/rewards/checkout
/// Creates a Stripe Checkout Session for the reward and returns where to send the reader.
/// Nothing is recorded (not even the note sent along) unless Stripe accepted the session.
pub async fn checkout(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: NewReward = io::read_json(&mut req).await?;
    let (page, _) = ctx.reader_on(&ask)?;
    let rewards = &ctx.config.rewards;
    if let Some(currency) = ask.currency.as_deref()
        && Currency::parse(currency)? != rewards.currency
    {
        return Err(RewardError::UnknownCurrency.into());
    }
    let options = rewards.options().filter(|o| o.checkout).ok_or_else(|| {
        ApiError::reject(
            ErrorCode::RewardsUnavailable,
            "rewards through Stripe are not set up on this site",
        )
    })?;
    let amount = ask.amount.ok_or(RewardError::InvalidAmount)?;
    options.check(amount)?;
    let name = DisplayName::parse(ask.name.as_deref().unwrap_or_default())?;
    let message = parse_message(ask.message.as_deref())?;
    let note = ask.note.as_deref().filter(|n| !n.trim().is_empty()).map(Note::parse).transpose()?;
    let return_to = ctx.origins().return_url(ask.return_url.as_deref())?;
    let stripe = Stripe::from_env(&ctx.env, &rewards.stripe_api_base)?;

    // Each Checkout Session costs a call to Stripe: the address pays for it from its
    // budget before the call is made.
    let client = ctx.client(&req)?;
    ctx.spend(&client, Action::Checkout).await?;
    let separator = if return_to.contains('?') { '&' } else { '?' };
    let host = url::Url::parse(&return_to)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let started = stripe
        .create_checkout(&Checkout {
            site: &page.site,
            page: page.page.as_str(),
            amount,
            currency: rewards.currency.code(),
            description: &format!("Reward for {host}{}", page.page),
            name: name.as_str(),
            message: &message,
            anonymous: ask.anonymous,
            // Stripe puts the session's id in place of {CHECKOUT_SESSION_ID}.
            success_url: &format!("{return_to}{separator}kudos_reward={{CHECKOUT_SESSION_ID}}"),
            cancel_url: &return_to,
        })
        .await?;
    if let Some(note) = note {
        let object = PageClient::new(&ctx.env, page)?;
        object.store_note(client, note, rewards.note_ttl_ms).await?;
    }
    io::json(&started)
}

// GET /api/v1/rewards/status?page=<id>&session=<Checkout Session id>
/// Whether Stripe has confirmed the payment of a session (the widget asks after the reader
/// comes back from Checkout, since the webhook may arrive a moment later).
pub async fn status(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let session = query
        .first("session")
        .and_then(SessionId::parse)
        .ok_or(ApiError::InvalidParameter("session"))?;
    io::json(&PageClient::new(&ctx.env, page)?.reward_status(session).await?)
}

// POST /api/v1/stripe/webhook
/// Stripe's events. The signature is checked on the raw body before anything is read from
/// it; only a paid Checkout Session of this site counts, once per event and per session.
/// Events kudos does not act on are acknowledged, so Stripe does not send them again. A
/// deployment not set up for writes, or without the webhook's secret, answers 503, so
/// Stripe retries once it is.
pub async fn webhook(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    ctx.writable()?;
    // Stripe sends events only to a site set up for them: without the secret the site is
    // misconfigured (503), and Stripe retries once it is not.
    let secret = config::stripe_webhook_secret(&ctx.env)?;
    let body = io::read_bytes(&mut req).await?;
    let header = req.headers().get("stripe-signature")?;
    let now_ms = crate::now_ms();
    let verified =
        signatures::verify(header.as_deref(), &body, &secret, now_ms / 1_000, TOLERANCE_SECONDS);
    record_webhook(ctx, now_ms, verified.err().map(|e| e.to_string())).await;
    verified?;
    let event: Event =
        serde_json::from_slice(&body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;

    let Some((page, paid)) = event.paid_checkout(&ctx.config.site_id) else {
        return io::json(&serde_json::json!({ "received": true, "counted": false }));
    };
    let page = PageRef::new(&ctx.config.site_id, page);
    let recorded = PageClient::new(&ctx.env, page)?.record_reward(paid).await?;
    let version = recorded.state.version;
    io::json(
        &serde_json::json!({ "received": true, "counted": recorded.counted, "version": version }),
    )
}

/// Records what a webhook did, for the console's health screen: every one with a good
/// signature (Stripe's own, a handful per payment), and refused ones at most once a minute
/// per isolate, since anyone can send those. A failure to record fails nothing.
async fn record_webhook(ctx: &Ctx, at: i64, refused: Option<String>) {
    thread_local! {
        static LAST_REFUSED: std::cell::Cell<i64> = const { std::cell::Cell::new(i64::MIN) };
    }
    if refused.is_some() {
        if LAST_REFUSED.get() > at - REFUSED_RECORDED_EVERY_MS {
            return;
        }
        LAST_REFUSED.set(at);
    }
    let recorded = match SiteClient::new(&ctx.env, &ctx.config.site_id) {
        Ok(site) => site.webhook_seen(at, refused).await,
        Err(e) => Err(e),
    };
    if let Err(e) = recorded {
        worker::console_error!("webhook: recording it failed: {e}");
    }
}

/// How often an isolate records a refused webhook, at most.
const REFUSED_RECORDED_EVERY_MS: i64 = 60_000;
