// Converts the Node.js Security WG's npm advisories (nodejs/security-wg, vuln/npm/*.json:
// module_name, vulnerable_versions as an npm range) to OSV records, for R4.vulns's comparison
// with npm's own semver library. Each comparator set of the range becomes one SEMVER range:
// its lower bound `introduced` (or "0"), its upper bound `fixed` (<) or `last_affected` (<=),
// an exact version a `versions` entry. An exclusive lower bound (>x) has no OSV event; it is
// kept as `introduced: x` and reported, so the comparison can name the difference it causes.
// Usage: node nswg-to-osv.js SEMVER_MODULE VULN_NPM_DIR OUT_DIR
const [semverPath, dir, out] = process.argv.slice(2);
const semver = require(semverPath);
const fs = require('fs'), path = require('path');
fs.mkdirSync(out, { recursive: true });
let exclusive = 0;
for (const f of fs.readdirSync(dir)) {
  const a = JSON.parse(fs.readFileSync(path.join(dir, f)));
  let range;
  try { range = new semver.Range(a.vulnerable_versions); } catch { continue; }
  const ranges = [], versions = [];
  for (const set of range.set) {
    let lower = null, upper = null;
    for (const c of set) {
      if (c.semver === semver.Comparator.ANY || c.value === '') continue;
      const v = c.semver.version;
      if (c.operator === '') versions.push(v);
      else if (c.operator.startsWith('>')) { lower = v; if (c.operator === '>') exclusive++; }
      else upper = [c.operator, v];
    }
    if (set.every(c => c.operator === '') && set.some(c => c.value !== '')) continue;
    const events = [{ introduced: lower || '0' }];
    if (upper) events.push(upper[0] === '<' ? { fixed: upper[1] } : { last_affected: upper[1] });
    ranges.push({ type: 'SEMVER', events });
  }
  const record = {
    id: `NSWG-ECO-${a.id}`,
    modified: `${a.updated_at}T00:00:00Z`,
    aliases: a.cves || [],
    summary: a.title,
    affected: [{ package: { ecosystem: 'npm', name: a.module_name }, ranges, versions }],
  };
  if (a.cvss_vector && a.cvss_vector.startsWith('CVSS:3'))
    record.severity = [{ type: 'CVSS_V3', score: a.cvss_vector }];
  fs.writeFileSync(path.join(out, `NSWG-ECO-${a.id}.json`), JSON.stringify(record));
}
console.error(`exclusive lower bounds kept as introduced: ${exclusive}`);
