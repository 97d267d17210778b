// The reference for R4.vulns on npm lockfiles: npm's own semver library decides whether each
// locked version (package-lock v1 nested `dependencies`, v2/v3 `packages`) satisfies each
// Node.js Security WG advisory's `vulnerable_versions`. Prints `NSWG-ECO-id name version`.
// Usage: node npm-reference.js SEMVER_MODULE VULN_NPM_DIR LOCKFILE...
const [semverPath, dir, ...locks] = process.argv.slice(2);
const semver = require(semverPath);
const fs = require('fs'), path = require('path');
const byName = {};
for (const f of fs.readdirSync(dir)) {
  const a = JSON.parse(fs.readFileSync(path.join(dir, f)));
  (byName[a.module_name] ||= []).push(a);
}
const out = new Set();
const check = (name, version) => {
  for (const a of byName[name] || []) {
    let hit = false;
    try { hit = semver.satisfies(version, a.vulnerable_versions); } catch {}
    if (hit) out.add(`NSWG-ECO-${a.id} ${name} ${version}`);
  }
};
const walk = (deps) => {
  for (const [name, p] of Object.entries(deps || {})) {
    if (p.version) check(name, p.version);
    walk(p.dependencies);
  }
};
for (const lock of locks) {
  const l = JSON.parse(fs.readFileSync(lock));
  if (l.packages) {
    for (const [key, p] of Object.entries(l.packages)) {
      if (key.includes('node_modules/') && p.version && !p.link) check(key.split('node_modules/').pop(), p.version);
    }
  } else {
    walk(l.dependencies);
  }
}
console.log([...out].sort().join('\n'));
