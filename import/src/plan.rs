//! Plans an import. A [`Planner`] is the parser's [`Sink`]: it checks each comment as it
//! is read (its id, its size, that no other has its id), names its page and keeps it in a
//! [`Store`]. Then each page is planned on its own from its comments' [`Shape`]s alone
//! (deleted comments kept only where they hold up replies, replies whose parent is not on
//! the page kept as comments, parents before their replies), and its comments are read
//! back from the store a batch at a time as they are sent.
//!
//! The store is the console's [`Memory`], or the command line's file on disk: what a plan
//! holds in memory at once is one page's shapes and one batch, however large the file.

use crate::report::Report;
use crate::send::page_requests;
use crate::store::{Kept, Memory, Shape, Store};
use crate::{Format, ImportError, Item, MAX_BODY_BYTES, Map, Problem, Sink, Skip};
use kudos_core::PageId;
use kudos_core::wire::{
    ImportBatch, ImportItem, ImportStatus, ImportedPage, ImportedReward, MAX_IMPORT_BATCH,
    MAX_IMPORT_BYTES, MAX_IMPORT_ID_CHARS,
};
use std::collections::{HashMap, HashSet};

/// The most comments one page of a file may hold, and the most rewards: far past any real
/// page (a site keeps 5,000 comments a page unless its owner says otherwise), and a bound
/// on what planning one page holds in memory (about 100 bytes a comment).
pub const MAX_PAGE_ITEMS: usize = 100_000;

/// Checks and keeps each record a parser reads (it is the parser's [`Sink`]); then
/// [`Planner::finish`] plans every page.
pub struct Planner<'m, S> {
    store: S,
    map: &'m Map,
    report: Report,
    /// [`MAX_PAGE_ITEMS`], but in tests.
    page_items: usize,
}

impl<'m, S: Store> Planner<'m, S> {
    /// Pages are named through `map`, then made canonical.
    pub fn new(store: S, map: &'m Map) -> Self {
        Planner { store, map, report: Report::default(), page_items: MAX_PAGE_ITEMS }
    }

    fn named(&self, page: &str) -> Option<PageId> {
        PageId::parse(&self.map.apply(page)).ok()
    }

    /// Plans every page once, to count what the file holds: the report is whole.
    pub fn finish(self) -> Result<Planned<S>, ImportError> {
        let mut planned = Planned { store: self.store, report: self.report, after: None };
        while let Some(page) = planned.next_page()? {
            let report = &mut planned.report;
            report.pages += usize::from(!page.is_empty());
            report.rewards += page.rewards.len();
            report.orphans += page.orphans;
            for skip in page.skipped {
                report.skip(skip);
            }
            let replies = page.order.iter().filter(|s| s.parent.is_some()).count();
            report.replies += replies;
            report.comments += page.order.len() - replies;
        }
        planned.rewind();
        Ok(planned)
    }
}

impl<S: Store> Sink for Planner<'_, S> {
    fn item(&mut self, item: Item) -> Result<(), ImportError> {
        let (id, at) = (item.id.clone(), item.at.clone());
        let problem = |why: String| Problem { id: id.clone(), at: at.clone(), why };
        if !kudos_core::wire::import_id_ok(&item.id) {
            let why = format!("its id is empty, over {MAX_IMPORT_ID_CHARS} characters or not text");
            self.report.problem(problem(why));
            return Ok(());
        }
        if item.body.len() > MAX_BODY_BYTES {
            let why = format!(
                "its text is {} KiB; kudos keeps comments of at most {} KiB",
                item.body.len() >> 10,
                MAX_BODY_BYTES >> 10
            );
            self.report.problem(problem(why));
            return Ok(());
        }
        // What it takes to send, with room for the fields of fixed size.
        let text = (&item.body, &item.extra.text, &item.name, &item.website, &item.email);
        let size = serde_json::to_string(&text).map_or(usize::MAX, |s| s.len());
        if size > MAX_IMPORT_BYTES - 8_192 {
            let why = format!(
                "it takes {} KiB to send; one request holds at most {} KiB",
                size >> 10,
                MAX_IMPORT_BYTES >> 10
            );
            self.report.problem(problem(why));
            return Ok(());
        }
        let Some(page) = self.named(&item.page) else {
            self.report.skip(Skip { id: item.id, why: "its page cannot be named".into() });
            return Ok(());
        };
        let problem = match self.store.keep(&page, &at, sendable(item))? {
            Kept::New(n) if n == self.page_items + 1 => problem(format!(
                "its page {page} has more than {} comments in this file: \
                 import it in parts",
                self.page_items
            )),
            Kept::New(_) => return Ok(()),
            Kept::Again(first) => problem(format!("its id is also the one at {first}")),
        };
        self.report.problem(problem);
        Ok(())
    }

    fn skip(&mut self, skip: Skip) -> Result<(), ImportError> {
        self.report.skip(skip);
        Ok(())
    }

    fn page(&mut self, page: String, state: ImportedPage) -> Result<(), ImportError> {
        match self.named(&page) {
            Some(named) => self.store.keep_settings(&named, state),
            None => self.skip(Skip { id: page, why: "its page cannot be named".into() }),
        }
    }

    fn reward(&mut self, page: String, reward: ImportedReward) -> Result<(), ImportError> {
        let Some(named) = self.named(&page) else {
            return self.skip(Skip { id: reward.session, why: "its page cannot be named".into() });
        };
        let id = reward.session.clone();
        if self.store.keep_reward(&named, reward)? == self.page_items + 1 {
            let why = format!(
                "its page {named} has more than {} rewards in this file: import it in parts",
                self.page_items
            );
            self.report.problem(Problem { id, at: String::new(), why });
        }
        Ok(())
    }

    fn note(&mut self, table: &'static str, key: String, value: String) -> Result<(), ImportError> {
        self.store.note(table, &key, &value)
    }

    fn noted(&mut self, table: &'static str, key: &str) -> Result<Option<String>, ImportError> {
        self.store.noted(table, key)
    }
}

/// An item as it is sent (its time in Unix milliseconds, not before 1970).
fn sendable(i: Item) -> ImportItem {
    ImportItem {
        id: i.id,
        parent: i.parent,
        name: i.name,
        website: i.website,
        email: i.email,
        created_at: i.created_at.max(0) as u64,
        status: i.status,
        markup: i.markup,
        body: i.body,
        likes: i.likes,
        text: i.extra.text,
        edited_at: i.extra.edited_at.map(|at| at.max(0) as u64),
        by_owner: i.extra.by_owner,
        seq: i.extra.seq,
        origin: i.extra.origin,
        author: i.extra.author,
    }
}

/// A file read and planned: its report, and its pages one at a time.
pub struct Planned<S> {
    pub store: S,
    pub report: Report,
    /// The last page [`Planned::next_page`] gave.
    after: Option<PageId>,
}

/// One page's plan: its comments' shapes in the order they are sent, parents first.
#[derive(Debug, Clone, PartialEq)]
pub struct PageOrder {
    pub page: PageId,
    pub order: Vec<Shape>,
    pub settings: Option<ImportedPage>,
    pub rewards: Vec<ImportedReward>,
    /// Replies kept as comments: their parent is not on the page, or is in a loop.
    pub orphans: usize,
    /// Deleted comments left out: nothing replies to them.
    pub skipped: Vec<Skip>,
}

impl PageOrder {
    /// Whether the file gives the page nothing (its only comments were deleted ones left
    /// out): nothing is sent for it.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty() && self.settings.is_none() && self.rewards.is_empty()
    }

    /// What readers and the owner will find on the page from this file (see
    /// [`by_status`]).
    pub fn by_status(&self) -> String {
        by_status(&self.page, self.order.iter().map(|s| s.status), self.rewards.len())
    }
}

impl<S: Store> Planned<S> {
    /// The next page's plan (the first, after [`Planned::rewind`]).
    pub fn next_page(&mut self) -> Result<Option<PageOrder>, ImportError> {
        let Some(page) = self.store.page_after(self.after.as_ref())? else {
            return Ok(None);
        };
        self.after = Some(page.clone());
        let (order, orphans, skipped) = order(self.store.shapes(&page)?);
        Ok(Some(PageOrder {
            order,
            orphans,
            skipped,
            settings: self.store.settings(&page)?,
            rewards: self.store.rewards(&page)?,
            page,
        }))
    }

    /// Starts again from the first page.
    pub fn rewind(&mut self) {
        self.after = None;
    }

    /// `page`'s comments, `keys` of them, in its order, with their parents as planned.
    pub fn items(&mut self, page: &[Shape]) -> Result<Vec<ImportItem>, ImportError> {
        let keys: Vec<u64> = page.iter().map(|s| s.key).collect();
        let mut items = self.store.items(&keys)?;
        for (item, shape) in items.iter_mut().zip(page) {
            item.parent.clone_from(&shape.parent);
        }
        Ok(items)
    }

    /// The requests that import `page`, its comments read from the store a batch at a
    /// time (see [`requests`]).
    pub fn requests<'a>(
        &'a mut self,
        page: &'a PageOrder,
        format: Format,
    ) -> impl Iterator<Item = Result<ImportBatch, ImportError>> + 'a {
        let chunks = page.order.chunks(MAX_IMPORT_BATCH).map(|chunk| self.items(chunk));
        page_requests(&page.page, format, chunks, &page.rewards, page.settings.as_ref())
    }
}

/// One page's shapes (in the order kept) planned: deleted comments left out unless a kept
/// comment replies to them, replies to what is not on the page made comments, the rest
/// oldest first with each parent before its replies (walking each thread from its top); a
/// reply in a loop of parents (a broken file) becomes a comment. Answers the order, how
/// many replies became comments, and what was left out.
pub fn order(mut shapes: Vec<Shape>) -> (Vec<Shape>, usize, Vec<Skip>) {
    // A deleted comment stays (as a placeholder) only while a kept comment replies to it.
    let parent_of: HashMap<&str, Option<&str>> =
        shapes.iter().map(|s| (s.id.as_str(), s.parent.as_deref())).collect();
    let mut needed: HashSet<String> = HashSet::new();
    for shape in shapes.iter().filter(|s| s.status != ImportStatus::Deleted) {
        let mut at = shape.parent.as_deref();
        while let Some(id) = at {
            if !needed.insert(id.to_owned()) {
                break;
            }
            at = parent_of.get(id).copied().flatten();
        }
    }
    drop(parent_of);
    let mut skipped = Vec::new();
    shapes.retain(|s| {
        let keep = s.status != ImportStatus::Deleted || needed.contains(&s.id);
        if !keep {
            skipped.push(Skip { id: s.id.clone(), why: "deleted, with no replies".into() });
        }
        keep
    });
    shapes.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut orphans = 0;
    let ids: HashSet<&str> = shapes.iter().map(|s| s.id.as_str()).collect();
    let missing: Vec<bool> =
        shapes.iter().map(|s| s.parent.as_deref().is_some_and(|p| !ids.contains(p))).collect();
    drop(ids);
    for (shape, missing) in shapes.iter_mut().zip(missing) {
        if missing {
            shape.parent = None;
            orphans += 1;
        }
    }
    let mut replies: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (n, shape) in shapes.iter().enumerate() {
        match &shape.parent {
            Some(parent) => replies.entry(parent.as_str()).or_default().push(n),
            None => roots.push(n),
        }
    }
    let mut order = Vec::with_capacity(shapes.len());
    let mut placed = vec![false; shapes.len()];
    let walk = |start: usize, order: &mut Vec<usize>, placed: &mut Vec<bool>| {
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            if placed[n] {
                continue;
            }
            placed[n] = true;
            order.push(n);
            if let Some(children) = replies.get(shapes[n].id.as_str()) {
                stack.extend(children.iter().rev());
            }
        }
    };
    for root in roots {
        walk(root, &mut order, &mut placed);
    }
    let mut looped = Vec::new();
    for n in 0..shapes.len() {
        if !placed[n] {
            looped.push(n);
            walk(n, &mut order, &mut placed);
        }
    }
    drop(replies);
    let mut shapes: Vec<Option<Shape>> = shapes.into_iter().map(Some).collect();
    for n in looped {
        if let Some(shape) = shapes[n].as_mut() {
            shape.parent = None;
            orphans += 1;
        }
    }
    let order = order.into_iter().filter_map(|n| shapes[n].take()).collect();
    (order, orphans, skipped)
}

/// One page's comments, parents before their replies.
#[derive(Debug, Clone, PartialEq)]
pub struct PagePlan {
    pub page: PageId,
    pub items: Vec<ImportItem>,
    pub settings: Option<ImportedPage>,
    pub rewards: Vec<ImportedReward>,
}

impl PagePlan {
    /// What readers and the owner will find on the page from this file (see
    /// [`by_status`]).
    pub fn by_status(&self) -> String {
        by_status(&self.page, self.items.iter().map(|i| i.status), self.rewards.len())
    }
}

/// What readers and the owner will find on a page from a file: how many of its comments
/// arrive in each state, as kudos names them (`/posts/a: 12 published, 2 pending`).
fn by_status(
    page: &PageId,
    statuses: impl Iterator<Item = ImportStatus>,
    rewards: usize,
) -> String {
    use ImportStatus::*;
    let states = [
        (Approved, "published"),
        (Pending, "pending"),
        (Spam, "spam"),
        (Hidden, "hidden"),
        (Deleted, "deleted (kept under their replies)"),
    ];
    let mut counts = [0usize; 5];
    for status in statuses {
        counts[states.iter().position(|(s, _)| *s == status).unwrap_or(0)] += 1;
    }
    let mut said: Vec<String> = states
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|((_, name), n)| format!("{n} {name}"))
        .collect();
    if rewards > 0 {
        said.push(format!("{rewards} rewards"));
    }
    if said.is_empty() {
        said.push("its likes and settings".into());
    }
    format!("{page}: {}", said.join(", "))
}

/// A whole file planned in memory (the console's, and tests').
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub pages: Vec<PagePlan>,
    pub report: Report,
}

impl Plan {
    /// The report, then each page with what it receives: what a dry run shows.
    pub fn dry_run(&self) -> String {
        let mut out = self.report.summary();
        for page in &self.pages {
            out.push_str(&format!("\n  {}", page.by_status()));
        }
        out
    }
}

/// Plans the import of `parsed` in memory: pages named through `map` and made canonical,
/// each planned as [`order`] says.
pub fn plan(parsed: crate::Parsed, map: &Map) -> Plan {
    let mut planner = Planner::new(Memory::default(), map);
    // Memory keeps everything it is given: nothing here fails.
    let _ = parsed.send_to(&mut planner);
    let Ok(mut planned) = planner.finish() else { return Plan::default() };
    let mut pages = Vec::new();
    while let Ok(Some(page)) = planned.next_page() {
        if page.is_empty() {
            continue;
        }
        let items = planned.items(&page.order).unwrap_or_default();
        let PageOrder { page, settings, rewards, .. } = page;
        pages.push(PagePlan { page, items, settings, rewards });
    }
    Plan { pages, report: planned.report }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Extra, ImportMarkup, MAX_LISTED, Parsed};

    fn item(id: &str, parent: Option<&str>, status: ImportStatus, at: i64) -> Item {
        Item {
            id: id.into(),
            page: "https://blog.example/posts/a/".into(),
            parent: parent.map(str::to_owned),
            name: String::new(),
            website: None,
            email: None,
            created_at: at,
            status,
            markup: ImportMarkup::Html,
            body: format!("<p>{id}</p>"),
            likes: 0,
            extra: Extra::default(),
            at: format!("line {at}"),
        }
    }

    #[test]
    fn a_plan_puts_parents_first_keeps_deleted_comments_only_under_replies_and_names_pages() {
        let parsed = Parsed {
            items: vec![
                // A reply older than its parent (clocks differ): still after it.
                item("reply", Some("top"), ImportStatus::Approved, 1),
                item("top", None, ImportStatus::Approved, 2),
                item("gone", None, ImportStatus::Deleted, 3),
                item("holder", None, ImportStatus::Deleted, 4),
                item("under-holder", Some("holder"), ImportStatus::Approved, 5),
                item("orphan", Some("missing"), ImportStatus::Approved, 6),
                item("a", Some("b"), ImportStatus::Approved, 7),
                item("b", Some("a"), ImportStatus::Approved, 8),
            ],
            skipped: vec![],
            ..Parsed::default()
        };
        let plan = plan(parsed, &Map::default());
        assert_eq!(plan.pages.len(), 1);
        assert_eq!(plan.pages[0].page.as_str(), "/posts/a");
        let order: Vec<&str> = plan.pages[0].items.iter().map(|i| i.id.as_str()).collect();
        let at = |id| order.iter().position(|i| *i == id).unwrap();
        assert!(at("top") < at("reply") && at("holder") < at("under-holder"), "{order:?}");
        assert!(!order.contains(&"gone"));
        assert_eq!(
            plan.report.skipped,
            [Skip { id: "gone".into(), why: "deleted, with no replies".into() }]
        );
        assert_eq!(plan.report.orphans, 2, "the missing parent and the loop");
        let looped: Vec<_> =
            plan.pages[0].items.iter().filter(|i| i.id == "a" || i.id == "b").collect();
        assert_eq!(looped.iter().filter(|i| i.parent.is_none()).count(), 1);
        assert_eq!((plan.report.comments, plan.report.replies), (4, 3));
    }

    #[test]
    fn a_deleted_comment_whose_only_reply_is_on_another_page_is_left_out() {
        let mut elsewhere = item("elsewhere", Some("holder"), ImportStatus::Approved, 2);
        elsewhere.page = "/posts/b/".into();
        let parsed = Parsed {
            items: vec![item("holder", None, ImportStatus::Deleted, 1), elsewhere],
            ..Parsed::default()
        };
        let plan = plan(parsed, &Map::default());
        let pages: Vec<(&str, usize)> =
            plan.pages.iter().map(|p| (p.page.as_str(), p.items.len())).collect();
        assert_eq!(pages, [("/posts/b", 1)], "no placeholder with nothing under it");
        assert_eq!((plan.report.orphans, plan.report.skips.values().sum::<usize>()), (1, 1));
    }

    #[test]
    fn a_page_with_more_comments_or_rewards_than_a_plan_holds_is_a_problem_and_reports_stay_short()
    {
        let mut report = Report::default();
        for n in 0..MAX_LISTED + 5 {
            report.skip(Skip { id: n.to_string(), why: "a pingback or trackback".into() });
            report.problem(Problem { id: n.to_string(), at: String::new(), why: "bad".into() });
        }
        assert_eq!((report.skipped.len(), report.problems.len()), (MAX_LISTED, MAX_LISTED));
        let summary = report.summary();
        assert!(summary.contains("1005 skipped") && summary.contains("and 5 more"), "{summary}");
        assert!(summary.contains(&format!("{} problems", MAX_LISTED + 5)));

        let map = Map::default();
        let mut planner = Planner::new(Memory::default(), &map);
        planner.page_items = 3;
        for n in 0..5 {
            planner.item(item(&format!("c{n}"), None, ImportStatus::Approved, 1)).unwrap();
            let reward = ImportedReward {
                session: format!("cs_{n}"),
                event: String::new(),
                amount: 100,
                currency: "eur".into(),
                name: String::new(),
                message: String::new(),
                anonymous: false,
                message_hidden: false,
                at: 5 - n,
            };
            planner.reward("/posts/a/".into(), reward).unwrap();
        }
        let mut planned = planner.finish().unwrap();
        assert_eq!(planned.report.problem_count, 2, "{}", planned.report.summary());
        assert!(planned.report.problems[0].why.contains("more than 3 comments"));
        assert!(planned.report.problems[1].why.contains("more than 3 rewards"));
        let page = planned.next_page().unwrap().unwrap();
        let times: Vec<u64> = page.rewards.iter().map(|r| r.at).collect();
        assert_eq!(times, [1, 2, 3, 4, 5], "oldest first");
    }
}
