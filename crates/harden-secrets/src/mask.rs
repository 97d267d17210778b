//! Masking secrets in any text before it is shown or recorded: messages, reports, logs, config
//! diagnostics, ledger entries.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use harden_model::{Secret, mask_url_credentials};

use crate::{Detector, DetectorConfig};

/// The detector for `config`, compiled once per process and configuration (compiling the
/// rules takes longer than scanning a large repository's worth of text).
pub fn cached(config: &DetectorConfig) -> Result<Arc<Detector>, crate::DetectorError> {
    type Compiled = Vec<(DetectorConfig, Arc<Detector>)>;
    static CACHE: OnceLock<Mutex<Compiled>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(|| Mutex::new(Vec::new()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, detector)) = cache.iter().find(|(c, _)| c == config) {
        return Ok(detector.clone());
    }
    let detector = Arc::new(Detector::with_config(config)?);
    cache.push((config.clone(), detector.clone()));
    Ok(detector)
}

/// The detector every mask applies: the built-in rules, plus the repository's own
/// `[[secrets.rule]]` once a command has loaded its config ([`mask_also`]). Never its allowlist
/// or disabled rules: an allowed value is not reported, but it is still not shown.
fn masking_detector() -> &'static RwLock<Option<Arc<Detector>>> {
    static DETECTOR: OnceLock<RwLock<Option<Arc<Detector>>>> = OnceLock::new();
    DETECTOR.get_or_init(|| RwLock::new(None))
}

/// Makes every later [`mask`] in this process apply `custom` rules too, so a credential only
/// the repository's own rules know is masked in every gate's snippets, reports, logs and the
/// ledger, not just found by the secret gates. Rules that do not compile are left out here (the
/// config check reports them).
pub fn mask_also(custom: &[crate::CustomRule]) {
    let config = DetectorConfig {
        custom: custom.to_vec(),
        ..DetectorConfig::default()
    };
    if let Ok(detector) = cached(&config) {
        *masking_detector()
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(detector);
    }
}

/// `text` with every secret the rules recognise (the built-in ones and, after [`mask_also`], the
/// repository's own), and every credential in a URL, replaced by its mask (`ghp_…(40)#1a2b`). A
/// secret found inside a base64 or hex run masks the whole run, which is the secret in another
/// spelling.
pub fn mask(text: &str) -> Cow<'_, str> {
    let chosen = masking_detector()
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let detector = match chosen {
        Some(detector) => detector,
        None => match cached(&DetectorConfig::default()) {
            Ok(detector) => detector,
            Err(_) => return mask_url_credentials(text).into(),
        },
    };
    let found = detector.scan(text);
    if found.is_empty() {
        let urls = mask_url_credentials(text);
        return if urls == text {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(urls)
        };
    }
    let mut shown = String::with_capacity(text.len());
    let mut done = 0;
    for found in found {
        // The text may be serialized already (JSON, a log line): a range never splits a
        // backslash escape, or the `"` it escaped would end the string early.
        let mut start = found.start;
        while start > 0 && escaped_at(text, start) {
            start -= 1;
        }
        let mut end = found.end;
        if end < text.len() && escaped_at(text, end) {
            end += text[end..].chars().next().map_or(1, char::len_utf8);
        }
        if start < done || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        shown.push_str(&text[done..start]);
        shown.push_str(&inert(&Secret::new(&text[start..end]).to_string()));
        done = end;
    }
    shown.push_str(&text[done..]);
    Cow::Owned(mask_url_credentials(&shown))
}

/// Whether the byte at `at` is escaped by an odd run of backslashes right before it.
fn escaped_at(text: &str, at: usize) -> bool {
    text.as_bytes()[..at]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
        % 2
        == 1
}

/// A mask that is inert in every format it lands in: the characters it shows of the secret
/// could be a quote, a backslash or markup.
fn inert(mask: &str) -> String {
    mask.chars()
        .map(|c| {
            if c.is_alphanumeric() || "…()#_-.:/+=".contains(c) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Masks every string inside a JSON value (keys included), in place.
pub fn mask_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let Cow::Owned(masked) = mask(text) {
                *text = masked;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_json),
        serde_json::Value::Object(map) => {
            let masked_keys: Vec<(String, String)> = map
                .keys()
                .filter_map(|k| match mask(k) {
                    Cow::Owned(m) => Some((k.clone(), m)),
                    Cow::Borrowed(_) => None,
                })
                .collect();
            for (key, masked) in masked_keys {
                if let Some(v) = map.remove(&key) {
                    map.insert(masked, v);
                }
            }
            map.values_mut().for_each(mask_json);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_and_url_credentials_and_borrows_clean_text() {
        let token = concat!("sk_live_", "Zq8RkT2vLm5Np9Wx3Yb7Hc4J");
        assert!(matches!(mask("nothing secret here"), Cow::Borrowed(_)));
        let text = format!("token = \"{token}\" and postgres://u:pw@db/x");
        let masked = mask(&text);
        assert!(!masked.contains(token), "{masked}");
        assert!(masked.contains("postgres://u:***@db/x"), "{masked}");
        let mut value = serde_json::json!({"a": [format!("x {token}")], token: 1});
        mask_json(&mut value);
        assert!(!value.to_string().contains(token), "{value}");
    }

    /// Masking serialized JSON keeps it JSON: a match never splits a `\"` escape, and the mask
    /// shows no quote or backslash.
    #[test]
    fn masking_serialized_json_keeps_it_valid() {
        let value = serde_json::json!({
            // Assembled at run time: harden scans its own sources.
            "command": format!("run --{}={}\" --verbose", "password", ["Xy7pQ2mZ", "9kLw"].concat()),
            "mask": concat!("token = \"\\\"Zq8Rk", "T2vLm5Np9Wx3Yb7Hc4J\""),
            // A URL credential right before an escaped quote (an HTML snippet in a report).
            "url": "<img src=\"https://ci.example.com/badge.svg?circle-token=0123456789abcdef\" alt=\"\">"
        });
        let text = value.to_string();
        let masked = mask(&text);
        assert_ne!(masked, text, "something was masked");
        let parsed: serde_json::Value =
            serde_json::from_str(&masked).unwrap_or_else(|e| panic!("{e}: {masked}"));
        assert!(
            !parsed["command"].to_string().contains("Xy7pQ2mZ9kLw"),
            "{parsed}"
        );
    }
}
