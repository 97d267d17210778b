use harden_engine::{Gate, GateCx, GateError, GateOutput, HttpResponse, Service};
use harden_formats::openapi::{Operation, ParameterIn};
use harden_model::{GateId, GateMeta, Location, ProfileLevel, Round, Severity, Target};

use super::contract::{self, Scope};
use super::values;

/// `R1.tenancy.isolation`: what identity A owns, identity B can neither read, change, delete
/// nor find.
pub(crate) struct TenancyIsolation;

static META: GateMeta = GateMeta {
    id: GateId::from_static("R1.tenancy.isolation"),
    round: Round::R1,
    title: "One identity's objects are invisible and untouchable to another",
    severity: Severity::Critical,
    target: Target::Service,
    min_profile: ProfileLevel::Production,
    rationale: "Insecure direct object references (IDOR) are the most common way one customer \
reads another's data: the route checks that a caller is logged in, not that the object is \
theirs. This gate needs two `[[target.identity]]` entries, A and B, and the OpenAPI documents \
of `[contracts] openapi`. A creates one object through each POST of a collection the contract \
can address (`/notes` with `/notes/{id}`), its strings carrying a unique marker; `[target] \
objects` adds objects A already owns. B then tries each: read it, change it (PUT/PATCH with a \
valid body), delete it, and find it through every GET list or search route (id-like query \
parameters get A's id, search-like ones the marker). Any success fails the gate with the exact \
pair of requests, A's and B's; B's lists must not show A's ids. Answering B's \"not yours\" \
differently from \"does not exist\" (403 against 404) tells B which ids exist: a lower-severity \
finding. Objects of `[target] objects` are only read. What A created is deleted afterwards \
where the contract has a DELETE; what is left behind is listed.",
    evidence: &["objects", "requests"],
    options: &[],
    items: None,
};

/// Query parameter names that look up by id, and those that search by text.
const ID_PARAMETERS: &[&str] = &["id", "ids", "uuid", "key"];
const SEARCH_PARAMETERS: &[&str] = &[
    "q", "query", "search", "filter", "term", "keyword", "keywords", "text", "name", "title",
];

/// Whether query parameter `name` looks objects of `template` (`/notes/{id}`) up by id: the
/// item's own parameter, `id`, or the collection's name for its ids (`note_id`, `noteIds`).
/// Other `*_id` parameters name other objects (`wallet_id`, `checking_id`).
fn is_id_parameter(name: &str, item_parameter: &str, template: Option<&str>) -> bool {
    let lower = name.to_ascii_lowercase();
    let collection = template.and_then(|t| t.rsplit_once('/')).map(|(c, _)| c);
    name == item_parameter
        || ID_PARAMETERS.contains(&lower.as_str())
        || collection.is_some_and(|c| {
            contract::aliases(c)
                .iter()
                .any(|alias| name == alias || name.strip_suffix('s') == Some(alias.as_str()))
        })
}

fn is_search_parameter(name: &str) -> bool {
    SEARCH_PARAMETERS.contains(&name.to_ascii_lowercase().as_str())
}

/// An object of A's, as B will ask for it.
struct Owned {
    path: String,
    template: Option<String>,
    id: String,
    marker: Option<String>,
    created: bool,
    /// A's own read of it, the first half of every pair.
    own_read: Option<usize>,
}

impl Gate for TenancyIsolation {
    fn meta(&self) -> &'static GateMeta {
        &META
    }

    fn check(&self, cx: &GateCx<'_>, out: &mut GateOutput) -> Result<(), GateError> {
        let service = cx.service()?;
        let names = service.identities();
        let [a, b, ..] = names.as_slice() else {
            return Err(GateError::Skip(format!(
                "two identities are needed ([[target.identity]], or --identity twice with harden probe); {} configured",
                names.len()
            )));
        };
        let operations = contract::operations(cx)?;
        for name in [a, b] {
            service
                .identity(name)
                .map_err(|e| GateError::Skip(e.to_string()))?;
        }
        let scope = Scope::of(cx);
        let (created, values) =
            contract::create_all(service, &operations, &scope, Some(a), "harden-tenancy", out)?;
        for object in &created {
            out.fact(
                &format!("{} as {a}", object.by),
                format!("created {}", object.path),
            );
        }
        let mut owned: Vec<Owned> = created
            .iter()
            .map(|c| Owned {
                path: c.path.clone(),
                template: Some(c.template.clone()),
                id: c.id.clone(),
                marker: Some(c.marker.clone()),
                created: true,
                own_read: None,
            })
            .collect();
        owned.extend(scope.objects.iter().map(|path| {
            Owned {
                path: path.clone(),
                template: operations
                    .iter()
                    .find(|o| o.method == "GET" && template_matches(&o.path, path))
                    .map(|o| o.path.clone()),
                id: path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                marker: None,
                created: false,
                own_read: None,
            }
        }));
        if owned.is_empty() {
            return Err(GateError::Skip(format!(
                "{a} could not create any object through the contract and [target] objects names none: nothing of {a}'s to protect from {b}"
            )));
        }
        let base = service.base_url();
        let judge = Judge {
            cx,
            service,
            base: &base,
            a,
            b,
        };
        for object in &mut owned {
            // A must see its own object, or B's refusal means nothing.
            let own = contract::send(
                service,
                &contract::request("GET", &object.path, None, Some(a)),
                out,
            )?;
            if !(200..300).contains(&own.status) {
                out.fact(
                    &object.path,
                    format!("not judged: {a}'s own read answered {}", own.status),
                );
                continue;
            }
            object.own_read = Some(own.exchange);
            out.examined("objects", 1);
            cx.progress(&object.path);
            judge.direct(&operations, object, out)?;
        }
        judge.lists(&operations, &scope, &values, &owned, out)?;
        contract::cleanup(service, &operations, &created, out);
        Ok(())
    }
}

/// Whether concrete `path` fits `template` (`/notes/{id}` and `/notes/17`).
fn template_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
}

struct Judge<'a> {
    cx: &'a GateCx<'a>,
    service: &'a dyn Service,
    base: &'a str,
    a: &'a str,
    b: &'a str,
}

impl Judge<'_> {
    /// B reads, changes and deletes A's object by its own URL.
    fn direct(
        &self,
        operations: &[Operation],
        object: &Owned,
        out: &mut GateOutput,
    ) -> Result<(), GateError> {
        let (a, b) = (self.a, self.b);
        let read = contract::send(
            self.service,
            &contract::request("GET", &object.path, None, Some(b)),
            out,
        )?;
        let readable = (200..300).contains(&read.status);
        if readable {
            self.report(out, object, "reads", &read, Severity::Critical);
        }
        // "Not yours" against "does not exist": the same answer, or B learns which ids exist.
        let missing = object.path.replacen(&object.id, &absent_id(&object.id), 1);
        if !readable && missing != object.path {
            let absent = contract::send(
                self.service,
                &contract::request("GET", &missing, None, Some(b)),
                out,
            )?;
            if absent.status != read.status && !(200..300).contains(&absent.status) {
                out.finding(
                    self.cx
                        .finding(
                            format!(
                                "{b} is told {} for {a}'s object but {} for one that does not exist: ids of other tenants can be enumerated",
                                read.status, absent.status
                            ),
                            self.location("GET", &object.path, &read),
                        )
                        .identity(format!("exists:{}", object.template.as_deref().unwrap_or(&object.path)))
                        .severity(Severity::Low)
                        .help("answer another tenant's object exactly as a missing one (usually 404)")
                        .build(),
                );
            }
        }
        if !object.created {
            return Ok(());
        }
        let template = object.template.as_deref().unwrap_or_default();
        for method in ["PUT", "PATCH", "DELETE"] {
            let Some(operation) = operations
                .iter()
                .find(|o| o.method == method && o.path == template)
            else {
                continue;
            };
            let body = operation.body.as_ref().map(|(schema, _)| {
                values::valid(
                    schema,
                    &format!("{}-by-{b}", object.marker.as_deref().unwrap_or("harden")),
                )
            });
            let response = contract::send(
                self.service,
                &contract::request(method, &object.path, body.as_ref(), Some(b)),
                out,
            )?;
            if (200..300).contains(&response.status) {
                let verb = if method == "DELETE" {
                    "deletes"
                } else {
                    "changes"
                };
                self.report(out, object, verb, &response, Severity::Critical);
            }
        }
        Ok(())
    }

    /// B's lists and searches must not show A's objects.
    fn lists(
        &self,
        operations: &[Operation],
        scope: &Scope,
        values: &[(String, String)],
        owned: &[Owned],
        out: &mut GateOutput,
    ) -> Result<(), GateError> {
        let judged: Vec<&Owned> = owned.iter().filter(|o| o.own_read.is_some()).collect();
        if judged.is_empty() {
            return Ok(());
        }
        for operation in operations.iter().filter(|o| {
            o.method == "GET"
                && !scope.configured_public(o)
                && contract::concrete(o, values).is_ok()
        }) {
            let Ok(path) = contract::concrete(operation, values) else {
                continue;
            };
            let queries: Vec<&harden_formats::openapi::Parameter> = operation
                .parameters
                .iter()
                .filter(|p| p.location == ParameterIn::Query)
                .collect();
            for object in &judged {
                let item_parameter = object
                    .template
                    .as_deref()
                    .and_then(contract::last_parameter)
                    .unwrap_or("id");
                // The plain list once per operation; id and search lookups per object.
                let mut variants: Vec<(String, String)> = Vec::new();
                if !queries.iter().any(|q| q.required) && std::ptr::eq(*object, judged[0]) {
                    variants.push((path.clone(), "its list".into()));
                }
                for query in &queries {
                    let value =
                        if is_id_parameter(&query.name, item_parameter, object.template.as_deref())
                        {
                            Some(object.id.clone())
                        } else if is_search_parameter(&query.name) {
                            object.marker.clone()
                        } else {
                            None
                        };
                    if let Some(value) = value {
                        let encoded = contract::encode(&value);
                        variants.push((
                            format!("{path}?{}={encoded}", query.name),
                            format!("`{}`", query.name),
                        ));
                    }
                }
                for (target, how) in variants {
                    let response = contract::send(
                        self.service,
                        &contract::request("GET", &target, None, Some(self.b)),
                        out,
                    )?;
                    out.add("list and search requests", 1);
                    if !(200..300).contains(&response.status) {
                        continue;
                    }
                    for shown in &judged {
                        if shows(&response, shown, item_parameter) {
                            out.finding(
                                self.cx
                                    .finding(
                                        format!(
                                            "{} {} as {} lists {}'s object {} (through {how})",
                                            operation.method, operation.path, self.b, self.a, shown.path
                                        ),
                                        self.location("GET", &target, &response),
                                    )
                                    .identity(format!("list:{} {}:{}", operation.method, operation.path, shown.template.as_deref().unwrap_or(&shown.path)))
                                    .severity(Severity::Critical)
                                    .help("filter lists and searches by the caller's tenant in the query itself, not after")
                                    .build(),
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn location(&self, method: &str, path: &str, response: &HttpResponse) -> Location {
        Location::Http {
            method: method.to_owned(),
            url: format!("{}{path}", self.base.trim_end_matches('/')),
            status: Some(response.status),
            summary: format!("{method} {path} as {} → {}", self.b, response.status),
            exchange: super::exchange(self.service, response),
        }
    }

    fn report(
        &self,
        out: &mut GateOutput,
        object: &Owned,
        verb: &str,
        response: &HttpResponse,
        severity: Severity,
    ) {
        let request = self
            .service
            .exchange(response.exchange)
            .map_or_else(String::new, |e| e.method);
        let own = object
            .own_read
            .and_then(|i| self.service.exchange(i))
            .map(|e| {
                format!(
                    "{} {} as {} → {}",
                    e.method,
                    e.url,
                    self.a,
                    e.status.unwrap_or(0)
                )
            })
            .unwrap_or_default();
        out.finding(
            self.cx
                .finding(
                    format!(
                        "{} {verb} {}'s object {} ({request} answered {}); {}'s own request: {own}",
                        self.b, self.a, object.path, response.status, self.a
                    ),
                    self.location(&request, &object.path, response),
                )
                .identity(format!("{verb}:{}", object.template.as_deref().unwrap_or(&object.path)))
                .severity(severity)
                .help("check that the object belongs to the caller's tenant before answering, in the query that loads it")
                .build(),
        );
    }
}

/// Whether `response` shows `object`: its marker anywhere, or its id as an `id` field.
fn shows(response: &HttpResponse, object: &Owned, item_parameter: &str) -> bool {
    if let Some(marker) = &object.marker
        && memchr::memmem::find(&response.body, marker.as_bytes()).is_some()
    {
        return true;
    }
    contract::lists_id(&response.body, &["id", item_parameter], &object.id)
}

/// An id of the same shape as `id` that surely does not exist.
fn absent_id(id: &str) -> String {
    if id.bytes().all(|b| b.is_ascii_digit()) {
        "987654321".to_owned()
    } else if id.len() == 36 && id.matches('-').count() == 4 {
        "00000000-0000-4000-8000-00000000d0e5".to_owned()
    } else {
        format!("{id}x0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_templates() {
        let notes = Some("/api/notes/{id}");
        assert!(is_id_parameter("noteId", "id", notes));
        assert!(is_id_parameter("note_ids", "id", notes));
        assert!(is_id_parameter("id", "id", notes));
        assert!(
            !is_id_parameter("owner_id", "id", notes),
            "another object's id"
        );
        assert!(!is_id_parameter("limit", "id", notes));
        assert!(is_search_parameter("q"));
        assert!(template_matches("/notes/{id}", "/notes/17"));
        assert!(!template_matches("/notes/{id}", "/notes/17/tags"));
        assert_eq!(absent_id("17"), "987654321");
    }
}
