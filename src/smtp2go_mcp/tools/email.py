"""Sending: email/send, email/mime, email/batch and the scheduled-email queue."""
