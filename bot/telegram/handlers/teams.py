"""Trainers build teams: /team, /newteam, members, invite links (optionally expiring, revocable),
joining through `/start <code>`, /linkgroup in a team's group, and /grant for operators."""

from __future__ import annotations

import datetime as dt

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.domain.roles import Role
from bot.services.users import Person
from bot.telegram import inputs, keyboards, team_keys, team_text
from bot.telegram.runtime import NEW_MESSAGES, App, Context, chat_id, rep, say
from bot.telegram.staff import args, chosen, notify, number, one_team, staff_menu, texts

PRIVATE = NEW_MESSAGES & filters.ChatType.PRIVATE


async def teams(update: Update, context: Context) -> None:
    """/team: the teams I run, each a button away."""
    person = await rep(update, context)
    t = texts(context, person)
    mine = await context.runtime.training.teams.managed(person.id)
    if not mine:
        await say(update, context, t("tg.team.no_teams_trainer"))
        return
    await say(
        update, context, team_text.teams(t, mine), team_keys.choose_team(mine, team_keys.TEAM)
    )


async def new_team(update: Update, context: Context) -> None:
    """/newteam <name> [time zone]: a team with me as its trainer."""
    person = await rep(update, context)
    t = texts(context, person)
    words = list(context.args or [])
    zone = words.pop() if len(words) > 1 and "/" in words[-1] else None
    if not words:
        await say(update, context, t("tg.team.newteam_usage"))
        return
    info = await context.runtime.training.teams.create_team(person.id, " ".join(words), zone)
    text = t("tg.team.created", name=info.name, zone=info.time_zone)
    await say(
        update,
        context,
        f"{text}\n\n{team_text.team_card(t, info)}",
        team_keys.team_card(context.runtime.catalog, person.language, info),
    )


async def card(update: Update, context: Context) -> None:
    """A team button: the team's card and what can be done with it."""
    person = await rep(update, context)
    (team_id,) = args(update, 1)
    info = await context.runtime.training.teams.team(person.id, number(team_id))
    keys = team_keys.team_card(context.runtime.catalog, person.language, info)
    await say(update, context, team_text.team_card(texts(context, person), info), keys)


async def members(update: Update, context: Context) -> None:
    """Who is in the team."""
    person = await rep(update, context)
    team_id = number(args(update, 1)[0])
    training = context.runtime.training
    info = await training.teams.team(person.id, team_id)
    found = await training.teams.members(person.id, team_id)
    await say(update, context, team_text.members(texts(context, person), info, found))


async def invite(update: Update, context: Context) -> None:
    """A new invite link: without expiry or for 7 days; for a rep or a co-trainer."""
    person = await rep(update, context)
    team_id, days, kind = args(update, 3)
    training = context.runtime.training
    info = await training.teams.team(person.id, number(team_id))
    lifetime = inputs.count(days, 366)
    expires = dt.timedelta(days=lifetime) if lifetime else None
    role = Role.TRAINER if kind == "t" else Role.REP
    link = await training.teams.invite(
        person.id, info.id, context.bot.username, expires_in=expires, role=role
    )
    await say(update, context, team_text.invite(texts(context, person), info, link))


async def invites(update: Update, context: Context) -> None:
    """The team's invites, the working ones with a revoke button."""
    person = await rep(update, context)
    training = context.runtime.training
    info = await training.teams.team(person.id, number(args(update, 1)[0]))
    found = await training.teams.invites(person.id, info.id)
    active = [i.code for i in found if i.active]
    keys = team_keys.revoke(context.runtime.catalog, person.language, active) if active else None
    await say(update, context, team_text.invites(texts(context, person), info, found), keys)


async def revoke(update: Update, context: Context) -> None:
    """A revoke button: the link stops working; people who joined stay."""
    person = await rep(update, context)
    await context.runtime.training.teams.revoke_invite(person.id, args(update, 1)[0])
    await say(update, context, texts(context, person)("tg.team.revoked"))


async def join(update: Update, context: Context, person: Person, code: str) -> None:
    """`/start <code>` from an invite link: join the team; its trainers are told."""
    rt = context.runtime
    joined = await rt.training.teams.join(person.id, code)
    t = texts(context, person)
    role = t.role(joined.team.role)
    key = "tg.team.already_member" if joined.already_member else "tg.team.joined"
    await say(update, context, t(key, team=joined.team.name, role=role))
    await notify(context, joined.notices)
    if joined.team.role == Role.TRAINER and update.effective_user is not None:
        await staff_menu(context, update.effective_user.id, Role.TRAINER)


async def link_group(update: Update, context: Context) -> None:
    """/linkgroup in a group: weekly boards and new assignments of my team go there."""
    person = await rep(update, context)
    t = texts(context, person)
    chat = update.effective_chat
    if chat is None or chat.type == chat.PRIVATE:
        await say(update, context, t("tg.team.link_in_group"))
        return
    mine = await context.runtime.training.teams.managed(person.id)
    info = await one_team(update, context, person, mine, team_keys.LINK)
    if info is not None:
        await context.runtime.training.teams.link_chat(person.id, info.id, chat.id)
        await say(update, context, t("tg.team.linked", team=info.name))


async def link_chosen(update: Update, context: Context) -> None:
    """A team button under /linkgroup (pressed in the group)."""
    person = await rep(update, context)
    training = context.runtime.training
    info = chosen(await training.teams.managed(person.id), number(args(update, 1)[0]))
    await training.teams.link_chat(person.id, info.id, chat_id(update))
    await say(update, context, texts(context, person)("tg.team.linked", team=info.name))


async def unlink(update: Update, context: Context) -> None:
    """Unlink the team's group: no more boards or assignment notices there."""
    person = await rep(update, context)
    training = context.runtime.training
    info = await training.teams.team(person.id, number(args(update, 1)[0]))
    await training.teams.link_chat(person.id, info.id, None)
    await say(update, context, texts(context, person)("tg.team.unlinked", team=info.name))


async def grant(update: Update, context: Context) -> None:
    """/grant <telegram id> (operators): make someone a trainer; their menu changes at once."""
    person = await rep(update, context)
    t = texts(context, person)
    words = context.args or []
    telegram_id = inputs.telegram_id(words[0]) if len(words) == 1 else None
    if telegram_id is None:
        await say(update, context, t("tg.team.grant_usage"))
        return
    granted = await context.runtime.training.teams.grant_trainer_by_telegram(person.id, telegram_id)
    await staff_menu(context, granted.telegram_id, Role.TRAINER)
    await notify(context, granted.notices)
    await say(update, context, t("tg.team.granted", telegram_id=words[0]))


def register(application: App) -> None:
    """Add this flow's handlers."""
    for name, callback in (("team", teams), ("newteam", new_team), ("grant", grant)):
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    application.add_handler(CommandHandler("linkgroup", link_group, filters=NEW_MESSAGES))
    for verb, handler in (
        (team_keys.TEAM, card),
        (team_keys.MEMBERS, members),
        (team_keys.INVITE, invite),
        (team_keys.INVITES, invites),
        (team_keys.REVOKE, revoke),
        (team_keys.LINK, link_chosen),
        (team_keys.UNLINK, unlink),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=keyboards.pattern(verb)))
