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


def eval_file(source: Path, default_name: str) -> Path:
    """The JSONL file to evaluate: the path itself, or the one inside a directory.

    A directory is accepted when it holds `default_name` or exactly one `.jsonl` file; otherwise
    the user is told, in their language, what the command expects (never a crash file).
    """
    if source.is_dir():
        named = source / default_name
        if named.is_file():
            return named
        found = sorted(p for p in source.glob("*.jsonl") if p.is_file())
        if len(found) == 1:
            return found[0]
        if not found:
            raise TrainerError("error.eval_dir_empty", path=source, name=default_name)
        raise TrainerError(
            "error.eval_dir_ambiguous",
            path=source,
            files=", ".join(p.name for p in found),
        )
    if not source.is_file():
        raise TrainerError("error.file_not_found", path=source)
    return source


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
    from bot.evaluation.annomi import listening_report, load
    from bot.evaluation.roc import AucResult

    settings = load_settings()
    given = path or EVAL_DIR / "annomi" / "annomi.jsonl"

    def auc_line(r: AucResult, unit: str = "") -> str:
        n = f"  n={r.n}{unit}" if unit else ""
        return f"  {r.name:<42} AUC {r.auc:.3f}  (95% CI {r.low:.3f}–{r.high:.3f}){n}"

    async def main() -> int:
        source = eval_file(given, "annomi.jsonl")
        items = load(source)
        high = sum(i.high for i in items)
        typer.echo(
            f"AnnoMI: {len(items)} transcripts ({high} high, {len(items) - high} low), {source}"
        )
        models = grading_only(settings)
        try:
            result = await listening_report(items, models.judge, rounds)
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
    given = path or EVAL_DIR / "casino" / "casino.jsonl"

    async def main() -> int:
        source = eval_file(given, "casino.jsonl")
        items = load(source)
        typer.echo(f"CaSiNo: {len(items)} strategy-labelled utterances, {source}")
        for a in evaluate(items):
            typer.echo(
                f"  {a.name:<32} precision {a.precision:.2f}  recall {a.recall:.2f}"
                f"  (tp {a.true_pos}, fp {a.false_pos}, fn {a.false_neg})"
            )
        return 0

    run_command(main(), interface_lang(lang, settings))


@eval_app.command("acts")
def eval_acts(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="zh_acts.jsonl, or a directory holding it"
            " (default ../shared/eval/zh_acts/zh_acts.jsonl)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write each item with the reader's labels here."),
    ] = None,
    model: Annotated[
        bool,
        typer.Option("--model", help="Read with the model reader (LLM_MODEL_READER) if set."),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Per-label precision, recall and F1 of the turn reader, beside a majority baseline."""
    import json

    from bot.composition import build_reader
    from bot.evaluation.acts import load, predict, score, write_predictions
    from bot.reading import LexicalReader, Reader

    settings = load_settings()
    given = path or Path("../shared/eval/zh_acts/zh_acts.jsonl")

    async def main() -> int:
        source = eval_file(given, "zh_acts.jsonl")
        items = load(source)
        reader: Reader = build_reader(settings) if model else LexicalReader()
        try:
            predicted = await predict(items, reader.read)
        finally:
            closing = getattr(reader, "aclose", None)
            if closing is not None:
                await closing()
        if predictions is not None:
            write_predictions(items, predicted, predictions)
        gold = [i.labels for i in items if i.labels is not None]
        if len(gold) != len(items):
            typer.echo(f"{len(items)} items read; {len(gold)} labelled, no scores.", err=True)
            return 0
        scores, accuracy = score(predicted, gold)
        if as_json:
            data = {
                "items": len(items),
                "reader": reader.label,
                "labels": {
                    s.name: {
                        "support": s.support,
                        "precision": round(s.precision, 3),
                        "recall": round(s.recall, 3),
                        "f1": round(s.f1, 3),
                        "baseline_f1": round(s.baseline_f1, 3),
                    }
                    for s in scores
                },
                "accuracy": {k: round(v, 3) for k, v in accuracy.items()},
            }
            typer.echo(json.dumps(data, ensure_ascii=False))
            return 0
        typer.echo(f"zh_acts: {len(items)} turns, reader {reader.label}, {source}")
        typer.echo(f"  {'label':<32}{'n':>4}  {'P':>5}  {'R':>5}  {'F1':>5}  {'base F1':>7}")
        for s in scores:
            typer.echo(
                f"  {s.name:<32}{s.support:>4}  {s.precision:5.2f}  {s.recall:5.2f}"
                f"  {s.f1:5.2f}  {s.baseline_f1:7.2f}"
            )
        typer.echo("Accuracy per field (reader / majority class):")
        for field in (k for k in accuracy if not k.startswith("base:")):
            typer.echo(f"  {field:<32}{accuracy[field]:5.2f} / {accuracy['base:' + field]:.2f}")
        return 0

    run_command(main(), interface_lang(lang, settings))
