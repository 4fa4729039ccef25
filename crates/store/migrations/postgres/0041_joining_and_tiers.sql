-- Application questions get a help text shown under the question on the join form (admins
-- edit a question's text, help and requirement; answers already given keep the question's
-- text as it was asked, so an edit or a reorder never moves them to another question).
ALTER TABLE application_questions ADD COLUMN help TEXT NOT NULL DEFAULT '';
