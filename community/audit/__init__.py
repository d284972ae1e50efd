"""The audit log: who did what to which thing, and when. Rows are written by the services
that make the change, in the same transaction (`services.record`), and never edited.
Event staff changes are the first writers; moderation's actions join them."""
