//! The keyword pass: every occurrence of every rule keyword in a text, ASCII case-insensitive,
//! overlapping (`secret` inside `client_secret` counts for both).
//!
//! One Aho-Corasick DFA over all keywords, walked by hand through the crate's `Automaton`
//! trait instead of `find_overlapping_iter`: a DFA walk is a chain of dependent table loads
//! (the next state needs the previous one), so one walk leaves most of a core idle. A large
//! text is cut into [`STREAMS`] segments walked in lockstep, four independent chains the CPU
//! overlaps; each segment's walk starts `max keyword length - 1` bytes early so that it is in
//! the right state when its own bytes begin, and reports only the matches that end inside it.
//! Measured on a `cargo vendor` tree (266 MB of text, 627 keywords): 0.47 GB/s for the
//! crate's iterator, 0.70 GB/s for four streams, the same 595,598 matches.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// Segments walked in lockstep.
const STREAMS: usize = 4;
/// Texts shorter than this are walked in one stream: the split costs more than it saves.
const SPLIT_FROM: usize = 512;

/// A keyword occurrence: the keyword's index and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub keyword: usize,
    pub start: usize,
    pub end: usize,
}

/// The compiled keyword set.
pub(crate) struct Keywords {
    dfa: DFA,
}

impl Keywords {
    /// Keywords are matched ASCII case-insensitively.
    pub(crate) fn new(keywords: &[String]) -> Result<Self, String> {
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            // The walk below handles start states as ordinary ones; with a prefilter they
            // would be special states it must step over.
            .prefilter(false)
            .build(keywords)
            .map_err(|e| e.to_string())?;
        Ok(Self { dfa })
    }

    /// Every occurrence in `text`, appended to `hits` in no particular order.
    pub(crate) fn find_all(&self, text: &[u8], hits: &mut Vec<Hit>) {
        let dfa = &self.dfa;
        // A DFA built for unanchored search always has an unanchored start state.
        let Ok(start) = dfa.start_state(Anchored::No) else {
            return;
        };
        let n = text.len();
        if n < SPLIT_FROM {
            self.walk(text, 0, 0, n, start, hits);
            return;
        }
        let back = dfa.max_pattern_len().saturating_sub(1);
        let segment = n / STREAMS;
        // Stream k owns the matches ending in [own[k], end[k]) and starts reading at from[k].
        let own: [usize; STREAMS] = std::array::from_fn(|k| k * segment);
        let end: [usize; STREAMS] = std::array::from_fn(|k| {
            if k + 1 == STREAMS {
                n
            } else {
                (k + 1) * segment
            }
        });
        let from: [usize; STREAMS] = std::array::from_fn(|k| own[k].saturating_sub(back));
        let steps = (0..STREAMS).map(|k| end[k] - from[k]).min().unwrap_or(0);
        let lanes: [&[u8]; STREAMS] = std::array::from_fn(|k| &text[from[k]..from[k] + steps]);
        let mut state = [start; STREAMS];
        for step in 0..steps {
            for (k, lane) in lanes.iter().enumerate() {
                state[k] = dfa.next_state(Anchored::No, state[k], lane[step]);
                if dfa.is_special(state[k]) && from[k] + step >= own[k] {
                    self.report(state[k], from[k] + step + 1, hits);
                }
            }
        }
        for k in 0..STREAMS {
            self.walk(text, from[k] + steps, own[k], end[k], state[k], hits);
        }
    }

    /// One stream over `text[at..to]` from `state`, reporting matches whose last byte is at or
    /// after `own`.
    fn walk(
        &self,
        text: &[u8],
        at: usize,
        own: usize,
        to: usize,
        mut state: aho_corasick::automaton::StateID,
        hits: &mut Vec<Hit>,
    ) {
        for (offset, &byte) in text[at..to].iter().enumerate() {
            state = self.dfa.next_state(Anchored::No, state, byte);
            if self.dfa.is_special(state) && at + offset >= own {
                self.report(state, at + offset + 1, hits);
            }
        }
    }

    /// The keywords that end at `end` in match state `state`. An unanchored standard DFA
    /// never enters its dead state, so a special state is a match state.
    fn report(&self, state: aho_corasick::automaton::StateID, end: usize, hits: &mut Vec<Hit>) {
        if !self.dfa.is_match(state) {
            return;
        }
        for index in 0..self.dfa.match_len(state) {
            let keyword = self.dfa.match_pattern(state, index);
            hits.push(Hit {
                keyword: keyword.as_usize(),
                start: end - self.dfa.pattern_len(keyword),
                end,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// A deterministic byte soup full of keywords in mixed case, some overlapping, so that
    /// matches straddle every segment boundary of some length.
    fn soup(seed: u64, len: usize, words: &[String]) -> Vec<u8> {
        let mut state = seed;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut text = Vec::with_capacity(len + 32);
        while text.len() < len {
            let roll = next();
            if roll % 5 == 0 {
                let word = &words[(roll >> 8) as usize % words.len()];
                for (i, b) in word.bytes().enumerate() {
                    let upper = (roll >> (16 + i)) & 1 == 1;
                    text.push(if upper { b.to_ascii_uppercase() } else { b });
                }
            } else {
                text.push(b"ab_-. \n9xZ"[(roll >> 8) as usize % 10]);
            }
        }
        text.truncate(len);
        text
    }

    #[test]
    fn four_streams_find_what_the_crates_overlapping_iterator_finds() {
        let words: Vec<String> = [
            "secret",
            "client_secret",
            "ab",
            "a",
            "token",
            "oke",
            "xz_",
            "sk_live_",
            "live",
            "-----begin",
        ]
        .iter()
        .map(|w| (*w).to_owned())
        .collect();
        let keywords = Keywords::new(&words).unwrap();
        let reference = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&words)
            .unwrap();
        let lengths = [0, 1, 7, 100, 511, 512, 513, 530, 600];
        let spread = (1..40u64).map(|s| (s, (s as usize * 997) % 9000));
        for (seed, len) in spread.chain(lengths.iter().map(|&l| (l as u64 + 7, l))) {
            let text = soup(seed, len, &words);
            let mut got = Vec::new();
            keywords.find_all(&text, &mut got);
            got.sort_unstable();
            let mut want: Vec<Hit> = reference
                .find_overlapping_iter(&text)
                .map(|m| Hit {
                    keyword: m.pattern().as_usize(),
                    start: m.start(),
                    end: m.end(),
                })
                .collect();
            want.sort_unstable();
            assert_eq!(got, want, "seed {seed}, {len} bytes");
        }
    }
}
