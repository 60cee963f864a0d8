//! Stripe's webhook signatures, as Stripe documents them: the `Stripe-Signature` header is
//! `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...][,v0=...]`, and each `v1` is the
//! HMAC-SHA256, keyed with the endpoint's signing secret, of `"<t>.<raw body>"`. A payload
//! is genuine when any `v1` matches (compared in constant time) and `t` is within the
//! tolerance of now. Also the shapes of the events kudos acts on.

use crate::PageId;
use crate::comment::DisplayName;
use crate::reward::parse_message;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;

/// How far a signature's timestamp may be from now, in seconds (Stripe's own default).
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoSignature,
    #[error("no signature matches the payload")]
    Mismatch,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
}

/// Which of Stripe's modes a secret key is for, from its documented form (`sk_live_`,
/// `sk_test_`, and `rk_` for restricted keys): `live`, `test`, `off` without a key, and
/// `unknown` for a key of neither form.
pub fn mode(secret_key: Option<&str>) -> &'static str {
    match secret_key.map(str::trim) {
        None | Some("") => "off",
        Some(key) if key.starts_with("sk_live_") || key.starts_with("rk_live_") => "live",
        Some(key) if key.starts_with("sk_test_") || key.starts_with("rk_test_") => "test",
        Some(_) => "unknown",
    }
}

/// Checks a webhook payload against its `Stripe-Signature` header.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secret: &str,
    now_seconds: i64,
    tolerance_seconds: i64,
) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.trim().split_once('=').ok_or(SignatureError::Malformed)?;
        match key {
            "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            "v1" => {
                signatures.push(crate::visitor::from_hex(value).ok_or(SignatureError::Malformed)?)
            }
            _ => {} // v0 (test-mode legacy) and future schemes are ignored, as Stripe advises.
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    let expected = mac_for(secret, timestamp, payload).finalize().into_bytes();
    // Check every signature, so timing says nothing about which one matched.
    let matched = signatures.iter().fold(false, |found, sig| {
        let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_slice(), sig.as_slice()).into();
        found | same
    });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now_seconds - timestamp).abs() > tolerance_seconds {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// The header Stripe would send for `payload` at `timestamp` (for tests and the local
/// stand-in for Stripe).
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let signature = mac_for(secret, timestamp, payload).finalize().into_bytes();
    format!("t={timestamp},v1={}", crate::visitor::to_hex(&signature))
}

fn mac_for(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// A Stripe event (`{"id":"evt_...","type":"...","data":{"object":{...}}}`), with the
/// object kudos reads when the event is about a Checkout Session.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// The fields of a Checkout Session that kudos uses.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    pub amount_total: Option<u64>,
    pub currency: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// What an event means for kudos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A payment that is confirmed: count it.
    Paid,
    /// Anything else (not yet paid, failed, expired, or not a Checkout event): acknowledge
    /// and ignore.
    Ignore,
}

/// The Checkout Session metadata kudos writes when it starts a checkout and reads back from
/// the signed webhook.
pub mod metadata {
    pub const SITE: &str = "kudos_site";
    pub const PAGE: &str = "kudos_page";
    pub const NAME: &str = "name";
    pub const MESSAGE: &str = "message";
    pub const ANONYMOUS: &str = "anonymous";
}

/// A payment Stripe confirmed for a page of this site, from a verified event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidCheckout {
    pub event: String,
    pub session: String,
    pub amount: u64,
    /// Lowercase, as Stripe writes it.
    pub currency: String,
    pub name: DisplayName,
    pub message: String,
    pub anonymous: bool,
}

impl Event {
    /// The page and the payment, when this event confirms a paid Checkout Session that
    /// kudos started for `site`. Anything else (other events, other sites, sessions
    /// without kudos's metadata) is `None`: acknowledged and ignored. The page id is the
    /// canonical one kudos wrote into the metadata (and Stripe signed); texts that no longer
    /// parse are dropped rather than refusing the money.
    pub fn paid_checkout(&self, site: &str) -> Option<(PageId, PaidCheckout)> {
        let (Outcome::Paid, Some(session)) = self.outcome() else { return None };
        let text = |key: &str| session.metadata.get(key).map(String::as_str);
        if text(metadata::SITE) != Some(site) {
            return None;
        }
        let page = PageId::from_canonical(text(metadata::PAGE)?).ok()?;
        let paid = PaidCheckout {
            event: self.id.clone(),
            amount: session.amount_total?,
            currency: session.currency.as_deref()?.to_ascii_lowercase(),
            name: DisplayName::parse(text(metadata::NAME).unwrap_or_default())
                .unwrap_or_else(|_| DisplayName::parse("").expect("an empty name is valid")),
            message: parse_message(text(metadata::MESSAGE)).unwrap_or_default(),
            anonymous: text(metadata::ANONYMOUS) == Some("true"),
            session: session.id,
        };
        Some((page, paid))
    }

    /// Whether this event confirms a payment, and the session it is about.
    pub fn outcome(&self) -> (Outcome, Option<CheckoutSession>) {
        let session = serde_json::from_value::<CheckoutSession>(self.data.object.clone()).ok();
        let paid = session.as_ref().is_some_and(|s| s.payment_status == "paid");
        let outcome = match self.kind.as_str() {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" if paid => {
                Outcome::Paid
            }
            _ => Outcome::Ignore,
        };
        (outcome, session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keys_form_says_its_mode() {
        assert_eq!(mode(Some("sk_live_abc")), "live");
        assert_eq!(mode(Some("rk_test_abc")), "test");
        assert_eq!(mode(Some(" sk_test_abc ")), "test");
        assert_eq!(mode(None), "off");
        assert_eq!(mode(Some("")), "off");
        assert_eq!(mode(Some("pk_live_abc")), "unknown", "a publishable key is no secret key");
    }

    const SECRET: &str = "whsec_test_secret";
    const PAYLOAD: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const NOW: i64 = 1_700_000_000;

    /// HMAC-SHA256 keyed "whsec_test_secret" of "1700000000." + PAYLOAD, computed
    /// independently with `openssl dgst -sha256 -hmac whsec_test_secret`, per Stripe's
    /// documented scheme.
    const VECTOR: &str = "a13d4b1f9003bc2fb6c06224e878b6056185eaa50d40e1e7dc05517f8af41d7b";

    fn check(header: &str) -> Result<(), SignatureError> {
        verify(Some(header), PAYLOAD, SECRET, NOW, TOLERANCE_SECONDS)
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_payload() {
        assert_eq!(sign(SECRET, NOW, PAYLOAD), format!("t={NOW},v1={VECTOR}"));
        assert_eq!(check(&format!("t={NOW},v1={VECTOR}")), Ok(()));
    }

    #[test]
    fn a_valid_signature_is_accepted() {
        assert_eq!(check(&sign(SECRET, NOW, PAYLOAD)), Ok(()));
    }

    #[test]
    fn a_signature_made_with_another_secret_is_rejected() {
        assert_eq!(check(&sign("whsec_other", NOW, PAYLOAD)), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_tampered_payload_is_rejected() {
        let header = sign(SECRET, NOW, PAYLOAD);
        let tampered = br#"{"id":"evt_1","type":"checkout.session.completed","x":1}"#;
        assert_eq!(
            verify(Some(&header), tampered, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_stale_or_future_timestamp_is_rejected() {
        assert_eq!(check(&sign(SECRET, NOW - 301, PAYLOAD)), Err(SignatureError::Stale));
        assert_eq!(check(&sign(SECRET, NOW + 301, PAYLOAD)), Err(SignatureError::Stale));
        assert_eq!(check(&sign(SECRET, NOW - 300, PAYLOAD)), Ok(()), "300 s is within");
    }

    #[test]
    fn any_matching_v1_among_several_is_enough() {
        let good = sign(SECRET, NOW, PAYLOAD);
        let good_sig = good.split("v1=").nth(1).unwrap();
        let header = format!("t={NOW},v1={},v1={good_sig},v0={}", "ab".repeat(32), "cd".repeat(32));
        assert_eq!(check(&header), Ok(()));
        let none = format!("t={NOW},v1={},v1={}", "ab".repeat(32), "ef".repeat(32));
        assert_eq!(check(&none), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_timestamp_changed_after_signing_is_rejected() {
        let header =
            sign(SECRET, NOW, PAYLOAD).replace(&format!("t={NOW}"), &format!("t={}", NOW + 1));
        assert_eq!(check(&header), Err(SignatureError::Mismatch));
    }

    #[test]
    fn malformed_headers_are_rejected() {
        assert_eq!(verify(None, PAYLOAD, SECRET, NOW, 300), Err(SignatureError::Missing));
        assert_eq!(check(""), Err(SignatureError::Missing));
        for bad in [
            "garbage",
            "t=abc,v1=00",
            "v1=00ff",
            &format!("t={NOW},v1=xyz"),
            &format!("t={NOW},v1=abc"),
        ] {
            assert_eq!(check(bad), Err(SignatureError::Malformed), "{bad}");
        }
        assert_eq!(
            check(&format!("t={NOW},v0={}", "ab".repeat(32))),
            Err(SignatureError::NoSignature)
        );
    }

    fn event(kind: &str, payment_status: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "id": "evt_1", "object": "event", "type": kind,
            "data": { "object": {
                "id": "cs_test_1", "object": "checkout.session", "payment_status": payment_status,
                "amount_total": 500, "currency": "usd", "metadata": { "page": "/posts/a" }
            }}
        }))
        .unwrap()
    }

    #[test]
    fn a_completed_paid_session_counts() {
        let (outcome, session) = event("checkout.session.completed", "paid").outcome();
        assert_eq!(outcome, Outcome::Paid);
        let session = session.unwrap();
        assert_eq!(
            (session.amount_total, session.metadata["page"].as_str()),
            (Some(500), "/posts/a")
        );
    }

    #[test]
    fn a_completed_but_unpaid_session_waits_for_its_async_payment() {
        assert_eq!(event("checkout.session.completed", "unpaid").outcome().0, Outcome::Ignore);
        assert_eq!(
            event("checkout.session.async_payment_succeeded", "paid").outcome().0,
            Outcome::Paid
        );
        assert_eq!(
            event("checkout.session.async_payment_failed", "unpaid").outcome().0,
            Outcome::Ignore
        );
        assert_eq!(event("checkout.session.expired", "unpaid").outcome().0, Outcome::Ignore);
    }

    #[test]
    fn a_paid_session_of_this_site_maps_to_its_page_and_payment() {
        let paid = |metadata: serde_json::Value| {
            let event: Event = serde_json::from_value(serde_json::json!({
                "id": "evt_9", "type": "checkout.session.completed",
                "data": { "object": {
                    "id": "cs_test_9", "payment_status": "paid", "amount_total": 700,
                    "currency": "EUR", "metadata": metadata
                }}
            }))
            .unwrap();
            event.paid_checkout("site")
        };
        let (page, reward) = paid(serde_json::json!({
            "kudos_site": "site", "kudos_page": "/posts/a", "name": " Ada\u{202E} ",
            "message": "thanks", "anonymous": "true"
        }))
        .unwrap();
        assert_eq!(page.as_str(), "/posts/a");
        assert_eq!((reward.event.as_str(), reward.session.as_str()), ("evt_9", "cs_test_9"));
        assert_eq!((reward.amount, reward.currency.as_str()), (700, "eur"));
        assert_eq!((reward.name.as_str(), reward.message.as_str()), ("Ada", "thanks"));
        assert!(reward.anonymous);
        let name_too_long = paid(serde_json::json!({
            "kudos_site": "site", "kudos_page": "/posts/a", "name": "n".repeat(80)
        }));
        assert_eq!(name_too_long.unwrap().1.name.as_str(), "", "the money still counts");
        for other in [
            serde_json::json!({ "kudos_site": "other", "kudos_page": "/posts/a" }),
            serde_json::json!({ "kudos_page": "/posts/a" }),
            serde_json::json!({ "kudos_site": "site", "kudos_page": "/posts/a/" }),
            serde_json::json!({ "kudos_site": "site" }),
        ] {
            assert_eq!(paid(other.clone()), None, "{other}");
        }
    }
}
