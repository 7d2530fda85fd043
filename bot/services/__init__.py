"""Use cases: no aiogram, no HTML. Each service commits its own unit of work."""
