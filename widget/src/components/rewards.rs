//! The Reward button and its dialog: an amount (a preset or the reader's own, within the
//! site's limits), an optional name and public message, an optional private note, and
//! Stripe Checkout; beside it, the author's own ways to be paid, which nothing confirms.
//! The dialog is the browser's own modal `<dialog>`: it keeps focus inside, closes on
//! Escape, and gives focus back to the button.

use crate::context::{Widget, use_widget};
use crate::format::money;
use crate::storage;
use kudos_core::reward::{RewardError, RewardOptions, parse_major};
use kudos_core::wire::NewReward;
use web_sys::{HtmlDialogElement, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The dialog's fields, read when the reader acts (see the comment form for why).
#[derive(Default, Clone, PartialEq)]
struct Fields {
    dialog: NodeRef,
    other: NodeRef,
    name: NodeRef,
    message: NodeRef,
    anonymous: NodeRef,
    note: NodeRef,
}

fn value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| node.cast::<HtmlTextAreaElement>().map(|t| t.value()))
        .unwrap_or_default()
}

#[function_component(Rewards)]
pub fn rewards() -> Html {
    let widget = use_widget();
    let fields = use_memo((), |_| Fields::default());
    let options = widget.state.rewards.clone();
    // The preset chosen, or `None` for the reader's own amount.
    let preset = use_state(|| {
        options.as_ref().and_then(|o| o.presets.get(1).or(o.presets.first()).copied())
    });
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let Some(options) = options else { return Html::default() };
    let t = widget.t();
    let show = |minor: u64| money(minor, &options.currency, options.exponent, &widget.lang);

    let on_open = {
        let (fields, error) = (fields.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            if let Some(dialog) = fields.dialog.cast::<HtmlDialogElement>() {
                let _ = dialog.show_modal();
            }
        })
    };
    let on_close = {
        let fields = fields.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(dialog) = fields.dialog.cast::<HtmlDialogElement>() {
                dialog.close();
            }
        })
    };
    let choose = |choice: Option<u64>| {
        let preset = preset.clone();
        Callback::from(move |_: Event| preset.set(choice))
    };
    let on_pay = {
        let (widget, fields, preset, error, busy, options) = (
            widget.clone(),
            fields.clone(),
            preset.clone(),
            error.clone(),
            busy.clone(),
            options.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let amount = match *preset {
                Some(amount) => Ok(amount),
                None => parse_major(&value(&fields.other), options.exponent),
            };
            let amount = match amount.and_then(|a| options.check(a).map(|()| a)) {
                Ok(amount) => amount,
                Err(e) => return error.set(Some(amount_problem(e, &options, &widget))),
            };
            let reward = NewReward {
                page: None,
                visitor: Some(storage::visitor().as_str().to_owned()),
                amount: Some(amount),
                currency: Some(options.currency.clone()),
                name: Some(value(&fields.name)),
                message: Some(value(&fields.message)),
                anonymous: fields.anonymous.cast::<HtmlInputElement>().is_some_and(|c| c.checked()),
                note: Some(value(&fields.note)),
                return_url: web_sys::window().and_then(|w| w.location().href().ok()),
                pass: None,
            };
            busy.set(true);
            error.set(None);
            let (error, busy) = (error.clone(), busy.clone());
            widget.checkout(
                reward,
                Callback::from(move |started: Result<String, String>| {
                    busy.set(false);
                    error.set(started.err());
                }),
            );
        })
    };
    let on_note = {
        let (widget, fields, error) = (widget.clone(), fields.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let (note, error) = (fields.note.clone(), error.clone());
            let done = Callback::from(move |sent: Result<String, String>| match sent {
                Ok(_) => {
                    if let Some(note) = note.cast::<HtmlTextAreaElement>() {
                        note.set_value("");
                    }
                    error.set(None);
                }
                Err(reason) => error.set(Some(reason)),
            });
            widget.send_note(value(&fields.note), done);
        })
    };

    let pay_label = match *preset {
        Some(amount) => t.pay.replace("{amount}", &show(amount)),
        None => t.pay.replace(" {amount}", ""),
    };
    html! {
        <>
            <button type="button" class="reward" aria-haspopup="dialog" onclick={on_open}>{ t.reward }</button>
            <dialog ref={fields.dialog.clone()} class="reward-dialog" aria-labelledby="kudos-reward-title">
                <h2 id="kudos-reward-title">{ t.reward_title }</h2>
                if options.checkout {
                    <fieldset class="amounts">
                        <legend>{ t.amount }</legend>
                        { for options.presets.iter().map(|&amount| html! {
                            <label class="preset">
                                <input type="radio" name="amount" checked={*preset == Some(amount)} onchange={choose(Some(amount))} />
                                { show(amount) }
                            </label>
                        }) }
                        <label class="preset">
                            <input type="radio" name="amount" value="other" checked={preset.is_none()} onchange={choose(None)} />
                            { t.other_amount }
                        </label>
                        <input ref={fields.other.clone()} class="other" inputmode="decimal" autocomplete="off"
                            aria-label={t.other_amount} placeholder={options.currency.to_ascii_uppercase()}
                            onfocus={let preset = preset.clone(); Callback::from(move |_: FocusEvent| preset.set(None))} />
                    </fieldset>
                    <label>{ t.name }
                        <input ref={fields.name.clone()} maxlength="50" autocomplete="nickname" ~defaultValue={storage::name()} />
                    </label>
                    <label>{ t.public_message }
                        <textarea ref={fields.message.clone()} rows="2" maxlength="280" />
                    </label>
                    <label class="check">
                        <input ref={fields.anonymous.clone()} type="checkbox" />{ t.stay_anonymous }
                    </label>
                }
                <label>{ t.private_note }
                    <textarea ref={fields.note.clone()} rows="2" maxlength="2000" />
                </label>
                <p class="hint">{ t.private_note_hint }</p>
                if let Some(error) = &*error { <p class="error" role="alert">{ error.clone() }</p> }
                <div class="actions">
                    if options.checkout {
                        <button type="button" class="send pay" disabled={*busy} onclick={on_pay}>{ pay_label }</button>
                    }
                    <button type="button" class="note-only" onclick={on_note}>{ t.send_note }</button>
                    <button type="button" class="close" onclick={on_close}>{ t.close }</button>
                </div>
                if !options.methods.is_empty() {
                    <section class="methods">
                        <h3>{ t.other_ways }</h3>
                        <p class="hint">{ t.not_confirmed }</p>
                        <ul>
                            { for options.methods.iter().map(|m| if m.kind == "qr" {
                                html! { <li><figure>
                                    <img src={m.url.clone()} alt={m.label.clone()} width="160" height="160" loading="lazy" />
                                    <figcaption>{ m.label.clone() }</figcaption>
                                </figure></li> }
                            } else {
                                html! { <li><a href={m.url.clone()} target="_blank" rel="noopener nofollow">{ m.label.clone() }</a></li> }
                            }) }
                        </ul>
                    </section>
                }
            </dialog>
        </>
    }
}

/// Why an amount cannot be paid, with the limits in the reader's money.
fn amount_problem(e: RewardError, options: &RewardOptions, widget: &Widget) -> String {
    let t = widget.t();
    let show = |minor| money(minor, &options.currency, options.exponent, &widget.lang);
    match e {
        RewardError::AmountTooSmall => t.amount_min.replace("{amount}", &show(options.min)),
        RewardError::AmountTooLarge => t.amount_max.replace("{amount}", &show(options.max)),
        _ => t.amount_invalid.to_owned(),
    }
}
