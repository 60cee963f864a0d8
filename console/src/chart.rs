//! The rewards chart, drawn as SVG by the console itself: one bar per day or week for the
//! confirmed rewards (in one currency), and a dot per bucket for the likes gained. Each
//! bar carries its bucket and amount as data, so what it draws can be checked.

use kudos_core::wire::ActivityPoint;
use yew::prelude::*;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const PAD: f64 = 28.0;

/// The chart of `points` for `currency`, titled `title`.
pub fn chart(points: &[ActivityPoint], currency: &str, title: &str, caption: &str) -> Html {
    let amounts: Vec<u64> =
        points.iter().map(|p| p.rewards.get(currency).copied().unwrap_or(0)).collect();
    let most = amounts.iter().copied().max().unwrap_or(0);
    let most_likes = points.iter().map(|p| p.likes.max(0)).max().unwrap_or(0);
    let (top_amount, top_likes) = (most.max(1) as f64, most_likes.max(1) as f64);
    let n = points.len().max(1) as f64;
    let slot = (WIDTH - 2.0 * PAD) / n;
    let bar = (slot * 0.7).max(1.0);
    let y = |v: f64, top: f64| HEIGHT - PAD - v / top * (HEIGHT - 2.0 * PAD);
    let label_every = (points.len() / 8).max(1);
    html! {
        <figure class="chart">
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-label={title.to_owned()}
                 preserveAspectRatio="none">
                <title>{ title }</title>
                // The scale: the tallest bar's amount on the left, the most likes on the right.
                <text class="scale" x={PAD.to_string()} y={(PAD - 10.0).to_string()}>
                    { kudos_core::reward::money(most, currency) }</text>
                <text class="scale" x={(WIDTH - PAD).to_string()} y={(PAD - 10.0).to_string()}
                      text-anchor="end">{ format!("{most_likes} ♥") }</text>
                <line class="axis" x1={PAD.to_string()} y1={(HEIGHT - PAD).to_string()}
                      x2={(WIDTH - PAD).to_string()} y2={(HEIGHT - PAD).to_string()} />
                { for points.iter().zip(&amounts).enumerate().map(|(i, (p, amount))| {
                    let x = PAD + i as f64 * slot + (slot - bar) / 2.0;
                    let top = y(*amount as f64, top_amount);
                    let likes_y = y(p.likes.max(0) as f64, top_likes);
                    html! {
                        <g>
                            <rect class="bar" x={format!("{x:.1}")} y={format!("{top:.1}")}
                                  width={format!("{bar:.1}")} height={format!("{:.1}", HEIGHT - PAD - top)}
                                  data-start={p.start.clone()} data-amount={amount.to_string()}>
                                <title>{ format!("{}: {} · {} ♥", p.start, kudos_core::reward::money(*amount, currency), p.likes) }</title>
                            </rect>
                            <circle class="likes" cx={format!("{:.1}", x + bar / 2.0)} cy={format!("{likes_y:.1}")} r="3"
                                    data-start={p.start.clone()} data-likes={p.likes.to_string()} />
                            if i % label_every == 0 {
                                <text x={format!("{:.1}", x + bar / 2.0)} y={(HEIGHT - 8.0).to_string()}
                                      text-anchor="middle">{ p.start[5..].to_owned() }</text>
                            }
                        </g>
                    }
                }) }
            </svg>
            <figcaption>{ caption }</figcaption>
        </figure>
    }
}
