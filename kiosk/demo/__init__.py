"""Demo data for an empty database: named members with printable cards, and history."""
