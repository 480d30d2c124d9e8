"""What the training services ask an adapter to deliver, without knowing how it is delivered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.lang import Lang, parse_lang
from bot.i18n import Catalog


class Recipient(Protocol):
    """Whom a notice can go to: a user with (maybe) a Telegram chat and a language."""

    @property
    def id(self) -> int: ...
    @property
    def telegram_id(self) -> int | None: ...
    @property
    def language(self) -> str: ...


@dataclass(frozen=True)
class Ref:
    """A parameter that is itself a catalog key (a dimension or status name), translated late."""

    key: str


@dataclass(frozen=True)
class Link:
    """Where a notice leads: a `session` to open, a `task` to start, an assignment `summary`."""

    kind: str
    target: str | int


@dataclass(frozen=True)
class Notice:
    """A message for one chat: a catalog key and its parameters, in the recipient's language.

    The adapter sends `render(catalog)` to `chat_id` (a user's private chat is their Telegram
    id; a team's group chat is its linked chat id).
    """

    chat_id: int
    lang: Lang
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    user_id: int | None = None
    opens: Link | None = None  # the button under it (a group gets a link to the private chat)

    def render(self, catalog: Catalog) -> str:
        """The message text in the recipient's language."""
        params = {
            k: catalog.t(self.lang, v.key) if isinstance(v, Ref) else v
            for k, v in self.params.items()
        }
        return catalog.t(self.lang, self.key, **params)


def notice_to(user: Recipient, key: str, opens: Link | None = None, **params: Any) -> Notice | None:
    """A notice to a user's private chat (leading to `opens`, if given); None for users without
    Telegram (terminal users)."""
    if user.telegram_id is None:
        return None
    return Notice(user.telegram_id, parse_lang(user.language), key, params, user.id, opens)
