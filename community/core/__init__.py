"""Shared helpers only: database set-up, errors, security headers, permissions, time."""
