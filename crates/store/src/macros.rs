/// Runs `$body` with `$c` bound to the transaction's connection, once per backend.
macro_rules! with_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::db::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Runs a read `$body` with `$c` bound to whatever `$src` is — a `&Db` (SQLite's reader
/// pool) or a `&mut Tx` (to read what the transaction wrote) — once per backend and source.
macro_rules! with_read {
    ($src:expr, |$c:ident| $body:expr) => {
        match Into::<$crate::db::Source<'_>>::into($src) {
            $crate::db::Source::Db(db) => match db.pools() {
                $crate::db::Pools::Sqlite { reader, .. } => {
                    let $c = reader;
                    $body
                }
                $crate::db::Pools::Postgres(pool) => {
                    let $c = pool;
                    $body
                }
            },
            $crate::db::Source::Tx(tx) => with_tx!(tx, |$c| $body),
        }
    };
}
