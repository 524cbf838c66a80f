//! The two migration folders stay in lockstep: the same numbers, the same tables, columns
//! and indexes, and every file is registered in `MIGRATIONS`.

use std::collections::BTreeSet;
use std::path::Path;

fn files(db: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(db);
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// (table, column) and index names declared in a migration, ignoring types.
fn shape(sql: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut table = String::new();
    for line in sql.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            table = rest.split_whitespace().next().unwrap().to_string();
            out.insert(format!("table {table}"));
        } else if line.starts_with("CREATE INDEX") || line.starts_with("CREATE UNIQUE INDEX") {
            out.insert(line.to_string());
        } else if line.starts_with(')') {
            table.clear();
        } else if !table.is_empty() && !line.is_empty() && !line.starts_with("--") {
            out.insert(format!(
                "{table}.{}",
                line.split_whitespace().next().unwrap()
            ));
        }
    }
    out
}

#[test]
fn both_folders_have_the_same_migrations_and_shape() {
    let s = files("sqlite");
    let p = files("postgres");
    assert_eq!(s, p, "migration files differ between sqlite/ and postgres/");
    let registered: Vec<String> = zhaoshang_store::migrate::MIGRATIONS
        .iter()
        .map(|m| format!("{}.sql", m.version))
        .collect();
    assert_eq!(
        s, registered,
        "every migration file must be listed in MIGRATIONS, in order"
    );
    for m in zhaoshang_store::migrate::MIGRATIONS {
        assert_eq!(
            shape(m.sqlite),
            shape(m.postgres),
            "{} declares different tables, columns or indexes",
            m.version
        );
        let code = m
            .postgres
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"));
        for l in code {
            assert!(
                !l.contains(" INTEGER"),
                "{}: use BIGINT on PostgreSQL (the Any driver decodes i64): {l}",
                m.version
            );
        }
    }
}
