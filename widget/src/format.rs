//! Times and money in the reader's language, by the browser's `Intl` (nothing to ship):
//! "3 minutes ago", "$5.00", "5,00 €".

use js_sys::{Array, Intl, Object, Reflect};
use kudos_core::reward::major_string;
use wasm_bindgen::JsValue;

const UNITS: [(&str, f64); 6] = [
    ("year", 365.0 * 86_400.0),
    ("month", 30.0 * 86_400.0),
    ("week", 7.0 * 86_400.0),
    ("day", 86_400.0),
    ("hour", 3_600.0),
    ("minute", 60.0),
];

/// How long ago `then_ms` was, in `lang`.
pub fn ago(then_ms: i64, now_ms: f64, lang: &str) -> String {
    let seconds = ((now_ms - then_ms as f64) / 1000.0).max(0.0);
    let (unit, size) =
        UNITS.iter().copied().find(|(_, size)| seconds >= *size).unwrap_or(("second", 1.0));
    let value = if unit == "second" { 0.0 } else { -(seconds / size).floor() };
    let format = Intl::RelativeTimeFormat::new(&locales(lang), &options(&[("numeric", "auto")]));
    String::from(format.format(value, unit))
}

/// An amount in minor units as money in `lang`. The amount goes to `Intl` as an exact
/// decimal string, never through floating point.
pub fn money(minor: u64, currency: &str, exponent: u32, lang: &str) -> String {
    let format = Intl::NumberFormat::new(
        &locales(lang),
        &options(&[("style", "currency"), ("currency", currency)]),
    );
    let exact = JsValue::from(major_string(minor, exponent));
    let text = format.format().call1(&JsValue::NULL, &exact).ok().and_then(|v| v.as_string());
    text.unwrap_or_else(|| {
        format!("{} {}", major_string(minor, exponent), currency.to_ascii_uppercase())
    })
}

/// The exact time, for a `<time datetime>` attribute.
pub fn iso(ms: i64) -> String {
    String::from(js_sys::Date::new(&(ms as f64).into()).to_iso_string())
}

fn locales(lang: &str) -> Array {
    Array::of1(&safe_tag(lang).into())
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let options = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options
}

/// A well-formed BCP 47 language tag, or `en`: `Intl` throws on malformed ones.
fn safe_tag(lang: &str) -> &str {
    let mut parts = lang.split('-');
    let primary = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary && rest { lang } else { "en" }
}
