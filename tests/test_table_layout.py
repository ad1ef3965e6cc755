"""The text views within a width, in both languages (issue 12 "Language and
the table", issue 11 section 4): ids, rule ids and plates never split, the
record header and `compliance rules` within the width, conditions read as
sentences, citations by the document's title, quotes cut around their
operative words."""

import json
import re
from pathlib import Path

import pytest

import compliance
from compliance.i18n import STATUS_NAMES, resolve_lang, status_name
from compliance.report import Finding, RecordReport, Report, render_table
from compliance.status import STATUS_ORDER, STATUSES
from compliance.table import atoms, cut_quote, display_width, render_record, wrap_lines

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
WIDTHS = (60, 80, 120)
LONG_ID = "91120225MA06FURN01"
PLATE = "津A·67890"


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """The examples, plus the Dongli steel works under a long facility id with the plate of the issue."""
    text = (REPO / "examples" / "dongli-steel.yaml").read_text(encoding="utf-8")
    text = text.replace("91120110MA05DLSTEEL", LONG_ID).replace("津A·D1005", PLATE)
    extra = tmp_path_factory.mktemp("layout") / "long-ids.yaml"
    extra.write_text(text, encoding="utf-8")
    return compliance.check_many([str(p) for p in EXAMPLES] + [str(extra)]).records


def _too_wide_ok(line, width):
    """A line over the width holds one atom wider than the width (it cannot be split)."""
    body = line.strip()
    return len(atoms(body)) == 1 and display_width(body) > width - (len(line) - len(line.lstrip()))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_line_exceeds_the_width_and_no_id_is_split(records, width, lang):
    for rec in records:
        text = render_record(rec, lang, width)
        lines = text.splitlines()
        for line in lines:
            assert display_width(line) <= width or _too_wide_ok(line, width), (rec.source, width, line)
        for f in rec.findings:
            assert any(f.rule in line for line in lines), (f.rule, width)
            whole = f"{f.entity_type}[{f.entity_id}]"
            assert any(whole in line or line.strip(" │").startswith(f"[{f.entity_id}]") for line in lines), (whole, width)
    plate = [rec for rec in records if rec.facility.get("id") == LONG_ID][0]
    text = render_record(plate, lang, width)
    assert f"[{PLATE}]" in text and LONG_ID in text.splitlines()[0] + text.splitlines()[1]


def test_the_issue_s_splits_are_gone(records):
    """`facility[91120225M` / `A06FURN01]`, `vehicles[津` / `A·67890]`, `…site-monitor` / `ing`."""
    rec = [r for r in records if r.facility.get("id") == LONG_ID][0]
    fengtai = [r for r in records if "fengtai" in r.source][0]
    for width in range(40, 131, 7):
        for r in (rec, fengtai):
            lines = render_record(r, "zh", width).splitlines()
            assert not any(line.rstrip(" │").endswith(("[91120225M", "vehicles[津", "site-monitor")) for line in lines)
            assert sum(PLATE in line for line in lines) >= (1 if r is rec else 0)


def test_grid_when_it_fits_rows_aligned(records):
    jizhou = [r for r in records if "jizhou-auto-parts" in r.source][0]
    lines = render_record(jizhou, "zh", 130).splitlines()
    grid = [display_width(line) for line in lines if line[:1] in "┌├│└"]
    assert grid and set(grid) == {130}
    assert not any(line.startswith("──") for line in lines)
    narrow = render_record(jizhou, "zh", 60).splitlines()
    assert not any(line[:1] in "┌│" for line in narrow)  # the list layout: no column to split an id in


def test_header_and_summary_in_chinese(records):
    for rec in records:
        text = render_record(rec, "zh", 80)
        head = "\n".join(text.splitlines()[:3])
        assert "地区" in head and "评估日期" in head and "region" not in head and "as of" not in head
        lines = text.splitlines()
        start = max(i for i, line in enumerate(lines) if line.startswith("合计："))  # may wrap to a second line
        summary = "\n".join(lines[start:])
        assert "violation" not in summary and "违规" in summary
    text = render_record(records[0], "en", 80)
    assert "region" in text and any(line.startswith("summary: violation ") for line in text.splitlines()[-2:])


def test_every_status_has_both_names_and_unknown_ones_show_their_key():
    for status in STATUSES + ("manual_review", "waived"):
        assert status_name(status, "zh") and status_name(status, "zh") != status
        assert status_name(status, "en")
    assert status_name("waived", "zh") == "已批准偏离" and status_name("manual_review", "zh") == "待人工核查"
    assert status_name("some_new_status", "zh") == "some_new_status"
    assert set(STATUS_ORDER) <= set(STATUS_NAMES)


def _finding(status, rule="x/r", entity_id="E1"):
    return Finding(rule, "rs", status, "coatings", entity_id, None, None, "high", {"zh": "消息", "en": "message"},
                   {"document": "d.txt", "clause": "1", "text": "原文"}, None, None)


def test_summary_counts_statuses_it_does_not_know():
    """A status another module adds (waived, manual_review) is counted in the table's summary."""
    rec = RecordReport("r.yaml", {"id": "F", "region": "120119"}, "2019-03-01",
                       (_finding("violation"), _finding("waived", entity_id="E2"), _finding("manual_review", "x/m")))
    zh = render_table(Report("2019-03-01", (), (rec,)), lang="zh")
    assert "已批准偏离 1" in zh and "待人工核查 1" in zh and "违规 1" in zh
    en = render_table(Report("2019-03-01", (), (rec,)), lang="en")
    assert "waived 1" in en and "manual_review 1" in en


@pytest.mark.parametrize("given,env,want", [
    ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    (None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL decides first
    (None, {"LC_MESSAGES": "zh_CN", "LANG": "C"}, "zh"),
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {}, "en"),
    (None, {"COMPLIANCE_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    (None, {"COMPLIANCE_LANG": "klingon", "LANG": "zh_CN.UTF-8"}, "zh"),
])
def test_language_from_the_locale(given, env, want):
    assert resolve_lang(given, env) == want


def test_cli_language_from_the_locale(cli, monkeypatch):
    example = REPO / "examples" / "jizhou-auto-parts.yaml"
    for var in ("COMPLIANCE_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    r = cli("check", example)
    assert "合计：" in r.output and "违规" in r.output
    r = cli("check", example, "--lang", "en")
    assert "summary: violation" in r.output
    assert "个通过" in cli("test", "cn-gb4915-2013").output
    assert "共 " in cli("rules", "--region", "120119").output


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rules_fits_the_width(cli, width, lang):
    r = cli("rules", "--width", width, "--lang", lang)
    assert r.exit_code == 0
    lines = r.output.splitlines()
    for line in lines:
        assert display_width(line) <= width or _too_wide_ok(line, width), line
    ids = {x["id"] for x in json.loads(cli("rules", "--format", "json").output)}
    for rule_id in ids:
        assert any(re.search(rf"(^|\s){re.escape(rule_id)}(\s|$)", line) for line in lines), rule_id
    heads = ("规则", "适用对象", "条款") if lang == "zh" else ("rule", "applies to", "clause")
    assert all(h in r.output for h in heads)


def test_explain_within_the_width_in_both_languages(cli):
    for lang, labels in (("zh", ("适用条件", "要求", "依据", "原文")), ("en", ("when", "requires", "source", "text"))):
        r = cli("explain", "fengtai-2018/construction-dust/above-scale-site-monitoring", "--lang", lang, "--width", 70)
        assert r.exit_code == 0
        assert all(f"  {label}:" in r.output for label in labels)
        assert all(display_width(line) <= 70 or _too_wide_ok(line, 70) for line in r.output.splitlines())
        assert "丰台区打赢蓝天保卫战三年行动计划任务分解" in r.output or "Fengtai District Blue-Sky" in r.output
        assert "003_7689f8351821af51.txt" in r.output  # the file name beside the title


# --------------------------------------------------------------- sentences

@pytest.mark.parametrize("rule,lang,phrases", [
    ("fengtai-2018/vehicles/china6b/other-heavy-diesel", "en",
     ["registered on or after 2020-01-01", "either kind is none of car/taxi or duty_class is given",
      "kind is none of sanitation/sweeper/sprinkler/garbage_truck", "either kind is not bus or public_transit is false"]),
    ("fengtai-2018/vehicles/china6b/other-heavy-diesel", "zh",
     ["registered 不早于 2020-01-01", "kind 不为 car/taxi 中任一，或已填写 duty_class", "kind 不为 bus，或 public_transit 为 false"]),
    ("dongli-2021/new-coal-boiler-ban", "en", ["fuel is not coal", "status is planned, or facility.status is proposed and status is not shutdown"]),
    ("dongli-2021/new-coal-boiler-ban", "zh", ["fuel 不为 coal", "status 为 planned；或者 facility.status 为 proposed，且 status 不为 shutdown"]),
    ("jizhou-2018/boiler-special-limit/coal/nox", "en",
     ["either fuel is coal, or fuel is biomass and fuel_form is briquette", "capacity is at most 65 t/h",
      "emissions.nox is at most 200 mg/m³ (corrected to 9 % O2)"]),
])
def test_compound_conditions_read_as_sentences(cli, rule, lang, phrases):
    data = json.loads(cli("explain", rule, "--format", "json", "--lang", lang).output)
    text = data["when"] + " | " + data["require"]
    for phrase in phrases:
        assert phrase in text, (phrase, text)


def test_no_rule_reads_as_nested_logic(cli):
    rules = json.loads(cli("rules", "--format", "json").output)
    for lang in ("en", "zh"):
        for r in json.loads(cli("rules", "--format", "json", "--lang", lang).output):
            for key in ("when", "require"):
                assert "not (" not in r[key] and "非（" not in r[key], (r["id"], r[key])
                assert not re.search(r"\(\(|（（", r[key]), (r["id"], r[key])
    assert rules


# --------------------------------------------------------------- citations

def test_source_carries_the_title_and_the_table_shows_the_short_one(cli):
    r = cli("check", REPO / "examples" / "fengtai-construction-company.yaml", "--format", "json")
    for rec in json.loads(r.output)["records"]:
        for f in rec["findings"]:
            src = f["source"]
            assert src["document"] == "003_7689f8351821af51.txt"  # the file name stays in JSON
            assert src["title"]["zh"] == "丰台区打赢蓝天保卫战三年行动计划任务分解"
            assert src["short_title"] == {"zh": "丰台区蓝天三年计划任务分解", "en": "Fengtai blue-sky breakdown 2018–20"}
    for lang, short in (("zh", "丰台区蓝天三年计划任务分解 三 9-1"), ("en", "Fengtai blue-sky breakdown 2018–20")):
        table = cli("check", REPO / "examples" / "fengtai-construction-company.yaml", "--lang", lang).output
        assert short in table and "003_7689f8351821af51.txt" not in table


def test_every_bundled_ruleset_has_a_short_title():
    from compliance.api import load_rulesets

    for rs in load_rulesets(None):
        assert rs.short_title is not None and rs.short_title.zh and rs.short_title.en, rs.id
        for rule in rs.rules:
            if rule.cite.document == rs.source:
                assert rule.cite.title == rs.title and rule.cite.short_title == rs.short_title
    standards = {rs.id: rs for rs in load_rulesets(["cn-gb13271-2014", "cn-gb4915-2013"])}
    assert "GB 13271-2014" in standards["cn-gb13271-2014"].title.zh
    assert "GB 4915-2013" in standards["cn-gb4915-2013"].title.en


def test_short_title_is_checked(tmp_path, cli):
    rs = tmp_path / "rs.yaml"
    rs.write_text("ruleset:\n  id: t\n  title: {zh: 测试, en: Test}\n  short_title: 测试\n  issuer: x\n"
                  "  issued: 2019-01-01\n  jurisdiction: '120119'\n  source: doc.txt\nrules: []\n", encoding="utf-8")
    r = cli("validate", rs)
    assert r.exit_code == 2 and "short_title" in r.output


# ------------------------------------------------------------------ quotes

FENGTAI_9_3 = ("2019 年底前，所有规模以上的水务、交通、园林绿化、房屋建筑和市政基础设施等各类施工工地以及混凝土搅拌站、"
               "砂石料厂、建筑垃圾消纳场等，安装视频监控设备、颗粒物在线监测系统，并实现与住房城乡建设、城市管理、水务、"
               "园林绿化等行业主管部门和环保、城管执法部门在线监测平台联网。")
JIZHOU_COATING = ("自2019年1月1日起，汽车原厂涂料、木器涂料、工程机械涂料、工业防腐涂料即用状态下的挥发性有机物含量限值"
                  "分别不高于580克/升、600克/升、550克/升、550克/升。")


def _bundled_quote(rule_id):
    from compliance.api import load_rulesets

    return next(r.cite.text for rs in load_rulesets(None) for r in rs.rules if r.id == rule_id)


def test_the_quotes_are_the_bundled_ones():
    assert _bundled_quote("fengtai-2018/construction-dust/above-scale-site-monitoring") == FENGTAI_9_3
    assert _bundled_quote("jizhou-2018/coating-voc/automotive-oem") == JIZHOU_COATING


def _clause_aligned(cut, text):
    """Every kept piece starts and ends at a clause boundary of ``text``."""
    for piece in filter(None, cut.split("…")):
        at = text.find(piece)
        assert at >= 0, piece
        assert at == 0 or text[at - 1] in "。；，、：", piece
        end = at + len(piece)
        assert end == len(text) or text[end] in "。；，、：", piece


@pytest.mark.parametrize("budget", [40, 60, 76, 100, 150])
def test_fengtai_9_3_keeps_its_date_and_whole_clauses(budget):
    cut = cut_quote(FENGTAI_9_3, budget, None, (None, "2019-12-31"))
    assert cut.startswith("2019 年底前") and cut.endswith("…")
    assert "…砂…" not in cut and not cut.rstrip("…").endswith("砂")
    assert display_width(cut) <= budget + 2
    _clause_aligned(cut, FENGTAI_9_3)


@pytest.mark.parametrize("budget", [60, 90, 120, 150])
def test_jizhou_coating_keeps_the_limit_and_the_date(budget):
    limit = {"op": "<=", "value": 580, "unit": "g/L"}
    cut = cut_quote(JIZHOU_COATING, budget, limit, ("2019-01-01", None))
    assert "580克/升" in cut, cut
    if budget >= 90:
        assert "自2019年1月1日起" in cut, cut
    assert display_width(cut) <= budget + 2
    if budget >= 90:  # room for the clause holding the limit: whole clauses
        _clause_aligned(cut, JIZHOU_COATING)
    else:  # a clause wider than the room: cut inside it, between whole words and figures
        assert cut.startswith("…") and cut.endswith("580克/升…")
    other = cut_quote(JIZHOU_COATING, 60, {"op": "<=", "value": 600, "unit": "g/L"}, ())
    assert "600克/升" in other


def test_a_quote_that_fits_is_whole():
    assert cut_quote(JIZHOU_COATING, 400) == JIZHOU_COATING


def test_table_quotes_keep_the_limit(cli):
    text = cli("check", REPO / "examples" / "jizhou-auto-parts.yaml", "--lang", "zh", "--width", 60).output
    block = text[text.index("jizhou-2018/coating-voc/automotive-oem"):]
    quote = block[block.index("“"):block.index("”")]
    assert "580克/升" in quote.replace("\n", "").replace(" ", "")


# ------------------------------------------------------------------- atoms

@pytest.mark.parametrize("token", ["津A·67890", "京A·H6102", "200 mg/m³", "9 t/(month*km²)", "2018年10月1日",
                                   "2020 年 1 月", "580克/升", "2.5千克/小时", "GB 13271-2014", "2019-03-31",
                                   "facility[91120225MA06FURN01]", "95 %"])
def test_tokens_stay_whole(token):
    text = f"前文说明 {token} 以及后文，" * 3
    for width in range(4, 30):
        assert any(token in line for line in wrap_lines(text, width)), (token, width, wrap_lines(text, width))


def test_wrapping_keeps_every_character_of_every_quote():
    """Lines are only broken, never rewritten: every bundled quote comes back
    whole on a wide line, and with its characters in order on narrow ones."""
    from compliance.api import load_rulesets

    texts = {r.cite.text for rs in load_rulesets(None) for r in rs.rules}
    texts |= {r.message.zh for rs in load_rulesets(None) for r in rs.rules}
    for text in texts:
        assert wrap_lines(text, 10 ** 6) == [text]
        for width in (12, 37):
            lines = wrap_lines(text, width)
            assert "".join(lines).replace(" ", "") == text.replace(" ", "")
            assert " ".join(lines).count("  ") == text.count("  ")


def test_width_option(cli):
    example = REPO / "examples" / "fengtai-construction-company.yaml"
    r = cli("check", example, "--width", "20")
    assert r.exit_code == 2 and "bad width" in r.stderr
    for width in (40, 100):
        out = cli("check", example, "--width", width).output
        assert max(display_width(line) for line in out.splitlines() if len(atoms(line.strip())) > 1) <= width
