//! One data-driven harness for every gate: each directory
//! `fixtures/<gate id>/<expected outcome>/<case>/` holds a repository (`repo/`) and a `case.toml`
//! saying how to build it (git commits and their dates, the clock, a ledger to verify). The
//! harness runs that one gate through the real engine and adapters, checks the outcome named by
//! the directory, and snapshots outcome, findings, evidence and waivers as JSON.
#![allow(clippy::disallowed_methods, clippy::unwrap_used)] // Test code: real files; panics are failures.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use harden_config::ValidConfig;
use harden_engine::{
    FixedClock, LedgerCheck, LedgerHealth, PortError, Ports, RunContext, RunOptions,
};
use harden_ledger::LedgerStore;
use harden_model::{Outcome, RunTarget, ToolInfo};
use harden_repo::{GitHistory, WorkTree};
use harden_test::TestRepo;
use serde_json::json;

const OUTCOMES: [&str; 4] = ["pass", "fail", "waived", "skipped"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture's `[[target.identity]]` with their secrets from the case's `[env]` (the CLI
/// does the same with the process environment).
fn identities(
    configured: &[harden_config::Identity],
    env: &std::collections::BTreeMap<String, String>,
) -> Vec<harden_probe::Identity> {
    configured
        .iter()
        .map(|identity| {
            let credential = match &identity.credential {
                harden_config::Credential::Bearer { env: var } => {
                    harden_probe::Credential::Header {
                        name: "Authorization".into(),
                        value: format!("Bearer {}", env[var]),
                    }
                }
                harden_config::Credential::Login(login) => {
                    let mut body = login.body.clone();
                    for var in login.variables() {
                        body = body.replace(&format!("${{{var}}}"), &env[var]);
                    }
                    harden_probe::Credential::Login(harden_probe::Login {
                        method: login.method.clone(),
                        path: login.path.clone(),
                        body,
                        secrets: login.variables().iter().map(|v| env[*v].clone()).collect(),
                        content_type: login.content_type.clone(),
                        token: login.token.clone(),
                        header: login.header.clone(),
                        scheme: login.scheme.clone(),
                    })
                }
                other => panic!("fixtures use bearer-env or login identities, not {other:?}"),
            };
            harden_probe::Identity {
                name: identity.name.clone(),
                credential,
                jwt_key: identity
                    .jwt_key_env
                    .as_ref()
                    .map(|var| env[var].clone().into_bytes()),
            }
        })
        .collect()
}

/// `case.toml`, read with toml_edit so the harness needs nothing the product does not.
struct Case {
    now: jiff::Timestamp,
    git: bool,
    /// Commits made before the final one, in order.
    commits: Vec<EarlyCommit>,
    /// Date of the final commit of the whole tree.
    final_date: String,
    ledger: Option<LedgerCase>,
    env: std::collections::BTreeMap<String, String>,
    /// `[[route]]`: what a service started for the case answers (live gates).
    routes: Vec<Route>,
    /// `tls-days = N`: the service speaks https with a certificate from a CA made for the run,
    /// valid for N more days; the run's clock is then the real time.
    tls_days: Option<i64>,
    /// `[app] defects = [...]`: the notes application of harden-test runs for the case, with
    /// those defects; its contract is written to the repository as `openapi.yaml`.
    app: Option<Vec<harden_test::notes::Defect>>,
}

/// One answer of the fixture's service: `path`, `status`, `headers` and `body`; with `limit`,
/// requests past that many are answered 429 (a rate limiter).
#[derive(Clone)]
struct Route {
    path: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    limit: Option<usize>,
    served: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn read_routes(doc: &toml_edit::DocumentMut) -> Vec<Route> {
    doc.get("route")
        .and_then(|r| r.as_array_of_tables())
        .map(|tables| {
            tables
                .iter()
                .map(|t| Route {
                    path: t
                        .get("path")
                        .and_then(|v| v.as_str())
                        .unwrap_or("/")
                        .to_owned(),
                    status: t
                        .get("status")
                        .and_then(toml_edit::Item::as_integer)
                        .map_or(200, |s| u16::try_from(s).unwrap()),
                    headers: t
                        .get("headers")
                        .and_then(|h| h.as_table_like())
                        .map(|h| {
                            h.iter()
                                .map(|(k, v)| (k.to_owned(), v.as_str().unwrap().to_owned()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    body: t
                        .get("body")
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_owned(),
                    limit: t
                        .get("limit")
                        .and_then(toml_edit::Item::as_integer)
                        .map(|n| usize::try_from(n).unwrap()),
                    served: std::sync::Arc::default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Serves `routes` on 127.0.0.1 (axum, on its own thread), over TLS with `tls`, and returns
/// the base URL.
fn serve(routes: Vec<Route>, tls: Option<std::sync::Arc<rustls::ServerConfig>>) -> String {
    let scheme_tls = tls.is_some();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
                let routes = routes.clone();
                async move {
                    // An exact path, else the catch-all `*` route, else 404.
                    let route = routes
                        .iter()
                        .find(|r| r.path == uri.path())
                        .or_else(|| routes.iter().find(|r| r.path == "*"));
                    if let Some(route) = route
                        && let Some(limit) = route.limit
                        && route
                            .served
                            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                            >= limit
                    {
                        let mut limited =
                            axum::response::Response::new(axum::body::Body::from("slow down"));
                        *limited.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
                        limited
                            .headers_mut()
                            .insert("retry-after", axum::http::HeaderValue::from_static("30"));
                        return limited;
                    }
                    let mut response = axum::response::Response::new(axum::body::Body::from(
                        route.map(|r| r.body.clone()).unwrap_or_default(),
                    ));
                    *response.status_mut() =
                        axum::http::StatusCode::from_u16(route.map_or(404, |r| r.status)).unwrap();
                    for (name, value) in route.map(|r| r.headers.clone()).unwrap_or_default() {
                        response.headers_mut().append(
                            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                            axum::http::HeaderValue::from_str(&value).unwrap(),
                        );
                    }
                    response
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let Some(config) = tls else {
                axum::serve(listener, app).await.unwrap();
                return;
            };
            // axum::serve speaks plain TCP: TLS connections are accepted here and each served
            // by hyper with the same router.
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    // A handshake that fails (the gate's TLS 1.0 probe) just ends the connection.
                    let Ok(stream) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    let scheme = if scheme_tls { "https" } else { "http" };
    format!("{scheme}://{}/", rx.recv().unwrap())
}

fn read_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: toml_edit::DocumentMut = text.parse().unwrap();
    let now: jiff::Timestamp = doc
        .get("now")
        .and_then(|v| v.as_str())
        .unwrap_or("2026-11-22T12:00:00Z")
        .parse()
        .unwrap();
    let commits = doc
        .get("commit")
        .and_then(|c| c.as_array_of_tables())
        .map(|tables| {
            tables
                .iter()
                .map(|t| {
                    let list = |key: &str| -> Vec<String> {
                        t.get(key)
                            .and_then(|v| v.as_array())
                            .map(|a| a.iter().map(|f| f.as_str().unwrap().to_owned()).collect())
                            .unwrap_or_default()
                    };
                    EarlyCommit {
                        date: t["date"].as_str().unwrap().to_owned(),
                        files: list("files"),
                        past: list("past"),
                        remove: list("remove"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let ledger = doc.get("ledger").map(|l| LedgerCase {
        entries: l["entries"].as_integer().unwrap() as u64,
        tamper: l.get("tamper").and_then(|t| t.as_str()).map(str::to_owned),
        records: l
            .get("record")
            .and_then(|r| r.as_array_of_tables())
            .map(|tables| {
                tables
                    .iter()
                    .map(|t| {
                        let text = |key: &str| t[key].as_str().unwrap().to_owned();
                        (text("kind"), text("at"), text("body"))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    });
    let env = doc
        .get("env")
        .and_then(|e| e.as_table())
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_owned(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Case {
        routes: read_routes(&doc),
        env,
        now,
        git: doc
            .get("git")
            .and_then(toml_edit::Item::as_bool)
            .unwrap_or(true),
        commits,
        final_date: doc
            .get("final-date")
            .and_then(|v| v.as_str())
            .unwrap_or("2026-11-20T09:00:00Z")
            .to_owned(),
        ledger,
        tls_days: doc.get("tls-days").and_then(toml_edit::Item::as_integer),
        app: doc.get("app").map(|app| {
            app.get("defects")
                .and_then(|d| d.as_array())
                .map(|list| {
                    list.iter()
                        .map(|d| {
                            let name = d.as_str().unwrap();
                            harden_test::notes::Defect::parse(name)
                                .unwrap_or_else(|| panic!("unknown defect {name}"))
                        })
                        .collect()
                })
                .unwrap_or_default()
        }),
    }
}

/// A CA and a certificate for 127.0.0.1 it signed, valid for `days` more days: the server's
/// TLS configuration and the CA's PEM for the prober to trust.
fn tls_identity(days: i64, at: jiff::Timestamp) -> (std::sync::Arc<rustls::ServerConfig>, String) {
    let now = rcgen::date_time_ymd(1970, 1, 1)
        + std::time::Duration::from_secs(at.as_second().unsigned_abs());
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "harden test CA");
    ca.not_before = now - std::time::Duration::from_hours(24);
    ca.not_after = now + std::time::Duration::from_hours(400 * 24);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "service.test");
    leaf.not_before = now - std::time::Duration::from_hours(24);
    leaf.not_after = now + std::time::Duration::from_hours(days.unsigned_abs() * 24);
    let leaf_cert = leaf.signed_by(&key, &ca_cert, &ca_key).unwrap();
    #[allow(deprecated)] // ring, as the rest of the workspace.
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    (std::sync::Arc::new(config), ca_cert.pem())
}

/// `[[commit]]`: files from `repo/` (`files`) or from `history/` (`past`, files that existed only
/// in the past), and paths deleted (`remove`), committed at `date`.
struct EarlyCommit {
    date: String,
    files: Vec<String>,
    past: Vec<String>,
    remove: Vec<String>,
}

struct Ledger(Mutex<Box<dyn LedgerStore>>);

impl LedgerCheck for Ledger {
    fn records(&self, kinds: &[&str]) -> Result<Vec<harden_engine::LedgerRecord>, PortError> {
        let mut store = self.0.lock().unwrap();
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = store.page(after, 1_000).map_err(PortError::new)?;
            let Some(last) = page.last() else {
                return Ok(out);
            };
            after = last.seq;
            out.extend(
                page.into_iter()
                    .filter(|e| kinds.contains(&e.kind.as_str()))
                    .map(|e| harden_engine::LedgerRecord {
                        seq: e.seq,
                        kind: e.kind,
                        recorded_at: e.recorded_at,
                        body: e.body,
                    }),
            );
        }
    }

    fn verify(&self) -> Result<LedgerHealth, PortError> {
        let mut store = self.0.lock().unwrap();
        let verified = store.verify().map_err(PortError::new)?;
        Ok(match verified {
            Ok(v) => LedgerHealth {
                location: "ledger.db".into(),
                entries: v.entries,
                head: v.head.map(|h| h.hash),
                broken: None,
            },
            Err(b) => LedgerHealth {
                location: "ledger.db".into(),
                entries: b.seq - 1,
                head: None,
                broken: Some(b.to_string()),
            },
        })
    }
}

/// `[ledger]`: `entries` runs, then each `[[ledger.record]]` (`kind`, `at`, JSON `body`), then
/// an optional `tamper` (`edit:N`, `delete:N`).
struct LedgerCase {
    entries: u64,
    tamper: Option<String>,
    records: Vec<(String, String, String)>,
}

fn build_ledger(dir: &Path, case: &LedgerCase) -> Ledger {
    let path = dir.join("ledger.db");
    let mut store = harden_ledger::open(path.to_str().unwrap()).unwrap();
    for i in 0..case.entries {
        let at = jiff::Timestamp::from_second(1_790_000_000 + i as i64).unwrap();
        store.append("run", &json!({"i": i}), at).unwrap();
    }
    for (kind, at, body) in &case.records {
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        store.append(kind, &body, at.parse().unwrap()).unwrap();
    }
    if let Some(tamper) = &case.tamper {
        let (op, seq) = tamper.split_once(':').unwrap();
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch(
            "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete;",
        )
        .unwrap();
        let sql = match op {
            "edit" => format!("UPDATE ledger_entries SET body = '{{\"i\":999}}' WHERE seq = {seq}"),
            "delete" => format!("DELETE FROM ledger_entries WHERE seq = {seq}"),
            other => panic!("unknown tamper {other}"),
        };
        raw.execute_batch(&sql).unwrap();
    }
    Ledger(Mutex::new(store))
}

fn run_case(gate: &str, expected: &str, case_dir: &Path) -> serde_json::Value {
    let case = read_case(&case_dir.join("case.toml"));
    let source = case_dir.join("repo");
    let repo = if case.git {
        TestRepo::new()
    } else {
        TestRepo::plain()
    };
    for early in &case.commits {
        for file in &early.files {
            repo.write(file, std::fs::read(source.join(file)).unwrap());
        }
        for file in &early.past {
            repo.write(
                file,
                std::fs::read(case_dir.join("history").join(file)).unwrap(),
            );
        }
        for file in &early.remove {
            repo.remove(file);
        }
        repo.commit("early", &early.date);
    }
    if source.is_dir() {
        repo.copy_tree(&source);
    }
    if case.app.is_some() {
        repo.write("openapi.yaml", harden_test::notes::CONTRACT);
    }
    if case.git {
        repo.commit("fixture", &case.final_date);
    }
    let registry = harden_gates::registry();
    let catalogue = registry.catalogue();
    let config_path = repo.path().join("harden.toml");
    let config = if config_path.is_file() {
        harden_config::load(
            "harden.toml",
            &std::fs::read_to_string(&config_path).unwrap(),
            &catalogue,
        )
        .unwrap_or_else(|d| panic!("{}: fixture config invalid:\n{d}", case_dir.display()))
    } else {
        ValidConfig::defaults()
    };
    let ledger_dir = tempfile::tempdir().unwrap();
    let ledger = case
        .ledger
        .as_ref()
        .map(|ledger| build_ledger(ledger_dir.path(), ledger));
    let worktree = WorkTree::new(repo.path());
    let history = GitHistory::open(repo.path());
    // A certificate is checked against the real time: a TLS case's clock is the real time, the
    // same instant the certificate's validity counts from.
    let started = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap();
    let clock = FixedClock(if case.tls_days.is_some() {
        started
    } else {
        case.now
    });
    let tls = case.tls_days.map(|days| tls_identity(days, started));
    let app = case
        .app
        .as_ref()
        .map(|defects| harden_test::notes::NotesApp::start(defects));
    let base = match &app {
        Some(app) => Some(app.base.clone()),
        None => (!case.routes.is_empty())
            .then(|| serve(case.routes.clone(), tls.as_ref().map(|(c, _)| c.clone()))),
    };
    let prober = base.as_ref().map(|base| {
        let target = config.target.as_ref();
        let prober = harden_probe::Prober::new(base, harden_probe::Limits::default())
            .unwrap()
            .with_paths(target.map(|t| t.paths.clone()).unwrap_or_default())
            .with_headers(target.map(|t| t.headers.clone()).unwrap_or_default())
            .with_identities(identities(
                target.map(|t| t.identities.as_slice()).unwrap_or_default(),
                &case.env,
            ));
        match &tls {
            Some((_, ca)) => prober.with_root_certificates(ca.as_bytes()).unwrap(),
            None => prober,
        }
    });
    // `advisories/`: OSV records (and RustSec ones) imported into a database for the run.
    let advisory_dir = tempfile::tempdir().unwrap();
    let advisories = case_dir.join("advisories").is_dir().then(|| {
        let mut index =
            harden_advisory_db::Index::create(&advisory_dir.path().join("advisories.db")).unwrap();
        index
            .import(
                &[case_dir.join("advisories")],
                "2026-11-22T00:00:00Z",
                &|_| {},
            )
            .unwrap();
        harden_advisory_db::SharedIndex::new(index.shown_as(".harden/advisories.db"))
    });
    let ports = Ports {
        repo: &worktree,
        history: history
            .as_ref()
            .map(|h| h as &dyn harden_engine::History)
            .map_err(|_| "not a git repository".to_owned()),
        ledger: ledger
            .as_ref()
            .map(|l| l as &dyn LedgerCheck)
            .ok_or_else(|| "no ledger configured".to_owned()),
        clock: &clock,
        env: &harden_engine::FixedEnvironment(case.env.clone()),
        service: match &prober {
            Some(prober) => Ok(prober as &dyn harden_engine::Service),
            None => Err("no [target] in harden.toml: live gates need a running service".into()),
        },
        advisories: advisories
            .as_ref()
            .map(|index| index as &dyn harden_engine::AdvisoryDb)
            .ok_or_else(|| {
                "no advisory database at .harden/advisories.db: run `harden db import PATH...`"
                    .to_owned()
            }),
        cache: harden_engine::RunCache::default(),
    };
    let options = RunOptions {
        profile: config.resolve_profile(Some("production")).unwrap(),
        strict: false,
        only: vec![gate.to_owned()],
        skip: Vec::new(),
        min_severity: None,
    };
    let context = RunContext {
        run_id: "fixture".into(),
        tool: ToolInfo {
            name: "harden".into(),
            version: "test".into(),
        },
        target: RunTarget::default(),
    };
    let report = harden_engine::run(&registry, &config, &ports, &options, context, &|_| {});
    assert_eq!(report.gates.len(), 1, "{gate} did not run");
    let result = &report.gates[0];
    assert_eq!(
        result.outcome.as_str(),
        expected,
        "{}: expected {expected}, got {:?}: {}",
        case_dir.display(),
        result.outcome,
        serde_json::to_string_pretty(result).unwrap()
    );
    // Canaries planted by the fixture never reach a result in full.
    let raw = std::fs::read_to_string(case_dir.join("case.toml")).unwrap();
    let doc: toml_edit::DocumentMut = raw.parse().unwrap();
    if let Some(canaries) = doc.get("canaries").and_then(|c| c.as_array()) {
        let shown = serde_json::to_string(&report).unwrap();
        for canary in canaries.iter().filter_map(|c| c.as_str()) {
            assert!(
                !shown.contains(canary),
                "{}: canary {} leaked",
                case_dir.display(),
                &canary[..4]
            );
        }
    }
    // Secret values of the environment never reach a result.
    let shown = serde_json::to_string(&report).unwrap();
    for (name, value) in &case.env {
        let secret = ["_URL", "_KEY", "_TOKEN", "_SECRET", "PASSWORD"]
            .iter()
            .any(|s| name.ends_with(s));
        assert!(
            !(secret && value.len() >= 8 && shown.contains(value.as_str())),
            "{name}'s value leaked"
        );
    }
    let mut value = serde_json::to_value(result).unwrap();
    value["duration_ms"] = json!(0);
    steady(&mut value);
    // The service's port changes from run to run.
    if let Some(base) = &base {
        let mut text = serde_json::to_string(&value)
            .unwrap()
            .replace(base.trim_end_matches('/'), "http://service");
        let port = base
            .trim_end_matches('/')
            .rsplit_once(':')
            .map_or("", |(_, p)| p);
        text = text.replace(&format!("127.0.0.1:{port}"), "service");
        // A certificate's dates follow the real clock.
        if case.tls_days.is_some() {
            text = mask_dates(&text);
        }
        value = serde_json::from_str(&text).unwrap();
    }
    json!({ "gate": value, "waivers": report.waivers })
}

/// `2026-12-05` → `[DATE]`.
fn mask_dates(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let date = bytes.len() - i >= 10
            && bytes[i..i + 10].iter().enumerate().all(|(k, b)| {
                if k == 4 || k == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if date {
            out.push_str("[DATE]");
            i += 10;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Masks what differs between runs of a live gate: exchange timings and `date` headers.
fn steady(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.contains_key("elapsed_ms") {
                map.insert("elapsed_ms".into(), json!(0));
            }
            for (key, inner) in map.iter_mut() {
                if key.ends_with("headers")
                    && let serde_json::Value::Array(headers) = inner
                {
                    for header in headers.iter_mut() {
                        if header[0] == "date" {
                            header[1] = json!("[DATE]");
                        }
                    }
                }
                steady(inner);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(steady),
        _ => {}
    }
}

#[test]
fn gate_fixtures() {
    let mut ran = 0;
    for gate_dir in sorted_dirs(&fixtures()) {
        let gate = gate_dir.file_name().unwrap().to_string_lossy().to_string();
        for outcome_dir in sorted_dirs(&gate_dir) {
            let expected = outcome_dir
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            assert!(
                OUTCOMES.contains(&expected.as_str()),
                "{}: not an outcome",
                outcome_dir.display()
            );
            for case_dir in sorted_dirs(&outcome_dir) {
                let case = case_dir.file_name().unwrap().to_string_lossy().to_string();
                let snapshot = run_case(&gate, &expected, &case_dir);
                insta::with_settings!({ snapshot_suffix => format!("{gate}__{expected}__{case}"), prepend_module_to_snapshot => false }, {
                    insta::assert_json_snapshot!("gate", snapshot);
                });
                ran += 1;
            }
        }
    }
    assert!(ran > 0, "no fixtures found");
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every registered gate is exercised by at least one fixture that makes it pass and one that
/// makes it fail: a gate that cannot fail is a defect.
#[test]
fn every_gate_has_pass_and_fail_fixtures() {
    for meta in harden_gates::registry().catalogue() {
        for outcome in ["pass", "fail"] {
            let dir = fixtures().join(meta.id.as_str()).join(outcome);
            let cases = if dir.is_dir() {
                sorted_dirs(&dir).len()
            } else {
                0
            };
            assert!(
                cases > 0,
                "{} has no {outcome} fixture under {}",
                meta.id,
                dir.display()
            );
        }
    }
}

#[test]
fn fixture_directories_name_registered_gates() {
    let catalogue = harden_gates::registry().catalogue();
    for dir in sorted_dirs(&fixtures()) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            catalogue.iter().any(|g| g.id.as_str() == name),
            "fixtures for unknown gate {name}"
        );
    }
}

#[test]
fn outcome_names_are_the_models() {
    for (name, outcome) in OUTCOMES.iter().zip([
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Waived,
        Outcome::Skipped,
    ]) {
        assert_eq!(*name, outcome.as_str());
    }
}
