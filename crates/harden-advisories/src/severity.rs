//! How bad an advisory is: its CVSS vectors scored (v3.x and v4.0, by RustSec's `cvss` crate),
//! or the database's own word where there is no vector.

use std::str::FromStr;

use crate::model::Advisory;

/// A qualitative rating, CVSS's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 0.1-3.9, or `LOW`.
    Low,
    /// 4.0-6.9, `MODERATE`/`MEDIUM`, or no rating at all.
    Medium,
    /// 7.0-8.9, or `HIGH`.
    High,
    /// 9.0-10.0, or `CRITICAL`.
    Critical,
}

impl Level {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// An advisory's rating and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    /// The level.
    pub level: Level,
    /// The CVSS base score, where a vector gave one.
    pub score: Option<f64>,
    /// The vector scored (the highest, when there are several).
    pub vector: Option<String>,
    /// `cvss`, `database`, or `unrated` (rated medium: unknown is not harmless).
    pub source: &'static str,
}

fn level_of(score: f64) -> Level {
    match score {
        s if s >= 9.0 => Level::Critical,
        s if s >= 7.0 => Level::High,
        s if s >= 4.0 => Level::Medium,
        _ => Level::Low,
    }
}

/// Rates `advisory`.
pub fn rate(advisory: &Advisory) -> Rating {
    let best = advisory
        .cvss
        .iter()
        .filter_map(|vector| {
            cvss::Cvss::from_str(vector)
                .ok()
                .map(|parsed| (parsed.score(), vector))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((score, vector)) = best {
        return Rating {
            level: level_of(score),
            score: Some(score),
            vector: Some(vector.clone()),
            source: "cvss",
        };
    }
    let word = advisory.rated.as_deref().map(str::to_ascii_uppercase);
    let level = match word.as_deref() {
        Some("CRITICAL") => Some(Level::Critical),
        Some("HIGH") => Some(Level::High),
        Some("MODERATE" | "MEDIUM") => Some(Level::Medium),
        Some("LOW") => Some(Level::Low),
        _ => None,
    };
    match level {
        Some(level) => Rating {
            level,
            score: None,
            vector: None,
            source: "database",
        },
        None => Rating {
            level: Level::Medium,
            score: None,
            vector: None,
            source: "unrated",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(cvss: &[&str], rated: Option<&str>) -> Advisory {
        Advisory {
            id: "X".into(),
            aliases: Vec::new(),
            summary: String::new(),
            modified: String::new(),
            withdrawn: None,
            cvss: cvss.iter().map(|v| (*v).to_owned()).collect(),
            rated: rated.map(str::to_owned),
            informational: None,
            url: None,
            affected: Vec::new(),
        }
    }

    #[test]
    fn vectors_are_scored_and_the_highest_wins() {
        let rating = rate(&with(
            &[
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            ],
            Some("LOW"),
        ));
        assert_eq!(rating.level, Level::Critical);
        assert_eq!(rating.score, Some(9.8));
        let v4 = rate(&with(
            &["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"],
            None,
        ));
        assert_eq!(v4.level, Level::Critical, "{v4:?}");
    }

    #[test]
    fn without_a_vector_the_database_word_then_medium() {
        assert_eq!(rate(&with(&[], Some("MODERATE"))).level, Level::Medium);
        assert_eq!(
            rate(&with(&["CVSS:9.9/garbage"], Some("HIGH"))).level,
            Level::High
        );
        let unrated = rate(&with(&[], None));
        assert_eq!((unrated.level, unrated.source), (Level::Medium, "unrated"));
    }
}
