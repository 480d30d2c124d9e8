"""Word lists behind the cue detector, per language.

These are data, kept apart from the rules in `cues.py` so they can be tuned and reviewed by
people who know the sales floor. Chinese entries are matched as substrings; English entries
are matched on word boundaries (see `cues._has`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.facts import FactKey
from bot.domain.lang import Lang


@dataclass(frozen=True)
class Lexicon:
    """Every phrase list one language needs."""

    question_words: tuple[str, ...]
    open_question_words: tuple[str, ...]
    closed_question_words: tuple[str, ...]
    reflection_markers: tuple[str, ...]
    empathy: tuple[str, ...]
    courtesy: tuple[str, ...]
    pressure: tuple[str, ...]
    threat: tuple[str, ...]
    directive: tuple[str, ...]
    regulation: tuple[str, ...]
    introduce: tuple[str, ...]
    purpose: tuple[str, ...]
    payment_ask: tuple[str, ...]
    value: tuple[str, ...]
    action: tuple[str, ...]
    person: tuple[str, ...]
    meta: tuple[str, ...]
    filler: tuple[str, ...]
    topics_strong: dict[FactKey, tuple[str, ...]] = field(default_factory=dict)
    topics_weak: dict[FactKey, tuple[str, ...]] = field(default_factory=dict)
    # Sentence-level listening acts; English only so far (see `english_acts.py`).
    question_openers: tuple[str, ...] = ()
    perspective: tuple[str, ...] = ()
    complex_markers: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    leading: tuple[str, ...] = ()
    information: tuple[str, ...] = ()
    imperatives: tuple[str, ...] = ()
    permission: tuple[str, ...] = ()


# fmt: off
ZH = Lexicon(
    question_words=(
        "吗", "么", "什么", "怎么", "怎样", "如何", "为什么", "为何", "哪", "谁", "几", "多少",
        "多久", "何时", "是否", "能否", "可否", "有没有", "是不是", "能不能", "可不可以",
        "会不会", "要不要", "对吧", "对吗", "行吗", "好吗", "呢",
    ),
    open_question_words=(
        "什么", "怎么", "怎样", "如何", "为什么", "为何", "哪些", "哪方面", "哪一步", "哪个环节",
        "说说", "讲讲", "谈谈", "聊聊", "介绍一下", "具体", "详细", "请教",
    ),
    closed_question_words=(
        "吗", "是不是", "有没有", "能不能", "可不可以", "会不会", "要不要", "是否", "能否",
        "可否", "对吧", "对吗", "行吗", "好吗",
    ),
    reflection_markers=(
        "您的意思是", "你的意思是", "您是说", "你是说", "听起来", "听上去", "也就是说",
        "我理解的是", "我理解您", "我听明白", "我听懂", "换句话说", "所以您", "所以你",
        "所以说您", "您刚才说", "你刚才说", "您刚才提到", "您提到", "您担心", "您是担心",
        "您顾虑", "您的顾虑", "您关心的是", "看得出", "感觉您", "如果我没理解错", "没理解错的话",
        "我复述一下", "我确认一下", "跟您确认一下", "总结一下",
    ),
    empathy=(
        "理解您", "理解你", "能理解", "很理解", "我理解", "辛苦", "不容易", "体谅", "为难",
        "难处", "压力", "能想象", "换位", "站在您的角度", "添麻烦", "打扰您", "占用您",
        "确实很忙", "您这么忙", "您忙", "给您添", "让您为难", "您受累", "您费心",
        "百忙", "您很忙", "领导很忙", "科长很忙", "主任很忙", "局长很忙", "让您很被动",
        "让您被动", "您很被动", "夹在中间", "不好交代", "操心", "挨批评",
    ),
    courtesy=("您", "请", "谢谢", "麻烦", "劳驾", "辛苦", "打扰"),
    pressure=(
        "你们必须", "您必须", "必须付", "必须给", "必须打", "必须结", "必须到账", "今天必须",
        "马上付", "马上给", "马上打", "马上结", "马上把钱", "马上支付", "你们马上", "您马上",
        "立刻付", "立刻给", "立刻打", "立即付", "立即支付", "你们立刻", "你们立即",
        "赶紧", "赶快", "限你", "限您", "最后一次", "再不",
        "否则", "不然我们", "拖欠", "赖账", "欠钱不还", "说话不算话", "别找借口", "给个痛快",
        "到底什么时候", "到底给不给", "别再拖", "别拖了", "一直拖",
    ),
    threat=(
        "起诉", "法院", "律师", "仲裁", "投诉你", "投诉您", "去投诉", "要投诉", "会投诉",
        "就投诉", "投诉到", "向上投诉", "举报", "曝光", "纪委", "上访", "告你",
        "告你们", "告到", "找你们领导", "找您领导", "找你领导", "后果自负", "追究", "黑名单",
        "走法律", "法律程序", "法律途径",
    ),
    directive=("你必须", "您必须", "你得", "你们得", "你应该", "你们应该", "你需要", "赶紧给"),
    regulation=(
        "条例", "保障中小企业款项支付", "款项支付条例", "30日", "30天", "三十日", "三十天",
        "逾期利息", "万分之五", "0.05%", "政府采购需求管理办法", "合同约定", "合同第",
        "合同条款", "按合同", "规定", "财政集中支付", "预算",
    ),
    introduce=("我是", "我叫", "我姓", "我们公司", "我们是", "来自", "我这边是"),
    purpose=(
        "关于", "来是想", "为了", "这次来", "想跟您", "今天来", "的事", "回款", "尾款", "款项",
        "付款", "结算", "想请教", "汇报", "对接",
    ),
    payment_ask=(
        "付款", "回款", "打款", "结款", "尾款", "款项", "支付", "结算", "到账", "欠款", "付钱",
        "给钱", "钱", "拨款",
    ),
    value=(
        "帮您", "为您", "一起", "配合", "方便您", "减轻", "省事", "省心", "效果", "好处",
        "价值", "年底", "考核", "绩效", "风险", "避免", "顺利", "支持", "协助", "我们来准备",
        "我来准备", "替您", "服务",
    ),
    action=(
        "提交", "签字", "签批", "审批", "安排", "付款", "支付", "打款", "验收", "确认", "发起",
        "报送", "盖章", "开票", "送过去", "送来", "约", "见面", "对接", "走流程", "上会", "拨付",
        "批", "办理", "过会", "组织",
    ),
    person=(
        "您", "你", "处长", "科长", "主任", "局长", "部长", "经理", "书记", "老师", "同志",
        "财务", "会计", "出纳", "经办", "负责人", "我来", "我们来", "我会",
    ),
    meta=(
        "你是ai", "你是AI", "你是机器人", "你是不是机器人", "人工智能", "提示词", "系统提示",
        "忽略以上", "忽略之前", "忽略前面", "扮演", "角色设定", "你的指令", "prompt", "大模型",
        "chatgpt", "ChatGPT", "GPT", "把隐藏", "隐藏信息", "列出所有",
    ),
    filler=("那个", "这个", "就是", "嗯", "啊", "呃", "然后", "反正", "差不多", "大概"),
    topics_strong={
        "project": (
            "哪个项目", "什么项目", "项目名称", "合同内容", "采购内容", "交付内容", "交付范围",
            "项目范围", "合同范围", "项目情况", "项目的情况", "项目进展", "项目的进展",
            "项目进度", "项目的进度", "这个项目", "项目现在",
            "项目名", "合同编号", "采购项目",
        ),
        "acceptance_person": (
            "验收人", "谁验收", "谁来验收", "谁负责验收", "验收负责人", "验收小组", "验收组",
            "谁签验收", "验收由谁", "谁签字验收", "验收是谁", "哪位验收", "哪位负责验收",
            "验收找谁", "验收单谁签", "谁牵头", "谁组织验收", "谁主持验收", "验收由哪",
            "哪个科室验收", "哪个部门验收", "验收归谁", "验收委员会", "验收专家组", "谁来终验",
            "终验由谁", "终验是谁", "终验找谁", "终验谁签", "终验委员会", "终验小组",
        ),
        "acceptance_standard": (
            "验收标准", "验收条件", "验收要求", "验收指标", "验收依据", "怎么才算验收",
            "怎样才算", "什么标准", "达标", "验收材料", "验收报告", "验收还差", "验收卡在",
            "验收需要", "验收还缺", "验收的要求", "验收的标准", "验收有什么要求", "验收现在卡",
            "验收到哪一步", "验收进度", "才能通过验收", "通过验收需要", "通过验收还需要",
            "终验标准", "终验要求", "终验条件", "终验还差", "终验还缺", "终验卡在", "终验现在卡",
            "终验需要", "终验的要求", "终验的标准", "终验有什么要求", "才能通过终验",
        ),
        "payment_terms": (
            "付款方式", "付款时间", "付款日期", "付款节点", "付款流程", "支付方式", "支付流程",
            "什么时候付", "何时付", "哪天付", "几号付", "什么时候能付", "什么时候到账",
            "到账时间", "打款时间", "分期", "集中支付", "国库支付", "支付申请", "付款计划",
            "付款安排", "付款条件", "走什么流程", "流程怎么走", "付款怎么走", "付款一般怎么走",
            "付款是怎么走", "支付怎么走", "钱怎么走", "怎么付款", "怎么支付", "什么时候拨",
            "什么时候能拨", "拨下来", "付款程序", "支付程序", "付款手续", "用款申请",
        ),
        "payment_owner": (
            "付款责任人", "谁负责付款", "谁审批", "谁签字", "谁批", "谁拍板", "谁说了算",
            "审批人", "哪位领导", "谁来批", "谁签批", "谁管付款", "哪位负责付款", "付款谁负责",
            "谁负责支付", "支付谁负责", "经办人", "谁来签", "需要谁签", "哪位签",
            "谁来拍板", "谁最后拍板", "谁最后签", "最后签字", "签字的领导", "哪位局长",
            "哪个领导",
        ),
    },
    topics_weak={
        "project": ("项目", "合同", "采购", "交付", "系统"),
        "acceptance_person": ("验收", "终验", "初验", "复验"),
        "acceptance_standard": ("验收", "终验", "初验", "复验", "标准"),
        "payment_terms": ("付款", "支付", "打款", "到账", "什么时候"),
        "payment_owner": ("领导", "财务", "审批", "签字"),
    },
)


EN = Lexicon(
    question_words=(
        "what", "how", "why", "where", "when", "who", "whom", "which", "whose", "do", "does",
        "did", "is", "are", "was", "were", "can", "could", "would", "will", "have", "has",
        "should", "may", "might", "shall", "tell me",
    ),
    open_question_words=(
        "what", "how", "why", "tell me", "describe", "walk me through", "in what way",
        "help me understand", "say more", "talk about", "explain",
    ),
    closed_question_words=(
        "do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will",
        "have", "has", "should", "may", "shall", "right", "okay",
    ),
    reflection_markers=(
        "it sounds like", "sounds like", "it sounds as", "it seems like", "it seems that",
        "seems like you", "what i'm hearing", "what i hear", "i hear that", "i'm hearing",
        "you're saying", "you are saying", "what you're saying", "you said", "you mentioned",
        "you feel", "you're feeling", "you are feeling", "you felt", "part of you",
        "on one hand", "on the one hand", "if i understand", "let me see if i", "in other words",
        "you're worried", "you're concerned", "you're not sure", "you're wondering",
        "it's hard for you", "it's important to you", "you're thinking", "your concern",
        "i get the sense", "i get the feeling", "i'm wondering if", "i wonder if",
        "correct me if", "if i'm hearing", "so you", "feels like", "i can tell",
        "i can see that", "when you say", "what i'm sensing", "i sense",
    ),
    empathy=(
        "i understand", "i can understand", "i appreciate", "must be", "i can imagine",
        "i hear you", "sorry to hear", "makes sense", "that's understandable",
        "understandably", "i know you're busy", "thank you for your time", "thanks for your time",
        "that's tough", "that's hard", "that's difficult", "i get it", "i see why", "fair enough",
        "i realize", "i recognise", "i recognize",
    ),
    courtesy=("please", "thank", "thanks", "appreciate", "sorry", "kindly"),
    pressure=(
        "pay immediately", "payment immediately", "immediately or", "pay right now",
        "right now or", "pay right away", "right away or", "or else", "otherwise we", "last chance",
        "no more excuses", "unacceptable", "ridiculous", "you have to pay", "you need to pay",
        "you must pay", "pay now", "today or", "stop stalling", "stop delaying", "final warning",
        "i demand", "we demand", "deadbeat",
    ),
    threat=(
        "sue", "lawsuit", "lawyer", "attorney", "to court", "in court", "legal action",
        "report you", "complain to", "the media", "the press", "your boss will",
        "go over your head", "blacklist", "face the consequences", "face consequences",
        "there will be consequences", "arbitration",
    ),
    directive=(
        "you should", "you need to", "you have to", "you must", "you've got to", "you gotta",
        "i want you to", "you'd better", "you had better", "i'd recommend", "i recommend",
        "i suggest", "my advice", "you ought to", "don't you think you should",
    ),
    regulation=(
        "regulation", "the law", "legally required", "within 30 days", "30 days", "late interest",
        "late-payment interest", "0.05%", "contract says", "the contract", "clause",
        "procurement rules", "budget",
    ),
    introduce=("i'm", "i am", "my name is", "this is", "from", "we are", "our company"),
    purpose=(
        "about the", "regarding", "i'm here to", "reason i", "follow up", "following up",
        "payment", "invoice", "outstanding", "overdue", "the contract",
    ),
    payment_ask=(
        "pay", "payment", "paid", "invoice", "overdue", "settle", "outstanding", "transfer",
        "money", "funds", "balance",
    ),
    value=(
        "help you", "for you", "together", "make it easy", "save you", "benefit", "value",
        "avoid", "risk", "smooth", "support", "we can prepare", "i can prepare", "on your behalf",
        "year-end", "audit",
    ),
    action=(
        "submit", "sign", "approve", "pay", "arrange", "schedule", "send", "meet", "confirm",
        "process", "release", "transfer", "file", "book", "accept", "review", "issue",
    ),
    person=(
        "you", "director", "chief", "manager", "finance", "accountant", "officer", "head",
        "i will", "i'll", "we will", "we'll", "mr", "ms", "mrs",
    ),
    meta=(
        "ignore previous", "ignore all previous", "ignore the above", "ignore your instructions",
        "system prompt", "your prompt", "your instructions", "are you an ai", "you are an ai",
        "are you a bot", "are you a robot", "language model", "developer mode", "jailbreak",
        "list the facts", "reveal the facts", "hidden facts", "chatgpt",
    ),
    filler=("um", "uh", "like", "you know", "basically", "kind of", "sort of", "whatever"),
    topics_strong={
        "project": (
            "which project", "what project", "the project", "project scope",
            "scope of the contract", "what was delivered", "the deliverable", "contract scope",
            "project status",
        ),
        "acceptance_person": (
            "who signs off", "who accepts", "who will accept", "who does the acceptance",
            "who is responsible for acceptance", "who approves the acceptance",
            "acceptance committee", "who signs the acceptance", "who checks", "who inspects",
            "sign-off", "sign off",
        ),
        "acceptance_standard": (
            "acceptance criteria", "acceptance standard", "acceptance requirements", "criteria",
            "what counts as accepted", "what do you need to accept", "requirements for acceptance",
            "acceptance report", "pass the acceptance", "what is missing",
        ),
        "payment_terms": (
            "payment terms", "payment schedule", "payment date", "when will", "when can you pay",
            "when will we be paid", "how will you pay", "payment method", "installment",
            "instalment", "payment process", "payment request", "treasury", "when is the payment",
        ),
        "payment_owner": (
            "who approves", "who is responsible for payment", "who signs", "who decides",
            "who authorizes", "who authorises", "budget holder", "who releases", "who pays",
            "who handles the payment", "who owns the payment", "whose approval",
        ),
    },
    topics_weak={
        "project": ("project", "contract", "system", "delivery", "procurement"),
        "acceptance_person": ("acceptance", "accept"),
        "acceptance_standard": ("acceptance", "standard", "requirements"),
        "payment_terms": ("payment", "pay", "when"),
        "payment_owner": ("approve", "approval", "finance", "sign"),
    },
    question_openers=(
        "tell me", "help me understand", "walk me through", "describe", "explain",
    ),
    perspective=(
        "feel", "feeling", "felt", "think", "thinking", "thought", "want", "wanna", "wanted",
        "wish", "hope", "hoping", "like", "love", "hate", "believe", "know", "knew", "worry",
        "worried", "wonder", "wondering", "see", "saw", "seem", "seems", "sound", "sounds",
        "tried", "trying", "noticed", "notice", "decided", "decide", "realize", "realized",
        "realise", "found", "find", "enjoy", "enjoyed", "care", "value", "miss", "need",
        "needed", "struggle", "struggling", "said", "say", "saying", "mentioned", "told",
        "started", "stopped", "began", "don't", "didn't", "aren't", "haven't", "weren't",
        "wasn't", "not", "never", "kind", "sort", "really", "just", "also", "still", "already",
        "both",
    ),
    complex_markers=(
        "sounds like", "it sounds", "seems like", "it seems", "part of you", "on the one hand",
        "on one hand", "on the other hand", "at the same time", "and yet", "important to you",
        "matters to you", "you value", "you care", "i wonder if", "i'm wondering if",
        "i get the sense", "i get the feeling", "you feel", "you're feeling", "you felt",
        "feel like", "scared", "afraid", "worried", "frustrated", "overwhelmed", "stuck",
        "hard for you", "difficult for you", "tough", "angry", "upset", "sad", "lonely",
        "guilty", "ashamed", "embarrassed", "confident", "proud", "hopeful", "torn",
        "struggle", "struggling", "even though", "although", "instead of", "rather than",
    ),
    advice=(
        "you should", "you shouldn't", "you need to", "you'll need to", "you will need to",
        "you have to", "you must", "you've got to", "you gotta", "you got to", "you'd better",
        "you had better", "you ought to", "i want you to", "i'd like you to",
        "i would like you to", "i need you to", "i recommend", "i'd recommend",
        "i would recommend", "we recommend", "i suggest", "i'd suggest", "i would suggest",
        "my advice", "i advise", "i'd advise", "i would advise", "we need to", "we have to",
        "we've got to", "make sure you", "make sure that you", "it's important that",
        "it's important for you to",
        "it's really important", "it is important", "the best thing", "the important thing",
        "i'm concerned", "i am concerned", "it concerns me", "concerning to me",
        "it worries me", "i'm worried about", "i'm afraid", "you're wrong", "excuses",
        "no such thing", "let me tell you", "i need to tell you", "i have to tell you",
        "i wish you would", "i hope you", "needs to", "they need to",
        "you could get", "end up", "you won't", "concerns me", "i can't believe", "come on",
        "i've got to tell you", "not okay", "a big deal",
    ),
    leading=(
        "don't you think", "do you understand", "do you realize", "do you realise",
        "do you see how", "do you know what", "do you see the connection", "isn't it time",
    ),
    information=(
        "can cause", "could cause", "will cause", "causes", "lead to", "leads to",
        "increase the risk", "increases the risk", "increases your risk", "risk of", "at risk",
        "high risk", "high-risk", "dangerous", "damage", "harmful", "side effects",
        "studies show", "research shows", "research says", "statistics",
        "percent", "recommended", "guidelines", "the limit", "legal limit", "according to",
        "the fact is", "the truth is", "the reality is", "the problem is", "the issue is",
        "too much", "too many", "very high", "very serious", "the rules", "the law", "illegal",
    ),
    imperatives=(
        "take", "stop", "try", "keep", "quit", "avoid", "remember", "don't", "make", "cut",
        "start", "call", "listen", "look", "consider", "think", "sign", "pay", "send",
        "approve", "release", "transfer", "submit",
    ),
    permission=(
        "if it's okay", "if that's okay", "is it okay if", "would it be okay",
        "would it be all right", "would you like", "would you mind if", "can i share",
        "may i share", "could i share", "do you mind if", "if you want", "if you'd like",
        "with your permission", "would that be okay", "some people find", "other people",
        "it's up to you", "your choice", "you decide",
    ),
)

# Function words ignored when checking whether the rep echoes the client.
EN_STOPWORDS = frozenset((
    "a", "an", "the", "and", "or", "but", "so", "if", "then", "to", "of", "in", "on", "at",
    "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "am", "do",
    "does", "did", "have", "has", "had", "i", "you", "he", "she", "it", "we", "they", "me",
    "him", "her", "them", "my", "your", "his", "its", "our", "their", "this", "that", "these",
    "those", "there", "here", "what", "how", "why", "when", "where", "who", "which", "not", "no",
    "yes", "just", "really", "very", "kind", "sort", "like", "um", "uh", "okay", "ok", "yeah",
    "well", "mean", "know", "think", "get", "got", "go", "going", "can", "could", "would",
    "will", "should", "may", "might", "must", "about", "up", "out", "some", "any", "all", "more",
    "much", "than", "too", "also", "because", "want", "feel", "lot", "things", "thing", "right",
    "now",
))

# fmt: on


def lexicon(lang: Lang) -> Lexicon:
    """The phrase lists for a language."""
    return ZH if lang == "zh" else EN
