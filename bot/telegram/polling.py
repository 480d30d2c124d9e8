"""What long polling hands to PTB: an update PTB cannot parse is replaced by an empty one.

PTB parses a `getUpdates` batch as a whole; one update it cannot read fails the batch, the
offset never moves past it, and polling stalls on it for good, logging a traceback on every
try. This request wraps the one `getUpdates` uses and screens each update first: one that does
not parse is logged once and handed on as a bare update with its id, which the inbox records
and marks done like any other, so the offset moves on and the rest of the batch is handled.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)


def _parses(updates: list[Any]) -> bool:
    try:
        Update.de_list(updates, None)
    except Exception:  # noqa: BLE001 — whatever PTB trips on, the loop below finds the one
        return False
    return True


def screen(updates: list[Any]) -> list[Any] | None:
    """The batch with each update PTB cannot parse replaced by `{"update_id": …}`; None when
    every update parses (nothing to change)."""
    if _parses(updates):
        return None
    kept: list[Any] = []
    for raw in updates:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        try:
            Update.de_json(raw, None)
            kept.append(raw)
        except Exception as exc:  # noqa: BLE001
            if not isinstance(update_id, int):
                log.warning("unreadable update without an id dropped: %r", exc)
                continue
            # The payload is not logged: it is a user's message.
            log.warning("update %s cannot be read and is skipped: %r", update_id, exc)
            kept.append({"update_id": update_id})
    return kept


class ScreenedUpdates(BaseRequest):
    """The `getUpdates` request, with unreadable updates screened out (see `screen`)."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped request."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped request."""
        await self.inner.shutdown()

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
        """The wrapped call; a `getUpdates` answer screened."""
        code, payload = await self.inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if code != 200 or not url.endswith("/getUpdates"):
            return code, payload
        return code, _screened(payload)


def _screened(payload: bytes) -> bytes:
    """A `getUpdates` answer with its updates screened (unchanged if nothing was dropped, or
    if it is not an answer PTB could read: PTB reports an invalid answer itself)."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        return payload
    screened = screen(result)
    if screened is None:
        return payload
    return json.dumps({**body, "result": screened}).encode("utf-8")
