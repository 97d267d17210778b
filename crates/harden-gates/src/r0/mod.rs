pub(crate) mod scope_declared;
