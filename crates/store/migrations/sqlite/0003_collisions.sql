-- zhaoshang schema, part 3: collisions between units (撞车 / 首报首谈). Two open projects of
-- different units of the same government with the same investor (the same company record or
-- duplicate records). The first registration keeps the investor; the coordinator is the
-- lowest unit above both. Rows are never deleted: resolving sets status, resolution and who.

CREATE TABLE collisions (
    id INTEGER PRIMARY KEY,
    first_project_id INTEGER NOT NULL REFERENCES projects(id),
    second_project_id INTEGER NOT NULL REFERENCES projects(id),
    first_unit_id INTEGER NOT NULL REFERENCES units(id),
    second_unit_id INTEGER NOT NULL REFERENCES units(id),
    coordinator_unit_id INTEGER NOT NULL REFERENCES units(id),
    detected_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    resolution TEXT,
    resolved_by INTEGER REFERENCES users(id),
    resolved_by_name TEXT,
    resolved_at TEXT
);
CREATE INDEX collisions_first_project ON collisions(first_project_id);
CREATE INDEX collisions_second_project ON collisions(second_project_id);
CREATE INDEX collisions_coordinator ON collisions(coordinator_unit_id);
