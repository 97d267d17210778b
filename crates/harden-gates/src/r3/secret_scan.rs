//! What the secret gates share: the detector built from `[secrets]`, the baseline, the scan of
//! one text (binary and oversized files skipped), and one finding per distinct secret with
//! every place it was found.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use harden_engine::{BlobOrigin, GateCx, GateError, GateOutput};
use harden_model::{Location, Redacted, Secret, Span};
use harden_secrets::{Detector, DetectorConfig, Encoding, Match};
use serde::{Deserialize, Serialize};

/// Files larger than this are skipped (and counted): generated bundles and data, not config.
pub(crate) const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Log files are read up to this size: a day of logs is routinely larger than any source file,
/// and the detector's work is linear in the text.
pub(crate) const MAX_LOG_BYTES: usize = 1024 * 1024 * 1024;

/// The key under which secrets are digested into fingerprints and baselines.
const DIGEST_KEY: &[u8] = b"R3.secrets";

/// The detector for a `[secrets]` configuration, compiled once per process and configuration.
pub(crate) fn detector(config: &DetectorConfig) -> Result<Arc<Detector>, GateError> {
    harden_secrets::cached(config).map_err(|e| GateError::Failed {
        message: format!("secret rules: {e}"),
        location: None,
    })
}

/// `harden secrets baseline` output: fingerprints of accepted secrets, never their values.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// One entry per accepted secret.
    pub secrets: Vec<BaselineEntry>,
}

/// One accepted secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Fingerprint of the finding (gate, first path and a keyed digest of the secret).
    pub fingerprint: String,
    /// Gate that reported it.
    pub gate: String,
    /// The masked secret, for people reading the file.
    pub shown: String,
    /// Where it was, `path:line` (and commit for history findings).
    pub locations: Vec<String>,
}

/// Default baseline path, committed with the repository.
pub const DEFAULT_BASELINE: &str = ".harden-secrets-baseline.json";

/// One secret as found: its digest and what is shown of it.
#[derive(Debug)]
pub(crate) struct Hit {
    key: String,
    rule: Arc<str>,
    description: Arc<str>,
    secret: Secret,
    encodings: Vec<Encoding>,
    location: Location,
    commit: Option<(String, String, String)>,
}

/// What scanning one text came to.
pub(crate) enum Scanned {
    Binary,
    Large,
    /// Not in the object store: a partial clone (`--filter=blob:none`) leaves blobs out.
    Missing,
    Text(Vec<Hit>),
}

/// Scans `bytes` of `path` (or of a blob of the history).
pub(crate) fn scan(
    detector: &Detector,
    path: &str,
    bytes: &[u8],
    origin: Option<&BlobOrigin>,
    max_bytes: usize,
) -> Scanned {
    if bytes.len() > max_bytes {
        return Scanned::Large;
    }
    if bytes[..bytes.len().min(8000)].contains(&0) {
        return Scanned::Binary;
    }
    let found = detector.scan(bytes);
    // Everything this (configured) detector found in the text, each range extended to the end
    // of its token: snippets mask them all, so neither a neighbour, an encoded copy nor the
    // tail of an over-long value shows through.
    let masked: Vec<(usize, usize)> = found
        .iter()
        .map(|m| {
            // A key block's armour line (`-----BEGIN RSA PRIVATE KEY-----`) holds nothing
            // secret and says what was found: the mask starts at the body.
            let start = if bytes[m.start..].starts_with(b"-----BEGIN") {
                bytes[m.start..m.end]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(m.start, |i| m.start + i + 1)
            } else {
                m.start
            };
            (start, token_end(bytes, m.end))
        })
        .collect();
    Scanned::Text(
        found
            .into_iter()
            .map(|m| {
                let location = location(path, bytes, &m, origin, &masked);
                Hit {
                    key: m.secret.keyed_digest(DIGEST_KEY),
                    rule: m.rule,
                    description: m.description,
                    secret: m.secret,
                    encodings: m.encodings,
                    location,
                    commit: origin.map(|o| {
                        (
                            o.commit.id.clone(),
                            o.commit.author.clone(),
                            o.commit.time.strftime("%Y-%m-%d").to_string(),
                        )
                    }),
                }
            })
            .collect(),
    )
}

/// Where the token containing `end - 1` stops: at white space, a quote or a delimiter.
fn token_end(bytes: &[u8], end: usize) -> usize {
    bytes[end..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || b"\"'`,;&)}]>@".contains(b))
        .map_or(bytes.len(), |i| end + i)
}

/// The line from `start` to `end` with every masked range replaced by its mask.
fn masked_line(bytes: &[u8], start: usize, end: usize, masked: &[(usize, usize)]) -> String {
    let mut ranges: Vec<(usize, usize)> = masked
        .iter()
        .filter(|&&(s, e)| s < end && start < e)
        .map(|&(s, e)| (s.max(start), e.min(end)))
        .collect();
    ranges.sort_unstable();
    let mut out = String::new();
    let mut at = start;
    for (s, e) in ranges {
        if e <= at {
            continue;
        }
        let s = s.max(at);
        out.push_str(&String::from_utf8_lossy(&bytes[at..s]));
        out.push_str(&Secret::new(String::from_utf8_lossy(&bytes[s..e])).to_string());
        at = e;
    }
    out.push_str(&String::from_utf8_lossy(&bytes[at..end]));
    out
}

fn location(
    path: &str,
    bytes: &[u8],
    found: &Match,
    origin: Option<&BlobOrigin>,
    masked: &[(usize, usize)],
) -> Location {
    let line_start = memchr_rev(bytes, found.start);
    let line_end = bytes[found.start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| found.start + i);
    // Masked by range first (this detector's own matches), then by the built-in rules and
    // URL-credential masking as a second net, and only then cut.
    let masked = crate::support::shown_text(&masked_line(bytes, line_start, line_end, masked));
    let mut snippet: String = masked.trim().chars().take(200).collect();
    if masked.trim().chars().count() > 200 {
        snippet.push('…');
    }
    let span = Some(Span {
        start: found.position,
        end: found.end_position,
    });
    let snippet = Some(Redacted::known_safe(snippet));
    match origin {
        Some(origin) => Location::Commit {
            commit: origin.commit.id.clone(),
            path: path.to_owned(),
            span,
            snippet,
        },
        None => Location::File {
            path: path.to_owned(),
            span,
            snippet,
            logical: Some(found.rule.to_string()),
        },
    }
}

fn memchr_rev(bytes: &[u8], at: usize) -> usize {
    bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// Every distinct secret found by one gate, with its locations.
pub(crate) struct Findings {
    secrets: BTreeMap<String, (Hit, Vec<Location>)>,
    baseline: BTreeSet<String>,
    allow_paths: Option<globset::GlobSet>,
    binary: u64,
    large: u64,
    missing: u64,
    texts: u64,
}

impl Findings {
    /// Reads the baseline and `allow-paths` of `[secrets]`.
    pub(crate) fn new(cx: &GateCx<'_>) -> Result<Self, GateError> {
        let config = &cx.config().secrets;
        let path = config.baseline.as_deref().unwrap_or(DEFAULT_BASELINE);
        let mut baseline = BTreeSet::new();
        let bytes = if config.ignore_baseline {
            None
        } else if let Some(bytes) = &config.preloaded_baseline {
            Some(bytes.clone())
        } else if cx.repo().is_file(path) {
            Some(cx.repo().read(path)?)
        } else {
            None
        };
        if let Some(bytes) = bytes {
            let parsed: Baseline =
                serde_json::from_slice(&bytes).map_err(|e| GateError::Failed {
                    message: format!(
                        "{path}:{}:{}: not a harden secrets baseline: {e}",
                        e.line(),
                        e.column()
                    ),
                    location: Some(crate::support::file_location(path)),
                })?;
            baseline.extend(parsed.secrets.into_iter().map(|s| s.fingerprint));
        }
        let allow_paths = if config.allow_paths.is_empty() {
            None
        } else {
            Some(harden_engine::glob_set(&config.allow_paths)?)
        };
        Ok(Self {
            secrets: BTreeMap::new(),
            baseline,
            allow_paths,
            binary: 0,
            large: 0,
            missing: 0,
            texts: 0,
        })
    }

    /// Blobs the object store did not have.
    pub(crate) fn missing(&self) -> u64 {
        self.missing
    }

    /// Whether `[secrets] allow-paths` leaves `path` out.
    pub(crate) fn allowed_path(&self, path: &str) -> bool {
        self.allow_paths
            .as_ref()
            .is_some_and(|set| set.is_match(path))
    }

    pub(crate) fn add(&mut self, scanned: Scanned) {
        match scanned {
            Scanned::Binary => self.binary += 1,
            Scanned::Large => self.large += 1,
            Scanned::Missing => self.missing += 1,
            Scanned::Text(hits) => {
                self.texts += 1;
                for hit in hits {
                    let location = hit.location.clone();
                    self.secrets
                        .entry(hit.key.clone())
                        .or_insert_with(|| (hit, Vec::new()))
                        .1
                        .push(location);
                }
            }
        }
    }

    /// Counts and findings, one per distinct secret not in the baseline.
    pub(crate) fn report(self, cx: &GateCx<'_>, out: &mut GateOutput, texts: &str) {
        out.examined(texts, self.texts);
        out.count("binary files skipped", self.binary);
        out.count("large files skipped", self.large);
        if self.missing > 0 {
            out.count("blobs missing", self.missing);
        }
        let mut baselined = 0;
        let mut reported = 0;
        for (key, (hit, mut locations)) in self.secrets {
            let primary = locations.remove(0);
            let places = locations.len() + 1;
            let encoded: String = hit
                .encodings
                .iter()
                .flat_map(|e| [" (", e.name(), "-encoded)"])
                .collect();
            let introduced = hit
                .commit
                .as_ref()
                .map(|(id, author, date)| {
                    format!(
                        ", introduced in {} by {author} on {date}",
                        &id[..id.len().min(12)]
                    )
                })
                .unwrap_or_default();
            let mut finding = cx
                .finding(
                    format!(
                        "{} {}{encoded}{introduced}{}",
                        hit.description,
                        hit.secret,
                        if places > 1 { format!(" in {places} places") } else { String::new() }
                    ),
                    primary,
                )
                .identity(&key)
                .help(format!(
                    "rule {}: revoke and rotate it now, then remove it and load it from a secret store at runtime",
                    hit.rule
                ));
            for other in locations.into_iter().take(50) {
                finding = finding.related(other);
            }
            let finding = finding.build();
            if self.baseline.contains(&finding.fingerprint.to_string()) {
                baselined += 1;
                continue;
            }
            reported += 1;
            out.finding(finding);
        }
        out.count("secrets", reported);
        out.count("baselined", baselined);
    }
}

/// Scans many texts on all cores; `read` fetches one (file or blob) by index.
pub(crate) fn scan_all<'a, T: Sync>(
    detector: &Detector,
    max_bytes: usize,
    items: &[T],
    name: impl Fn(&T) -> (&'a str, Option<&'a BlobOrigin>) + Sync,
    read: impl Fn(&T) -> Result<Option<Vec<u8>>, harden_engine::PortError> + Sync,
) -> Result<Vec<Scanned>, GateError> {
    use rayon::prelude::*;
    items
        .par_iter()
        .map(|item| {
            let (path, origin) = name(item);
            // A blob the object store does not have (a partial clone) is counted; any other
            // read error stops the gate.
            let Some(bytes) = read(item)? else {
                return Ok(Scanned::Missing);
            };
            Ok(scan(detector, path, &bytes, origin, max_bytes))
        })
        .collect()
}
