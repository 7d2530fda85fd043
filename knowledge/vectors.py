"""Russian word vectors for semantic similarity: navec (news, 250K words, 300 dimensions,
product-quantised), as shipped inside the `natasha` wheel — nothing is downloaded at run time.

The file is read with a lean loader of our own instead of `navec.Navec.load`: the words stay
one sorted UTF-8 blob with offsets (found by binary search) instead of a 250K-entry dict and
two Python lists, which keeps the resident size near 30 MiB instead of about 110 MiB. Loaded
once per process (`load_vectors`), on first use.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import os
import tarfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

NAVEC_FILE = "navec_news_v1_1B_250K_300d_100q.tar"
Vector = npt.NDArray[np.float32]


def navec_path() -> Path | None:
    """The navec archive inside the installed natasha package (without importing natasha,
    which would pull in its NER and syntax models); SMEBOT_VECTORS overrides, "off" disables."""
    override = os.environ.get("SMEBOT_VECTORS")
    if override:
        return None if override.lower() in {"off", "0", "none"} else Path(override)
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "emb" / NAVEC_FILE
    return path if path.exists() else None


class WordVectors:
    """Unit-length word vectors decoded on demand from the product-quantised codes."""

    def __init__(
        self, blob: bytes, offsets: npt.NDArray[np.int64], ids: npt.NDArray[np.int32],
        indexes: npt.NDArray[np.uint8], codes: npt.NDArray[np.float32],
    ) -> None:  # fmt: skip
        self._blob = blob  # sorted words, UTF-8, "\n"-separated
        self._offsets = offsets  # start of word i in the blob, plus the blob's end
        self._ids = ids  # row of word i (sorted order) in the quantised table
        self._indexes = indexes  # rows x subspaces: centroid number per subspace
        self._codes = codes  # subspaces x centroids x subdim
        self._subspaces = np.arange(codes.shape[0])
        self.dim = int(codes.shape[0] * codes.shape[2])
        self.size = len(ids)

    @classmethod
    def load(cls, path: Path) -> WordVectors:
        with tarfile.open(path) as tar:

            def member(name: str) -> bytes:
                f = tar.extractfile(name)
                if f is None:
                    raise ValueError(f"{path}: no {name}")
                return f.read()

            json.loads(member("meta.json"))  # present in every navec archive
            vocab = gzip.decompress(member("vocab.bin"))
            pq = member("pq.bin")
        size = int(np.frombuffer(vocab[:4], np.uint32)[0])
        words = vocab[4 + 4 * size :].decode("utf-8").split("\n")
        vectors, _dim, qdim, centroids = (int(x) for x in np.frombuffer(pq[:16], np.uint32))
        indexes = np.frombuffer(pq[16 : 16 + vectors * qdim], np.uint8).reshape(vectors, qdim)
        codes = np.frombuffer(pq[16 + vectors * qdim :], np.float32).reshape(qdim, centroids, -1)
        order = sorted(range(len(words)), key=words.__getitem__)
        encoded = [words[i].encode("utf-8") for i in order]
        lengths = np.fromiter((len(w) + 1 for w in encoded), np.int64, len(encoded))
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        blob = b"\n".join(encoded) + b"\n"
        return cls(blob, offsets, np.array(order, np.int32), indexes, codes)

    def _word(self, i: int) -> bytes:
        return self._blob[self._offsets[i] : self._offsets[i + 1] - 1]

    def _row(self, word: str) -> int | None:
        key = word.encode("utf-8")
        lo, hi = 0, self.size
        while lo < hi:  # bisect over the sorted blob (bytes order = code point order)
            mid = (lo + hi) // 2
            if self._word(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.size and self._word(lo) == key:
            return int(self._ids[lo])
        return None

    def __contains__(self, word: str) -> bool:
        return self._row(word) is not None

    def get(self, word: str) -> Vector | None:
        """The unit vector of a word (lower case), or None when navec does not know it."""
        return _vector(self, word)

    @property
    def nbytes(self) -> int:
        arrays = (self._offsets, self._ids, self._indexes, self._codes)
        return len(self._blob) + sum(a.nbytes for a in arrays)


@lru_cache(maxsize=100_000)
def _vector(vectors: WordVectors, word: str) -> Vector | None:
    row = vectors._row(word)
    if row is None:
        return None
    v = vectors._codes[vectors._subspaces, vectors._indexes[row]].reshape(vectors.dim)
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm else None


@lru_cache(maxsize=1)
def load_vectors() -> WordVectors | None:
    """The process-wide vectors, or None (semantic layer off) when natasha is missing."""
    path = navec_path()
    if path is None:
        log.warning("word vectors off (no natasha, or SMEBOT_VECTORS=off): lexical ranking only")
        return None
    return WordVectors.load(path)
