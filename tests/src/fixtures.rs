//! Settings that test workers share with the xtask (which includes this file): the admin
//! token every test worker gets, and the author's own ways to be paid that the reward
//! dialog's tests expect.

/// The `ADMIN_TOKEN` of every test worker.
pub const ADMIN_TOKEN: &str = "kudos-test-admin-token";

/// `REWARD_METHODS` for the tests of the reward dialog: a QR code and a link.
pub const REWARD_METHODS: &str = r#"[{"kind":"qr","label":"WeChat Pay","url":"/qr/wechat.svg"},{"kind":"link","label":"Ko-fi","url":"https://ko-fi.com/ada"}]"#;
