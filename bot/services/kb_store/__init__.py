"""Knowledge-base articles in the database: versions, sync from files, export, publishing.

Every saved state of an article is a row of `article_versions`; the current state is the
highest version of each article id, and a version with `is_deleted` removes the article.
The stored text is the file exactly as it was read (BOM, CRLF and final newline kept), so
`sync_from_dir` followed by `export_to_dir` reproduces the files byte for byte.

Paths are relative to the `articles/` directory of a knowledge directory
(`security/security-bid-size-44.md`); `export_to_dir(DIR)` writes `DIR/articles/<path>`, so
an export is itself a knowledge directory that `smebot kb check/sync --dir DIR` accepts.

Validation is the one of `smebot kb check` (knowledge.loader, and knowledge.citations once its
ENFORCE_CITATIONS switch is on), run against the current database set: an upload's `related`
ids must name current articles, and its id is its identity — an upload with the id of a
current article is a new version of that article, and is refused when it would put it in
another section (another path).

- `versions` — the `article_versions` table: the current heads, a new version, history;
- `files` — sync from a knowledge directory, export to one, the articles the bot loads;
- `uploads` — an uploaded article decoded, checked against the stored set, published or
  rolled back.

The public names are re-exported here for the tests that use the package as one namespace.
"""

from bot.services.kb_store.files import (
    SYNC_AUTHOR,
    SyncSummary,
    export_to_dir,
    load_articles_from_db,
    sync_from_dir,
)
from bot.services.kb_store.uploads import (
    CHECK_SECONDS,
    MAX_UPLOAD_BYTES,
    UPLOAD,
    PublishResult,
    decode_upload,
    figure_problems,
    publish,
    rollback,
    validate_upload,
)
from bot.services.kb_store.versions import ArticlesRejected, VersionInfo, current_text, history

__all__ = [
    "CHECK_SECONDS",
    "MAX_UPLOAD_BYTES",
    "SYNC_AUTHOR",
    "UPLOAD",
    "ArticlesRejected",
    "PublishResult",
    "SyncSummary",
    "VersionInfo",
    "current_text",
    "decode_upload",
    "export_to_dir",
    "figure_problems",
    "history",
    "load_articles_from_db",
    "publish",
    "rollback",
    "sync_from_dir",
    "validate_upload",
]
