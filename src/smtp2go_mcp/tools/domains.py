"""Sender domains, single sender emails and allowed recipients."""
