pub(crate) mod runbooks;
