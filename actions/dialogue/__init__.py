"""Reading replies in context: every question the assistant asks is a `Question` in the
conversation's slots, and one form (`question_form`) reads the next reply against it
(docs/architecture.md, "Reading replies in context")."""
