//! Every string the widget shows, per language. Adding a language is one more `Strings`
//! value and one line in [`strings`].

use kudos_core::ErrorCode;

pub struct Strings {
    pub like: &'static str,
    pub unlike: &'static str,
    /// "{n} likes", with the count spliced in by [`Strings::likes`].
    pub likes_one: &'static str,
    pub likes_many: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub retrying: &'static str,
    pub saving_again: &'static str,
    pub save_failed: &'static str,
    pub try_again: &'static str,
    pub unreachable: &'static str,
    pub rate_limited: &'static str,
    pub server_error: &'static str,
    pub rejected: &'static str,
}

pub const EN: Strings = Strings {
    like: "Like this article",
    unlike: "Remove your like",
    likes_one: "{n} like",
    likes_many: "{n} likes",
    loading: "Loading…",
    load_failed: "Couldn't load likes.",
    retrying: "Trying again shortly.",
    saving_again: "Couldn't save your like yet; trying again…",
    save_failed: "Your like wasn't saved.",
    try_again: "Try again",
    unreachable: "The server can't be reached.",
    rate_limited: "Too many requests; wait a moment.",
    server_error: "The server had a problem.",
    rejected: "The server refused the request.",
};

pub const ZH: Strings = Strings {
    like: "赞这篇文章",
    unlike: "取消点赞",
    likes_one: "{n} 个赞",
    likes_many: "{n} 个赞",
    loading: "加载中…",
    load_failed: "无法加载点赞数。",
    retrying: "稍后自动重试。",
    saving_again: "点赞尚未保存，正在重试…",
    save_failed: "点赞未能保存。",
    try_again: "重试",
    unreachable: "无法连接服务器。",
    rate_limited: "请求过于频繁，请稍候。",
    server_error: "服务器出错了。",
    rejected: "服务器拒绝了请求。",
};

/// The strings for a BCP 47 language tag; English when the language is not translated.
pub fn strings(lang: &str) -> &'static Strings {
    let primary = lang.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    match primary.as_str() {
        "zh" => &ZH,
        _ => &EN,
    }
}

impl Strings {
    pub fn likes(&self, n: u64) -> String {
        let template = if n == 1 { self.likes_one } else { self.likes_many };
        template.replace("{n}", &n.to_string())
    }

    /// Why a request failed, in words a reader understands.
    pub fn reason(&self, code: ErrorCode) -> &'static str {
        match code {
            ErrorCode::Unreachable => self.unreachable,
            ErrorCode::RateLimited => self.rate_limited,
            ErrorCode::Internal | ErrorCode::ServerMisconfigured => self.server_error,
            _ => self.rejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_tags_of_any_region_get_chinese() {
        assert_eq!(strings("zh-CN").like, ZH.like);
        assert_eq!(strings("zh_TW").like, ZH.like);
    }

    #[test]
    fn untranslated_languages_get_english() {
        assert_eq!(strings("fr-FR").like, EN.like);
        assert_eq!(strings("").like, EN.like);
    }

    #[test]
    fn the_count_is_spliced_into_the_plural_form() {
        assert_eq!(EN.likes(1), "1 like");
        assert_eq!(EN.likes(3), "3 likes");
    }
}
