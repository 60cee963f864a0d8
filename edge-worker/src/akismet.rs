//! Asking Akismet of a new comment (`POST /1.1/comment-check`, as Akismet documents it),
//! when the site has an `AKISMET_KEY`. What the answer means, and how it joins the site's
//! own screening, is `kudos_core::moderation::akismet`; this module only sends.

use crate::bindings::{secrets, vars};
use crate::config::setting;
use kudos_core::moderation::akismet::{self, Check};
use std::time::Duration;
use worker::{Env, Headers, Method, Request, RequestInit};

/// How long Akismet has to answer before the comment is held for review instead.
const TIMEOUT: Duration = Duration::from_secs(3);

pub struct Akismet {
    key: String,
    base: String,
}

impl Akismet {
    /// The site's Akismet, if it has a key.
    pub fn of(env: &Env) -> Option<Akismet> {
        let key = setting(env, secrets::AKISMET_KEY)?;
        let base = setting(env, vars::AKISMET_API_BASE)
            .unwrap_or_else(|| "https://rest.akismet.com".into())
            .trim_end_matches('/')
            .to_owned();
        Some(Akismet { key, base })
    }

    /// Whether Akismet calls the comment spam; an error when it gave no answer in time.
    pub async fn is_spam(&self, check: &Check<'_>) -> Result<bool, String> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(check.form(&self.key))
            .finish();
        let headers = Headers::new();
        let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
        set("content-type", "application/x-www-form-urlencoded")?;
        set("user-agent", "kudos/1 | Akismet")?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
        let url = format!("{}/1.1/comment-check", self.base);
        let request = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
        let mut resp = crate::notify::fetch_in(request, TIMEOUT).await?;
        let text = resp.text().await.map_err(|e| e.to_string())?;
        akismet::is_spam(resp.status_code(), &text)
    }
}
