//! Span-keeping models of the files gates judge. Parsers here never panic on any input: malformed
//! files come back as errors with a line and column, which gates report as findings.

pub mod bicep;
pub mod dockerfile;
pub mod lockfiles;
pub mod migrations;
pub mod openapi;
pub mod openapi_diff;
pub mod pipeline;
pub mod terraform;
mod xml;
pub mod yaml;
