"""Reminders: what a user follows and the outbox that delivers what is due.

- `prefs` — a user's lead times, time zone, quiet hours and news switch, with the defaults;
- `targets` — what a procedure or a contract has to remind about (its events and status);
- `planner` — re-planning: a subscription's outbox rows made to match its target, after a
  settings change or when the data changed (`reconcile`);
- `subscriptions` — subscribe, saved searches, list, pause and delete;
- `digests` — saved-search digests and legislative news queued for sending;
- `outbox` — the claim / confirm protocol over the `reminders` table (lease, claim, mark,
  record).
"""
