"""`trainer`: play in the terminal, run the bot, grade transcripts, check scenarios, evaluate."""

from __future__ import annotations

import getpass
import json
import logging
import sys
import unicodedata
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.evaluate import eval_app
from bot.cli.files import read_transcript
from bot.cli.recording import is_recording, transcribe_recording
from bot.cli.runner import LangOption, interface_lang, load_settings, run_command
from bot.cli.scenarios import register as register_scenario_commands
from bot.cli.team import team_app
from bot.composition import container, grading_only
from bot.domain.lang import detect_language, parse_lang
from bot.domain.transcript import parse_transcript
from bot.errors import ScenarioInvalid
from bot.i18n import Catalog
from bot.logs import configure_logging
from bot.scenarios.library import ScenarioLibrary, scenario_files
from bot.scenarios.loader import load_scenario
from bot.views.text import brief_text, labelled, model_name, scorecard_text

log = logging.getLogger("bot.cli")
app = typer.Typer(
    help="回款陪练 — practise collecting payment from government clients.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: flags shown as flags, wrapped lines flow
    context_settings={"max_content_width": 200},  # wide terminals get whole sentences
)
scenarios_app = typer.Typer(help="List, show and validate scenario files.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(eval_app, name="eval")
app.add_typer(db_app, name="db")
app.add_typer(team_app, name="team")
register_scenario_commands(scenarios_app)


def columns(text: str) -> int:
    """How many terminal columns a text takes (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """The text padded to `width` terminal columns, so Chinese columns line up."""
    return text + " " * max(0, width - columns(text))


@app.callback()
def _setup() -> None:
    """Configure logging before any command (secrets are always redacted)."""
    settings = load_settings()
    configure_logging(settings, sys.stderr, level="WARNING")


@app.command()
def play(
    scenario: Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario id.")] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Abandon an unfinished session and start anew.")
    ] = False,
    plan: Annotated[
        str | None, typer.Option("--plan", help="Your preparation plan (skips the prompt).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Play a whole session in the terminal: brief, prepare, play, scorecard.

    In play, /hint asks the coach and /end ends the meeting and grades it. Piped stdin works
    too: one rep message per line; a blank line or end of input also ends and grades. An
    unfinished session is resumed unless --new is given or -s names another scenario.
    """
    from bot.console.play import play as play_session

    settings = load_settings()
    ui = interface_lang(lang, settings)
    # The terminal is the rep's conversation: provider retries and such are not for them.
    configure_logging(settings, sys.stderr, level="ERROR")

    async def main() -> int:
        async with container(settings) as c:
            person = await c.users.local(getpass.getuser() or "terminal")
            return await play_session(c, person, ui, scenario, new, plan)

    run_command(main(), ui)


@app.command()
def run(lang: LangOption = None) -> None:
    """Start the product: the Telegram bot when TELEGRAM_BOT_TOKEN is set (long polling, or a
    webhook when TELEGRAM_WEBHOOK_URL is set), else terminal play."""
    settings = load_settings()
    ui = interface_lang(lang, settings)
    if settings.telegram_bot_token is None:
        typer.echo(Catalog.load().t(ui, "cli.run_no_token"))
        typer.echo()
        play(scenario=None, new=False, plan=None, lang=ui)
        return
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram.app import run as run_bot
    from bot.telegram.workers import SecondWorker

    catalog = Catalog.load()
    configure_logging(settings, sys.stderr)
    api = settings.telegram_api_base_url or "https://api.telegram.org/bot"
    if settings.telegram_webhook_url:
        listen = f"{settings.telegram_webhook_listen}:{settings.telegram_webhook_port}"
        url = settings.telegram_webhook_url
        typer.echo(catalog.t(ui, "tg.running_webhook", api=api, url=url, listen=listen), err=True)
    else:
        typer.echo(catalog.t(ui, "tg.running", api=api), err=True)
    try:
        run_bot(settings)
    except InvalidToken:
        typer.echo(catalog.t(ui, "tg.token_rejected"), err=True)
        raise typer.Exit(2) from None
    except SecondWorker as exc:
        typer.echo(catalog.error(ui, exc.code, exc.params), err=True)
        raise typer.Exit(exc.exit_code) from None
    except NetworkError as exc:
        log.error("Bot API unreachable: %s", exc)
        typer.echo(catalog.t(ui, "tg.api_unreachable", api=api), err=True)
        raise typer.Exit(1) from None


@app.command("grade")
def grade_file(
    transcript: Annotated[
        Path,
        typer.Argument(
            help="UTF-8 text (turns start with rep:/销售: or client:/客户:), or a recording "
            "(.ogg .mp3 .wav .m4a .flac .webm) transcribed with STT_MODEL."
        ),
    ],
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Scenario id or YAML path.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
    lang: LangOption = None,
) -> None:
    """Grade a written transcript (a real call written down, or a saved session), or a recorded
    call: transcribed, cut into rep and client turns, then graded the same way."""
    settings = load_settings()
    ui = interface_lang(lang, settings)

    async def main() -> int:
        sc = None
        if scenario:
            path = Path(scenario)
            sc = (
                load_scenario(path)
                if path.suffix in (".yaml", ".yml")
                else (ScenarioLibrary.from_directory(settings.scenarios_dir).get(scenario))
            )
        encoding, heard = "utf-8", None
        if is_recording(transcript):
            hint = parse_lang(lang, "zh") if lang else sc.language if sc else None
            parsed, labelled_speakers = await transcribe_recording(settings, transcript, hint)
            heard = "voice.call_speakers" if labelled_speakers else "voice.call_heuristic"
        else:
            text, encoding = read_transcript(transcript)
            parsed = parse_transcript(text)
        tips = (
            parse_lang(lang, "zh")
            if lang
            else (
                sc.language if sc else detect_language(" ".join(t.text for t in parsed.rep_turns()))
            )
        )
        models = grading_only(settings)
        catalog = Catalog.load()
        # Every line in the card's language, so an English card gets no Chinese header.
        if encoding != "utf-8":
            typer.echo(catalog.t(tips, "cli.read_as_gb18030", path=transcript), err=True)
        if heard is not None:
            how = catalog.t(tips, heard)
            turns = len(parsed)
            typer.echo(catalog.t(tips, "voice.call_heard", turns=turns, how=how), err=True)
        grader = model_name(models.grading_label, catalog, tips)
        typer.echo(catalog.t(tips, "llm.grading_with", grader=grader), err=True)
        try:
            card = await models.grading.grade(parsed, sc, None, tips)
        finally:
            await models.aclose()
        if as_json:
            typer.echo(json.dumps(card.to_json(), ensure_ascii=False))
        else:
            typer.echo(
                scorecard_text(card, models.catalog, tips, title=sc.title_in(tips) if sc else "")
            )
        return 0

    run_command(main(), ui)


@scenarios_app.command("show")
def scenarios_show(scenario_id: str, lang: LangOption = None) -> None:
    """Show a scenario's case card, as the rep will see it."""
    settings = load_settings()
    ui = interface_lang(lang, settings)

    async def main() -> int:
        scenario = ScenarioLibrary.from_directory(settings.scenarios_dir).get(scenario_id)
        catalog = Catalog.load()
        typer.echo(brief_text(scenario, catalog, ui))
        stages = " → ".join(
            catalog.t(ui, "label.stage", title=s.title, name=s.persona.name, patience=s.patience)
            for s in scenario.stages
        )
        typer.echo("\n" + labelled(catalog.t(ui, "label.stages"), stages, ui))
        return 0

    run_command(main(), ui)


@scenarios_app.command("validate")
def scenarios_validate(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or directories.")],
    lang: LangOption = None,
) -> None:
    """Validate scenario files; errors name file, line and field; non-zero exit if any fail."""
    settings = load_settings()
    ui = interface_lang(lang, settings)
    catalog = Catalog.load()
    bad = 0
    for path in scenario_files(paths):
        try:
            if not path.exists():
                raise ScenarioInvalid(detail=f"{path}: no such file")
            load_scenario(path)
            typer.echo(catalog.t(ui, "cli.valid", path=path))
        except ScenarioInvalid as exc:
            bad += 1
            typer.echo(str(exc.params["detail"]), err=True)
    if bad:
        typer.echo(catalog.t(ui, "cli.invalid_count", count=bad), err=True)
        raise typer.Exit(1)


@app.command()
def health(
    max_age: Annotated[
        int, typer.Option("--max-age", help="Seconds a heartbeat may be old.")
    ] = 120,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    lang: LangOption = None,
) -> None:
    """Check this worker: database reachable and migrated, Bot API getMe (with a token), the
    job loop's heartbeat (WORKER_NAME). Exit 0 healthy, 1 not (for Docker's HEALTHCHECK)."""
    import datetime as dt

    from bot.domain.clock import SystemClock
    from bot.health import run_checks, worker_name

    settings = load_settings()
    ui = interface_lang(lang, settings)
    catalog = Catalog.load()

    async def main() -> int:
        worker = worker_name(settings)
        age = dt.timedelta(seconds=max_age)
        checks = await run_checks(settings, SystemClock(), worker, age)
        healthy = all(c.ok for c in checks)
        if as_json:
            body = {
                "healthy": healthy,
                "worker": worker,
                "checks": {c.name: {"ok": c.ok, **c.params} for c in checks},
            }
            typer.echo(json.dumps(body, ensure_ascii=False))
        else:
            for c in checks:
                typer.echo(("✓ " if c.ok else "✗ ") + catalog.t(ui, c.key, **c.params))
            typer.echo(catalog.t(ui, "health.healthy" if healthy else "health.unhealthy"))
        return 0 if healthy else 1

    run_command(main(), ui)


@db_app.command("upgrade")
def db_upgrade(lang: LangOption = None) -> None:
    """Apply database migrations up to the newest."""
    from bot.composition import upgrade_database

    settings = load_settings()
    ui = interface_lang(lang, settings)

    async def main() -> int:
        await upgrade_database(settings)
        typer.echo("ok")
        return 0

    run_command(main(), ui)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        # `trainer scenarios list | head`: the reader went away; that is not an error.
        sys.stderr.close()
        raise SystemExit(0) from None
