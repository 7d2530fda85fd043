from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_DIR, ConfigError, Settings, load_settings, resolve_sqlite_url

VALID = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "DEFAULT_TIMEZONE", "BOT_API_URL"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    # a relative SQLite path is the project's file, wherever the command runs
    assert s.database_url == f"sqlite+aiosqlite:///{PROJECT_DIR / 'data' / 'smebot.db'}"
    assert s.bot_api_url == "https://api.telegram.org"
    assert s.default_timezone == "Asia/Yekaterinburg" and s.default_region == "74"
    assert s.admin_ids == [] and s.redis_url is None and s.consultant_chat_id is None
    assert (s.knowledge_dir / "articles").is_dir()


def test_env_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={VALID}\nADMIN_IDS=1, 2;3\nCONSULTANT_CHAT_ID=-100123\nREDIS_URL=\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CONSULTANT_IDS", "42")
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:8081/")
    s = load_settings()
    assert s.require_token() == VALID
    assert s.admin_ids == [1, 2, 3] and s.consultant_ids == [42]
    assert s.consultant_chat_id == -100123 and s.redis_url is None
    assert s.bot_api_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"DEFAULT_REGION": "Челябинск"}, "DEFAULT_REGION"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"BOT_API_URL": "ftp://x"}, "BOT_API_URL"),
    ],
)
def test_bad_settings_are_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], fragment: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert fragment in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("token", [None, "", "abc", "123:short", "12345678:" + "x" * 35 + " space"])
def test_missing_or_malformed_token(token: str | None) -> None:
    s = Settings(bot_token=token, _env_file=None)
    with pytest.raises(ConfigError) as err:
        s.require_token()
    assert "BOT_TOKEN" in str(err.value) and "\n" not in str(err.value)


def test_env_example_opens_the_console(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`cp .env.example .env`: the empty BOT_TOKEN= is «not set», KNOWLEDGE_DIR is the
    bundled knowledge base and the database is the project's, wherever the command runs."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "KNOWLEDGE_DIR"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        (PROJECT_DIR / ".env.example").read_text(encoding="utf-8"), encoding="utf-8"
    )
    s = load_settings()
    assert s.bot_token is None
    with pytest.raises(ConfigError, match="make chat"):
        s.require_token()
    assert (s.knowledge_dir / "articles").is_dir()
    assert s.database_url.endswith(str(PROJECT_DIR / "data" / "smebot.db"))


def test_relative_sqlite_paths_are_resolved(tmp_path: Path) -> None:
    assert resolve_sqlite_url("sqlite+aiosqlite:///data/x.db", tmp_path) == (
        f"sqlite+aiosqlite:///{tmp_path / 'data' / 'x.db'}"
    )
    for url in (
        f"sqlite+aiosqlite:///{tmp_path}/x.db",
        "sqlite+aiosqlite:///:memory:",
        "sqlite+aiosqlite://",
        "postgresql+asyncpg://u@127.0.0.1/db",
    ):
        assert resolve_sqlite_url(url, tmp_path) == url
    relative = Settings(knowledge_dir=Path("knowledge"), _env_file=None)
    assert relative.knowledge_dir.is_absolute()


def test_an_installed_package_keeps_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Installed without the source checkout (the container): no project directory to use."""
    import bot.config

    monkeypatch.setattr(bot.config, "PROJECT_DIR", tmp_path / "site-packages")
    monkeypatch.chdir(tmp_path)
    s = Settings(database_url="sqlite+aiosqlite:///data/x.db", _env_file=None)
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'x.db'}"
