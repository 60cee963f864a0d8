//! The arithmetic behind the owner's console: full-text search queries from what the owner
//! typed, UTC days and their `YYYY-MM-DD` names, and days folded into weeks for the chart.

use crate::wire::ActivityPoint;

/// The longest search the console may send, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// At most this many words of a search are used.
pub const MAX_SEARCH_WORDS: usize = 8;
/// The longest range the activity chart covers, in days.
pub const MAX_ACTIVITY_DAYS: i64 = 731;

const DAY_MS: i64 = 86_400_000;

/// An SQLite FTS5 query matching comments that hold every word of `typed` (each word a
/// quoted string, so no character of it is FTS5 syntax), and a word's beginning for the
/// last one, as the owner types. `None` when `typed` holds no word or is too long.
pub fn fts_query(typed: &str) -> Option<String> {
    if typed.chars().count() > MAX_SEARCH_CHARS {
        return None;
    }
    let words: Vec<&str> = typed
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-' && c != '_')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(MAX_SEARCH_WORDS)
        .collect();
    let last = words.len().checked_sub(1)?;
    let quoted = words.iter().enumerate().map(|(i, w)| {
        let quoted = format!("\"{}\"", w.replace('"', "\"\""));
        if i == last { format!("{quoted}*") } else { quoted }
    });
    Some(quoted.collect::<Vec<_>>().join(" "))
}

/// The UTC day (days since 1970-01-01) of a time in milliseconds.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// The first millisecond of a day.
pub fn start_of(day: i64) -> i64 {
    day.saturating_mul(DAY_MS)
}

/// `YYYY-MM-DD` of a day (proleptic Gregorian; Howard Hinnant's `civil_from_days`).
pub fn date_name(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day named `YYYY-MM-DD`, for years 1970 to 9999; `None` for anything else.
pub fn parse_date(name: &str) -> Option<i64> {
    let b = name.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = name.get(r)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if y < 1970 || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if d > days_in[(m - 1) as usize] {
        return None;
    }
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The Monday on or before `day` (1970-01-01 was a Thursday).
pub fn week_of(day: i64) -> i64 {
    day - (day + 3).rem_euclid(7)
}

/// How the chart groups days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    Week,
}

impl Bucket {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }
}

/// One day's activity, as the site object sums it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayTotals {
    pub day: i64,
    pub likes: i64,
    pub currency: Option<String>,
    pub amount: u64,
    pub supporters: u64,
}

/// Every bucket from `from` to `to` (days, inclusive), empty ones too, with `days` added
/// into theirs; days outside the range are left out.
pub fn buckets(from: i64, to: i64, bucket: Bucket, days: &[DayTotals]) -> Vec<ActivityPoint> {
    let start_of_bucket = |day: i64| match bucket {
        Bucket::Day => day,
        Bucket::Week => week_of(day),
    };
    let step = match bucket {
        Bucket::Day => 1,
        Bucket::Week => 7,
    };
    let first = start_of_bucket(from);
    let mut points: Vec<ActivityPoint> = (first..=to)
        .step_by(step)
        .map(|day| ActivityPoint { start: date_name(day), ..ActivityPoint::default() })
        .collect();
    for d in days.iter().filter(|d| (from..=to).contains(&d.day)) {
        let index = ((start_of_bucket(d.day) - first) / step as i64) as usize;
        let Some(point) = points.get_mut(index) else { continue };
        point.likes += d.likes;
        point.supporters += d.supporters;
        if let Some(currency) = &d.currency {
            *point.rewards.entry(currency.clone()).or_default() += d.amount;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_quoted_words_and_a_prefix_for_the_last() {
        assert_eq!(fts_query("hello world").as_deref(), Some("\"hello\" \"world\"*"));
        assert_eq!(
            fts_query("  naïve\"*) OR body:x ").as_deref(),
            Some("\"naïve\" \"OR\" \"body\" \"x\"*")
        );
        assert_eq!(fts_query("it's"), Some("\"it's\"*".into()));
        assert_eq!(fts_query("\"\"*()"), None);
        assert_eq!(fts_query(""), None);
        assert_eq!(fts_query(&"a".repeat(MAX_SEARCH_CHARS + 1)), None);
        let many = fts_query("a b c d e f g h i j k").unwrap();
        assert_eq!(many.matches('"').count(), 2 * MAX_SEARCH_WORDS);
    }

    #[test]
    fn days_have_their_calendar_names_and_back() {
        assert_eq!(date_name(0), "1970-01-01");
        assert_eq!(date_name(day_of(1_700_000_000_000)), "2023-11-14");
        assert_eq!(date_name(parse_date("2024-02-29").unwrap()), "2024-02-29");
        for day in (0..40_000).step_by(37) {
            assert_eq!(parse_date(&date_name(day)), Some(day));
        }
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "1969-12-31",
            "2023-1-01",
            "20230101xx",
            "+023-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        let monday = parse_date("2026-11-30").unwrap();
        for offset in 0..7 {
            assert_eq!(week_of(monday + offset), monday);
        }
        assert_eq!(week_of(monday - 1), monday - 7);
    }

    #[test]
    fn buckets_cover_the_range_and_add_up() {
        let from = parse_date("2026-11-27").unwrap(); // a Friday
        let to = from + 9;
        let days = [
            DayTotals {
                day: from,
                likes: 2,
                currency: Some("usd".into()),
                amount: 500,
                supporters: 1,
            },
            DayTotals {
                day: from + 3,
                likes: -1,
                currency: Some("usd".into()),
                amount: 300,
                supporters: 1,
            },
            DayTotals {
                day: from + 3,
                likes: 0,
                currency: Some("eur".into()),
                amount: 100,
                supporters: 1,
            },
            DayTotals { day: to + 1, likes: 9, ..DayTotals::default() },
        ];
        let daily = buckets(from, to, Bucket::Day, &days);
        assert_eq!(daily.len(), 10);
        assert_eq!(daily[3].rewards.get("usd"), Some(&300));
        assert_eq!(daily[3].supporters, 2);
        assert_eq!(daily.iter().map(|p| p.likes).sum::<i64>(), 1);

        let weekly = buckets(from, to, Bucket::Week, &days);
        assert_eq!(
            weekly.iter().map(|p| p.start.as_str()).collect::<Vec<_>>(),
            ["2026-11-23", "2026-11-30"]
        );
        assert_eq!(weekly[0].rewards.get("usd"), Some(&500));
        assert_eq!(weekly[1].rewards.get("usd"), Some(&300));
        assert_eq!(weekly[1].likes, -1);
    }
}
