use harden_engine::{Clock, Environment};

/// The wall clock: the one place harden reads the time of day. Everything else receives it
/// through the engine's `Clock` port, so runs can be replayed in tests.
pub(crate) struct SystemClock;

impl SystemClock {
    /// Today's date in the system time zone.
    pub(crate) fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned(jiff::tz::TimeZone::system()).date()
    }
}

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // This is the Clock port's implementation.
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// The process environment: the one place harden reads environment variables for gates.
pub(crate) struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    #[allow(clippy::disallowed_methods)] // This is the Environment port's implementation.
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}
