"""Realism harness: every shipped scenario played by seven rep styles, and what the client did.

For each scenario × style it plays one session through the same engine the product uses
(reading → plan → apply → client voice) and prints, per row: replies, the share of client
replies that name something of the scenario (a person, amount, date, rule or fact), repeated
lines, "already said" claims with no fact given, objections re-raised after settling, facts
voiced by a persona who cannot know them, commitment lines contradicting the end reason,
meetings the client ended with no warning, meetings that ended on the turn the last
required fact was given (no turn left to propose), and apologies made right after an objection
that the client answered by holding on to it, and "demands": the client telling the rep they
lack something the client has already told (「智慧教室里谁负责什么你都没弄清楚」 after naming
周海涛 and 黄局). The skilled rep plays in three wordings (skilled, skilled-b, skilled-c), so a
client that only answers the walkthrough's phrasing shows up as a skilled row that fails.

    .venv/bin/python bench/realism.py                  # offline client
    .venv/bin/python bench/realism.py --llm            # the model at OPENAI_BASE_URL voices it
    .venv/bin/python bench/realism.py -s city-urban-mgmt-platform --style skilled --show

Targets offline: specific ≥ 60 % of replies, every contradiction column 0.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realism_checks import Tally, Watch, specific_terms
from rep_styles import STYLES, Moment

from bot.domain.cues import Cues, analyze
from bot.domain.engine import TurnPlan, apply, initial_state, plan_turn
from bot.domain.ports import ClientModel, ClientTurn
from bot.domain.scenario import Scenario
from bot.domain.session import ClientState
from bot.domain.transcript import Transcript
from bot.offline.client import OfflineClient, load_phrases
from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT, Settings

START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # the session clock the harness plays at
COLUMNS = [
    *("replies", "specific%", "repeat", "already", "reraise"),
    *("persona", "contra", "unwarned", "nolast", "ignored", "demands", "end"),
]


def _prepare(scenario: Scenario, start: dt.datetime) -> Scenario:
    """The scenario as a session started at `start` sees it (its dates moved to that day)."""
    try:
        from bot.domain.dates import as_of
    except ImportError:  # an engine from before dates followed the session
        return scenario
    return as_of(scenario, start.date())


async def play(
    scenario: Scenario, style: str, client: ClientModel, terms: set[str], show: bool
) -> Tally:
    """One session of one style; the tally of what the client did."""
    state = initial_state(scenario)
    transcript = Transcript().add("client", scenario.stages[0].opening, scenario.stages[0].id)
    watch = Watch(scenario, terms)
    if show:
        print(f"\n=== {scenario.id} · {style}\n客户: {scenario.stages[0].opening}")
    for turn in range(scenario.turn_budget):
        heard = transcript.turns[-1].text
        text = STYLES[style](Moment(scenario, state, heard, turn))
        transcript = transcript.add("rep", text, scenario.stages[state.stage].id)
        cues = analyze(text, heard, scenario.language)
        plan = _plan(scenario, state, cues, text, heard)
        after = apply(scenario, state, plan, text)
        seed = f"realism:{scenario.id}:{style}"
        reply = await client.reply(ClientTurn(scenario, state, after, plan, transcript, seed))
        transcript = transcript.add("client", reply.text, scenario.stages[state.stage].id)
        watch.turn(state, after, plan, reply.text)
        if show:
            print(f"销售: {text}\n客户: {reply.text}")
        state = after
        if state.ended is not None:
            break
    watch.tally.sessions = 1
    if state.ended is None:
        watch.tally.ends["open"] = 1
    return watch.tally


def _plan(scenario: Scenario, state: ClientState, cues: Cues, text: str, heard: str) -> TurnPlan:
    """The engine's plan (an engine that predates reading the client's last words gets none,
    so the same harness measures the code before and after)."""
    try:
        return plan_turn(scenario, state, cues, text, heard)
    except TypeError:
        return plan_turn(scenario, state, cues, text)  # type: ignore[call-arg]


def _row(label: str, t: Tally) -> str:
    share = 100 * t.specific / t.replies if t.replies else 0.0
    ends = ",".join(f"{k}:{v}" if t.sessions > 1 else k for k, v in sorted(t.ends.items()))
    cells = [
        t.replies, f"{share:.0f}", t.repeated, t.false_already, t.reraised,
        t.wrong_persona, t.contradicted, t.unwarned, t.no_last_turn, t.ignored, t.demands, ends,
    ]  # fmt: skip
    return f"{label:<44}" + "".join(f"{c!s:>9}" for c in cells[:-1]) + f"  {cells[-1]}"


async def main_async(args: argparse.Namespace) -> int:
    """Play the grid and print the table."""
    library = ScenarioLibrary.from_directory(Path(args.scenarios))
    scenarios = [_prepare(s, START) for s in library.all() if not args.s or s.id in args.s]
    phrases = load_phrases()
    bank = {
        lang: resources.files("bot.offline").joinpath(f"phrases_{lang}.yaml").read_text("utf-8")
        for lang in ("zh", "en")
    }
    client: ClientModel = OfflineClient(phrases)
    closer = None
    if args.llm:
        from bot.composition import build_models
        from bot.i18n import Catalog

        models = build_models(Settings(), Catalog.load())
        client, closer = models.client, models
    styles = args.style or list(STYLES)
    total = Tally()
    print(f"{'scenario · style':<44}" + "".join(f"{c:>9}" for c in COLUMNS[:-1]) + "  end")
    for scenario in scenarios:
        others = [o for o in scenarios if o.id != scenario.id]
        terms = specific_terms(scenario, others, bank[scenario.language])
        for style in styles:
            tally = await play(scenario, style, client, terms, args.show)
            total.add(tally)
            print(_row(f"{scenario.id[:32]} · {style}", tally))
    print(_row(f"ALL ({total.sessions} sessions)", total))
    if closer is not None:
        await closer.aclose()
    return 0


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-s", action="append", help="scenario id (repeatable)")
    parser.add_argument("--style", action="append", choices=list(STYLES))
    parser.add_argument("--scenarios", default=str(ROOT / "scenarios"))
    parser.add_argument("--llm", action="store_true", help="voice with the model (LLM_* settings)")
    parser.add_argument("--show", action="store_true", help="print every conversation")
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
