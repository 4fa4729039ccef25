//! CSV downloads: cells a spreadsheet will not run, and the attachment response.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A cell a spreadsheet will not run: text that starts like a formula gets a leading '.
/// For member-written text (names, titles, answers); numbers and dates go in as they are.
pub fn spreadsheet_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A CSV file download named `filename`.
pub fn attachment(filename: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A CSV file download named `filename` whose body is written as it is sent (exports that
/// read their rows page by page).
pub fn attachment_stream(filename: &str, body: axum::body::Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn defuses_cells_that_start_like_a_formula() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("Ada Lovelace"), "Ada Lovelace");
    }
}
