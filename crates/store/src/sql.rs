//! Small helpers for SQL built at run time.

use crate::db::Backend;

/// `$from, $from+1, ...` for `n` values, for `IN (...)` lists of bound parameters.
pub fn placeholders(from: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + from))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The comma-joined values of `expr` as one text (NULL for no rows), in `order` when given:
/// one row to hand over instead of one per value. `GROUP_CONCAT` is spelled differently by
/// the two backends.
pub fn joined(backend: Backend, expr: &str, order: Option<&str>) -> String {
    let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
    match backend {
        Backend::Sqlite => format!("group_concat({expr}, ','{order})"),
        Backend::Postgres => format!("string_agg(CAST({expr} AS TEXT), ','{order})"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_placeholders_from_the_given_position() {
        assert_eq!(super::placeholders(3, 2), "$3, $4");
        assert_eq!(super::placeholders(1, 0), "");
    }
}
