-- Entry bodies (a run report is tens of kB) and run outcomes are compressed with lz4 instead
-- of pglz: the compression was a third of an append's time in PostgreSQL, and lz4 takes a
-- fraction of it for slightly larger values. Values already stored keep their compression.
-- A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE harden_entries ALTER COLUMN body SET COMPRESSION lz4;
    ALTER TABLE harden_runs ALTER COLUMN outcomes SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this PostgreSQL has no lz4: entry bodies stay compressed with pglz';
END
$$;
