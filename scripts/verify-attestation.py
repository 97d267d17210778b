#!/usr/bin/env python3
"""Verify a harden run attestation without harden.

Usage: verify-attestation.py ENVELOPE.json PUBLIC_KEY.pem [sha256:DIGEST]

ENVELOPE.json is what `harden ledger attest` writes: a DSSE envelope (payload type
application/vnd.in-toto+json) whose payload is an in-toto Statement v1 with the predicate
urn:harden:predicate:run:v1. PUBLIC_KEY.pem is the ledger signing key's public half
(`openssl pkey -in key.pem -pubout`).

Checks, each with an implementation harden does not share:
  1. an Ed25519 signature over DSSE's pre-authentication encoding verifies with the key
     (the `cryptography` package);
  2. the payload is an in-toto Statement v1 as the in-toto project's own reference
     implementation reads it (the `in-toto-attestation` package: its protobuf schema, then its
     validation rules);
  3. with a digest given, the statement's subject names it.

Prints the run it vouches for; exit 0 when all hold, 1 when one does not, 2 on bad input.
Needs: pip install cryptography in-toto-attestation
"""

import base64
import json
import sys


def pae(payload_type: bytes, payload: bytes) -> bytes:
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
        from google.protobuf import json_format
        from in_toto_attestation.v1 import statement as intoto
    except ImportError as error:
        print(f"needs the packages cryptography and in-toto-attestation: {error}", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        envelope = json.load(f)
    with open(argv[2], "rb") as f:
        key = load_pem_public_key(f.read())
    if not isinstance(key, Ed25519PublicKey):
        print(f"{argv[2]}: not an Ed25519 public key", file=sys.stderr)
        return 2

    payload_type = envelope["payloadType"].encode()
    payload = base64.b64decode(envelope["payload"], validate=True)
    verified = False
    for signature in envelope.get("signatures", []):
        try:
            key.verify(base64.b64decode(signature["sig"]), pae(payload_type, payload))
            verified = True
            break
        except (InvalidSignature, ValueError):
            continue
    if not verified:
        print("no signature in the envelope verifies with the key")
        return 1
    if envelope["payloadType"] != "application/vnd.in-toto+json":
        print(f"payload type {envelope['payloadType']} is not an in-toto statement")
        return 1

    # The in-toto reference implementation: its protobuf schema rejects unknown or mistyped
    # fields, then its rules require the type, subjects with digests, and a predicate.
    try:
        parsed = json_format.Parse(payload.decode("utf-8"), intoto.spb.Statement())
        intoto.Statement.copy_from_pb(parsed).validate()
    except Exception as error:  # the library raises several exception types
        print(f"not a valid in-toto Statement v1: {error}")
        return 1
    statement = json.loads(payload)
    if statement["predicateType"] != "urn:harden:predicate:run:v1":
        print(f"predicate type {statement['predicateType']} is not a harden run")
        return 1
    if len(argv) == 4:
        algorithm, _, digest = argv[3].partition(":")
        if not any(s["digest"].get(algorithm) == digest for s in statement["subject"]):
            print(f"the statement is not about {argv[3]}")
            return 1
    run = statement["predicate"]
    summary = run["summary"]
    print(
        "attestation verified: run {} of commit {} ({} profile{}), {} failed, {} passed, "
        "ledger entry #{} {}".format(
            run["run_id"],
            run.get("commit") or "unknown",
            run["profile"],
            ", dirty tree" if run.get("dirty") else "",
            summary["failed"],
            summary["passed"],
            run["ledger"]["seq"],
            run["ledger"]["hash"],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
