//! The gate engine: the [`Gate`] trait, the ports gates read the world through, the [`Registry`]
//! type, and the runner that turns what gates record into outcomes.
//!
//! Gates only collect: findings, evidence, or a reason to skip. The engine decides the outcome
//! (pass, fail, waived, skipped), applies waivers after each gate returns, and computes the exit
//! code. Gates never see waivers, never print and never choose an exit code.

mod cache;
mod gate;
mod inline;
mod ports;
mod runner;
mod text;
mod waivers;

pub use cache::{CACHED_BYTES_BUDGET, CACHED_FILE_BYTES, RunCache};
pub use gate::{Gate, GateCx, GateError, GateOutput, Registry};
pub use ports::{
    AdvisoryDb, AdvisoryDbStatus, BlobOrigin, BlobWalk, Bounded, Clock, CommitInfo, Environment,
    FixedClock, FixedEnvironment, Forgery, History, HttpError, HttpRequest, HttpResponse,
    IdentityInfo, LedgerCheck, LedgerHealth, LedgerRecord, PortError, Ports, RepoView, Service,
    TlsFacts, glob_set,
};
pub use runner::{
    Progress, RunContext, RunOptions, SERVICE_GATE_TIME, Step, exit_code, run, selects,
    service_deadline, service_gate, today,
};
pub use text::lossy_text;
pub use waivers::apply_waivers;
