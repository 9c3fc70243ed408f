"""email/send, email/mime, email/batch, email/scheduled/* and archive/*."""
