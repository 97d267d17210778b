use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use harden_model::{LineCol, Secret, line_col_at};
use regex::Regex;

use crate::rules::Rule;
use crate::validate::shannon_entropy;

/// A secret found in a text.
#[derive(Debug, Clone)]
pub struct Match {
    /// Rule id.
    pub rule: &'static str,
    /// The secret (masked when shown).
    pub secret: Secret,
    /// Byte range of the secret.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// Position of its first character.
    pub position: LineCol,
}

/// Compiled rules and their keyword prefilter.
pub struct Detector {
    rules: Vec<(&'static Rule, Regex)>,
    keywords: AhoCorasick,
    /// For each keyword pattern, the rules that list it.
    keyword_rules: Vec<Vec<usize>>,
}

/// Values that look like secrets but are documentation, placeholders or references.
fn placeholder(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    [
        // A masked secret (`sk_l…(40)#20b7`) in a report or snapshot is not a secret.
        "…",
        "example",
        "xxxxxxxx",
        "changeme",
        "your_",
        "your-",
        "<",
        "${",
        "{{",
        "placeholder",
        "dummy",
        "redacted",
        "insert",
        "****",
    ]
    .iter()
    .any(|marker| lower.contains(marker))
        || secret
            .chars()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            < 5
        || OBVIOUS
            .iter()
            .any(|word| lower == *word || lower.strip_suffix("123") == Some(word))
}

/// Values people write where a secret will go, not secrets themselves.
const OBVIOUS: &[&str] = &[
    "password",
    "secret",
    "passwd",
    "admin",
    "letmein",
    "username",
    "token",
    "mypassword",
];

impl Detector {
    /// Compiles `rules`. Panics only if a built-in pattern is invalid, which a test rules out.
    pub fn new(rules: &'static [Rule]) -> Result<Self, String> {
        let mut compiled = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            compiled.push((
                rule,
                Regex::new(rule.pattern).map_err(|e| format!("rule {}: {e}", rule.id))?,
            ));
            for keyword in rule.keywords {
                let keyword = keyword.to_ascii_lowercase();
                if let Some(at) = keywords.iter().position(|k| *k == keyword) {
                    keyword_rules[at].push(index);
                } else {
                    keywords.push(keyword);
                    keyword_rules.push(vec![index]);
                }
            }
        }
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            rules: compiled,
            keywords,
            keyword_rules,
        })
    }

    /// Every secret in `text`, in order of position, one match per secret occurrence.
    pub fn scan(&self, text: &str) -> Vec<Match> {
        let mut wanted = vec![false; self.rules.len()];
        for hit in self.keywords.find_overlapping_iter(text) {
            for &rule in &self.keyword_rules[hit.pattern().as_usize()] {
                wanted[rule] = true;
            }
        }
        let mut found: Vec<Match> = Vec::new();
        for (index, (rule, regex)) in self.rules.iter().enumerate() {
            if !wanted[index] {
                continue;
            }
            for captures in regex.captures_iter(text) {
                let Some(group) = captures.get(1).or_else(|| captures.get(0)) else {
                    continue;
                };
                let value = group.as_str();
                if placeholder(value) {
                    continue;
                }
                if rule
                    .min_entropy
                    .is_some_and(|min| shannon_entropy(value) < min)
                {
                    continue;
                }
                if rule.validator.is_some_and(|valid| !valid(value)) {
                    continue;
                }
                // A more specific rule already claimed this text.
                if found
                    .iter()
                    .any(|m| m.start < group.end() && group.start() < m.end)
                {
                    continue;
                }
                found.push(Match {
                    rule: rule.id,
                    secret: Secret::new(value),
                    start: group.start(),
                    end: group.end(),
                    position: line_col_at(text, group.start()),
                });
            }
        }
        found.sort_by_key(|m| m.start);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RULES;

    fn detector() -> Detector {
        Detector::new(RULES).unwrap()
    }

    fn ids(text: &str) -> Vec<&'static str> {
        detector().scan(text).iter().map(|m| m.rule).collect()
    }

    #[test]
    fn every_rule_compiles_and_has_keywords() {
        let d = detector();
        assert_eq!(d.rules.len(), RULES.len());
        assert!(RULES.iter().all(|r| !r.keywords.is_empty()));
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len(), "rule ids are unique");
    }

    #[test]
    fn finds_real_formats_and_positions() {
        // Assembled from parts: harden scans its own sources, which must hold no credential.
        let text = concat!(
            "let key = \"AKIA",
            "QYLPMN5HFIQR7PLB\";\nSTRIPE=sk_live",
            "_51HcVb2KqW8x7Yz3Tq9Lm4Np\nDATABASE_URL=postgres://app:",
            "Tr0ub4dor-9x@db.internal:5432/app\n"
        );
        let found = detector().scan(text);
        let ids: Vec<&str> = found.iter().map(|m| m.rule).collect();
        assert_eq!(
            ids,
            ["aws-access-key-id", "stripe-secret-key", "url-credentials"]
        );
        assert_eq!((found[0].position.line, found[0].position.column), (1, 12));
        assert_eq!(found[2].secret.expose(), "Tr0ub4dor-9x");
    }

    #[test]
    fn placeholders_references_and_examples_do_not_fire() {
        for text in [
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "password = \"${DB_PASSWORD}\"",
            "token: \"{{ .Values.token }}\"",
            "api_key = os.environ[\"API_KEY\"]",
            "password = \"changeme-please\"",
            "postgres://user:password@localhost/db",
            "integrity sha512-7KAD1a0xq3t2uFHv5h7nN9yJ1C8HZk0tVt0zqgZ6sWgN0zCk2dX3bZQy6Wb1v8QfYlqYQ==",
            "id = \"3f9c2e1a-0b1c-4d3e-8f5a-6b7c8d9e0f1a\"",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
        ] {
            assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
        }
    }

    #[test]
    fn generic_assignments_need_entropy() {
        assert_eq!(
            ids("client_secret = \"k8Zq2vL9xR4tW1mN7pB3cD6f\""),
            ["generic-secret-assignment"]
        );
        assert!(ids("password = \"aaaaaaaaaaaaaaaa\"").is_empty());
        assert_eq!(
            ids(concat!("DB_PASSWORD=k8Zq2vL9x", "R4tW1mN7pB3\n")),
            ["generic-secret-line"]
        );
        assert_eq!(
            ids(concat!("  api_token: Qm93ZXJz", "Nzc4ODk5MDAxMjM0\n")),
            ["generic-secret-line"]
        );
        assert!(
            ids("api_key = get_api_key_from_vault()\nSECRET_BACKEND=vault-production-cluster\n")
                .is_empty()
        );
    }
}
