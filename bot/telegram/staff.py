"""What the team-side handlers share: a button's arguments, the team a command acts on (asked
for with buttons when the user has several), texts in the user's language, and sending the
notices a service returned."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message, Update

from bot.domain.periods import Period
from bot.domain.roles import Role
from bot.errors import AccessDenied, InvalidRequest
from bot.services.notices import Notice
from bot.services.teams import TeamInfo
from bot.services.users import Person
from bot.telegram import inputs, menus, team_keys
from bot.telegram.delivery import deliver
from bot.telegram.render import edit_html
from bot.telegram.runtime import Context, say
from bot.telegram.team_text import Texts


def args(update: Update, count: int) -> list[str]:
    """The first `count` arguments of the pressed button (`verb:a:b` → `["a", "b"]`), padded
    with empty strings."""
    raw = update.callback_query.data if update.callback_query else None
    _, _, rest = (raw or "").partition(":")
    found = rest.split(":") if rest else []
    return [*found, *[""] * count][:count]


def number(text: str) -> int:
    """An id from a button; a mangled or out-of-range one is refused like someone else's."""
    return inputs.row_id(text)


def period_from(text: str) -> Period:
    """A period from a button; a mangled one is refused as invalid."""
    try:
        return Period(text)
    except ValueError:
        raise InvalidRequest("team.error.invalid") from None


def texts(context: Context, person: Person) -> Texts:
    """Escaped catalog texts in the person's language."""
    return Texts(context.runtime.catalog, person.language)


def chosen(teams: Sequence[TeamInfo], team_id: int) -> TeamInfo:
    """The team a button names, among the user's; `AccessDenied` if it is not one of them."""
    found = next((t for t in teams if t.id == team_id), None)
    if found is None:
        raise AccessDenied("team.denied.not_member")
    return found


async def one_team(
    update: Update,
    context: Context,
    person: Person,
    teams: Sequence[TeamInfo],
    verb: str,
    *after: object,
    empty: str = "tg.team.no_teams_trainer",
) -> TeamInfo | None:
    """The only team, or None after asking which one (buttons `verb:<team>[:after…]`) or
    saying there is none."""
    t = texts(context, person)
    if len(teams) == 1:
        return teams[0]
    if not teams:
        await say(update, context, t(empty))
    else:
        await say(
            update, context, t("tg.team.choose_team"), team_keys.choose_team(teams, verb, *after)
        )
    return None


async def screen(
    update: Update, context: Context, html: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A guided flow's next screen: the pressed button's own message edited into it, or a new
    message when the step came from typed text (or the message can no longer be edited)."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message) and query.message.text:
        await edit_html(context.bot, query.message.chat.id, query.message.message_id, html, markup)
        return
    await say(update, context, html, markup)


async def keys_in_place(
    update: Update, context: Context, markup: InlineKeyboardMarkup, html: str
) -> None:
    """Swap the buttons under the pressed message (its text stays), or send `html` with them."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        await context.bot.edit_message_reply_markup(
            query.message.chat.id, query.message.message_id, reply_markup=markup
        )
        return
    await say(update, context, html, markup)


async def notify(context: Context, notices: Sequence[Notice]) -> int:
    """Send the notices a service returned; how many went out."""
    return await deliver(context.bot, context.runtime.catalog, notices)


async def staff_menu(context: Context, telegram_id: int, role: Role) -> None:
    """Give someone who just became a trainer (or operator) their command menu now."""
    rt = context.runtime
    if telegram_id in rt.training.access.operators:
        role = Role.OPERATOR
    set_ = await menus.set_staff(
        context.bot, rt.catalog, rt.services.settings.default_language, telegram_id, role
    )
    if set_:
        context.bot_data.menus[telegram_id] = role
