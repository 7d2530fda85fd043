"""Import parsed procurement documents: idempotent, newest version wins, each document atomic.

- `batches` — `import_files`: documents in batches, a savepoint per batch or per document,
  the summary, the statistics cells refreshed at the end;
- `bulk` — a batch of notices or contracts in a few bulk statements;
- `documents` — one document at a time (`apply_document`): notices, protocols, contracts,
  execution documents;
- `editions` — which edition of a number wins (version, source family, protocol rank);
- `rows` — a parsed record as table rows (values, lots, stages, search text).
"""
