"""The curated knowledge base: articles, glossary, the law's text and the search over them."""

import os

# One BLAS thread: a question multiplies a few thousand word vectors by a dozen, far too little
# to share out, and OpenBLAS's extra threads spin on the other core. On the 2-core machine an
# answer's CPU fell from 7.5 to 3.1 ms per reply in the dispatcher (kb.ask 3.0 -> 0.8 ms at a
# load of 6). Set before numpy is first imported; an operator's own setting wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
