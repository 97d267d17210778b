//! Gemfile.lock (Bundler).
//!
//! Written by hand: the format is a few indented sections (Bundler's own documentation of
//! `Gemfile.lock`), and no maintained crate reads it. A source section (`GEM`, `GIT`, `PATH`)
//! names its `remote:` and lists its gems under `specs:`, four spaces in (`    rack (3.0.8)`),
//! each followed by its own dependencies six spaces in; `DEPENDENCIES` lists what the Gemfile
//! asks for, two spaces in (`  rails (~> 7.1)`, `  mygem!` for a git or path source).

use std::collections::HashSet;

use super::{Dependency, Ecosystem, Requirement, RequirementKind, line_span};

/// Platforms Bundler appends to a native gem's version (`nokogiri (1.16.0-x86_64-linux)`):
/// the version is what comes before.
const PLATFORM_WORDS: &[&str] = &[
    "linux",
    "darwin",
    "mingw",
    "mswin",
    "java",
    "x86",
    "x64",
    "arm",
    "aarch64",
    "universal",
    "musl",
    "gnu",
];

/// The gems the lockfile's `DEPENDENCIES` section records the Gemfile asking for: those of
/// other platforms too (`tzinfo-data` for Windows), which have no spec on this one.
pub fn gemfile_lock_dependencies(text: &str) -> HashSet<&str> {
    section(text, "DEPENDENCIES")
        .filter_map(|(_, line)| {
            let entry = line.strip_prefix("  ")?.trim_end();
            (!entry.starts_with(' ')).then(|| entry.split([' ', '!']).next().unwrap_or_default())
        })
        .collect()
}

/// Every gem the lockfile pins, in file order.
pub fn gemfile_lock(path: &str, text: &str) -> Vec<Dependency> {
    let direct = gemfile_lock_dependencies(text);
    let mut found = Vec::new();
    let mut source: Option<String> = None;
    let mut kind = "";
    let mut in_specs = false;
    for (index, line) in text.lines().enumerate() {
        if !line.starts_with(' ') {
            kind = line.trim_end();
            source = None;
            in_specs = false;
            continue;
        }
        if !matches!(kind, "GEM" | "GIT" | "PATH") {
            continue;
        }
        if let Some(remote) = line.strip_prefix("  remote: ") {
            let remote = remote.trim();
            source = Some(match kind {
                "GIT" => format!("git+{remote}"),
                "PATH" => format!("file:{remote}"),
                _ => remote.to_owned(),
            });
            continue;
        }
        if line.trim_end() == "  specs:" {
            in_specs = true;
            continue;
        }
        // A gem four spaces in; its own dependencies sit six in.
        let Some(spec) = line.strip_prefix("    ").filter(|s| !s.starts_with(' ')) else {
            continue;
        };
        if !in_specs {
            continue;
        }
        let Some((name, version)) = spec
            .trim_end()
            .strip_suffix(')')
            .and_then(|s| s.split_once(" ("))
        else {
            continue;
        };
        found.push(Dependency {
            ecosystem: Ecosystem::RubyGems,
            name: name.to_owned(),
            version: without_platform(version).to_owned(),
            direct: direct.contains(name),
            source: source.clone(),
            integrity: None,
            path: path.to_owned(),
            span: line_span(index, line),
        });
    }
    found
}

/// The gems a Gemfile asks for: every `gem "name", ...` line (in groups too), with its version
/// requirement as written and whether it comes from a path or git instead of a gem server. The
/// Gemfile is Ruby: lines built by code are not read.
pub fn gemfile_requirements(path: &str, text: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or(line).trim();
        let Some(rest) = code
            .strip_prefix("gem ")
            .or_else(|| code.strip_prefix("gem("))
        else {
            continue;
        };
        let mut arguments = rest.trim_end_matches(')').split(',').map(str::trim);
        let Some(name) = arguments.next().and_then(ruby_string) else {
            continue;
        };
        let mut requirement = Vec::new();
        let mut kind = RequirementKind::Registry;
        for argument in arguments {
            if let Some(version) = ruby_string(argument) {
                requirement.push(version);
            } else if ["path:", ":path", "git:", ":git", "github:", ":github"]
                .iter()
                .any(|key| argument.starts_with(key))
            {
                kind = if argument.contains("path") {
                    RequirementKind::Path
                } else {
                    RequirementKind::Git
                };
            }
        }
        out.push(Requirement {
            name: name.to_owned(),
            requirement: requirement.join(", "),
            kind,
            path: path.to_owned(),
            span: line_span(index, line),
        });
    }
    out
}

/// A Ruby string literal's text (`"rails"`, `'rails'`); `None` for anything else.
fn ruby_string(argument: &str) -> Option<&str> {
    let quote = argument
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))?;
    argument
        .strip_prefix(quote)?
        .strip_suffix(quote)
        .filter(|inner| !inner.contains(quote))
}

/// The lines of a top-level section, with their indexes.
fn section<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = (usize, &'t str)> + 't {
    text.lines()
        .enumerate()
        .skip_while(move |(_, line)| line.trim_end() != name)
        .skip(1)
        .take_while(|(_, line)| line.starts_with(' ') || line.is_empty())
}

/// `1.16.0-x86_64-linux` → `1.16.0`; a version without a platform stays as written.
fn without_platform(version: &str) -> &str {
    match version.split_once('-') {
        Some((number, platform)) if PLATFORM_WORDS.iter().any(|word| platform.contains(word)) => {
            number
        }
        _ => version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemfile_lines_name_their_gems_requirements_and_sources() {
        let gemfile = "\
source \"https://rubygems.example\"
ruby \"3.3.0\"

gem \"rails\", \"~> 7.1\", \">= 7.1.3\"
gem 'pg' # the database
gem \"ledger\", git: \"https://git.example/acme/ledger.git\"
gem \"billing\", path: \"engines/billing\"
group :test do
  gem \"rspec-rails\"
end
gemspec
";
        let wanted: Vec<(String, String, RequirementKind, u32)> =
            gemfile_requirements("Gemfile", gemfile)
                .into_iter()
                .map(|r| (r.name, r.requirement, r.kind, r.span.start.line))
                .collect();
        assert_eq!(
            wanted,
            [
                (
                    "rails".into(),
                    "~> 7.1, >= 7.1.3".into(),
                    RequirementKind::Registry,
                    4
                ),
                ("pg".into(), String::new(), RequirementKind::Registry, 5),
                ("ledger".into(), String::new(), RequirementKind::Git, 6),
                ("billing".into(), String::new(), RequirementKind::Path, 7),
                (
                    "rspec-rails".into(),
                    String::new(),
                    RequirementKind::Registry,
                    9
                ),
            ]
        );
    }

    const LOCK: &str = "\
GIT
  remote: https://github.example/acme/ledger.git
  revision: 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c
  specs:
    ledger (0.4.0)
      activesupport (>= 7.0)

PATH
  remote: engines/billing
  specs:
    billing (0.1.0)

GEM
  remote: https://rubygems.example/
  specs:
    activesupport (7.1.3)
      concurrent-ruby (~> 1.0, >= 1.0.2)
    concurrent-ruby (1.2.3)
    nokogiri (1.16.0-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.3)
    rails (7.1.3.pre.rc1)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  billing!
  ledger!
  nokogiri (~> 1.16)
  rails (~> 7.1)

BUNDLED WITH
   2.5.6
";

    #[test]
    fn gems_their_sources_and_which_are_direct() {
        let gems = gemfile_lock("Gemfile.lock", LOCK);
        let got: Vec<(&str, &str, bool, bool)> = gems
            .iter()
            .map(|g| {
                (
                    g.name.as_str(),
                    g.version.as_str(),
                    g.direct,
                    g.from_registry(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("ledger", "0.4.0", true, false),
                ("billing", "0.1.0", true, false),
                ("activesupport", "7.1.3", false, true),
                ("concurrent-ruby", "1.2.3", false, true),
                ("nokogiri", "1.16.0", true, true),
                ("racc", "1.7.3", false, true),
                ("rails", "7.1.3.pre.rc1", true, true),
            ]
        );
        assert_eq!(gems[4].span.start.line, 19);
        assert!(gems.iter().all(|g| g.ecosystem == Ecosystem::RubyGems));
    }

    #[test]
    fn a_broken_or_empty_lockfile_yields_what_it_holds() {
        assert!(gemfile_lock("Gemfile.lock", "").is_empty());
        assert!(
            gemfile_lock(
                "Gemfile.lock",
                "GEM\n  specs:\n    broken-line\n    ok (1.0)\n"
            )
            .iter()
            .map(|g| g.name.as_str())
            .eq(["ok"])
        );
    }
}
