//! The comments section: the form for a new comment, the reader's own comments awaiting
//! approval, the sort order, the threads, and "load more".

use super::comment_form::CommentForm;
use super::comment_item::CommentItem;
use crate::context::use_widget;
use kudos_core::comment::Order;
use kudos_core::wire::{Comment, Thread};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[function_component(Comments)]
pub fn comments() -> Html {
    let widget = use_widget();
    let t = widget.t();
    let state = &widget.state;
    let discussion = &state.discussion;

    let on_order = {
        let widget = widget.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(Some(order)) = Order::parse(Some(&value)) {
                widget.list(order, None);
            }
        })
    };
    let on_more = {
        let widget = widget.clone();
        Callback::from(move |_: MouseEvent| {
            let list = &widget.state.discussion.list;
            widget.list(list.order, list.next.clone());
        })
    };
    let order = discussion.list.order;
    let option = |value: Order, name: &'static str, label: &'static str| {
        html! { <option value={name} selected={order == value}>{ label }</option> }
    };

    html! {
        <section class="comments" aria-labelledby="kudos-comments-heading">
            <h2 id="kudos-comments-heading">{ t.comments_heading }</h2>
            if state.closed_at(js_sys::Date::now()) {
                <p class="closed" role="note">{ t.closed }</p>
            } else {
                <CommentForm reply_to={None::<AttrValue>} />
            }
            if !discussion.pending.is_empty() {
                <ol class="pending">
                    { for discussion.pending.iter().map(|c| html! {
                        <CommentItem key={c.id.clone()} comment={c.clone()} />
                    }) }
                </ol>
            }
            <div class="toolbar">
                <label>
                    { t.sort }{ " " }
                    <select onchange={on_order} disabled={discussion.listing}>
                        { option(Order::Newest, "newest", t.newest) }
                        { option(Order::Oldest, "oldest", t.oldest) }
                        { option(Order::Top, "top", t.top) }
                    </select>
                </label>
            </div>
            if discussion.list.threads.is_empty() {
                <p class="empty">{ t.no_comments }</p>
            }
            <ol class="threads" aria-busy={discussion.listing.to_string()}>
                { for discussion.list.threads.iter().map(|thread| html! {
                    <ThreadView key={thread.comment.id.clone()} thread={thread.clone()} />
                }) }
            </ol>
            if discussion.list.next.is_some() {
                <button type="button" class="more" onclick={on_more} disabled={discussion.listing}>{ t.load_more }</button>
            }
            <p class="visually-hidden" aria-live="polite" role="status">{ state.announcement.clone() }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ThreadProps {
    thread: Thread,
}

/// A top-level comment with its replies nested under their parents.
#[function_component(ThreadView)]
fn thread_view(props: &ThreadProps) -> Html {
    let widget = use_widget();
    let t = widget.t();
    let replies = widget.state.replies_of(&props.thread);
    let hidden =
        props.thread.reply_count as usize - replies.len().min(props.thread.reply_count as usize);
    let on_all = {
        let (widget, root) = (widget.clone(), props.thread.comment.id.clone());
        Callback::from(move |_: MouseEvent| widget.load_replies(root.clone()))
    };
    html! {
        <>
            { tree(&props.thread.comment, replies) }
            if hidden > 0 {
                <li class="all-replies">
                    <button type="button" class="link" onclick={on_all}>
                        { t.show_replies.replace("{n}", &props.thread.reply_count.to_string()) }
                    </button>
                </li>
            }
        </>
    }
}

/// A comment and, nested below it, its replies among `replies` (a thread's replies,
/// oldest first; a thread shows at most a few hundred, so a scan per level is cheap).
fn tree(comment: &Comment, replies: &[Comment]) -> Html {
    let mut children =
        replies.iter().filter(|r| r.parent.as_deref() == Some(&comment.id)).peekable();
    let nested = children.peek().is_some().then(|| {
        html! { <ol class="replies">{ for children.map(|c| tree(c, replies)) }</ol> }
    });
    html! {
        <CommentItem key={comment.id.clone()} comment={comment.clone()}>
            { for nested }
        </CommentItem>
    }
}
