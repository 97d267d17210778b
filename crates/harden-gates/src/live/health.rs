use harden_config::OptionValue;
use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpError, HttpRequest};
use harden_model::{
    GateId, GateMeta, Location, OptionKind, OptionSpec, ProfileLevel, Round, Severity, Target,
};

/// `R7.health`: liveness and readiness endpoints answer, quickly, and say nothing internal.
pub(crate) struct Health;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R7.health"),
    round: Round::R7,
    title: "Liveness and readiness endpoints answer quickly and leak nothing",
    severity: Severity::High,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "An orchestrator restarts what its liveness probe says is dead and routes traffic \
only to what its readiness probe says is ready; a deploy without them sends users to instances \
still starting or already broken. This gate asks the conventional paths (`/health`, `/healthz`, \
`/livez` for liveness; `/ready`, `/readyz` for readiness) and fails when no liveness or no \
readiness endpoint answers 2xx (absence is a failure, never \"not applicable\"), when one takes \
longer than 1 s, and when an answer carries internals: stack traces, connection strings, \
internal hosts, or anything the secret detector recognises. Fix: serve cheap liveness and \
dependency-checking readiness endpoints that answer with a status word.",
    evidence: &["requests"],
    options: &[
        OptionSpec {
            key: "liveness",
            kind: OptionKind::StringList,
            help: "Liveness paths to try, in order (default [\"/health\", \"/healthz\", \"/livez\", \"/live\"]).",
        },
        OptionSpec {
            key: "readiness",
            kind: OptionKind::StringList,
            help: "Readiness paths to try, in order (default [\"/ready\", \"/readyz\", \"/health/ready\"]).",
        },
    ],
    items: None,
};

const LIVENESS: &[&str] = &["/health", "/healthz", "/livez", "/live"];
const READINESS: &[&str] = &["/ready", "/readyz", "/health/ready"];
/// The slowest a probe endpoint may answer.
const SLOW_MS: u128 = 1000;

/// What a health answer should not show.
fn internals(body: &str) -> Option<&'static str> {
    let lower = body.to_ascii_lowercase();
    if harden_secrets::mask(body) != body {
        return Some("a credential");
    }
    [
        ("postgres://", "a connection string"),
        ("mysql://", "a connection string"),
        ("mongodb://", "a connection string"),
        ("redis://", "a connection string"),
        ("traceback (most recent call last)", "a stack trace"),
        ("\tat ", "a stack trace"),
        ("goroutine ", "a stack trace"),
        (".svc.cluster.local", "an internal host name"),
    ]
    .iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, what)| *what)
}

impl Gate for Health {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let base = service.base_url();
        let configured = |key: &str, default: &[&str]| -> Vec<String> {
            match cx.option(key) {
                Some(OptionValue::StringList(paths)) if !paths.is_empty() => paths.clone(),
                _ => default.iter().map(|p| (*p).to_owned()).collect(),
            }
        };
        let liveness = configured("liveness", LIVENESS);
        let readiness = configured("readiness", READINESS);
        for (kind, paths) in [("liveness", &liveness), ("readiness", &readiness)] {
            let mut answered = None;
            for path in paths {
                let response = match service.send(&HttpRequest::get(path)) {
                    Ok(response) => response,
                    Err(HttpError::Timeout(after)) => {
                        out.examined("requests", 1);
                        out.finding(
                            cx.finding(
                                format!("{path} did not answer within {after:?}"),
                                Location::Http {
                                    method: "GET".to_owned(),
                                    url: format!("{}{path}", base.trim_end_matches('/')),
                                    status: None,
                                    summary: "no answer".to_owned(),
                                    exchange: None,
                                },
                            )
                            .identity(format!("timeout:{path}"))
                            .help("a probe endpoint answers at once; check dependencies with short timeouts")
                            .build(),
                        );
                        continue;
                    }
                    Err(error) => {
                        return Err(GateError::Failed {
                            message: format!("GET {path} on {base} failed: {error}"),
                            location: None,
                        });
                    }
                };
                out.examined("requests", 1);
                if !(200..300).contains(&response.status) {
                    continue;
                }
                let location = Location::Http {
                    method: "GET".to_owned(),
                    url: format!("{}{path}", base.trim_end_matches('/')),
                    status: Some(response.status),
                    summary: format!("GET {path} → {}", response.status),
                    exchange: super::exchange(service, &response),
                };
                if response.elapsed.as_millis() > SLOW_MS {
                    out.finding(
                        cx.finding(format!("{path} took {} ms (more than {SLOW_MS} ms)", response.elapsed.as_millis()), location.clone())
                            .identity(format!("slow:{path}"))
                            .help("a probe endpoint answers at once; check dependencies with short timeouts")
                            .build(),
                    );
                }
                if let Some(what) = internals(&harden_engine::lossy_text(&response.body)) {
                    out.finding(
                        cx.finding(format!("{path} shows {what} in its answer"), location)
                            .identity(format!("leak:{path}"))
                            .help("answer with a status word (and check names), never configuration or errors")
                            .build(),
                    );
                }
                answered = Some(path.clone());
                break;
            }
            match answered {
                Some(path) => out.fact(kind, path),
                None => out.finding(
                    cx.finding(
                        format!("no {kind} endpoint answers 2xx ({} tried)", paths.join(", ")),
                        Location::Http {
                            method: "GET".to_owned(),
                            url: base.clone(),
                            status: None,
                            summary: format!("{kind}: none of {}", paths.join(", ")),
                            exchange: None,
                        },
                    )
                    .identity(format!("missing:{kind}"))
                    .help(if kind == "readiness" {
                        "serve /ready: 200 when dependencies (database, queues) answer, 503 otherwise"
                    } else {
                        "serve /health: 200 while the process can serve"
                    })
                    .build(),
                ),
            }
        }
        Ok(())
    }
}
