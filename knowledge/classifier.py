"""A discriminative reading of a question: a linear classifier (scikit-learn's LinearSVC over
character n-grams and lemma n-grams, TF-IDF) trained on each article's own title, questions,
headings and phrasings, which says which article a question is most like *against the
others*. BM25 counts the words an article shares with a question; the classifier weighs the
words and word pieces that tell the articles apart, and reads unseen inflections, typos and
compounds by their character n-grams.

A last class is trained on knowledge/offtopic.yaml, messages the bot must decline (taxes,
staff, private contracts, everyday topics; written from the brief and the article titles):
`reading` gives its share beside the articles' distribution (knowledge.decision.OUTSIDE).

It is trained from the articles alone (no evaluation set is read; its C was chosen by
5-fold cross-validation on the phrasings, see docs/benchmarks.md) when an index is built,
and cached by the training texts, in memory and on disk (`cache_dir`, SMEBOT_CACHE_DIR), so
rebuilding an index over the same articles, or restarting over them, trains nothing.
Below MIN_ARTICLES or above MAX_ARTICLES articles it is not trained (the one-vs-rest fit and
its weights grow with articles × n-grams: 600 recombined synthetic articles took 60 s and
100 MiB; 300 was not measured, it is three times the shipped base);
the search then orders by its other terms alone.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from knowledge.loader import Article
from knowledge.text import lemmas

# LinearSVC's C (cross-validated on held-out phrasings: 0.05–1.0 tried, 0.5 best).
C = 0.5
# The margins become a distribution by a softmax at this temperature.
TEMPERATURE = 5.0
MIN_ARTICLES = 20
MAX_ARTICLES = 300
CHAR_GRAMS = (3, 5)
# a character n-gram found in one training text only is not a feature
CHAR_MIN_DF = 2
_CACHE_SIZE = 4
# What the disk cache's key covers besides the training texts: the file layout, the
# parameters and the versions of what turns a text into features.
_FORMAT = 1
_KEPT_ON_DISK = 4  # as many as the in-memory cache holds (about 25 MB each)

log = logging.getLogger(__name__)


# Messages the bot must decline (knowledge/offtopic.yaml): the classifier's one class beyond
# the articles, so a question can be read as like none of them.
OUTSIDE = Path(__file__).with_name("offtopic.yaml")


@functools.cache
def outside_texts(path: Path = OUTSIDE) -> tuple[str, ...]:
    """The off-topic messages the classifier learns as its last class (none when the file is
    missing)."""
    if not path.is_file():
        return ()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(str(m).strip() for m in data.get("messages") or () if str(m).strip())


def training_texts(article: Article) -> list[str]:
    """What an article is trained on: its title, questions, headings and phrasings."""
    headings = [
        line.strip("# ").strip() for line in article.body.splitlines() if line.startswith("#")
    ]
    return [t for t in (article.title, *article.questions, *headings, *article.phrasings) if t]


class ArticleClassifier:
    """Trained once per set of articles with scikit-learn (`trained`); `probabilities` reads a
    question with the fitted vocabularies, idf and weights alone (the same arithmetic as
    TfidfVectorizer.transform and LinearSVC.decision_function, without their per-call input
    checks, which cost about ten times the product itself). `save` and `load` keep those
    arrays on disk, so a restart over the same articles needs neither the training nor
    scikit-learn."""

    def __init__(
        self,
        size: int,
        chars: Sequence[str],
        words: Sequence[str],
        idf: npt.NDArray[np.float64],
        weights: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float64],
        rows: npt.NDArray[np.int64],
    ) -> None:
        self.size = size
        self._chars: dict[str, int] = dict(zip(chars, range(len(chars)), strict=True))
        n_chars = len(chars)
        self._words: dict[str, int] = dict(
            zip(words, range(n_chars, n_chars + len(words)), strict=True)
        )
        self._idf = idf
        # the weights by feature (one row per n-gram), for gathering a question's rows
        self._weights = weights
        self._intercept = intercept
        self._rows = rows

    @classmethod
    def trained(cls, articles: Sequence[Article], outside: Sequence[str] = ()) -> ArticleClassifier:
        """Fit on the articles' training texts and the `outside` messages (ValueError when
        there is nothing to learn)."""
        chars, words_, model = fit(articles, outside)
        rows = np.asarray(model.classes_, np.int64)
        coef = np.asarray(model.coef_, np.float32)
        intercept = np.asarray(model.intercept_, np.float64)
        if len(rows) == 2:  # a binary model keeps one margin, for the second class
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        return cls(
            len(articles),
            _by_column(chars.vocabulary_),
            _by_column(words_.vocabulary_),
            np.concatenate([chars.idf_, words_.idf_]).astype(np.float64),
            np.ascontiguousarray(coef.T),
            intercept,
            rows,
        )

    def save(self, path: Path) -> None:
        """Write the arrays (and the vocabularies, one n-gram per line) to `path` atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            with temporary.open("wb") as out:
                np.savez(
                    out,
                    size=np.array(self.size),
                    chars=_joined(self._chars),
                    words=_joined(self._words),
                    idf=self._idf,
                    weights=self._weights,
                    intercept=self._intercept,
                    rows=self._rows,
                )
            os.replace(temporary, path)
        except BaseException:
            # a full disk or an interrupt mid-write: leave no hidden half-file behind
            temporary.unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> ArticleClassifier:
        """Read what `save` wrote (OSError, ValueError or KeyError when it cannot)."""
        with np.load(path, allow_pickle=False) as data:
            chars = _split(data["chars"])
            words = _split(data["words"])
            weights = np.ascontiguousarray(data["weights"], np.float32)
            made = cls(
                int(data["size"]),
                chars,
                words,
                np.asarray(data["idf"], np.float64),
                weights,
                np.asarray(data["intercept"], np.float64),
                np.asarray(data["rows"], np.int64),
            )
        if weights.shape[0] != len(chars) + len(words) or len(made._idf) != weights.shape[0]:
            raise ValueError(f"{path}: vocabularies and weights disagree")
        return made

    def margins(self, query: str) -> npt.NDArray[np.float64]:
        """LinearSVC's decision function for the question, one margin per trained article."""
        out = self._intercept.copy()
        for vocabulary, grams in (
            (self._chars, _char_grams(query)),
            (self._words, _word_grams(_lemmas(query))),
        ):
            counts: dict[int, int] = {}
            for gram in grams:
                col = vocabulary.get(gram)
                if col is not None:
                    counts[col] = counts.get(col, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts, np.int64, len(counts))
            tf = np.log(np.fromiter(counts.values(), np.float64, len(counts))) + 1.0
            values = tf * self._idf[cols]
            values /= np.sqrt(values @ values)
            out += values @ self._weights[cols]
        return out

    def probabilities(self, query: str) -> npt.NDArray[np.float64]:
        """A distribution over the articles (in the order they were given): the margins
        through a softmax at TEMPERATURE."""
        return self.reading(query)[0]

    def reading(self, query: str) -> tuple[npt.NDArray[np.float64], float]:
        """The distribution over the articles (`probabilities`) and the probability that the
        question is like none of them: the outside class's share of the softmax over every
        class (0 when no outside messages were trained)."""
        margins = self.margins(query)
        e = np.exp(TEMPERATURE * (margins - margins.max()))
        mine = self._rows < self.size
        out = np.zeros(self.size, np.float64)
        out[self._rows[mine]] = e[mine] / e[mine].sum()
        return out, float(e[~mine].sum() / e.sum())

    @property
    def nbytes(self) -> int:
        """The weights and idf exactly, the two n-gram dictionaries estimated at 100 bytes
        per entry (a short str key, an int and the dict slot)."""
        return int(self._weights.nbytes + self._idf.nbytes) + 100 * (
            len(self._chars) + len(self._words)
        )


def fit(articles: Sequence[Article], outside: Sequence[str] = ()) -> tuple[Any, Any, Any]:
    """scikit-learn's vectorizers (character n-grams of the text, word n-grams of its lemmas)
    and the LinearSVC, fitted on the articles' training texts (row i of the model's classes
    is articles[i]) and the `outside` messages (class len(articles))."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts: list[str] = []
    labels: list[int] = []
    for row, article in enumerate(articles):
        for text in training_texts(article):
            texts.append(text)
            labels.append(row)
    texts.extend(outside)
    labels.extend([len(articles)] * len(outside))
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=CHAR_GRAMS, sublinear_tf=True, min_df=CHAR_MIN_DF
    )
    words_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+")
    features = hstack(
        [chars.fit_transform(texts), words_.fit_transform([_lemmas(t) for t in texts])]
    ).tocsr()
    model = LinearSVC(C=C)
    model.fit(features, labels)
    return chars, words_, model


_WHITE_SPACES = re.compile(r"\s\s+")


def _char_grams(text: str) -> list[str]:
    """TfidfVectorizer's `char_wb` n-grams of CHAR_GRAMS (lowercased, each word padded with
    a space on both sides; a word shorter than n counted once)."""
    low, high = CHAR_GRAMS
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        w = f" {word} "
        for n in range(low, high + 1):
            grams.extend(w[i : i + n] for i in range(max(len(w) - n + 1, 1)))
            if len(w) <= n:
                break
    return grams


def _word_grams(text: str) -> list[str]:
    """TfidfVectorizer's word unigrams and bigrams with the token pattern `\\S+`."""
    tokens = text.lower().split()
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def _lemmas(text: str) -> str:
    return " ".join(lemmas(text))


def _by_column(vocabulary: Mapping[str, Any]) -> list[str]:
    """A fitted vocabulary's n-grams in the order of their columns."""
    out = [""] * len(vocabulary)
    for gram, col in vocabulary.items():
        out[int(col)] = gram
    return out


def _joined(vocabulary: Mapping[str, int]) -> npt.NDArray[np.uint8]:
    """The n-grams in column order, one per line, as UTF-8 bytes (no n-gram holds a newline:
    both analyzers split on whitespace)."""
    text = "\n".join(sorted(vocabulary, key=vocabulary.__getitem__))
    return np.frombuffer(text.encode(), np.uint8)


def _split(data: npt.NDArray[np.uint8]) -> list[str]:
    text = data.tobytes().decode()
    return text.split("\n") if text else []


def cache_dir() -> Path | None:
    """Where trained classifiers are kept between runs: SMEBOT_CACHE_DIR, else
    $XDG_CACHE_HOME/smebot (~/.cache/smebot); SMEBOT_CACHE_DIR=off keeps none."""
    configured = os.environ.get("SMEBOT_CACHE_DIR", "")
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "smebot"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def _key(articles: Sequence[Article], outside: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    settings = (_FORMAT, C, CHAR_GRAMS, CHAR_MIN_DF, _version("scikit-learn"))
    digest.update(repr((*settings, _version("pymorphy3"))).encode())
    for article in articles:
        digest.update(article.id.encode())
        for text in training_texts(article):
            digest.update(b"\0" + text.encode())
        digest.update(b"\1")
    for text in outside:
        digest.update(b"\2" + text.encode())
    return digest.hexdigest()


def _from_disk(key: str) -> ArticleClassifier | None:
    directory = cache_dir()
    if directory is None:
        return None
    path = directory / f"classifier-{key}.npz"
    if not path.is_file():
        return None
    try:
        return ArticleClassifier.load(path)
    except (OSError, ValueError, KeyError) as error:
        log.warning("classifier cache %s unreadable (%s): training again", path, error)
        return None


def _to_disk(key: str, made: ArticleClassifier) -> None:
    directory = cache_dir()
    if directory is None:
        return
    try:
        made.save(directory / f"classifier-{key}.npz")
        kept = sorted(directory.glob("classifier-*.npz"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-_KEPT_ON_DISK]:
            old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("classifier cache in %s not written (%s)", directory, error)


_cache: OrderedDict[str, ArticleClassifier] = OrderedDict()
_lock = threading.Lock()


def classifier_for(
    articles: Sequence[Article], outside: Sequence[str] | None = None
) -> ArticleClassifier | None:
    """The classifier for these articles, or None when there are fewer than MIN_ARTICLES
    (too little to tell apart) or more than MAX_ARTICLES. Cached by their training texts in
    memory and on disk (`cache_dir`), so a restart over the same articles is not trained."""
    if not MIN_ARTICLES <= len(articles) <= MAX_ARTICLES:
        return None
    if outside is None:
        outside = outside_texts()
    key = _key(articles, outside)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    made = _from_disk(key)
    if made is None or made.size != len(articles):
        try:
            made = ArticleClassifier.trained(articles, outside)
        except ValueError:  # nothing to learn from (no n-gram in two texts, one class)
            return None
        _to_disk(key, made)
    with _lock:
        _cache[key] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return made
