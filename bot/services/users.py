"""Who is practising: Telegram accounts and terminal users mapped onto one user table."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.lang import Lang, parse_lang
from bot.storage.database import Database
from bot.storage.repositories import UserRepository


@dataclass(frozen=True)
class Person:
    """The identity every service call carries."""

    id: int
    name: str
    language: Lang
    voice_replies: bool = False  # /voice on: the client's replies are also spoken


class UserService:
    """Finds or creates users and remembers their language."""

    def __init__(self, db: Database, default_language: Lang) -> None:
        self.db = db
        self.default_language = default_language

    async def telegram(self, telegram_id: int, name: str, language_code: str | None) -> Person:
        """The user behind a Telegram account (language guessed on first contact)."""
        async with self.db.session() as s:
            user = await UserRepository(s).by_telegram(
                telegram_id, name, parse_lang(language_code, self.default_language)
            )
            return Person(
                user.id, user.display_name, parse_lang(user.language), bool(user.voice_replies)
            )

    async def by_telegram_id(self, telegram_id: int, name_if_new: str) -> Person:
        """The user behind a Telegram id given by an operator (not by Telegram): created with
        `name_if_new` if they never wrote to the bot; someone who did keeps their own name."""
        async with self.db.session() as s:
            user = await UserRepository(s).by_telegram(
                telegram_id, name_if_new, self.default_language, rename=False
            )
            return Person(user.id, user.display_name, parse_lang(user.language))

    async def local(self, name: str) -> Person:
        """The user behind a terminal login."""
        async with self.db.session() as s:
            user = await UserRepository(s).by_local_name(name, self.default_language)
            return Person(user.id, user.display_name, parse_lang(user.language))

    async def set_language(self, user_id: int, language: Lang) -> None:
        """Change the user's interface language."""
        async with self.db.session() as s:
            await UserRepository(s).set_language(user_id, language)

    async def set_voice_replies(self, user_id: int, on: bool) -> None:
        """Whether the client's replies to this user are also spoken (/voice on|off)."""
        async with self.db.session() as s:
            await UserRepository(s).set_voice_replies(user_id, on)
