pub(crate) mod ledger_intact;
