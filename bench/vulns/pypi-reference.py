#!/usr/bin/env python3
"""An independent reading of OSV PyPI records, to compare R4.vulns against: the `packaging`
library (pip's own PEP 440 implementation) orders versions, and OSV's evaluation rules are
applied as the OSV schema states them. Prints `id package version` for every (advisory, locked
package) pair, aliases not merged, withdrawn records skipped.

Usage: pypi-reference.py OSV_PYPI_DIR LOCKFILE...   (poetry.lock or uv.lock)"""
import json, os, re, sys, tomllib
from packaging.version import Version, InvalidVersion

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

def affected(entry, v):
    if v in {Version(x) for x in entry.get("versions", []) if valid(x)}:
        return True
    for r in entry.get("ranges", []):
        if r["type"] != "ECOSYSTEM":
            continue
        events = []
        for e in r["events"]:
            (kind, text), = e.items()
            if kind == "limit" or (text != "0" and not valid(text)):
                continue
            events.append((Version("0") if text == "0" else Version(text), kind))
        state = False
        for at, kind in sorted(events, key=lambda e: (e[0], e[1] != "introduced")):
            if kind == "introduced" and at <= v: state = True
            elif kind == "fixed" and at <= v: state = False
            elif kind == "last_affected" and at < v: state = False
        if state:
            return True
    return False

def valid(text):
    try:
        Version(text); return True
    except InvalidVersion:
        return False

osv_dir, locks = sys.argv[1], sys.argv[2:]
index = {}
for f in os.listdir(osv_dir):
    d = json.load(open(os.path.join(osv_dir, f)))
    if d.get("withdrawn"):
        continue
    for entry in d.get("affected", []):
        p = entry.get("package", {})
        if p.get("ecosystem") == "PyPI":
            index.setdefault(norm(p["name"]), []).append((d["id"], entry))
for lock in locks:
    for package in tomllib.load(open(lock, "rb")).get("package", []):
        name, version = package.get("name"), package.get("version")
        if not name or not version or not valid(version):
            continue
        for advisory, entry in index.get(norm(name), []):
            if affected(entry, Version(version)):
                print(advisory, norm(name), version)
