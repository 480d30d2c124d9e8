"""`trainer scenarios list | schema | draft`: pick scenarios by the method's labels, see what the
library covers, export the JSON Schema for editors, and draft a new case from a description."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.files import read_text_file
from bot.cli.runner import LangOption, interface_lang, load_settings, run_command
from bot.composition import gateway_config
from bot.domain.lang import LANGS, Lang, parse_lang
from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.scenarios.coverage import PHENOMENA, TEMPERAMENTS, Coverage, Filter, coverage, resolve
from bot.scenarios.library import ScenarioLibrary
from bot.services.scenario_draft import Draft, ScenarioDrafter, scenario_schema

EXAMPLE = "district-health-tail-payment.yaml"


def _labels(catalog: Catalog, group: str, codes: tuple[str, ...]) -> dict[str, list[str]]:
    return {c: [catalog.t(lang, f"{group}.{c}") for lang in LANGS] for c in codes}


def _codes(
    values: list[str] | None, catalog: Catalog, group: str, codes: tuple[str, ...], ui: Lang
) -> frozenset[str]:
    found: set[str] = set()
    for value in values or []:
        code = resolve(value, codes, _labels(catalog, group, codes))
        if code is None:
            names = "、".join(catalog.t(ui, f"{group}.{c}") for c in codes)
            typer.echo(catalog.t(ui, "cli.unknown_filter", value=value, names=names), err=True)
            raise typer.Exit(2)
        found.add(code)
    return frozenset(found)


def coverage_table(cov: Coverage, catalog: Catalog, ui: Lang) -> list[str]:
    """Temperament × pattern as aligned text rows."""
    from bot.cli.main import columns, pad

    names = {t: catalog.t(ui, f"temperament.{t}") for t in TEMPERAMENTS}
    heads = [catalog.t(ui, f"phenomenon.{p}") for p in PHENOMENA]
    first = max(columns(n) for n in names.values()) + 2
    widths = [max(columns(h), 3) + 2 for h in heads]
    rows = [pad("", first) + "".join(pad(h, w) for h, w in zip(heads, widths, strict=True))]
    for t in TEMPERAMENTS:
        cells = [str(cov.grid.get((t, p), 0) or "·") for p in PHENOMENA]
        rows.append(
            pad(names[t], first) + "".join(pad(c, w) for c, w in zip(cells, widths, strict=True))
        )
    return rows


def register(scenarios_app: typer.Typer) -> None:
    """Add the picker, schema and draft commands to `trainer scenarios`."""
    scenarios_app.command("list")(scenarios_list)
    scenarios_app.command("schema")(scenarios_schema)
    scenarios_app.command("draft")(scenarios_draft)
    scenarios_app.command("new")(scenarios_new)


def scenarios_list(
    temperament: Annotated[
        list[str] | None, typer.Option("--temperament", "-t", help="e.g. 完美型 or perfectionist.")
    ] = None,
    pattern: Annotated[
        list[str] | None, typer.Option("--pattern", "-p", help="e.g. 久拖不决 or dragging.")
    ] = None,
    difficulty: Annotated[
        list[int] | None, typer.Option("--difficulty", "-d", min=1, max=5, help="1 to 5.")
    ] = None,
    prevention: Annotated[
        bool, typer.Option("--prevention", help="Only cases before the contract is signed.")
    ] = False,
    show_coverage: Annotated[
        bool, typer.Option("--coverage", help="Also print temperament × pattern coverage.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    lang: LangOption = None,
) -> None:
    """List the shipped scenarios, filtered by temperament, pattern and difficulty."""
    settings = load_settings()
    ui = interface_lang(lang, settings)
    catalog = Catalog.load()
    chosen = Filter(
        temperaments=_codes(temperament, catalog, "temperament", TEMPERAMENTS, ui),
        phenomena=_codes(pattern, catalog, "phenomenon", PHENOMENA, ui),
        difficulties=frozenset(difficulty or ()),
        prevention=True if prevention else None,
    )

    async def main() -> int:
        from bot.cli.main import columns, pad

        everything = ScenarioLibrary.from_directory(settings.scenarios_dir).all()
        items = chosen.apply(everything)
        if as_json:
            typer.echo(json.dumps([_row(s, ui) for s in items], ensure_ascii=False))
            return 0
        typer.echo(catalog.t(ui, "cli.scenarios_header", count=len(items)))
        names = {s.id: catalog.t(ui, f"temperament.{s.temperament}") for s in items}
        width = max((columns(n) for n in names.values()), default=0)
        for s in items:
            stages = " → ".join(st.id for st in s.stages)
            stars = "★" * s.difficulty
            line = f"{s.id:<36} {s.language}  {stars:<5} {pad(names[s.id], width)} "
            typer.echo(f"{line}{s.title_in(ui)}  [{stages}]")
        if show_coverage:
            typer.echo("\n" + catalog.t(ui, "cli.coverage_header", count=len(items)))
            typer.echo("\n".join(coverage_table(coverage(items), catalog, ui)))
        return 0

    run_command(main(), ui)


def _row(s: Scenario, ui: Lang) -> dict[str, object]:
    return {
        "id": s.id,
        "title": s.title_in(ui),
        "language": s.language,
        "difficulty": s.difficulty,
        "temperament": s.temperament,
        "phenomenon": s.phenomenon,
        "root_causes": list(s.root_causes),
        "main_hardship": s.main_hardship,
        "focus": s.focus,
        "stages": [st.id for st in s.stages],
    }


def scenarios_schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
) -> None:
    """Print the JSON Schema of a scenario file (generated from the strict model), for editors."""
    text = json.dumps(scenario_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")


def scenarios_draft(
    description: Annotated[str, typer.Argument(help="A few sentences about the case.")] = "",
    from_file: Annotated[
        Path | None, typer.Option("--from", help="A longer brief in a UTF-8 text file.")
    ] = None,
    scenario_lang: Annotated[
        str, typer.Option("--scenario-lang", "--lang", help="Language of the case: zh or en.")
    ] = "zh",
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the YAML.")] = Path(
        "draft.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output file.")] = False,
) -> None:
    """Draft a scenario from a description with the author model; the strict loader checks it and
    its errors go back to the model for at most two repairs. Nothing goes live until you add it."""
    settings = load_settings()
    case_lang = parse_lang(scenario_lang, "zh")
    ui = case_lang
    catalog = Catalog.load()
    model = settings.llm_model_author or settings.llm_model_judge
    if not model or not settings.openai_base_url:
        typer.echo(catalog.t(ui, "cli.draft_no_model"), err=True)
        raise typer.Exit(2)
    text = description
    if from_file is not None:
        text = f"{text}\n\n{read_text_file(from_file)}".strip()
    if not text.strip():
        typer.echo(catalog.t(ui, "cli.draft_no_description"), err=True)
        raise typer.Exit(2)
    if output.exists() and not force:
        typer.echo(catalog.t(ui, "cli.draft_exists", path=output), err=True)
        raise typer.Exit(2)

    async def main() -> int:
        from bot.llm.gateway import Gateway

        gateway = Gateway(gateway_config(settings))
        try:
            drafter = ScenarioDrafter.with_example(gateway, model, settings.scenarios_dir / EXAMPLE)
            typer.echo(catalog.t(ui, "cli.draft_asking", model=model), err=True)
            draft = await drafter.draft(text, case_lang)
        finally:
            await gateway.aclose()
        return _report(draft, output, catalog, ui)

    run_command(main(), ui)


def _report(draft: Draft, output: Path, catalog: Catalog, ui: Lang) -> int:
    if draft.scenario is None:
        rejected = output.with_suffix(".rejected.yaml")
        rejected.write_text(draft.text, "utf-8")
        typer.echo(
            catalog.t(ui, "cli.draft_failed", attempts=draft.attempts, path=rejected), err=True
        )
        typer.echo("\n".join(draft.errors), err=True)
        return 1
    output.write_text(draft.text, "utf-8")
    s = draft.scenario
    typer.echo(catalog.t(ui, "cli.draft_saved", path=output, attempts=draft.attempts))
    typer.echo(f"{s.id} · {s.title} · {'★' * s.difficulty}")
    for key, fact in s.facts.items():
        typer.echo(f"  • {catalog.t(ui, f'fact.{key}')}: {fact.value}")
    return 0


def scenarios_new(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the YAML.")] = Path(
        "my-scenario.yaml"
    ),
    scenario_lang: Annotated[
        str, typer.Option("--scenario-lang", "--lang", help="Language of the case: zh or en.")
    ] = "zh",
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output file.")] = False,
) -> None:
    """Build a scenario from a short questionnaire (no model needed), checked by the loader."""
    from bot.errors import ScenarioInvalid
    from bot.scenarios.loader import parse_scenario
    from bot.scenarios.questionnaire import QUESTIONS, build

    ui = parse_lang(scenario_lang, "zh")
    catalog = Catalog.load()
    if output.exists() and not force:
        typer.echo(catalog.t(ui, "cli.draft_exists", path=output), err=True)
        raise typer.Exit(2)
    answers = {
        q.key: typer.prompt(
            q.zh if ui == "zh" else q.en, default=q.default, show_default=bool(q.default)
        )
        for q in QUESTIONS
    }
    try:
        text = build(answers, ui)
        parse_scenario(text, str(output))
    except (ScenarioInvalid, ValueError) as exc:
        detail = exc.params.get("detail") if isinstance(exc, ScenarioInvalid) else str(exc)
        typer.echo(catalog.t(ui, "cli.new_invalid", detail=detail), err=True)
        raise typer.Exit(1) from None
    output.write_text(text, "utf-8")
    typer.echo(catalog.t(ui, "cli.new_saved", path=output))
