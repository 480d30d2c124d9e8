"""`trainer eval ...`: check the grader against expert-labelled data (AnnoMI, CaSiNo)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.runner import LangOption, interface_lang, load_settings, run_command
from bot.composition import grading_only
from bot.errors import TrainerError
from bot.settings import EVAL_DIR

eval_app = typer.Typer(help="Check the grader against expert-labelled data.", no_args_is_help=True)


@eval_app.command("annomi")
def eval_annomi(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="annomi.jsonl (default: ../shared/eval/annomi/annomi.jsonl beside the repository)."
        ),
    ] = None,
    rounds: Annotated[
        int, typer.Option(min=1, help="Bootstrap rounds for the 95% interval.")
    ] = 1000,
    lang: LangOption = None,
) -> None:
    """ROC AUC of the listening score for AnnoMI high vs low quality, beside two baselines."""
    from bot.evaluation.annomi import load, report
    from bot.evaluation.roc import AucResult

    settings = load_settings()
    source = path or EVAL_DIR / "annomi" / "annomi.jsonl"

    def auc_line(r: AucResult, unit: str = "") -> str:
        n = f"  n={r.n}{unit}" if unit else ""
        return f"  {r.name:<42} AUC {r.auc:.3f}  (95% CI {r.low:.3f}–{r.high:.3f}){n}"

    async def main() -> int:
        if not source.exists():
            raise TrainerError("error.file_not_found", path=source)
        items = load(source)
        high = sum(i.high for i in items)
        typer.echo(
            f"AnnoMI: {len(items)} transcripts ({high} high, {len(items) - high} low), {source}"
        )
        models = grading_only(settings)
        try:
            result = await report(items, models.judge, rounds)
        finally:
            await models.aclose()
        for r in result.headline:
            typer.echo(auc_line(r).lstrip())
        typer.echo("Length-matched pairs (longer ≤ 1.5 × shorter, in turns):")
        for r in result.matched:
            typer.echo(auc_line(r, " pairs"))
        typer.echo("Held out (odd upstream ids; the English rules were written on even ids):")
        for r in result.held_out:
            typer.echo(auc_line(r, " transcripts"))
        typer.echo("Listening sub-scores alone (where defined):")
        for r in result.parts:
            typer.echo(auc_line(r, " transcripts"))
        typer.echo("Detectors per rep utterance vs expert codes:")
        for a in result.detectors:
            typer.echo(
                f"  {a.name:<32} precision {a.precision:.2f}  recall {a.recall:.2f}"
                f"  (tp {a.true_pos}, fp {a.false_pos}, fn {a.false_neg})"
            )
        return 0

    run_command(main(), interface_lang(lang, settings))


@eval_app.command("casino")
def eval_casino(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="casino.jsonl (default: ../shared/eval/casino/casino.jsonl beside the repository)."
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Precision and recall of the English persuasion cues against CaSiNo strategy labels."""
    from bot.evaluation.casino import evaluate, load

    settings = load_settings()
    source = path or EVAL_DIR / "casino" / "casino.jsonl"

    async def main() -> int:
        if not source.exists():
            raise TrainerError("error.file_not_found", path=source)
        items = load(source)
        typer.echo(f"CaSiNo: {len(items)} strategy-labelled utterances, {source}")
        for a in evaluate(items):
            typer.echo(
                f"  {a.name:<32} precision {a.precision:.2f}  recall {a.recall:.2f}"
                f"  (tp {a.true_pos}, fp {a.false_pos}, fn {a.false_neg})"
            )
        return 0

    run_command(main(), interface_lang(lang, settings))
