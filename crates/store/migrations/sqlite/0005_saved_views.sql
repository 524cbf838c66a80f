-- zhaoshang schema, part 5: saved views (常用筛选). A user's named list filter (the list's
-- query string: filters, order, grouping) for one area, kept for themselves or shared with
-- their unit. Applying a view is an ordinary list request, checked like any other.

CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    area TEXT NOT NULL CHECK (area IN ('projects', 'companies', 'visits')),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX saved_views_name ON saved_views(user_id, area, name);
CREATE INDEX saved_views_unit ON saved_views(unit_id, area);
