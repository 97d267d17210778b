//! Text from a repository's bytes.

use std::borrow::Cow;

/// `bytes` as text, invalid UTF-8 replaced by U+FFFD, without a copy when it is valid.
///
/// Gates read most files as text, several gates the same file. `String::from_utf8_lossy`
/// walks its input byte by byte (it was 3.5 % of a whole static run's CPU time); valid text,
/// nearly every file, is confirmed by `std::str::from_utf8`'s word-at-a-time ASCII path
/// instead, and only invalid text takes the lossy walk.
pub fn lossy_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::lossy_text;

    #[test]
    fn valid_text_is_borrowed_and_invalid_bytes_are_replaced() {
        assert!(matches!(
            lossy_text("key = värde".as_bytes()),
            std::borrow::Cow::Borrowed("key = värde")
        ));
        assert_eq!(lossy_text(b"a\xffb\xc3"), "a\u{fffd}b\u{fffd}");
        assert_eq!(lossy_text(b""), "");
    }
}
