//! `harden scaffold`: documents with placeholders that keep their gate failing until filled.

use crate::{CONFIG, harden, stderr, stdout};

#[test]
fn scaffolded_runbooks_fail_until_every_placeholder_is_filled() {
    let repo = harden_test::TestRepo::new();
    repo.write("harden.toml", CONFIG)
        .write(".gitignore", ".harden/\n");
    repo.commit("start", "2026-11-20T09:00:00Z");
    let scaffold = harden(repo.path())
        .args(["scaffold", "runbooks"])
        .output()
        .unwrap();
    assert_eq!(scaffold.status.code(), Some(0), "{}", stderr(&scaffold));
    assert!(stdout(&scaffold).contains("wrote    sdlc/runbooks/on-call.md"));
    for name in [
        "disaster-recovery",
        "migration-recovery",
        "on-call",
        "database-issues",
        "high-traffic",
        "third-party-outage",
        "deployment-failure",
        "security-incident",
    ] {
        assert!(
            repo.path()
                .join(format!("sdlc/runbooks/{name}.md"))
                .is_file(),
            "{name}"
        );
    }
    repo.commit("scaffold", "2026-11-21T09:00:00Z");
    let scaffolded = harden(repo.path())
        .args(["check", "--only", "R7.runbooks", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(scaffolded.status.code(), Some(1), "{}", stdout(&scaffolded));
    let text = stdout(&scaffolded);
    assert!(
        text.contains("on-call playbook at sdlc/runbooks/on-call.md still has")
            && text.contains("placeholders to fill"),
        "{text}"
    );

    // Filled in, one document at a time: the gate passes only when none is left.
    for name in ["disaster-recovery", "migration-recovery"] {
        let path = repo.path().join(format!("sdlc/runbooks/{name}.md"));
        let filled = std::fs::read_to_string(&path)
            .unwrap()
            .replace("TODO(harden):", "Answered:");
        std::fs::write(&path, filled).unwrap();
    }
    repo.commit("two filled", "2026-11-22T09:00:00Z");
    let partly = harden(repo.path())
        .args(["check", "--only", "R7.runbooks", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(partly.status.code(), Some(1));
    assert!(stdout(&partly).contains("1 finding"), "{}", stdout(&partly));
    let path = repo.path().join("sdlc/runbooks/on-call.md");
    let filled = std::fs::read_to_string(&path)
        .unwrap()
        .replace("TODO(harden):", "Answered:");
    std::fs::write(&path, filled).unwrap();
    repo.commit("all filled", "2026-11-23T09:00:00Z");
    let done = harden(repo.path())
        .args(["check", "--only", "R7.runbooks", "--no-record"])
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", stdout(&done));

    // A second scaffold keeps what the team wrote; --force replaces it.
    let again = harden(repo.path())
        .args(["scaffold", "runbooks"])
        .output()
        .unwrap();
    assert!(stdout(&again).contains("kept     sdlc/runbooks/on-call.md"));
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("TODO(harden):")
    );
    harden(repo.path())
        .args(["scaffold", "runbooks", "--force"])
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("TODO(harden):")
    );
}

#[test]
fn every_kind_writes_its_documents_inside_the_repository_only() {
    let repo = harden_test::TestRepo::new();
    for (kind, file) in [
        ("incident-response", "sdlc/incident-response.md"),
        ("observability", "sdlc/observability.md"),
        ("security-audit", "sdlc/security-audit.md"),
    ] {
        harden(repo.path())
            .args(["scaffold", kind])
            .assert()
            .success();
        let text = std::fs::read_to_string(repo.path().join(file)).unwrap();
        assert!(text.contains("TODO(harden):"), "{kind}");
    }
    let incident = std::fs::read_to_string(repo.path().join("sdlc/incident-response.md")).unwrap();
    for needed in [
        "P0",
        "P1",
        "P2",
        "P3",
        "Escalation paths",
        "Communication templates",
        "Post-mortem template",
    ] {
        assert!(incident.contains(needed), "{needed}");
    }
    // A directory that leads outside the repository is refused, and nothing is written there.
    let outside = tempfile::tempdir().unwrap();
    let other = harden_test::TestRepo::new();
    std::os::unix::fs::symlink(outside.path(), other.path().join("sdlc")).unwrap();
    let refused = harden(other.path())
        .args(["scaffold", "observability"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    // An unknown kind is a usage error.
    let unknown = harden(repo.path())
        .args(["scaffold", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn a_plan_from_findings_completes_once_the_findings_are_fixed() {
    let repo = crate::ready_repo();
    // An image by tag: R4.pinning.images fails.
    repo.write("Dockerfile", "FROM alpine:3.20\nUSER 1000\n");
    repo.commit("image by tag", "2026-11-21T09:00:00Z");
    let check = harden(repo.path()).arg("check").output().unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("fail    R4.pinning.images"),
        "{}",
        stdout(&check)
    );

    let made = harden(repo.path())
        .args([
            "plan",
            "from-findings",
            "pin-images",
            "--gate",
            "R4.pinning.*",
        ])
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert!(
        stdout(&made).contains("1 action, one per failing gate (R4.pinning.images)"),
        "{}",
        stdout(&made)
    );
    let plan = std::fs::read_to_string(repo.path().join("docs/hardening/pin-images.toml")).unwrap();
    assert!(
        plan.contains("gates = [\"R4.pinning.images\"]") && plan.contains("[references]"),
        "{plan}"
    );
    assert!(
        plan.contains("objective = ") && plan.contains("risks = ") && plan.contains("scope = ")
    );
    // The plan is valid as written, and a second one of the same id is refused.
    let shown = harden(repo.path())
        .args(["plan", "show", "pin-images"])
        .output()
        .unwrap();
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let again = harden(repo.path())
        .args(["plan", "from-findings", "pin-images"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));

    // Not done while the finding stands.
    let verify = harden(repo.path())
        .args(["plan", "verify", "pin-images"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1), "{}", stdout(&verify));
    let refused = harden(repo.path())
        .args(["plan", "close", "pin-images", "--state", "completed"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));

    // Fixed: the image pinned by digest. The plan verifies and closes.
    repo.write(
        "Dockerfile",
        format!("FROM alpine:3.20@sha256:{}\nUSER 1000\n", "ab".repeat(32)),
    );
    repo.commit("pin the image", "2026-11-22T09:00:00Z");
    let verify = harden(repo.path())
        .args(["plan", "verify", "pin-images"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    let closed = harden(repo.path())
        .args(["plan", "close", "pin-images", "--state", "completed"])
        .output()
        .unwrap();
    assert_eq!(
        closed.status.code(),
        Some(0),
        "{}{}",
        stdout(&closed),
        stderr(&closed)
    );

    // No failing gate among those asked for: nothing to plan.
    harden(repo.path()).arg("check").output().unwrap();
    let nothing = harden(repo.path())
        .args(["plan", "from-findings", "nothing", "--gate", "R4.pinning.*"])
        .output()
        .unwrap();
    assert_eq!(nothing.status.code(), Some(0));
    assert!(stdout(&nothing).contains("nothing to plan"));
    assert!(!repo.path().join("docs/hardening/nothing.toml").exists());
}
