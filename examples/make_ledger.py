"""Generate the example district ledger (台账), seeded, so it can be rebuilt:

    python examples/make_ledger.py

writes ``examples/tianjin-district-ledger.xlsx`` -- a register as a Tianjin
district bureau keeps it in Excel: sheets 企业, 锅炉, 涂料, 排气筒, 机动车,
施工工地 with Chinese headers (units in them) and Chinese values, facilities
in Jizhou (蓟州区) and Dongli (东丽区), a mix of compliant, violating and
incomplete (indeterminate) rows -- and ``examples/tianjin-district-ledger-csv/``,
the same facilities and boilers as CSV files the way Excel in China saves
them: ``企业.csv`` in UTF-8 with a BOM ("CSV UTF-8"), ``锅炉.csv`` in GBK
(its concentration headers in 毫克/立方米, as ³ has no GBK code).

Check it:  compliance check examples/tianjin-district-ledger.xlsx
The layout is the bundled mapping's (compliance/data/ledger_mapping.yaml),
with a bureau's own choice and order of columns; the findings are
snapshot-tested (tests/test_ledger_example.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
XLSX = HERE / "tianjin-district-ledger.xlsx"
CSV_DIR = HERE / "tianjin-district-ledger-csv"
SEED = 20190301

FACILITY = ["企业编号", "企业名称", "所在区域", "乡镇街道", "核查日期", "行业", "重点排污单位", "排污许可证",
            "排污许可执行报告公开", "重点用车单位", "门禁视频监控", "柴油货车管理台账", "位于建成区", "露天焚烧"]
BOILERS = ["企业编号", "锅炉编号", "燃料类型", "额定蒸发量(t/h)", "介质", "用途", "运行状态", "专用生物质锅炉",
           "布袋除尘", "燃料形态", "颗粒物浓度(mg/m³)", "二氧化硫浓度(mg/m³)", "氮氧化物浓度(mg/m³)", "含氧量(%)"]
COATINGS = ["企业编号", "涂料编号", "产品名称", "涂料类别", "涂层", "VOC含量(g/L)", "溶剂型"]
STACKS = ["企业编号", "排气筒编号", "高度(m)", "VOCs排放速率(kg/h)", "风量(m³/h)", "自动监控", "VOCs治理工艺",
          "活性炭脱附", "活性炭更换台账"]
VEHICLES = ["企业编号", "车辆编号", "车辆类型", "燃料类型", "排放阶段", "注册日期", "总质量(t)", "在用"]
SITES = ["企业编号", "工地编号", "工程类型", "土方作业", "线性工程", "围挡", "物料堆放覆盖", "土方开挖湿法作业",
         "路面硬化", "出入车辆清洗", "渣土车辆密闭运输", "视频监控", "颗粒物监测", "监测联网", "位于生态保护红线区"]

TOWNS = {"天津市蓟州区": ["渔阳镇", "邦均镇", "别山镇", "下营镇", "马伸桥镇"],
         "天津市东丽区": ["华明街道", "金桥街道", "军粮城街道", "新立街道"]}
KINDS = [("机械厂", ["工业涂装"]), ("汽车零部件有限公司", ["汽车制造", "工业涂装"]), ("家具有限公司", ["家具制造"]),
         ("包装印刷厂", ["包装印刷"]), ("建设工程有限公司", ["建筑施工"]), ("物流有限公司", ["物流"]),
         ("热力公司", ["火电"]), ("铸造厂", ["铸造"])]
NAMES = ["宏达", "津北", "盘山", "渔阳", "华明", "金桥", "永安", "兴业", "联达", "鑫源", "恒通", "瑞丰", "广源", "东方",
         "北辰", "长城", "海河", "新立", "博远", "晨光", "正泰", "利民", "振华", "德胜"]


def _maybe(rng: random.Random, value, p_missing: float = 0.08):
    """An empty cell now and then: an incomplete register (indeterminate findings)."""
    return None if rng.random() < p_missing else value


def _yes(rng: random.Random, p: float) -> str:
    return "是" if rng.random() < p else "否"


def build(seed: int = SEED, facilities: int = 40):
    """The sheets (name -> rows, the header first); ``facilities`` scales it
    (the example has 40; tests and benchmarks generate large ledgers)."""
    rng = random.Random(seed)
    sheets = {"企业": [FACILITY], "锅炉": [BOILERS], "涂料": [COATINGS], "排气筒": [STACKS], "机动车": [VEHICLES],
              "施工工地": [SITES]}
    for n in range(facilities):
        region = "天津市蓟州区" if n % 3 else "天津市东丽区"
        kind, industries = KINDS[n % len(KINDS)]
        fid = f"91120{'225' if region.endswith('蓟州区') else '110'}MA{n:04d}L{rng.randint(10, 99)}"
        name = f"{region[3:]}{NAMES[n % len(NAMES)]}{kind}"
        checked = dt.date(2019, 3, 1) if region.endswith("蓟州区") else dt.date(2023, 8, 1)
        sheets["企业"].append([
            fid, name, region, rng.choice(TOWNS[region]), checked, "、".join(industries),
            _yes(rng, 0.5), _maybe(rng, _yes(rng, 0.8)), _maybe(rng, _yes(rng, 0.7)), _yes(rng, 0.3),
            _maybe(rng, _yes(rng, 0.7)), _maybe(rng, _yes(rng, 0.6)), _yes(rng, 0.6), _maybe(rng, _yes(rng, 0.1), 0.2),
        ])
        for b in range(rng.choice([0, 1, 1, 2, 3]) if kind != "热力公司" else 4):
            fuel = rng.choice(["燃煤", "燃气", "燃气", "生物质", "电"])
            cap = rng.choice([1, 2, 4, 6, 10, 20, 35, 40, 75]) if fuel == "燃煤" else rng.choice([0.5, 1, 2, 4, 6, 10])
            o2 = round(rng.uniform(3, 12), 1)
            pm = round(rng.uniform(3, 40), 1)
            so2 = round(rng.uniform(5, 220), 0) if fuel in ("燃煤", "生物质") else round(rng.uniform(1, 40), 0)
            nox = round(rng.uniform(60, 260), 0)
            emissions = [None, None, None, None] if fuel == "电" else [
                _maybe(rng, pm), _maybe(rng, so2), _maybe(rng, nox), _maybe(rng, o2, 0.15)]
            sheets["锅炉"].append([
                fid, f"B{b + 1}", fuel, cap, rng.choice(["蒸汽", "热水"]), rng.choice(["供暖", "工业生产"]),
                rng.choice(["在用", "在用", "在用", "停用", "备用"]),
                _yes(rng, 0.8) if fuel == "生物质" else None, _maybe(rng, _yes(rng, 0.6), 0.3),
                rng.choice(["成型燃料", "散烧"]) if fuel == "生物质" else None, *emissions,
            ])
        if "工业涂装" in industries or "家具制造" in industries or "包装印刷" in industries:
            categories = {"家具制造": ["木器涂料"], "包装印刷": ["油墨", "胶粘剂"]}.get(
                industries[-1], ["汽车原厂涂料", "工业防腐涂料", "工程机械涂料", "汽车修补涂料"])
            for c in range(rng.randint(1, 4)):
                cat = rng.choice(categories)
                voc = rng.choice([rng.randint(300, 560), rng.randint(420, 700)])
                sheets["涂料"].append([
                    fid, f"C{c + 1}", f"{cat[:2]}{rng.choice(['底漆', '面漆', '清漆', '色漆'])}{c + 1}", cat,
                    _maybe(rng, rng.choice(["底漆", "底色漆", "面漆", "清漆"]), 0.3), _maybe(rng, voc, 0.1),
                    _maybe(rng, _yes(rng, 0.7), 0.2),
                ])
            for s in range(rng.randint(1, 2)):
                sheets["排气筒"].append([
                    fid, f"S{s + 1}", rng.choice([15, 20, 25, 30, 40, 50]), _maybe(rng, round(rng.uniform(0.2, 4), 2)),
                    rng.choice([8000, 20000, 45000, 60000]), _maybe(rng, _yes(rng, 0.5)),
                    rng.choice(["活性炭吸附", "光催化、活性炭吸附", "蓄热式焚烧", "低温等离子"]),
                    _maybe(rng, _yes(rng, 0.5), 0.3), _maybe(rng, _yes(rng, 0.6), 0.2),
                ])
        for v in range(rng.randint(2, 6) if kind in ("物流有限公司", "建设工程有限公司") else rng.randint(0, 2)):
            vkind = rng.choice(["重型货车", "重型货车", "中型货车", "轻型货车"])
            fuel = rng.choice(["柴油", "柴油", "柴油", "燃气", "汽油"])
            sheets["机动车"].append([
                fid, f"津{'ABCDEFGHJKLMN'[rng.randint(0, 12)]}{rng.randint(10000, 99999)}", vkind, fuel,
                _maybe(rng, rng.choice(["国三", "国四", "国五", "国五", "国六", "国VI(B)"])),
                dt.date(rng.randint(2008, 2022), rng.randint(1, 12), rng.randint(1, 28)),
                {"重型货车": 31, "中型货车": 12, "轻型货车": 4.5}[vkind], _maybe(rng, "是", 0.1),
            ])
        if kind == "建设工程有限公司":
            for w in range(rng.randint(1, 3)):
                def cover():
                    return _maybe(rng, rng.choice(["100%", "100%", "100%", "95%", "是", "否"]), 0.1)
                sheets["施工工地"].append([
                    fid, f"W{w + 1}", rng.choice(["房屋建筑", "市政", "道路", "拆除"]), _yes(rng, 0.7), _yes(rng, 0.2),
                    cover(), cover(), cover(), cover(), cover(), cover(), _maybe(rng, _yes(rng, 0.8)),
                    _maybe(rng, _yes(rng, 0.8)), _maybe(rng, _yes(rng, 0.7)), "否",
                ])
    return sheets


def write(sheets, xlsx: Path = XLSX, csv_dir: Path = CSV_DIR) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    wb.properties.creator = "examples/make_ledger.py"
    wb.properties.created = wb.properties.modified = dt.datetime(2019, 3, 1)  # reproducible bytes
    wb.save(xlsx)
    _fixed_zip_times(xlsx)
    os.makedirs(csv_dir, exist_ok=True)
    for title, encoding in (("企业", "utf-8-sig"), ("锅炉", "gbk")):
        with open(csv_dir / f"{title}.csv", "w", encoding=encoding, newline="") as fh:
            w = csv.writer(fh)
            for i, row in enumerate(sheets[title]):
                if i == 0 and encoding == "gbk":  # ³ is not in GBK: the unit as a Chinese register spells it
                    row = [h.replace("mg/m³", "毫克/立方米") for h in row]
                w.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])


def write_csv_folder(sheets, folder: Path) -> None:
    """Every sheet as a UTF-8 CSV file ``<sheet>.csv`` in ``folder`` (a ledger kept as CSV files)."""
    os.makedirs(folder, exist_ok=True)
    for title, rows in sheets.items():
        with open(Path(folder) / f"{title}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for row in rows:
                w.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])


def _fixed_zip_times(path: Path) -> None:
    """Same data, same bytes: openpyxl stamps each zip member with the time of writing."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to now on saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2019-03-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2019, 3, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)


if __name__ == "__main__":
    data = build()
    write(data)
    print(f"{XLSX.name}: " + ", ".join(f"{k} {len(v) - 1}" for k, v in data.items())
          + f" rows; {CSV_DIR.name}/: 企业.csv (UTF-8 BOM), 锅炉.csv (GBK)")
