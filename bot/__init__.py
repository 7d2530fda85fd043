"""smebot: Telegram consultation support for SMEs in Russian public procurement."""

import knowledge  # noqa: F401  (first: one BLAS thread before anything imports numpy)

__version__ = "0.1.0"
