"""Domain errors; one error handler turns them into friendly messages."""


class DomainError(Exception):
    """Base of expected, user-facing failures. `code` selects the message template."""

    code = "generic"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class BadInput(DomainError):
    code = "bad_input"


class Refused(DomainError):
    """A valid request the bot will not carry out (e.g. reminders for a finished procedure)."""

    code = "refused"


class Erased(DomainError):
    """The user erased their data (/forget): their consultation is closed and empty."""

    code = "erased"
