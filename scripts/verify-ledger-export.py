#!/usr/bin/env python3
"""Verify a `harden ledger export --format jsonl` file without harden.

Usage: verify-ledger-export.py EXPORT.jsonl [EXPECTED_HEAD_HASH]

Recomputes every entry's hash from its fields (see docs/LEDGER.md for the encoding), checks that
each entry links to the one before it and that sequence numbers run 1, 2, 3, ... without gaps.
With EXPECTED_HEAD_HASH (recorded somewhere outside the ledger), also checks that the export ends
at that entry, which detects truncation. Exit 0 when intact, 1 at the first break.
"""
import hashlib
import json
import sys

FORMAT = "harden-ledger/1"
GENESIS = "0" * 64


def canonical(value):
    # Sorted keys, no whitespace, non-ASCII kept as is: the ledger's canonical JSON.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry):
    text = "\n".join(
        [FORMAT, str(entry["seq"]), entry["kind"], entry["recorded_at"], entry["prev_hash"], canonical(entry["body"])]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    expected_seq, prev = 1, GENESIS
    with open(sys.argv[1], encoding="utf-8") as export:
        for line_number, line in enumerate(export, 1):
            entry = json.loads(line)
            problem = None
            if entry["seq"] != expected_seq:
                problem = f"expected entry #{expected_seq}, found #{entry['seq']}"
            elif entry_hash(entry) != entry["hash"]:
                problem = "content does not match its hash"
            elif entry["prev_hash"] != prev:
                problem = "does not link to the entry before it"
            if problem:
                print(f"line {line_number}: entry #{entry['seq']}: {problem}")
                return 1
            expected_seq, prev = expected_seq + 1, entry["hash"]
    if len(sys.argv) == 3 and prev != sys.argv[2]:
        print(f"the export ends at {prev}, not at the expected head {sys.argv[2]}")
        return 1
    print(f"{expected_seq - 1} entries, chain intact, head {prev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
