"""Workflows that span a service, Telegram and the record of what was sent."""
