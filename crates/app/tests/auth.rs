//! Sign-in throttling and session lifetimes, with the clock as an argument.

use chrono::{Duration, Utc};
use zhaoshang_app::AppError;
use zhaoshang_app::accounts::{self, LOCK_MINUTES, MAX_FAILURES};
use zhaoshang_app::sessions::{self, Lifetime};
use zhaoshang_domain::auth::{Actor, Channel};
use zhaoshang_testkit::world::World;

const PW: &str = "Quiet-Harbour-Lantern-71";

async fn setup() -> (zhaoshang_testkit::TestDb, World) {
    let db = zhaoshang_testkit::sqlite().await;
    let w = World::build(&db.store).await;
    let system = Actor::system("test", Channel::System);
    let hash = zhaoshang_app::passwords::hash(PW).unwrap();
    db.store
        .set_password_hash(&system, w.jintan_officer.id, &hash)
        .await
        .unwrap();
    (db, w)
}

fn throttled(r: &Result<zhaoshang_store::users::User, AppError>) -> Option<i64> {
    match r {
        Err(AppError::Throttled { minutes }) => Some(*minutes),
        _ => None,
    }
}

#[tokio::test]
async fn waits_double_end_and_are_forgotten() {
    let (db, _w) = setup().await;
    let s = &db.store;
    let t0 = Utc::now();
    let from = "203.0.113.5";
    for i in 1..MAX_FAILURES {
        let r = accounts::sign_in(s, "jt_officer", "wrong-one-1", from, t0).await;
        assert!(matches!(r, Err(AppError::BadCredentials)), "attempt {i}");
    }
    let r = accounts::sign_in(s, "jt_officer", "wrong-one-1", from, t0).await;
    assert_eq!(throttled(&r), Some(LOCK_MINUTES[0]));
    // while locked, nothing is checked or counted, the right password included
    let r = accounts::sign_in(s, "jt_officer", PW, from, t0 + Duration::seconds(30)).await;
    assert!(throttled(&r).is_some());
    // after the wait one more guess, then a longer wait
    let t1 = t0 + Duration::seconds(61);
    let r = accounts::sign_in(s, "jt_officer", "wrong-one-1", from, t1).await;
    assert_eq!(throttled(&r), Some(LOCK_MINUTES[1]));
    let r = accounts::sign_in(s, "jt_officer", PW, from, t1 + Duration::seconds(90)).await;
    assert!(throttled(&r).is_some());
    let t2 = t1 + Duration::minutes(LOCK_MINUTES[1]) + Duration::seconds(1);
    assert!(
        accounts::sign_in(s, "jt_officer", PW, from, t2)
            .await
            .is_ok()
    );
    // a success starts the account afresh at that address
    for _ in 1..MAX_FAILURES {
        let r = accounts::sign_in(s, "jt_officer", "wrong-one-1", from, t2).await;
        assert!(matches!(r, Err(AppError::BadCredentials)));
    }
    // and failures long ago are forgotten
    let later = t2 + Duration::hours(2);
    for _ in 1..MAX_FAILURES {
        let r = accounts::sign_in(s, "jt_officer", "wrong-one-1", from, later).await;
        assert!(matches!(r, Err(AppError::BadCredentials)));
    }
    db.finish().await;
}

#[tokio::test]
async fn sessions_end_at_their_maximum_lifetime_however_busy() {
    let (db, w) = setup().await;
    let life = Lifetime {
        idle_hours: 2,
        max_hours: 12,
    };
    let t0 = Utc::now();
    let (secret, s) = sessions::start(&db.store, &w.jintan_officer, life, t0, None, None)
        .await
        .unwrap();
    assert_eq!(s.expires_at, t0 + Duration::hours(2));
    let mut t = t0;
    while t + Duration::minutes(90) < t0 + Duration::hours(12) {
        t += Duration::minutes(90);
        assert!(
            sessions::resume(&db.store, &secret, life, t)
                .await
                .unwrap()
                .is_some(),
            "busy at {t}"
        );
    }
    let end = t0 + Duration::hours(12);
    assert!(
        sessions::resume(&db.store, &secret, life, end)
            .await
            .unwrap()
            .is_none(),
        "past the maximum"
    );
    db.finish().await;
}

#[tokio::test]
async fn the_daily_purge_removes_dead_sessions_and_quiet_attempt_keys() {
    let (db, w) = setup().await;
    let life = Lifetime {
        idle_hours: 1,
        max_hours: 1,
    };
    let long_ago = Utc::now() - Duration::hours(3);
    sessions::start(&db.store, &w.jintan_officer, life, long_ago, None, None)
        .await
        .unwrap();
    let _ = accounts::sign_in(
        &db.store,
        "jt_officer",
        "wrong-one-1",
        "192.0.2.9",
        long_ago,
    )
    .await;
    let msg = zhaoshang_app::jobs::run(&db.store, "auth-purge", zhaoshang_app::jobs::today())
        .await
        .unwrap();
    assert_eq!(
        msg,
        "auth-purge: 删除 1 个过期会话、2 条已过期的登录尝试记录"
    );
    db.finish().await;
}
