"""Outgoing mail: an outbox table written in the same transaction as the change that causes
the mail, and a sender that delivers it (SMTP or files), retries with backoff and records
the outcome."""
