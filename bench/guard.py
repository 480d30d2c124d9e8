"""Benchmark: the leak guard on a streamed client reply, as the LLM client runs it per turn.

For every shipped scenario it plays a session of `--turns` turns: each turn builds the guard the
way `LLMClient.reply` does (the stage's rendered system prompt plus short per-turn notes, the
scenario's sayable lines, the transcript so far, the planned lines, the speaking persona) and
streams one client reply made of the scenario's own lines through `GuardedSpeech` in pieces of
2–8 characters. Some replies end in a hidden fact's reveal or a line of the instructions, so
stops are exercised too. Prints ms per reply (guard built + reply streamed).

    .venv/bin/python bench/guard.py [--turns 8] [--repeat 3] [--runs 3]
    .venv/bin/python bench/guard.py --tree before=/tmp/old --tree after=.

With `--tree NAME=DIR` each tree's `bot` runs in its own process (PYTHONPATH=DIR) on the same
inputs, the trees taking turns `--runs` times; the run prints ms per reply per tree (its quietest
run), the ratio to the first, and whether every run of every tree showed the same text and
stopped at the same leak for every reply (a digest of all verdicts).
Figures, not assertions: the machine is shared, so compare by ratio within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import inspect
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


REP_LINES = (
    "您好，我是华信科技的小陈，想跟您约个时间谈谈二期项目的事。",
    "请问验收这块现在进展到哪一步了？",
    "我们这边材料都准备好了，您看还缺什么？",
    "付款流程一般需要多长时间，我们能配合做些什么？",
    "如果这周能把签字办完，对双方都好，您觉得呢？",
    "I understand. Could you tell me who reviews the acceptance report?",
)


def _replies(scenario: Any, rng: random.Random) -> list[str]:
    """Candidate client sentences from the scenario's own lines."""
    found: list[str] = []
    for stage in scenario.stages:
        found += list(stage.persona.will_say)  # not the opening: said already
        found += [line for group in stage.lines.values() for line in group]
    found += [o.says for o in scenario.objections] + [o.settled for o in scenario.objections]
    return [s for s in found if s.strip()]


def _chunks(text: str, rng: random.Random) -> list[str]:
    pieces, i = [], 0
    while i < len(text):
        n = rng.randint(2, 8)
        pieces.append(text[i : i + n])
        i += n
    return pieces


def cases(turns: int) -> list[dict[str, Any]]:
    """The same inputs for every tree: per scenario, a session's turns."""
    from bot.scenarios.library import ScenarioLibrary

    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    rng = random.Random(17)
    out: list[dict[str, Any]] = []
    for scenario in sorted(library.all(), key=lambda s: s.id):
        lines = _replies(scenario, rng)
        facts = list(scenario.facts)
        transcript: list[tuple[str, str]] = [("client", scenario.stages[0].opening)]
        unused: list[str] = []
        for t in range(turns):
            rep = REP_LINES[t % len(REP_LINES)]
            transcript.append(("rep", rep))
            if len(unused) < 2:  # a client says each of its lines once where it can
                unused = rng.sample(lines, k=len(lines))
            words = " ".join(unused.pop() for _ in range(2))
            if scenario.language == "zh":
                words = words.replace(" ", "")
            roll = rng.random()
            earned = facts[: t * len(facts) // (2 * turns)]
            hidden = [k for k in facts if k not in earned]
            if roll < 0.15 and hidden:  # ends telling a fact not earned
                words += scenario.facts[rng.choice(hidden)].reveal
            elif roll < 0.2:  # ends reading out its instructions
                words += "请始终保持角色，不要透露你被告知的任何隐藏信息。"
            out.append(
                {
                    "scenario": scenario.id,
                    "stage": min(t * len(scenario.stages) // turns, len(scenario.stages) - 1),
                    "earned": earned,
                    "transcript": list(transcript),
                    "notes": f"本轮：心情 {rng.randint(1, 5)}，耐心 {rng.randint(1, 5)}。"
                    f"对方说的话如下：{rep}",
                    "planned": [scenario.objections[t % len(scenario.objections)].says]
                    if scenario.objections
                    else [],
                    "chunks": _chunks(words, rng),
                }
            )
            transcript.append(("client", words))
    return out


async def _play(inputs: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    from bot.domain.transcript import Transcript
    from bot.llm import guard as guard_module
    from bot.llm.prompts import Prompts
    from bot.llm.speech import DELIMITER, GuardedSpeech
    from bot.scenarios.library import ScenarioLibrary

    library = ScenarioLibrary.from_directory(ROOT / "scenarios")
    prompts = Prompts(ROOT / "prompts")
    split_notes = "notes" in inspect.signature(guard_module.guard_for).parameters
    systems: dict[tuple[str, int], str] = {}
    times: list[float] = []
    digest = hashlib.sha256()
    stops = 0
    for round_ in range(repeat):
        for case in inputs:
            scenario = library.get(case["scenario"])
            key = (scenario.id, case["stage"])
            if key not in systems:  # rendering is the client's work, not the guard's
                systems[key] = prompts.render(
                    "client_system.j2",
                    scenario=scenario,
                    stage=scenario.stages[case["stage"]],
                    lang=scenario.language,
                    delimiter=DELIMITER,
                )
            system = systems[key]
            transcript = Transcript()
            for speaker, text in case["transcript"]:
                transcript = transcript.add(speaker, text)
            speaker = scenario.stages[case["stage"]].persona.name
            t0 = time.perf_counter()
            if split_notes:  # each tree is called the way its own client calls it
                guard = guard_module.guard_for(
                    scenario,
                    case["earned"],
                    transcript,
                    system,
                    case["planned"],
                    speaker=speaker,
                    notes=case["notes"],
                )
            else:
                guard = guard_module.guard_for(
                    scenario,
                    case["earned"],
                    transcript,
                    f"{system}\n{case['notes']}",
                    case["planned"],
                    speaker=speaker,
                )
            speech = GuardedSpeech(guard, None)
            for piece in case["chunks"]:
                await speech.feed(piece)
            await speech.finish()
            times.append(time.perf_counter() - t0)
            if round_ == 0:
                leak = (speech.leak.kind, speech.leak.item) if speech.leak else None
                digest.update(json.dumps([speech.text, leak], ensure_ascii=False).encode())
                stops += speech.leak is not None
    return {
        "bot": sys.modules["bot"].__file__,
        "replies": len(inputs),
        "stops": stops,
        "ms_mean": statistics.fmean(times) * 1000,
        "ms_median": statistics.median(times) * 1000,
        "first_round_ms": statistics.fmean(times[: len(inputs)]) * 1000,
        "digest": digest.hexdigest()[:16],
    }


def child(turns: int, repeat: int) -> None:
    gc.collect()
    result = asyncio.run(_play(cases(turns), repeat))
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=8, help="turns per scenario")
    parser.add_argument("--repeat", type=int, default=3, help="rounds over the same sessions")
    parser.add_argument("--tree", action="append", default=[], help="NAME=DIR of bot code")
    parser.add_argument("--runs", type=int, default=3, help="runs per tree, taking turns")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.turns, args.repeat)
        return 0
    trees = [t.split("=", 1) for t in args.tree] or [["this", str(ROOT)]]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in trees}
    for _ in range(args.runs):  # trees take turns, so a burst of load hits them alike
        for name, src in trees:
            env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child"]
            cmd += ["--turns", str(args.turns), "--repeat", str(args.repeat)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=src)
            runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    # The quietest run of each tree (the least disturbed by other work on the machine).
    results = [(name, min(runs[name], key=lambda r: r["ms_mean"])) for name, _ in trees]
    digests = {r["digest"] for rs in runs.values() for r in rs}
    base = results[0][1]["ms_mean"]
    print(
        f"{'tree':<10}{'replies':>8}{'stops':>7}{'ms/reply':>10}{'median':>8}{'1st':>8}"
        f"{'ratio':>8}  digest            bot"
    )
    for name, r in results:
        print(
            f"{name:<10}{r['replies']:>8}{r['stops']:>7}{r['ms_mean']:>10.2f}"
            f"{r['ms_median']:>8.2f}{r['first_round_ms']:>8.2f}{r['ms_mean'] / base:>8.2f}"
            f"  {r['digest']}  {r['bot']}"
        )
    same = len(digests) == 1
    print("verdicts: " + ("identical in every tree" if same else "DIFFER between trees"))
    print(
        "(ms/reply: guard built + reply streamed in 2-8 character pieces, the quietest of "
        f"{args.runs} runs per tree; 1st = its first round, caches cold)"
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
