"""Helpers shared by several test modules (fakes, seeded data, scenario steps)."""
