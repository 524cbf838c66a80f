-- zhaoshang schema, part 2: reversible merges of duplicate companies (客商合并).
-- A merge moves every row that points at the merged company to the survivor; this table keeps
-- what is needed to undo it exactly: both company rows and their key rows as they were
-- (snapshot, JSON), and the ids of every moved row per table (moved, JSON). Rows are never
-- deleted: an unmerge sets undone_at.

CREATE TABLE company_merges (
    id INTEGER PRIMARY KEY,
    survivor_id INTEGER NOT NULL REFERENCES companies(id),
    merged_id INTEGER NOT NULL REFERENCES companies(id),
    merged_by INTEGER REFERENCES users(id),
    merged_by_name TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    moved TEXT NOT NULL,
    undone_at TEXT,
    undone_by INTEGER REFERENCES users(id),
    undone_by_name TEXT
);
CREATE INDEX company_merges_survivor ON company_merges(survivor_id);
CREATE INDEX company_merges_merged ON company_merges(merged_id);
CREATE INDEX companies_merged_into ON companies(merged_into);
