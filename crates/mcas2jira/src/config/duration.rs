//! Durations written the way people write them in a config file or on the command line: `30s`,
//! `90m`, `24h`, `7d`, `1w`, or several parts together (`1h30m`).
//!
//! jiff's "friendly" format refuses days and weeks without a reference date (a calendar day is not
//! always 24 hours); here a day is always 24 hours and a week 7 days, which is what a look-back window
//! or a cache lifetime means.

use std::time::Duration;

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// Nothing was given.
    #[error("empty duration (write e.g. \"30s\", \"90m\", \"24h\", \"7d\" or \"1w\")")]
    Empty,
    /// A number was not followed by a unit.
    #[error("{text:?} has a number without a unit (s, m, h, d or w)")]
    MissingUnit {
        /// The whole text.
        text: String,
    },
    /// A unit other than `s`, `m`, `h`, `d`, `w`.
    #[error("{text:?} has an unknown unit {unit:?} (use s, m, h, d or w)")]
    UnknownUnit {
        /// The whole text.
        text: String,
        /// The unit as written.
        unit: String,
    },
    /// A unit without a number before it, or a character that is neither.
    #[error("{text:?} is not a duration (write e.g. \"30s\", \"90m\", \"24h\", \"7d\" or \"1w\")")]
    Malformed {
        /// The whole text.
        text: String,
    },
    /// More than fits in a [`Duration`].
    #[error("{text:?} is too long a duration")]
    Overflow {
        /// The whole text.
        text: String,
    },
}

/// Parses `30s`, `90m`, `24h`, `7d`, `1w`, or a sequence of such parts (`1h30m`, `1d 12h`).
///
/// A day is 24 hours and a week 7 days. Surrounding whitespace and whitespace between parts are
/// ignored; `0s` is a valid (zero) duration.
///
/// # Errors
///
/// [`DurationError`] when the text is empty, a number has no unit, a unit is unknown, or the total
/// overflows.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use mcas2jira::config::parse_duration;
///
/// assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
/// assert!(parse_duration("7 days").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    let overflow = || DurationError::Overflow { text: text.to_owned() };
    let mut total: u64 = 0;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(DurationError::Malformed { text: text.to_owned() });
        }
        let number: u64 = rest[..digits].parse().map_err(|_| overflow())?;
        rest = &rest[digits..];
        let unit_len = rest.len() - rest.trim_start_matches(|c: char| c.is_alphabetic()).len();
        if unit_len == 0 {
            // "10" or "7 days" lack a unit; "1.5h" or "5-m" are something else.
            let missing = rest.chars().next().is_none_or(char::is_whitespace);
            let text = text.to_owned();
            return Err(if missing {
                DurationError::MissingUnit { text }
            } else {
                DurationError::Malformed { text }
            });
        }
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        let seconds_per_unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            other => {
                return Err(DurationError::UnknownUnit { text: text.to_owned(), unit: other.to_owned() });
            }
        };
        let part = number.checked_mul(seconds_per_unit).ok_or_else(overflow)?;
        total = total.checked_add(part).ok_or_else(overflow)?;
    }
    Ok(Duration::from_secs(total))
}

/// Writes a duration back in the largest whole units, the inverse of [`parse_duration`] for whole
/// seconds: `5400s` becomes `1h30m`, zero becomes `0s`. Sub-second parts are dropped.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use mcas2jira::config::format_duration;
///
/// assert_eq!(format_duration(Duration::from_secs(86_400 * 8)), "1w1d");
/// ```
#[must_use]
pub fn format_duration(duration: Duration) -> String {
    let mut seconds = duration.as_secs();
    if seconds == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        let count = seconds / size;
        if count > 0 {
            out.push_str(&count.to_string());
            out.push_str(unit);
            seconds %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Result<u64, &str>) {
        let got = parse_duration(text).map(|d| d.as_secs()).map_err(|e| e.to_string());
        match expected {
            Ok(secs) => assert_eq!(got, Ok(secs), "{text:?}"),
            Err(fragment) => {
                let err = got.expect_err(text);
                assert!(err.contains(fragment), "{text:?}: {err}");
            }
        }
    }

    #[test]
    fn parses_each_unit_and_combinations() {
        check("30s", Ok(30));
        check("90m", Ok(5_400));
        check("24h", Ok(86_400));
        check("7d", Ok(604_800));
        check("1w", Ok(604_800));
        check("0s", Ok(0));
        check("1h30m", Ok(5_400));
        check(" 1d 12h ", Ok(129_600));
        check("2w3d", Ok(1_468_800));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        check("", Err("empty duration"));
        check("   ", Err("empty duration"));
        check("10", Err("without a unit"));
        check("10y", Err("unknown unit \"y\""));
        check("7 days", Err("without a unit"));
        check("7days", Err("unknown unit \"days\""));
        check("h", Err("is not a duration"));
        check("-5m", Err("is not a duration"));
        check("1.5h", Err("is not a duration"));
        check("99999999999999999999s", Err("too long"));
        check("999999999999999999w", Err("too long"));
    }

    #[test]
    fn formats_in_whole_units() {
        for secs in [0, 1, 59, 60, 5_400, 86_400, 604_800, 694_861] {
            let text = format_duration(Duration::from_secs(secs));
            assert_eq!(parse_duration(&text).unwrap().as_secs(), secs, "{text}");
        }
        assert_eq!(format_duration(Duration::from_secs(5_400)), "1h30m");
    }
}
