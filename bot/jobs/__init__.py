"""Scheduled jobs: each opens its own sessions, logs failures and never kills the scheduler.

`sync` (the import directory and the EIS), `retention`, `reminders` (the outbox runner) and
`consult` (the consultants' SLA re-announcements); bot/app.py schedules them."""
