//! Small helpers for SQL built at run time.

/// `$from, $from+1, ...` for `n` values, for `IN (...)` lists of bound parameters.
pub fn placeholders(from: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + from))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_placeholders_from_the_given_position() {
        assert_eq!(super::placeholders(3, 2), "$3, $4");
        assert_eq!(super::placeholders(1, 0), "");
    }
}
