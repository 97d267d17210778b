//! R6 integration integrity.

pub(crate) mod mocks_production;
