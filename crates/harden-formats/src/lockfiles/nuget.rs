//! NuGet: `packages.lock.json`, and the package references of project files.
//!
//! NuGet writes `packages.lock.json` beside a project when the project (or a
//! `Directory.Build.props` above it) sets `RestorePackagesWithLockFile`: under `dependencies`, one
//! object per target framework (`net8.0`), each package by id with its `type` (`Direct`,
//! `Transitive`, `CentralTransitive`, or `Project` for a project reference), the `resolved`
//! version and the `contentHash` (base64 of the package's SHA-512). A package resolved for
//! several frameworks is one entry here.

use std::collections::HashMap;

use super::json_keys::json_key_spans;
use super::{Dependency, Ecosystem, Problem, Requirement, RequirementKind, not_json, unparsable};

/// Every package the lockfile pins, once per id and version (located where the first target
/// framework in name order lists it).
pub fn nuget_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| not_json(path, &e))?;
    let Some(frameworks) = value
        .get("dependencies")
        .and_then(serde_json::Value::as_object)
    else {
        return Err(Box::new(unparsable(
            path,
            text,
            None,
            "no `dependencies` object: not a NuGet packages.lock.json",
        )));
    };
    let spans = json_key_spans(text, |parent| {
        parent.len() == 2 && parent[0] == "dependencies"
    });
    // Each id and version once, with where it was put: a lockfile may repeat thousands of ids
    // for each of its frameworks.
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut out: Vec<Dependency> = Vec::new();
    for (framework, packages) in frameworks {
        let Some(packages) = packages.as_object() else {
            continue;
        };
        for (id, entry) in packages {
            let field = |key: &str| entry.get(key).and_then(serde_json::Value::as_str);
            // A project reference is the repository's own code, not a package.
            if field("type") == Some("Project") {
                continue;
            }
            let Some(version) = field("resolved") else {
                continue;
            };
            let direct = field("type") == Some("Direct");
            let key = (id.to_ascii_lowercase(), version.to_owned());
            if let Some(&earlier) = seen.get(&key) {
                // Direct for one framework and transitive for another is direct.
                out[earlier].direct |= direct;
                continue;
            }
            seen.insert(key, out.len());
            out.push(Dependency {
                ecosystem: Ecosystem::NuGet,
                name: id.clone(),
                version: version.to_owned(),
                direct,
                source: None,
                // The content hash is the SHA-512 of the .nupkg, base64: written as subresource
                // integrity, which the SBOM reads.
                integrity: field("contentHash").map(|h| format!("sha512-{h}")),
                path: path.to_owned(),
                span: spans
                    .get(["dependencies", framework.as_str(), id.as_str()].as_slice())
                    .copied()
                    .unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// The packages a project file references: each `<PackageReference Include="Id" ...>` (over
/// several lines or one, comments skipped), with its `Version` attribute where it has one
/// (central package management sets versions elsewhere). `Update` items change a reference made
/// elsewhere and add none; an id built from MSBuild properties or items (`$(Name)`, `@(Items)`)
/// cannot be read. A project file that is not well-formed XML yields what was read before the
/// error: the build reports it.
pub fn project_package_references(path: &str, text: &str) -> Vec<Requirement> {
    let lines = harden_model::LineIndex::new(text);
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let element = match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => e,
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        if element.local_name().as_ref() != b"PackageReference" {
            continue;
        }
        let attribute = |name: &str| crate::xml::attribute(&element, name);
        let Some(id) = attribute("Include").filter(|id| !id.contains("$(") && !id.contains("@("))
        else {
            continue;
        };
        let start = at.min(text.len());
        // The element's first line: where `<PackageReference` opens.
        let opens = text
            .get(start..)
            .and_then(|rest| rest.find('<'))
            .map_or(start, |offset| start + offset);
        let position = lines.line_col(text, opens);
        out.push(Requirement {
            name: id,
            requirement: attribute("Version").unwrap_or_default(),
            kind: RequirementKind::Registry,
            path: path.to_owned(),
            span: harden_model::Span {
                start: position,
                end: position,
            },
        });
    }
    out
}

/// Whether a project file asks for NuGet packages: a `<PackageReference Include=...>` outside
/// comments.
pub fn project_references_packages(text: &str) -> bool {
    text.contains("<PackageReference") && !project_package_references("", text).is_empty()
}

/// The lockfile names NuGet may write for a project file: `packages.lock.json`, or
/// `packages.<project>.lock.json` where several projects share a directory.
pub fn nuget_lockfile_names(project_file: &str) -> [String; 2] {
    let stem = std::path::Path::new(project_file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    [
        "packages.lock.json".to_owned(),
        format!("packages.{stem}.lock.json"),
    ]
}

/// Whether `name` is a NuGet lockfile (`packages.lock.json`, `packages.<project>.lock.json`).
pub fn is_nuget_lockfile(name: &str) -> bool {
    name == "packages.lock.json"
        || (name.starts_with("packages.") && name.ends_with(".lock.json") && name.len() > 19)
}

/// Whether `name` is a .NET project file.
pub fn is_dotnet_project(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            ["csproj", "fsproj", "vbproj"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
  "version": 1,
  "dependencies": {
    "net8.0": {
      "Serilog": {
        "type": "Direct",
        "requested": "[3.1.1, )",
        "resolved": "3.1.1",
        "contentHash": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
      },
      "System.Text.Json": {
        "type": "Transitive",
        "resolved": "8.0.0",
        "contentHash": "abc="
      },
      "Acme.Billing": {
        "type": "Project",
        "dependencies": { "Serilog": "[3.1.1, )" }
      }
    },
    "net6.0": {
      "Serilog": {
        "type": "Direct",
        "requested": "[3.1.1, )",
        "resolved": "3.1.1",
        "contentHash": "AAEC"
      },
      "System.Text.Json": {
        "type": "CentralTransitive",
        "requested": "[8.0.0, )",
        "resolved": "8.0.0"
      }
    }
  }
}"#;

    #[test]
    fn packages_are_listed_once_with_their_hash_and_project_references_left_out() {
        let packages = nuget_lock("src/Api/packages.lock.json", LOCK).unwrap();
        let listed: Vec<(&str, &str, bool)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            listed,
            [
                ("Serilog", "3.1.1", true),
                ("System.Text.Json", "8.0.0", false)
            ]
        );
        assert!(packages.iter().all(|p| p.ecosystem == Ecosystem::NuGet));
        assert!(
            packages[0]
                .integrity
                .as_deref()
                .unwrap()
                .starts_with("sha512-AAEC")
        );
        // net6.0 sorts before net8.0.
        assert_eq!(packages[0].span.start.line, 22);
        assert_eq!(packages[1].span.start.line, 28);
    }

    #[test]
    fn a_file_that_is_no_lockfile_is_located() {
        assert!(nuget_lock("packages.lock.json", "{ \"version\": 1 }").is_err());
        assert!(nuget_lock("packages.lock.json", "{ \"version\": ").is_err());
    }

    #[test]
    fn package_references_are_read_with_their_versions() {
        let project = r#"<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <PackageReference Include="Serilog" Version="3.1.1" />
    <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" />
    <!-- <PackageReference Include="Old.Logging" Version="1.0.0" /> -->
    <PackageReference
        Include="Demo.Multiline"
        Version="2.0.0" />
    <PackageReference Update="@(PackageReference)" PrivateAssets="all" />
    <PackageReference Include="$(GeneratorPackage)" />
    <ProjectReference Include="..\Core\Core.csproj" />
  </ItemGroup>
</Project>"#;
        let references: Vec<(String, String, u32)> =
            project_package_references("Api.csproj", project)
                .into_iter()
                .map(|r| (r.name, r.requirement, r.span.start.line))
                .collect();
        assert_eq!(
            references,
            [
                ("Serilog".into(), "3.1.1".into(), 3),
                (
                    "Npgsql.EntityFrameworkCore.PostgreSQL".into(),
                    String::new(),
                    4
                ),
                ("Demo.Multiline".into(), "2.0.0".into(), 6),
            ]
        );
    }

    #[test]
    fn lockfiles_are_named_for_their_project_or_not() {
        assert_eq!(
            nuget_lockfile_names("Orders.Api.csproj"),
            ["packages.lock.json", "packages.Orders.Api.lock.json"]
        );
        assert!(is_nuget_lockfile("packages.lock.json"));
        assert!(is_nuget_lockfile("packages.Orders.Api.lock.json"));
        assert!(!is_nuget_lockfile("packages..lock.json"));
        assert!(!is_nuget_lockfile("package-lock.json"));
    }

    #[test]
    fn project_files_are_known_by_extension_and_package_references() {
        assert!(is_dotnet_project("Api.csproj"));
        assert!(is_dotnet_project("Tool.FSPROJ"));
        assert!(!is_dotnet_project("Api.sln"));
        assert!(project_references_packages(
            "<ItemGroup><PackageReference Include=\"Serilog\" /></ItemGroup>"
        ));
        assert!(!project_references_packages(
            "<ItemGroup><ProjectReference Include=\"..\\Core\\Core.csproj\" /></ItemGroup>"
        ));
        assert!(!project_references_packages(
            "<ItemGroup><!-- <PackageReference Include=\"Old\" /> --></ItemGroup>"
        ));
    }
}
