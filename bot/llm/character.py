"""What a client persona never says: self-descriptions out of character, and lines that are
not the client's own (a speaker label, stage narration, the rep's own words handed back).

Patterns run on `normal_form.fold`ed text (NFKC, no zero-width or bidi characters,
Simplified, lower case), Chinese ones with spaces removed as well, so 「作为ＡＩ」,
「作为A\u200bI」, 「作為人工智能」 and 「作为 AI」 are one case. Each family is written to
match the self-description, not the word: 「你说的什么AI？」 or 「按程序办」 pass.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MACHINE_ZH = (
    r"(?:ai|a\.i\.|人工智能|语言模型|大语言模型|大模型|ai模型|ai助手|智能助手|虚拟助手|人工智能助手"
    r"|聊天机器人|机器人|chatgpt|gpt\S{0,6}|通义千问|千问|文心一言|豆包|kimi|智谱清言|讯飞星火"
    r"|(?:计算机|电脑)?程序(?![员上里化性]))"
)
_ZH = re.compile(
    "|".join(
        (
            rf"(?:作为|身为|我是|我只是|我就是|只是|我不过是|我并不是|我不是真人[，,]?而是)"
            rf"(?:一个|一名|一款|一种|个|名)?{_MACHINE_ZH}",
            r"ai助手|人工智能助手|智能助手|虚拟助手|聊天机器人|语言模型|大模型",
            r"chatgpt|通义千问|文心一言|openai|阿里云开发|由.{0,8}(?:公司|团队)?(?:开发|训练)的",
            r"提示词|系统提示|系统消息|系统指令|指令要求我|我的指令|我的设定|人设|角色扮演|扮演的角色"
            r"|扮演(?:一个|一名|这个)?(?:客户|官员|科长|角色)",
            r"导演|剧本|出戏|保持角色|不是真(?:实的)?人|虚构的(?:人物|角色|场景)",
            r"(?:销售)?培训模拟|模拟(?:训练|对话|场景|练习|演练)|销售培训|陪练|这是(?:一个|一场)?模拟",
        )
    )
)
_EN = re.compile(
    "|".join(
        (
            r"\bas an? (?:ai|a\.i\.|artificial intelligence|(?:large )?language model|llm|chat ?bot"
            r"|ai assistant|ai model|virtual assistant)\b",
            r"\bi(?:'?m| am)(?: (?:just|only|merely|simply|really|actually))? (?:an? )?(?:ai|a\.i\."
            r"|artificial intelligence|(?:large )?language model|llm|chat ?bot|bot|(?:computer )?"
            r"program|virtual assistant|ai assistant|ai model|machine)\b",
            r"\b(?:ai|virtual) assistant\b|\bchat ?bots?\b|\blanguage model\b|\bchatgpt\b"
            r"|\bopenai\b|\bqwen\b|\bgpt-?\d",
            r"\bsystem prompt\b|\bmy (?:instructions|prompt|programming|guidelines)\b"
            r"|\bdirector'?s notes\b|\brole-?play(?:ing)?\b|\b(?:stay|staying|break|breaking)"
            r" (?:in|out of) character\b|\bin character\b|\bout of character\b",
            r"\b(?:sales[- ])?training (?:simulation|exercise|scenario)\b"
            r"|\bthis is (?:just |only )?a (?:simulation|role-?play|game|test scenario)\b"
            r"|\bnot a real (?:person|human|official)\b",
        )
    )
)
_DELIMITERS = re.compile(
    r"<<<|>>>|facts_revealed|mood_change|meeting_ended|stage_change|\"commitment\""
)
_SPACES = re.compile(r"\s+")


def out_of_character(folded: str) -> str | None:
    """The out-of-character phrase in a folded text, if any."""
    for pattern, text in (
        (_DELIMITERS, folded),
        (_ZH, _SPACES.sub("", folded)),
        (_EN, _SPACES.sub(" ", folded)),
    ):
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


GENERIC_LABELS = (
    "销售",
    "销售代表",
    "销售员",
    "客户经理",
    "客户",
    "拜访者",
    "来访者",
    "访客",
    "用户",
    "助手",
    "我",
    "rep",
    "sales",
    "sales rep",
    "salesperson",
    "visitor",
    "client",
    "user",
    "assistant",
    "official",
)
_NARRATION = re.compile(
    r"[（(][^）)]{0,40}?(?:离开|走[了进出开]|进来|出去|坐下|起身|点头|摇头|笑|叹气|沉默|停顿|销售|小[陈刘李王]"
    r"|leaves?|left|enters?|walks?|nods?|smiles?|laughs?|sighs?|pauses?|rep\b|visitor)[^）)]{0,40}[）)]"
)


@lru_cache(maxsize=256)  # one set of labels per scenario stage, asked for on every turn
def label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """A speaker label ("王建华：", "Rep:") at the start of a line or a sentence."""
    names = sorted({n.lower() for n in labels if n.strip()}, key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?:^|[\n。！？!?.…]\s*)[*【\[]?(?:{alternatives})[*】\]]?\s*[：:]")


def narration(folded: str) -> str | None:
    """A stage direction in brackets that narrates a scene (who leaves, who nods), if any."""
    found = _NARRATION.search(folded)
    return found.group(0) if found else None
