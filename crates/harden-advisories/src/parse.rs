//! Reading advisory records: OSV JSON (any ecosystem) and RustSec's native Markdown with TOML
//! front matter, both into [`Advisory`].

use serde_json::Value;

use crate::model::{Advisory, Affected, Event, Range, RangeKind};

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What was expected.
    pub message: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
}

impl ParseError {
    fn plain(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `time` (RFC 3339, any offset and precision) as the index keeps it: UTC, nanoseconds, fixed
/// width, so that comparing two as text (SQLite's `max`, an import's "is this copy newer")
/// compares the times. A year outside 1970..=9999 is not a real record's.
pub fn normalize_time(time: &str) -> Result<String, String> {
    let parsed: jiff::Timestamp = time
        .parse()
        .map_err(|e| format!("`{time}` is not an RFC 3339 time: {e}"))?;
    let utc = parsed.to_zoned(jiff::tz::TimeZone::UTC);
    if !(1970..=9999).contains(&utc.year()) {
        return Err(format!("`{time}` is not a time between 1970 and 9999"));
    }
    Ok(format!(
        "{}.{:09}Z",
        utc.strftime("%Y-%m-%dT%H:%M:%S"),
        utc.subsec_nanosecond()
    ))
}

/// The longest summary kept: a finding needs one line, not the record's whole text.
const SUMMARY_CHARS: usize = 300;

fn first_line(details: &str) -> String {
    let line = details
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    line.chars().take(SUMMARY_CHARS).collect()
}

/// Reads one OSV record (JSON).
pub fn osv(json: &[u8]) -> Result<Advisory, ParseError> {
    let value: Value = serde_json::from_slice(json).map_err(|e| ParseError {
        message: format!("not JSON: {e}"),
        line: Some(e.line()),
        column: Some(e.column()),
    })?;
    let id = text(&value, "id").ok_or_else(|| ParseError::plain("an `id` string is expected"))?;
    let modified = text(&value, "modified")
        .ok_or_else(|| ParseError::plain(format!("{id}: a `modified` time is expected")))?;
    let modified =
        normalize_time(&modified).map_err(|e| ParseError::plain(format!("{id}: modified: {e}")))?;
    let mut cvss: Vec<String> = Vec::new();
    let mut informational = None;
    let severities = |value: &Value, cvss: &mut Vec<String>| {
        for severity in value
            .get("severity")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(score) = text(severity, "score")
                && score.starts_with("CVSS:")
                && !cvss.contains(&score)
            {
                cvss.push(score);
            }
        }
    };
    severities(&value, &mut cvss);
    let mut affected = Vec::new();
    for entry in value
        .get("affected")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        severities(entry, &mut cvss);
        let Some(package) = entry.get("package") else {
            continue;
        };
        let (Some(ecosystem), Some(name)) = (text(package, "ecosystem"), text(package, "name"))
        else {
            continue;
        };
        if let Some(kind) = entry
            .pointer("/database_specific/informational")
            .and_then(Value::as_str)
        {
            informational = Some(kind.to_owned());
        }
        let mut ranges = Vec::new();
        for range in entry
            .get("ranges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = match range.get("type").and_then(Value::as_str) {
                Some("SEMVER") => RangeKind::Semver,
                Some("ECOSYSTEM") => RangeKind::Ecosystem,
                Some("GIT") => RangeKind::Git,
                other => {
                    return Err(ParseError::plain(format!(
                        "{id}: a range type SEMVER, ECOSYSTEM or GIT is expected, found {other:?}"
                    )));
                }
            };
            let mut events = Vec::new();
            for event in range
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let pick = |key: &str| text(event, key);
                events.push(if let Some(v) = pick("introduced") {
                    Event::Introduced(v)
                } else if let Some(v) = pick("fixed") {
                    Event::Fixed(v)
                } else if let Some(v) = pick("last_affected") {
                    Event::LastAffected(v)
                } else if let Some(v) = pick("limit") {
                    Event::Limit(v)
                } else {
                    return Err(ParseError::plain(format!(
                        "{id}: an event of introduced, fixed, last_affected or limit is expected"
                    )));
                });
            }
            ranges.push(Range { kind, events });
        }
        affected.push(Affected {
            ecosystem: crate::model::base_ecosystem(&ecosystem).to_owned(),
            name,
            ranges,
            versions: strings(entry, "versions"),
            unaffected_requirements: None,
            patched: Vec::new(),
        });
    }
    let summary = text(&value, "summary")
        .filter(|s| !s.trim().is_empty())
        .map_or_else(
            || first_line(&text(&value, "details").unwrap_or_default()),
            |s| s.chars().take(SUMMARY_CHARS).collect(),
        );
    let url = value
        .get("references")
        .and_then(Value::as_array)
        .and_then(|refs| {
            refs.iter()
                .find(|r| r.get("type").and_then(Value::as_str) == Some("ADVISORY"))
                .or_else(|| refs.first())
        })
        .and_then(|r| text(r, "url"));
    Ok(Advisory {
        aliases: strings(&value, "aliases"),
        summary,
        modified,
        withdrawn: text(&value, "withdrawn"),
        cvss,
        rated: value
            .pointer("/database_specific/severity")
            .and_then(Value::as_str)
            .map(str::to_owned),
        informational,
        url,
        affected,
        id,
    })
}

/// Reads one RustSec advisory in its native form: a Markdown file that opens with a
/// ```` ```toml ```` block (`[advisory]`, `[versions]`), then `# Title` and the description.
pub fn rustsec(markdown: &str) -> Result<Advisory, ParseError> {
    let body = markdown
        .trim_start()
        .strip_prefix("```toml")
        .ok_or_else(|| ParseError {
            message: "a ```toml front matter block is expected first".into(),
            line: Some(1),
            column: Some(1),
        })?;
    let end = body.find("\n```").ok_or_else(|| {
        ParseError::plain("the ```toml front matter block is not closed with ```")
    })?;
    let (front, rest) = body.split_at(end);
    let document: toml_edit::DocumentMut = front.parse().map_err(|e: toml_edit::TomlError| {
        let (line, column) = e.span().map_or((None, None), |span| {
            let before = &front[..span.start.min(front.len())];
            // `front` starts right after ```toml on line 1: its newlines count the file's lines.
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            (Some(line), Some(column))
        });
        ParseError {
            message: format!("front matter is not TOML: {}", e.message()),
            line,
            column,
        }
    })?;
    let advisory = document
        .get("advisory")
        .and_then(|a| a.as_table_like())
        .ok_or_else(|| ParseError::plain("an [advisory] table is expected"))?;
    let get = |key: &str| {
        advisory
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let list = |table: Option<&dyn toml_edit::TableLike>, key: &str| -> Vec<String> {
        table
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let id = get("id").ok_or_else(|| ParseError::plain("[advisory] id is expected"))?;
    let package = get("package")
        .ok_or_else(|| ParseError::plain(format!("{id}: [advisory] package is expected")))?;
    let date = get("date")
        .ok_or_else(|| ParseError::plain(format!("{id}: [advisory] date is expected")))?;
    // RustSec records carry a date, not a modification time.
    let modified = normalize_time(&format!("{date}T00:00:00Z"))
        .map_err(|e| ParseError::plain(format!("{id}: date `{date}`: {e}")))?;
    let versions = document.get("versions").and_then(|v| v.as_table_like());
    let patched = list(versions, "patched");
    let mut unaffected = patched.clone();
    unaffected.extend(list(versions, "unaffected"));
    for requirement in &unaffected {
        semver::VersionReq::parse(requirement).map_err(|e| {
            ParseError::plain(format!(
                "{id}: `{requirement}` is not a version requirement: {e}"
            ))
        })?;
    }
    let title = rest
        .lines()
        .find_map(|l| l.trim().strip_prefix("# "))
        .unwrap_or_default()
        .trim();
    Ok(Advisory {
        aliases: list(Some(advisory), "aliases"),
        summary: title.chars().take(SUMMARY_CHARS).collect(),
        modified,
        withdrawn: get("withdrawn"),
        cvss: get("cvss").into_iter().collect(),
        rated: None,
        informational: get("informational"),
        url: get("url").or_else(|| Some(format!("https://rustsec.org/advisories/{id}.html"))),
        affected: vec![Affected {
            ecosystem: "crates.io".into(),
            name: package,
            ranges: Vec::new(),
            versions: Vec::new(),
            unaffected_requirements: Some(unaffected),
            patched,
        }],
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_osv_record_keeps_ranges_aliases_severity_and_summary() {
        let record = br#"{
          "id": "GHSA-test-0001", "modified": "2024-01-02T03:04:05Z",
          "aliases": ["CVE-2024-0001"],
          "details": "\n  A long description.\nSecond line.",
          "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
          "database_specific": {"severity": "CRITICAL"},
          "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}],
            "versions": ["1.0.0"]}],
          "references": [{"type": "WEB", "url": "https://example.test/a"},
                         {"type": "ADVISORY", "url": "https://example.test/b"}]
        }"#;
        let advisory = osv(record).unwrap();
        assert_eq!(advisory.id, "GHSA-test-0001");
        assert_eq!(advisory.aliases, ["CVE-2024-0001"]);
        assert_eq!(advisory.summary, "A long description.");
        assert_eq!(advisory.rated.as_deref(), Some("CRITICAL"));
        assert_eq!(advisory.cvss.len(), 1);
        assert_eq!(advisory.url.as_deref(), Some("https://example.test/b"));
        assert_eq!(
            advisory.affected[0].ranges[0].events,
            [Event::Introduced("0".into()), Event::Fixed("1.3.1".into())]
        );
    }

    #[test]
    fn bad_osv_records_say_where_and_what() {
        let error = osv(b"{\n  \"id\": 1,\n").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(osv(br#"{"id": "X", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "NOPE", "events": []}]}]}"#)
            .unwrap_err()
            .message
            .contains("SEMVER, ECOSYSTEM or GIT"));
        assert!(
            osv(br#"{"id": "X"}"#)
                .unwrap_err()
                .message
                .contains("modified")
        );
        let error = osv(br#"{"id": "X", "modified": "yesterday", "affected": []}"#).unwrap_err();
        assert!(error.message.contains("not an RFC 3339 time"), "{error:?}");
    }

    #[test]
    fn times_compare_as_text_once_normalized() {
        let times = [
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.5Z",
            "2024-01-01T02:00:01+02:00",
            "2024-01-01T00:00:01.000001Z",
        ];
        let normalized: Vec<String> = times.iter().map(|t| normalize_time(t).unwrap()).collect();
        assert_eq!(normalized[2], "2024-01-01T00:00:01.000000000Z");
        let mut sorted = normalized.clone();
        sorted.sort();
        assert_eq!(sorted, normalized);
        assert!(normalize_time("1969-12-31T23:59:59Z").is_err());
    }

    #[test]
    fn a_rustsec_record_reads_its_front_matter_and_title() {
        let markdown = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"demo\"\ndate = \"2099-01-02\"\naliases = [\"CVE-2099-1\"]\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"\n\n[versions]\npatched = [\">= 1.2.0\"]\nunaffected = [\"< 0.5.0\"]\n```\n\n# Demo crashes\n\nText.\n";
        let advisory = rustsec(markdown).unwrap();
        assert_eq!(advisory.id, "RUSTSEC-2099-0001");
        assert_eq!(advisory.summary, "Demo crashes");
        assert_eq!(advisory.modified, "2099-01-02T00:00:00.000000000Z");
        assert_eq!(
            advisory.affected[0].unaffected_requirements.as_deref(),
            Some(&[">= 1.2.0".to_owned(), "< 0.5.0".to_owned()][..])
        );
        // Versions that never had the flaw are not a fix to offer.
        assert_eq!(
            Advisory::fixed_versions(&advisory.affected[0]),
            [">= 1.2.0"]
        );
    }

    #[test]
    fn bad_rustsec_records_say_where_and_what() {
        assert!(
            rustsec("# no front matter")
                .unwrap_err()
                .message
                .contains("```toml")
        );
        let error = rustsec("```toml\n[advisory]\nid = \n```\n").unwrap_err();
        assert_eq!(error.line, Some(3), "{error:?}");
        assert!(
            rustsec("```toml\n[advisory]\nid = \"R\"\npackage = \"p\"\ndate = \"2024-01-01\"\n[versions]\npatched = [\"not a req\"]\n```\n")
                .unwrap_err()
                .message
                .contains("not a version requirement")
        );
    }
}
