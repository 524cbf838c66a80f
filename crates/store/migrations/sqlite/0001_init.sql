-- zhaoshang schema, part 1: units, people, companies, projects and their logs, activities,
-- targets, reference data, audit. Types are INTEGER / TEXT / BLOB only so one set of queries
-- runs on SQLite and PostgreSQL (BIGINT / TEXT / BYTEA there). Times are UTC RFC 3339 text
-- with microseconds (sortable), dates are YYYY-MM-DD, money is exact decimal text plus the
-- CNY equivalent in fen (INTEGER) for sums. Booleans are 0 / 1.

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES units(id),
    path TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    short_name TEXT,
    kind TEXT NOT NULL,
    code TEXT,
    country TEXT,
    city TEXT,
    lon TEXT,
    lat TEXT,
    opened_on TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_path ON units(path);
CREATE UNIQUE INDEX units_code ON units(code);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    lang TEXT NOT NULL DEFAULT 'zh',
    active INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_login_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    user_agent TEXT,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name_zh TEXT,
    name_en TEXT,
    short_name TEXT,
    aliases TEXT NOT NULL DEFAULT '[]',
    credit_code TEXT,
    foreign_ids TEXT NOT NULL DEFAULT '[]',
    country TEXT,
    city TEXT,
    industry TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    parent_id INTEGER REFERENCES companies(id),
    created_by_unit INTEGER NOT NULL REFERENCES units(id),
    website TEXT,
    notes TEXT,
    merged_into INTEGER REFERENCES companies(id),
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX companies_credit_code ON companies(credit_code);
CREATE INDEX companies_country ON companies(country);
CREATE INDEX companies_industry ON companies(industry);
CREATE INDEX companies_parent ON companies(parent_id);

-- every normalised name a company is known by, for duplicate and collision matching
CREATE TABLE company_keys (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (company_id, key, kind)
);
CREATE INDEX company_keys_key ON company_keys(key);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    title TEXT,
    phone TEXT,
    email TEXT,
    wechat TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX contacts_company ON contacts(company_id);
CREATE INDEX contacts_unit ON contacts(unit_id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    code_name TEXT,
    confidential INTEGER NOT NULL DEFAULT 0,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    owner_user_id INTEGER REFERENCES users(id),
    description TEXT,
    source TEXT NOT NULL DEFAULT 'other',
    industry TEXT,
    investment_amount TEXT,
    investment_currency TEXT,
    investment_rate TEXT,
    investment_rate_date TEXT,
    investment_cny_fen INTEGER,
    investment_provenance TEXT,
    is_foreign INTEGER NOT NULL DEFAULT 0,
    expands_project_id INTEGER REFERENCES projects(id),
    stage INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'ongoing',
    status_reason TEXT,
    status_on TEXT,
    lost_to TEXT,
    first_talk_registered_at TEXT,
    likelihood INTEGER,
    land_mu TEXT,
    floor_m2 TEXT,
    energy TEXT,
    jobs_planned INTEGER,
    competing_locations TEXT,
    review_score TEXT,
    review_decision TEXT,
    agreement_type TEXT,
    signed_on TEXT,
    signed_amount TEXT,
    signed_currency TEXT,
    signed_rate TEXT,
    signed_rate_date TEXT,
    signed_cny_fen INTEGER,
    signed_provenance TEXT,
    local_credit_code TEXT,
    registered_capital_amount TEXT,
    registered_capital_currency TEXT,
    registered_capital_rate TEXT,
    registered_capital_rate_date TEXT,
    registered_capital_cny_fen INTEGER,
    registered_capital_provenance TEXT,
    agreed_start_by TEXT,
    started_on TEXT,
    completed_investment_cny TEXT,
    funds_in_place_cny TEXT,
    completed_on TEXT,
    jobs_actual INTEGER,
    output_cny TEXT,
    tax_cny TEXT,
    follow_up_on TEXT,
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX projects_unit ON projects(unit_id);
CREATE INDEX projects_company ON projects(company_id);
CREATE INDEX projects_stage ON projects(stage, status);

-- append-only: rows are inserted, and only a pending row's verification is ever updated
CREATE TABLE stage_log (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    from_stage INTEGER,
    to_stage INTEGER NOT NULL,
    at TEXT NOT NULL,
    by_user INTEGER REFERENCES users(id),
    evidence TEXT NOT NULL DEFAULT '[]',
    note TEXT,
    verification TEXT NOT NULL,
    verifier INTEGER REFERENCES users(id),
    verified_at TEXT
);
CREATE INDEX stage_log_project ON stage_log(project_id);
CREATE INDEX stage_log_to ON stage_log(to_stage, at);

CREATE TABLE status_log (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT,
    lost_to TEXT,
    at TEXT NOT NULL,
    by_user INTEGER REFERENCES users(id)
);
CREATE INDEX status_log_project ON status_log(project_id);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    tag TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX evidence_project ON evidence(project_id);

CREATE TABLE trips (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    leader_name TEXT,
    leader_title TEXT,
    leader_level TEXT NOT NULL DEFAULT 'other',
    member_count INTEGER,
    purpose TEXT,
    industries TEXT NOT NULL DEFAULT '[]',
    planned_visits INTEGER,
    results TEXT,
    next_steps TEXT,
    status TEXT NOT NULL DEFAULT 'planned',
    start_on TEXT,
    end_on TEXT,
    report_text TEXT,
    report_submitted_on TEXT,
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX trips_unit ON trips(unit_id, start_on);

CREATE TABLE trip_legs (
    id INTEGER PRIMARY KEY,
    trip_id INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    country TEXT NOT NULL,
    city TEXT NOT NULL,
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL
);
CREATE INDEX trip_legs_trip ON trip_legs(trip_id);

CREATE TABLE trip_members (
    id INTEGER PRIMARY KEY,
    trip_id INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    title TEXT
);
CREATE INDEX trip_members_trip ON trip_members(trip_id);

-- the planned itinerary: companies to visit per day
CREATE TABLE trip_plan (
    id INTEGER PRIMARY KEY,
    trip_id INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    company_id INTEGER REFERENCES companies(id),
    label TEXT NOT NULL,
    note TEXT
);
CREATE INDEX trip_plan_trip ON trip_plan(trip_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    date_on TEXT NOT NULL,
    end_on TEXT,
    country TEXT,
    city TEXT,
    venue TEXT,
    industries TEXT NOT NULL DEFAULT '[]',
    attendees INTEGER,
    major INTEGER NOT NULL DEFAULT 0,
    trip_id INTEGER REFERENCES trips(id),
    notes TEXT,
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX events_unit ON events(unit_id, date_on);

CREATE TABLE event_signings (
    event_id INTEGER NOT NULL REFERENCES events(id),
    project_id INTEGER NOT NULL REFERENCES projects(id),
    parties TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (event_id, project_id)
);

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    date_on TEXT NOT NULL,
    direction TEXT NOT NULL DEFAULT 'outbound',
    company_id INTEGER NOT NULL REFERENCES companies(id),
    country TEXT,
    city TEXT,
    place TEXT,
    contacts TEXT NOT NULL DEFAULT '[]',
    participants TEXT NOT NULL DEFAULT '[]',
    leader_level TEXT NOT NULL DEFAULT 'other',
    notes TEXT,
    outcome TEXT,
    next_step TEXT,
    follow_up_on TEXT,
    trip_id INTEGER REFERENCES trips(id),
    event_id INTEGER REFERENCES events(id),
    project_id INTEGER REFERENCES projects(id),
    created_by INTEGER REFERENCES users(id),
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX visits_unit_date ON visits(unit_id, date_on);
CREATE INDEX visits_company ON visits(company_id);
CREATE INDEX visits_trip ON visits(trip_id);

CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    metric TEXT NOT NULL,
    filter TEXT NOT NULL DEFAULT '{}',
    period TEXT NOT NULL,
    threshold TEXT NOT NULL,
    scoring TEXT,
    source TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX targets_unit ON targets(unit_id, period);

-- statistics entered by hand (新增贸易额 ...), with their source
CREATE TABLE external_stats (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    key TEXT NOT NULL,
    period TEXT NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    entered_by INTEGER REFERENCES users(id),
    entered_at TEXT NOT NULL
);
CREATE UNIQUE INDEX external_stats_key ON external_stats(unit_id, key, period);

CREATE TABLE score_adjustments (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    period TEXT NOT NULL,
    reason TEXT NOT NULL,
    points TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE exchange_rates (
    currency TEXT NOT NULL,
    rate_date TEXT NOT NULL,
    cny_per_unit TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (currency, rate_date)
);

-- deployment settings as JSON documents: stage gates, lead timers ...
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    unit_id INTEGER,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_actor ON audit_log(actor_user_id);
