from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

VALID = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "DEFAULT_TIMEZONE", "BOT_API_URL"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert s.database_url == "sqlite+aiosqlite:///data/smebot.db"
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
    s = Settings(bot_token=token, _env_file=None)  # type: ignore[call-arg, arg-type]
    with pytest.raises(ConfigError) as err:
        s.require_token()
    assert "BOT_TOKEN" in str(err.value) and "\n" not in str(err.value)
