//! NuGet: `packages.lock.json`, and the package references of project files.
//!
//! NuGet writes `packages.lock.json` beside a project when the project (or a
//! `Directory.Build.props` above it) sets `RestorePackagesWithLockFile`: under `dependencies`, one
//! object per target framework (`net8.0`), each package by id with its `type` (`Direct`,
//! `Transitive`, `CentralTransitive`, or `Project` for a project reference), the `resolved`
//! version and the `contentHash` (base64 of the package's SHA-512). A package resolved for
//! several frameworks is one entry here.

use std::collections::HashSet;

use super::json_keys::json_key_spans;
use super::{Dependency, Ecosystem, Problem, Requirement, RequirementKind, line_span, unparsable};

/// Every package the lockfile pins, once per id and version (located where the first target
/// framework in name order lists it).
pub fn nuget_lock(path: &str, text: &str) -> Result<Vec<Dependency>, Box<Problem>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Box::new(unparsable(path, text, None, format!("not JSON: {e}"))))?;
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
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut out = Vec::new();
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
            if !seen.insert(key) {
                // Direct for one framework and transitive for another is direct.
                if direct
                    && let Some(earlier) = out.iter_mut().find(|d: &&mut Dependency| {
                        d.name.eq_ignore_ascii_case(id) && d.version == version
                    })
                {
                    earlier.direct = true;
                }
                continue;
            }
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

/// The packages a project file references: each `<PackageReference Include="Id" ...>`, with its
/// `Version` attribute where it has one (central package management sets versions elsewhere).
/// Read with a search for the element, not an XML parser: the check needs only the two
/// attributes, and a project file that does not parse is the build's error to report.
pub fn project_package_references(path: &str, text: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let Some(at) = line.find("<PackageReference") else {
            continue;
        };
        let element = &line[at..];
        let attribute = |name: &str| {
            let start = element.find(&format!("{name}=\""))? + name.len() + 2;
            let end = element[start..].find('"')? + start;
            Some(element[start..end].to_owned())
        };
        let Some(id) = attribute("Include").or_else(|| attribute("Update")) else {
            continue;
        };
        out.push(Requirement {
            name: id,
            requirement: attribute("Version").unwrap_or_default(),
            kind: RequirementKind::Registry,
            path: path.to_owned(),
            span: line_span(index, line),
        });
    }
    out
}

/// Whether a project file (`*.csproj`, `*.fsproj`, `*.vbproj`) asks for NuGet packages.
pub fn project_references_packages(text: &str) -> bool {
    text.contains("<PackageReference")
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
            ]
        );
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
    }
}
