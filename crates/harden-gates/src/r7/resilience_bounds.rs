//! `R7.resilience.bounds`: every wait, retry and cache in production code has a bound. Reads
//! source code call by call: HTTP and database clients without a timeout, retries without a
//! limit, caches without a size, and hand-written retry loops that never give up.

use harden_engine::{Gate, GateCx, GateError, GateOutput};
use harden_model::{GateId, GateMeta, Items, ProfileLevel, Round, Severity, Target};

use crate::classify::Language;

/// `R7.resilience.bounds`.
pub(crate) struct ResilienceBounds;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.resilience.bounds"),
    round: Round::R7,
    title: "Every wait, retry and cache has a bound",
    severity: Severity::Medium,
    target: Target::Repository,
    min_profile: ProfileLevel::Production,
    rationale: "Resilience is mostly about bounds. A call without a timeout holds a thread, a \
connection and a request open for as long as the other side stays silent, and one slow \
dependency becomes an outage of everything that waits on it; a retry without a limit turns a \
failing dependency into a storm of load against it; a cache without a size grows until the \
process is killed. This gate reads production source code (not tests, front ends, scripts, \
code generators or build configuration), one finding per call site with the bound that is missing. Python: `requests` calls without `timeout=`, `urllib3.PoolManager` and \
`urlopen` without a timeout, `httpx` with `timeout=None`, psycopg connections given a host but \
no `connect_timeout`, tenacity (`@retry`, `Retrying`) without `stop=`, `backoff` without \
`max_tries`/`max_time`, `lru_cache(maxsize=None)` and `functools.cache` on functions and methods that take \
arguments (a method's `self` is one: the cache keeps its instances alive; classes and flags, \
as in a factory keyed by the program's classes, are not). Rust: `reqwest::get`, `reqwest::Client::new()` and reqwest builders without \
`.timeout(`, ureq calls and agents without a timeout, `LruCache::unbounded`, moka caches without \
`max_capacity`. Go: `http.Get`/`Post`/`Head`/`PostForm` and `http.DefaultClient` (no timeout), \
`http.Client{}` without `Timeout`. JavaScript and TypeScript: axios calls and instances without \
`timeout` (unless the repository sets `axios.defaults.timeout`), `fetch` without an abort `signal` in \
server code, p-retry `forever: true`, `NodeCache` without `maxKeys`; not in a front end's code \
(components, front-end directories, an Electron renderer, a package whose dependencies hold a \
browser framework and no server framework or Electron), where the request is the browser's. Java and Kotlin: \
`HttpClient.newHttpClient()` and builders without `connectTimeout`, `new RestTemplate()`, \
Caffeine and Guava caches without a maximum size. C#: `Timeout.InfiniteTimeSpan`, Polly's \
`RetryForever`/`WaitAndRetryForever`, `MemoryCache`/`AddMemoryCache` without `SizeLimit`. \
And hand-written retry loops in Python, Go and JavaScript (`while True`/`for {}`/`while (true)` \
that sleeps after an error and leaves only on success) with no attempt limit. Ruby is not read. \
Fix: give each call a timeout shorter than its caller's, each retry a maximum number of \
attempts (with backoff and jitter), each cache a maximum size.",
    evidence: &["source files", "call sites"],
    options: &[],
    items: Some(ITEMS),
};

const ITEMS: Items = Items {
    name: "Python, Rust, Go, JavaScript/TypeScript, Java/Kotlin or C# source",
    globs: &[
        "**/*.py",
        "**/*.rs",
        "**/*.go",
        "**/*.js",
        "**/*.ts",
        "**/*.java",
        "**/*.kt",
        "**/*.cs",
    ],
};

/// The bound a call site lacks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Bound {
    Timeout,
    Attempts,
    Size,
}

/// How much text after the marker is the call judged by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The marker's line only.
    Line,
    /// From the marker to the close of the first bracket it opens (`(`, `{`).
    Call,
    /// From the marker to the end of the statement (`;`), for builder chains.
    Statement,
}

/// One kind of call site.
struct Rule {
    language: Language,
    /// The call as code writes it.
    marker: &'static str,
    bound: Bound,
    scope: Scope,
    /// Words in the call that give it its bound; none means the call has no way to take one.
    bounded_by: &'static [&'static str],
    /// Words that must be in the call for it to be judged (an explicit unbounded setting).
    only_with: &'static [&'static str],
    /// Words one of which the file must hold (the library's import), where the marker alone
    /// could name another library's function.
    file_needs: &'static [&'static str],
    /// Words that, anywhere in the file, bound every such call (a default set once).
    file_bounds: &'static [&'static str],
    /// What is missing, as the finding says it.
    missing: &'static str,
}

const fn rule(
    language: Language,
    marker: &'static str,
    bound: Bound,
    missing: &'static str,
) -> Rule {
    Rule {
        language,
        marker,
        bound,
        scope: Scope::Call,
        bounded_by: &[],
        only_with: &[],
        file_needs: &[],
        file_bounds: &[],
        missing,
    }
}

const REQUESTS_WAITS: &str = "has no timeout: requests waits forever on a server that accepts the connection and never answers";
const DEFAULT_CLIENT: &str = "uses http.DefaultClient, which has no timeout";
/// A file that wraps its requests in tokio's timeout bounds them whatever the client says.
const TOKIO_TIMEOUT: &[&str] = &["time::timeout("];
const AXIOS: &str = "has no timeout: axios waits forever by default";

static RULES: std::sync::LazyLock<Vec<Rule>> = std::sync::LazyLock::new(|| {
    use Bound::{Attempts, Size, Timeout};
    use Language::{CSharp, Go, JavaScript, Jvm, Python, Rust};
    let mut rules = Vec::new();
    for marker in [
        "requests.get(",
        "requests.post(",
        "requests.put(",
        "requests.patch(",
        "requests.delete(",
        "requests.head(",
        "requests.options(",
        "requests.request(",
    ] {
        rules.push(Rule {
            bounded_by: &["timeout"],
            ..rule(Python, marker, Timeout, REQUESTS_WAITS)
        });
    }
    for marker in [
        "axios.get(",
        "axios.post(",
        "axios.put(",
        "axios.patch(",
        "axios.delete(",
        "axios.head(",
        "axios.options(",
        "axios.request(",
    ] {
        rules.push(Rule {
            bounded_by: &["timeout", "signal"],
            file_bounds: &["axios.defaults.timeout"],
            ..rule(JavaScript, marker, Timeout, AXIOS)
        });
    }
    rules.extend([
        Rule { bounded_by: &["timeout"], ..rule(Python, "urllib3.PoolManager(", Timeout, "has no timeout: urllib3 waits forever by default") },
        Rule {
            bounded_by: &["timeout"],
            file_needs: &["urllib.request", "from urllib"],
            ..rule(Python, "urlopen(", Timeout, "has no timeout: it waits on the socket default, forever unless set")
        },
        Rule { only_with: &["timeout=None"], ..rule(Python, "httpx.Client(", Timeout, "turns httpx's default timeout off (`timeout=None`)") },
        Rule { only_with: &["timeout=None"], ..rule(Python, "httpx.AsyncClient(", Timeout, "turns httpx's default timeout off (`timeout=None`)") },
        Rule {
            only_with: &["host="],
            bounded_by: &["connect_timeout"],
            ..rule(Python, "psycopg2.connect(", Timeout, "has no `connect_timeout`: libpq waits forever for an unreachable server")
        },
        Rule {
            only_with: &["host="],
            bounded_by: &["connect_timeout"],
            ..rule(Python, "psycopg.connect(", Timeout, "has no `connect_timeout`: libpq waits forever for an unreachable server")
        },
        Rule {
            bounded_by: &["stop=", "stop_max_attempt_number", "stop_max_delay", "tries="],
            file_needs: &["tenacity", "retrying", "from retry import", "import retry"],
            ..rule(Python, "@retry", Attempts, "retries without a limit: no `stop=` (tenacity retries forever by default)")
        },
        Rule {
            bounded_by: &["stop="],
            ..rule(Python, "@tenacity.retry", Attempts, "retries without a limit: no `stop=` (tenacity retries forever by default)")
        },
        Rule {
            bounded_by: &["stop="],
            file_needs: &["tenacity"],
            ..rule(Python, "Retrying(", Attempts, "retries without a limit: no `stop=`")
        },
        Rule {
            bounded_by: &["max_tries", "max_time"],
            ..rule(Python, "@backoff.on_exception(", Attempts, "retries without a limit: no `max_tries` or `max_time`")
        },
        Rule {
            bounded_by: &["max_tries", "max_time"],
            ..rule(Python, "@backoff.on_predicate(", Attempts, "retries without a limit: no `max_tries` or `max_time`")
        },
        rule(Python, "lru_cache(maxsize=None)", Size, "caches every distinct argument forever (`maxsize=None`)"),
        Rule { scope: Scope::Line, file_needs: &["functools"], ..rule(Python, "@cache", Size, "caches every distinct argument forever (`functools.cache` has no size)") },
        Rule { scope: Scope::Line, ..rule(Python, "@functools.cache", Size, "caches every distinct argument forever (`functools.cache` has no size)") },
        Rule { file_bounds: TOKIO_TIMEOUT, ..rule(Rust, "reqwest::get(", Timeout, "uses a client without a timeout (reqwest sets none by default)") },
        Rule { file_bounds: TOKIO_TIMEOUT, ..rule(Rust, "reqwest::Client::new()", Timeout, "builds a client without a timeout (reqwest sets none by default)") },
        Rule {
            file_needs: &["use reqwest::Client", "use reqwest::{"],
            file_bounds: TOKIO_TIMEOUT,
            ..rule(Rust, "Client::new()", Timeout, "builds a client without a timeout (reqwest sets none by default)")
        },
        Rule {
            scope: Scope::Statement,
            bounded_by: &[".timeout(", ".read_timeout("],
            file_needs: &["reqwest"],
            file_bounds: TOKIO_TIMEOUT,
            ..rule(Rust, "Client::builder()", Timeout, "builds a client without `.timeout(` (reqwest sets none by default)")
        },
        Rule {
            scope: Scope::Statement,
            bounded_by: &[".timeout"],
            ..rule(Rust, "AgentBuilder::new()", Timeout, "builds an agent without a timeout (ureq sets none by default)")
        },
        rule(Rust, "ureq::agent()", Timeout, "uses an agent without a timeout (ureq sets none by default)"),
        rule(Rust, "ureq::get(", Timeout, "uses ureq's default agent, which has no timeout"),
        rule(Rust, "ureq::post(", Timeout, "uses ureq's default agent, which has no timeout"),
        rule(Rust, "ureq::put(", Timeout, "uses ureq's default agent, which has no timeout"),
        rule(Rust, "ureq::delete(", Timeout, "uses ureq's default agent, which has no timeout"),
        rule(Rust, "LruCache::unbounded(", Size, "is an LRU cache without a capacity"),
        Rule {
            scope: Scope::Statement,
            bounded_by: &["max_capacity", "weigher"],
            file_needs: &["moka"],
            ..rule(Rust, "Cache::builder()", Size, "builds a cache without `max_capacity`")
        },
        Rule { file_bounds: &["DefaultClient.Timeout"], ..rule(Go, "http.Get(", Timeout, DEFAULT_CLIENT) },
        Rule { file_bounds: &["DefaultClient.Timeout"], ..rule(Go, "http.Post(", Timeout, DEFAULT_CLIENT) },
        Rule { file_bounds: &["DefaultClient.Timeout"], ..rule(Go, "http.PostForm(", Timeout, DEFAULT_CLIENT) },
        Rule { file_bounds: &["DefaultClient.Timeout"], ..rule(Go, "http.Head(", Timeout, DEFAULT_CLIENT) },
        Rule { file_bounds: &["DefaultClient.Timeout"], ..rule(Go, "http.DefaultClient.", Timeout, DEFAULT_CLIENT) },
        Rule { bounded_by: &["Timeout"], ..rule(Go, "http.Client{", Timeout, "is an http.Client without `Timeout`: it waits forever") },
        Rule {
            bounded_by: &["timeout", "signal"],
            file_bounds: &["axios.defaults.timeout"],
            ..rule(JavaScript, "axios(", Timeout, AXIOS)
        },
        Rule {
            bounded_by: &["timeout", "signal"],
            file_bounds: &["axios.defaults.timeout"],
            ..rule(JavaScript, "axios.create(", Timeout, "creates an axios instance without `timeout`: it waits forever by default")
        },
        Rule {
            bounded_by: &["signal", "timeout"],
            // Options built elsewhere in the file with an abort signal.
            file_bounds: &["AbortSignal", "AbortController"],
            ..rule(JavaScript, "fetch(", Timeout, "has no abort signal (`AbortSignal.timeout(ms)`): Node's fetch waits up to five minutes for headers and then as long as the body trickles")
        },
        Rule {
            scope: Scope::Line,
            file_needs: &["p-retry", "async-retry"],
            ..rule(JavaScript, "forever: true", Attempts, "retries forever")
        },
        Rule { bounded_by: &["maxKeys"], ..rule(JavaScript, "new NodeCache(", Size, "is a cache without `maxKeys`") },
        rule(Jvm, "HttpClient.newHttpClient()", Timeout, "builds a client without a connect timeout; requests wait forever unless each sets `.timeout(`"),
        Rule {
            scope: Scope::Statement,
            bounded_by: &["connectTimeout"],
            ..rule(Jvm, "HttpClient.newBuilder()", Timeout, "builds a client without `connectTimeout`")
        },
        rule(Jvm, "new RestTemplate()", Timeout, "builds a RestTemplate without timeouts (it waits forever by default)"),
        Rule {
            scope: Scope::Statement,
            bounded_by: &["maximumSize", "maximumWeight", "expireAfter", "softValues", "weakValues", "weakKeys"],
            ..rule(Jvm, "Caffeine.newBuilder()", Size, "builds a cache without a maximum size or expiry")
        },
        Rule {
            scope: Scope::Statement,
            bounded_by: &["maximumSize", "maximumWeight", "expireAfter", "softValues", "weakValues", "weakKeys"],
            ..rule(Jvm, "CacheBuilder.newBuilder()", Size, "builds a cache without a maximum size or expiry")
        },
        // An HttpClient's own timeout switched off; a resilience handler (Polly through
        // Microsoft.Extensions.Http.Resilience) then bounds each attempt and the whole call.
        Rule {
            scope: Scope::Line,
            file_bounds: &["ResilienceHandler"],
            ..rule(CSharp, "Timeout = Timeout.InfiniteTimeSpan", Timeout, "sets an infinite timeout")
        },
        rule(CSharp, "RetryForever(", Attempts, "retries forever"),
        rule(CSharp, "RetryForeverAsync(", Attempts, "retries forever"),
        rule(CSharp, "WaitAndRetryForever(", Attempts, "retries forever"),
        rule(CSharp, "WaitAndRetryForeverAsync(", Attempts, "retries forever"),
        Rule {
            scope: Scope::Statement,
            bounded_by: &["SizeLimit"],
            file_bounds: &["SizeLimit"],
            ..rule(CSharp, "new MemoryCache(", Size, "is a cache without `SizeLimit`")
        },
        Rule {
            scope: Scope::Statement,
            bounded_by: &["SizeLimit"],
            file_bounds: &["SizeLimit"],
            ..rule(CSharp, "AddMemoryCache(", Size, "registers a cache without `SizeLimit`")
        },
    ]);
    rules
});

/// Every rule's marker, plus the loop heads of hand-written retries.
/// Searched for are the markers' anchors (`requests.`, `axios.`, `Client::`): few enough for
/// aho-corasick's packed (SIMD) searcher, which takes at most 64 words, where the markers
/// themselves are more; a hit is then matched against the rules it anchors.
static MARKERS: std::sync::LazyLock<crate::support::Markers> = std::sync::LazyLock::new(|| {
    let mut anchors: Vec<&str> = RULES
        .iter()
        .map(|r| anchor(r.marker))
        .chain(LOOP_HEADS.iter().map(|(head, _)| *head))
        .collect();
    anchors.sort_unstable();
    anchors.dedup();
    crate::support::Markers::exact(&anchors)
});

/// Whether `lines` (up to a Go call, the call's line last) send a request that carries a
/// context (`http.NewRequestWithContext(`, `req.WithContext(`) after a context deadline set in
/// the function the call is in: back to the line that declares it (`func ` at the start of a
/// line). `http.Get(url)` carries no context, so no deadline nearby bounds it.
fn go_deadline_before(lines: &[&str]) -> bool {
    let mut carried = false;
    for line in lines.iter().rev() {
        carried |= line.contains("NewRequestWithContext(") || line.contains(".WithContext(");
        if carried
            && (line.contains("context.WithTimeout(") || line.contains("context.WithDeadline("))
        {
            return true;
        }
        if line.starts_with("func ") {
            return false;
        }
    }
    false
}

/// A marker up to its first qualifier (`requests.get(` → `requests.`, `Client::new()` →
/// `Client::`), or whole where it has none.
fn anchor(marker: &'static str) -> &'static str {
    let dot = marker.find('.').filter(|i| *i > 0).map(|i| i + 1);
    let path = marker.find("::").filter(|i| *i > 0).map(|i| i + 2);
    match (dot, path) {
        (Some(a), Some(b)) => &marker[..a.min(b)],
        (Some(end), None) | (None, Some(end)) => &marker[..end],
        (None, None) => marker,
    }
}

/// Loops that run until something inside leaves them.
const LOOP_HEADS: [(&str, Language); 4] = [
    ("while True:", Language::Python),
    ("for {", Language::Go),
    ("while (true)", Language::JavaScript),
    ("for (;;)", Language::JavaScript),
];

/// Most bytes of a call or statement read after its marker.
const MAX_CALL_BYTES: usize = 4096;

/// The text of the call that starts at `at`: up to the close of the first bracket it opens
/// (brackets inside string literals skipped), the end of the statement, or the line.
fn call_text(text: &str, at: usize, scope: Scope) -> &str {
    let end = (at + MAX_CALL_BYTES).min(text.len());
    let end = (0..=end)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(at);
    let rest = &text[at..end];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    match scope {
        Scope::Line => &rest[..line_end],
        Scope::Call | Scope::Statement => {
            let (mut depth, mut opened) = (0i32, false);
            let mut quote: Option<char> = None;
            let mut previous = '\0';
            for (i, c) in rest.char_indices() {
                match quote {
                    Some(q) if c == q && previous != '\\' => quote = None,
                    Some(_) => {}
                    None => match c {
                        '"' | '\'' | '`' => quote = Some(c),
                        '(' | '{' | '[' => {
                            depth += 1;
                            opened = true;
                        }
                        ')' | '}' | ']' => {
                            depth -= 1;
                            if depth < 0 || (opened && depth == 0 && scope == Scope::Call) {
                                return &rest[..=i];
                            }
                        }
                        ';' if depth <= 0 && scope == Scope::Statement => return &rest[..i],
                        // A statement without `;` (Kotlin, a chain ending the line) ends at a
                        // line break outside brackets whose next line does not continue it.
                        '\n' if depth <= 0
                            && scope == Scope::Statement
                            && !rest[i + 1..].trim_start().starts_with('.') =>
                        {
                            return &rest[..i];
                        }
                        _ => {}
                    },
                }
                previous = c;
            }
            rest
        }
    }
}

/// Whether the marker at `at` starts a name: the byte before it is not part of an identifier or
/// a qualified path (`self.fetch(`, `redis::Client::new()`, `prefetch(` are other functions).
/// A qualifier naming the library itself (`reqwest::Client::builder()`,
/// `functools.lru_cache(`) is the same call.
fn starts_a_name(text: &str, at: usize, marker: &str) -> bool {
    if marker.starts_with('@') || marker.starts_with("new ") || marker.contains(' ') {
        return true;
    }
    let before = &text[..at];
    match before.chars().next_back() {
        Some(c) if c.is_alphanumeric() || matches!(c, '_' | '$') => false,
        // A method (`policy.WaitAndRetryForever(`, `services.AddMemoryCache(`).
        Some('.') if marker.starts_with(char::is_uppercase) && !marker.contains(['.', ':']) => true,
        Some('.' | ':') => {
            let qualifier = before
                .trim_end_matches([':', '.'])
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default();
            matches!(
                qualifier,
                "reqwest" | "functools" | "ureq" | "sync" | "future" | "lru"
            )
        }
        _ => true,
    }
}

/// A `@cache`-style decorator on a function whose arguments can take only a few values holds
/// few entries: bounded. Such are no arguments at all (but `cls`), classes (`filter_class`,
/// `model_cls`, `klass`, an argument typed `type[...]`: a factory keyed by the program's own
/// classes, as netbox's `get_bulk_update_serializer_class`) and flags (`partial=False`,
/// `: bool`).
fn decorates_bounded_function(lines: &[&str], index: usize) -> bool {
    let Some(def) = lines.iter().skip(index + 1).take(8).position(|l| {
        l.trim_start().starts_with("def ") || l.trim_start().starts_with("async def ")
    }) else {
        return false;
    };
    // The signature up to its closing parenthesis, over a few lines when it wraps.
    let signature = lines[index + 1 + def..]
        .iter()
        .take(12)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let Some(open) = signature.find('(') else {
        return false;
    };
    let Some(inside) = crate::support::enclosing_brackets(&signature, open + 1) else {
        return false;
    };
    let parameters = crate::support::top_level_items(&signature[inside]);
    parameters.iter().all(|parameter| {
        let (name_and_type, default) = parameter
            .split_once('=')
            .map_or((*parameter, None), |(n, d)| (n, Some(d.trim())));
        let (name, annotation) = name_and_type
            .split_once(':')
            .map_or((name_and_type.trim(), ""), |(n, t)| (n.trim(), t.trim()));
        // `self` is an argument: a method's cache keeps one entry per instance, and the
        // instances alive with it.
        matches!(name, "" | "cls" | "klass" | "*" | "/")
            || name.ends_with("_class")
            || name.ends_with("_cls")
            || annotation.starts_with("type[")
            || annotation.starts_with("Type[")
            || annotation == "bool"
            || matches!(default, Some("True" | "False"))
    })
}

/// Server-side JavaScript by its path: where a hanging `fetch` holds a request of the
/// service's own (browser code is left alone; a browser gives up on its own).
fn server_side(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if std::path::Path::new(&lower)
        .extension()
        .is_some_and(|e| e == "tsx" || e == "jsx")
    {
        return false;
    }
    lower.split('/').any(|part| {
        matches!(
            part,
            "server"
                | "api"
                | "worker"
                | "workers"
                | "backend"
                | "lambda"
                | "lambdas"
                | "functions"
                | "jobs"
                | "cron"
        )
    }) || lower
        .rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with("route."))
}

/// Dependencies that make a JavaScript package a front end: its code runs in a browser.
const BROWSER_FRAMEWORKS: &[&str] = &[
    "vue",
    "react-dom",
    "svelte",
    "@angular/core",
    "solid-js",
    "preact",
];

/// Dependencies that make a package serve as well: server frameworks and the full-stack ones
/// that render and answer on a server too.
const SERVER_FRAMEWORKS: &[&str] = &[
    // A desktop app's main process is Node, and electron-builder ships its `dependencies`.
    "electron",
    "express",
    "fastify",
    "koa",
    "@nestjs/core",
    "hono",
    "@hapi/hapi",
    "h3",
    "next",
    "nuxt",
    "@sveltejs/kit",
    "@remix-run/node",
    "@remix-run/server-runtime",
    "astro",
];

/// Whether the `package.json` text declares a front end only: a browser framework among its
/// dependencies and no server framework (hoppscotch's Vue packages; not a Next.js app).
pub(crate) fn front_end_package(manifest: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(manifest) else {
        return false;
    };
    let declared = |names: &[&str]| {
        ["dependencies", "devDependencies", "peerDependencies"]
            .iter()
            .filter_map(|section| value.get(section).and_then(|d| d.as_object()))
            .any(|deps| names.iter().any(|name| deps.contains_key(*name)))
    };
    declared(BROWSER_FRAMEWORKS) && !declared(SERVER_FRAMEWORKS)
}

/// Browser JavaScript by its path (a component, a front end's directory) and not server code
/// by [`server_side`]: a request there holds no resource of the service's.
pub(crate) fn browser_side(path: &str) -> bool {
    if server_side(path) {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    std::path::Path::new(&lower)
        .extension()
        .is_some_and(|e| e == "tsx" || e == "jsx" || e == "vue" || e == "svelte")
        || lower.split('/').any(|part| {
            matches!(
                part,
                "frontend"
                    | "client"
                    | "web"
                    | "webapp"
                    | "ui"
                    | "components"
                    | "browser"
                    | "www"
                    | "spa"
                    // An Electron app's browser side (`src/renderer/`).
                    | "renderer"
            )
        })
}

/// The body of a loop whose head is on line `index`: the indented block (Python) or the
/// braces (others), at most 80 lines.
fn loop_body<'t>(lines: &[&'t str], index: usize, language: Language) -> Vec<&'t str> {
    let head = lines[index];
    let indent = head.len() - head.trim_start().len();
    if language == Language::Python {
        return lines
            .iter()
            .skip(index + 1)
            .take(80)
            .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
            .copied()
            .collect();
    }
    let mut depth = 0i32;
    let mut body = Vec::new();
    for line in lines.iter().skip(index).take(80) {
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        body.push(*line);
        if depth <= 0 && body.len() > 1 {
            break;
        }
    }
    body
}

/// Whether a loop is a retry that never gives up: it sleeps after an error, leaves only on
/// success (`return`/`break`), never re-raises, and counts no attempts.
fn unbounded_retry_loop(body: &[&str], language: Language) -> bool {
    let text = body.join("\n");
    let sleeps = ["sleep(", "Sleep(", "setTimeout", "delay("]
        .iter()
        .any(|w| text.contains(w));
    let catches = match language {
        Language::Python => text.contains("except"),
        Language::Go => text.contains("err != nil"),
        _ => text.contains("catch"),
    };
    let leaves = text.contains("return") || text.contains("break");
    // A worker that runs until told to stop (`if stop.is_set(): break`) is no retry, nor is a
    // process that sleeps until interrupted (healthchecks' SMTP listener: `except
    // KeyboardInterrupt: break`).
    let worker = [
        "stop",
        "shutdown",
        "running",
        "cancel",
        "closed",
        "is_set()",
        "Done()",
        "KeyboardInterrupt",
        "InterruptedException",
    ]
    .iter()
    .any(|w| text.contains(w));
    let gives_up = match language {
        Language::Python => text.contains("raise"),
        Language::Go => text.contains("panic(") || text.contains("log.Fatal"),
        _ => text.contains("throw"),
    };
    let counts = [
        "attempt",
        "retries",
        "retry_count",
        "retryCount",
        "tries",
        "maxRetries",
        "max_retries",
    ]
    .iter()
    .any(|w| text.contains(w))
        || text.contains(" >= ")
        || text.contains(" > ")
        || text.contains("deadline")
        || text.contains("ctx.Done()")
        || text.contains("ctx.Err()");
    sleeps && catches && leaves && !gives_up && !counts && !worker
}

/// A call site that lacks its bound: line (0-based), column (0-based byte), the call's name
/// and what is missing.
#[derive(Debug, PartialEq)]
struct Unbounded {
    line: usize,
    /// The how-manieth site of this call with the same code in the file: with the call and the
    /// path, what identifies the finding when lines above it move.
    occurrence: String,
    column: usize,
    call: String,
    missing: std::borrow::Cow<'static, str>,
    bound: Bound,
}

/// Where a file's `fetch` comes from when the file imports one (`import fetch from
/// "node-fetch"`, `import fetch, { type Response } from "./fetch"`, `const fetch =
/// require("./fetch")`): then the calls are that module's, not Node's global `fetch`.
fn imported_fetch(text: &str) -> Option<&str> {
    for line in text.lines() {
        let line = line.trim_start();
        let source = if let Some(rest) = line.strip_prefix("import fetch") {
            if !rest.starts_with([' ', ',']) {
                continue;
            }
            match rest.split_once(" from ") {
                Some((_, source)) => source,
                None => continue,
            }
        } else if let Some(rest) = line.strip_prefix("const fetch = require(") {
            rest
        } else {
            continue;
        };
        let source = source.trim_start();
        let Some(quote) = source
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))
        else {
            continue;
        };
        if let Some(module) = source[1..].split(quote).next().filter(|m| !m.is_empty()) {
            return Some(module);
        }
    }
    None
}

/// What a `fetch` call without a bound lacks, said of the `fetch` the file uses.
fn fetch_missing(module: Option<&str>, default: &'static str) -> std::borrow::Cow<'static, str> {
    match module {
        None | Some("undici" | "node:undici") => default.into(),
        Some(library @ ("node-fetch" | "cross-fetch" | "isomorphic-fetch" | "make-fetch-happen")) => {
            format!("has no abort signal or `timeout`: {library} sets no timeout and waits as long as the server holds the connection").into()
        }
        Some(module) => format!(
            "has no abort signal or `timeout`: the `fetch` imported from `{module}` waits as long as the server holds the connection unless that module sets a bound itself"
        )
        .into(),
    }
}

/// A site's code (its line, trimmed) and how many times the same code came before it in the file.
fn occurrence(seen: &mut std::collections::HashMap<String, usize>, line: &str) -> String {
    let code = line.trim().to_owned();
    let count = seen.entry(code.clone()).or_default();
    *count += 1;
    format!("{code}#{count}")
}

/// The unbounded call sites of one production source file.
fn unbounded(path: &str, text: &str, language: Language) -> Vec<Unbounded> {
    // Split into lines only when a rule matches: most anchors (`requests.`) are no call.
    let all_lines = std::cell::OnceCell::new();
    // The module a file's `fetch` comes from, looked for at its first call.
    let fetch_module = std::cell::OnceCell::new();
    let lines = || -> &Vec<&str> { all_lines.get_or_init(|| text.lines().collect()) };
    let production_lines = crate::support::production_lines(text, language == Language::Rust);
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let (mut line, mut counted_to) = (0usize, 0usize);
    let mut literals = match language {
        Language::Python => crate::support::Literals::new(&['"', '\''], "#"),
        Language::JavaScript => crate::support::Literals::new(&['"', '\'', '`'], "//"),
        // Rust's `'a` lifetimes and JVM/Go/C# char literals are no strings to track.
        _ => crate::support::Literals::new(&['"'], "//"),
    };
    // Whether the file holds one of a rule's `file_needs` / `file_bounds`, asked once a file.
    let mut needs: Vec<Option<bool>> = vec![None; RULES.len()];
    let mut bounds: Vec<Option<bool>> = vec![None; RULES.len()];
    // How often each line's code has been reported in this file.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    // A rule's match covers its whole marker: the anchors inside it are not hits of their own.
    let mut covered_to = 0;
    for (_, start, _) in MARKERS.find_iter(bytes) {
        line += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
        counted_to = start;
        if line >= production_lines {
            break;
        }
        if start < covered_to {
            continue;
        }
        let rest = &text[start..];
        let rule = RULES
            .iter()
            .position(|r| r.language == language && rest.starts_with(r.marker));
        let head = LOOP_HEADS
            .iter()
            .position(|(head, l)| *l == language && rest.starts_with(head));
        if rule.is_none() && head.is_none() {
            continue;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = start - line_start;
        let before = text[line_start..start].trim_start();
        // Comments.
        if before.starts_with("//")
            || before.starts_with('#')
            || before.starts_with('*')
            || before.starts_with("/*")
        {
            continue;
        }
        if literals.inside(text, start) {
            continue;
        }
        if let Some(index) = rule {
            let rule = &RULES[index];
            covered_to = start + rule.marker.len();
            let needed = *needs[index].get_or_insert_with(|| {
                rule.file_needs.is_empty() || rule.file_needs.iter().any(|w| text.contains(w))
            });
            let bounded = *bounds[index]
                .get_or_insert_with(|| rule.file_bounds.iter().any(|w| text.contains(w)));
            if !needed || bounded || !starts_a_name(text, start, rule.marker) {
                continue;
            }
            // `@retry` and `@cache` must be the whole decorator name: not `@retry_if`,
            // `@cache.memoize` (Flask-Caching) or `@retry.Retry` (google-api-core).
            if rule.marker.starts_with('@')
                && text[start + rule.marker.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            {
                continue;
            }
            if rule.marker == "fetch(" && !server_side(path) {
                continue;
            }
            if language == Language::JavaScript && browser_side(path) {
                continue;
            }
            // A function's own definition (`async function fetch(`, `def fetch(`).
            if ["function ", "def ", "fn ", "func "]
                .iter()
                .any(|d| before.ends_with(d))
            {
                continue;
            }
            let call = call_text(text, start, rule.scope);
            if !rule.only_with.is_empty() && !rule.only_with.iter().any(|w| call.contains(w)) {
                continue;
            }
            // A method of the same name defined here (`async fetch(request, env) {`,
            // `fetch(url: string): Promise<Response> {`), not a call.
            if rule.marker.ends_with('(') && rule.scope == Scope::Call {
                let after = text[start + call.len()..].trim_start();
                if after.starts_with('{')
                    || (after.starts_with(':') && language == Language::JavaScript)
                {
                    continue;
                }
            }
            // A bound switched off is no bound.
            let off = [
                "timeout=None",
                "timeout: 0,",
                "timeout: 0 ",
                "timeout: 0}",
                "Timeout: 0,",
            ]
            .iter()
            .any(|w| call.contains(w));
            if !off && rule.bounded_by.iter().any(|w| call.contains(w)) {
                continue;
            }
            // Go bounds a request by its context: a deadline set before the call in the same
            // function (PocketBase's `$http.send` sets one 45 lines above its
            // `http.DefaultClient.Do(req)`, the body built in between). Looked for back to
            // the top-level `func` the call is in, 120 lines at most.
            if language == Language::Go
                && rule.bound == Bound::Timeout
                && go_deadline_before(&lines()[line.saturating_sub(120)..=line])
            {
                continue;
            }
            if rule.bound == Bound::Size
                && language == Language::Python
                && (decorates_bounded_function(lines(), line)
                    // The maintainers judged this very case (flake8-bugbear's B019, a cache on
                    // a method) and kept it.
                    || lines().get(line).is_some_and(|l| l.contains("noqa: B019")))
            {
                continue;
            }
            found.push(Unbounded {
                occurrence: occurrence(&mut seen, lines().get(line).copied().unwrap_or_default()),
                line,
                column,
                call: rule.marker.trim_end_matches(['(', '{', '.']).to_owned(),
                missing: if rule.marker == "fetch(" {
                    fetch_missing(
                        *fetch_module.get_or_init(|| imported_fetch(text)),
                        rule.missing,
                    )
                } else {
                    rule.missing.into()
                },
                bound: rule.bound,
            });
        } else if let Some(index) = head {
            let (head, _) = LOOP_HEADS[index];
            if !before.is_empty() && !before.ends_with('}') {
                continue;
            }
            if unbounded_retry_loop(&loop_body(lines(), line, language), language) {
                found.push(Unbounded {
                    occurrence: occurrence(
                        &mut seen,
                        lines().get(line).copied().unwrap_or_default(),
                    ),
                    line,
                    column,
                    call: head.trim_end_matches([':', '{', ' ']).to_owned(),
                    missing: "retries until it succeeds: no attempt limit, no deadline".into(),
                    bound: Bound::Attempts,
                });
            }
        }
    }
    found
}

impl Gate for ResilienceBounds {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let classified = crate::classify::classified(cx)?;
        let (mut files, mut sites) = (0u64, 0u64);
        // Found sites, reported once every file is read: a default set in one file (axios's
        // global timeout, usually in a shared HTTP module) bounds the calls of every other.
        let mut found: Vec<(&str, Unbounded)> = Vec::new();
        let mut axios_default = false;
        let packages = crate::support::NpmPackages::of(&classified);
        let mut front_ends: std::collections::HashMap<&str, bool> =
            std::collections::HashMap::new();
        let mut front_end_files = 0u64;
        let mut tooling_files = 0u64;
        for class in classified.iter().filter(|c| c.production_source()) {
            let Some(language) = class.language() else {
                continue;
            };
            if language == Language::Ruby {
                continue;
            }
            // Scripts, code generators and build configuration run on a developer's machine or
            // in CI, where a hung request is seen and killed.
            if crate::paths::tooling(&class.path) {
                tooling_files += 1;
                continue;
            }
            // A front end's code runs in its users' browsers: a request there holds nothing of
            // the service's, whatever its directory is called (`helpers/backend/queries/`).
            if language == Language::JavaScript
                && let Some(manifest) = packages.manifest_of(&class.path)
            {
                let front_end = if let Some(known) = front_ends.get(manifest) {
                    *known
                } else {
                    let skipped = crate::support::NotExamined::default();
                    let known = crate::support::read_parsed(cx, &skipped, manifest)?
                        .is_some_and(|bytes| front_end_package(&harden_engine::lossy_text(&bytes)));
                    front_ends.insert(manifest, known);
                    known
                };
                if front_end {
                    front_end_files += 1;
                    continue;
                }
            }
            let Some(bytes) = crate::support::read_source_into(cx, out, &class.path)? else {
                continue;
            };
            files += 1;
            if !MARKERS.is_match(&bytes[..]) {
                continue;
            }
            if language == Language::JavaScript
                && memchr::memmem::find(&bytes, b"axios.defaults.timeout").is_some()
            {
                axios_default = true;
            }
            let text = harden_engine::lossy_text(&bytes);
            found.extend(
                unbounded(&class.path, &text, language)
                    .into_iter()
                    .map(|site| (class.path.as_str(), site)),
            );
        }
        if front_end_files > 0 {
            out.count("front-end package files (not judged)", front_end_files);
        }
        if tooling_files > 0 {
            out.count("scripts and build tooling (not judged)", tooling_files);
        }
        for (path, site) in found {
            if axios_default && site.call.starts_with("axios") {
                continue;
            }
            sites += 1;
            let help = match site.bound {
                Bound::Timeout => "give the call a timeout shorter than its caller's deadline",
                Bound::Attempts => {
                    "stop after a few attempts (with exponential backoff and jitter) and let the error surface"
                }
                Bound::Size => "give the cache a maximum size (and entries a time to live)",
            };
            out.finding(
                cx.finding(
                    format!("`{}` {}", site.call, site.missing),
                    crate::support::span_location(
                        path,
                        crate::support::point(
                            u32::try_from(site.line + 1).unwrap_or(u32::MAX),
                            u32::try_from(site.column + 1).unwrap_or(u32::MAX),
                        ),
                    ),
                )
                .identity(format!("{path}:{}:{}", site.call, site.occurrence))
                .help(help)
                .build(),
            );
        }
        if files > 0 {
            out.examined("source files", files);
            out.count("call sites", sites);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_end_packages_by_their_dependencies() {
        assert!(front_end_package(
            r#"{"dependencies": {"vue": "^3"}, "devDependencies": {"vite": "^5"}}"#
        ));
        assert!(front_end_package(
            r#"{"dependencies": {"react": "^18", "react-dom": "^18"}}"#
        ));
        // Full-stack and server packages serve: their requests may hold a server's resources.
        assert!(!front_end_package(
            r#"{"dependencies": {"react-dom": "^18", "next": "^14"}}"#
        ));
        assert!(!front_end_package(
            r#"{"dependencies": {"vue": "^3", "express": "^4"}}"#
        ));
        assert!(!front_end_package(r#"{"dependencies": {"axios": "^1"}}"#));
        assert!(!front_end_package("not json"));
        // A desktop app's main process is Node: its package is judged, its renderer is not.
        assert!(!front_end_package(
            r#"{"dependencies": {"vue": "^2"}, "devDependencies": {"electron": "^18"}}"#
        ));
        assert!(browser_side("src/renderer/axios/index.js"));
        assert!(!browser_side("src/main/updater.js"));
    }

    fn found(path: &str, text: &str, language: Language) -> Vec<String> {
        unbounded(path, text, language)
            .into_iter()
            .map(|u| format!("{}:{} {}", u.line + 1, u.column + 1, u.call))
            .collect()
    }

    #[test]
    fn python_calls_retries_and_caches() {
        let text = r#"import requests, functools
from tenacity import retry, stop_after_attempt

def a():
    requests.get(URL)
    requests.post(
        URL,
        json=body,
        timeout=5,
    )
    # requests.get(URL) in a comment
    s = "requests.get(URL)"

@retry
def b():
    pass

@retry(stop=stop_after_attempt(3))
def c():
    pass

@retry_if_x
def d():
    pass

@functools.lru_cache(maxsize=None)
def e(key):
    pass

@functools.cache
def settings():
    pass

@functools.cache
def lookup(key: str):
    pass
"#;
        assert_eq!(
            found("app/x.py", text, Language::Python),
            [
                "5:5 requests.get",
                "14:1 @retry",
                "26:12 lru_cache(maxsize=None)",
                "34:1 @functools.cache"
            ]
        );
    }

    #[test]
    fn rust_go_js_jvm_and_csharp() {
        assert_eq!(
            found(
                "src/x.rs",
                "use reqwest::Client;\nfn a() {\n    let c = Client::new();\n    let d = reqwest::Client::builder().timeout(T).build()?;\n    let e = reqwest::Client::builder()\n        .user_agent(UA)\n        .build()?;\n    let r = redis::Client::new();\n}\n#[cfg(test)]\nmod tests {\n    fn t() { reqwest::get(U); }\n}\n",
                Language::Rust
            ),
            ["3:13 Client::new()", "5:22 Client::builder()"]
        );
        assert_eq!(
            found(
                "cmd/x.go",
                "resp, err := http.Get(url)\nc := &http.Client{\n\tTimeout: 5 * time.Second,\n}\nd := &http.Client{}\n",
                Language::Go
            ),
            ["1:14 http.Get", "5:7 http.Client"]
        );
        assert_eq!(
            found(
                "src/server/x.ts",
                "const r = await fetch(url);\nconst s = await fetch(url, { signal });\nawait axios.get(url);\nthis.prefetch(url);\n",
                Language::JavaScript
            ),
            ["1:17 fetch", "3:7 axios.get"]
        );
        assert_eq!(
            found("src/components/x.ts", "fetch(url)\n", Language::JavaScript),
            Vec::<String>::new()
        );
        // The message names the `fetch` a file imports (outline wraps node-fetch in its own).
        let says = |text: &str| -> Vec<String> {
            unbounded("server/x.ts", text, Language::JavaScript)
                .into_iter()
                .map(|u| u.missing.into_owned())
                .collect()
        };
        assert!(says("const r = await fetch(url);\n")[0].contains("Node's fetch"));
        assert!(
            says("import fetch from \"node-fetch\";\nawait fetch(url);\n")[0]
                .contains("node-fetch sets no timeout")
        );
        assert!(
            says(
                "import fetch, { type Response } from \"@server/utils/fetch\";\nawait fetch(url);\n"
            )[0]
            .contains("imported from `@server/utils/fetch`")
        );
        assert!(
            says("const fetch = require('./fetch');\nawait fetch(url);\n")[0]
                .contains("imported from `./fetch`")
        );
        // A wrapper's own `timeout` option bounds the call.
        assert!(
            says("import fetch from \"./fetch\";\nawait fetch(url, { timeout: 5000 });\n")
                .is_empty()
        );
        // A front end's axios client: the browser's request, not the service's.
        assert!(
            found(
                "src/web/src/services/rest.ts",
                "this.client = axios.create({ baseURL });\n",
                Language::JavaScript
            )
            .is_empty()
        );
        assert_eq!(
            found(
                "src/api/src/rest.ts",
                "this.client = axios.create({ baseURL });\n",
                Language::JavaScript
            ),
            ["1:15 axios.create"]
        );
        // Options with an abort signal, built before the call.
        assert!(found("src/server/x.ts", "const options = { signal: AbortSignal.timeout(5000) };\nawait fetch(url, options);\n", Language::JavaScript).is_empty());
        // A Go request whose context has a deadline, set in the same function however far
        // above; one set in the function before does not count.
        assert!(found("cmd/x.go", "ctx, cancel := context.WithTimeout(ctx, t)\ndefer cancel()\nresp, err := http.DefaultClient.Do(req.WithContext(ctx))\n", Language::Go).is_empty());
        let body = "\tbody = append(body, part)\n".repeat(40);
        let far = format!(
            "func send(c Config) error {{\n\tctx, cancel := context.WithTimeout(context.Background(), c.Timeout)\n\tdefer cancel()\n{body}\treq, _ := http.NewRequestWithContext(ctx, c.Method, c.Url, nil)\n\tres, err := http.DefaultClient.Do(req)\n\treturn err\n}}\n"
        );
        assert!(found("plugins/x.go", &far, Language::Go).is_empty());
        let other = format!(
            "func a() {{\n\tctx, cancel := context.WithTimeout(context.Background(), t)\n\tdefer cancel()\n\tuse(ctx)\n}}\n\nfunc b(req *http.Request) error {{\n{body}\t_, err := http.DefaultClient.Do(req)\n\treturn err\n}}\n"
        );
        assert_eq!(
            found("plugins/y.go", &other, Language::Go),
            ["48:12 http.DefaultClient"]
        );
        // A deadline for something else: `http.Get` takes no context.
        let unrelated = "func f(db *sql.DB) {\n\tctx, cancel := context.WithTimeout(context.Background(), t)\n\tdefer cancel()\n\tdb.PingContext(ctx)\n\tresp, _ := http.Get(u)\n\t_ = resp\n}\n";
        assert_eq!(found("cmd/z.go", unrelated, Language::Go).len(), 1);
        // Guava caches bounded by expiry or by the collector.
        assert!(found("src/A.java", "c = CacheBuilder.newBuilder().expireAfterWrite(d).build();\nm = CacheBuilder.newBuilder().softValues().build();\n", Language::Jvm).is_empty());
        assert_eq!(
            found(
                "src/A.java",
                "var c = HttpClient.newHttpClient();\nvar b = HttpClient.newBuilder()\n    .connectTimeout(Duration.ofSeconds(2))\n    .build();\nCache<K, V> c = Caffeine.newBuilder().recordStats().build();\n",
                Language::Jvm
            ),
            [
                "1:9 HttpClient.newHttpClient()",
                "5:17 Caffeine.newBuilder()"
            ]
        );
        assert_eq!(
            found(
                "src/A.cs",
                "client.Timeout = Timeout.InfiniteTimeSpan;\nPolicy.Handle<X>().WaitAndRetryForeverAsync(i => d);\nservices.AddMemoryCache();\n",
                Language::CSharp
            ),
            [
                "1:8 Timeout = Timeout.InfiniteTimeSpan",
                "2:20 WaitAndRetryForeverAsync",
                "3:10 AddMemoryCache"
            ]
        );
    }

    #[test]
    fn anchors_fit_the_packed_searcher() {
        assert_eq!(anchor("requests.get("), "requests.");
        assert_eq!(anchor("reqwest::Client::new()"), "reqwest::");
        assert_eq!(anchor("@functools.cache"), "@functools.");
        assert_eq!(anchor("fetch("), "fetch(");
        let mut anchors: Vec<&str> = RULES.iter().map(|r| anchor(r.marker)).collect();
        anchors.extend(LOOP_HEADS.iter().map(|(h, _)| *h));
        anchors.sort_unstable();
        anchors.dedup();
        assert!(anchors.len() <= 64, "{} anchors", anchors.len());
        // A qualified marker is one hit, not two (`reqwest::` and `Client::` inside it).
        assert_eq!(
            found(
                "src/a.rs",
                "let c = reqwest::Client::new();\n",
                Language::Rust
            ),
            ["1:9 reqwest::Client::new()"]
        );
    }

    #[test]
    fn definitions_switched_off_bounds_and_other_decorators() {
        // A Worker's own `fetch` handler and a TypeScript method are definitions.
        assert!(found("src/server/w.ts", "export default {\n  async fetch(request, env, ctx) {\n    return new Response('ok');\n  },\n};\nclass A { fetch(url: string): Promise<R> { return x; } }\n", Language::JavaScript).is_empty());
        assert_eq!(
            found(
                "app/a.py",
                "import requests\nrequests.get(u, timeout=None)\n",
                Language::Python
            ),
            ["2:1 requests.get"]
        );
        assert!(
            found(
                "app/a.py",
                "from functools import wraps\n@cache.memoize(timeout=60)\ndef f(x):\n    pass\n",
                Language::Python
            )
            .is_empty()
        );
        assert!(
            found(
                "app/a.py",
                "import retry\n@retry.Retry(deadline=60)\ndef f(x):\n    pass\n",
                Language::Python
            )
            .is_empty()
        );
        assert_eq!(
            found(
                "app/a.py",
                "import functools\nclass A:\n    @functools.cache\n    def settings(self):\n        pass\n",
                Language::Python
            ),
            ["3:5 @functools.cache"]
        );
        // Keyed by the program's classes and a flag: as many entries as there are classes.
        for def in [
            "def missing_key_aware_filter_factory(filter_class):",
            "def get_bulk_update_serializer_class(serializer_class, *, partial=False):",
            "def schema_for(\n    model_cls,\n    strict: bool = True,\n):",
            "def handler_for(kind: type[Event]):",
        ] {
            let text = format!("import functools\n@functools.cache\n{def}\n    pass\n");
            assert!(
                found("app/a.py", &text, Language::Python).is_empty(),
                "{def}"
            );
        }
        for def in [
            "def lookup(name):",
            "def handler_for(filter_class, event):",
            "def schema_for(model_cls, strict: bool = True, limit=10):",
        ] {
            let text = format!("import functools\n@functools.cache\n{def}\n    pass\n");
            assert_eq!(
                found("app/a.py", &text, Language::Python),
                ["2:1 @functools.cache"],
                "{def}"
            );
        }
        // The maintainers kept this very cache, and said so to their linter.
        assert!(found("app/a.py", "import functools\nclass A:\n    @functools.cache  # noqa: B019\n    def settings(self):\n        pass\n", Language::Python).is_empty());
        // Go's default client given a timeout; C# handlers with a resilience pipeline.
        assert!(found("cmd/a.go", "func init() { http.DefaultClient.Timeout = 10 * time.Second }\nfunc f() { http.Get(u) }\n", Language::Go).is_empty());
        assert!(
            found(
                "src/A.cs",
                "await Task.Delay(Timeout.InfiniteTimeSpan, token);\n",
                Language::CSharp
            )
            .is_empty()
        );
        assert!(found("src/A.cs", "client.Timeout = Timeout.InfiniteTimeSpan;\nservices.AddHttpClient(\"x\").AddStandardResilienceHandler();\n", Language::CSharp).is_empty());
    }

    #[test]
    fn hand_written_retry_loops() {
        let forever = "def call():\n    while True:\n        try:\n            return fetch()\n        except Error:\n            time.sleep(1)\n";
        assert_eq!(found("a.py", forever, Language::Python), ["2:5 while True"]);
        let counted = "def call():\n    attempt = 0\n    while True:\n        try:\n            return fetch()\n        except Error:\n            attempt += 1\n            if attempt > 5:\n                raise\n            time.sleep(1)\n";
        assert!(found("a.py", counted, Language::Python).is_empty());
        // A worker loop never leaves on success: it is no retry.
        let worker = "def run():\n    while True:\n        try:\n            handle(queue.get())\n        except Error:\n            log()\n            time.sleep(1)\n";
        assert!(found("a.py", worker, Language::Python).is_empty());
        let stoppable = "def run(self):\n    while True:\n        if self.stop.is_set():\n            break\n        try:\n            handle(queue.get())\n        except Error:\n            time.sleep(5)\n";
        assert!(found("a.py", stoppable, Language::Python).is_empty());
        let until_interrupted = "def handle(self):\n    controller.start()\n    while True:\n        try:\n            time.sleep(2**32)\n        except KeyboardInterrupt:\n            print(\"exiting\")\n            break\n    controller.stop()\n";
        assert!(found("a.py", until_interrupted, Language::Python).is_empty());
        let go = "for {\n\tresp, err := call()\n\tif err != nil {\n\t\ttime.Sleep(time.Second)\n\t\tcontinue\n\t}\n\treturn resp\n}\n";
        assert_eq!(found("a.go", go, Language::Go), ["1:1 for"]);
    }
}
