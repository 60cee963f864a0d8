//! Every string the widget shows, per language. Adding a language is one more `Strings`
//! value and one line in [`strings`].

use kudos_core::ErrorCode;

pub struct Strings {
    pub like: &'static str,
    pub unlike: &'static str,
    /// Templates take the count in place of `{n}`.
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
    /// `{n}` seconds.
    pub rate_limited_for: &'static str,
    pub server_error: &'static str,
    pub rejected: &'static str,
    pub comments_heading: &'static str,
    pub comments_one: &'static str,
    pub comments_many: &'static str,
    pub no_comments: &'static str,
    pub sort: &'static str,
    pub newest: &'static str,
    pub oldest: &'static str,
    pub top: &'static str,
    pub load_more: &'static str,
    /// `{n}` replies.
    pub show_replies: &'static str,
    pub anonymous: &'static str,
    /// Announced when another reader's comment arrives; `{name}` is theirs.
    pub new_comment: &'static str,
    /// Announced when a reward is confirmed while the page is open; `{name}`.
    pub new_supporter: &'static str,
    pub edited: &'static str,
    pub awaiting_approval: &'static str,
    pub deleted: &'static str,
    pub removed: &'static str,
    pub reply: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    pub confirm_delete: &'static str,
    pub cancel: &'static str,
    pub save: &'static str,
    pub like_comment: &'static str,
    pub name: &'static str,
    pub website: &'static str,
    pub recent_activity: &'static str,
    pub recent_comments: &'static str,
    pub nothing_yet: &'static str,
    pub email_replies: &'static str,
    pub email_hint: &'static str,
    pub invalid_email: &'static str,
    pub your_comment: &'static str,
    pub your_reply: &'static str,
    pub markdown_hint: &'static str,
    pub preview: &'static str,
    pub back_to_editing: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub posted: &'static str,
    pub posted_pending: &'static str,
    pub not_sent: &'static str,
    pub comment_empty: &'static str,
    pub comment_too_long: &'static str,
    pub name_too_long: &'static str,
    pub invalid_website: &'static str,
    pub duplicate: &'static str,
    pub edit_window_closed: &'static str,
    pub comment_gone: &'static str,
    pub reward: &'static str,
    pub reward_title: &'static str,
    pub amount: &'static str,
    pub other_amount: &'static str,
    pub public_message: &'static str,
    pub stay_anonymous: &'static str,
    pub private_note: &'static str,
    pub private_note_hint: &'static str,
    /// `{amount}`.
    pub pay: &'static str,
    pub send_note: &'static str,
    pub close: &'static str,
    pub other_ways: &'static str,
    pub not_confirmed: &'static str,
    pub amount_invalid: &'static str,
    pub turned_off: &'static str,
    pub page_not_allowed: &'static str,
    pub discussion_full: &'static str,
    pub closed: &'static str,
    pub banned: &'static str,
    pub flag: &'static str,
    pub flag_why: &'static str,
    /// Spam, rude, off topic, other (as `FlagReason::ALL`).
    pub flag_reasons: [&'static str; 4],
    pub flagged: &'static str,
    pub flagged_short: &'static str,
    pub breaks_rule: &'static str,
    pub pinned: &'static str,
    /// Marks the site owner's own comments.
    pub author: &'static str,
    pub too_deep: &'static str,
    pub too_complex: &'static str,
    /// `{amount}`.
    pub amount_min: &'static str,
    pub amount_max: &'static str,
    pub redirecting: &'static str,
    pub note_sent: &'static str,
    pub note_empty: &'static str,
    pub confirming: &'static str,
    /// `{name}`, `{amount}`.
    pub thanks_named: &'static str,
    pub thanks: &'static str,
    pub still_confirming: &'static str,
    pub supporters: &'static str,
    /// `{amount}` from `{n}`.
    pub supported_one: &'static str,
    pub supported_many: &'static str,
    pub payment_unavailable: &'static str,
}

pub const EN: Strings = Strings {
    like: "Like this article",
    unlike: "Remove your like",
    likes_one: "{n} like",
    likes_many: "{n} likes",
    loading: "Loading…",
    load_failed: "Couldn't load likes and comments.",
    retrying: "Trying again shortly.",
    saving_again: "Couldn't save your like yet; trying again…",
    save_failed: "Your like wasn't saved.",
    try_again: "Try again",
    unreachable: "The server can't be reached.",
    rate_limited: "Too many requests; wait a moment.",
    rate_limited_for: "Too many comments; try again in {n} s.",
    server_error: "The server had a problem.",
    rejected: "The server refused the request.",
    comments_heading: "Comments",
    comments_one: "{n} comment",
    comments_many: "{n} comments",
    no_comments: "No comments yet. Be the first.",
    sort: "Sort by",
    newest: "Newest",
    oldest: "Oldest",
    top: "Most liked",
    load_more: "Load more comments",
    show_replies: "Show all {n} replies",
    anonymous: "Anonymous",
    new_comment: "New comment from {name}.",
    new_supporter: "New supporter: {name}.",
    edited: "edited",
    awaiting_approval: "Awaiting approval: only you can see this.",
    deleted: "[deleted]",
    removed: "[removed]",
    reply: "Reply",
    edit: "Edit",
    delete: "Delete",
    confirm_delete: "Really delete",
    cancel: "Cancel",
    save: "Save",
    like_comment: "Like this comment",
    name: "Name",
    website: "Website (optional)",
    recent_activity: "Recent activity on this site",
    recent_comments: "Recent comments",
    nothing_yet: "Nothing here yet.",
    email_replies: "Email me replies (optional)",
    email_hint: "One email to confirm first; never shown; every email has a one-click unsubscribe.",
    invalid_email: "Mail cannot be sent to that address.",
    your_comment: "Your comment",
    your_reply: "Your reply",
    markdown_hint: "Markdown: *emphasis*, **bold**, [links](https://…), `code`, > quotes, - lists.",
    preview: "Preview",
    back_to_editing: "Back to editing",
    send: "Post comment",
    sending: "Posting…",
    posted: "Your comment is posted.",
    posted_pending: "Your comment will appear once it is approved.",
    not_sent: "Your comment wasn't posted; your text is kept.",
    comment_empty: "Write something first.",
    comment_too_long: "That is longer than 10,000 characters.",
    name_too_long: "Names are at most 50 characters.",
    invalid_website: "The website must start with http:// or https://.",
    duplicate: "You just posted this.",
    edit_window_closed: "The time to change this comment is over.",
    comment_gone: "That comment is no longer there.",
    reward: "Reward",
    reward_title: "Reward the author",
    amount: "Amount",
    other_amount: "Other amount",
    public_message: "Public message (optional)",
    stay_anonymous: "Don't show my name",
    private_note: "Private note to the author (optional)",
    private_note_hint: "Only the author can read it, once; then it is destroyed.",
    pay: "Pay {amount}",
    send_note: "Send only the note",
    close: "Close",
    other_ways: "Other ways to support",
    not_confirmed: "Paid these ways, a reward is not confirmed or counted here.",
    amount_invalid: "Enter an amount such as 5 or 7.50.",
    turned_off: "This site has turned this off.",
    page_not_allowed: "Likes and comments are not available on this page.",
    discussion_full: "This discussion is full.",
    closed: "Comments are closed on this page.",
    banned: "The site's owner has stopped you from writing here.",
    flag: "Report",
    flag_why: "Why report this comment?",
    flag_reasons: ["Spam", "Rude", "Off topic", "Other"],
    flagged: "Thank you. The site's owner will look at it.",
    flagged_short: "Reported",
    breaks_rule: "This comment goes against a rule of this site. Change it and try again.",
    pinned: "Pinned",
    author: "Author",
    too_deep: "Quotes and lists can nest only a few levels deep.",
    too_complex: "This comment has too much formatting.",
    amount_min: "The smallest reward is {amount}.",
    amount_max: "The largest reward is {amount}.",
    redirecting: "Taking you to the payment page…",
    note_sent: "Your note is on its way. Only the author can read it, once.",
    note_empty: "Write a note first.",
    confirming: "Confirming your payment…",
    thanks_named: "Thank you, {name}! Your reward of {amount} is confirmed.",
    thanks: "Thank you! Your reward of {amount} is confirmed.",
    still_confirming: "Your payment is still being confirmed; it will show here shortly.",
    supporters: "Supporters",
    supported_one: "{amount} from {n} supporter",
    supported_many: "{amount} from {n} supporters",
    payment_unavailable: "The payment provider can't be reached; nothing was charged.",
};

pub const ZH: Strings = Strings {
    like: "赞这篇文章",
    unlike: "取消点赞",
    likes_one: "{n} 个赞",
    likes_many: "{n} 个赞",
    loading: "加载中…",
    load_failed: "无法加载点赞和评论。",
    retrying: "稍后自动重试。",
    saving_again: "点赞尚未保存，正在重试…",
    save_failed: "点赞未能保存。",
    try_again: "重试",
    unreachable: "无法连接服务器。",
    rate_limited: "请求过于频繁，请稍候。",
    rate_limited_for: "评论过于频繁，请 {n} 秒后再试。",
    server_error: "服务器出错了。",
    rejected: "服务器拒绝了请求。",
    comments_heading: "评论",
    comments_one: "{n} 条评论",
    comments_many: "{n} 条评论",
    no_comments: "还没有评论，来抢沙发吧。",
    sort: "排序",
    newest: "最新",
    oldest: "最早",
    top: "最多赞",
    load_more: "加载更多评论",
    show_replies: "查看全部 {n} 条回复",
    anonymous: "匿名",
    new_comment: "{name} 发表了新评论。",
    new_supporter: "新的支持者：{name}。",
    edited: "已编辑",
    awaiting_approval: "等待审核：只有你能看到。",
    deleted: "[已删除]",
    removed: "[已移除]",
    reply: "回复",
    edit: "编辑",
    delete: "删除",
    confirm_delete: "确认删除",
    cancel: "取消",
    save: "保存",
    like_comment: "赞这条评论",
    name: "昵称",
    website: "网站（可选）",
    recent_activity: "本站最近动态",
    recent_comments: "最新评论",
    nothing_yet: "暂无内容。",
    email_replies: "有人回复时发邮件给我（可选）",
    email_hint: "先发一封确认邮件；地址不会公开；每封邮件都可一键退订。",
    invalid_email: "无法向此地址发送邮件。",
    your_comment: "你的评论",
    your_reply: "你的回复",
    markdown_hint: "支持 Markdown：*斜体*、**粗体**、[链接](https://…)、`代码`、> 引用、- 列表。",
    preview: "预览",
    back_to_editing: "继续编辑",
    send: "发表评论",
    sending: "发送中…",
    posted: "评论已发表。",
    posted_pending: "评论审核通过后将会显示。",
    not_sent: "评论未能发表，内容已保留。",
    comment_empty: "请先写点什么。",
    comment_too_long: "评论不能超过 10,000 个字符。",
    name_too_long: "昵称最多 50 个字符。",
    invalid_website: "网站地址须以 http:// 或 https:// 开头。",
    duplicate: "你刚刚发过这条评论。",
    edit_window_closed: "已超过可修改的时间。",
    comment_gone: "这条评论已不存在。",
    reward: "打赏",
    reward_title: "打赏作者",
    amount: "金额",
    other_amount: "其他金额",
    public_message: "公开留言（可选）",
    stay_anonymous: "不显示我的名字",
    private_note: "给作者的私密留言（可选）",
    private_note_hint: "只有作者能读，且只能读一次，读后即焚。",
    pay: "支付 {amount}",
    send_note: "只发送留言",
    close: "关闭",
    other_ways: "其他支持方式",
    not_confirmed: "通过这些方式的打赏不会在此确认或计入。",
    amount_invalid: "请输入金额，例如 5 或 7.50。",
    turned_off: "本站已关闭此功能。",
    page_not_allowed: "此页面不支持点赞和评论。",
    discussion_full: "此讨论已满。",
    closed: "本页已关闭评论。",
    banned: "站长已禁止你在此发言。",
    flag: "举报",
    flag_why: "为什么举报这条评论？",
    flag_reasons: ["垃圾信息", "不友善", "离题", "其他"],
    flagged: "谢谢，站长会查看。",
    flagged_short: "已举报",
    breaks_rule: "这条评论违反了本站的规则，请修改后再试。",
    pinned: "置顶",
    author: "作者",
    too_deep: "引用和列表的嵌套层数过多。",
    too_complex: "这条评论的格式过于复杂。",
    amount_min: "最少打赏 {amount}。",
    amount_max: "最多打赏 {amount}。",
    redirecting: "正在前往支付页面…",
    note_sent: "留言已送出，只有作者能读一次。",
    note_empty: "请先写留言。",
    confirming: "正在确认支付…",
    thanks_named: "谢谢你，{name}！你的 {amount} 打赏已确认。",
    thanks: "谢谢你！你的 {amount} 打赏已确认。",
    still_confirming: "支付仍在确认中，稍后会显示在这里。",
    supporters: "支持者",
    supported_one: "{n} 位支持者共 {amount}",
    supported_many: "{n} 位支持者共 {amount}",
    payment_unavailable: "无法连接支付服务，没有扣款。",
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
        count(if n == 1 { self.likes_one } else { self.likes_many }, n)
    }

    pub fn comments(&self, n: u64) -> String {
        count(if n == 1 { self.comments_one } else { self.comments_many }, n)
    }

    /// Why a request failed, in words a reader understands: what every failure shown or
    /// announced says.
    pub fn failure(&self, failure: &crate::api::ApiFailure) -> String {
        self.reason(failure.code, failure.retry_after)
    }

    /// Why a request failed, from its code (and how long to wait, for `rate_limited`).
    pub fn reason(&self, code: ErrorCode, retry_after: Option<u64>) -> String {
        use ErrorCode::*;
        match (code, retry_after) {
            (RateLimited, Some(seconds)) => count(self.rate_limited_for, seconds),
            (RateLimited, None) => self.rate_limited.into(),
            (Unreachable | TemporarilyUnavailable, _) => self.unreachable.into(),
            (ActionDisabled, _) => self.turned_off.into(),
            (PageNotAllowed, _) => self.page_not_allowed.into(),
            (PageFull | ThreadFull, _) => self.discussion_full.into(),
            (PageClosed, _) => self.closed.into(),
            (Banned, _) => self.banned.into(),
            (RuleRefused, _) => self.breaks_rule.into(),
            (CommentTooDeep, _) => self.too_deep.into(),
            (CommentTooComplex, _) => self.too_complex.into(),
            (Internal | ServerMisconfigured, _) => self.server_error.into(),
            (CommentEmpty, _) => self.comment_empty.into(),
            (CommentTooLong, _) => self.comment_too_long.into(),
            (NameTooLong, _) => self.name_too_long.into(),
            (InvalidWebsite, _) => self.invalid_website.into(),
            (InvalidEmail, _) => self.invalid_email.into(),
            (DuplicateComment, _) => self.duplicate.into(),
            (EditWindowClosed, _) => self.edit_window_closed.into(),
            (CommentNotFound | ParentNotFound, _) => self.comment_gone.into(),
            (NoteEmpty, _) => self.note_empty.into(),
            (InvalidAmount, _) => self.amount_invalid.into(),
            (PaymentProviderUnavailable | RewardsUnavailable, _) => self.payment_unavailable.into(),
            _ => self.rejected.into(),
        }
    }

    pub fn supported(&self, amount: &str, n: u64) -> String {
        count(if n == 1 { self.supported_one } else { self.supported_many }, n)
            .replace("{amount}", amount)
    }
}

fn count(template: &str, n: u64) -> String {
    template.replace("{n}", &n.to_string())
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
        assert_eq!(EN.comments(3), "3 comments");
    }

    #[test]
    fn a_rate_limit_says_how_long_to_wait() {
        assert_eq!(
            EN.reason(ErrorCode::RateLimited, Some(12)),
            "Too many comments; try again in 12 s."
        );
    }
}
