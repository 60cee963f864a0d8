//! Stripe's API, the one call kudos makes: create a Checkout Session (`POST
//! /v1/checkout/sessions`, form-encoded, authorised with the secret key). The base URL comes
//! from configuration: Stripe's own by default, a local stand-in in tests.

use crate::config;
use crate::error::ApiError;
use kudos_core::ErrorCode;
use kudos_core::stripe::metadata;
use kudos_core::wire::CheckoutStarted;
use serde::Deserialize;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

pub struct Stripe {
    base: String,
    secret_key: String,
}

/// What a Checkout Session for a reward says.
pub struct Checkout<'a> {
    pub site: &'a str,
    pub page: &'a str,
    pub amount: u64,
    pub currency: &'a str,
    /// Shown on Stripe's page as what is paid for.
    pub description: &'a str,
    pub name: &'a str,
    pub message: &'a str,
    pub anonymous: bool,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

#[derive(Deserialize)]
struct Session {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct StripeError {
    error: StripeErrorDetail,
}

#[derive(Deserialize)]
struct StripeErrorDetail {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
}

impl Stripe {
    pub fn from_env(env: &Env, base: &str) -> Result<Self, ApiError> {
        let secret_key = config::stripe_secret_key(env).map_err(|_| {
            ApiError::reject(
                ErrorCode::RewardsUnavailable,
                "rewards through Stripe are not set up on this site",
            )
        })?;
        Ok(Stripe { base: base.to_owned(), secret_key })
    }

    pub async fn create_checkout(
        &self,
        checkout: &Checkout<'_>,
    ) -> Result<CheckoutStarted, ApiError> {
        let amount = checkout.amount.to_string();
        let anonymous = if checkout.anonymous { "true" } else { "false" };
        let form: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("mode", "payment")
            .append_pair("line_items[0][quantity]", "1")
            .append_pair("line_items[0][price_data][currency]", checkout.currency)
            .append_pair("line_items[0][price_data][unit_amount]", &amount)
            .append_pair("line_items[0][price_data][product_data][name]", checkout.description)
            .append_pair("success_url", checkout.success_url)
            .append_pair("cancel_url", checkout.cancel_url)
            .append_pair(&meta(metadata::SITE), checkout.site)
            .append_pair(&meta(metadata::PAGE), checkout.page)
            .append_pair(&meta(metadata::NAME), checkout.name)
            .append_pair(&meta(metadata::MESSAGE), checkout.message)
            .append_pair(&meta(metadata::ANONYMOUS), anonymous)
            .finish();
        let headers = Headers::new();
        headers.set("authorization", &format!("Bearer {}", self.secret_key))?;
        headers.set("content-type", "application/x-www-form-urlencoded")?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(form.into()));
        let request =
            Request::new_with_init(&format!("{}/v1/checkout/sessions", self.base), &init)?;
        let unavailable = || {
            ApiError::reject(
                ErrorCode::PaymentProviderUnavailable,
                "the payment provider cannot be reached; nothing was charged",
            )
        };
        let mut resp = match Fetch::Request(request).send().await {
            Ok(resp) => resp,
            Err(e) => {
                worker::console_error!("stripe: request failed: {e}");
                return Err(unavailable());
            }
        };
        let text = resp.text().await.map_err(|_| unavailable())?;
        if !(200..300).contains(&resp.status_code()) {
            // Log what kind of refusal it was, never the request (it holds the reader's text).
            let detail = serde_json::from_str::<StripeError>(&text).ok();
            let (kind, code) = detail.map(|d| (d.error.kind, d.error.code)).unwrap_or_default();
            worker::console_error!("stripe: {} {:?} {:?}", resp.status_code(), kind, code);
            return Err(unavailable());
        }
        let session: Session = serde_json::from_str(&text).map_err(|_| unavailable())?;
        let url = session.url.ok_or_else(unavailable)?;
        Ok(CheckoutStarted { url, session: session.id })
    }
}

/// The form field of a Checkout Session metadata key.
fn meta(key: &str) -> String {
    format!("metadata[{key}]")
}
