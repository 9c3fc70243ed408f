"""domain/*, single_sender_emails/* and allowed_recipients/*."""
