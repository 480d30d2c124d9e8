"""PTB's request seam for unit tests: every Bot API call is answered by the in-memory
`BotApi` (real objects, recorded calls); nothing reaches a network, and a method the fake does
not know is recorded in `api.unexpected` so the test fails."""

from __future__ import annotations

import json

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from tests.support.bot_api import BotApi
from tests.support.chaos import Reset


class OfflineRequest(BaseRequest):
    """A `BaseRequest` that talks to a `BotApi` in memory."""

    def __init__(self, api: BotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        """Nothing waits in memory."""
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer the call from the in-memory Bot API (a file URL is a download)."""
        if "/file/bot" in url:
            return self.api.download(url.split("/file/bot", 1)[1].split("/", 1)[1])
        name = url.rsplit("/", 1)[-1]
        fields = request_data.json_parameters if request_data else {}
        files: dict[str, bytes] = {}
        if request_data is not None and request_data.contains_files:
            for key, value in (request_data.multipart_data or {}).items():
                content = value[1]
                files[key] = content if isinstance(content, bytes) else content.read()
        try:
            status, body = self.api.handle(name, fields, files)
        except Reset as exc:  # what PTB's HTTPXRequest makes of a dropped connection
            raise NetworkError(f"httpx.RemoteProtocolError: Server disconnected ({exc})") from exc
        return status, json.dumps(body).encode("utf-8")
