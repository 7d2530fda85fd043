"""smebot: Telegram consultation support for SMEs in Russian public procurement."""

__version__ = "0.1.0"
