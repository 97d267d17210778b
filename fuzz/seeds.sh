#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, not committed): the gate fixtures, plus
# deep-nesting and huge inputs for every parser (issue 20). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../crates/harden-gates/tests/fixtures
for target in yaml pipeline dockerfile lockfiles secrets config iac; do mkdir -p "corpus/$target"; done
find "$fixtures" -name '*.yml' -o -name '*.yaml' | while read -r f; do
  cp "$f" "corpus/yaml/$(sha1sum "$f" | cut -c1-16)"; cp "$f" "corpus/pipeline/$(sha1sum "$f" | cut -c1-16)"; done
find "$fixtures" -iname '*dockerfile*' -type f | while read -r f; do cp "$f" "corpus/dockerfile/$(sha1sum "$f" | cut -c1-16)"; done
find "$fixtures" \( -name 'Cargo.*' -o -name 'package*.json' -o -name '*.lock' -o -name 'go.*' -o -name 'requirements*.txt' -o -name 'pyproject.toml' -o -name 'pnpm-lock.yaml' \) -type f |
  while read -r f; do cp "$f" "corpus/lockfiles/$(sha1sum "$f" | cut -c1-16)"; done
find "$fixtures" -name 'harden.toml' -o -name 'case.toml' | while read -r f; do cp "$f" "corpus/config/$(sha1sum "$f" | cut -c1-16)"; done
find "$fixtures" \( -name '*.tf' -o -name '*.bicep' \) -type f | while read -r f; do cp "$f" "corpus/iac/$(sha1sum "$f" | cut -c1-16)"; done
python3 - <<'PY'
import os
def put(target, name, text):
    with open(os.path.join("corpus", target, name), "w") as f:
        f.write(text)
deep_block = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\nx:\n" + "- " * 5000 + "a\n"
deep_flow = "x: " + "[" * 5000 + "]" * 5000 + "\n"
deep_map = "x: " + "{k: " * 3000 + "v" + "}" * 3000 + "\n"
anchors = "a0: &a0 " + "[" * 200 + "1" + "]" * 200 + "\n" + "".join(f"a{i}: &a{i} [[*a{i-1}]]\n" for i in range(1, 6))
for target in ("yaml", "pipeline"):
    put(target, "deep-block", deep_block); put(target, "deep-flow", deep_flow)
    put(target, "deep-map", deep_map); put(target, "anchor-chain", anchors)
    put(target, "huge", "jobs:\n  a:\n    steps:\n" + "      - uses: actions/checkout@v4\n" * 60000)
put("lockfiles", "deep-json", '{"lockfileVersion":3,"packages":' + "[" * 5000 + "]" * 5000 + "}")
put("lockfiles", "deep-toml", "[package]\nname='x'\nz=" + "[" * 5000 + "]" * 5000 + "\n")
put("lockfiles", "huge-go-sum", "example.com/m v1.0.0 h1:" + "A" * 43 + "=\n" * 1 + "".join(f"example.com/m{i} v1.0.{i} h1:" + "B" * 43 + "=\n" for i in range(40000)))
put("dockerfile", "continuations", "FROM x\nRUN " + "\\\n" * 50000 + "echo\n")
put("dockerfile", "huge", "FROM alpine:3\n" + "RUN echo hi\n" * 100000)
put("config", "deep-array", "version = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n")
put("config", "deep-inline", "version = 1\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n")
put("config", "long-line", "version = 1\n[service]\nname = \"" + "x" * 200000 + "\", owner = 1\n")
put("config", "many-waivers", "version = 1\n" + "".join(f"[[waiver]]\ngate = \"R7.runbooks\"\npath = \"d/{i}/*\"\nreason = \"r\"\nowner = \"o\"\nreference = \"R-{i}\"\nexpires = 2027-01-01\n" for i in range(5000)))
put("iac", "deep-bicep", "resource a 'T@1' = " + "{a: " * 5000 + "1" + "}" * 5000 + "\n")
put("iac", "deep-bicep-array", "resource a 'T@1' = {\n  a: " + "[" * 5000 + "]" * 5000 + "\n}\n")
put("iac", "deep-hcl", "resource \"a\" \"b\" {\n  x = " + "[" * 3000 + "]" * 3000 + "\n}\n")
put("iac", "many-resources", "".join(f"resource r{i} 'Microsoft.Storage/storageAccounts@2023-01-01' = {{\n  name: 'r{i}'\n}}\n" for i in range(20000)))
put("secrets", "long-line", "key=" + "A1b2C3d4" * 200000 + "\n")
put("secrets", "many-lines", "password = hunter2\n" * 100000)
PY
echo "seeded: $(find corpus -type f | wc -l) files"
