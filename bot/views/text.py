"""Text renderings of the brief, the scorecard and hints, as plain text or Telegram HTML."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

from bot.domain.cues import analyze
from bot.domain.lang import Lang, detect_language, parse_lang
from bot.domain.periods import local_text
from bot.domain.scenario import Scenario
from bot.domain.scorecard import Scorecard
from bot.i18n import Catalog
from bot.services.practice import Hint

# Month names spelled out here: `%B` follows the process locale, which may be Chinese.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Plain-text headings and quotes the way each language's readers mark them.
_PLAIN_MARKS: dict[Lang, tuple[str, str, str, str]] = {
    "zh": ("【", "】", "「", "」"),
    "en": ("[", "]", "\u201c", "\u201d"),
}
# A line break folded into a space by YAML (`>`) inside Chinese prose: after CJK punctuation,
# or between two CJK characters. A space between a digit and a character is kept (「30 日」).
_FOLDED_SPACE = re.compile(
    r"(?<=[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u4e00-\u9fff])[ \t]+"
    r"(?=[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u4e00-\u9fff])"
    r"|(?<=[\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u300d\u300f\uff09])[ \t]+"
)


@dataclass(frozen=True)
class Markup:
    """Escapes user text and marks headings, for HTML or plain output."""

    html: bool
    lang: Lang = "zh"

    def esc(self, text: object) -> str:
        """User- or scenario-provided text, made safe."""
        return html_lib.escape(str(text), quote=False) if self.html else str(text)

    def bold(self, text: object) -> str:
        """A heading."""
        if self.html:
            return f"<b>{self.esc(text)}</b>"
        opening, closing, _, _ = _PLAIN_MARKS[self.lang]
        return f"{opening}{text}{closing}"

    def italic(self, text: object) -> str:
        """A quote."""
        if self.html:
            return f"<i>{self.esc(text)}</i>"
        _, _, opening, closing = _PLAIN_MARKS[self.lang]
        return f"{opening}{text}{closing}"


def labelled(name: str, value: str, lang: Lang) -> str:
    """「名称：内容」 with a full-width colon in Chinese, "Name: value" in English."""
    return f"{name}：{value}" if lang == "zh" else f"{name}: {value}"


def tidy(text: str) -> str:
    """Scenario prose without the spaces YAML folding leaves inside Chinese sentences."""
    return _FOLDED_SPACE.sub("", text)


def model_name(label: str, catalog: Catalog, lang: Lang, offline: str = "label.offline") -> str:
    """Who grades or plays the client: `offline` (named by the `offline` catalog key) and
    `llm:<model>` in the reader's words."""
    if label == "offline":
        return catalog.t(lang, offline)
    if label.startswith("llm:"):
        return catalog.t(lang, "label.model", model=label.removeprefix("llm:"))
    return label


def rule_text(rule: str, catalog: Catalog, lang: Lang) -> str:
    """Why a score was held in its bounds, e.g. `facts_uncovered=2` or `threat`."""
    name, _, value = rule.partition("=")
    key = f"rule.{name}"
    if not catalog.has(key):
        return catalog.t(lang, "rule.other")
    if not value:
        return catalog.t(lang, key)
    return catalog.t(lang, key, n=int(value) if value.isdigit() else value)


def money(amount: int, currency: str, lang: Lang) -> str:
    """An amount the way a Chinese or English reader expects it."""
    if lang == "zh" and currency == "CNY":
        return f"{amount / 10000:g} 万元" if amount >= 10000 else f"{amount} 元"
    return f"{currency} {amount:,}"


def day(date: dt.date, lang: Lang) -> str:
    """A calendar day as each reader writes it: 2026 年 6 月 30 日 / 30 June 2026."""
    if lang == "zh":
        return f"{date.year} 年 {date.month} 月 {date.day} 日"
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def stars(score: float) -> str:
    """A 1–5 score as five stars (rounded to the nearest half, shown as whole stars)."""
    full = max(0, min(5, round(score)))
    return "★" * full + "☆" * (5 - full)


def pattern_label(scenario: Scenario, catalog: Catalog, lang: Lang) -> str:
    """The case's pattern as shown to a rep: a prevention case is named as one."""
    if scenario.focus == "prevention":
        return catalog.t(lang, "focus.prevention")
    return catalog.t(lang, f"phenomenon.{scenario.phenomenon}")


def brief_text(scenario: Scenario, catalog: Catalog, lang: Lang, html: bool = False) -> str:
    """The case card: client, history, amounts, what the rep knows, goal, budget and rubric."""
    m, t, b = Markup(html, lang), catalog.t, scenario.brief
    lines = [
        m.bold(t(lang, "brief.title", title=scenario.title_in(lang))),
        m.esc(
            t(
                lang,
                "brief.meta",
                difficulty=stars(scenario.difficulty),
                temperament=t(lang, f"temperament.{scenario.temperament}"),
                phenomenon=pattern_label(scenario, catalog, lang),
            )
        ),
        m.esc(tidy(scenario.summary_in(lang))),
        "",
        f"{m.bold(t(lang, 'brief.client'))} {m.esc(tidy(b.client))}",
        f"{m.bold(t(lang, 'brief.history'))} {m.esc(tidy(b.history))}",
        m.esc(
            t(
                lang,
                "brief.amounts_prevention" if scenario.focus == "prevention" else "brief.amounts",
                contract=money(b.contract_amount, b.currency, lang),
                overdue=money(b.overdue_amount, b.currency, lang),
            )
        ),
    ]
    if b.overdue_since:
        lines.append(m.esc(t(lang, "brief.overdue_since", date=day(b.overdue_since, lang))))
    causes = ("、" if lang == "zh" else ", ").join(
        t(lang, f"root_cause.{c}") for c in scenario.root_causes
    )
    lines += [
        f"{m.bold(t(lang, 'brief.causes'))} {m.esc(causes)}",
        "",
        m.bold(t(lang, "brief.known")),
    ]
    lines += [f"• {m.esc(tidy(k))}" for k in b.known]
    lines += ["", f"{m.bold(t(lang, 'brief.goal'))} {m.esc(tidy(b.goal))}"]
    lines.append(
        m.esc(t(lang, "brief.budget", turns=scenario.turn_budget, mark=scenario.pass_mark))
    )
    stages = ("、" if lang == "zh" else "; ").join(
        t(lang, "brief.patience_stage", stage=s.title, turns=scenario.patience_of(i))
        for i, s in enumerate(scenario.stages)
    )
    lines.append(m.esc(t(lang, "brief.patience", who=stages)))
    lines += ["", m.bold(t(lang, "brief.rubric"))]
    for dim, weight in scenario.rubric.as_dict().items():
        if weight > 0:
            lines.append(
                f"• {m.esc(t(lang, f'dim.{dim}'))} {weight:.0%} — {m.esc(t(lang, f'rubric.{dim}'))}"
            )
    return "\n".join(lines)


def short_brief_text(scenario: Scenario, catalog: Catalog, lang: Lang, html: bool = False) -> str:
    """The short card of a scenario the rep has played before: title, goal, turns and pass mark."""
    m, t = Markup(html, lang), catalog.t
    return "\n".join(
        [
            m.bold(t(lang, "brief.title", title=scenario.title_in(lang))),
            f"{m.bold(t(lang, 'brief.goal'))} {m.esc(tidy(scenario.brief.goal))}",
            m.esc(t(lang, "brief.budget", turns=scenario.turn_budget, mark=scenario.pass_mark)),
        ]
    )


def _metric_line(card: Scorecard, catalog: Catalog, lang: Lang) -> str:
    mx, t = card.metrics, catalog.t
    yes_no = t(lang, "card.answer_yes") if mx.get("commitment") else t(lang, "card.answer_no")
    parts = [
        f"{t(lang, 'metric.talk_share')} {mx.get('talk_share', 0):.0%}",
        t(
            lang,
            "figure.questions",
            questions=mx.get("questions", 0),
            open=mx.get("open_questions", 0),
        ),
        f"{t(lang, 'metric.reflections')} {mx.get('reflections', 0)}",
        f"{t(lang, 'metric.empathy')} {mx.get('empathy', 0)}",
        f"{t(lang, 'metric.pressure')} {mx.get('pressure', 0)}",
        f"{t(lang, 'metric.threats')} {mx.get('threats', 0)}",
        t(lang, "figure.longest", units=mx.get("longest_rep_turn", 0)),
        f"{t(lang, 'metric.commitment')} {yes_no}",
    ]
    line = " · ".join(parts)
    speech = mx.get("speech")
    return f"{line}\n{_speech_line(speech, catalog, lang)}" if speech else line


def _speech_line(speech: dict[str, Any], catalog: Catalog, lang: Lang) -> str:
    """The voice figures (only for a session with voice notes)."""
    t = catalog.t
    unit = t(lang, f"metric.rate_{speech.get('rate_unit', 'chars')}")
    pace = t(lang, f"metric.pace_{speech.get('pace', 'steady')}")
    return t(
        lang,
        "metric.speech",
        rate=speech.get("rate", 0),
        unit=unit,
        pace=pace,
        fillers=speech.get("fillers", 0),
        per100=speech.get("fillers_per_100", 0),
        longest=speech.get("longest_seconds", 0),
        turn=speech.get("longest_turn", 0),
    )


def counts_against(quote: str, language: object) -> bool:
    """Whether a quoted line is evidence of what went wrong (pressure, a threat, telling the
    client what to do, vague talk), so the card can mark it ⚠ rather than ✓."""
    lang = parse_lang(str(language)) if language else detect_language(quote)
    cues = analyze(quote, "", lang)
    return cues.pressure or cues.threat or cues.advice or cues.vague


def _corrected(card: Scorecard, dim: str, catalog: Catalog, lang: Lang, zone: str) -> str:
    """A trainer's correction of one dimension: who, when, the original score and why."""
    fix = card.overrides.get(dim)
    if not isinstance(fix, dict):
        return ""
    try:
        at = local_text(dt.datetime.fromisoformat(str(fix.get("at"))), zone)
    except ValueError:
        at = str(fix.get("at", ""))
    return catalog.t(
        lang,
        "loop.corrected",
        by=fix.get("by", ""),
        at=at,
        original=f"{float(fix.get('original', 0)):g}",
        score=f"{float(fix.get('score', 0)):g}",
        reason=fix.get("reason", ""),
    )


# Tips that praise or build on what the grader credited: a trainer who lowers the score takes
# that credit back, so the tip must not keep it (「拿到承诺后，当场复述确认」 after 推进 5 → 2.5).
_CREDITING = ("tip.good", "tip.next_step.confirm")


def _tip(card: Scorecard, dim: str, tip: str, catalog: Catalog, lang: Lang) -> str:
    """The grader's tip, unless a trainer lowered the score it was written for and it praised
    what the trainer took back; then the advice for a low score of that dimension, if any."""
    fix = card.overrides.get(dim)
    if not isinstance(fix, dict) or not tip:
        return tip
    try:
        lowered = float(fix.get("score", 0)) < float(fix.get("original", 0))
    except (TypeError, ValueError):
        return tip
    crediting = {catalog.t(lg, key) for key in _CREDITING for lg in ("zh", "en")}
    if not lowered or tip not in crediting:
        return tip
    return catalog.t(lang, "tip.next_step.propose") if dim == "next_step" else ""


def scorecard_text(
    card: Scorecard,
    catalog: Catalog,
    lang: Lang,
    title: str = "",
    html: bool = False,
    zone: str = "UTC",
) -> str:
    """The whole scorecard: overall and pass/fail, each dimension with quotes and a tip (and a
    trainer's correction, marked as one), the five-question checklist, the metrics and the
    better wording."""
    m, t = Markup(html, lang), catalog.t
    verdict = "card.passed" if card.passed else "card.failed"
    heading = t(lang, "card.title") + (f" · {title}" if title else "")
    blocks = [
        "\n".join(
            [
                m.bold(heading),
                m.esc(t(lang, "card.overall", score=card.overall))
                + "  "
                + m.esc(t(lang, verdict, mark=card.pass_mark)),
                m.esc(t(lang, "card.grader", grader=model_name(card.grader, catalog, lang))),
            ]
            + ([m.esc(t(lang, "loop.corrected_card"))] if card.overrides else [])
        )
    ]
    for dim, d in card.dimensions.items():
        lines = [f"{m.bold(t(lang, f'dim.{dim}'))} {d.score:g}/5 {stars(d.score)}"]
        if d.rule:
            rule = rule_text(d.rule, catalog, lang)
            lines[0] += " " + m.esc(t(lang, "card.capped", rule=rule))
        for e in d.evidence:
            against = (
                e.turn in card.metrics["against_turns"]
                if "against_turns" in card.metrics
                else counts_against(e.quote, card.metrics.get("language"))
            )
            mark = "⚠" if against else "✓"
            lines.append(
                f"  {mark} {m.esc(t(lang, 'card.evidence'))} #{e.turn} {m.italic(e.quote)}"
            )
        if fix := _corrected(card, dim, catalog, lang, zone):
            lines.append("  " + m.esc(fix))
        if tip := _tip(card, dim, d.tip, catalog, lang):
            lines.append("  " + m.esc(labelled(t(lang, "card.tip"), tip, lang)))
        blocks.append("\n".join(lines))
    checklist = [m.bold(t(lang, "card.checklist"))]
    checklist += [
        f"{t(lang, f'status.{s}')}  {m.esc(t(lang, f'fact.{k}'))}"
        for k, s in card.checklist.items()
    ]
    blocks.append("\n".join(checklist))
    blocks.append(m.bold(t(lang, "card.metrics")) + "\n" + m.esc(_metric_line(card, catalog, lang)))
    if card.rewording:
        r = card.rewording
        blocks.append(rewording_text(card, catalog, lang, html) if r else "")
    return "\n\n".join(b for b in blocks if b)


def rewording_text(card: Scorecard, catalog: Catalog, lang: Lang, html: bool = False) -> str:
    """The better wording of the turn that cost the most, and why (which dimension it fixes)."""
    if card.rewording is None:
        return ""
    m, t, r = Markup(html, lang), catalog.t, card.rewording
    lines = [
        m.bold(t(lang, "card.rewording", turn=r.turn)),
        labelled(m.esc(t(lang, "card.original")), m.italic(r.original), lang),
        labelled(m.esc(t(lang, "card.suggestion")), m.italic(r.suggestion), lang),
    ]
    if r.why:
        lines.append(labelled(m.esc(t(lang, "card.why")), m.esc(r.why), lang))
    return "\n".join(lines)


def hint_text(hint: Hint, catalog: Catalog, lang: Lang) -> str:
    """A hint: a model coach's own words, or the catalog text with names localised."""
    if hint.text:
        return hint.text
    shown = dict(hint.params)
    if "fact" in shown:
        fact = catalog.t(lang, f"fact.{shown['fact']}")
        # Inside an English sentence: 'You don't know "who accepts the project" yet.'
        shown["fact"] = fact if lang == "zh" else fact[:1].lower() + fact[1:]
    if "needs" in shown:
        sep = "、" if lang == "zh" else ", "
        shown["needs"] = sep.join(
            catalog.t(lang, f"need.{n}") for n in shown["needs"].split(",") if n
        )
    if "objection" in shown:
        shown.pop("objection")
    return catalog.t(lang, hint.code, **shown)
