//! `[[preflight]]`: commands `readiness --checks` and `smoke record --checks` run.

use super::{Checker, Duration, HashMap, Item, Preflight, keys};

impl Checker<'_> {
    pub(crate) fn preflight(&mut self, item: &Item) -> Vec<Preflight> {
        let mut out = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (table, span) in self.tables(item, "preflight") {
            let section = self.section_of(table, span, "preflight", keys::PREFLIGHT);
            let name = self.string(&section, "name");
            let run = self.string(&section, "run");
            let timeout = self
                .duration(&section, "timeout")
                .unwrap_or(Duration::from_mins(10));
            let cwd = self.repo_path(&section, "cwd");
            self.unique_name(&section, "preflight", name.as_ref(), &mut seen);
            if let (Some(name), Some(run)) = (name, run) {
                out.push(Preflight {
                    name,
                    run,
                    timeout,
                    cwd,
                });
            }
        }
        out
    }
}
