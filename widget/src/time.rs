//! "3 minutes ago", in the reader's language, by the browser's `Intl.RelativeTimeFormat`.

use js_sys::{Array, Intl, Object, Reflect};

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
    let options = Object::new();
    let _ = Reflect::set(&options, &"numeric".into(), &"auto".into());
    let format = Intl::RelativeTimeFormat::new(&Array::of1(&safe_tag(lang).into()), &options);
    String::from(format.format(value, unit))
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

/// The exact time, for a `<time datetime>` attribute.
pub fn iso(ms: i64) -> String {
    String::from(js_sys::Date::new(&(ms as f64).into()).to_iso_string())
}
