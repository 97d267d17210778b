-- Back to the server's default compression for values stored from now on.
ALTER TABLE harden_entries ALTER COLUMN body SET COMPRESSION default;
ALTER TABLE harden_runs ALTER COLUMN outcomes SET COMPRESSION default;
