//! Where the site's messages go, as the deployment sets it up: the owner's notification
//! channels (`Channels`: webhook, Slack, Discord, Telegram, email) and the reader emails'
//! sender (`Mailer`: Resend's API, key and sender, and the caps on what it sends). Read
//! here with the rest of the configuration; `notify` and `email` only send.

use super::is_loopback;
use crate::bindings::{self, secrets, vars};
use kudos_core::limits::Budget;
use kudos_core::notify::{self, Channel, Event, Wants};
use worker::{Env, SendEmail};

/// One channel as the deployment sets it up.
#[derive(Debug, Clone)]
pub struct Setup {
    pub channel: Channel,
    /// Where to send (for Telegram, its `sendMessage` method with the bot token in it).
    pub(crate) url: String,
    pub wants: Wants,
    /// A daily digest instead of a message per event.
    pub digest: bool,
    /// The webhook's signing secret.
    pub(crate) secret: String,
    /// Telegram's chat.
    pub(crate) chat: String,
    /// The email channel's binding, sender and recipient.
    pub(crate) email: Option<OwnerEmail>,
}

impl Setup {
    /// A channel that posts to a stand-in address (native tests).
    #[cfg(test)]
    pub fn for_tests(channel: Channel, wants: Wants, digest: bool) -> Setup {
        Setup {
            channel,
            url: "https://hooks.example/x".into(),
            wants,
            digest,
            secret: "whsec".into(),
            chat: String::new(),
            email: None,
        }
    }
}

/// Email to the owner: Cloudflare's `send_email` binding (Email Routing sends only to
/// addresses verified there), from an address on the site's domain.
#[derive(Debug, Clone)]
pub struct OwnerEmail {
    pub(crate) binding: SendEmail,
    pub(crate) from: String,
    pub(crate) to: String,
}

/// Every channel set up, what is wrong with the settings, and the site's address for
/// links.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    pub setups: Vec<Setup>,
    pub problems: Vec<String>,
    pub digest_hour: u32,
    /// A day; tests shorten it.
    pub digest_period_ms: i64,
    pub first_retry_ms: i64,
    pub(crate) site_url: String,
    /// What a held comment's action links are signed with (none without the secrets).
    pub act_key: Option<Vec<u8>>,
}

/// A setting, from a secret or a variable of that name; `None` when empty.
pub fn setting(env: &Env, name: &str) -> Option<String> {
    let value =
        env.secret(name).map(|s| s.to_string()).or_else(|_| env.var(name).map(|v| v.to_string()));
    value.ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A service's address: `https`, or `http` to this machine (a local stand-in).
fn address(raw: &str) -> Result<String, &'static str> {
    let url = url::Url::parse(raw).map_err(|_| "is not a URL")?;
    match url.scheme() {
        "https" => Ok(raw.to_owned()),
        "http" if is_loopback(&url) => Ok(raw.to_owned()),
        _ => Err("must be https"),
    }
}

impl Channels {
    pub fn read(env: &Env) -> Channels {
        let mut out = Channels {
            digest_hour: setting(env, vars::NOTIFY_DIGEST_HOUR)
                .and_then(|h| h.parse().ok())
                .filter(|h| *h < 24)
                .unwrap_or(8),
            digest_period_ms: setting(env, vars::NOTIFY_DIGEST_PERIOD_MS)
                .and_then(|ms| ms.parse().ok())
                .filter(|ms| *ms >= 1_000)
                .unwrap_or(notify::DAY_MS),
            first_retry_ms: setting(env, vars::NOTIFY_FIRST_RETRY_MS)
                .and_then(|h| h.parse().ok())
                .filter(|ms| *ms >= 100)
                .unwrap_or(notify::FIRST_RETRY_MS),
            site_url: setting(env, vars::SITE_URL)
                .or_else(|| {
                    setting(env, vars::ALLOWED_ORIGINS)
                        .and_then(|o| super::parse_origins(&o).into_iter().next())
                })
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
            act_key: super::act_key(env).ok(),
            ..Channels::default()
        };
        let digests: Vec<String> = setting(env, vars::NOTIFY_DIGEST)
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        for word in &digests {
            if Channel::parse(word).is_none_or(|c| c == Channel::Webhook) {
                out.problems.push(format!(
                    "NOTIFY_DIGEST has {word:?}: only email, slack, discord and telegram can have a digest"
                ));
            }
        }
        let email = owner_email(env, &mut out.problems);
        for channel in Channel::ALL {
            let (url, secret, chat) = match channel {
                Channel::Webhook => (
                    setting(env, secrets::NOTIFY_WEBHOOK_URL),
                    setting(env, secrets::NOTIFY_WEBHOOK_SECRET),
                    None,
                ),
                Channel::Slack => (setting(env, secrets::SLACK_WEBHOOK_URL), None, None),
                Channel::Discord => (setting(env, secrets::DISCORD_WEBHOOK_URL), None, None),
                Channel::Telegram => {
                    let base = setting(env, vars::TELEGRAM_API_BASE)
                        .unwrap_or_else(|| "https://api.telegram.org".into());
                    let url = setting(env, secrets::TELEGRAM_BOT_TOKEN).map(|token| {
                        format!("{}/bot{token}/sendMessage", base.trim_end_matches('/'))
                    });
                    (url, None, setting(env, vars::TELEGRAM_CHAT_ID))
                }
                Channel::Email => (email.as_ref().map(|_| String::new()), None, None),
            };
            let Some(url) = url else { continue };
            let name = channel.name();
            // Email goes through its binding, not to an address.
            let url = match address(&url) {
                Ok(url) => url,
                Err(_) if channel == Channel::Email => url,
                Err(why) => {
                    out.problems.push(format!("the {name} address {why}"));
                    continue;
                }
            };
            if channel == Channel::Webhook && secret.is_none() {
                out.problems
                    .push("NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET to sign with".into());
                continue;
            }
            if channel == Channel::Telegram && chat.is_none() {
                out.problems.push("TELEGRAM_BOT_TOKEN needs TELEGRAM_CHAT_ID".into());
                continue;
            }
            let events = format!("NOTIFY_{}_EVENTS", name.to_uppercase());
            let wants = match Wants::parse(setting(env, &events).as_deref()) {
                Ok(wants) => wants,
                Err(e) => {
                    out.problems.push(format!("{events}: {e}"));
                    Wants::ALL
                }
            };
            out.setups.push(Setup {
                channel,
                url,
                wants,
                digest: digests.iter().any(|d| d == name),
                secret: secret.unwrap_or_default(),
                chat: chat.unwrap_or_default(),
                email: if channel == Channel::Email { email.clone() } else { None },
            });
        }
        out
    }

    /// The events any channel set up wants.
    pub fn wanted(&self) -> Wants {
        self.setups.iter().fold(Wants::NONE, |all, s| all.or(s.wants))
    }

    /// The blog's address, for links (empty when unknown).
    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    pub fn setup(&self, channel: Channel) -> Option<&Setup> {
        self.setups.iter().find(|s| s.channel == channel)
    }

    /// `event` with its action links, when it is a held comment's and links can be signed.
    pub fn with_actions(&self, event: Event) -> Event {
        match &self.act_key {
            Some(key) => event.with_actions(key),
            None => event,
        }
    }

    pub fn page_url(&self, page: &str) -> String {
        format!("{}{page}", self.site_url)
    }
}

/// The email channel, when `NOTIFY_EMAIL_TO` is set: with its binding and a sender, or a
/// problem saying what is missing.
fn owner_email(env: &Env, problems: &mut Vec<String>) -> Option<OwnerEmail> {
    let to = setting(env, vars::NOTIFY_EMAIL_TO)?;
    let binding = bindings::OWNER_EMAIL;
    let Ok(binding) = env.send_email(binding) else {
        problems.push(format!(
            "NOTIFY_EMAIL_TO needs a [[send_email]] binding named {binding} in wrangler.toml"
        ));
        return None;
    };
    let Some(from) = setting(env, vars::NOTIFY_EMAIL_FROM) else {
        problems.push("NOTIFY_EMAIL_TO needs NOTIFY_EMAIL_FROM, an address on your domain".into());
        return None;
    };
    for (name, value) in [("NOTIFY_EMAIL_TO", &to), ("NOTIFY_EMAIL_FROM", &from)] {
        if kudos_core::email::Address::parse(value).is_none() {
            problems.push(format!("{name} is not an email address"));
            return None;
        }
    }
    Some(OwnerEmail { binding, from, to })
}

/// How this deployment sends email: Resend's API, its key and the sender.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub(crate) api_base: String,
    pub(crate) api_key: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) site_url: String,
    pub(crate) site: String,
    pub(crate) salt: Option<String>,
    pub(crate) first_retry_ms: i64,
    /// Emails one address may get, and confirmations the site may send.
    pub(crate) per_address: Budget,
    pub(crate) confirmations: Budget,
}

impl Mailer {
    /// The mailer as `env` sets it up; links and retries follow `channels` (read once by
    /// the caller).
    pub fn read(env: &Env, channels: &Channels) -> Mailer {
        let limits = super::Limits::read(env);
        let api_base = setting(env, vars::EMAIL_API_BASE)
            .unwrap_or_else(|| "https://api.resend.com".into())
            .trim_end_matches('/')
            .to_owned();
        let safe = url::Url::parse(&api_base)
            .is_ok_and(|u| u.scheme() == "https" || (u.scheme() == "http" && is_loopback(&u)));
        Mailer {
            api_base,
            api_key: setting(env, secrets::RESEND_API_KEY).filter(|_| safe),
            from: setting(env, vars::EMAIL_FROM),
            site_url: channels.site_url().to_owned(),
            site: super::site_id(env),
            salt: setting(env, secrets::VISITOR_SALT),
            first_retry_ms: channels.first_retry_ms,
            per_address: limits.emails_per_address,
            confirmations: limits.confirmation_emails,
        }
    }

    /// A mailer that sends nothing: what a deployment without reply emails has.
    #[cfg(test)]
    pub fn unconfigured(channels: &Channels) -> Mailer {
        let limits = super::Limits::DEFAULT;
        Mailer {
            api_base: String::new(),
            api_key: None,
            from: None,
            site_url: channels.site_url().to_owned(),
            site: String::new(),
            salt: None,
            first_retry_ms: channels.first_retry_ms,
            per_address: limits.emails_per_address,
            confirmations: limits.confirmation_emails,
        }
    }

    /// A mailer set up to send, with these caps.
    #[cfg(test)]
    pub fn for_tests(per_address: Budget, confirmations: Budget) -> Mailer {
        Mailer {
            api_key: Some("re_test".into()),
            from: Some("blog@example.com".into()),
            salt: Some("salt".into()),
            site: "blog".into(),
            per_address,
            confirmations,
            ..Mailer::unconfigured(&Channels::default())
        }
    }

    /// Whether reply emails can be sent at all.
    pub fn configured(&self) -> bool {
        self.api_key.is_some() && self.from.is_some() && self.salt.is_some()
    }

    pub fn salt(&self) -> &[u8] {
        self.salt.as_deref().unwrap_or_default().as_bytes()
    }
}
