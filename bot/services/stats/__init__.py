"""Procurement statistics for a region (or all Russia) and a period.

Every figure is computed by SQL aggregation (GROUP BY / SUM / COUNT); Python only merges the
few grouped rows. Procedures are counted by `published_at` (UTC), contracts by `signed_on`.
Money is summed only for roubles; on SQLite (where NUMERIC is a float) the sum is taken in
whole kopecks so it stays exact. Results are cached per (database, region, period, day) in
memory; `clear_cache()` drops them (the importer calls it after every import).

- `period` — what is asked: the period (parsed, checked) and the query;
- `regions` — the region codes and names; `okpd2` — the OKPD2 class names;
- `result` — the frozen figures (`Stats`) handed to the UI;
- `cells` — the monthly cells the importer keeps (`stat_*` tables), and their SELECTs;
- `compute` — the grouped SELECTs over the monthly cells and the partial months;
- `cache` — `get_stats`, the per-database cache, `clear_cache`.
"""
