//! The comments the reader sees: the listing (first page and any loaded after it), the
//! threads whose replies are all loaded, and the reader's own comments awaiting approval.
//! Its reducer places what the reader posts, applies edits, deletions and like counts to
//! every copy of a comment, and drops placeholders that no longer hold up a reply.

use kudos_core::comment::Order;
use kudos_core::wire::{Comment, CommentPage, CommentStatus, Thread};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discussion {
    /// The comments shown: the first page and any loaded after it.
    pub list: CommentPage,
    /// A listing (another order, the next page) is on its way.
    pub listing: bool,
    /// This reader's comments that wait for approval (only they see them).
    pub pending: Vec<Comment>,
    /// Threads whose every reply has been loaded, by top-level comment id.
    pub all_replies: Vec<(String, Vec<Comment>)>,
}

pub enum CommentAction {
    /// Another order, or the next page, was asked for.
    Listing,
    Listed {
        page: CommentPage,
        append: bool,
    },
    ListFailed,
    PendingLoaded(Vec<Comment>),
    RepliesLoaded {
        root: String,
        replies: Vec<Comment>,
    },
    /// The reader posted a comment.
    Posted(Comment),
    /// An edit or a moderation answer: the comment as it is now (`None`: gone).
    Changed {
        id: String,
        comment: Option<Comment>,
    },
    /// The server's count of a comment's likes.
    LikesCounted {
        id: String,
        likes: u64,
    },
    /// A comment as every reader sees it now, from the page's live connection: changed
    /// where it is shown, placed if it is new and published.
    Live(Comment),
    /// The first page of comments as it is now (after the reader came back to the tab):
    /// each comment in it changed or placed as by `Live`.
    CaughtUp(CommentPage),
}

impl Discussion {
    pub fn reduce(&mut self, action: CommentAction) {
        match action {
            CommentAction::Listing => self.listing = true,
            CommentAction::Listed { page, append } => {
                self.listing = false;
                if append {
                    let seen: Vec<String> =
                        self.list.threads.iter().map(|t| t.comment.id.clone()).collect();
                    self.list
                        .threads
                        .extend(page.threads.into_iter().filter(|t| !seen.contains(&t.comment.id)));
                    self.list.next = page.next;
                } else {
                    self.list = page;
                    self.all_replies.clear();
                }
            }
            CommentAction::ListFailed => self.listing = false,
            // The reader's own unlisted comments: those awaiting approval apart, those kept
            // for them alone in their threads, as when they posted them.
            CommentAction::PendingLoaded(unlisted) => {
                let (shown, waiting): (Vec<Comment>, Vec<Comment>) =
                    unlisted.into_iter().partition(|c| c.status == CommentStatus::Published);
                self.pending = waiting;
                for comment in shown {
                    if !self.holds(&comment.id) {
                        self.insert(comment);
                    }
                }
            }
            CommentAction::RepliesLoaded { root, replies } => {
                self.all_replies.retain(|(id, _)| *id != root);
                self.all_replies.push((root, replies));
            }
            CommentAction::Posted(comment) if self.holds(&comment.id) => {
                self.each_copy(&comment.id.clone(), |c| *c = comment.clone())
            }
            CommentAction::Posted(comment) => self.insert(comment),
            CommentAction::Live(comment) => self.upsert(comment),
            CommentAction::CaughtUp(page) => {
                // Placed one by one, each where a new comment goes: for the newest first,
                // the oldest of them first.
                let threads: Vec<Thread> = match self.list.order {
                    Order::Oldest => page.threads,
                    Order::Newest | Order::Top => page.threads.into_iter().rev().collect(),
                };
                for thread in threads {
                    self.upsert(thread.comment);
                    thread.replies.into_iter().for_each(|r| self.upsert(r));
                }
            }
            CommentAction::Changed { id, comment: Some(comment) } => {
                self.each_copy(&id, |c| *c = comment.clone())
            }
            CommentAction::Changed { id, comment: None } => {
                self.pending.retain(|c| c.id != id);
                self.each_copy(&id, |c| {
                    c.status = CommentStatus::Deleted;
                    c.name.clear();
                    c.html.clear();
                    c.website = None;
                });
                self.prune();
            }
            CommentAction::LikesCounted { id, likes } => self.each_copy(&id, |c| c.likes = likes),
        }
    }

    /// The replies to show in a thread: all of them once loaded, else the first few.
    pub fn replies_of<'a>(&'a self, thread: &'a Thread) -> &'a [Comment] {
        self.loaded_replies(&thread.comment.id).unwrap_or(&thread.replies)
    }

    /// Every reply of the thread under `root`, once loaded.
    fn loaded_replies(&self, root: &str) -> Option<&[Comment]> {
        self.all_replies.iter().find(|(id, _)| id == root).map(|(_, replies)| replies.as_slice())
    }

    /// The comment with this id, if it is shown (or waits for approval) here.
    pub fn find(&self, id: &str) -> Option<&Comment> {
        let listed = (self.list.threads.iter())
            .flat_map(|t| std::iter::once(&t.comment).chain(t.replies.iter()));
        let more = self.all_replies.iter().flat_map(|(_, r)| r.iter()).chain(self.pending.iter());
        listed.chain(more).find(|c| c.id == id)
    }

    fn holds(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    /// A comment as every reader now sees it: changed where shown, placed if new and
    /// published.
    fn upsert(&mut self, comment: Comment) {
        if self.holds(&comment.id) {
            self.each_copy(&comment.id.clone(), |c| *c = comment.clone());
            self.prune();
        } else if comment.status == CommentStatus::Published {
            self.insert(comment);
        }
    }

    /// Applies `change` to every copy of the comment with this id.
    fn each_copy(&mut self, id: &str, change: impl Fn(&mut Comment)) {
        let copies = self
            .list
            .threads
            .iter_mut()
            .flat_map(|t| std::iter::once(&mut t.comment).chain(t.replies.iter_mut()));
        let more = self
            .all_replies
            .iter_mut()
            .flat_map(|(_, r)| r.iter_mut())
            .chain(self.pending.iter_mut());
        copies.chain(more).filter(|c| c.id == id).for_each(change);
    }

    /// Drops placeholders that no longer hold up a reply, as the server does.
    fn prune(&mut self) {
        for thread in &mut self.list.threads {
            let before = thread.replies.len();
            prune_replies(&mut thread.replies);
            thread.reply_count =
                thread.reply_count.saturating_sub((before - thread.replies.len()) as u64);
        }
        self.all_replies.iter_mut().for_each(|(_, replies)| prune_replies(replies));
        let kept: Vec<bool> = (self.list.threads.iter())
            .map(|t| {
                let replies =
                    self.loaded_replies(&t.comment.id).map_or(t.replies.len(), <[_]>::len);
                t.comment.status != CommentStatus::Deleted || replies > 0
            })
            .collect();
        let mut kept = kept.into_iter();
        self.list.threads.retain(|_| kept.next().unwrap_or(true));
    }

    /// Places a comment the reader just posted where it belongs.
    fn insert(&mut self, comment: Comment) {
        if comment.status == CommentStatus::Pending {
            self.pending.push(comment);
            return;
        }
        let Some(parent) = comment.parent.clone() else {
            let thread = Thread { comment, replies: Vec::new(), reply_count: 0 };
            // Below the pinned comment, which stays first.
            let top = self.list.threads.iter().take_while(|t| t.comment.pinned).count();
            match self.list.order {
                Order::Oldest if self.list.next.is_some() => {}
                Order::Oldest => self.list.threads.push(thread),
                Order::Newest | Order::Top => self.list.threads.insert(top, thread),
            }
            return;
        };
        let holds = |list: &[Comment]| list.iter().any(|r| r.id == parent);
        let Some(thread) = (self.list.threads.iter_mut()).find(|t| {
            t.comment.id == parent
                || holds(&t.replies)
                || self.all_replies.iter().any(|(root, all)| *root == t.comment.id && holds(all))
        }) else {
            return;
        };
        thread.reply_count += 1;
        if let Some((_, all)) =
            self.all_replies.iter_mut().find(|(root, _)| *root == thread.comment.id)
        {
            all.push(comment.clone());
        }
        thread.replies.push(comment);
    }
}

/// Removes deleted replies that no reply hangs below, until none is left.
fn prune_replies(replies: &mut Vec<Comment>) {
    loop {
        let parents: Vec<String> = replies.iter().filter_map(|c| c.parent.clone()).collect();
        let before = replies.len();
        replies.retain(|c| c.status != CommentStatus::Deleted || parents.contains(&c.id));
        if replies.len() == before {
            return;
        }
    }
}
