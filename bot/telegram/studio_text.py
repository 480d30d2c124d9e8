"""A drafted scenario as the trainer previews it: the brief card the rep will see, the personas,
and the five facts with what earns each — enough to judge the case without reading YAML."""

from __future__ import annotations

from html import escape

from bot.domain.lang import Lang
from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.views.text import brief_text, tidy


def _join(lang: Lang, items: list[str]) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def preview(catalog: Catalog, lang: Lang, scenario: Scenario) -> str:
    """The preview's HTML: a draft heading, the brief card, personas, facts, the draft notice."""
    t = catalog.t
    lines = [f"<b>{escape(t(lang, 'tg.studio.preview_title'))}</b>", ""]
    lines += [brief_text(scenario, catalog, lang, html=True), ""]
    lines.append(f"<b>{escape(t(lang, 'tg.studio.personas'))}</b>")
    for i, stage in enumerate(scenario.stages):
        p = stage.persona
        lines.append(
            escape(
                t(
                    lang,
                    "tg.studio.persona",
                    n=i + 1,
                    stage=stage.title,
                    name=p.name,
                    role=p.role,
                    style=tidy(p.style),
                    turns=scenario.patience_of(i),
                )
            )
        )
    lines += ["", f"<b>{escape(t(lang, 'tg.studio.facts'))}</b>"]
    for key, fact in scenario.facts.items():
        earned = _join(lang, [t(lang, f"tg.studio.earn.{by}") for by in fact.earn.by])
        after = _join(lang, [t(lang, f"fact.{k}") for k in fact.earn.after])
        how = t(lang, "tg.studio.earned_by", by=earned)
        if after:
            how += t(lang, "tg.studio.earned_after", after=after)
        name = t(lang, f"fact.{key}")
        sep = "：" if lang == "zh" else ": "
        lines.append(f"• <b>{escape(name)}</b>{sep}{escape(tidy(fact.value))}")
        lines.append(f"  {escape(how)}")
    if scenario.objections:
        lines += ["", f"<b>{escape(t(lang, 'tg.studio.objections'))}</b>"]
        lines += [f"• {escape(tidy(o.says))}" for o in scenario.objections]
    lines += ["", escape(t(lang, "tg.studio.preview_note"))]
    return "\n".join(lines)
