//! New visitors: the proof of work that makes a visitor id's writes count. The challenge is
//! stateless (signed and expiring); a solved one is exchanged for the visitor's pass, once
//! per new visitor out of the address's `LIMIT_NEW_VISITORS` budget.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io;
use kudos_core::limits::Action;
use kudos_core::proof::{self, CHALLENGE_TTL_SECONDS};
use kudos_core::wire::{ChallengeReply, ChallengeRequest, PassReply, PassRequest};
use kudos_core::{ErrorCode, VisitorId};
use worker::{Request, Response};

// POST /api/v1/visitor/challenge
pub async fn challenge(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: ChallengeRequest = io::read_json(&mut req).await?;
    let visitor = VisitorId::parse(ask.visitor.as_deref())?;
    let difficulty = ctx.config.proof_difficulty;
    let salt = ctx.salt()?;
    let challenge =
        proof::challenge(salt.as_bytes(), &ctx.config.site_id, &visitor, now_s(), difficulty);
    io::json(&ChallengeReply { challenge, difficulty, expires_in: CHALLENGE_TTL_SECONDS })
}

// POST /api/v1/visitor/pass
/// Checks the solution first (it costs the server one hash), then spends the address's
/// new-visitor budget, then hands out the pass.
pub async fn pass(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: PassRequest = io::read_json(&mut req).await?;
    ctx.writable()?;
    let visitor = VisitorId::parse(ask.visitor.as_deref())?;
    let salt = ctx.salt()?;
    let site = &ctx.config.site_id;
    let checked = proof::verify(
        salt.as_bytes(),
        site,
        &visitor,
        &ask.challenge,
        ask.nonce,
        now_s(),
        ctx.config.proof_difficulty,
    );
    checked.map_err(|e| ApiError::reject(ErrorCode::InvalidProof, e.to_string()))?;
    ctx.spend(&ctx.client(&req)?, Action::NewVisitor).await?;
    io::json(&PassReply { pass: proof::pass(salt.as_bytes(), site, &visitor) })
}

fn now_s() -> u64 {
    worker::Date::now().as_millis() / 1000
}
