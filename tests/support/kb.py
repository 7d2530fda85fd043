"""A small knowledge base on disk: the sample article's siblings and writing articles out."""

from __future__ import annotations

from pathlib import Path

from tests.factories import GOOD_ARTICLE as GOOD

OTHER = (
    GOOD.replace("id: test-article", "id: other-article")
    .replace("section: smp", "section: security")
    .replace("related: []", "related: [test-article]")
)
NEW = GOOD.replace("id: test-article", "id: new-article").replace(
    "related: []", "related: [test-article]"
)


def write_kb(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        target = root / "articles" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
    return root
