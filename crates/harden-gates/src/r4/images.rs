//! Container images referenced by the repository: Dockerfiles, compose files, Kubernetes
//! manifests and CI job containers, each with its location.

use harden_engine::{GateCx, GateError, GateOutput};
use harden_formats::dockerfile::{self, Dockerfile};
use harden_formats::yaml::{Node, Value};
use harden_model::{LineCol, Location, Redacted, Span};

/// Files of tests, documentation, vendored or generated code: counted, not judged.
pub(crate) const NOT_JUDGED: &str =
    "files in tests, docs, development environments, vendored or generated code (not judged)";

use crate::classify::{is_compose, is_dockerfile};

fn is_yaml(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e == "yml" || e == "yaml")
}

/// A Dockerfile and its source.
pub(crate) struct DockerSource {
    pub(crate) path: String,
    pub(crate) text: String,
    pub(crate) lines: harden_model::LineIndex,
    pub(crate) file: Dockerfile,
}

/// Every Dockerfile of the repository.
pub(crate) fn dockerfiles(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
) -> Result<Vec<DockerSource>, GateError> {
    let mut found = Vec::new();
    // Extra globs from the gate's `dockerfiles` option; a glob that does not compile is a
    // config error, not an empty match.
    let extra = match cx.option("dockerfiles") {
        Some(harden_config::OptionValue::StringList(globs)) => {
            let mut set = globset::GlobSetBuilder::new();
            for glob in globs {
                let compiled = globset::GlobBuilder::new(glob)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| GateError::Failed {
                        message: format!("option `dockerfiles`: {e}"),
                        location: None,
                    })?;
                set.add(compiled);
            }
            set.build().map_err(|e| GateError::Failed {
                message: format!("option `dockerfiles`: {e}"),
                location: None,
            })?
        }
        _ => globset::GlobSet::empty(),
    };
    for path in cx
        .repo()
        .files()?
        .iter()
        .filter(|p| is_dockerfile(p) || extra.is_match(p.as_str()))
    {
        if !crate::paths::deployed(path) && !extra.is_match(path.as_str()) {
            out.add(NOT_JUDGED, 1);
            continue;
        }
        let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
            continue;
        };
        let text = harden_engine::lossy_text(&bytes).into_owned();
        out.examined("dockerfiles", 1);
        let file = dockerfile::parse(&text);
        found.push(DockerSource {
            path: path.clone(),
            lines: harden_model::LineIndex::new(&text),
            text,
            file,
        });
    }
    Ok(found)
}

/// One image reference and where it is.
pub(crate) struct ImageRef {
    pub(crate) reference: String,
    pub(crate) location: Location,
}

fn snippet(text: &str, line: u32) -> Option<Redacted> {
    text.lines()
        .nth(line.saturating_sub(1) as usize)
        .map(|l| crate::support::shown(l.trim()))
}

fn yaml_images(node: &Node, path: &str, text: &str, logical: &str, out: &mut Vec<ImageRef>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                let here = if logical.is_empty() {
                    key.text.clone()
                } else {
                    format!("{logical}.{}", key.text)
                };
                // A compose service with `build:` names the image it builds here; nothing
                // is pulled by that name.
                let built_here = entries.iter().any(|(k, _)| k.text == "build");
                if key.text == "image"
                    && !built_here
                    && let Some(reference) = value.as_str()
                {
                    out.push(ImageRef {
                        reference: reference.to_owned(),
                        location: Location::File {
                            path: path.to_owned(),
                            span: Some(value.span),
                            snippet: snippet(text, value.span.start.line),
                            logical: Some(here),
                        },
                    });
                } else {
                    yaml_images(value, path, text, &here, out);
                }
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                yaml_images(item, path, text, &format!("{logical}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Every image reference outside Dockerfiles: compose services, Kubernetes objects (documents
/// with `apiVersion` and `kind`) and CI job containers.
pub(crate) fn yaml_references(
    cx: &GateCx<'_>,
    out: &mut GateOutput,
) -> Result<Vec<ImageRef>, GateError> {
    let mut refs = Vec::new();
    for path in cx
        .repo()
        .files()?
        .iter()
        .filter(|p| is_yaml(p) && harden_formats::pipeline::kind_of(p).is_none())
    {
        let Some(bytes) = crate::support::read_parsed_into(cx, out, path)? else {
            continue;
        };
        let text = harden_engine::lossy_text(&bytes).into_owned();
        let compose = is_compose(path);
        let maybe_kubernetes = text.contains("apiVersion") && text.contains("kind");
        if !compose && !maybe_kubernetes {
            continue;
        }
        if !crate::paths::deployed(path) {
            out.add(NOT_JUDGED, 1);
            continue;
        }
        // Templated manifests (Helm, Kustomize patches) that are not YAML yet are not judged here.
        let parsed = crate::support::yaml_documents(cx.cache(), path, &text);
        let Ok(documents) = &*parsed else {
            continue;
        };
        for document in documents {
            let kubernetes = document.get("apiVersion").is_some() && document.get("kind").is_some();
            if compose {
                if let Some(services) = document.get("services") {
                    out.examined("compose files", 1);
                    yaml_images(services, path, &text, "services", &mut refs);
                }
            } else if kubernetes {
                out.examined("kubernetes objects", 1);
                yaml_images(document, path, &text, "", &mut refs);
            }
        }
    }
    Ok(refs)
}

/// The `FROM` images of every Dockerfile, skipping references to earlier stages and `scratch`.
pub(crate) fn dockerfile_references(sources: &[DockerSource]) -> Vec<ImageRef> {
    let mut refs = Vec::new();
    for source in sources {
        let mut stage_names: Vec<&str> = Vec::new();
        for stage in &source.file.stages {
            let image = source.file.resolved_image(stage);
            let lowered = image.to_lowercase();
            if lowered != "scratch" && !stage_names.contains(&lowered.as_str()) {
                let line = stage.from.span.start.line;
                let column = source
                    .text
                    .lines()
                    .nth(line as usize - 1)
                    .and_then(|l| l.find(&stage.image))
                    .map_or(stage.from.arguments_column, |b| {
                        u32::try_from(b).unwrap_or(0) + 1
                    });
                let at = LineCol { line, column };
                refs.push(ImageRef {
                    reference: image,
                    location: Location::File {
                        path: source.path.clone(),
                        span: Some(Span {
                            start: at,
                            end: LineCol {
                                line,
                                column: column
                                    + u32::try_from(stage.image.chars().count()).unwrap_or(0),
                            },
                        }),
                        snippet: snippet(&source.text, line),
                        logical: Some(format!("FROM {}", stage.image)),
                    },
                });
            }
            if let Some(name) = &stage.name {
                stage_names.push(name.as_str());
            }
        }
    }
    refs
}
