//! The API's route table. It is plain data so that a native test can hold it against
//! `openapi.yaml`: a route missing from the spec, or a spec path the router lacks, fails it.

/// Every API endpoint. The handler for each is chosen in `api::dispatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    PageView,
    SetLike,
    Counts,
    Challenge,
    Pass,
    ListComments,
    Replies,
    CreateComment,
    EditComment,
    DeleteComment,
    LikeComment,
    FlagComment,
    PendingComments,
    Preview,
    AdminListComments,
    AdminComment,
    AdminImport,
    AdminExport,
    AdminModerateComment,
    AdminDeleteComment,
    StartCheckout,
    RewardStatus,
    StripeWebhook,
    SendNote,
    AdminRewards,
    AdminModerateReward,
    AdminNotes,
    AdminReadNote,
    /// Signing the console in: the one route under `/admin/` open without a session,
    /// since it is where the admin token is given.
    AdminSignIn,
    AdminSession,
    AdminSignOut,
    /// Ending every console session, this one too.
    AdminSignOutEverywhere,
    AdminHealth,
    AdminPages,
    AdminClosePage,
    /// Moving a page to another id (a post whose address changed).
    AdminMovePage,
    AdminLedger,
    AdminActivity,
    AdminPageSettings,
    AdminBans,
    AdminBan,
    AdminUnban,
    AdminRules,
    AdminSetRules,
    AdminTrusted,
    AdminTrust,
    AdminAudit,
    /// The pages behind the links in reply emails, and what their buttons (or a mail
    /// client's one-click unsubscribe) do.
    EmailLinkPage,
    EmailLinkAct,
    /// The page behind a held comment's action link (in the owner's notification), and
    /// what its button does.
    ActLinkPage,
    ActLinkAct,
    /// Atom feeds of published comments (a page's or the site's) and of supporters.
    CommentsFeed,
    SupportersFeed,
    /// The site's recent activity, for the `data-kudos-recent` embed.
    Recent,
    /// A page's changes as they happen, over a WebSocket.
    Live,
    /// A deliberately naive KV read-modify-write counter, compiled only into the benchmark
    /// build so `cargo xtask bench` can show what it loses under concurrency.
    #[cfg(feature = "bench-naive")]
    NaiveLike,
}

impl Route {
    /// Whether the route is the site owner's: `api::dispatch` lets it run only behind the
    /// admin token. Exhaustive, so a new route must say.
    pub fn is_admin(self) -> bool {
        match self {
            Route::AdminListComments
            | Route::AdminComment
            | Route::AdminImport
            | Route::AdminExport
            | Route::AdminModerateComment
            | Route::AdminDeleteComment
            | Route::AdminRewards
            | Route::AdminModerateReward
            | Route::AdminNotes
            | Route::AdminReadNote
            | Route::AdminSession
            | Route::AdminSignOut
            | Route::AdminSignOutEverywhere
            | Route::AdminHealth
            | Route::AdminPages
            | Route::AdminClosePage
            | Route::AdminMovePage
            | Route::AdminLedger
            | Route::AdminActivity
            | Route::AdminPageSettings
            | Route::AdminBans
            | Route::AdminBan
            | Route::AdminUnban
            | Route::AdminRules
            | Route::AdminSetRules
            | Route::AdminTrusted
            | Route::AdminTrust
            | Route::AdminAudit => true,
            Route::Health
            | Route::PageView
            | Route::SetLike
            | Route::Counts
            | Route::Challenge
            | Route::Pass
            | Route::ListComments
            | Route::Replies
            | Route::CreateComment
            | Route::EditComment
            | Route::DeleteComment
            | Route::LikeComment
            | Route::FlagComment
            | Route::PendingComments
            | Route::Preview
            | Route::StartCheckout
            | Route::RewardStatus
            | Route::StripeWebhook
            | Route::SendNote
            | Route::EmailLinkPage
            | Route::EmailLinkAct
            | Route::ActLinkPage
            | Route::ActLinkAct
            | Route::CommentsFeed
            | Route::SupportersFeed
            | Route::Recent
            | Route::Live
            | Route::AdminSignIn => false,
            #[cfg(feature = "bench-naive")]
            Route::NaiveLike => false,
        }
    }
}

pub const API_PREFIX: &str = "/api/v1";

/// (method, path below `/api/v1`, route). Paths may hold `{param}` segments.
pub const ROUTES: &[(&str, &str, Route)] = &[
    ("GET", "/health", Route::Health),
    ("GET", "/page", Route::PageView),
    ("GET", "/page/live", Route::Live),
    ("PUT", "/page/like", Route::SetLike),
    ("GET", "/counts", Route::Counts),
    ("POST", "/visitor/challenge", Route::Challenge),
    ("POST", "/visitor/pass", Route::Pass),
    ("GET", "/page/comments", Route::ListComments),
    ("POST", "/page/comments", Route::CreateComment),
    ("POST", "/page/comments/pending", Route::PendingComments),
    ("GET", "/page/comments/{id}/replies", Route::Replies),
    ("PATCH", "/page/comments/{id}", Route::EditComment),
    ("DELETE", "/page/comments/{id}", Route::DeleteComment),
    ("PUT", "/page/comments/{id}/like", Route::LikeComment),
    ("PUT", "/page/comments/{id}/flag", Route::FlagComment),
    ("POST", "/preview", Route::Preview),
    ("GET", "/admin/comments", Route::AdminListComments),
    ("POST", "/admin/comments", Route::AdminComment),
    ("POST", "/admin/import", Route::AdminImport),
    ("GET", "/admin/export", Route::AdminExport),
    ("PATCH", "/admin/comments/{id}", Route::AdminModerateComment),
    ("DELETE", "/admin/comments/{id}", Route::AdminDeleteComment),
    ("POST", "/rewards/checkout", Route::StartCheckout),
    ("GET", "/rewards/status", Route::RewardStatus),
    ("POST", "/stripe/webhook", Route::StripeWebhook),
    ("POST", "/notes", Route::SendNote),
    ("GET", "/admin/rewards", Route::AdminRewards),
    ("PATCH", "/admin/rewards/{id}", Route::AdminModerateReward),
    ("GET", "/admin/notes", Route::AdminNotes),
    ("POST", "/admin/notes/{id}/read", Route::AdminReadNote),
    ("POST", "/admin/session", Route::AdminSignIn),
    ("GET", "/admin/session", Route::AdminSession),
    ("DELETE", "/admin/session", Route::AdminSignOut),
    ("DELETE", "/admin/sessions", Route::AdminSignOutEverywhere),
    ("GET", "/admin/health", Route::AdminHealth),
    ("GET", "/admin/pages", Route::AdminPages),
    ("PATCH", "/admin/pages", Route::AdminClosePage),
    ("POST", "/admin/pages/move", Route::AdminMovePage),
    ("PUT", "/admin/pages/settings", Route::AdminPageSettings),
    ("GET", "/admin/ledger", Route::AdminLedger),
    ("GET", "/admin/activity", Route::AdminActivity),
    ("GET", "/admin/bans", Route::AdminBans),
    ("POST", "/admin/bans", Route::AdminBan),
    ("DELETE", "/admin/bans/{id}", Route::AdminUnban),
    ("GET", "/admin/rules", Route::AdminRules),
    ("PUT", "/admin/rules", Route::AdminSetRules),
    ("GET", "/admin/trusted", Route::AdminTrusted),
    ("PUT", "/admin/trusted", Route::AdminTrust),
    ("GET", "/admin/audit", Route::AdminAudit),
    ("GET", "/feed/comments", Route::CommentsFeed),
    ("GET", "/feed/supporters", Route::SupportersFeed),
    ("GET", "/recent", Route::Recent),
    ("GET", "/email/confirm", Route::EmailLinkPage),
    ("POST", "/email/confirm", Route::EmailLinkAct),
    ("GET", "/email/unsubscribe", Route::EmailLinkPage),
    ("POST", "/email/unsubscribe", Route::EmailLinkAct),
    ("GET", "/act", Route::ActLinkPage),
    ("POST", "/act", Route::ActLinkAct),
    #[cfg(feature = "bench-naive")]
    ("PUT", "/_bench/naive-like", Route::NaiveLike),
    #[cfg(feature = "bench-naive")]
    ("GET", "/_bench/naive-like", Route::NaiveLike),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    Found(Route, Vec<(&'static str, String)>),
    /// The path exists with other methods (listed for the `Allow` header).
    WrongMethod(Vec<&'static str>),
    NotFound,
}

/// Finds the route for a method and a full request path. A path is first matched to its
/// most specific pattern (a fixed segment beats a `{param}` in the same place, so
/// `/page/comments/pending` is never a comment named "pending"), then the method must be
/// one that pattern declares; anything else (`HEAD`, `QUERY`, ...) is `WrongMethod`.
pub fn resolve(method: &str, path: &str) -> Resolved {
    let Some(rest) = path.strip_prefix(API_PREFIX) else { return Resolved::NotFound };
    let matches: Vec<_> = ROUTES
        .iter()
        .filter_map(|&(m, pattern, route)| {
            match_path(pattern, rest).map(|params| (m, pattern, route, params))
        })
        .collect();
    let Some(best) = matches.iter().map(|(_, pattern, ..)| specificity(pattern)).max() else {
        return Resolved::NotFound;
    };
    let mut allow = Vec::new();
    for (m, pattern, route, params) in matches {
        if specificity(pattern) != best {
            continue;
        }
        if m == method {
            return Resolved::Found(route, params);
        }
        allow.push(m);
    }
    Resolved::WrongMethod(allow)
}

/// Which segments of a pattern are fixed, left to right: more fixed, earlier, wins.
fn specificity(pattern: &str) -> Vec<bool> {
    pattern.split('/').map(|segment| !segment.starts_with('{')).collect()
}

/// The methods a path takes, for CORS preflights.
pub fn methods_for(path: &str) -> Vec<&'static str> {
    match resolve("\0", path) {
        Resolved::WrongMethod(allow) => allow,
        _ => Vec::new(),
    }
}

fn match_path(pattern: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut params = Vec::new();
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') && !g.is_empty() => {
                params.push((&w[1..w.len() - 1], g.to_owned()));
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_known_route_resolves() {
        assert_eq!(resolve("GET", "/api/v1/page"), Resolved::Found(Route::PageView, vec![]));
    }

    #[test]
    fn only_declared_methods_are_answered() {
        assert_eq!(resolve("HEAD", "/api/v1/counts"), Resolved::WrongMethod(vec!["GET"]));
        assert_eq!(resolve("QUERY", "/api/v1/admin/notes"), Resolved::WrongMethod(vec!["GET"]));
        assert_eq!(resolve("get", "/api/v1/counts"), Resolved::WrongMethod(vec!["GET"]));
    }

    #[test]
    fn a_fixed_segment_is_never_taken_for_a_parameter() {
        assert_eq!(
            resolve("PATCH", "/api/v1/page/comments/pending"),
            Resolved::WrongMethod(vec!["POST"])
        );
        assert_eq!(
            resolve("DELETE", "/api/v1/page/comments/pending"),
            Resolved::WrongMethod(vec!["POST"])
        );
    }

    #[test]
    fn a_known_path_with_the_wrong_method_lists_the_right_ones() {
        assert_eq!(resolve("POST", "/api/v1/page/like"), Resolved::WrongMethod(vec!["PUT"]));
        assert_eq!(methods_for("/api/v1/page/like"), ["PUT"]);
    }

    #[test]
    fn unknown_paths_and_other_prefixes_are_not_found() {
        assert_eq!(resolve("GET", "/api/v1/nope"), Resolved::NotFound);
        assert_eq!(resolve("GET", "/api/v2/page"), Resolved::NotFound);
        assert_eq!(resolve("GET", "/api/v1/page/"), Resolved::NotFound);
    }

    #[test]
    fn a_fixed_segment_wins_over_a_parameter_for_its_method() {
        assert_eq!(
            resolve("POST", "/api/v1/page/comments/pending"),
            Resolved::Found(Route::PendingComments, vec![])
        );
        assert_eq!(
            resolve("PATCH", "/api/v1/page/comments/0123abcd-1"),
            Resolved::Found(Route::EditComment, vec![("id", "0123abcd-1".to_owned())])
        );
    }

    #[test]
    fn path_parameters_are_captured() {
        assert_eq!(match_path("/c/{id}", "/c/42"), Some(vec![("id", "42".to_owned())]));
        assert_eq!(match_path("/c/{id}", "/c/"), None);
    }

    fn spec() -> serde_norway::Value {
        serde_norway::from_str(include_str!("../openapi.yaml")).expect("openapi.yaml parses")
    }

    /// Reads `paths:` from the OpenAPI document: each path and the HTTP methods under it.
    fn spec_routes() -> BTreeSet<(String, String)> {
        let spec = spec();
        assert_eq!(spec["openapi"].as_str(), Some("3.1.0"));
        let paths = spec["paths"].as_mapping().expect("openapi.yaml has paths");
        let mut routes = BTreeSet::new();
        for (path, item) in paths {
            let path = path.as_str().unwrap();
            for (method, _) in item.as_mapping().unwrap() {
                let method = method.as_str().unwrap();
                if ["get", "put", "post", "patch", "delete"].contains(&method) {
                    routes.insert((method.to_uppercase(), path.to_owned()));
                }
            }
        }
        routes
    }

    #[test]
    fn the_spec_serves_its_paths_under_the_api_prefix_once() {
        assert_eq!(spec()["servers"][0]["url"].as_str(), Some(API_PREFIX));
        assert!(spec_routes().iter().all(|(_, path)| !path.starts_with(API_PREFIX)));
    }

    #[test]
    fn the_router_and_openapi_yaml_name_the_same_routes() {
        let router: BTreeSet<(String, String)> =
            ROUTES.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
        let spec = spec_routes();
        let missing_from_spec: Vec<_> = router.difference(&spec).collect();
        let missing_from_router: Vec<_> = spec.difference(&router).collect();
        assert!(
            missing_from_spec.is_empty(),
            "routes missing from openapi.yaml: {missing_from_spec:?}"
        );
        assert!(
            missing_from_router.is_empty(),
            "openapi.yaml routes the router lacks: {missing_from_router:?}"
        );
    }

    #[test]
    fn the_spec_lists_exactly_the_error_codes_the_server_sends() {
        let spec = spec();
        let listed: BTreeSet<String> = spec["components"]["schemas"]["Error"]["properties"]["error"]
            ["properties"]["code"]["enum"]
            .as_sequence()
            .expect("the Error schema lists its codes")
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        let sent: BTreeSet<String> = kudos_core::ErrorCode::SENT
            .iter()
            .map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_owned())
            .collect();
        assert_eq!(listed, sent);
    }

    #[test]
    fn exactly_the_paths_under_admin_need_the_admin_token_but_signing_in() {
        for (method, path, route) in ROUTES {
            let sign_in = (*method, *path) == ("POST", "/admin/session");
            assert_eq!(route.is_admin(), path.starts_with("/admin/") && !sign_in, "{path}");
        }
    }
}
