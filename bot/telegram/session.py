"""The Bot API session: JSON bodies for requests without files, multipart for uploads.

aiogram's AiohttpSession form-encodes every request; a ~2 KB Russian answer is then
percent-encoded byte by byte in pure Python (about a quarter of a reply's CPU in a profile,
docs/benchmarks.md). The Bot API takes `application/json` bodies as well (the server reads a
top-level string as the parameter's text and any other value as its JSON text, exactly what a
form field holds), so a request without files goes as one C-encoded JSON document. Requests
with files keep aiogram's multipart form."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError, ClientTimeout

if TYPE_CHECKING:
    from aiogram import Bot

JSON_HEADERS = {"Content-Type": "application/json"}
# aiogram parses every reply with `Response[method.__returning__]`; pydantic keeps such
# parametrised models only weakly, so without a strong reference each request built the model
# class anew (about 2 % of a reply's CPU in a profile). One per return type, kept here.
_RESPONSE_MODELS: dict[Any, Any] = {}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class JsonSession(AiohttpSession):
    """AiohttpSession posting `application/json` unless the method carries an InputFile."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("json_dumps", _dumps)
        super().__init__(**kwargs)

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The request as a JSON object, or None when it has files to upload. Parameters are
        left out where the form would leave them out (None and empty strings)."""
        files: dict[str, InputFile] = {}
        body: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                continue
            body[key] = prepared
        if files:
            return None
        return self.json_dumps(body).encode()

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _RESPONSE_MODELS:
            _RESPONSE_MODELS[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        data = self.json_body(bot, method)
        if data is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=data,
                headers=JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)
