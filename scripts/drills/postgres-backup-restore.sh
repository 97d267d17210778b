#!/usr/bin/env bash
# A drill for "Backup/restore verified": back up a PostgreSQL database with pg_dump, restore the
# backup into a throwaway database on the same server, and compare every table's row count and
# content checksum between the two. Exit 0 only if every table matches; the throwaway database
# is dropped whatever happens.
#
# Usage: postgres-backup-restore.sh DATABASE_URL
#   DATABASE_URL: postgres://[user[:password]@]host[:port]/database[?options]; the throwaway
#   database is created beside it on the same server (the role needs CREATEDB).
#   (PG_BIN: directory of pg_dump, pg_restore and psql when they are not on PATH)
# The row counts and checksums are compared with the source as it is after the dump: run the
# drill against a database that is not being written to meanwhile (a paused replica, a quiet
# staging copy), or a busy table reports a mismatch.
# As a harden drill:
#   [[drill]]
#   name = "backup-restore"
#   proves = "Backup/restore verified"
#   run = 'scripts/drills/postgres-backup-restore.sh "$DATABASE_URL"'
#   timeout = "30m"
set -euo pipefail
source_url="${1:?usage: postgres-backup-restore.sh DATABASE_URL}"
bin="${PG_BIN:+$PG_BIN/}"
work="$(mktemp -d)"
scratch="harden_drill_$$_$(date +%s)"
# The throwaway database's URL: the source's, with the database name replaced. Only a URL with
# a database name is accepted: anything else could send the restore to the source itself.
if ! printf '%s' "$source_url" | grep -Eq '^postgres(ql)?://[^/?]*/[^/?]+([?].*)?$'; then
  echo "DATABASE_URL must be a postgres:// URL that names its database (postgres://host/db)" >&2
  exit 2
fi
scratch_url="$(printf '%s' "$source_url" | sed -E "s#^(postgres(ql)?://[^/?]*)/[^/?]+#\1/${scratch}#")"
case "$scratch_url" in
  *"/${scratch}" | *"/${scratch}?"*) ;;
  *) echo "could not derive the throwaway database's URL" >&2; exit 2 ;;
esac
[ "$scratch_url" != "$source_url" ] || { echo "the throwaway database would be the source" >&2; exit 2; }
cleanup() {
  "${bin}psql" -X -q "$source_url" -c "DROP DATABASE IF EXISTS ${scratch}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

started=$(date +%s)
"${bin}pg_dump" --format=custom --no-owner --file "$work/backup.dump" "$source_url"
echo "backup: $(wc -c <"$work/backup.dump") bytes"
"${bin}psql" -X -q -v ON_ERROR_STOP=1 "$source_url" -c "CREATE DATABASE ${scratch}" >/dev/null
"${bin}pg_restore" --no-owner --exit-on-error --dbname "$scratch_url" "$work/backup.dump"
echo "restored into a throwaway database in $(( $(date +%s) - started ))s"

tables_query="SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
  WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
# Row count and an order-independent checksum of every row's text form.
summary() {
  "${bin}psql" -X -A -t -v ON_ERROR_STOP=1 "$1" -c \
    "SELECT count(*) || ' ' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '-') FROM $2 t"
}
mismatches=0
tables=0
while IFS= read -r table; do
  [ -n "$table" ] || continue
  tables=$((tables + 1))
  original="$(summary "$source_url" "$table")"
  restored="$(summary "$scratch_url" "$table")"
  if [ "$original" = "$restored" ]; then
    echo "match    $table: ${original%% *} rows"
  else
    echo "MISMATCH $table: ${original%% *} rows backed up, ${restored%% *} restored (or content differs)"
    mismatches=$((mismatches + 1))
  fi
done < <("${bin}psql" -X -A -t -v ON_ERROR_STOP=1 "$source_url" -c "$tables_query")
if [ "$tables" -eq 0 ]; then
  echo "no tables in the database: nothing was proven"
  exit 1
fi
if [ "$mismatches" -gt 0 ]; then
  echo "$mismatches of $tables tables differ after restore"
  exit 1
fi
echo "backup/restore verified: $tables tables, every row count and checksum matches"
