//! The smoke window: one record per `harden smoke record`, judged by calendar day.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One smoke record, as stored in the ledger (kind `smoke`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmokeRecord {
    /// Calendar day in the configured time zone.
    pub date: Date,
    /// Local time of day, `HH:MM`.
    pub time: String,
    /// The commit examined.
    pub commit: Option<String>,
    /// Whether the strict gate set passed (and the checks, when run).
    pub pass: bool,
    /// Preflight checks: `None` when not run, else whether all passed.
    pub checks: Option<bool>,
    /// Gates (and checks) that failed.
    pub failing: Vec<String>,
    /// Ledger entry of the strict run.
    pub run_seq: u64,
}

/// The current consecutive-day strict-pass streak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Streak {
    /// Days in the streak.
    pub days: u32,
    /// First day of the streak.
    pub since: Option<Date>,
    /// What ended the streak before it: a failing day or a day without a record.
    pub broken: Option<Broken>,
}

/// Why a streak stopped where it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    /// The day that broke it.
    pub date: Date,
    /// `failed: R3.secrets.history` or `no record`.
    pub reason: String,
}

/// The streak ending today, or yesterday if today has no record yet (the day is not over).
/// A day passes only if every record of that day passed; a day without a record breaks the
/// streak.
pub fn streak(records: &[SmokeRecord], today: Date) -> Streak {
    let mut days: BTreeMap<Date, (bool, Vec<String>)> = BTreeMap::new();
    for record in records {
        let day = days.entry(record.date).or_insert((true, Vec::new()));
        day.0 &= record.pass;
        for gate in &record.failing {
            if !day.1.contains(gate) {
                day.1.push(gate.clone());
            }
        }
    }
    let mut cursor = if days.contains_key(&today) {
        today
    } else {
        today.yesterday().unwrap_or(today)
    };
    let mut count = 0u32;
    let mut since = None;
    loop {
        match days.get(&cursor) {
            Some((true, _)) => {
                count += 1;
                since = Some(cursor);
            }
            Some((false, failing)) => {
                let reason = if failing.is_empty() {
                    "failed".to_owned()
                } else {
                    format!("failed: {}", failing.join(", "))
                };
                return Streak {
                    days: count,
                    since,
                    broken: Some(Broken {
                        date: cursor,
                        reason,
                    }),
                };
            }
            None => {
                let broken =
                    (days.keys().next().is_some_and(|first| *first < cursor)).then(|| Broken {
                        date: cursor,
                        reason: "no record".to_owned(),
                    });
                return Streak {
                    days: count,
                    since,
                    broken,
                };
            }
        }
        match cursor.yesterday() {
            Ok(previous) => cursor = previous,
            Err(_) => {
                return Streak {
                    days: count,
                    since,
                    broken: None,
                };
            }
        }
    }
}

/// The smoke-window file of one month: `docs/audits/production-hardening-smoke-window-YYYY-MM.md`.
pub fn month_markdown(month: (i16, i8), records: &[SmokeRecord], streak: &Streak) -> String {
    let (year, month) = month;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Production hardening smoke window — {year:04}-{month:02}\n"
    );
    let _ = writeln!(
        out,
        "| Date | Time | Commit | Mode | Checks | Failing gates | Ledger |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for record in records
        .iter()
        .filter(|r| r.date.year() == year && r.date.month() == month)
    {
        let commit = record
            .commit
            .as_deref()
            .map_or("—".to_owned(), |c| c.chars().take(7).collect());
        let checks = match record.checks {
            None => "not run",
            Some(true) => "pass",
            Some(false) => "fail",
        };
        let failing = if record.failing.is_empty() {
            "—".to_owned()
        } else {
            record.failing.join(", ")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {commit} | strict | {checks} | {failing} | #{} |",
            record.date, record.time, record.run_seq
        );
    }
    let _ = writeln!(out);
    let _ = write!(
        out,
        "Current strict-pass streak: {} day{}",
        streak.days,
        if streak.days == 1 { "" } else { "s" }
    );
    match &streak.broken {
        Some(broken) => {
            let _ = writeln!(out, " (broken {} by {}).", broken.date, broken.reason);
        }
        None => {
            let _ = writeln!(out, ".");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(date: &str, pass: bool) -> SmokeRecord {
        SmokeRecord {
            date: date.parse().unwrap(),
            time: "09:00".into(),
            commit: Some("3f9c2e1aa0".into()),
            pass,
            checks: None,
            failing: if pass {
                Vec::new()
            } else {
                vec!["R3.secrets.history".into()]
            },
            run_seq: 1,
        }
    }

    fn days(records: &[SmokeRecord], today: &str) -> (u32, Option<String>) {
        let s = streak(records, today.parse().unwrap());
        (s.days, s.broken.map(|b| format!("{} {}", b.date, b.reason)))
    }

    #[test]
    fn consecutive_passing_days_count() {
        let r = [
            record("2026-03-01", true),
            record("2026-03-02", true),
            record("2026-03-03", true),
        ];
        assert_eq!(days(&r, "2026-03-03"), (3, None));
        // Today has no record yet: the streak through yesterday stands.
        assert_eq!(days(&r, "2026-03-04"), (3, None));
        // Two days without a record: broken by the missing day.
        assert_eq!(
            days(&r, "2026-03-05"),
            (0, Some("2026-03-04 no record".into()))
        );
    }

    #[test]
    fn a_gap_breaks_the_streak() {
        let r = [
            record("2026-03-01", true),
            record("2026-03-03", true),
            record("2026-03-04", true),
        ];
        assert_eq!(
            days(&r, "2026-03-04"),
            (2, Some("2026-03-02 no record".into()))
        );
    }

    #[test]
    fn a_failure_resets_and_any_failure_fails_the_day() {
        let r = [
            record("2026-03-01", true),
            record("2026-03-02", true),
            record("2026-03-02", false),
            record("2026-03-02", true),
            record("2026-03-03", true),
        ];
        assert_eq!(
            days(&r, "2026-03-03"),
            (1, Some("2026-03-02 failed: R3.secrets.history".into()))
        );
    }

    #[test]
    fn streaks_cross_month_and_year_boundaries() {
        let r = [
            record("2026-12-30", true),
            record("2026-12-31", true),
            record("2027-01-01", true),
        ];
        assert_eq!(days(&r, "2027-01-01"), (3, None));
        let text = month_markdown((2026, 12), &r, &streak(&r, "2027-01-01".parse().unwrap()));
        assert!(text.contains("2026-12-31") && !text.contains("2027-01-01"));
        assert!(text.ends_with("Current strict-pass streak: 3 days.\n"));
    }

    #[test]
    fn no_records_no_streak() {
        assert_eq!(days(&[], "2026-03-03"), (0, None));
    }
}
