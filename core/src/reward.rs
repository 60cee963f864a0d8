//! Rewards: currencies and their minor units, amounts (always integers in the minor unit;
//! never floating point), the site's limits, and the texts a supporter may leave.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

/// Most characters in a supporter's public message.
pub const MAX_MESSAGE_CHARS: usize = 280;
/// Most characters in a private read-and-burn note.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Supporters a page view shows.
pub const RECENT_SUPPORTERS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RewardError {
    #[error("that currency is not one this site takes")]
    UnknownCurrency,
    #[error("the amount is below the minimum")]
    AmountTooSmall,
    #[error("the amount is above the maximum")]
    AmountTooLarge,
    #[error("the amount is not a number of the currency")]
    InvalidAmount,
    #[error("the message is longer than {MAX_MESSAGE_CHARS} characters")]
    MessageTooLong,
    #[error("the note is empty")]
    NoteEmpty,
    #[error("the note is longer than {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
}

impl RewardError {
    pub fn code(self) -> ErrorCode {
        match self {
            RewardError::UnknownCurrency => ErrorCode::UnknownCurrency,
            RewardError::AmountTooSmall => ErrorCode::AmountTooSmall,
            RewardError::AmountTooLarge => ErrorCode::AmountTooLarge,
            RewardError::InvalidAmount => ErrorCode::InvalidAmount,
            RewardError::MessageTooLong => ErrorCode::MessageTooLong,
            RewardError::NoteEmpty => ErrorCode::NoteEmpty,
            RewardError::NoteTooLong => ErrorCode::NoteTooLong,
        }
    }
}

/// An ISO 4217 currency Stripe settles, lowercase as Stripe writes it, with the number of
/// decimal places of its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency {
    code: &'static str,
    pub exponent: u32,
}

/// Currencies kudos knows the minor unit of. Stripe treats these as zero-decimal.
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
const TWO_DECIMAL: &[&str] = &[
    "aud", "brl", "cad", "chf", "cny", "czk", "dkk", "eur", "gbp", "hkd", "huf", "idr", "ils",
    "inr", "mxn", "myr", "nok", "nzd", "php", "pln", "ron", "sek", "sgd", "thb", "try", "twd",
    "usd", "zar",
];

impl Currency {
    pub fn parse(code: &str) -> Result<Self, RewardError> {
        let lower = code.trim().to_ascii_lowercase();
        let find = |list: &[&'static str]| list.iter().copied().find(|c| *c == lower);
        if let Some(code) = find(ZERO_DECIMAL) {
            return Ok(Currency { code, exponent: 0 });
        }
        find(TWO_DECIMAL)
            .map(|code| Currency { code, exponent: 2 })
            .ok_or(RewardError::UnknownCurrency)
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Parses an amount a reader typed in major units; see [`parse_major`].
    pub fn parse_major(&self, typed: &str) -> Result<u64, RewardError> {
        parse_major(typed, self.exponent)
    }
}

/// Parses an amount a reader typed in major units ("5", "7.5", "7.50") into minor units of
/// a currency with `exponent` decimals, exactly: no floating point. More decimals than the
/// currency has is invalid.
pub fn parse_major(typed: &str, exponent: u32) -> Result<u64, RewardError> {
    {
        let typed = typed.trim();
        let (whole, fraction) = typed.split_once(['.', ',']).unwrap_or((typed, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole)
            || (!fraction.is_empty() && !digits(fraction))
            || fraction.len() > exponent as usize
        {
            return Err(RewardError::InvalidAmount);
        }
        let scale = 10u64.pow(exponent);
        let whole: u64 = whole.parse().map_err(|_| RewardError::InvalidAmount)?;
        let fraction: u64 = if fraction.is_empty() {
            0
        } else {
            let padded = format!("{fraction:0<width$}", width = exponent as usize);
            padded.parse().map_err(|_| RewardError::InvalidAmount)?
        };
        whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(fraction))
            .ok_or(RewardError::InvalidAmount)
    }
}

/// Minor units as an exact decimal string in major units ("500", 2 → "5.00"), for display.
pub fn major_string(minor: u64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(exponent);
    format!("{}.{:0width$}", minor / scale, minor % scale, width = exponent as usize)
}

/// An amount in minor units with its currency code, for people: "5.00 USD", "500 JPY"
/// (two decimals for a currency kudos does not know).
pub fn money(minor: u64, currency: &str) -> String {
    let exponent = Currency::parse(currency).map_or(2, |c| c.exponent);
    format!("{} {}", major_string(minor, exponent), currency.to_uppercase())
}

/// What the site owner configured: the currency, preset amounts, and limits, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardOptions {
    pub currency: String,
    pub exponent: u32,
    pub presets: Vec<u64>,
    pub min: u64,
    pub max: u64,
    /// Ways to pay the author that the server cannot confirm (QR images, links).
    #[serde(default)]
    pub methods: Vec<PaymentMethod>,
    /// Whether Stripe payments are set up (the other methods may be shown without them).
    pub checkout: bool,
}

impl RewardOptions {
    /// Checks an amount against the limits.
    pub fn check(&self, amount: u64) -> Result<(), RewardError> {
        if amount < self.min {
            Err(RewardError::AmountTooSmall)
        } else if amount > self.max {
            Err(RewardError::AmountTooLarge)
        } else {
            Ok(())
        }
    }
}

/// An author's own way to be paid, shown but never counted as confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// `qr` (an image to scan) or `link`.
    pub kind: String,
    pub label: String,
    /// The QR image's address (for `qr`) or the link (for `link`); http(s) or a path.
    pub url: String,
}

impl PaymentMethod {
    /// Only http(s) addresses or site paths, so a configured method can never be a script.
    pub fn is_safe(&self) -> bool {
        let url = self.url.to_ascii_lowercase();
        matches!(self.kind.as_str(), "qr" | "link")
            && (url.starts_with("https://")
                || url.starts_with("http://")
                || (url.starts_with('/') && !url.starts_with("//")))
    }
}

/// A supporter's public message: trimmed, at most [`MAX_MESSAGE_CHARS`]. Shown as text.
pub fn parse_message(raw: Option<&str>) -> Result<String, RewardError> {
    let message = raw.unwrap_or_default().trim();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(RewardError::MessageTooLong);
    }
    Ok(message.chars().filter(|c| !c.is_control() || *c == '\n').collect())
}

/// A private note's text: trimmed, not empty, at most [`MAX_NOTE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Note(String);

impl Note {
    pub fn parse(raw: &str) -> Result<Self, RewardError> {
        let note = raw.trim();
        if note.is_empty() {
            return Err(RewardError::NoteEmpty);
        }
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(RewardError::NoteTooLong);
        }
        Ok(Note(note.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = RewardError;
    fn try_from(raw: String) -> Result<Self, RewardError> {
        Note::parse(&raw)
    }
}

impl From<Note> for String {
    fn from(note: Note) -> String {
        note.0
    }
}

/// A Stripe Checkout Session's id (`cs_` and letters, digits or `_`), as a reader back from
/// Checkout names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl SessionId {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = raw.starts_with("cs_")
            && raw.len() <= 255
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        ok.then(|| SessionId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SessionId {
    type Error = &'static str;
    fn try_from(raw: String) -> Result<Self, &'static str> {
        SessionId::parse(&raw).ok_or("not a Checkout Session id")
    }
}

impl From<SessionId> for String {
    fn from(id: SessionId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn options() -> RewardOptions {
        RewardOptions {
            currency: "usd".into(),
            exponent: 2,
            presets: vec![300, 500],
            min: 100,
            max: 50_000,
            methods: vec![],
            checkout: true,
        }
    }

    #[test]
    fn currencies_are_known_with_their_minor_unit() {
        assert_eq!((usd().code(), usd().exponent), ("usd", 2));
        assert_eq!(Currency::parse("jpy").unwrap().exponent, 0);
        assert_eq!(Currency::parse("xyz"), Err(RewardError::UnknownCurrency));
        assert_eq!(Currency::parse(""), Err(RewardError::UnknownCurrency));
    }

    #[test]
    fn typed_amounts_become_exact_minor_units() {
        assert_eq!(usd().parse_major("5"), Ok(500));
        assert_eq!(usd().parse_major("7.5"), Ok(750));
        assert_eq!(usd().parse_major(" 7,05 "), Ok(705));
        assert_eq!(usd().parse_major("0.10"), Ok(10));
        assert_eq!(usd().parse_major("5."), Ok(500), "a trailing point is still five");
        // 0.1 + 0.2 in floating point is 0.30000000000000004; here it is exact.
        assert_eq!(usd().parse_major("0.30"), Ok(30));
        assert_eq!(Currency::parse("jpy").unwrap().parse_major("500"), Ok(500));
    }

    #[test]
    fn malformed_or_over_precise_amounts_are_invalid() {
        for bad in ["", "abc", ".5", "-5", "5.001", "1e3", "5 00", "99999999999999999999"] {
            assert_eq!(usd().parse_major(bad), Err(RewardError::InvalidAmount), "{bad}");
        }
        assert_eq!(
            Currency::parse("jpy").unwrap().parse_major("5.5"),
            Err(RewardError::InvalidAmount)
        );
    }

    #[test]
    fn minor_units_print_as_exact_major_amounts() {
        assert_eq!(major_string(500, 2), "5.00");
        assert_eq!(major_string(705, 2), "7.05");
        assert_eq!(major_string(9, 2), "0.09");
        assert_eq!(major_string(500, 0), "500");
    }

    #[test]
    fn amounts_must_be_within_the_limits() {
        assert_eq!(options().check(100), Ok(()));
        assert_eq!(options().check(50_000), Ok(()));
        assert_eq!(options().check(99), Err(RewardError::AmountTooSmall));
        assert_eq!(options().check(50_001), Err(RewardError::AmountTooLarge));
    }

    #[test]
    fn messages_and_notes_have_limits() {
        assert_eq!(parse_message(Some("  thanks!  ")), Ok("thanks!".into()));
        assert_eq!(parse_message(None), Ok(String::new()));
        assert_eq!(parse_message(Some(&"m".repeat(281))), Err(RewardError::MessageTooLong));
        assert_eq!(Note::parse(" "), Err(RewardError::NoteEmpty));
        assert_eq!(Note::parse(&"n".repeat(2_001)), Err(RewardError::NoteTooLong));
        assert_eq!(Note::parse(" secret ").unwrap().as_str(), "secret");
        assert!(serde_json::from_str::<Note>("\"  \"").is_err(), "an empty note never crosses");
    }

    #[test]
    fn a_session_id_is_stripes_form_and_nothing_else() {
        assert_eq!(SessionId::parse("cs_test_a1B2").unwrap().as_str(), "cs_test_a1B2");
        for bad in ["", "cs", "pi_123", "cs_a-b", "cs_a/../b", &format!("cs_{}", "a".repeat(253))] {
            assert_eq!(SessionId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_http_addresses_and_paths_are_payment_methods() {
        let method =
            |url: &str| PaymentMethod { kind: "qr".into(), label: "x".into(), url: url.into() };
        assert!(method("https://ko-fi.com/ada").is_safe());
        assert!(method("/qr/wechat.svg").is_safe());
        for bad in ["javascript:alert(1)", "//evil.example/x", "data:image/png;base64,x"] {
            assert!(!method(bad).is_safe(), "{bad}");
        }
    }
}
