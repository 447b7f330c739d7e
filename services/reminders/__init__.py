"""Reminder e-mails: what each digest says, the e-mail itself, and the daily run with its ledger."""
