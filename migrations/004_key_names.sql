-- Keys get a name people read ("Front desk iPad"), shown in lists and in the history beside the key id.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Existing keys keep no name ('').

ALTER TABLE api_keys ADD COLUMN name TEXT NOT NULL DEFAULT '';
