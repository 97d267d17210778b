//! Where a drillable or attested item stands by the ledger: the newest attestation or drill
//! result that names it decides, valid until it expires or its review interval runs out. The
//! checklist gates, `harden gates --checklist` and `harden readiness` all read it from here.

use std::time::Duration;

use harden_config::Drill;
use harden_engine::LedgerRecord;
use jiff::Timestamp;

use super::{Item, Proof};

/// The ledger kind of an attestation (`harden attest`).
pub const ATTESTATION: &str = "attestation";
/// The ledger kind of a drill result (`harden drill run`).
pub const DRILL: &str = "drill";
/// How long a drill result counts when neither the drill's `every` nor the gate's `review` says.
pub const DEFAULT_DRILL_VALIDITY: Duration = Duration::from_hours(90 * 24);

/// What vouches for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A person's attestation.
    Attestation {
        /// Who vouched.
        by: String,
        /// The evidence: a URL, or a file with its digest.
        evidence: String,
    },
    /// A drill run by `harden drill run`.
    Drill {
        /// The drill's name.
        name: String,
        /// Whether it succeeded.
        passed: bool,
    },
}

/// One attestation or drill result from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its ledger entry.
    pub seq: u64,
    /// When it was recorded.
    pub at: Timestamp,
    /// Until when it counts.
    pub until: Timestamp,
    /// What it is.
    pub source: Source,
}

impl Record {
    /// Who vouched or what ran, for reports: `attested by NAME` or `drill NAME`.
    pub fn who(&self) -> String {
        match &self.source {
            Source::Attestation { by, .. } => format!("attested by {by}"),
            Source::Drill { name, .. } => format!("drill {name}"),
        }
    }

    /// Whole days since it was recorded.
    pub fn age_days(&self, now: Timestamp) -> i64 {
        now.duration_since(self.at).as_secs() / 86_400
    }
}

/// Where an item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nothing in the ledger vouches for it.
    Missing,
    /// The newest record vouches for it until `until`.
    Valid(Record),
    /// The newest record vouched for it, but has expired.
    Expired(Record),
    /// The newest record is a drill that failed.
    Failed(Record),
}

impl Standing {
    /// When it must be renewed: the expiry of a valid record; `None` when it is already due.
    pub fn due(&self) -> Option<Timestamp> {
        match self {
            Standing::Valid(record) => Some(record.until),
            _ => None,
        }
    }

    /// One line for reports: who vouched, when, how old, until when.
    pub fn describe(&self, now: Timestamp) -> String {
        let day = |t: Timestamp| t.strftime("%Y-%m-%d").to_string();
        match self {
            Standing::Missing => "no attestation or drill in the ledger".to_owned(),
            Standing::Valid(r) => format!(
                "{} on {} ({} days ago), valid until {}",
                r.who(),
                day(r.at),
                r.age_days(now),
                day(r.until)
            ),
            Standing::Expired(r) => format!(
                "expired on {} ({} on {}, {} days ago)",
                day(r.until),
                r.who(),
                day(r.at),
                r.age_days(now)
            ),
            Standing::Failed(r) => {
                format!("{} failed on {} (ledger #{})", r.who(), day(r.at), r.seq)
            }
        }
    }
}

/// Whether a ledger record names `item`: an attestation of it (by gate or text), or a drill
/// result whose `proves` names it.
pub fn names(item: &Item, entry: &LedgerRecord, body: &serde_json::Value) -> bool {
    match entry.kind.as_str() {
        ATTESTATION => {
            body["gate"].as_str() == item.gate() || body["item"].as_str() == Some(item.text)
        }
        DRILL => body["proves"]
            .as_str()
            .and_then(super::item_named)
            .is_some_and(|named| named.text == item.text),
        _ => false,
    }
}

/// Where `item` stands by `records` (attestations and drill results, oldest first) at `now`.
/// `review` caps how long any record counts (the gate's `review` option); a drill result counts
/// for its drill's `every` (else [`DEFAULT_DRILL_VALIDITY`]), and never longer than `review`. The newest record
/// decides: a re-attestation replaces the one before it, and a failed drill is not outweighed by
/// an older success.
pub fn standing(
    item: &Item,
    records: &[LedgerRecord],
    drills: &[Drill],
    review: Option<Duration>,
    now: Timestamp,
) -> Standing {
    if matches!(item.proof, Proof::Automatic(_)) {
        return Standing::Missing;
    }
    let cap = |at: Timestamp, span: Duration| -> Timestamp {
        jiff::SignedDuration::try_from(span)
            .ok()
            .and_then(|span| at.checked_add(span).ok())
            .unwrap_or(Timestamp::MAX)
    };
    for entry in records.iter().rev() {
        let Ok(body) = serde_json::from_str::<serde_json::Value>(&entry.body) else {
            continue;
        };
        let Ok(at) = entry.recorded_at.parse::<Timestamp>() else {
            continue;
        };
        if !names(item, entry, &body) {
            continue;
        }
        let record = match entry.kind.as_str() {
            ATTESTATION => {
                let expires = body["expires"]
                    .as_str()
                    .and_then(|t| t.parse::<Timestamp>().ok())
                    // An attestation without a readable expiry counts for nothing.
                    .unwrap_or(at);
                let until = review.map_or(expires, |review| expires.min(cap(at, review)));
                let evidence = &body["evidence"];
                let evidence = match (evidence["url"].as_str(), evidence["file"].as_str()) {
                    (Some(url), _) => url.to_owned(),
                    (None, Some(file)) => format!(
                        "{file} (sha256 {})",
                        evidence["sha256"]
                            .as_str()
                            .and_then(|d| d.get(..12))
                            .unwrap_or("?")
                    ),
                    (None, None) => "no evidence recorded".to_owned(),
                };
                Record {
                    seq: entry.seq,
                    at,
                    until,
                    source: Source::Attestation {
                        by: body["by"].as_str().unwrap_or("?").to_owned(),
                        evidence,
                    },
                }
            }
            DRILL => {
                let name = body["drill"].as_str().unwrap_or("?").to_owned();
                let every = drills
                    .iter()
                    .find(|d| d.name == name)
                    .and_then(|d| d.every)
                    .unwrap_or(DEFAULT_DRILL_VALIDITY);
                let validity = review.map_or(every, |review| every.min(review));
                Record {
                    seq: entry.seq,
                    at,
                    until: cap(at, validity),
                    source: Source::Drill {
                        name,
                        passed: body["passed"].as_bool() == Some(true),
                    },
                }
            }
            _ => continue,
        };
        return match record.source {
            Source::Drill { passed: false, .. } => Standing::Failed(record),
            _ if record.until > now => Standing::Valid(record),
            _ => Standing::Expired(record),
        };
    }
    Standing::Missing
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checklist::item_named;

    fn at(day: &str) -> String {
        format!("{day}T12:00:00Z")
    }

    fn record(seq: u64, kind: &str, day: &str, body: &serde_json::Value) -> LedgerRecord {
        LedgerRecord {
            seq,
            kind: kind.to_owned(),
            recorded_at: at(day),
            body: body.to_string(),
        }
    }

    fn now(day: &str) -> Timestamp {
        at(day).parse().unwrap()
    }

    #[test]
    fn an_attestation_counts_until_it_expires_or_its_review_runs_out() {
        let pentest = item_named("R1.pentest.done").unwrap();
        let records = [
            record(
                1,
                ATTESTATION,
                "2026-01-10",
                &json!({"item": "Penetration test completed", "by": "Ada",
                    "evidence": {"url": "https://reports.example/pt-2026"},
                    "expires": at("2026-07-10")}),
            ),
            // Another item's attestation says nothing of this one.
            record(
                2,
                ATTESTATION,
                "2026-02-01",
                &json!({"item": "Team trained", "by": "Bo", "expires": at("2027-01-01")}),
            ),
        ];
        assert_eq!(
            standing(pentest, &[], &[], None, now("2026-03-01")),
            Standing::Missing
        );
        let valid = standing(pentest, &records, &[], None, now("2026-03-01"));
        assert!(
            matches!(&valid, Standing::Valid(r) if r.seq == 1 && r.until == now("2026-07-10")),
            "{valid:?}"
        );
        assert_eq!(
            valid.describe(now("2026-03-01")),
            "attested by Ada on 2026-01-10 (50 days ago), valid until 2026-07-10"
        );
        assert!(matches!(
            standing(pentest, &records, &[], None, now("2026-07-11")),
            Standing::Expired(_)
        ));
        // A 30-day review interval ends it sooner.
        let reviewed = standing(
            pentest,
            &records,
            &[],
            Some(Duration::from_hours(30 * 24)),
            now("2026-03-01"),
        );
        assert!(matches!(&reviewed, Standing::Expired(r) if r.until == now("2026-02-09")));
    }

    #[test]
    fn the_newest_drill_result_decides_and_counts_for_its_interval() {
        let restore = item_named("Backup/restore verified").unwrap();
        let pass = |seq, day| {
            record(
                seq,
                DRILL,
                day,
                &json!({"drill": "pg-restore", "proves": "R7.dr.drilled", "passed": true}),
            )
        };
        let fail = |seq, day| {
            record(
                seq,
                DRILL,
                day,
                &json!({"drill": "pg-restore", "proves": "backup/restore verified", "passed": false}),
            )
        };
        let green = [pass(1, "2026-03-01")];
        assert!(matches!(
            standing(restore, &green, &[], None, now("2026-04-01")),
            Standing::Valid(_)
        ));
        // Ninety days by default.
        assert!(matches!(
            standing(restore, &green, &[], None, now("2026-06-01")),
            Standing::Expired(_)
        ));
        // A failure after a success fails; a success after it passes again.
        let red = [pass(1, "2026-03-01"), fail(2, "2026-03-05")];
        assert!(matches!(
            standing(restore, &red, &[], None, now("2026-03-06")),
            Standing::Failed(r) if r.seq == 2
        ));
        let mended = [
            pass(1, "2026-03-01"),
            fail(2, "2026-03-05"),
            pass(3, "2026-03-06"),
        ];
        assert!(matches!(
            standing(restore, &mended, &[], None, now("2026-03-07")),
            Standing::Valid(r) if r.seq == 3
        ));
        // A review interval caps a drill's own interval.
        let yearly = harden_config::Drill {
            name: "pg-restore".into(),
            proves: "R7.dr.drilled".into(),
            command: harden_config::Preflight {
                name: "pg-restore".into(),
                run: "true".into(),
                timeout: Duration::from_mins(1),
                cwd: None,
            },
            expect_output: None,
            owner: None,
            every: Some(Duration::from_hours(365 * 24)),
        };
        let drills = std::slice::from_ref(&yearly);
        assert!(matches!(
            standing(restore, &green, drills, None, now("2026-09-01")),
            Standing::Valid(_)
        ));
        assert!(matches!(
            standing(restore, &green, drills, Some(Duration::from_hours(30 * 24)), now("2026-04-15")),
            Standing::Expired(r) if r.until == now("2026-03-31")
        ));
        // An attestation stands in for a drill run elsewhere.
        let attested = [record(
            4,
            ATTESTATION,
            "2026-03-01",
            &json!({"gate": "R7.dr.drilled", "by": "Ops", "evidence": {"file": "restore.log", "sha256": "ab".repeat(32)}, "expires": at("2026-09-01")}),
        )];
        let valid = standing(restore, &attested, &[], None, now("2026-03-02"));
        assert!(
            matches!(&valid, Standing::Valid(Record { source: Source::Attestation { evidence, .. }, .. }) if evidence == "restore.log (sha256 abababababab)"),
            "{valid:?}"
        );
    }
}
