"""One Settings class, read from the environment and `.env`; built in main, passed down."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = PROJECT_DIR / "knowledge"
_SQLITE_FILE_RE = re.compile(r"^(sqlite(?:\+\w+)?:///)([^/?][^?]*)(\?.*)?$")
TELEGRAM_API_URL = "https://api.telegram.org"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


def _parse_ids(value: object) -> list[int]:
    if value is None or value == "":
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple):
        return [int(v) for v in value]
    parts = [p for p in re.split(r"[,\s;]+", str(value)) if p]
    try:
        return [int(p) for p in parts]
    except ValueError as exc:
        raise ValueError(f"expected comma-separated Telegram ids, got {value!r}") from exc


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    bot_api_url: str = TELEGRAM_API_URL
    database_url: str = "sqlite+aiosqlite:///data/smebot.db"
    redis_url: str | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    consultant_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    consultant_chat_id: int | None = None
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    default_timezone: str = "Asia/Yekaterinburg"
    default_region: str = "74"
    log_level: str = "INFO"
    # procurement data sources
    import_dir: Path | None = None
    import_interval_minutes: float = Field(default=15, ge=0.05, le=1440)
    eis_token: SecretStr | None = None
    eis_regions: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["74"])
    eis_ca_bundle: Path | None = None
    eis_url: str = "https://int44.zakupki.gov.ru/eis-integration/services/getDocsIP"
    eis_sync_hour: int = Field(default=4, ge=0, le=23)
    # reminders and delivery
    reminder_lead_times: str = "3d,1d,3h"
    quiet_hours: str = "22:00-08:00"
    reminder_poll_seconds: float = Field(default=30.0, ge=1.0, le=3600.0)
    send_rate: float = Field(default=25.0, gt=0.0, le=1000.0)
    # consultations
    consult_sla_hours: float = Field(default=4.0, gt=0.0, le=720.0)
    # personal data: question texts and closed consultations are deleted after these days
    question_retention_days: int = Field(default=365, ge=1, le=3650)
    consultation_retention_days: int = Field(default=365, ge=1, le=3650)
    # scaled out (`smebot web` / `smebot worker`, see docs/operations.md)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    worker_port: int = Field(default=8081, ge=1, le=65535)
    fsm_ttl_hours: float = Field(default=72.0, gt=0.0, le=8760.0)
    log_format: Literal["text", "json"] = "text"
    db_pool_size: int = Field(default=5, ge=1, le=200)
    db_statement_timeout_ms: int = Field(default=0, ge=0)
    db_application_name: str = "smebot"

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _empty_webhook(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_ids", "consultant_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> list[int]:
        return _parse_ids(value)

    @field_validator("eis_regions", mode="before")
    @classmethod
    def _regions(cls, value: object) -> list[str]:
        if value is None or value == "":
            return ["74"]
        parts = value if isinstance(value, list) else re.split(r"[,\s;]+", str(value))
        regions = [str(p).strip() for p in parts if str(p).strip()]
        for region in regions:
            if not re.fullmatch(r"\d{2}", region):
                raise ValueError(f"EIS_REGIONS: {region!r} is not a two-digit region code")
        return regions

    @field_validator("import_dir", "eis_ca_bundle", "eis_token", mode="before")
    @classmethod
    def _empty_path(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        """A relative SQLite path is taken from the project directory, not from wherever the
        command runs: `cd ~ && smebot procedure …` reads the same database as `make run`.
        An installed package (no source checkout, e.g. the container) keeps the working
        directory as the base."""
        checkout = (PROJECT_DIR / "pyproject.toml").is_file()
        return resolve_sqlite_url(value.strip(), PROJECT_DIR if checkout else Path.cwd())

    @field_validator("knowledge_dir")
    @classmethod
    def _knowledge(cls, value: Path) -> Path:
        """A relative KNOWLEDGE_DIR that does not exist here is taken from the project."""
        if value.is_absolute():
            return value
        return value.resolve() if value.is_dir() else PROJECT_DIR / value

    @field_validator("consultant_chat_id", "redis_url", "bot_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        value = str(value).strip()
        if not re.fullmatch(r"\d{2}", value):
            raise ValueError("region must be a two-digit code such as 74")
        return value

    @field_validator("reminder_lead_times")
    @classmethod
    def _leads(cls, value: str) -> str:
        from bot.services.errors import BadInput
        from bot.services.schedule import format_leads, parse_lead_times

        try:
            return format_leads(parse_lead_times(value))
        except BadInput as exc:
            raise ValueError(exc.detail) from None

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        from bot.services.errors import BadInput
        from bot.services.schedule import parse_quiet_hours

        try:
            quiet = parse_quiet_hours(value)
        except BadInput as exc:
            raise ValueError(exc.detail) from None
        return "" if quiet is None else str(quiet)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("BOT_API_URL must be an http(s) URL")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.default_timezone)

    def require_token(self) -> str:
        """Return the bot token or raise ConfigError with a one-line explanation."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise ConfigError(
                "BOT_TOKEN is not set: get a token from @BotFather and put it in the "
                "environment or in .env (see .env.example); to try the bot without "
                "Telegram run `make chat` (or `.venv/bin/smebot chat`)."
            )
        token = self.bot_token.get_secret_value().strip()
        if not TOKEN_RE.fullmatch(token):
            raise ConfigError(
                "BOT_TOKEN looks malformed: expected '<digits>:<35 characters>' as "
                "@BotFather gives it."
            )
        return token


def resolve_sqlite_url(url: str, base: Path = PROJECT_DIR) -> str:
    """`sqlite+aiosqlite:///data/smebot.db` → the same file under `base` (absolute)."""
    match = _SQLITE_FILE_RE.match(url)
    if match is None or match.group(2) == ":memory:" or match.group(2).startswith("file:"):
        return url
    return f"{match.group(1)}{(base / match.group(2)).resolve()}{match.group(3) or ''}"


def load_settings(**overrides: object) -> Settings:
    """Build settings; validation problems become one-line ConfigErrors."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]).upper() or "settings"
        raise ConfigError(f"{field}: {first['msg']}") from None
