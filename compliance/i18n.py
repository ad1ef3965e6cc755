"""The user-visible words of the text outputs, in Chinese and English, in one place.

Every label of the table (record header, column headings, summary), of
``compliance rules``, ``explain``, ``test`` and ``validate`` and every status
name comes from :data:`MESSAGES` and :data:`STATUS_NAMES` through :func:`t` and
:func:`status_name`; other modules add their texts here. JSON output keeps
the status keys (``violation`` ...); only the text views translate them.

The language: ``--lang`` if given, else ``COMPLIANCE_LANG``, else the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh_*`` is Chinese), else English
(:func:`resolve_lang`). Messages on stderr (errors, warnings) stay English.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

__all__ = ["LANGS", "MESSAGES", "STATUS_NAMES", "t", "status_name", "resolve_lang"]

LANGS = ("en", "zh")

#: status key -> {"zh", "en"} (English: the JSON key, so a reader can grep the JSON);
#: a status not listed here is shown by its key. ``waived`` is an approved
#: deviation (已批准偏离), not an exemption written in the law (``exempt``, 豁免)
STATUS_NAMES: Mapping[str, Mapping[str, str]] = {
    "violation": {"zh": "违规", "en": "violation"},
    "indeterminate": {"zh": "待定", "en": "indeterminate"},
    "manual_review": {"zh": "待人工核查", "en": "manual_review"},
    "pending": {"zh": "未到期", "en": "pending"},
    "waived": {"zh": "已批准偏离", "en": "waived"},
    "exempt": {"zh": "豁免", "en": "exempt"},
    "compliant": {"zh": "合规", "en": "compliant"},
    "not_applicable": {"zh": "不适用", "en": "not_applicable"},
}

#: message key -> {"zh": ..., "en": ...}; ``{name}`` placeholders filled by :func:`t`
MESSAGES: Mapping[str, Mapping[str, str]] = {
    # record header and table (compliance.table)
    "header.region": {"zh": "地区 {region}", "en": "region {region}"},
    "header.as_of": {"zh": "评估日期 {date}", "en": "as of {date}"},
    "header.alert": {"zh": "预警 {alert}", "en": "alert {alert}"},
    "table.head.left": {"zh": "状态 / 对象", "en": "status / entity"},
    "table.head.right": {"zh": "说明与依据", "en": "finding and source"},
    "table.none": {"zh": "（无适用规则）", "en": "(no applicable rules)"},
    "table.summary": {"zh": "合计：", "en": "summary: "},
    "table.rule": {"zh": "规则", "en": "rule"},
    "table.source": {"zh": "依据", "en": "source"},
    "sep.list": {"zh": "，", "en": ", "},
    # compliance rules
    "rules.head.rule": {"zh": "规则", "en": "rule"},
    "rules.head.applies_to": {"zh": "适用对象", "en": "applies to"},
    "rules.head.from": {"zh": "生效", "en": "from"},
    "rules.head.deadline": {"zh": "期限", "en": "deadline"},
    "rules.head.clause": {"zh": "条款", "en": "clause"},
    "rules.count": {"zh": "共 {n} 条规则", "en": "{n} rules"},
    "rules.head.reason": {"zh": "原因代码", "en": "reason"},
    "rules.items": {"zh": "人工复核项（规则集列出、由审查人员判定，工具不作判定）：",
                    "en": "manual-review items (listed by the rulesets, decided by a reviewer, not by the tool):"},
    "rules.items_count": {"zh": "共 {n} 项人工复核", "en": "{n} manual-review items"},
    "rules.standard": {"zh": "标准 {id}（{title}）：规则引用 {n} 个限值参数",
                       "en": "standard {id} ({title}): {n} limit parameters used by the rules"},
    # compliance explain
    "explain.ruleset": {"zh": "规则集", "en": "ruleset"},
    "explain.jurisdiction": {"zh": "辖区 {code}", "en": "jurisdiction {code}"},
    "explain.applies_to": {"zh": "适用对象", "en": "applies to"},
    "explain.when": {"zh": "适用条件", "en": "when"},
    "explain.requires": {"zh": "要求", "en": "requires"},
    "explain.exempt_if": {"zh": "豁免情形", "en": "exempt if"},
    "explain.in_force": {"zh": "有效期", "en": "in force"},
    "explain.in_force_from": {"zh": "自 {date} 起", "en": "from {date}"},
    "explain.in_force_until": {"zh": "至 {date}", "en": "until {date}"},
    "explain.effective": {"zh": "生效日期", "en": "effective"},
    "explain.deadline": {"zh": "期限", "en": "deadline"},
    "explain.severity": {"zh": "严重程度", "en": "severity"},
    "explain.source": {"zh": "依据", "en": "source"},
    "explain.document": {"zh": "文件", "en": "document"},
    "explain.text": {"zh": "原文", "en": "text"},
    "explain.limit_source": {"zh": "限值来源", "en": "limit source"},
    "explain.note": {"zh": "说明", "en": "note"},
    "explain.manual_review": {"zh": "人工复核", "en": "manual review"},
    "explain.defined_by": {"zh": "定义来源（二手）", "en": "defined by"},
    "explain.secondary": {"zh": "二手来源 {urls}", "en": "secondary sources {urls}"},
    "explain.tests": {"zh": "测试", "en": "tests"},
    "explain.tests_value": {"zh": "{n} 个内嵌用例（{where}）", "en": "{n} embedded cases ({where})"},
    "explain.every_entity": {"zh": "（全部）", "en": "(every entity)"},
    # compliance test
    "test.ruleset": {"zh": "{id}（{n} 条规则，引擎 {engine}）", "en": "{id} ({n} rules, engine {engine})"},
    "test.ruleset_items": {"zh": "{id}（{n} 条规则，{m} 项人工复核，引擎 {engine}）",
                           "en": "{id} ({n} rules, {m} manual-review items, engine {engine})"},
    "test.cases": {"zh": "{ok}/{n} 个用例", "en": "{ok}/{n} cases"},
    "test.expected": {"zh": "预期 {expect}，实际 {got}", "en": "expected {expect}, got {got}"},
    "test.total": {"zh": "{ok} 个通过，{failed} 个失败（{rules} 条规则）",
                   "en": "{ok} passed, {failed} failed ({rules} rules)"},
    "test.in": {"zh": "文件", "en": "in"},
    # a finding's details (compliance.details_view)
    "details.none": {"zh": "无", "en": "none"},
    "details.source": {"zh": "数据来源", "en": "data"},
    "details.source.stack": {"zh": "排气筒 {value}", "en": "stack {value}"},
    "details.source.pollutant": {"zh": "污染物 {value}", "en": "pollutant {value}"},
    "details.source.rows": {"zh": "{value} 行", "en": "{value} rows"},
    "details.period": {"zh": "时段", "en": "period"},
    "details.hours": {"zh": "有效/应有小时", "en": "valid / expected hours"},
    "details.hours.transmitted": {"zh": "传输 {n} h", "en": "transmitted {n} h"},
    "details.hours.period": {"zh": "时段共 {n} h", "en": "period {n} h"},
    "details.invalid": {"zh": "无效小时", "en": "invalid hours"},
    "details.min_valid": {"zh": "判定所需有效小时比例", "en": "valid share needed for a verdict"},
    "details.rates": {"zh": "比率", "en": "rates"},
    "details.rate.transmission": {"zh": "传输率", "en": "transmission"},
    "details.rate.validity": {"zh": "有效率", "en": "validity"},
    "details.rate.effective": {"zh": "传输有效率", "en": "effective"},
    "details.effective_rate": {"zh": "数据传输有效率", "en": "effective transmission rate"},
    "details.rule": {"zh": "计算方法", "en": "computed as"},
    "details.pollutants": {"zh": "各污染物", "en": "pollutants"},
    "details.pollutant": {"zh": "{name} 有效/应有小时", "en": "{name} valid / expected hours"},
    "details.flagged": {"zh": "标记（非正常）分钟", "en": "flagged minutes"},
    "details.flagged.value": {"zh": "{n} / {total}（{share}）", "en": "{n} of {total} ({share})"},
    "details.by_flag": {"zh": "各标记分钟数", "en": "minutes per flag"},
    "details.exceedance": {"zh": "超标小时", "en": "exceedance hours"},
    "details.exceedance.month": {"zh": "超标小时（按月）", "en": "exceedance hours per month"},
    "details.exceedance.day": {"zh": "超标小时（按日）", "en": "exceedance hours per day"},
    "details.more_days": {"zh": "另 {n} 天", "en": "{n} more days"},
    "details.worst": {"zh": "最高小时", "en": "worst hour"},
    "details.worst.value": {"zh": "{hour} 折算值 {value}", "en": "{hour}, corrected {value}"},
    "details.worst.limit": {"zh": "限值 {limit}", "en": "limit {limit}"},
    "details.worst.reference": {"zh": "基准含氧量 {o2}%", "en": "reference O2 {o2} %"},
    "details.worst.measured": {"zh": "实测 {value}（含氧量 {o2}%）", "en": "measured {value} at {o2} % O2"},
    "details.limit": {"zh": "限值", "en": "limit"},
    "details.days": {"zh": "日均值", "en": "daily means"},
    "details.days.value": {"zh": "有效日 {valid} 天，无效日 {invalid} 天", "en": "{valid} valid days, {invalid} invalid"},
    "details.days.max": {"zh": "最高日均值 {value}", "en": "highest daily mean {value}"},
    "details.derived": {"zh": "观测值说明", "en": "about the observed value"},
    # compliance validate
    "validate.total": {"zh": "{inputs} 个输入：{errors} 个错误，{warnings} 个警告，{notes} 条提示",
                       "en": "{inputs} inputs: {errors} errors, {warnings} warnings, {notes} notes"},
}


def t(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` (English where a language is missing), filled with ``values``."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def status_name(status: str, lang: str) -> str:
    """A status as the text views show it; a status this catalogue does not
    know (added by another module) is shown by its key."""
    entry = STATUS_NAMES.get(status)
    if entry is None:
        return status
    return entry.get(lang) or entry.get("en") or status


def _locale_lang(environ: Mapping[str, str]) -> Optional[str]:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:  # the first one set decides, as in POSIX
            return "zh" if value.lower().startswith("zh") else "en"
    return None


def resolve_lang(given: Optional[str], environ: Optional[Mapping[str, str]] = None) -> str:
    """The output language: ``given`` (``--lang``), else ``COMPLIANCE_LANG``,
    else the locale, else English. An unknown ``COMPLIANCE_LANG`` value is
    ignored (the locale decides)."""
    if given:
        return given
    env = os.environ if environ is None else environ
    chosen = (env.get("COMPLIANCE_LANG") or "").strip().lower()
    if chosen in LANGS:
        return chosen
    if chosen.startswith("zh"):
        return "zh"
    return _locale_lang(env) or "en"
