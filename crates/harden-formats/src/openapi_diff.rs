//! Breaking changes between two versions of an OpenAPI 3.x or Swagger 2.0 contract.
//!
//! A change is breaking when a client written against the old contract can fail against the new
//! one: an operation it calls is gone, a request it sends is refused (a new required parameter or
//! property, an optional one made required, a narrower type, format, bound or enum), a response
//! it reads has changed (a property gone or no longer guaranteed, a wider type, a new enum value
//! it cannot handle), or it must now authenticate differently. Additions, descriptions, order,
//! a schema moved behind a `$ref` and renamed path parameters are not breaking: schemas are
//! compared after their references are followed, and path templates by the position of their
//! parameters.
//!
//! Both versions keep their spans: every change names where it was in the old contract and, if
//! it is still there, where it is in the new one, in whichever file of a contract split over
//! several files the schema is written.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use harden_model::Span;

use crate::yaml::{self, Node, Value, YamlError};

/// Files one contract may reference.
const MAX_FILES: usize = 64;
/// Deepest schema nesting or `$ref` chain followed (recursive schemas end here too).
const MAX_DEPTH: usize = 24;
/// Changes reported per pair of contracts, at most; the rest are counted.
pub const MAX_CHANGES: usize = 500;

/// One version of a contract: its root document and every file its `$ref`s reach.
#[derive(Debug, Clone)]
pub struct Contract {
    /// Repository-relative path of the root document.
    pub root: String,
    files: BTreeMap<String, Node>,
}

impl Contract {
    /// Parses the contract at `root` whose text is `text`; `load` gives the text of another
    /// repository file a `$ref` names (a path already joined to the referring file's directory
    /// and confined to the repository by the caller), or `None` when it cannot be read.
    pub fn load(
        root: &str,
        text: &str,
        load: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, YamlError> {
        let mut files = BTreeMap::new();
        let Some(document) = yaml::parse(text)?.into_iter().next() else {
            return Ok(Self {
                root: root.to_owned(),
                files,
            });
        };
        let mut pending = Vec::new();
        external_files(root, &document, &mut pending);
        files.insert(root.to_owned(), document);
        while let Some(path) = pending.pop() {
            if files.contains_key(&path) || files.len() >= MAX_FILES {
                continue;
            }
            let Some(text) = load(&path) else {
                continue;
            };
            // A referenced file that does not parse leaves its references unresolved.
            if let Ok(Some(document)) = yaml::parse(&text).map(|d| d.into_iter().next()) {
                external_files(&path, &document, &mut pending);
                files.insert(path, document);
            }
        }
        Ok(Self {
            root: root.to_owned(),
            files,
        })
    }

    /// The root document, if the file held one.
    pub fn document(&self) -> Option<&Node> {
        self.files.get(&self.root)
    }

    /// `info.title`, which names a contract that moved to another file.
    pub fn title(&self) -> Option<&str> {
        self.document()?.get("info")?.get("title")?.as_str()
    }

    /// Whether the root is an OpenAPI 3.x or Swagger 2.0 document.
    pub fn is_openapi(&self) -> bool {
        self.document().is_some_and(|d| {
            d.get("openapi")
                .and_then(Node::scalar_text)
                .is_some_and(|v| v.starts_with('3'))
                || d.get("swagger")
                    .and_then(Node::scalar_text)
                    .is_some_and(|v| v.starts_with('2'))
        })
    }

    /// The operations, keyed by method and normalised path.
    pub fn operations(&self) -> BTreeMap<String, Operation<'_>> {
        let mut operations = BTreeMap::new();
        let Some(document) = self.document() else {
            return operations;
        };
        let base_path = document
            .get("basePath")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .trim_end_matches('/');
        let Some(paths) = document.get("paths") else {
            return operations;
        };
        for (template, item) in paths.entries() {
            let Some(item) = self.resolve(&self.root, item, 0) else {
                continue;
            };
            let shared: Vec<At<'_>> = item
                .node
                .get("parameters")
                .map(|p| {
                    p.items()
                        .iter()
                        .map(|n| At {
                            file: item.file,
                            node: n,
                        })
                        .collect()
                })
                .unwrap_or_default();
            for (method, operation) in item.node.entries() {
                let method = method.text.to_ascii_lowercase();
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let path = format!("{base_path}{}", template.text);
                let key = format!("{} {}", method.to_ascii_uppercase(), normalise(&path));
                operations.insert(
                    key,
                    Operation {
                        method: method.to_ascii_uppercase(),
                        path,
                        at: At {
                            file: item.file,
                            node: operation,
                        },
                        shared: shared.clone(),
                    },
                );
            }
        }
        operations
    }

    /// `node` with its `$ref` chain followed, and the file it is in.
    fn resolve<'c>(&'c self, file: &'c str, node: &'c Node, depth: usize) -> Option<At<'c>> {
        let Some(reference) = node.get("$ref").and_then(Node::as_str) else {
            return Some(At { file, node });
        };
        if depth > MAX_DEPTH {
            return None;
        }
        let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let (file, document) = if target.is_empty() {
            let (path, document) = self.files.get_key_value(file)?;
            (path.as_str(), document)
        } else {
            let path = join(file, target)?;
            let (path, document) = self.files.get_key_value(&path)?;
            (path.as_str(), document)
        };
        let found = document.pointer(pointer)?;
        self.resolve(file, found, depth + 1)
    }
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A node and the file it is written in.
#[derive(Debug, Clone, Copy)]
pub struct At<'c> {
    /// Repository-relative path.
    pub file: &'c str,
    /// The node.
    pub node: &'c Node,
}

impl At<'_> {
    /// Where it is.
    pub fn place(&self) -> Place {
        Place {
            file: self.file.to_owned(),
            span: self.node.span,
        }
    }
}

/// One operation of a contract.
#[derive(Debug, Clone)]
pub struct Operation<'c> {
    /// `GET`, `POST`...
    pub method: String,
    /// The path template as written (with Swagger's `basePath`).
    pub path: String,
    /// The operation object.
    pub at: At<'c>,
    shared: Vec<At<'c>>,
}

/// A place in one version of a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Repository-relative path.
    pub file: String,
    /// Where in it.
    pub span: Span,
}

/// What kind of breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// An operation (or its whole path) is gone.
    RemovedOperation,
    /// A success response (or one of its media types) is gone.
    RemovedResponse,
    /// A request media type is no longer accepted.
    RemovedRequestMediaType,
    /// A new parameter must be sent.
    NewRequiredParameter,
    /// A request body or property must be sent that need not be before.
    NewRequiredProperty,
    /// Something optional is now required.
    OptionalMadeRequired,
    /// A value the client sent is refused: a narrower type, format, bound or enum.
    NarrowedInput,
    /// An enum value a client sent is gone.
    RemovedEnumValue,
    /// A response property is gone (removed or renamed).
    RemovedResponseProperty,
    /// A response property is no longer guaranteed.
    ResponsePropertyMadeOptional,
    /// A response value may now be of a type or format the client does not expect.
    ChangedResponseType,
    /// A response enum has a value the client does not know.
    AddedEnumValue,
    /// The operation must be called with other credentials.
    ChangedSecurity,
}

impl ChangeKind {
    /// A stable word for identities and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RemovedOperation => "removed-operation",
            Self::RemovedResponse => "removed-response",
            Self::RemovedRequestMediaType => "removed-request-media-type",
            Self::NewRequiredParameter => "new-required-parameter",
            Self::NewRequiredProperty => "new-required-property",
            Self::OptionalMadeRequired => "optional-made-required",
            Self::NarrowedInput => "narrowed-input",
            Self::RemovedEnumValue => "removed-enum-value",
            Self::RemovedResponseProperty => "removed-response-property",
            Self::ResponsePropertyMadeOptional => "response-property-made-optional",
            Self::ChangedResponseType => "changed-response-type",
            Self::AddedEnumValue => "added-enum-value",
            Self::ChangedSecurity => "changed-security",
        }
    }
}

/// One breaking change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind.
    pub kind: ChangeKind,
    /// The operation (`GET /items/{id}`).
    pub operation: String,
    /// Where in the operation (`request body .items[].name`, `query parameter limit`).
    pub subject: String,
    /// What changed, in words.
    pub detail: String,
    /// Where it was.
    pub base: Place,
    /// Where it is now, if it is still there.
    pub head: Option<Place>,
}

/// Which way values flow: a request's are written by the client, a response's read by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Flow {
    Request,
    Response,
}

/// Every breaking change from `base` to `head`, at most [`MAX_CHANGES`] (and how many more).
pub fn breaking_changes(base: &Contract, head: &Contract) -> (Vec<Change>, usize) {
    let mut diff = Diff {
        changes: Vec::new(),
        more: 0,
        visiting: HashSet::new(),
    };
    let (old, new) = (base.operations(), head.operations());
    for (key, before) in &old {
        let operation = format!("{} {}", before.method, before.path);
        let Some(after) = new.get(key) else {
            diff.push(Change {
                kind: ChangeKind::RemovedOperation,
                operation: operation.clone(),
                subject: String::new(),
                detail: "the operation is gone".into(),
                base: before.at.place(),
                head: None,
            });
            continue;
        };
        let operation = format!("{} {}", after.method, after.path);
        let pair = Pair {
            base,
            head,
            operation: &operation,
        };
        diff.parameters(&pair, before, after);
        diff.request_body(&pair, before, after);
        diff.responses(&pair, before, after);
        diff.security(&pair, before, after);
    }
    (diff.changes, diff.more)
}

struct Pair<'a> {
    base: &'a Contract,
    head: &'a Contract,
    operation: &'a str,
}

struct Diff {
    changes: Vec<Change>,
    more: usize,
    /// The schema pairs being compared, outermost first: a recursive schema ends where it
    /// refers to itself.
    visiting: HashSet<(String, u32, u32, String, u32, u32, Flow)>,
}

impl Diff {
    fn push(&mut self, change: Change) {
        if self.changes.len() < MAX_CHANGES {
            self.changes.push(change);
        } else {
            self.more += 1;
        }
    }

    fn change(
        &mut self,
        pair: &Pair<'_>,
        kind: ChangeKind,
        subject: &str,
        detail: String,
        base: At<'_>,
        head: Option<At<'_>>,
    ) {
        self.push(Change {
            kind,
            operation: pair.operation.to_owned(),
            subject: subject.to_owned(),
            detail,
            base: base.place(),
            head: head.map(|h| h.place()),
        });
    }

    fn parameters(&mut self, pair: &Pair<'_>, before: &Operation<'_>, after: &Operation<'_>) {
        let old = parameters(pair.base, before);
        let new = parameters(pair.head, after);
        for (key, parameter) in &new {
            let subject = format!("{} parameter {}", parameter.place, parameter.name);
            match old.get(key) {
                None if parameter.required && parameter.place != "body" => self.change(
                    pair,
                    ChangeKind::NewRequiredParameter,
                    &subject,
                    "a new required parameter: requests without it are refused".into(),
                    before.at,
                    Some(parameter.at),
                ),
                None => {}
                Some(was) => {
                    if parameter.required && !was.required && parameter.place != "path" {
                        self.change(
                            pair,
                            ChangeKind::OptionalMadeRequired,
                            &subject,
                            "was optional, is now required".into(),
                            was.at,
                            Some(parameter.at),
                        );
                    }
                    if let (Some(a), Some(b)) = (was.schema, parameter.schema) {
                        self.schema(pair, &subject, a, b, Flow::Request, 0);
                    }
                }
            }
        }
    }

    fn request_body(&mut self, pair: &Pair<'_>, before: &Operation<'_>, after: &Operation<'_>) {
        let old = request_body(pair.base, before);
        let new = request_body(pair.head, after);
        let subject = "request body";
        match (old, new) {
            (None, Some(body)) if body.required => self.change(
                pair,
                ChangeKind::NewRequiredProperty,
                subject,
                "a request body is now required".into(),
                before.at,
                Some(body.at),
            ),
            (Some(was), Some(body)) => {
                if body.required && !was.required {
                    self.change(
                        pair,
                        ChangeKind::OptionalMadeRequired,
                        subject,
                        "the request body was optional, is now required".into(),
                        was.at,
                        Some(body.at),
                    );
                }
                for (media, schema) in &was.media {
                    match body.media.get(media) {
                        Some(now) => {
                            if let (Some(a), Some(b)) = (schema, now) {
                                self.schema(pair, subject, *a, *b, Flow::Request, 0);
                            }
                        }
                        None => self.change(
                            pair,
                            ChangeKind::RemovedRequestMediaType,
                            subject,
                            format!("{media} is no longer accepted"),
                            was.at,
                            Some(body.at),
                        ),
                    }
                }
            }
            _ => {}
        }
    }

    fn responses(&mut self, pair: &Pair<'_>, before: &Operation<'_>, after: &Operation<'_>) {
        let old = responses(pair.base, before);
        let new = responses(pair.head, after);
        for (status, was) in &old {
            let subject = format!("response {status}");
            let Some(now) = new.get(status) else {
                if status.starts_with('2') {
                    self.change(
                        pair,
                        ChangeKind::RemovedResponse,
                        &subject,
                        format!("the {status} response is gone"),
                        was.at,
                        Some(after.at),
                    );
                }
                continue;
            };
            for (media, schema) in &was.media {
                match now.media.get(media) {
                    Some(then) => {
                        if let (Some(a), Some(b)) = (schema, then) {
                            self.schema(pair, &subject, *a, *b, Flow::Response, 0);
                        }
                    }
                    None if status.starts_with('2') => self.change(
                        pair,
                        ChangeKind::RemovedResponse,
                        &subject,
                        format!("{media} is no longer returned"),
                        was.at,
                        Some(now.at),
                    ),
                    None => {}
                }
            }
        }
    }

    fn security(&mut self, pair: &Pair<'_>, before: &Operation<'_>, after: &Operation<'_>) {
        let (old, old_at) = security(pair.base, before);
        let (new, new_at) = security(pair.head, after);
        // Every way a client could authenticate before must still be accepted: some new
        // requirement asks for no scheme or scope the old one did not.
        let still_accepted = |alternative: &Requirement| {
            new.iter().any(|n| {
                n.iter().all(|(scheme, scopes)| {
                    alternative
                        .get(scheme)
                        .is_some_and(|had| scopes.is_subset(had))
                })
            })
        };
        if let Some(lost) = old.iter().find(|a| !still_accepted(a)) {
            let before = if lost.is_empty() {
                "no credentials".to_owned()
            } else {
                describe(lost)
            };
            let now = if new.is_empty() || new.iter().any(BTreeMap::is_empty) {
                "none".to_owned()
            } else {
                new.iter().map(describe).collect::<Vec<_>>().join(" or ")
            };
            self.change(
                pair,
                ChangeKind::ChangedSecurity,
                "security",
                format!(
                    "a client calling with {before} is refused: the operation now requires {now}"
                ),
                old_at,
                Some(new_at),
            );
        }
    }

    fn schema(
        &mut self,
        pair: &Pair<'_>,
        subject: &str,
        base: At<'_>,
        head: At<'_>,
        flow: Flow,
        depth: usize,
    ) {
        let (Some(base), Some(head)) = (
            pair.base.resolve(base.file, base.node, 0),
            pair.head.resolve(head.file, head.node, 0),
        ) else {
            return;
        };
        let pair_key = (
            base.file.to_owned(),
            base.node.span.start.line,
            base.node.span.start.column,
            head.file.to_owned(),
            head.node.span.start.line,
            head.node.span.start.column,
            flow,
        );
        if depth > MAX_DEPTH || !self.visiting.insert(pair_key.clone()) {
            return;
        }
        self.compare_schemas(pair, subject, base, head, flow, depth);
        self.visiting.remove(&pair_key);
    }

    fn compare_schemas(
        &mut self,
        pair: &Pair<'_>,
        subject: &str,
        base: At<'_>,
        head: At<'_>,
        flow: Flow,
        depth: usize,
    ) {
        let old = Shape::of(pair.base, base);
        let new = Shape::of(pair.head, head);
        self.types(pair, subject, &old, &new, base, head, flow);
        self.enums(pair, subject, &old, &new, base, head, flow);
        if flow == Flow::Request {
            self.bounds(pair, subject, &old, &new, base, head);
        }
        // Properties.
        for (name, property) in &new.properties {
            let path = format!("{subject} .{name}");
            let required = new.required.contains(name);
            let skip = match flow {
                Flow::Request => property_flag(pair.head, *property, "readOnly"),
                Flow::Response => property_flag(pair.head, *property, "writeOnly"),
            };
            match old.properties.get(name) {
                None if flow == Flow::Request && required && !skip => self.change(
                    pair,
                    ChangeKind::NewRequiredProperty,
                    &path,
                    "a new required property: requests without it are refused".into(),
                    base,
                    Some(*property),
                ),
                None => {}
                Some(was) => {
                    let was_required = old.required.contains(name);
                    if flow == Flow::Request && required && !was_required && !skip {
                        self.change(
                            pair,
                            ChangeKind::OptionalMadeRequired,
                            &path,
                            "was optional, is now required".into(),
                            *was,
                            Some(*property),
                        );
                    }
                    if flow == Flow::Response && was_required && !required && !skip {
                        self.change(
                            pair,
                            ChangeKind::ResponsePropertyMadeOptional,
                            &path,
                            "was always returned, may now be missing".into(),
                            *was,
                            Some(*property),
                        );
                    }
                    self.schema(pair, &path, *was, *property, flow, depth + 1);
                }
            }
        }
        if flow == Flow::Response {
            let added: Vec<&String> = new
                .properties
                .keys()
                .filter(|n| !old.properties.contains_key(*n))
                .collect();
            for (name, was) in &old.properties {
                if new.properties.contains_key(name) || property_flag(pair.base, *was, "writeOnly")
                {
                    continue;
                }
                let renamed = match added.as_slice() {
                    [only] => format!(" (renamed to {only}?)"),
                    _ => String::new(),
                };
                self.change(
                    pair,
                    ChangeKind::RemovedResponseProperty,
                    &format!("{subject} .{name}"),
                    format!("the property is no longer returned{renamed}"),
                    *was,
                    Some(head),
                );
            }
        }
        if let (Some(a), Some(b)) = (old.items, new.items) {
            self.schema(pair, &format!("{subject}[]"), a, b, flow, depth + 1);
        }
        if let (Some(a), Some(b)) = (old.values, new.values) {
            self.schema(pair, &format!("{subject}{{}}"), a, b, flow, depth + 1);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn types(
        &mut self,
        pair: &Pair<'_>,
        subject: &str,
        old: &Shape<'_>,
        new: &Shape<'_>,
        base: At<'_>,
        head: At<'_>,
        flow: Flow,
    ) {
        let covers = |set: &BTreeSet<String>, t: &str| {
            set.contains(t) || (t == "integer" && set.contains("number"))
        };
        match flow {
            Flow::Request => {
                if let Some(now) = &new.types {
                    let lost: Vec<&String> = match &old.types {
                        Some(was) => was.iter().filter(|t| !covers(now, t)).collect(),
                        None => Vec::new(),
                    };
                    if old.types.is_none() && !old.any_of {
                        self.change(
                            pair,
                            ChangeKind::NarrowedInput,
                            subject,
                            format!("any type was accepted, now only {}", list(now)),
                            base,
                            Some(head),
                        );
                    } else if !lost.is_empty() {
                        self.change(
                            pair,
                            ChangeKind::NarrowedInput,
                            subject,
                            format!(
                                "{} is no longer accepted (now {})",
                                list_of(&lost),
                                list(now)
                            ),
                            base,
                            Some(head),
                        );
                    }
                }
                if let Some(format) = new.format
                    && old.format != Some(format)
                    && !widening(old.format, format)
                {
                    self.change(
                        pair,
                        ChangeKind::NarrowedInput,
                        subject,
                        match old.format {
                            Some(was) => format!("the format was {was}, is now {format}"),
                            None => format!("values must now have the format {format}"),
                        },
                        base,
                        Some(head),
                    );
                }
            }
            Flow::Response => {
                if let (Some(was), Some(now)) = (&old.types, &new.types) {
                    let gained: Vec<&String> = now.iter().filter(|t| !covers(was, t)).collect();
                    if !gained.is_empty() {
                        self.change(
                            pair,
                            ChangeKind::ChangedResponseType,
                            subject,
                            format!("may now be {} (was {})", list_of(&gained), list(was)),
                            base,
                            Some(head),
                        );
                    }
                }
                if let Some(was) = old.format
                    && new.format != Some(was)
                    && !new.format.is_some_and(|now| widening(Some(now), was))
                {
                    self.change(
                        pair,
                        ChangeKind::ChangedResponseType,
                        subject,
                        match new.format {
                            Some(now) => format!("the format was {was}, is now {now}"),
                            None => format!("the format {was} is no longer promised"),
                        },
                        base,
                        Some(head),
                    );
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn enums(
        &mut self,
        pair: &Pair<'_>,
        subject: &str,
        old: &Shape<'_>,
        new: &Shape<'_>,
        base: At<'_>,
        head: At<'_>,
        flow: Flow,
    ) {
        match (flow, &old.values_allowed, &new.values_allowed) {
            (Flow::Request, Some(was), Some(now)) => {
                let removed: Vec<&String> = was.iter().filter(|v| !now.contains(*v)).collect();
                if !removed.is_empty() {
                    self.change(
                        pair,
                        ChangeKind::RemovedEnumValue,
                        subject,
                        format!("{} no longer accepted", list_of(&removed)),
                        base,
                        Some(head),
                    );
                }
            }
            (Flow::Request, None, Some(now)) => self.change(
                pair,
                ChangeKind::NarrowedInput,
                subject,
                format!("values are now limited to {}", list(now)),
                base,
                Some(head),
            ),
            (Flow::Response, Some(was), Some(now)) => {
                let added: Vec<&String> = now.iter().filter(|v| !was.contains(*v)).collect();
                if !added.is_empty() {
                    self.change(
                        pair,
                        ChangeKind::AddedEnumValue,
                        subject,
                        format!("{} may now be returned", list_of(&added)),
                        base,
                        Some(head),
                    );
                }
            }
            _ => {}
        }
    }

    fn bounds(
        &mut self,
        pair: &Pair<'_>,
        subject: &str,
        old: &Shape<'_>,
        new: &Shape<'_>,
        base: At<'_>,
        head: At<'_>,
    ) {
        for (key, upper) in [
            ("maxLength", true),
            ("maximum", true),
            ("maxItems", true),
            ("minLength", false),
            ("minimum", false),
            ("minItems", false),
        ] {
            let (was, now) = (number(old.at.node, key), number(new.at.node, key));
            let narrowed = match (was, now) {
                (Some(was), Some(now)) => {
                    if upper {
                        now < was
                    } else {
                        now > was
                    }
                }
                (None, Some(_)) => true,
                _ => false,
            };
            if narrowed {
                let now = now.unwrap_or_default();
                self.change(
                    pair,
                    ChangeKind::NarrowedInput,
                    subject,
                    match was {
                        Some(was) => format!("{key} was {was}, is now {now}"),
                        None => format!("a new {key} of {now}"),
                    },
                    base,
                    Some(head),
                );
            }
        }
    }
}

/// What a schema allows, `allOf` merged.
struct Shape<'c> {
    at: At<'c>,
    /// `type` (with `null` for `nullable: true`); `None` when any type is allowed.
    types: Option<BTreeSet<String>>,
    /// Whether it is a `oneOf`/`anyOf` (whose type is in its branches).
    any_of: bool,
    format: Option<&'c str>,
    values_allowed: Option<BTreeSet<String>>,
    properties: BTreeMap<String, At<'c>>,
    required: BTreeSet<String>,
    items: Option<At<'c>>,
    values: Option<At<'c>>,
}

impl<'c> Shape<'c> {
    fn of(contract: &'c Contract, at: At<'c>) -> Self {
        let mut shape = Shape {
            at,
            types: None,
            any_of: false,
            format: None,
            values_allowed: None,
            properties: BTreeMap::new(),
            required: BTreeSet::new(),
            items: None,
            values: None,
        };
        shape.merge(contract, at, 0);
        shape
    }

    fn merge(&mut self, contract: &'c Contract, at: At<'c>, depth: usize) {
        let node = at.node;
        if let Some(types) = types_of(node) {
            self.types = Some(match self.types.take() {
                Some(had) => had.intersection(&types).cloned().collect(),
                None => types,
            });
        }
        self.any_of |= node.get("oneOf").is_some() || node.get("anyOf").is_some();
        if let Some(format) = node.get("format").and_then(Node::as_str) {
            self.format = Some(format);
        }
        if let Some(values) = node.get("enum") {
            self.values_allowed = Some(
                values
                    .items()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect(),
            );
        }
        if let Some(properties) = node.get("properties") {
            for (key, value) in properties.entries() {
                self.properties.insert(
                    key.text.clone(),
                    At {
                        file: at.file,
                        node: value,
                    },
                );
            }
        }
        if let Some(required) = node.get("required") {
            self.required
                .extend(required.items().iter().filter_map(Node::scalar_text));
        }
        if let Some(items) = node.get("items")
            && matches!(items.value, Value::Map(_))
        {
            self.items = Some(At {
                file: at.file,
                node: items,
            });
        }
        if let Some(values) = node.get("additionalProperties")
            && matches!(values.value, Value::Map(_))
        {
            self.values = Some(At {
                file: at.file,
                node: values,
            });
        }
        if depth < MAX_DEPTH
            && let Some(all) = node.get("allOf")
        {
            for part in all.items() {
                if let Some(part) = contract.resolve(at.file, part, 0) {
                    self.merge(contract, part, depth + 1);
                }
            }
        }
    }
}

fn types_of(node: &Node) -> Option<BTreeSet<String>> {
    let mut types: BTreeSet<String> = match node.get("type") {
        Some(t) => match &t.value {
            Value::Seq(items) => items.iter().filter_map(Node::scalar_text).collect(),
            _ => t.scalar_text().into_iter().collect(),
        },
        None => return None,
    };
    if matches!(
        node.get("nullable").map(|n| &n.value),
        Some(Value::Bool(true))
    ) || matches!(
        node.get("x-nullable").map(|n| &n.value),
        Some(Value::Bool(true))
    ) {
        types.insert("null".into());
    }
    Some(types)
}

/// Whether a format change from `was` to `now` refuses no value a client sends: `int32` to
/// `int64`, `float` to `double`, and `int64` or `double` written on a number that had no format
/// (a JSON number beyond them does not survive a parser anyway; found on GitHub's contract,
/// which added `int64` to hundreds of ids).
fn widening(was: Option<&str>, now: &str) -> bool {
    matches!(
        (was, now),
        (Some("int32"), "int64") | (Some("float"), "double") | (None, "int64" | "double")
    )
}

fn number(node: &Node, key: &str) -> Option<f64> {
    match node.get(key)?.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

fn property_flag(contract: &Contract, at: At<'_>, flag: &str) -> bool {
    contract
        .resolve(at.file, at.node, 0)
        .is_some_and(|at| matches!(at.node.get(flag).map(|n| &n.value), Some(Value::Bool(true))))
}

fn list(values: &BTreeSet<String>) -> String {
    list_of(&values.iter().collect::<Vec<_>>())
}

fn list_of(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One parameter, `$ref` followed.
struct Parameter<'c> {
    name: String,
    place: String,
    required: bool,
    at: At<'c>,
    /// Its schema (OpenAPI 3) or the parameter itself (Swagger 2 keeps `type` on it).
    schema: Option<At<'c>>,
}

/// The parameters of an operation by where they go and their name, a path parameter by its
/// position in the template instead (renaming it breaks nobody).
fn parameters<'c>(
    contract: &'c Contract,
    operation: &Operation<'c>,
) -> BTreeMap<String, Parameter<'c>> {
    let mut found = BTreeMap::new();
    let positions: Vec<&str> = operation
        .path
        .split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name))
        .collect();
    let own = operation
        .at
        .node
        .get("parameters")
        .map(|p| {
            p.items()
                .iter()
                .map(|node| At {
                    file: operation.at.file,
                    node,
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for at in operation.shared.iter().chain(own.iter()) {
        let Some(at) = contract.resolve(at.file, at.node, 0) else {
            continue;
        };
        let (Some(name), Some(place)) = (
            at.node.get("name").and_then(Node::as_str),
            at.node.get("in").and_then(Node::as_str),
        ) else {
            continue;
        };
        let key = if place == "path" {
            match positions.iter().position(|p| *p == name) {
                Some(index) => format!("path:{index}"),
                None => format!("path:{name}"),
            }
        } else if place == "header" {
            format!("header:{}", name.to_ascii_lowercase())
        } else {
            format!("{place}:{name}")
        };
        let schema = match at.node.get("schema") {
            Some(schema) if place != "body" => Some(At {
                file: at.file,
                node: schema,
            }),
            Some(_) => None,
            None => at.node.get("type").map(|_| at),
        };
        found.insert(
            key,
            Parameter {
                name: name.to_owned(),
                place: place.to_owned(),
                required: place == "path"
                    || matches!(
                        at.node.get("required").map(|n| &n.value),
                        Some(Value::Bool(true))
                    ),
                at,
                schema,
            },
        );
    }
    found
}

/// A request body or response: its media types and their schemas.
struct Body<'c> {
    at: At<'c>,
    required: bool,
    media: BTreeMap<String, Option<At<'c>>>,
}

fn request_body<'c>(contract: &'c Contract, operation: &Operation<'c>) -> Option<Body<'c>> {
    if let Some(body) = operation.at.node.get("requestBody") {
        let at = contract.resolve(operation.at.file, body, 0)?;
        return Some(Body {
            at,
            required: matches!(
                at.node.get("required").map(|n| &n.value),
                Some(Value::Bool(true))
            ),
            media: media(at),
        });
    }
    // Swagger 2.0: the `in: body` parameter.
    let parameters = parameters(contract, operation);
    let body = parameters.values().find(|p| p.place == "body")?;
    let schema = body.at.node.get("schema").map(|node| At {
        file: body.at.file,
        node,
    });
    Some(Body {
        at: body.at,
        required: body.required,
        media: BTreeMap::from([("application/json".to_owned(), schema)]),
    })
}

fn responses<'c>(contract: &'c Contract, operation: &Operation<'c>) -> BTreeMap<String, Body<'c>> {
    let mut found = BTreeMap::new();
    let Some(responses) = operation.at.node.get("responses") else {
        return found;
    };
    for (status, response) in responses.entries() {
        let Some(at) = contract.resolve(operation.at.file, response, 0) else {
            continue;
        };
        let media = if at.node.get("content").is_some() {
            media(at)
        } else {
            // Swagger 2.0 keeps one schema on the response.
            at.node
                .get("schema")
                .map(|node| {
                    BTreeMap::from([(
                        "application/json".to_owned(),
                        Some(At {
                            file: at.file,
                            node,
                        }),
                    )])
                })
                .unwrap_or_default()
        };
        found.insert(
            status.text.to_ascii_uppercase(),
            Body {
                at,
                required: true,
                media,
            },
        );
    }
    found
}

fn media(at: At<'_>) -> BTreeMap<String, Option<At<'_>>> {
    at.node
        .get("content")
        .map(|content| {
            content
                .entries()
                .iter()
                .map(|(media, value)| {
                    (
                        media.text.to_ascii_lowercase(),
                        value.get("schema").map(|node| At {
                            file: at.file,
                            node,
                        }),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One way to authenticate: schemes and the scopes each needs.
type Requirement = BTreeMap<String, BTreeSet<String>>;

/// The requirements an operation declares (its own, else the document's); no declaration
/// means anyone may call it.
fn security<'c>(contract: &'c Contract, operation: &Operation<'c>) -> (Vec<Requirement>, At<'c>) {
    let (node, at) = match operation.at.node.get("security") {
        Some(node) => (Some(node), operation.at),
        None => match contract.document().and_then(|d| d.get("security")) {
            Some(node) => (
                Some(node),
                At {
                    file: &contract.root,
                    node,
                },
            ),
            None => (None, operation.at),
        },
    };
    let requirements: Vec<Requirement> = match node {
        Some(node) => node
            .items()
            .iter()
            .map(|alternative| {
                alternative
                    .entries()
                    .iter()
                    .map(|(scheme, scopes)| {
                        (
                            scheme.text.clone(),
                            scopes
                                .items()
                                .iter()
                                .filter_map(Node::scalar_text)
                                .collect(),
                        )
                    })
                    .collect()
            })
            .collect(),
        None => Vec::new(),
    };
    let at = At {
        file: at.file,
        node: node.unwrap_or(at.node),
    };
    // `security: []` and no security at all both let anyone call.
    if requirements.is_empty() {
        return (vec![Requirement::new()], at);
    }
    (requirements, at)
}

fn describe(requirement: &Requirement) -> String {
    requirement
        .iter()
        .map(|(scheme, scopes)| {
            if scopes.is_empty() {
                scheme.clone()
            } else {
                format!(
                    "{scheme} ({})",
                    scopes.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// `/items/{id}/parts/{part}` as `/items/{}/parts/{}`: a renamed path parameter is the same
/// path to a client.
fn normalise(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                out.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if in_parameter => {}
            _ => out.push(c),
        }
    }
    let trimmed = out.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Files named by `$ref`s under `node` of the document `file`, joined to its directory.
fn external_files(file: &str, node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                // Examples are data: a `$ref` inside one names nothing.
                if key.text == "example" || key.text == "examples" {
                    continue;
                }
                if key.text == "$ref"
                    && let Some(reference) = value.as_str()
                {
                    let target = reference.split('#').next().unwrap_or_default();
                    if !target.is_empty()
                        && !target.contains("://")
                        && let Some(path) = join(file, target)
                    {
                        out.push(path);
                    }
                } else {
                    external_files(file, value, out);
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                external_files(file, item, out);
            }
        }
        _ => {}
    }
}

/// `target` read from the directory of `file`; `None` when it climbs out of the repository.
fn join(file: &str, target: &str) -> Option<String> {
    let dir = file.rsplit_once('/').map_or("", |(dir, _)| dir);
    crate::yaml::join_relative(dir, target)
}
