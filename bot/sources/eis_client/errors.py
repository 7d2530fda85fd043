"""The one error the EIS client raises."""

from __future__ import annotations


class EisError(Exception):
    """The service refused or failed; the message says why (never contains the token)."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status
