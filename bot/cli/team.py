"""`trainer team ...`: operator commands on the training side (grant trainers, export results).

They act as the first operator in ADMIN_TELEGRAM_IDS, through the same services as the bot, so
the same role checks apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from bot.cli.runner import LangOption, interface_lang, load_settings, run_command
from bot.composition import Container, container
from bot.domain.periods import Period
from bot.errors import TrainerError

team_app = typer.Typer(
    help="Teams: create and list them, grant trainers, export results "
    "(acts as the first ADMIN_TELEGRAM_IDS id).",
    no_args_is_help=True,
)


async def _operator(c: Container) -> int:
    """The user id of the operator the CLI acts as."""
    if not c.settings.admin_telegram_ids:
        raise TrainerError("team.cli.no_operator")
    first = c.settings.admin_telegram_ids[0]
    return (await c.users.by_telegram_id(first, "operator")).id


@team_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The team's name.")],
    time_zone: Annotated[
        str | None, typer.Option("--zone", help="IANA time zone (default: TEAM_TIME_ZONE).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Create a team run by the operator (its id is what `team export --team` takes)."""
    settings = load_settings()
    ui = interface_lang(lang, settings)

    async def main() -> int:
        async with container(settings) as c:
            team = await c.training.teams.create_team(await _operator(c), name, time_zone)
            typer.echo(
                c.catalog.t(ui, "team.cli.created", name=team.name, id=team.id, zone=team.time_zone)
            )
        return 0

    run_command(main(), ui)


@team_app.command("list")
def list_teams(lang: LangOption = None) -> None:
    """The teams the operator runs, with their ids."""
    settings = load_settings()
    ui = interface_lang(lang, settings)

    async def main() -> int:
        async with container(settings) as c:
            teams = await c.training.teams.managed(await _operator(c))
            for t in teams:
                typer.echo(
                    c.catalog.t(
                        ui,
                        "team.cli.row",
                        id=t.id,
                        name=t.name,
                        zone=t.time_zone,
                        members=t.members,
                    )
                )
            if not teams:
                typer.echo(c.catalog.t(ui, "team.cli.none"))
        return 0

    run_command(main(), ui)


@team_app.command("grant-trainer")
def grant_trainer(
    telegram_id: Annotated[int, typer.Argument(help="The new trainer's Telegram user id.")],
    name: Annotated[str, typer.Option(help="Display name until they write to the bot.")] = "",
    lang: LangOption = None,
) -> None:
    """Let a Telegram user create teams (they become a trainer)."""
    settings = load_settings()
    ui = interface_lang(lang, settings)

    async def main() -> int:
        async with container(settings) as c:
            actor = await _operator(c)
            user = await c.users.by_telegram_id(telegram_id, name or str(telegram_id))
            await c.training.teams.grant_trainer(actor, user.id)
            typer.echo(c.catalog.t(ui, "team.cli.granted", telegram_id=telegram_id))
        return 0

    run_command(main(), ui)


@team_app.command("export")
def export(
    team: Annotated[int, typer.Option("--team", help="Team id.")],
    period: Annotated[Period, typer.Option("--period", help="week, month or all.")] = Period.MONTH,
    fmt: Annotated[
        Literal["csv", "xlsx"], typer.Option("--format", help="csv (UTF-8 with BOM) or xlsx.")
    ] = "xlsx",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: its name, here).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Export a team's sessions, scores and assignment status for a period."""
    settings = load_settings()
    ui = interface_lang(lang, settings)

    async def main() -> int:
        async with container(settings) as c:
            actor = await _operator(c)
            exported = await c.training.exports.export(actor, team, period, fmt, ui)
            target = out or Path(exported.filename)
            target.write_bytes(exported.data)
            typer.echo(c.catalog.t(ui, "team.cli.exported", path=target, rows=exported.rows))
        return 0

    run_command(main(), ui)
