"""How the process runs when scaled out: webhook replicas (`web`), the elected `worker`,
PostgreSQL advisory locks and notifications, health and metrics endpoints.

`smebot run` (bot/runner.py) stays the all-in-one single process."""
