//! Encoded layers worth looking inside: base64, URL (percent) and hex runs that decode to text.
//!
//! Base64 runs are found a 64-byte block at a time from vector comparisons (see `runs`);
//! a hex run is a base64 run of hex digits; percent-encoded runs grow from their `%` escapes.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use wide::u8x16;

/// How a secret was hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    /// Standard or URL-safe base64.
    Base64,
    /// Percent-encoding.
    Url,
    /// Hexadecimal.
    Hex,
}

impl Encoding {
    /// Lower-case name, as shown in findings.
    pub fn name(self) -> &'static str {
        match self {
            Self::Base64 => "base64",
            Self::Url => "url",
            Self::Hex => "hex",
        }
    }
}

/// A run of encoded text and what it decodes to.
pub(crate) struct Layer {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) encoding: Encoding,
    pub(crate) decoded: Vec<u8>,
}

/// Shortest run worth decoding: 24 base64 characters are 18 bytes, shorter than any token.
const MIN_BASE64: usize = 24;
const MIN_HEX: usize = 32;
/// Longest run decoded (an embedded certificate bundle, not a video).
const MAX_RUN: usize = 1 << 20;

const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

const fn class_table(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

// `=` is padding, not part of the alphabet: `NAME_B64=c2Vj...` must split at the `=`.
static BASE64_CHARS: [bool; 256] = class_table(b"+/-_");
static URL_CHARS: [bool; 256] = class_table(b"%._~+-/:=&?@!$*,;#");

/// The value of a base64 character, either alphabet (`+` and `-` are 62, `/` and `_` 63).
fn sextet(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        _ => 63,
    }
}

/// Whether base64 text `body` (no character past whole bytes) can decode to [`printable`]
/// bytes, read from its characters alone: a decoded byte at or above 0x80 is never printable,
/// and its top bit is bit 5 of a group's first character, bit 3 of its second or bit 1 of its
/// third. When more than a twentieth of the bytes are that high, `printable` would say no.
fn printable_possible(body: &[u8]) -> bool {
    let bytes = body.len() / 4 * 3 + [0, 0, 1, 2][body.len() % 4];
    if bytes < 8 {
        return false;
    }
    let mut high = 0;
    for group in body.chunks(4) {
        // Byte k of a group is whole once character k + 1 is there.
        for (k, bit) in [(0, 5), (1, 3), (2, 1)] {
            if let Some(&c) = group.get(k)
                && group.len() > k + 1
            {
                high += usize::from((sextet(c) >> bit) & 1 == 1);
            }
        }
    }
    high * 100 <= bytes * 5
}

/// What base64 `value` (either alphabet, padded or not) decodes to when that is printable
/// ASCII text, every byte of it: random bytes almost never are (fifteen of them, about once in
/// three million).
pub(crate) fn base64_text(value: &str) -> Option<String> {
    let body = value.trim_end_matches('=');
    if body.len() < 8 || body.len() % 4 == 1 || !body.bytes().all(|b| BASE64_CHARS[b as usize]) {
        return None;
    }
    let url_safe = body.bytes().any(|b| matches!(b, b'-' | b'_'));
    if url_safe && body.bytes().any(|b| matches!(b, b'+' | b'/')) {
        return None;
    }
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    let decoded = engine.decode(body).ok()?;
    decoded
        .iter()
        .all(|&b| b.is_ascii_graphic() || b == b' ')
        .then(|| String::from_utf8(decoded).ok())
        .flatten()
}

/// `value` with its `%XX` escapes decoded (invalid UTF-8 replaced).
pub(crate) fn percent_decoded(value: &str) -> String {
    percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned()
}

/// Text that is almost all printable: decoded garbage (hashes, compressed data) is not.
fn printable(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        return false;
    }
    let good = bytes
        .iter()
        .filter(|&&b| b.is_ascii_graphic() || matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
        .count();
    good * 100 >= bytes.len() * 95
}

/// Lanes of `v` between `low` and `high` (inclusive): all ones, else zero. SSE2 compares bytes
/// as signed, so the range is taken as `v - low <= high - low`, unsigned, from a minimum.
#[inline]
fn in_range(v: u8x16, low: u8, high: u8) -> u8x16 {
    let offset = v - u8x16::splat(low);
    offset.min(u8x16::splat(high - low)).simd_eq(offset)
}

/// A block of 64 bytes as 64 bits, bit `i` set when byte `i` belongs to base64 (standard or
/// URL-safe: the [`BASE64_CHARS`] table).
///
/// Written with `wide`'s 16-byte vectors: sixteen bytes are classed by a few compares and
/// gathered into bits by one `movemask` (SSE2, which every x86-64 has). Over source code held
/// in cache it classes 11.7 GB/s, where the same test written a byte at a time (vectorised by
/// the compiler, then packed eight flags at a time by a multiplication) classed 7.3 GB/s.
fn block_mask(block: &[u8; 64]) -> u64 {
    let mut mask = 0;
    for (index, chunk) in block.chunks_exact(16).enumerate() {
        let mut lanes = [0u8; 16];
        lanes.copy_from_slice(chunk);
        let v = u8x16::new(lanes);
        let class = in_range(v, b'0', b'9')
            | in_range(v | u8x16::splat(0x20), b'a', b'z')
            | v.simd_eq(u8x16::splat(b'+'))
            | v.simd_eq(u8x16::splat(b'/'))
            | v.simd_eq(u8x16::splat(b'-'))
            | v.simd_eq(u8x16::splat(b'_'));
        mask |= u64::from(class.to_bitmask()) << (16 * index);
    }
    mask
}

/// The shifts that, and-ed over a mask in turn, keep the bits that start a run of at least
/// `min` (1 to 64) set bits inside the word: worked out once a text, not once a block.
struct RunTest {
    shifts: [u32; 7],
    count: usize,
}

impl RunTest {
    fn new(min: usize) -> Self {
        let mut shifts = [0; 7];
        let mut count = 0;
        let mut covered = 1;
        while covered < min.min(64) {
            let shift = covered.min(min - covered);
            shifts[count] = u32::try_from(shift).unwrap_or(u32::MAX);
            count += 1;
            covered += shift;
        }
        Self { shifts, count }
    }

    fn starts(&self, mut mask: u64) -> u64 {
        for &shift in &self.shifts[..self.count] {
            mask &= mask >> shift;
        }
        mask
    }
}

/// Maximal runs of base64 characters, at least `min` long.
///
/// Written by hand rather than as a regex `[A-Za-z0-9+/_-]{min,}`, which reads the text a byte
/// at a time: each block of 64 bytes becomes a 64-bit mask from vector comparisons
/// ([`block_mask`]), so a block of code or prose costs a few instructions and a shift test, and only
/// a block that holds a long enough run, or continues one, has its runs read out.
fn runs(text: &[u8], min: usize) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if min == 0 {
        return found;
    }
    let test = RunTest::new(min);
    let mut push = |start: usize, end: usize| {
        if end - start >= min && end - start <= MAX_RUN {
            found.push((start, end));
        }
    };
    let (blocks, rest) = text.as_chunks::<64>();
    // The last, short block: the zero bytes after it are outside the alphabet.
    let mut padded = [0u8; 64];
    padded[..rest.len()].copy_from_slice(rest);
    let last = (!rest.is_empty()).then_some(&padded);
    // Where the run that reaches the current block's first byte started, if one does.
    let mut open: Option<usize> = None;
    for (index, block) in blocks.iter().chain(last).enumerate() {
        let base = index * 64;
        let mask = block_mask(block);
        if mask == u64::MAX {
            open.get_or_insert(base);
            continue;
        }
        let tail = mask.leading_ones() as usize;
        if open.is_none() && (min > 64 || test.starts(mask) == 0) {
            // Most blocks: no run reaches into this one and none long enough starts in it; only
            // the one at its end, which the next block may continue, is kept.
            open = (tail > 0).then(|| base + 64 - tail);
            continue;
        }
        let lead = mask.trailing_ones() as usize;
        if open.is_some() || lead > 0 {
            push(open.unwrap_or(base), base + lead);
        }
        let tail_bits = if tail == 0 {
            0
        } else {
            u64::MAX << (64 - tail)
        };
        let mut inside = mask & !((1u64 << lead) - 1) & !tail_bits;
        if min <= 64 && test.starts(inside) != 0 {
            while inside != 0 {
                let from = inside.trailing_zeros() as usize;
                let length = (inside >> from).trailing_ones() as usize;
                push(base + from, base + from + length);
                inside &= !(((1u64 << length) - 1) << from);
            }
        }
        open = (tail > 0).then(|| base + 64 - tail);
    }
    if let Some(start) = open {
        push(start, text.len());
    }
    found
}

/// Which kinds of base64 character a run holds, as bits: one table lookup a byte tells the
/// hex test and the base64 test what they ask, instead of a pass over the run for each question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Holds(u8);

impl Holds {
    const UPPER: u8 = 1;
    const LOWER: u8 = 2;
    /// A character that is no hex digit.
    const NON_HEX: u8 = 4;
    /// `-` or `_`: URL-safe base64.
    const URL_SAFE: u8 = 8;
    /// `+` or `/`: standard base64.
    const STANDARD: u8 = 16;

    fn of(run: &[u8]) -> Self {
        Self(run.iter().fold(0, |holds, &b| holds | HOLDS[b as usize]))
    }

    fn has(self, kind: u8) -> bool {
        self.0 & kind != 0
    }

    /// Both alphabets' symbols: not one base64 text.
    fn mixed_alphabets(self) -> bool {
        self.has(Self::URL_SAFE) && self.has(Self::STANDARD)
    }

    /// Upper and lower-case letters both.
    fn mixed_case(self) -> bool {
        self.has(Self::UPPER) && self.has(Self::LOWER)
    }
}

static HOLDS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut holds = 0;
        if c.is_ascii_uppercase() {
            holds |= Holds::UPPER;
        }
        if c.is_ascii_lowercase() {
            holds |= Holds::LOWER;
        }
        if !c.is_ascii_hexdigit() {
            holds |= Holds::NON_HEX;
        }
        if c == b'-' || c == b'_' {
            holds |= Holds::URL_SAFE;
        }
        if c == b'+' || c == b'/' {
            holds |= Holds::STANDARD;
        }
        table[b] = holds;
        b += 1;
    }
    table
};

fn base64_layer(text: &[u8], start: usize, end: usize) -> Option<Layer> {
    base64_layer_holding(text, start, end, Holds::of(&text[start..end]))
}

/// [`base64_layer`] of a run whose characters' kinds are known.
fn base64_layer_holding(text: &[u8], start: usize, end: usize, holds: Holds) -> Option<Layer> {
    // Identifiers and words are not base64 of text: require upper and lower case.
    if holds.mixed_alphabets() || !holds.mixed_case() {
        return None;
    }
    let body = &text[start..end];
    // The padding after the run belongs to it.
    let padding = text[end..]
        .iter()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    let end = end + padding;
    let url_safe = holds.has(Holds::URL_SAFE);
    // One character past a 4-character group carries no whole byte.
    let cut = if body.len() % 4 == 1 {
        body.len() - 1
    } else {
        body.len()
    };
    // Most runs that get this far are identifiers in camel case: they are turned away from
    // their characters, before a buffer is allocated and decoded.
    if !printable_possible(&body[..cut]) {
        return None;
    }
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    let decoded = engine.decode(&body[..cut]).ok()?;
    printable(&decoded).then_some(Layer {
        start,
        end,
        encoding: Encoding::Base64,
        decoded,
    })
}

/// Whether run `next` continues run `line` as the next line of wrapped base64: `line` is a full
/// line (at least 60 characters, whole 4-character groups) and only a line break and indentation
/// separate them.
fn wrapped_continues(text: &[u8], line: (usize, usize), next: (usize, usize)) -> bool {
    let length = line.1 - line.0;
    let gap = &text[line.1..next.0];
    length >= 60
        && length.is_multiple_of(4)
        && memchr::memchr_iter(b'\n', gap).count() == 1
        && gap
            .iter()
            .all(|&b| matches!(b, b'\n' | b'\r' | b' ' | b'\t'))
}

/// `%XX` at `at`.
fn escape_at(text: &[u8], at: usize) -> bool {
    text.get(at) == Some(&b'%')
        && text.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
        && text.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// Shortest single-line base64 run taken for an embedded file (a data URI, a font, an icon).
const MIN_PAYLOAD: usize = 200;
/// Bytes of a run decoded to judge it: enough to tell text from an image header.
const PAYLOAD_SAMPLE: usize = 1024;
/// How far from a match the enclosing run is followed: a payload is judged by its sample.
const PAYLOAD_REACH: usize = 64 << 10;

/// Whether `start..end` lies strictly inside base64 of binary data: a data URI's PNG, a font or
/// a `.resx` icon, on one long line or wrapped over lines of equal length. Provider formats
/// match by chance inside such blobs; no credential is written there (a secret inside an
/// encoded *text* is found by decoding the layer).
pub(crate) fn inside_binary_payload(text: &[u8], start: usize, end: usize) -> bool {
    let floor = start.saturating_sub(PAYLOAD_REACH);
    let ceiling = (end + PAYLOAD_REACH).min(text.len());
    let mut run_start = start;
    while run_start > floor && BASE64_CHARS[text[run_start - 1] as usize] {
        run_start -= 1;
    }
    let mut run_end = end;
    while run_end < ceiling && BASE64_CHARS[text[run_end] as usize] {
        run_end += 1;
    }
    if text[start..end].iter().any(|&b| !BASE64_CHARS[b as usize]) {
        return false;
    }
    // A match as long as its whole run is a token of its own, unless the run is one full line
    // of a wrapped blob (uptime-kuma's `.resx` icon: a line of 80 characters, 24 `A`s first,
    // read as a Twitter bearer token).
    let whole = run_end - run_start <= end - start;
    let length = run_end - run_start;
    // The lines beside the run's: a blob wrapped over lines holds a run of the same length in
    // each, in whole 4-character groups.
    let (line_from, line_to) = line_of(text, run_start);
    let neighbours = [
        (line_from > 0).then(|| line_of(text, line_from - 1)),
        (line_to < text.len()).then(|| line_of(text, line_to + 1)),
    ];
    let in_groups = length >= 60 && length.is_multiple_of(4);
    let wrapped = || {
        in_groups
            && neighbours.iter().flatten().any(|&(from, to)| {
                runs(&text[from..to], 60)
                    .iter()
                    .any(|&(s, e)| e - s == length)
            })
    };
    // For a match that is its whole run: a line of a blob holds nothing else, nor does the
    // line beside it, and a blob is not hex (two password hashes on consecutive lines of an
    // XML dataset are two values, not a wrapped blob).
    let wrapped_alone = || {
        in_groups
            && text[line_from..run_start]
                .iter()
                .all(u8::is_ascii_whitespace)
            && text[run_end..line_to].iter().all(u8::is_ascii_whitespace)
            && !text[run_start..run_end].iter().all(u8::is_ascii_hexdigit)
            && neighbours.iter().flatten().any(|&(from, to)| {
                let body = text[from..to].trim_ascii();
                body.len() == length && body.iter().all(|&b| BASE64_CHARS[b as usize])
            })
    };
    if whole && !wrapped_alone() {
        return false;
    }
    if length < MIN_PAYLOAD && !wrapped() {
        return false;
    }
    let sample = &text[run_start..run_start + (length.min(PAYLOAD_SAMPLE) & !3)];
    let url_safe = sample.iter().any(|b| matches!(b, b'-' | b'_'));
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    engine
        .decode(sample)
        .is_ok_and(|decoded| !printable(&decoded))
}

/// The line holding `at`: from its first byte to its newline (or the text's end).
fn line_of(text: &[u8], at: usize) -> (usize, usize) {
    let from = memchr::memrchr(b'\n', &text[..at]).map_or(0, |p| p + 1);
    let to = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |p| at + p);
    (from, to)
}

/// Every encoded run in `text` that decodes to printable text different from itself.
pub(crate) fn layers(text: &[u8]) -> Vec<Layer> {
    let mut found = Vec::new();
    let all = runs(text, MIN_BASE64);
    let mut index = 0;
    while index < all.len() {
        let (start, end) = all[index];
        index += 1;
        // `base64` wraps its output at 76 columns (PEM at 64): full lines followed by a line
        // that continues at the next line's start are one encoded text.
        let mut last = index - 1;
        while last + 1 < all.len() && wrapped_continues(text, all[last], all[last + 1]) {
            last += 1;
        }
        if last > index - 1 {
            let joined: Vec<u8> = all[index - 1..=last]
                .iter()
                .flat_map(|&(s, e)| text[s..e].iter().copied())
                .collect();
            if let Some(mut layer) = base64_layer(&joined, 0, joined.len()) {
                let (_, last_end) = all[last];
                let padding = text[last_end..]
                    .iter()
                    .take(2)
                    .take_while(|&&b| b == b'=')
                    .count();
                layer.start = start;
                layer.end = last_end + padding;
                found.push(layer);
                index = last + 1;
                continue;
            }
        }
        // A run may be hex rather than base64 (hex is a subset of the base64 alphabet).
        let run = &text[start..end];
        let holds = Holds::of(run);
        if run.len() >= MIN_HEX
            && run.len().is_multiple_of(2)
            && !holds.has(Holds::NON_HEX)
            && !holds.mixed_case()
        {
            if let Ok(decoded) = hex::decode(run)
                && printable(&decoded)
            {
                found.push(Layer {
                    start,
                    end,
                    encoding: Encoding::Hex,
                    decoded,
                });
            }
            continue;
        }
        if let Some(layer) = base64_layer_holding(text, start, end, holds) {
            found.push(layer);
        }
    }
    // Percent-encoded runs: found from their escapes, not by walking every URL-ish run.
    let mut done = 0;
    for percent in memchr::memchr_iter(b'%', text) {
        if percent < done || !escape_at(text, percent) {
            continue;
        }
        let mut start = percent;
        while start > done && URL_CHARS[text[start - 1] as usize] {
            start -= 1;
        }
        let mut end = percent;
        while end < text.len() && URL_CHARS[text[end] as usize] {
            end += 1;
        }
        done = end;
        let run = &text[start..end];
        if run.len() < 12 || run.len() > MAX_RUN {
            continue;
        }
        let escapes = (0..run.len()).filter(|&i| escape_at(run, i)).count();
        if escapes < 2 {
            continue;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode(run).collect();
        if decoded != run && printable(&decoded) {
            found.push(Layer {
                start,
                end,
                encoding: Encoding::Url,
                decoded,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs a byte-by-byte reading finds.
    fn runs_one_by_one(text: &[u8], class: &[bool; 256], min: usize) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut start = None;
        for (i, &b) in text.iter().chain(std::iter::once(&b' ')).enumerate() {
            match (class[b as usize] && i < text.len(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= min && i - s <= MAX_RUN {
                        found.push((s, i));
                    }
                    start = None;
                }
                _ => {}
            }
        }
        found
    }

    /// A deterministic stream of pseudo-random numbers (xorshift64).
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn runs_are_those_a_byte_by_byte_reading_finds() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15_u64);
        for round in 0..400 {
            // Runs of every length around `min` and across 64-byte blocks, separated by one or
            // more outside bytes.
            let mut text = Vec::new();
            while text.len() < 600 {
                let run = (next() % if next().is_multiple_of(4) { 200 } else { 40 }) as usize;
                text.extend((0..run).map(|_| b"aZ09+/_-"[(next() % 8) as usize]));
                let gap = 1 + (next() % 3) as usize;
                text.extend((0..gap).map(|_| b" .\n=\"\xff"[(next() % 6) as usize]));
            }
            text.truncate(200 + round);
            for min in [1, 2, 24, 32, 60, 64, 65, 100] {
                assert_eq!(
                    runs(&text, min),
                    runs_one_by_one(&text, &BASE64_CHARS, min),
                    "round {round}, min {min}"
                );
            }
        }
        assert!(runs(b"", 24).is_empty());
        for length in [30, 63, 64, 65, 128, 200] {
            let long = vec![b'A'; length];
            assert_eq!(runs(&long, 24), [(0, length)]);
        }
        // Every byte value in every lane of a block is classed as the table says.
        for byte in 0..=255u8 {
            let mut block = [b' '; 64];
            for lane in [0, 15, 16, 33, 63] {
                block[lane] = byte;
            }
            let want = if BASE64_CHARS[byte as usize] {
                (1u64 << 0) | (1 << 15) | (1 << 16) | (1 << 33) | (1 << 63)
            } else {
                0
            };
            assert_eq!(block_mask(&block), want, "byte {byte}");
        }
    }

    #[test]
    fn what_a_run_holds_is_what_its_characters_say() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15_u64);
        let alphabet = b"ABCDEFabcdef0123456789GHZghz+/-_";
        for _ in 0..2000 {
            let run: Vec<u8> = (0..=next() % 40)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let holds = Holds::of(&run);
            let any = |test: fn(&u8) -> bool| run.iter().any(test);
            assert_eq!(holds.has(Holds::UPPER), any(u8::is_ascii_uppercase));
            assert_eq!(holds.has(Holds::LOWER), any(u8::is_ascii_lowercase));
            assert_eq!(
                holds.has(Holds::NON_HEX),
                !run.iter().all(u8::is_ascii_hexdigit)
            );
            assert_eq!(
                holds.mixed_alphabets(),
                any(|b| matches!(b, b'-' | b'_')) && any(|b| matches!(b, b'+' | b'/'))
            );
        }
    }

    #[test]
    fn the_characters_tell_what_decoding_would_of_printable_text() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1D_u64);
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut turned_away = 0;
        for round in 0..5000 {
            // Base64 of mostly printable bytes with some high ones, and random characters.
            let body: Vec<u8> = if round % 2 == 0 {
                let plain: Vec<u8> = (0..8 + next() % 40)
                    .map(|_| match next() % 16 {
                        0 => 0x80 | (next() % 128) as u8,
                        _ => b' ' + (next() % 95) as u8,
                    })
                    .collect();
                STANDARD
                    .encode(plain)
                    .trim_end_matches('=')
                    .as_bytes()
                    .to_vec()
            } else {
                let length = (10 + next() % 60) as usize;
                let length = length - usize::from(length % 4 == 1);
                (0..length)
                    .map(|_| alphabet[(next() % 64) as usize])
                    .collect()
            };
            let decoded = STANDARD.decode(&body).unwrap();
            let high = decoded.iter().filter(|&&b| b >= 0x80).count();
            assert_eq!(
                printable_possible(&body),
                decoded.len() >= 8 && high * 100 <= decoded.len() * 5,
                "{}",
                String::from_utf8_lossy(&body)
            );
            if printable(&decoded) {
                assert!(printable_possible(&body));
            } else if !printable_possible(&body) {
                turned_away += 1;
            }
        }
        assert!(turned_away > 1000, "{turned_away}");
    }

    #[test]
    fn finds_text_in_each_encoding() {
        let plain = b"password=Tr0ub4dor&3-horse-battery";
        let b64 = STANDARD.encode(plain);
        let hexed = hex::encode(plain);
        let text = format!("a: {b64}\nb: {hexed}\nc: https://x/?q=user%3Aname%40host%2Fdb\n");
        let found = layers(text.as_bytes());
        let kinds: Vec<Encoding> = found.iter().map(|l| l.encoding).collect();
        assert_eq!(kinds, [Encoding::Base64, Encoding::Hex, Encoding::Url]);
        assert_eq!(found[0].decoded, plain);
        assert_eq!(found[1].decoded, plain);
        assert_eq!(&text[found[0].start..found[0].end], b64);
    }

    #[test]
    fn hashes_identifiers_and_binary_are_not_layers() {
        let text = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n\
                    let someVeryLongIdentifierNameHere = 1;\n\
                    integrity: sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\n";
        assert!(layers(text.as_bytes()).is_empty());
    }

    #[test]
    fn binary_payloads_are_told_from_text() {
        // A PNG header and pseudo-random pixels, as an SVG embeds them.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let mut state = 7u32;
        png.extend((0..600).map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        }));
        let blob = STANDARD.encode(&png);
        let svg = format!("<image href=\"data:image/png;base64,{blob}\"/>");
        let at = svg.find(&blob).unwrap() + 100;
        assert!(inside_binary_payload(svg.as_bytes(), at, at + 40));
        // The same blob wrapped at 76 columns, as in a `.resx` file.
        let mut wrapped = String::new();
        for line in blob.as_bytes().chunks(76) {
            wrapped.push_str("        ");
            wrapped.push_str(std::str::from_utf8(line).unwrap());
            wrapped.push('\n');
        }
        let at = wrapped.find(&blob[76..152]).unwrap() + 10;
        assert!(inside_binary_payload(wrapped.as_bytes(), at, at + 40));
        // A whole line of it too: a match may cover its line's run.
        let at = wrapped.find(&blob[76..152]).unwrap();
        assert!(inside_binary_payload(wrapped.as_bytes(), at, at + 76));
        // But not a value that shares its line, beside another of its length (openmrs-core's
        // dataset of password hashes), nor hex alone on its lines.
        let line = |value: &str| format!("<user name=\"a\" password=\"{value}\"/>\n");
        let dataset = line(&blob[..76]) + &line(&blob[76..152]);
        let at = dataset.find(&blob[..76]).unwrap();
        assert!(!inside_binary_payload(dataset.as_bytes(), at, at + 76));
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let hashes = format!("  {hex}\n  {}\n", hex.replace('9', "8"));
        assert!(!inside_binary_payload(hashes.as_bytes(), 2, 2 + hex.len()));
        // Base64 of text, and a token that is the whole run, are not payloads.
        let text = STANDARD.encode("a long configuration text, ".repeat(20));
        assert!(!inside_binary_payload(text.as_bytes(), 100, 140));
        let token = &blob[..40];
        let line = format!("token = \"{token}\"");
        let at = line.find(token).unwrap();
        assert!(!inside_binary_payload(line.as_bytes(), at, at + 40));
    }
}
