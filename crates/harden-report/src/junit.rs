use std::fmt::Write as _;
use std::time::Duration;

use harden_model::{Outcome, Round, RunReport};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

pub(crate) fn render(report: &RunReport) -> String {
    let mut junit = Report::new("harden");
    junit.set_time(Duration::from_millis(report.duration_ms()));
    for round in Round::ALL {
        let gates: Vec<_> = report.gates.iter().filter(|g| g.round == round).collect();
        if gates.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(format!("{} {}", round.code(), round.name()));
        for gate in gates {
            let status = match gate.outcome {
                Outcome::Pass | Outcome::Waived => TestCaseStatus::success(),
                Outcome::Skipped => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(gate.reason.clone().unwrap_or_default());
                    status
                }
                Outcome::Fail => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(gate.summary.clone());
                    status.set_type(gate.severity.as_str());
                    let mut description = String::new();
                    if let Some(reason) = &gate.reason {
                        let _ = writeln!(description, "{reason}");
                    }
                    for finding in gate.open_findings() {
                        let _ = writeln!(
                            description,
                            "{}: {}",
                            finding.location.short(),
                            finding.message
                        );
                    }
                    status.set_description(description);
                    status
                }
            };
            let mut case = TestCase::new(gate.id.as_str(), status);
            case.set_classname(format!("harden.{}", round.code()));
            case.set_time(Duration::from_millis(gate.duration_ms));
            if gate.outcome == Outcome::Waived {
                case.set_system_out(gate.summary.clone());
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if !report.waivers.is_empty() {
        // Every report lists the waivers: here as properties of a suite without test cases.
        let mut suite = TestSuite::new("harden waivers");
        for waiver in &report.waivers {
            let w = &waiver.waiver;
            suite.add_property(Property::new(
                format!("waiver.{}", w.id),
                format!(
                    "gate={} state={} expires={} owner={} matched={} reason={}",
                    w.gate,
                    crate::waiver_state_name(waiver.state),
                    w.expires,
                    w.owner,
                    waiver.matched,
                    w.reason
                ),
            ));
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().unwrap_or_default()
}
