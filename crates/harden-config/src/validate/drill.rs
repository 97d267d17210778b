//! `[[drill]]`: commands that prove a checklist item, run by `harden drill run`.

use super::{Checker, Drill, Duration, GateMeta, HashMap, Item, Preflight, keys};

/// Whether a gate is one of the checklist gates a drill can prove: they alone take `review`.
fn provable(meta: &GateMeta) -> bool {
    meta.options.iter().any(|option| option.key == "review")
}

impl Checker<'_> {
    pub(crate) fn drills(&mut self, item: &Item, catalogue: &[&'static GateMeta]) -> Vec<Drill> {
        let mut out = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (table, span) in self.tables(item, "drill") {
            let section = self.section_of(table, span, "drill", keys::DRILL);
            let name = self.string(&section, "name");
            let proves = self.string(&section, "proves");
            if let Some(named) = &proves {
                let wanted = named.trim();
                let known = catalogue.iter().any(|meta| {
                    provable(meta)
                        && (meta.id.as_str().eq_ignore_ascii_case(wanted)
                            || meta.title.eq_ignore_ascii_case(wanted))
                });
                if !known {
                    let gates: Vec<&str> = catalogue
                        .iter()
                        .filter(|meta| provable(meta))
                        .map(|meta| meta.id.as_str())
                        .collect();
                    let span = section.table.get("proves").and_then(Item::span);
                    self.error(
                        span,
                        format!("`{named}` is no drillable or attested checklist item"),
                        Some(format!(
                            "a checklist gate ({}) or its item's text",
                            gates.join(", ")
                        )),
                    );
                }
            }
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
