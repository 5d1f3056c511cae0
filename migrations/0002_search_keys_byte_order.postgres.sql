-- Name search compares search keys as bytes (prefix ranges, cursor order). SQLite's TEXT does
-- so by default; on PostgreSQL the keys get the "C" collation, whatever the database's locale.
ALTER TABLE clients
  ALTER COLUMN family_key TYPE TEXT COLLATE "C",
  ALTER COLUMN given_key TYPE TEXT COLLATE "C",
  ALTER COLUMN preferred_key TYPE TEXT COLLATE "C";
