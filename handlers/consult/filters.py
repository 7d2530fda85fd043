"""Filters shared by the consultation routers."""

from __future__ import annotations

from aiogram import F

PRIVATE = F.chat.type == "private"
NOT_COMMAND = ~F.text.startswith("/")
HAS_CONTENT = F.text | F.document | F.photo | F.voice | F.video | F.audio | F.video_note
