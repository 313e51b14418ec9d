-- Keys compared byte by byte, as Java compares them: a page continued at an older revision merges the current
-- objects, read in the database's order, with the states the log kept, ordered in Java; under a locale collation
-- ("en_US.UTF-8" ignores '-' and '.' at first) the two orders differ and items would be skipped or repeated.
ALTER TABLE objects ALTER COLUMN namespace TYPE VARCHAR(253) COLLATE "C", ALTER COLUMN name TYPE VARCHAR(253) COLLATE "C";
ALTER TABLE revisions ALTER COLUMN namespace TYPE VARCHAR(253) COLLATE "C", ALTER COLUMN name TYPE VARCHAR(253) COLLATE "C";
