//! Every harden gate, one module per gate under `r0/` … `r7/`, and [`registry`], the one list
//! of them in report order.

mod catalogue;
mod r0;
mod r2;
mod r3;
mod r4;
mod r7;
mod registry;
mod support;

pub use catalogue::catalogue_markdown;
pub use registry::registry;
