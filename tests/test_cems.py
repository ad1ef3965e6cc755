"""CEMS exports (compliance/cems, docs/cems.md): reading, HJ 75-2017 validity
at the edge of every rule (with the arithmetic), the rate against the
Jizhou 90 %, the verdicts through the rule engine, bad input, the example.

Sources of the rules tested (compliance/data/cems.yaml,
docs/sources-checked.md): HJ 75-2017's 45-minute hour and 20-hour day were
read from secondary sources (its text was not in the corpora searched) and
are confirmed by HJ 212-2017 附录 D D2.2; HJ 212-2017's flags, codes and CRC
were checked against the standard's own text, including its appendix
example ("…RtdInterval=30&&1C80").
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import compliance
from compliance.cems.config import config
from compliance.cems.read import Export, hj212_crc, read_csv, read_hj212
from compliance.cems.stage import rate_text, series_for
from compliance.cems.validity import analyse
from compliance.cems.verdict import details, judge
from compliance.cli import main
from compliance.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "cems"))
import make_cems  # noqa: E402

SNAPSHOT = ROOT / "tests" / "snapshots" / "cems.json"
CODE = {letter: i for i, letter in enumerate(config().letters)}
T0 = int(np.datetime64("2019-04-01T00:00", "m").astype(np.int64))  # April: 30 days, 720 hours


def export(minutes, pm, o2, pm_flag="N", o2_flag="N"):
    """An export of PM and O2 at the given minutes (offsets from 2019-04-01 00:00)."""
    m = np.asarray(minutes, dtype=np.int64)
    def arr(x, dtype):
        return np.broadcast_to(np.asarray(x, dtype=dtype), m.shape).copy()
    flags = {"pm": arr([CODE[c] for c in pm_flag] if isinstance(pm_flag, list) else CODE[pm_flag], np.int8),
             "o2": arr([CODE[c] for c in o2_flag] if isinstance(o2_flag, list) else CODE[o2_flag], np.int8)}
    return Export("<test>", "csv", T0 + m, {"pm": arr(pm, float), "o2": arr(o2, float)}, flags)


# -- HJ 212-2017 -------------------------------------------------------------

def test_crc_matches_the_standards_appendix_example():
    # HJ 212-2017's example message "##0101QN=…&&RtdInterval=30&&1C80": 101
    # characters of data segment, CRC 1C80; and a second published vector
    seg = "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
    assert len(seg) == 101 and hj212_crc(seg.encode()) == 0x1C80
    seg2 = ("ST=32;CN=2011;PW=123456;MN=0873HHMZWSLH02;CP=&&DataTime=20160103133030;060-Rtd=3.0943,060-Flag=N;"
            "011-Rtd=18.0412,011-Flag=N;001-Rtd=8.2137,001-Flag=N;B01-Rtd=10.9890,B01-Flag=N&&")
    assert hj212_crc(seg2.encode()) == 0xA9C1



def test_data_file_agrees_with_the_text_of_hj212_2017():
    """Hand-checked against HJ 212-2017 itself (the ministry's release, read
    for docs/sources-checked.md): 6.6.4 表 8 (flags), 表 B.2 (codes and
    default units), 6.6.5 (commands), 附录 D D2.2 (45 ≤ k minutes an hour,
    20 ≤ m hours a day). A changed letter, code or number fails here."""
    import yaml
    raw = yaml.safe_load(Path(compliance.__file__).with_name("data").joinpath("cems.yaml")
                         .read_text(encoding="utf-8"))
    table_8 = {"N": "在线监控（监测）仪器仪表工作正常", "F": "在线监控（监测）仪器仪表停运",
               "M": "在线监控（监测）仪器仪表处于维护期间产生的数据", "S": "手工输入的设定值",
               "D": "在线监控（监测）仪器仪表故障", "C": "在线监控（监测）仪器仪表处于校准状态",
               "T": "在线监控（监测）仪器仪表采样数值超过测量上限",
               "B": "在线监控（监测）仪器仪表与数采仪通讯异常"}
    assert {k: f["zh"] for k, f in raw["flags"].items()} == table_8
    table_b2 = {"a21026": "mg/m^3", "a21002": "mg/m^3", "a34013": "mg/m^3", "a19001": "%",
                "a00000": "m^3/s", "a01012": "degC", "a01014": "%"}
    assert {c["hj212"]: c.get("hj212_unit", c["unit"]) for c in raw["channels"].values()} == table_b2
    assert raw["hj212_commands"] == {"2051": "Avg", "2011": "Rtd"}
    c = config()
    assert (c.hour_min_valid_minutes, c.day_min_valid_hours) == (45, 20)

def _message(seg):
    return f"##{len(seg):04d}{seg}{hj212_crc(seg.encode()):04X}\r\n"


def test_hj212_reads_minutes_and_reports_bad_lines_by_number(tmp_path):
    good = "ST=31;CN=2051;PW=123456;MN=X;Flag=4;CP=&&DataTime=20190401000000;a34013-Avg=12.5,a34013-Flag=N;a19001-Avg=9.1,a19001-Flag=C&&"
    second = good.replace("20190401000000", "20190401000100")
    bad_crc = _message(second)[:-6] + "0000\r\n"
    hourly = "ST=31;CN=2061;PW=123456;MN=X;Flag=4;CP=&&DataTime=20190401000000;a34013-Avg=12.5,a34013-Flag=N&&"
    unknown = good.replace("20190401000000", "20190401000200").replace("Flag=C", "Flag=Q")
    p = tmp_path / "x.hj212"
    p.write_text(_message(good) + bad_crc + _message(hourly) + _message(unknown) + "garbage\r\n", encoding="ascii")
    e = read_hj212(str(p))
    assert e.rows == 1  # the good line is still read
    assert float(e.values["pm"][0]) == 12.5 and config().letters[e.flags["o2"][0]] == "C"
    assert e.skipped == {"2061": 1}  # hourly data are counted, not read
    where = {(pr.line, pr.field) for pr in e.problems}
    assert where == {(2, "CRC"), (4, "a19001-Flag"), (5, "")}


def test_csv_reports_file_line_and_column(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("time,pm,pm_flag,o2,o2_flag\n2019-04-01 00:00,1,N,9,N\n2019-04-01 00:01,x,N,9,N\n"
                 "2019-04-01 00:02,1,Z,9,N\n2019-04-01 25:00,1,N,9,N\n2019-04-01 00:04,1,,9,N\n", encoding="utf-8")
    e = read_csv(str(p))
    assert e.rows == 1
    assert [(pr.line, pr.field) for pr in e.problems] == [(5, "time"), (3, "pm"), (4, "pm_flag"), (6, "pm_flag")]
    assert all(pr.file == str(p) for pr in e.problems)


def test_csv_header_problems(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("time,pm,o2,o2_flag,dust\n", encoding="utf-8")
    fields = {pr.field for pr in read_csv(str(p)).problems}
    assert fields == {"dust", "pm_flag"}


# -- HJ 75-2017 validity at the edges -------------------------------------------

def test_hour_with_exactly_45_valid_minutes_is_valid_and_44_is_not():
    # hour 0: minutes 0-44 valid (45), 45-59 calibration (C): 45 >= 45 → valid;
    # hour 1: minutes 60-103 valid (44), 104-119 C: 44 < 45 → invalid
    flags = ["N"] * 45 + ["C"] * 15 + ["N"] * 44 + ["C"] * 16
    s = analyse(export(range(120), 10.0, 9.0, pm_flag=flags))
    p = s.pollutants["pm"]
    assert p.valid[0] and not p.valid[1]
    assert p.raw[0] == 10.0  # the mean of the 45 valid minutes; flagged minutes are excluded, not substituted


def test_an_hour_needs_45_valid_oxygen_minutes_too():
    # PM valid all 60 minutes, O2 valid 44 (16 in maintenance M): the hour cannot be corrected → invalid
    s = analyse(export(range(60), 10.0, 9.0, o2_flag=["N"] * 44 + ["M"] * 16))
    assert not s.pollutants["pm"].valid[0]


def test_stopped_hour_edge():
    # hour 0: 15 minutes F (stopped) → 45 could run: still expected (and with 45 valid minutes, valid);
    # hour 1: 16 minutes F → fewer than 45 minutes of operation: a stopped hour, not expected
    flags = ["F"] * 15 + ["N"] * 45 + ["F"] * 16 + ["N"] * 44
    p = analyse(export(range(120), 10.0, 9.0, pm_flag=flags)).pollutants["pm"]
    assert p.expected[0] and p.valid[0]
    assert not p.expected[1] and not p.valid[1]
    assert p.expected_hours == 720 - 1  # April: 30 × 24 = 720 hours, one stopped


def test_day_at_the_valid_hour_threshold():
    # day 1 (1 April): 20 hours of 60 valid minutes → 20 >= 20 valid hours → a valid day;
    # day 2: 19 hours → 19 < 20 → not a valid day
    minutes = [h * 60 + m for h in range(20) for m in range(60)] + [1440 + h * 60 + m for h in range(19) for m in range(60)]
    s = analyse(export(minutes, 10.0, 9.0))
    j = judge(s, "pm", 30.0, "<=", 9.0)
    d = details(j)
    assert d["days"] == {"valid": 1, "invalid": 29, "max_daily_mean": 10.0}
    assert d["hours"]["valid"] == 39


def test_exceedance_exactly_at_the_limit_is_not_one():
    # hour 0: 25 mg/m³ at 11 % O2 → 25 × (21 − 9) / (21 − 11) = 25 × 12 / 10 = 30.0 = limit: not above;
    # hour 1: 25.01 at 11 % → 25.01 × 1.2 = 30.012 > 30: one exceedance hour
    pm = [25.0] * 60 + [25.01] * 60
    j = judge(analyse(export(range(120), pm, 11.0)), "pm", 30.0, "<=", 9.0)
    assert j.corrected[0] == 30.0 and not j.exceed[0]
    assert j.corrected[1] == pytest.approx(30.012) and j.exceed[1]
    d = details(j)
    assert d["exceedance_hours"] == {"total": 1, "per_month": {"2019-04": 1}, "per_day": {"2019-04-01": 1}}
    assert d["worst_hour"]["hour"] == "2019-04-01T01:00"


# -- through the rule engine ------------------------------------------------------

def month(tmp_path, name, pm, o2=9.0, drop_hours=0, pm_flag="N"):
    """A CSV export of April 2019 (720 hours) with PM and O2; the last
    ``drop_hours`` hours are flagged as a fault (D)."""
    n = 30 * 1440
    t = np.datetime64("2019-04-01T00:00", "m") + np.arange(n).astype("timedelta64[m]")
    v = {"pm": np.broadcast_to(np.asarray(pm, float), (n,)), "o2": np.full(n, o2)}
    f = {"pm": np.full(n, pm_flag, dtype="<U1"), "o2": np.full(n, "N", dtype="<U1")}
    if drop_hours:
        f["pm"][n - 60 * drop_hours:] = "D"
    path = tmp_path / name
    make_cems.write_csv(str(path), t, v, f, channels=("pm", "o2"))
    return path


def record(tmp_path, export_name, **stack):
    rec = {"context": {"as_of": "2019-05-01"},
           "facility": {"id": "T1", "region": "120119"},
           "boilers": [{"id": "B1", "fuel": "coal", "medium": "hot_water", "capacity": "14 MW", "status": "operating"}],
           "stacks": [{"id": "S1", "height": "50 m", "online_monitoring": True,
                       "cems": {"export": export_name, "boiler": "B1"}, **stack}]}
    p = tmp_path / "r.yaml"
    p.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    return p


def statuses(path):
    rep = compliance.check(path)
    return {(f.rule, f.entity): f for f in rep.findings}


PM = ("jizhou-2018/boiler-special-limit/coal/pm", "boilers[B1]")
RATE = ("jizhou-2018/stack-over-45m/data-transmission", "stacks[S1]")


def test_rate_at_90_percent_is_compliant_and_one_hour_less_is_not(tmp_path):
    # April has 720 expected hours; 72 hours in fault → 648 valid: 648 / 720 = 90.0000 % ≥ 90 %
    month(tmp_path, "a.csv", 10.0, drop_hours=72)
    f = statuses(record(tmp_path, "a.csv"))
    assert f[RATE].status == "compliant" and f[RATE].observed["value"] == 90
    assert f[RATE].details["pollutants"]["pm"]["valid_hours"] == 648
    # 73 hours → 647 / 720 = 89.8611 % < 90 % (rounded down, never up)
    month(tmp_path, "a.csv", 10.0, drop_hours=73)
    f = statuses(record(tmp_path, "a.csv"))
    assert f[RATE].status == "violation" and f[RATE].observed["value"] == 89.8611


def test_limit_edge_through_the_engine(tmp_path):
    # every hour 25 mg/m³ at 11 % O2 → corrected to 9 %: 25 × 12 / 10 = 30 = the limit → compliant;
    # 25.01 → 30.012 → violation, 720 exceedance hours
    month(tmp_path, "a.csv", 25.0, o2=11.0)
    f = statuses(record(tmp_path, "a.csv"))[PM]
    assert f.status == "compliant" and f.observed["value"] == 30
    assert f.details["exceedance_hours"]["total"] == 0 and f.details["limit"] == 30
    month(tmp_path, "a.csv", 25.01, o2=11.0)
    f = statuses(record(tmp_path, "a.csv"))[PM]
    assert f.status == "violation" and f.details["exceedance_hours"]["total"] == 720


def test_too_little_valid_data_is_indeterminate_never_compliant(tmp_path):
    # 720 hours, 0.75 × 720 = 540 valid hours needed; 181 hours in fault → 539 valid < 540
    month(tmp_path, "a.csv", 10.0, drop_hours=181)
    f = statuses(record(tmp_path, "a.csv"))[PM]
    assert f.status == "indeterminate" and "emissions.pm" in f.missing
    assert f.details["hours"]["valid"] == 539
    month(tmp_path, "a.csv", 10.0, drop_hours=180)  # 540 valid → enough
    assert statuses(record(tmp_path, "a.csv"))[PM].status == "compliant"


# -- bad input --------------------------------------------------------------

def test_missing_export_is_an_input_error_naming_the_record_field(tmp_path, capsys):
    p = record(tmp_path, "nowhere.csv")
    with pytest.raises(InputError) as exc:
        compliance.check(p)
    (pr,) = exc.value.problems
    assert pr.file == str(p) and pr.field == "stacks[S1].cems.export" and "nowhere.csv" in pr.message
    assert main(["check", str(p)], out=io.StringIO()) == 2


def test_bad_export_line_fails_the_record_with_the_exports_line(tmp_path):
    path = month(tmp_path, "a.csv", 10.0)
    lines = path.read_text().splitlines()
    lines[100] = lines[100].replace(",N,", ",Q,", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        compliance.check(record(tmp_path, "a.csv"))
    (pr,) = exc.value.problems
    assert (pr.file, pr.line, pr.field) == (str(path), 101, "pm_flag")


def test_typed_and_derived_values_conflict(tmp_path):
    month(tmp_path, "a.csv", 10.0)
    with pytest.raises(InputError) as exc:
        compliance.check(record(tmp_path, "a.csv", data_transmission_rate="99 %"))
    assert [p.field for p in exc.value.problems] == ["stacks[S1].data_transmission_rate"]


def test_unknown_boiler(tmp_path):
    month(tmp_path, "a.csv", 10.0)
    p = record(tmp_path, "a.csv")
    p.write_text(p.read_text().replace('"boiler": "B1"', '"boiler": "B9"'))
    with pytest.raises(InputError) as exc:
        compliance.check(p)
    assert [p.field for p in exc.value.problems] == ["stacks[S1].cems.boiler"]


# -- the example ------------------------------------------------------------------

EXAMPLE = ROOT / "examples" / "cems" / "jizhou-cems-heating.yaml"


def _cems_findings():
    rep = compliance.check(EXAMPLE)
    return [f.to_dict() for f in rep.findings if f.details is not None]


def test_example_exports_are_the_generators():
    # the committed files are exactly what the seeded generator writes
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        make_cems.main(d)
        for name in ("coal-boiler-2019-01.csv.gz", "gas-boiler-2019-01.hj212.gz"):
            assert (Path(d) / name).read_bytes() == (ROOT / "examples" / "cems" / name).read_bytes(), name


def test_example_findings():
    s = {(f["rule"], f"{f['entity']['type']}[{f['entity']['id']}]"): f for f in _cems_findings()}
    rate2 = s[("jizhou-2018/stack-over-45m/data-transmission", "stacks[S2]")]
    assert rate2["status"] == "violation" and rate2["observed"]["value"] == 88.5752
    assert s[("jizhou-2018/stack-over-45m/data-transmission", "stacks[S1]")]["status"] == "compliant"
    nox = s[("jizhou-2018/boiler-special-limit/gas/nox", "boilers[B2]")]
    assert nox["status"] == "violation"
    assert nox["details"]["exceedance_hours"]["per_day"] == {"2019-01-27": 2}
    so2 = s[("jizhou-2018/boiler-special-limit/coal/so2", "boilers[B1]")]
    assert so2["details"]["exceedance_hours"]["per_day"] == {"2019-01-14": 3}
    assert so2["details"]["reference_o2"] == 9 and so2["details"]["limit"] == 200
    assert s[("jizhou-2018/boiler-special-limit/coal/nox", "boilers[B1]")]["status"] == "compliant"


def test_example_every_engine_agrees():
    # the CEMS facts are plain record fields: the engines decide them alike (statuses of every
    # engine as tests/test_differential.py compares them; the example lives in examples/cems/,
    # outside its examples/*.yaml)
    from compliance.api import evaluator
    from compliance.normalise import normalise
    from compliance.record import load_record
    from test_differential import ENGINES, _agree

    facts = normalise(load_record(EXAMPLE))
    _agree({name: evaluator(None, name) for name in ENGINES}, facts, EXAMPLE.name)
    assert compliance.check(EXAMPLE, engine="kernel").to_dict()["records"] == \
        compliance.check(EXAMPLE, engine="direct").to_dict()["records"]


def test_example_findings_snapshot():
    got = _cems_findings()
    for f in got:  # the export's path as written relative to the repository
        f["details"]["cems"]["export"] = os.path.relpath(f["details"]["cems"]["export"], ROOT)
    if os.environ.get("COMPLIANCE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert got == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_cems_command_json(capsys):
    out = io.StringIO()
    code = main(["cems", str(ROOT / "examples/cems/coal-boiler-2019-01.csv.gz"), "--record", str(EXAMPLE),
                 "--format", "json"], out=out)
    data = json.loads(out.getvalue())
    assert code == 1  # SO2 and PM exceed
    assert data["export"]["data_transmission_effective_rate"] == "95.9349 %"
    assert {f["entity"]["id"] for f in data["findings"]} == {"S1", "B1"}


def test_cems_command_without_record_reports_rates(capsys):
    out = io.StringIO()
    assert main(["cems", str(ROOT / "examples/cems/gas-boiler-2019-01.hj212.gz")], out=out) == 0
    assert "88.5752 %" in out.getvalue()
    assert main(["cems", str(ROOT / "examples/cems/gas-boiler-2019-01.hj212.gz"), "--plot", "x.svg"],
                out=io.StringIO()) == 2  # a limit needs the record


def test_series_is_cached_and_rate_rounds_down():
    s = series_for(str(ROOT / "examples/cems/gas-boiler-2019-01.hj212.gz"), None)
    assert s is series_for(str(ROOT / "examples/cems/gas-boiler-2019-01.hj212.gz"), None)
    assert rate_text(s) == "88.5752 %"  # 659 / 744 = 0.885752688… → 88.5752 %, not 88.5753


# -- plots (the plot extra) ------------------------------------------------------

def test_figures_in_check_and_cems_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    out = io.StringIO()
    assert main(["check", str(EXAMPLE), "--format", "json", "--figures", str(tmp_path / "fig")], out=out) == 1
    os.environ.pop("COMPLIANCE_FIGURES", None)
    recs = json.loads(out.getvalue())["records"][0]["findings"]
    figs = [g for f in recs for g in f.get("figures", [])]
    assert len(figs) == 6  # three pollutants of two boilers
    for g in figs:
        assert Path(g["path"]).read_text().startswith("<?xml") and g["title"]["zh"] and g["title"]["en"]
    assert main(["cems", str(ROOT / "examples/cems/gas-boiler-2019-01.hj212.gz"), "--record", str(EXAMPLE),
                 "--plot", str(tmp_path / "p.png")], out=io.StringIO()) == 1
    assert (tmp_path / "p-nox.png").read_bytes()[:4] == b"\x89PNG"


def test_line_by_line_and_pyarrow_readers_agree(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow", reason="the fast CSV path needs pyarrow")
    import compliance.cems.read as rd

    path = str(ROOT / "examples/cems/coal-boiler-2019-01.csv.gz")
    fast = rd.read_csv(path)
    monkeypatch.setattr(rd, "_arrow_columns", lambda *a: None)
    slow = rd.read_csv(path)
    assert np.array_equal(fast.minutes, slow.minutes)
    for c in slow.values:
        assert np.array_equal(fast.values[c], slow.values[c], equal_nan=True)
        assert np.array_equal(fast.flags[c], slow.flags[c])
    # a written "inf" is a problem on both paths, named by its line
    p = tmp_path / "x.csv"
    p.write_text("time,pm,pm_flag,o2,o2_flag\n2019-04-01 00:00,inf,N,9,N\n", encoding="utf-8")
    monkeypatch.undo()
    assert [(pr.line, pr.field) for pr in rd.read_csv(str(p)).problems] == [(2, "pm")]


def test_cems_command_shows_the_good_lines_then_every_bad_one(tmp_path, capsys):
    good = "ST=31;CN=2051;PW=1;MN=X;Flag=4;CP=&&DataTime=20190401000000;a34013-Avg=12.5,a34013-Flag=N;a19001-Avg=9.1,a19001-Flag=N&&"
    p = tmp_path / "x.hj212"
    p.write_text(_message(good) + _message(good.replace("000000;", "000100;"))[:-6] + "FFFF\r\n", encoding="ascii")
    out = io.StringIO()
    assert main(["cems", str(p)], out=out) == 2
    assert "pm: expected 720 h, transmitted 1 h, valid 0 h" in out.getvalue()
    assert f"{p}:2:" in capsys.readouterr().err  # the bad line, by number
