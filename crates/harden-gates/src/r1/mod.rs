pub(crate) mod network_exposure;
