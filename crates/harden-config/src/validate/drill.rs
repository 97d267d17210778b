//! `[[drill]]`: commands that prove a checklist item, run by `harden drill run`.

use super::{Checker, Drill, Duration, HashMap, Item, Preflight, keys};

impl Checker<'_> {
    pub(crate) fn drills(&mut self, item: &Item) -> Vec<Drill> {
        let mut out = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (table, span) in self.tables(item, "drill") {
            let section = self.section_of(table, span, "drill", keys::DRILL);
            let name = self.string(&section, "name");
            let proves = self.string(&section, "proves");
            let run = self.string(&section, "run");
            let timeout = self
                .duration(&section, "timeout")
                .unwrap_or(Duration::from_mins(30));
            let cwd = self.repo_path(&section, "cwd");
            let expect_output = self.string(&section, "expect-output");
            let owner = self.string(&section, "owner");
            let every = self.duration(&section, "every");
            self.unique_name(&section, "drill", name.as_ref(), &mut seen);
            if let (Some(name), Some(proves), Some(run)) = (name, proves, run) {
                out.push(Drill {
                    command: Preflight {
                        name: name.clone(),
                        run,
                        timeout,
                        cwd,
                    },
                    name,
                    proves,
                    expect_output,
                    owner,
                    every,
                });
            }
        }
        out
    }
}
