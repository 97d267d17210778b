use std::time::Duration;

/// Parses durations as written in `harden.toml` and on the command line: a whole number followed by
/// one unit, `s`, `m`, `h`, `d` or `w` (`"90s"`, `"20m"`, `"24h"`, `"180d"`, `"2w"`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    number.checked_mul(seconds).map(Duration::from_secs)
}

/// Formats a duration in the largest unit that divides it (`86400s` → `1d`).
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds != 0 && seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("20m"), Some(Duration::from_mins(20)));
        assert_eq!(parse_duration("24h"), Some(Duration::from_hours(24)));
        assert_eq!(parse_duration("180d"), Some(Duration::from_hours(4320)));
        assert_eq!(parse_duration("2w"), Some(Duration::from_hours(336)));
        for bad in ["", "d", "10", "10y", "1.5h", "-3d", "3 d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_largest_unit() {
        assert_eq!(format_duration(Duration::from_hours(4320)), "180d");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_hours(2)), "2h");
    }
}
