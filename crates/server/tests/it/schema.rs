use townsquare_app::store::{schema, Db};

/// The SQLite and PostgreSQL migration trees must build the same schema.
#[tokio::test]
async fn both_migration_trees_build_the_same_schema() {
    let dir = tempfile_dir();
    let sqlite = Db::connect(&format!("sqlite://{}/schema.db", dir.display()))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let sqlite_schema = schema::describe(&sqlite).await.unwrap();
    assert!(
        sqlite_schema
            .iter()
            .any(|l| l == "column activities.verb text not null"),
        "{sqlite_schema:#?}"
    );
    assert!(sqlite_schema
        .iter()
        .any(|l| l
            .starts_with("index activities.activities_community_time (community_id,created_at)")));

    let Some(server) = townsquare_testkit::postgres_url() else {
        return; // SQLite-only run: the PostgreSQL run of this suite compares.
    };
    let pg = Db::connect(&townsquare_testkit::fresh_postgres_database(&server).await)
        .await
        .unwrap();
    pg.migrate().await.unwrap();
    let pg_schema = schema::describe(&pg).await.unwrap();
    assert_eq!(sqlite_schema, pg_schema);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ts-schema-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
