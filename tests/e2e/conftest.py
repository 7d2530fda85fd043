"""End-to-end fixtures: the fake server with the consultants' desk methods."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.consult import DeskAPI


@pytest.fixture
async def desk_api() -> AsyncIterator[DeskAPI]:
    api = DeskAPI()
    await api.start()
    yield api
    await api.stop()
    assert not api.answer_rejections()  # every press answered once


@pytest.fixture
def desk(desk_api: DeskAPI) -> DeskAPI:
    return desk_api
