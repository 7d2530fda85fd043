"""A discriminative reading of a question: a linear classifier (scikit-learn's LinearSVC over
character n-grams and lemma n-grams, TF-IDF) trained on each article's own title, questions,
headings and phrasings, which says which article a question is most like *against the
others*. BM25 counts the words an article shares with a question; the classifier weighs the
words and word pieces that tell the articles apart, and reads unseen inflections, typos and
compounds by their character n-grams.

It is trained from the articles alone (no evaluation set is read; its C was chosen by
5-fold cross-validation on the phrasings, see docs/benchmarks.md) when an index is built,
and cached by the training texts, so rebuilding an index over the same articles is free.
Below MIN_ARTICLES or above MAX_ARTICLES articles it is not trained (the one-vs-rest fit and
its weights grow with articles × n-grams: 600 recombined synthetic articles took 60 s and
100 MiB; 300 was not measured, it is three times the shipped base);
the search then orders by its other terms alone.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

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


def training_texts(article: Article) -> list[str]:
    """What an article is trained on: its title, questions, headings and phrasings."""
    headings = [
        line.strip("# ").strip() for line in article.body.splitlines() if line.startswith("#")
    ]
    return [t for t in (article.title, *article.questions, *headings, *article.phrasings) if t]


class ArticleClassifier:
    """Trained once per set of articles with scikit-learn; `probabilities` reads a question
    with the fitted vocabularies, idf and weights alone (the same arithmetic as
    TfidfVectorizer.transform and LinearSVC.decision_function, without their per-call input
    checks, which cost about ten times the product itself)."""

    def __init__(self, articles: Sequence[Article]) -> None:
        chars, words_, model = fit(articles)
        self.size = len(articles)
        n_chars = len(chars.vocabulary_)
        self._chars: dict[str, int] = {g: int(i) for g, i in chars.vocabulary_.items()}
        self._words: dict[str, int] = {g: int(i) + n_chars for g, i in words_.vocabulary_.items()}
        self._idf = np.concatenate([chars.idf_, words_.idf_]).astype(np.float64)
        rows = np.asarray(model.classes_, np.int64)
        coef = np.asarray(model.coef_, np.float32)
        intercept = np.asarray(model.intercept_, np.float64)
        if len(rows) == 2:  # a binary model keeps one margin, for the second class
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        # the weights by feature (one row per n-gram), for gathering a question's rows
        self._weights = np.ascontiguousarray(coef.T)
        self._intercept = intercept
        self._rows = rows

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
        margins = self.margins(query)
        e = np.exp(TEMPERATURE * (margins - margins.max()))
        out = np.zeros(self.size, np.float64)
        out[self._rows] = e / e.sum()
        return out

    @property
    def nbytes(self) -> int:
        """The weights and idf exactly, the two n-gram dictionaries estimated at 100 bytes
        per entry (a short str key, an int and the dict slot)."""
        return int(self._weights.nbytes + self._idf.nbytes) + 100 * (
            len(self._chars) + len(self._words)
        )


def fit(articles: Sequence[Article]) -> tuple[Any, Any, Any]:
    """scikit-learn's vectorizers (character n-grams of the text, word n-grams of its lemmas)
    and the LinearSVC, fitted on the articles' training texts (row i of the model's classes
    is articles[i])."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts: list[str] = []
    labels: list[int] = []
    for row, article in enumerate(articles):
        for text in training_texts(article):
            texts.append(text)
            labels.append(row)
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


_cache: OrderedDict[str, ArticleClassifier] = OrderedDict()
_lock = threading.Lock()


def classifier_for(articles: Sequence[Article]) -> ArticleClassifier | None:
    """The classifier for these articles (cached by their training texts), or None when
    there are fewer than MIN_ARTICLES (too little to tell apart) or more than MAX_ARTICLES."""
    if not MIN_ARTICLES <= len(articles) <= MAX_ARTICLES:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for article in articles:
        digest.update(article.id.encode())
        for text in training_texts(article):
            digest.update(b"\0" + text.encode())
        digest.update(b"\1")
    key = digest.hexdigest()
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    try:
        made = ArticleClassifier(articles)
    except ValueError:  # nothing to learn from (no n-gram in two texts, one class)
        return None
    with _lock:
        _cache[key] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return made
