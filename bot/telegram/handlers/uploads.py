"""Team scenarios: a trainer sends a YAML document (refused by its size before it is
downloaded; then checked by the strict loader, errors with line numbers), lists the team's own
scenarios with /upload, and test-plays one before assigning it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.scenarios.loader import MAX_BYTES
from bot.services.scenario_upload import ScenarioEntry
from bot.services.teams import TeamInfo
from bot.services.users import Person
from bot.telegram import keyboards, team_keys
from bot.telegram.buttons import stale
from bot.telegram.drafts import FlowState, drafts
from bot.telegram.handlers.picker import send_brief
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say, sender
from bot.telegram.staff import args, chosen, number, one_team, texts

KIND = "upload"


class UploadState(FlowState):
    """A scenario file sent by a trainer of several teams, waiting for the team's button."""

    file: str
    name: str | None = None


YAML = (
    filters.Document.FileExtension("yaml")
    | filters.Document.FileExtension("yml")
    | filters.Document.MimeType("application/x-yaml")
    | filters.Document.MimeType("application/yaml")
    | filters.Document.MimeType("text/yaml")
)


async def uploads(update: Update, context: Context) -> None:
    """/upload: how to upload, and the team's own scenarios (each can be test-played)."""
    person = await rep(update, context)
    mine = await context.runtime.training.teams.managed(person.id)
    team = await one_team(update, context, person, mine, team_keys.UPLOADS)
    if team is not None:
        await _listing(update, context, person, team)


async def team_uploads(update: Update, context: Context) -> None:
    """A team button under /upload, or "our scenarios" on a team's card."""
    person = await rep(update, context)
    info = await context.runtime.training.teams.team(person.id, number(args(update, 1)[0]))
    await _listing(update, context, person, info)


async def _listing(update: Update, context: Context, person: Person, team: TeamInfo) -> None:
    t, rt = texts(context, person), context.runtime
    found = await rt.training.uploads.scenarios(person.id, team.id)
    own = [e.scenario for e in found if e.source == "team"]
    lines = [
        t("tg.team.upload_usage", kb=MAX_BYTES // 1024),
        "",
        t.bold("tg.team.uploads_title", team=team.name),
    ]
    lines += [
        t("tg.team.upload_line", n=n, title=s.title_in(person.language), id=s.id, version=s.version)
        for n, s in enumerate(own, start=1)
    ] or [t("tg.team.uploads_empty")]
    keys = (
        team_keys.uploads(rt.catalog, person.language, team.id, [s.id for s in own])
        if own
        else None
    )
    await say(update, context, "\n".join(lines), keys)


async def document(update: Update, context: Context) -> None:
    """A YAML file from a trainer: into their team (asking which, if they run several)."""
    person = await rep(update, context)
    message = update.effective_message
    doc = message.document if message else None
    if doc is None:
        return
    t = texts(context, person)
    mine = await context.runtime.training.teams.managed(person.id)  # reps are refused here
    if doc.file_size is not None and doc.file_size > MAX_BYTES:
        # Refused on the size Telegram reports, before a byte is downloaded.
        size = -(-doc.file_size // 1024)
        await say(update, context, t("tg.team.upload_too_big", size=size, limit=MAX_BYTES // 1024))
        return
    if not mine:
        await say(update, context, t("tg.team.no_teams_trainer"))
        return
    if len(mine) == 1:
        await _store(update, context, person, mine[0], doc.file_id, doc.file_name)
        return
    state = UploadState(file=doc.file_id, name=doc.file_name)
    flow = await drafts(context).begin(sender(update), KIND, state)
    await say(update, context, t("tg.team.upload_team"), team_keys.upload_teams(mine, flow.nonce))


async def upload_to(update: Update, context: Context) -> None:
    """A team button under a file just sent: store it there."""
    person = await rep(update, context)
    nonce, team_id = args(update, 2)
    flow = await drafts(context).load(sender(update), UploadState, KIND, nonce)
    if flow is None:
        await say(update, context, texts(context, person)("tg.team.upload_stale"))
        return
    team = chosen(await context.runtime.training.teams.managed(person.id), number(team_id))
    await drafts(context).clear(sender(update))
    await _store(update, context, person, team, flow.state.file, flow.state.name)


async def _store(
    update: Update, context: Context, person: Person, team: TeamInfo, file_id: str, name: str | None
) -> None:
    rt, t = context.runtime, texts(context, person)
    file = await context.bot.get_file(file_id)
    if file.file_size is not None and file.file_size > MAX_BYTES:
        await say(
            update,
            context,
            t("tg.team.upload_too_big", size=-(-file.file_size // 1024), limit=MAX_BYTES // 1024),
        )
        return
    content = bytes(await file.download_as_bytearray())
    stored = await rt.training.uploads.upload(person.id, team.id, content, name)
    s = stored.scenario
    key = "tg.team.uploaded" if stored.changed else "tg.team.upload_unchanged"
    text = t(
        key, title=s.title_in(person.language), id=s.id, team=team.name, version=stored.version
    )
    await say(
        update, context, text, team_keys.test_play(rt.catalog, person.language, team.id, s.id)
    )


async def _play(update: Update, context: Context, replace: bool) -> None:
    person = await rep(update, context)
    team_id, token = args(update, 2)
    training = context.runtime.training
    found: list[ScenarioEntry] = await training.uploads.scenarios(person.id, number(team_id))
    scenario = keyboards.find_scenario_in([e.scenario for e in found], token)
    if scenario is None:
        await stale(update, context)
        return
    started = await training.uploads.play(person.id, number(team_id), scenario.id, replace)
    await send_brief(update, context, person, started)


async def test_play(update: Update, context: Context) -> None:
    """ "Test-play": the team scenario at its brief, played like any session (in the team)."""
    await _play(update, context, replace=False)


async def test_play_anew(update: Update, context: Context) -> None:
    """ "Abandon it and start this": the session in progress gives way to the test play."""
    await _play(update, context, replace=True)


def register(application: App) -> None:
    """Add this flow's handlers (the document one ahead of the "only text" fallback)."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("upload", uploads, filters=private))
    application.add_handler(MessageHandler(private & YAML, document))
    for verb, handler in (
        (team_keys.UPLOADS, team_uploads),
        (team_keys.UPLOAD_TO, upload_to),
        (team_keys.PLAY, test_play),
        (team_keys.PLAY_ANEW, test_play_anew),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=keyboards.pattern(verb)))
