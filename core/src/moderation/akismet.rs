//! Akismet, an outside check a site may turn on (`AKISMET_KEY`; off by default, since it
//! sends each new comment and its writer's address to Akismet): the `comment-check`
//! request as Akismet documents it (`POST /1.1/comment-check`, a form of `api_key`,
//! `blog`, `user_ip`, `comment_content`...), what its answer means, and how that joins the
//! site's own screening. Akismet only ever marks a comment as spam; when it cannot answer
//! (down, slow, a key it refuses), the comment is held for review, never published unseen
//! and never lost.

use super::{Action, Screening, Standing, Verdict};

/// The rule a comment Akismet called spam is named by.
pub const AKISMET: &str = "akismet";
/// The rule a comment is held by when Akismet did not answer.
pub const AKISMET_UNANSWERED: &str = "akismet_unanswered";

/// A new comment as Akismet's `comment-check` takes it.
#[derive(Debug, Clone, Default)]
pub struct Check<'a> {
    /// The blog's address (`blog`), and the article's (`permalink`).
    pub blog: &'a str,
    pub permalink: &'a str,
    /// The writer's address and browser, as they reached the worker.
    pub user_ip: &'a str,
    pub user_agent: &'a str,
    pub referrer: &'a str,
    pub author: &'a str,
    pub author_email: Option<&'a str>,
    pub author_url: Option<&'a str>,
    pub content: &'a str,
    /// `reply` for a reply, else `comment`.
    pub reply: bool,
    pub lang: &'a str,
}

impl Check<'_> {
    /// The form fields, in the names Akismet documents (empty ones left out).
    pub fn form(&self, api_key: &str) -> Vec<(&'static str, String)> {
        let kind = if self.reply { "reply" } else { "comment" };
        let fields = [
            ("api_key", api_key),
            ("blog", self.blog),
            ("permalink", self.permalink),
            ("user_ip", self.user_ip),
            ("user_agent", self.user_agent),
            ("referrer", self.referrer),
            ("comment_type", kind),
            ("comment_author", self.author),
            ("comment_author_email", self.author_email.unwrap_or_default()),
            ("comment_author_url", self.author_url.unwrap_or_default()),
            ("comment_content", self.content),
            ("blog_lang", self.lang),
            ("blog_charset", "UTF-8"),
        ];
        fields.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k, v.to_owned())).collect()
    }
}

/// What `comment-check` answered: its status, its body (`true`: spam, `false`: not spam,
/// anything else, such as `invalid` for a key it refuses, is no answer).
pub fn is_spam(status: u16, body: &str) -> Result<bool, String> {
    match (status, body.trim()) {
        (200, "true") => Ok(true),
        (200, "false") => Ok(false),
        (status, body) => Err(format!("{status}: {}", crate::notify::excerpt(body, 100))),
    }
}

impl Screening {
    /// Whether asking Akismet could change what happens to the comment: not for a banned
    /// or shadow-banned reader, nor a comment a rule already marks as spam or refuses
    /// (their data goes to no one, and no call is spent).
    pub fn wants_akismet(&self) -> bool {
        self.standing == Standing::Clear
            && self.verdict.as_ref().is_none_or(|v| v.action < Action::Spam)
    }

    /// The screening with Akismet's word joined in (none: it was not asked): spam marks
    /// the comment as spam and no answer holds it, unless a rule already does more.
    pub fn with_akismet(mut self, said: Option<Result<bool, String>>) -> Screening {
        let verdict = match said {
            None | Some(Ok(false)) => return self,
            Some(Ok(true)) => Verdict { rule: AKISMET.to_owned(), action: Action::Spam },
            Some(Err(_)) => Verdict { rule: AKISMET_UNANSWERED.to_owned(), action: Action::Hold },
        };
        if self.verdict.as_ref().is_none_or(|v| v.action < verdict.action) {
            self.verdict = Some(verdict);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comment::Moderation;
    use crate::moderation::{Decision, decide};
    use crate::thread::Stored;

    #[test]
    fn the_check_sends_what_akismet_documents_and_nothing_empty() {
        let check = Check {
            blog: "https://blog.example",
            permalink: "https://blog.example/posts/a",
            user_ip: "203.0.113.9",
            user_agent: "Mozilla/5.0",
            author: "Ada",
            content: "Hello",
            reply: true,
            lang: "en",
            ..Check::default()
        };
        let form = check.form("key123");
        let get = |name: &str| form.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
        assert_eq!(get("api_key"), Some("key123"));
        assert_eq!(get("user_ip"), Some("203.0.113.9"));
        assert_eq!(get("comment_type"), Some("reply"));
        assert_eq!(get("comment_content"), Some("Hello"));
        assert_eq!(get("comment_author_email"), None, "no address given, none sent");
    }

    #[test]
    fn only_true_and_false_are_answers() {
        assert_eq!(is_spam(200, "true\n"), Ok(true));
        assert_eq!(is_spam(200, "false"), Ok(false));
        assert!(is_spam(200, "invalid").is_err(), "a key Akismet refuses");
        assert!(is_spam(503, "false").is_err());
    }

    #[test]
    fn spam_marks_no_answer_holds_and_a_stronger_rule_stays() {
        let decided = |s: Screening| decide(&s, false, Moderation::Off);
        let spam = Screening::default().with_akismet(Some(Ok(true)));
        let rule = Some(AKISMET.to_owned());
        assert_eq!(decided(spam), Decision::Stored { status: Stored::Spam, rule });
        let down = Screening::default().with_akismet(Some(Err("timeout".into())));
        let rule = Some(AKISMET_UNANSWERED.to_owned());
        assert_eq!(decided(down), Decision::Stored { status: Stored::Pending, rule });
        let ham = Screening::default().with_akismet(Some(Ok(false)));
        assert_eq!(decided(ham), Decision::Stored { status: Stored::Published, rule: None });
        let off = Screening::default().with_akismet(None);
        assert_eq!(off, Screening::default(), "not asked, nothing changes");
        let refused = Verdict { rule: "links".into(), action: Action::Refuse };
        let screening = Screening { verdict: Some(refused.clone()), ..Screening::default() };
        assert!(!screening.wants_akismet(), "a refused comment is not sent");
        assert_eq!(screening.with_akismet(Some(Ok(true))).verdict, Some(refused));
        assert!(Screening::default().wants_akismet());
        let held = Verdict { rule: "first".into(), action: Action::Hold };
        assert!(Screening { verdict: Some(held), ..Screening::default() }.wants_akismet());
        let shadowed = Screening { standing: Standing::Shadowed, ..Screening::default() };
        assert!(!shadowed.wants_akismet(), "a shadow-banned reader's comment is not sent");
    }
}
