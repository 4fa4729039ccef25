//! Importing members from a CSV file: reading the file (UTF-8 with or without a byte order
//! mark, quoted cells with commas and line breaks, CRLF or LF line ends), matching its header
//! to what a member record holds (e-mail, name, the community's custom profile fields by label,
//! interests), and checking each row on its own. What depends on the database (already a
//! member, already invited) is decided by the app.

use crate::profiles::{parse_field_answer, FieldKind, ProfileInput};
use crate::values::Email;

/// The largest file taken: 2 MiB (about 20,000 short rows; the row limit comes first).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// The most people one file brings in: every row is one transaction's worth of writes.
pub const MAX_IMPORT_ROWS: usize = 5_000;
/// Longest display name (as at sign-up).
pub const MAX_NAME: usize = 80;

/// A custom profile field a column may fill.
#[derive(Debug, Clone)]
pub struct ImportField {
    pub id: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<String>,
}

/// What one column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Email,
    Name,
    Interests,
    /// The custom field at this index of the fields given to `parse_file`.
    Field(usize),
    /// Not something a member record holds: reported once and skipped.
    Ignored,
}

/// A remark about a column of the header (an unknown column is skipped, not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnNote {
    pub column: String,
    pub message: String,
}

/// Why a row cannot be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    InvalidEmail,
    InvalidValue,
    Duplicate,
    WrongCellCount,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::InvalidEmail => "invalid_email",
            ProblemKind::InvalidValue => "invalid_value",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::WrongCellCount => "wrong_cell_count",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub kind: ProblemKind,
    /// The column the problem is in, as the file names it ("" for the whole row).
    pub column: String,
    pub message: String,
}

/// One data row, checked on its own.
#[derive(Debug, Clone, Default)]
pub struct ParsedRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// The e-mail address as written.
    pub raw_email: String,
    /// Lower case, when it is a valid address.
    pub email: Option<String>,
    pub name: String,
    pub interests: Vec<String>,
    /// (field index, values) for the fields the row answers.
    pub answers: Vec<(usize, Vec<String>)>,
    pub problems: Vec<RowProblem>,
}

impl ParsedRow {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The header's cells as written, and what each holds.
    pub columns: Vec<(String, Column)>,
    pub notes: Vec<ColumnNote>,
    pub rows: Vec<ParsedRow>,
}

/// Why the file as a whole cannot be read (no row is looked at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    TooLarge,
    TooManyRows { rows: usize },
    NotUtf8,
    Empty,
    NoEmailColumn,
    DuplicateColumn(String),
    Unreadable(String),
}

impl FileError {
    pub fn message(&self) -> String {
        match self {
            FileError::TooLarge => format!(
                "The file is larger than 2 MiB, the most one import takes. Split it into files of at most {MAX_IMPORT_ROWS} rows."
            ),
            FileError::TooManyRows { rows } => format!(
                "The file has {rows} rows and at most {MAX_IMPORT_ROWS} are taken at a time. Split it into smaller files."
            ),
            FileError::NotUtf8 => {
                "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.".into()
            }
            FileError::Empty => "The file is empty: it needs a header row and at least one person.".into(),
            FileError::NoEmailColumn => {
                "The first row must name the columns, and one of them must be “email”.".into()
            }
            FileError::DuplicateColumn(c) => format!("The column “{c}” appears twice in the header."),
            FileError::Unreadable(why) => format!("The file could not be read as CSV: {why}."),
        }
    }
}

fn header_key(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a header cell names: the fixed columns by their usual spellings, custom fields by
/// their label (any case).
pub fn column_of(header: &str, fields: &[ImportField]) -> Column {
    let key = header_key(header);
    match key.as_str() {
        "email" | "e-mail" | "email address" | "e-mail address" => Column::Email,
        "name" | "display name" | "full name" => Column::Name,
        "interests" | "tags" => Column::Interests,
        _ => fields
            .iter()
            .position(|f| header_key(&f.label) == key)
            .map(Column::Field)
            .unwrap_or(Column::Ignored),
    }
}

/// Splits a cell holding several values (interests, several choices) on semicolons.
fn split_values(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads and checks a whole file. File-level problems (size, encoding, header) are errors;
/// row-level ones are kept on each row.
pub fn parse_file(bytes: &[u8], fields: &[ImportField]) -> Result<ParsedFile, FileError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(FileError::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(FileError::NotUtf8);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| FileError::Unreadable(e.to_string()))?
        .clone();
    let mut columns: Vec<(String, Column)> = Vec::new();
    let mut notes = Vec::new();
    for cell in header.iter() {
        let name = cell.trim().to_string();
        let column = column_of(&name, fields);
        if column != Column::Ignored && columns.iter().any(|(_, c)| *c == column) {
            return Err(FileError::DuplicateColumn(name));
        }
        if column == Column::Ignored && !name.is_empty() {
            let key = header_key(&name);
            let message = if key == "tier" || key.contains("membership tier") {
                "Membership tiers are not supported by the import yet; this column is skipped."
                    .to_string()
            } else {
                "No profile field has this label; this column is skipped.".to_string()
            };
            notes.push(ColumnNote {
                column: name.clone(),
                message,
            });
        }
        columns.push((name, column));
    }
    if !columns.iter().any(|(_, c)| *c == Column::Email) {
        return Err(FileError::NoEmailColumn);
    }
    let mut rows: Vec<ParsedRow> = Vec::new();
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    // Line numbers, counted from the byte offsets: a record's position can point at the line
    // end of the record before it (and blank lines), which are skipped here.
    let (mut counted_to, mut lines_before) = (0usize, 0u64);
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Unreadable(e.to_string()))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_IMPORT_ROWS {
            return Err(FileError::TooManyRows {
                rows: rows.len() + 1 + reader.records().count(),
            });
        }
        let start = record
            .position()
            .map(|p| p.byte() as usize)
            .unwrap_or(0)
            .min(bytes.len());
        if start >= counted_to {
            lines_before += bytes[counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = start;
        }
        let line = 1
            + lines_before
            + bytes[start..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .filter(|b| **b == b'\n')
                .count() as u64;
        let mut row = ParsedRow {
            line,
            ..Default::default()
        };
        if record.len() != columns.len() {
            row.problems.push(RowProblem {
                kind: ProblemKind::WrongCellCount,
                column: String::new(),
                message: format!(
                    "This row has {} cells and the header has {}: put cells that contain commas in double quotes.",
                    record.len(),
                    columns.len()
                ),
            });
        }
        for ((name, column), cell) in columns.iter().zip(record.iter()) {
            let cell = cell.trim();
            match column {
                Column::Email => {
                    row.raw_email = cell.to_string();
                    match Email::parse(cell) {
                        Ok(e) => row.email = Some(e.as_str().to_string()),
                        Err(m) => row.problems.push(RowProblem {
                            kind: ProblemKind::InvalidEmail,
                            column: name.clone(),
                            message: if cell.is_empty() {
                                "The e-mail address is missing.".into()
                            } else {
                                m
                            },
                        }),
                    }
                }
                Column::Name => {
                    let n = cell.split_whitespace().collect::<Vec<_>>().join(" ");
                    if n.chars().count() > MAX_NAME {
                        row.problems.push(RowProblem {
                            kind: ProblemKind::InvalidValue,
                            column: name.clone(),
                            message: format!("Keep the name to {MAX_NAME} characters."),
                        });
                    } else {
                        row.name = n;
                    }
                }
                Column::Interests => {
                    let input = ProfileInput {
                        interests: vec![split_values(cell).join(",")],
                        ..Default::default()
                    };
                    match input.parse() {
                        Ok(p) => row.interests = p.interests,
                        Err(e) => row.problems.push(RowProblem {
                            kind: ProblemKind::InvalidValue,
                            column: name.clone(),
                            message: e.for_field("interests").unwrap_or_default().to_string(),
                        }),
                    }
                }
                Column::Field(i) => {
                    let f = &fields[*i];
                    let given = if f.kind == FieldKind::MultiSelect {
                        split_values(cell)
                    } else {
                        vec![cell.to_string()]
                    };
                    // Required fields may stay empty here, as when someone joins: the member
                    // is asked for them on their profile.
                    match parse_field_answer(f.kind, &f.options, false, &f.label, &given) {
                        Ok(values) if values.is_empty() => {}
                        Ok(values) => row.answers.push((*i, values)),
                        Err(message) => row.problems.push(RowProblem {
                            kind: ProblemKind::InvalidValue,
                            column: name.clone(),
                            message,
                        }),
                    }
                }
                Column::Ignored => {}
            }
        }
        if let Some(email) = &row.email {
            if let Some(first) = seen.get(email) {
                row.problems.push(RowProblem {
                    kind: ProblemKind::Duplicate,
                    column: "email".into(),
                    message: format!(
                        "This address is also on line {first}; keep one row per person."
                    ),
                });
            } else {
                seen.insert(email.clone(), line);
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(ParsedFile {
        columns,
        notes,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<ImportField> {
        vec![
            ImportField {
                id: "f1".into(),
                label: "Company size".into(),
                kind: FieldKind::SingleSelect,
                options: vec!["1-10".into(), "11-50".into()],
            },
            ImportField {
                id: "f2".into(),
                label: "Languages".into(),
                kind: FieldKind::MultiSelect,
                options: vec!["Rust".into(), "Go".into(), "Python".into()],
            },
        ]
    }

    #[test]
    fn reads_bom_crlf_and_quoted_cells() {
        let file = "\u{feff}Email,Name,Company size,Languages,interests,Tier\r\n\
                    ada@example.org,\"Lovelace, Ada\",1-10,rust; go,Maths;Engines,gold\r\n\
                    bob@example.org,\"Bob\nthe Builder\",,,,\r\n";
        let parsed = parse_file(file.as_bytes(), &fields()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        let ada = &parsed.rows[0];
        assert!(ada.is_valid(), "{:?}", ada.problems);
        assert_eq!(ada.email.as_deref(), Some("ada@example.org"));
        assert_eq!(ada.name, "Lovelace, Ada");
        assert_eq!(ada.interests, vec!["maths", "engines"]);
        assert_eq!(
            ada.answers,
            vec![
                (0, vec!["1-10".to_string()]),
                (1, vec!["Rust".to_string(), "Go".to_string()])
            ]
        );
        assert_eq!(parsed.rows[1].name, "Bob the Builder");
        assert_eq!(parsed.rows[1].line, 3);
        assert_eq!(parsed.notes.len(), 1);
        assert!(parsed.notes[0].message.contains("not supported"));
    }

    #[test]
    fn row_problems_are_named() {
        let file =
            "email,company size\nnot-an-address,1-10\na@x.org,huge\nA@x.org,\nb@x.org,1-10,extra\n";
        let parsed = parse_file(file.as_bytes(), &fields()).unwrap();
        let kinds: Vec<Vec<ProblemKind>> = parsed
            .rows
            .iter()
            .map(|r| r.problems.iter().map(|p| p.kind).collect())
            .collect();
        assert_eq!(
            kinds,
            vec![
                vec![ProblemKind::InvalidEmail],
                vec![ProblemKind::InvalidValue],
                vec![ProblemKind::Duplicate],
                vec![ProblemKind::WrongCellCount],
            ]
        );
    }

    #[test]
    fn file_problems_refuse_the_whole_file() {
        assert_eq!(
            parse_file(b"name\nAda\n", &[]).unwrap_err(),
            FileError::NoEmailColumn
        );
        assert_eq!(parse_file(b"email\n", &[]).unwrap_err(), FileError::Empty);
        assert_eq!(
            parse_file(b"email\n\xff\xfe\n", &[]).unwrap_err(),
            FileError::NotUtf8
        );
        let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
        assert!(matches!(
            parse_file(&big, &[]).unwrap_err(),
            FileError::TooLarge
        ));
        let mut many = String::from("email\n");
        for n in 0..=MAX_IMPORT_ROWS {
            many.push_str(&format!("p{n}@x.org\n"));
        }
        assert_eq!(
            parse_file(many.as_bytes(), &[]).unwrap_err(),
            FileError::TooManyRows {
                rows: MAX_IMPORT_ROWS + 1
            }
        );
    }
}
