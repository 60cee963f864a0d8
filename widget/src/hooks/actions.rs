//! What a reader's action does, for the components to call from their callbacks: each
//! talks to the API, remembers what the reader wrote in localStorage, and dispatches the
//! answer to the state. Components keep only what is theirs (a mode, an error to show
//! beside a form) and learn the outcome through the `done` callback they pass.

use crate::api::ApiFailure;
use crate::context::Widget;
use crate::state::{Action, CommentAction, LikeEvent, Target};
use crate::storage::{self, Mine};
use kudos_core::comment::Order;
use kudos_core::wire::{CommentStatus, NewComment, NewReward};
use wasm_bindgen_futures::spawn_local;
use yew::Callback;

/// How an action tells the component that called it how it went: `Ok` with what it made
/// (a preview's HTML; empty otherwise), or `Err` with why not, in the reader's words. One
/// type for every action keeps the widget small.
pub type Done = Callback<Result<String, String>>;

/// What a reader typed to post: who they say they are and their text.
pub struct Writing {
    pub reply_to: Option<String>,
    pub name: String,
    pub website: String,
    /// Where to email replies (empty: no emails).
    pub email: String,
    /// The honeypot field, which only bots fill in.
    pub honeypot: String,
    pub body: String,
}

impl Widget {
    /// Tells screen readers why something failed (through the widget's live region).
    pub fn announce_failure(&self, failure: &ApiFailure) {
        self.announce(self.t().failure(failure));
    }

    /// The reader pressed a like button; `hooks::use_likes` saves it.
    pub fn toggle_like(&self, target: Target) {
        self.dispatch(Action::Like(target, LikeEvent::Toggle));
    }

    /// Loads a page of comments in `order`: the first (replacing the list) or the one after
    /// `cursor` (appended).
    pub fn list(&self, order: Order, cursor: Option<String>) {
        let widget = self.clone();
        widget.dispatch(Action::Comments(CommentAction::Listing));
        spawn_local(async move {
            match widget.client.comments(order, cursor.as_deref()).await {
                Ok(page) => {
                    let append = cursor.is_some();
                    widget.dispatch(Action::Comments(CommentAction::Listed { page, append }))
                }
                Err(failure) => {
                    widget.dispatch(Action::Comments(CommentAction::ListFailed));
                    widget.announce_failure(&failure);
                }
            }
        });
    }

    /// Loads every reply of the thread under `root`.
    pub fn load_replies(&self, root: String) {
        let widget = self.clone();
        spawn_local(async move {
            match widget.client.replies(&root).await {
                Ok(list) => widget.dispatch(Action::Comments(CommentAction::RepliesLoaded {
                    root,
                    replies: list.comments,
                })),
                Err(failure) => widget.announce_failure(&failure),
            }
        });
    }

    /// Renders `body` as the server will: `done` gets the HTML, or why not.
    pub fn preview(&self, body: String, done: Done) {
        let widget = self.clone();
        spawn_local(async move {
            let rendered = widget.client.preview(&body).await;
            done.emit(rendered.map(|r| r.html).map_err(|f| widget.t().failure(&f)));
        });
    }

    /// Keeps what the reader is typing, so a reload or a failed send never loses it.
    pub fn keep_draft(&self, reply_to: Option<&str>, body: String) {
        let page = &self.client.page;
        storage::keep_draft(page, storage::draft_with(page, reply_to, body));
    }

    /// Posts a comment or reply. It goes with the draft's idempotency key, so sending the
    /// same text again (after a failure, a reload) never makes a second comment. `done`
    /// hears whether it was sent.
    pub fn post_comment(&self, writing: Writing, done: Done) {
        let page = self.client.page.clone();
        let reply_to = writing.reply_to.clone();
        let mut draft = storage::draft_with(&page, reply_to.as_deref(), writing.body);
        let key = storage::send_key(&mut draft);
        storage::keep_draft(&page, draft.clone());
        let new = NewComment {
            page: None,
            visitor: Some(storage::visitor().as_str().to_owned()),
            parent: reply_to,
            name: Some(writing.name.clone()),
            website: Some(writing.website.clone()),
            body: draft.body.clone(),
            idempotency_key: Some(key),
            hp: Some(writing.honeypot).filter(|hp| !hp.is_empty()),
            pass: None,
            email: Some(writing.email).filter(|e| !e.trim().is_empty()),
        };
        let widget = self.clone();
        widget.dispatch(Action::Posting(writing.name.clone(), true));
        spawn_local(async move {
            let t = widget.t();
            let answer = widget.client.post_comment(new).await;
            widget.dispatch(Action::Posting(writing.name.clone(), false));
            match answer {
                Ok(created) => {
                    let pending = created.comment.status == CommentStatus::Pending;
                    storage::remember_author(&writing.name, &writing.website);
                    let id = created.comment.id.clone();
                    let (token, until) = (created.edit_token, created.edit_until);
                    let body = draft.body.clone();
                    // Asked for on the next load until the page is seen to publish it.
                    let mine = Mine { id, token, until, body, pending: true };
                    storage::posted(&page, &draft, mine, created.state.version);
                    widget.dispatch(Action::Counted(created.state));
                    widget.dispatch(Action::Comments(CommentAction::Posted(created.comment)));
                    widget.announce(if pending { t.posted_pending } else { t.posted });
                    done.emit(Ok(String::new()));
                }
                Err(failure) => done.emit(Err(format!("{} {}", t.not_sent, t.failure(&failure)))),
            }
        });
    }

    /// Edits (`body`) or deletes (`None`) one of the reader's own comments with this
    /// browser's edit token. `done` gets why not, if it failed.
    pub fn change_comment(&self, mine: Mine, body: Option<String>, done: Done) {
        let widget = self.clone();
        spawn_local(async move {
            let client = &widget.client;
            let id = mine.id.clone();
            let result = match &body {
                Some(body) => client.edit_comment(&id, &mine.token, body).await,
                None => client.delete_comment(&id, &mine.token).await,
            };
            match result {
                Ok(reply) => {
                    let mine = body.map(|body| Mine { body, ..mine });
                    storage::changed(&client.page, &id, mine, reply.state.version);
                    widget.dispatch(Action::Counted(reply.state));
                    let comment = reply.comment;
                    widget.dispatch(Action::Comments(CommentAction::Changed { id, comment }));
                    done.emit(Ok(String::new()));
                }
                Err(failure) => done.emit(Err(widget.t().failure(&failure))),
            }
        });
    }

    /// Flags a comment for the owner's review. `done` gets the thanks, or why not.
    pub fn flag(&self, id: String, reason: kudos_core::wire::FlagReason, done: Done) {
        let widget = self.clone();
        spawn_local(async move {
            let t = widget.t();
            match widget.client.flag(&storage::visitor(), &id, reason).await {
                Ok(_) => {
                    widget.announce(t.flagged);
                    done.emit(Ok(t.flagged.to_owned()));
                }
                Err(failure) => done.emit(Err(t.failure(&failure))),
            }
        });
    }

    /// Starts a Stripe Checkout and sends the reader to it. `done` hears only why not, if
    /// it could not start.
    pub fn checkout(&self, reward: NewReward, done: Done) {
        let widget = self.clone();
        widget.announce(widget.t().redirecting);
        spawn_local(async move {
            let name = reward.name.clone().unwrap_or_default();
            match widget.client.checkout(reward).await {
                Ok(started) => {
                    storage::remember_author(&name, &storage::website());
                    storage::checkout(&widget.client.page, Some(started.session));
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().assign(&started.url);
                    }
                }
                Err(failure) => done.emit(Err(widget.t().failure(&failure))),
            }
        });
    }

    /// Sends the author a read-and-burn note. `done` gets why not, if it failed.
    pub fn send_note(&self, text: String, done: Done) {
        let widget = self.clone();
        spawn_local(async move {
            match widget.client.send_note(&storage::visitor(), &text).await {
                Ok(_) => {
                    widget.announce(widget.t().note_sent);
                    done.emit(Ok(String::new()));
                }
                Err(failure) => done.emit(Err(widget.t().failure(&failure))),
            }
        });
    }
}
