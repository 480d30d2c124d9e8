"""The one error handler: a domain error becomes a friendly localized reply; anything else is
logged with its traceback (secrets redacted by the logging set-up) and the rep gets a generic
line; a reply Telegram did not take (network, 5xx) is kept to be sent again. Exception text
never reaches a user."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.domain.lang import Lang, parse_lang
from bot.errors import (
    ActiveSessionExists,
    NoActiveSession,
    ProviderError,
    ScenarioInvalid,
    SessionNotFound,
    StaleButton,
    TrainerError,
    WrongPhase,
)
from bot.metrics import metrics
from bot.telegram import buttons, keyboards, team_keys, upload_text
from bot.telegram.inbox import MAX_TRIES
from bot.telegram.render import send_html
from bot.telegram.retries import transient
from bot.telegram.runtime import LANG, Context, Runtime
from bot.telegram.streaming import retry_seconds

log = logging.getLogger("bot.telegram")
# Raised under a button whose session is gone or has moved on.
STALE = (WrongPhase, NoActiveSession, SessionNotFound, StaleButton)


def _language(update: object, context: Context, default: Lang) -> Lang:
    remembered = (context.user_data or {}).get(LANG)
    if remembered:
        return parse_lang(str(remembered), default)
    user = update.effective_user if isinstance(update, Update) else None
    return parse_lang(user.language_code if user else None, default)


def _markup(
    error: TrainerError, update: object, rt: Runtime, lang: Lang
) -> InlineKeyboardMarkup | None:
    if isinstance(error, ActiveSessionExists):
        query = update.callback_query if isinstance(update, Update) else None
        verb, arg = keyboards.parse(query.data if query else None)
        wanted = arg if verb in (keyboards.PICK, keyboards.RETRY, keyboards.NEW) else None
        session = str(error.params.get("session", ""))
        if verb in team_keys.ANEW:
            # A task or a test play: "abandon it" starts that one instead.
            anew = keyboards.data(team_keys.ANEW[verb], arg)
            return keyboards.active_choice(rt.catalog, lang, session, None, abandon=anew)
        return keyboards.active_choice(rt.catalog, lang, session, wanted)
    if isinstance(error, ProviderError):
        # The rep's turn is saved; "ask again" answers it once the model is back.
        return keyboards.resume(rt.catalog, lang, str(error.params.get("session", "")))
    return None


async def _active_title(update: Update, rt: Runtime, lang: Lang) -> str | None:
    """The title, in `lang`, of the session the user already has in progress."""
    user = update.effective_user
    if user is None:
        return None
    person = await rt.services.users.telegram(user.id, user.full_name, user.language_code)
    current = await rt.practice.current(person.id)
    return current.scenario.title_in(lang) if current is not None else None


async def on_error(update: object, context: Context) -> None:
    """Translate or log an error raised while handling an update."""
    if context.error is not None:
        await report_error(update, context, context.error)


async def report_error(update: object, context: Context, error: BaseException) -> None:
    """Tell the user about an error (a domain error in their words), or log it. A reply
    Telegram could not take for a while is owed, not apologised for: it is sent again."""
    rt = context.bot_data.runtime
    if _kept_quiet(update, rt, error):
        return
    if rt is None:
        log.error("error before the bot's services were open", exc_info=error)
        return
    if isinstance(error, STALE) and isinstance(update, Update) and update.callback_query:
        # The button's session is over: say so on the button and do nothing else.
        log.info("stale button: %s", error)
        await buttons.stale(update, context)
        return
    lang = _language(update, context, rt.services.settings.default_language)
    if isinstance(error, TrainerError):
        text, markup = await _refusal(update, rt, lang, error)
    else:
        text, markup = _unexpected(update, rt, lang, error), None
    await _tell(update, context, text, markup)


async def _tell(
    update: object, context: Context, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Say it in the update's chat (if it has one); a failure to say it is only logged."""
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    try:
        await send_html(context.bot, chat.id, html.escape(text), markup)
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", exc)


def _kept_quiet(update: object, rt: Runtime | None, error: BaseException) -> bool:
    """Errors nobody is told about: a reply owed (sent again later), flood control, a chat
    that blocked the bot. Each is logged; True when handled so."""
    if transient(error) and isinstance(update, Update) and rt is not None:
        if rt.inbox.owe(update):
            log.warning(
                "update %s: reply not delivered (%s), kept to send again", update.update_id, error
            )
        else:
            log.error("update %s: reply given up after %d tries", update.update_id, MAX_TRIES)
        return True
    if isinstance(error, RetryAfter):
        # The rate limiter already retried; telling the rep would only add to the flood.
        log.warning("flood control: Telegram asked to wait %.0f s", retry_seconds(error))
        return True
    if isinstance(error, Forbidden):
        log.info("cannot write to this chat (the user blocked the bot?): %s", error.message)
        return True
    return False


async def _refusal(
    update: object, rt: Runtime, lang: Lang, error: TrainerError
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A domain error in the user's words, with the buttons that act on it."""
    log.info("refused: %s", error)
    params = dict(error.params)
    if isinstance(error, ActiveSessionExists) and isinstance(update, Update):
        # The service names the scenario by its Chinese title; say it in the reader's.
        params["scenario"] = await _active_title(update, rt, lang) or params.get("scenario")
    if isinstance(error, ScenarioInvalid) and params.get("problems"):
        # The loader's problems in the trainer's words, not pydantic's English.
        found = params["problems"]
        params["detail"] = upload_text.problems(rt.catalog, lang, params["source"], found)
    return rt.catalog.error(lang, error.code, params), _markup(error, update, rt, lang)


def _unexpected(update: object, rt: Runtime, lang: Lang, error: BaseException) -> str:
    """An unexpected error, logged in full and counted; the user gets the generic line."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("unexpected error handling update %s", update_id, exc_info=error)
    metrics().updates.labels("error").inc()
    return rt.t(lang, "error.generic")
