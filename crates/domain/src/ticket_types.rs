//! Ticket types: the kinds of seat an event offers (free; a price label is shown, never
//! charged). Every event has at least one; an event scheduled without any gets
//! "General admission" without a limit of its own, so its capacity alone governs.
//!
//! Form fields are numbered from 1 (`ticket_type_1_name`, `_price_label`, `_quantity`,
//! `_description`, and `_id` for a type that exists); errors name them the same way in the
//! HTML form and the API.

use crate::ValidationErrors;

pub const MAX_TICKET_TYPES: usize = 10;
pub const MAX_NAME: usize = 80;
pub const MAX_PRICE_LABEL: usize = 40;
pub const MAX_DESCRIPTION: usize = 500;
pub const MAX_QUANTITY: i64 = 100_000;
pub const GENERAL_ADMISSION: &str = "General admission";

/// A ticket type as the host typed it. `id` names a type that exists (empty for a new one).
#[derive(Debug, Clone, Default)]
pub struct TicketTypeDraft {
    pub id: String,
    pub name: String,
    pub price_label: String,
    pub quantity: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketType {
    /// The existing type this replaces, if any.
    pub id: Option<String>,
    pub name: String,
    pub price_label: String,
    pub description: String,
    /// `None`: no limit of its own.
    pub quantity: Option<i64>,
    /// The row number it came from (1-based), for error fields.
    pub row: usize,
}

impl TicketType {
    /// The type an event gets when its host names none.
    pub fn general_admission() -> TicketType {
        TicketType {
            id: None,
            name: GENERAL_ADMISSION.into(),
            price_label: String::new(),
            description: String::new(),
            quantity: None,
            row: 1,
        }
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field of one part of the `n`th ticket type row.
pub fn field(n: usize, part: &str) -> String {
    format!("ticket_type_{n}_{part}")
}

/// Checks a host's ticket types. Rows left entirely empty are skipped (the form's blank
/// rows); at least one must remain, with distinct names.
pub fn validate_ticket_types(
    drafts: &[TicketTypeDraft],
) -> Result<Vec<TicketType>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut types: Vec<TicketType> = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let n = i + 1;
        let name = squash(&d.name);
        let price_label = squash(&d.price_label);
        let description = d.description.trim().to_string();
        let quantity_text = d.quantity.trim();
        if name.is_empty()
            && price_label.is_empty()
            && description.is_empty()
            && quantity_text.is_empty()
        {
            continue;
        }
        let mut ok = true;
        if name.is_empty() {
            errors.add(&field(n, "name"), "Name the ticket type.");
            ok = false;
        } else if name.chars().count() > MAX_NAME {
            errors.add(
                &field(n, "name"),
                format!("Keep the name to {MAX_NAME} characters."),
            );
            ok = false;
        } else if types
            .iter()
            .any(|t| t.name.to_lowercase() == name.to_lowercase())
        {
            errors.add(
                &field(n, "name"),
                "Another ticket type has this name: give each its own.",
            );
            ok = false;
        }
        if price_label.chars().count() > MAX_PRICE_LABEL {
            errors.add(
                &field(n, "price_label"),
                format!("Keep the price label to {MAX_PRICE_LABEL} characters."),
            );
            ok = false;
        }
        if description.chars().count() > MAX_DESCRIPTION {
            errors.add(
                &field(n, "description"),
                format!("Keep the description to {MAX_DESCRIPTION} characters."),
            );
            ok = false;
        }
        let quantity = if quantity_text.is_empty() {
            None
        } else {
            match quantity_text.parse::<i64>() {
                Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
                _ => {
                    errors.add(
                        &field(n, "quantity"),
                        format!(
                            "Give the quantity as a whole number from 1 to {MAX_QUANTITY}, \
                             or leave it empty for no limit of its own."
                        ),
                    );
                    ok = false;
                    None
                }
            }
        };
        if ok {
            types.push(TicketType {
                id: Some(d.id.trim().to_string()).filter(|id| !id.is_empty()),
                name,
                price_label,
                description,
                quantity,
                row: n,
            });
        }
    }
    if errors.is_empty() {
        if types.is_empty() {
            errors.add(
                "ticket_types",
                "Offer at least one ticket type (for example “General admission”).",
            );
        } else if types.len() > MAX_TICKET_TYPES {
            errors.add(
                "ticket_types",
                format!("Offer at most {MAX_TICKET_TYPES} ticket types."),
            );
        }
    }
    errors.finish(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, quantity: &str) -> TicketTypeDraft {
        TicketTypeDraft {
            name: name.into(),
            quantity: quantity.into(),
            ..Default::default()
        }
    }

    #[test]
    fn blank_rows_are_skipped_and_bad_ones_named() {
        let t = validate_ticket_types(&[
            draft("", ""),
            draft(" Early  bird ", "20"),
            draft("Standard", ""),
        ])
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].name, "Early bird");
        assert_eq!(t[0].quantity, Some(20));
        assert_eq!(t[0].row, 2);
        assert_eq!(t[1].quantity, None);

        let e = validate_ticket_types(&[
            draft("A", "1"),
            draft("", "5"),
            draft("a", "3"),
            draft("B", "0"),
        ])
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "ticket_type_2_name",
                "ticket_type_3_name",
                "ticket_type_4_quantity"
            ]
        );
        let e = validate_ticket_types(&[draft("", "")]).unwrap_err();
        assert_eq!(e.0[0].field, "ticket_types");
    }
}
