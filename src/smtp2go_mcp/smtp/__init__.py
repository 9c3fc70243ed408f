"""Sending through any SMTP server: profiles, sender identities, composition, transport."""
