-- Sign-in throttling shared by every server process: one row per key (a client address, or
-- an account at one address), counted and locked by one conditional upsert.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    last_attempt_at TEXT NOT NULL,
    locked_until TEXT
);

-- API tokens may expire (NULL: never, as every token made before this migration).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
