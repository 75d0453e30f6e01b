#!/usr/bin/env python3
"""Deterministic synthetic corpus and query set for the biaozhun benchmark.

Builds, from the vocabulary of ../shared/data (or, when it is absent, of fixtures/ and
index-config/: see load_vocab_fixtures) (catalog titles, THUOCL word lists, the
regulation texts cut into phrases, HS descriptions, ICS codes, GB/T 2260 provinces):

  OUT/corpus/catalog/standards.jsonl   one catalog record per standard (snake_case fields, the
                                       same shape as shared/data/catalogs/standards-facts.jsonl)
  OUT/corpus/texts/NNN/<CODE>.txt      one full text per standard, laid out like a Chinese
                                       standard (cover, 前言, 范围, 规范性引用文件, 术语, clauses,
                                       annexes), 5-50 kB, named by code so `biaozhun ingest`
                                       merges it with the catalog record
  OUT/corpus/notifications/notifications.jsonl   WTO TBT/SPS notifications (+ addenda)
  OUT/docs.jsonl                       the same records flattened for the peer engines
                                       (id, kind, code, title, filters, body file or body)
  OUT/queries.jsonl                    the query set with expected ids where the generator
                                       knows them (code lookups at rank 1, unique title phrases
                                       within 10, filtered and notification queries)
  OUT/manifest.json                    counts, bytes, seed, preset

Everything derives from --seed and the document index, so two runs write the same bytes, and
documents are generated in parallel without changing the result.
"""

import argparse
import bisect
import collections
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
import unicodedata

PRESETS = {
    "smoke": (2_000, 400),
    "small": (20_000, 4_000),
    "full": (250_000, 50_000),
}

# Share of each level in the real universe (roughly: ~44k national, ~80k industry, ~60k local,
# ~65k group standards among ~250k current and historical numbers).
LEVEL_SHARE = [("national", 0.18), ("industry", 0.32), ("local", 0.25), ("group", 0.25)]
# National: GB/T dominates, GB (mandatory) and GB/Z are few.
NATIONAL = [("GB/T", 0.90), ("GB", 0.085), ("GB/Z", 0.015)]
# Industry prefixes with rough weights (the big series first), sector lexicon to draw from.
INDUSTRY = [
    ("JB", 9, "car"), ("HG", 6, "food"), ("SN", 7, "food"), ("NY", 8, "food"), ("YY", 5, "medical"),
    ("QB", 6, "food"), ("FZ", 5, "caijing"), ("SH", 4, "car"), ("DL", 5, "IT"), ("JT", 4, "car"),
    ("YB", 3, "car"), ("SJ", 4, "IT"), ("JC", 3, "car"), ("TB", 3, "car"), ("LY", 3, "food"),
    ("HJ", 3, "law"), ("WS", 3, "medical"), ("GA", 3, "law"), ("YD", 4, "IT"), ("JR", 2, "caijing"),
    ("SL", 2, "law"), ("MT", 2, "car"), ("CJ", 2, "law"), ("JG", 2, "car"), ("QC", 3, "car"),
    ("AQ", 2, "law"), ("LS", 1, "food"), ("SC", 1, "food"), ("HY", 1, "food"), ("JGJ", 1, "car"),
    ("JJG", 2, "IT"), ("JJF", 1, "IT"), ("TY", 1, "medical"), ("LB", 1, "caijing"), ("GH", 1, "food"),
]
# Group-standard issuers (T/ORG).
GROUP_ORGS = ["CAS", "CSTM", "CECS", "CCSA", "CFNA", "CNHFA", "CIAPS", "ZZB", "SDAS", "CAQI",
              "CHINABICYCLE", "CSAE", "CCPITCSC", "GDAQI", "CMA", "CSES", "CNFIA", "SHSPS"]
MEMBERS = ["USA", "EU", "CHN", "JPN", "KOR", "BRA", "CAN", "AUS", "IND", "THA", "VNM", "SAU",
           "MEX", "IDN", "KEN", "UGA", "TZA", "ARG", "CHL", "PHL", "TPKM", "GBR", "ISR", "EGY",
           "TUR", "ZAF", "COL", "PER", "MYS", "SGP", "NZL", "CHE", "RUS", "UKR", "ECU"]
MEMBER_ZH = {"USA": "美国", "EU": "欧盟", "CHN": "中国", "JPN": "日本", "KOR": "韩国", "BRA": "巴西",
             "CAN": "加拿大", "AUS": "澳大利亚", "IND": "印度", "THA": "泰国", "VNM": "越南",
             "SAU": "沙特阿拉伯"}
STATUS = [("现行", 0.72), ("废止", 0.12), ("被代替", 0.14), ("即将实施", 0.02)]
DEPTS = ["国家市场监督管理总局", "国家标准化管理委员会", "工业和信息化部", "农业农村部", "国家卫生健康委员会",
         "生态环境部", "交通运输部", "住房和城乡建设部", "国家体育总局", "应急管理部", "海关总署"]
TAILS = ["技术规范", "技术规程", "试验方法", "测定方法", "检验方法", "通用要求", "技术要求", "安全要求",
         "质量要求", "服务规范", "管理规范", "评价规范", "建设指南", "术语", "分类与代码", "通用技术条件",
         "要求和试验方法", "生产技术规程", "栽培技术规程", "验收规范", "等级划分与评定", "配置要求",
         "使用规范", "设计规范", "施工规范", "检测规程", "操作规程", "评价指南", "数据元", "标识",
         "包装、标志、运输和贮存", "能效限定值及能效等级", "限量", "基本要求", "监测技术规范"]
UNITS = ["mm", "cm", "m", "kg", "g", "mg/kg", "mL", "L", "℃", "%", "h", "min", "d", "kPa", "MPa",
         "μg/L", "mg/L", "kW", "V", "A", "Hz", "dB", "lx", "μm"]
SENT = [
    "{S}应符合{C}的规定。",
    "{W}的{W}应不大于{N}{U}，{P}。",
    "{P}，{W}和{W}应{V}。",
    "按{C}规定的方法测定{W}，结果应不低于{N}{U}。",
    "{S}的{W}{V}时，应记录{W}、{W}和{W}。",
    "{P}；{P}。",
    "在{W}条件下，{W}应{V}，{W}不应超过{N}{U}。",
    "{W}{W}应由{W}负责，{P}。",
    "{S}{W}应每{N}{U}检查一次，发现{W}应及时{V}。",
    "本条款所称{W}，是指{P}。",
    "{P}，并按附录{A}的要求{V}{W}。",
    "当{W}超过{N}{U}时，应{V}{W}，{P}。",
]
VERBS = ["进行检验", "予以记录", "符合要求", "清洗消毒", "定期校准", "分类存放", "及时处理", "逐项核对",
         "妥善保存", "现场确认", "抽样检测", "加以标识", "组织验收", "开展评价", "实施监测"]

_CTX = {}


def fold_code_for_file(code):
    """`GB/T 7714-2015` -> `GBT7714-2015`, `T/CAS 12-2020` -> `TCAS12-2020`, the way download
    sites name files (`biaozhun code TCAS12-2020` reads it back)."""
    return code.replace("/", "").replace(" ", "")


# Provincial-level divisions (GB/T 2260 codes), for the fixtures fallback.
PROVINCES = [
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
]


def load_vocab_fixtures(repo):
    """The same vocabulary from what a clone holds (fixtures/ and index-config/), when
    ../shared/data is absent: fewer words and titles, so a smaller, more repetitive corpus."""
    cjk = re.compile(r"[\u4e00-\u9fff]{2,6}")
    words = []
    with open(os.path.join(repo, "index-config", "jieba-user-dict.txt"), encoding="utf-8") as f:
        for line in f:
            w = line.split()[0] if line.strip() and not line.startswith("#") else ""
            if cjk.fullmatch(w):
                words.append(w)
    titles, ics = [], []
    with open(os.path.join(repo, "fixtures", "catalog", "standards.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("title_zh"):
                titles.append(d["title_zh"])
                words += cjk.findall(d["title_zh"])
            ics += [c for c in d.get("ics") or [] if c.count(".") >= 1]
    words = sorted(set(words))
    cum = list(itertools.accumulate(1.0 for _ in words))
    lex = {name: (words, cum) for name in ["food", "medical", "IT", "car", "law", "caijing"]}
    phrases = []
    for sub in ("regulations", "texts"):
        d = os.path.join(repo, "fixtures", sub)
        for fn in sorted(os.listdir(d)):
            path = os.path.join(d, fn)
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8", errors="ignore") as f:
                text = f.read()
            for p in re.split(r"[，。；：、\n（）《》“”]", text):
                p = p.strip(" #*　")
                if 4 <= len(p) <= 30 and re.search(r"[\u4e00-\u9fff]{4}", p) and not re.search(r"第[一二三四五六七八九十百]+[条章]", p):
                    phrases.append(p)
    hs = []
    chapter = None
    with open(os.path.join(repo, "index-config", "hs-chapters.toml"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r'code = "(\d\d)"', line)
            if m:
                chapter = m.group(1)
            m = re.match(r'en = "(.*)"', line)
            if m and chapter:
                hs.append((chapter + "01", m.group(1)))
    return {"lex": lex, "phrases": sorted(set(phrases)), "titles": sorted(set(titles)),
            "provinces": PROVINCES, "hs": hs, "ics": sorted(set(ics)) or ["13.020", "67.040"]}


def load_vocab(data):
    """Word lists with weights, phrases, real titles, provinces, HS and ICS codes."""
    lex = {}
    for name in ["food", "medical", "IT", "car", "law", "caijing"]:
        words, weights = [], []
        with open(os.path.join(data, "lexicon", f"THUOCL_{name}.txt"), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if (len(parts) >= 2 and parts[1].isdigit() and 2 <= len(parts[0]) <= 6
                        and re.fullmatch(r"[\u4e00-\u9fff]+", parts[0])):
                    words.append(parts[0])
                    weights.append(math.sqrt(float(parts[1])))
        cum, acc = [], 0.0
        for w in weights:
            acc += w
            cum.append(acc)
        lex[name] = (words, cum)
    phrases = []
    regdir = os.path.join(data, "regulations")
    for fn in sorted(os.listdir(regdir)):
        with open(os.path.join(regdir, fn), encoding="utf-8") as f:
            text = f.read()
        for p in re.split(r"[，。；：、\n（）《》“”]", text):
            p = p.strip(" #*　")
            if 4 <= len(p) <= 30 and re.search(r"[\u4e00-\u9fff]{4}", p) and not re.search(r"第[一二三四五六七八九十百]+[条章]", p):
                phrases.append(p)
    phrases = sorted(set(phrases))
    titles = []
    cat = json.load(open(os.path.join(data, "catalogs", "sports-standards-catalog.json"), encoding="utf-8"))
    titles += [s["title"] for s in cat["standards"] if s.get("title")]
    with open(os.path.join(data, "catalogs", "standards-facts.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("title_zh"):
                titles.append(d["title_zh"])
    provinces = []
    with open(os.path.join(data, "codes", "gb2260-201810-admin-divisions.tsv"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 4 and p[2].endswith("0000") and p[2][:2] not in ("71", "81", "82"):
                provinces.append((p[2][:2], p[3]))
    hs = []
    with open(os.path.join(data, "codes", "hs2022-en-harmonized-system.csv"), encoding="utf-8") as f:
        import csv
        for row in csv.DictReader(f):
            if row["level"] in ("4", "6"):
                hs.append((row["hscode"], row["description"]))
    ics = []
    with open(os.path.join(data, "codes", "ics-ed7-en.jsonl"), encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)["code"]
            if c.count(".") >= 1:
                ics.append(c)
    return {"lex": lex, "phrases": phrases, "titles": sorted(set(titles)), "provinces": provinces,
            "hs": hs, "ics": ics}


def pick(rng, lexname, k=1):
    words, cum = _CTX["vocab"]["lex"][lexname]
    return rng.choices(words, cum_weights=cum, k=k)


def rare(rng, lexname):
    """A word from the long tail of a lexicon (subject words of titles)."""
    words, _ = _CTX["vocab"]["lex"][lexname]
    lo = len(words) // 10
    return words[rng.randrange(lo, len(words))]


def make_meta(seed, n_std):
    """The catalog of all standards: codes (unique numbers per prefix), titles, dates, status."""
    rng = random.Random(seed)
    vocab = _CTX["vocab"]
    used = set()
    docs = []
    # Number spaces per prefix hold the presets (up to 250,000 standards); beyond that they grow
    # with the count, or the group issuers' 1,199 numbers x 9 parts run out (at 1M the draw for a
    # free number never ends). Presets up to 250,000 standards are generated unchanged.
    space = max(1, -(-n_std // 250_000))
    levels = [x for x, _ in LEVEL_SHARE]
    lw = [w for _, w in LEVEL_SHARE]
    ind_w = [w for _, w, _ in INDUSTRY]
    for i in range(n_std):
        level = rng.choices(levels, lw)[0]
        region = None
        industry = None
        if level == "national":
            prefix = rng.choices([p for p, _ in NATIONAL], [w for _, w in NATIONAL])[0]
            base, lexname = "GB", rng.choice(["food", "medical", "IT", "car", "law", "caijing"])
            number_space = 45000 * space
        elif level == "industry":
            k = rng.choices(range(len(INDUSTRY)), ind_w)[0]
            base, _, lexname = INDUSTRY[k]
            industry = base
            prefix = base + ("/T" if rng.random() < 0.8 else "")
            number_space = 6000 * space
        elif level == "local":
            region, pname = vocab["provinces"][rng.randrange(len(vocab["provinces"]))]
            base = "DB" + region
            prefix = base + "/T"
            lexname = rng.choice(["food", "food", "medical", "law", "car"])
            number_space = 5000 * space
        else:
            org = rng.choice(GROUP_ORGS)
            base = prefix = "T/" + org
            lexname = rng.choice(["food", "medical", "IT", "car", "caijing"])
            number_space = 1200 * space
        while True:
            num = rng.randrange(1, number_space)
            if level == "national" and num < 100:
                continue
            part = ""
            if rng.random() < 0.12:
                part = f".{rng.randrange(1, 9)}"
            key = (base, f"{num}{part}")
            if key not in used:
                used.add(key)
                break
        year = rng.randrange(1995 if level != "group" else 2016, 2025)
        code = f"{prefix} {num}{part}-{year}"
        # Title: one or two rare subject words, an optional ordinary word, and a tail.
        subj = [rare(rng, lexname)]
        if rng.random() < 0.55:
            subj.append(rare(rng, rng.choice(["food", "medical", "IT", "car", "law", "caijing"])))
        mid = pick(rng, lexname)[0] if rng.random() < 0.3 else ""
        tail = rng.choice(TAILS)
        title = "".join(subj) + mid + tail
        if part:
            title += f" 第{part[1:]}部分：" + pick(rng, lexname)[0] + rng.choice(["要求", "方法", "规程", "指南"])
        if rng.random() < 0.05:
            real = vocab["titles"][rng.randrange(len(vocab["titles"]))]
            title = subj[0] + real
        status = rng.choices([s for s, _ in STATUS], [w for _, w in STATUS])[0]
        if status == "即将实施":
            year = 2026
            code = f"{prefix} {num}{part}-{year}"
            issue = f"{year}-{rng.randrange(1, 10):02d}-{rng.randrange(1, 28):02d}"
            implement = f"2027-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}"
        else:
            issue = f"{year}-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}"
            implement = f"{year + 1 if issue[5:7] > '06' else year}-{rng.randrange(1, 12):02d}-01"
            if implement < issue:
                implement = f"{year + 1}-{implement[5:]}"
        abolish = None
        if status in ("废止", "被代替"):
            abolish = f"{min(int(implement[:4]) + rng.randrange(2, 10), 2025)}-{rng.randrange(1, 12):02d}-01"
            if abolish <= implement:
                abolish = f"2026-{rng.randrange(1, 10):02d}-01"
        docs.append({
            "i": i, "code": code, "level": level, "region": region, "industry": industry,
            "lex": lexname, "subject": subj, "title_zh": title, "status": status,
            "issue_date": issue, "implement_date": implement, "abolish_date": abolish,
            "ics": [vocab["ics"][rng.randrange(len(vocab["ics"]))]],
            "department": (vocab["provinces"][[p for p, _ in vocab["provinces"]].index(region)][1]
                           + "市场监督管理局") if region else rng.choice(DEPTS),
        })
    return docs


def body_for(args):
    """Full text of standard `i`: deterministic from (seed, i) alone."""
    seed, i, cap = args
    d = _CTX["docs"][i]
    docs = _CTX["docs"]
    vocab = _CTX["vocab"]
    rng = random.Random(seed * 1_000_003 + i)
    target = int(min(50_000, max(5_000, rng.lognormvariate(math.log(14_000), 0.6))))
    if cap:
        target = min(target, cap)
    S = "".join(d["subject"])
    lexname = d["lex"]
    phrases = vocab["phrases"]
    code_disp = d["code"].replace("-", "—")
    out = [f"ICS {d['ics'][0]}", "CCS " + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + f"{rng.randrange(0, 99):02d}", ""]
    if d["level"] == "local":
        out += [d["code"].split("/")[0], d["department"].replace("市场监督管理局", "") + "地方标准", ""]
    elif d["level"] == "national":
        out += ["中华人民共和国国家标准", ""]
    elif d["level"] == "industry":
        out += ["中华人民共和国行业标准", ""]
    else:
        out += ["团体标准", ""]
    out += [code_disp, "", d["title_zh"], "", f"{d['issue_date']} 发布                    {d['implement_date']} 实施", "",
            f"{d['department']}  发布", "", "前  言", "",
            "本文件按照GB/T 1.1—2020《标准化工作导则  第1部分：标准化文件的结构和起草规则》的规定起草。",
            f"本文件由{rng.choice(DEPTS)}提出并归口。",
            "本文件起草单位：" + "、".join(w + rng.choice(["研究院", "有限公司", "大学", "检测中心"]) for w in pick(rng, lexname, 3)) + "。",
            "", "1  范围", "",
            f"本文件规定了{S}的{'、'.join(pick(rng, lexname, 3))}等要求。",
            f"本文件适用于{S}的{pick(rng, lexname)[0]}和{pick(rng, lexname)[0]}。", "",
            "2  规范性引用文件", "",
            "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。其中，注日期的引用文件，仅该日期对应的版本适用于本文件；不注日期的引用文件，其最新版本（包括所有的修改单）适用于本文件。"]
    refs = [docs[rng.randrange(len(docs))] for _ in range(rng.randrange(2, 7))]
    for r in refs:
        out.append(f"{r['code'].rsplit('-', 1)[0]}  {r['title_zh']}")
    out += ["", "3  术语和定义", "", "下列术语和定义适用于本文件。"]
    for t in range(rng.randrange(2, 6)):
        w = pick(rng, lexname)[0]
        out += [f"3.{t + 1}", w, f"{rng.choice(phrases)}的{pick(rng, lexname)[0]}。"]
    size = sum(len(x) * 3 for x in out)
    chapter = 4
    ref_codes = [r["code"].rsplit("-", 1)[0] for r in refs]
    while size < target:
        head = pick(rng, lexname)[0] + rng.choice(["要求", "方法", "检验", "管理", "条件", "程序", "记录"])
        out += ["", f"{chapter}  {head}", ""]
        for c in range(rng.randrange(3, 9)):
            sents = []
            for _ in range(rng.randrange(1, 5)):
                tpl = SENT[rng.randrange(len(SENT))]
                s = tpl
                while "{W}" in s:
                    s = s.replace("{W}", pick(rng, lexname)[0], 1)
                while "{P}" in s:
                    s = s.replace("{P}", phrases[rng.randrange(len(phrases))], 1)
                s = (s.replace("{S}", S if rng.random() < 0.5 else d["subject"][0])
                     .replace("{C}", rng.choice(ref_codes))
                     .replace("{N}", str(rng.choice([rng.randrange(1, 500), round(rng.uniform(0.1, 99), 1)])))
                     .replace("{U}", rng.choice(UNITS)).replace("{V}", rng.choice(VERBS))
                     .replace("{A}", rng.choice("ABCD")))
                sents.append(s)
            line = f"{chapter}.{c + 1}  " + "".join(sents)
            out.append(line)
            size += len(line.encode("utf-8"))
        chapter += 1
    out += ["", "附  录  A", "（资料性）", f"{S}{pick(rng, lexname)[0]}记录表", ""]
    text = "\n".join(out) + "\n"
    b = text.encode("utf-8")
    if cap and len(b) > cap:
        b = b[:cap].decode("utf-8", "ignore").encode("utf-8")
    return i, b


def init_worker(vocab, docs):
    _CTX["vocab"] = vocab
    _CTX["docs"] = docs


def make_notifications(seed, n, vocab):
    rng = random.Random(seed + 7)
    out = []
    used = set()
    hs = vocab["hs"]
    i = 0
    while len(out) < n:
        member = rng.choice(MEMBERS[:12]) if rng.random() < 0.7 else rng.choice(MEMBERS)
        agr = "TBT" if rng.random() < 0.6 else "SPS"
        num = rng.randrange(1, 2400)
        sym = f"G/{agr}/N/{member}/{num}"
        if sym in used:
            continue
        used.add(sym)
        code, desc = hs[rng.randrange(len(hs))]
        lexname = "food" if agr == "SPS" else rng.choice(["car", "IT", "medical", "food"])
        subj = [rare(rng, lexname), rare(rng, lexname)]
        year = rng.randrange(2010, 2026)
        dist = f"{year}-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}"
        deadline = f"{year}-{min(int(dist[5:7]) + 2, 12):02d}-{dist[8:]}"
        title_zh = "".join(subj) + rng.choice(["技术法规", "安全要求", "限量标准", "检疫要求", "合格评定程序", "标签要求"])
        words = pick(rng, lexname, 6)
        rec = {
            "symbol": sym, "agreement": agr, "member": member, "member_zh": MEMBER_ZH.get(member),
            "distribution_date": dist,
            "title_en": f"{desc.split(';')[0].split(',')[0]}: " + rng.choice(["technical regulation", "maximum residue limits", "import requirements", "labelling requirements", "conformity assessment procedures"]),
            "title_zh": title_zh,
            "products": f"{desc} (HS {code})",
            "hs_codes": [code],
            "ics_codes": [vocab["ics"][rng.randrange(len(vocab["ics"]))]],
            "objective": rng.choice(["Protection of human health or safety", "Food safety", "Plant protection", "Consumer information, labelling", "Prevention of deceptive practices"]),
            "description_summary": f"{MEMBER_ZH.get(member, member)}拟对{title_zh}作出规定，涉及{'、'.join(words)}。" + "".join(rng.choice(vocab["phrases"]) + "，" for _ in range(rng.randrange(3, 12))) + "。 The draft covers " + desc + ".",
            "comment_deadline": deadline, "proposed_adoption": None, "proposed_entry_into_force": None,
            "addendum_of": None, "source_url": None, "language_of_source": "zh",
        }
        out.append((rec, subj))
        if rng.random() < 0.15 and len(out) < n:
            add = dict(rec)
            add["symbol"] = sym + f"/Add.{rng.randrange(1, 3)}"
            add["addendum_of"] = sym
            add["distribution_date"] = f"{min(year + 1, 2026)}-{dist[5:]}"
            add["description_summary"] = f"{MEMBER_ZH.get(member, member)}通报{sym}的补遗：{title_zh}的最终措施已通过。"
            out.append((add, subj))
        i += 1
    return out


FW = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/."}


def spellings(code, rng):
    """Odd spellings of a standard code users type: `gbt7714`, full width, no year, ..."""
    prefix, rest = code.split(" ", 1)
    number, year = rest.rsplit("-", 1)
    cands = [
        ("compact-lower-noyear", (prefix.replace("/", "") + number).lower()),
        ("fullwidth-emdash", "".join(FW.get(c, c) for c in f"{prefix}{number}") + "—" + "".join(FW[c] for c in year)),
        ("no-slash-space-noyear", prefix.replace("/", "") + " " + number),
        ("glued", f"{prefix}{number}-{year}"),
        ("lower-emdash", f"{prefix.lower()} {number}—{year}"),
        ("canonical", code),
    ]
    if prefix.startswith("T/"):
        cands = [c for c in cands if c[0] not in ("compact-lower-noyear", "no-slash-space-noyear")]
        cands.append(("group-lower-noyear", f"{prefix.lower()} {number}"))
    return rng.choice(cands)


def make_queries(seed, docs, notes, n_target):
    rng = random.Random(seed + 99)
    qs = []
    titles = [d["title_zh"] for d in docs]
    # 1. code lookups in odd spellings: rank 1.
    for d in rng.sample(docs, min(len(docs), n_target["code"])):
        kind, q = spellings(d["code"], rng)
        qs.append({"group": "code", "variant": kind, "q": q, "expect": [d["code"]], "at": 1})
    # 2. title phrases unique in the corpus (at most 3 titles hold all the words): top 10.
    tries = 0
    while sum(1 for q in qs if q["group"] == "title") < n_target["title"] and tries < 5000:
        tries += 1
        d = docs[rng.randrange(len(docs))]
        words = list(d["subject"])
        tails = [t for t in TAILS if t in d["title_zh"]]
        if len(words) == 1 and tails and rng.random() < 0.5:
            words.append(tails[0])
        holders = [j for j, t in enumerate(titles) if all(w in t for w in words)]
        if 1 <= len(holders) <= 3:
            qs.append({"group": "title", "q": " ".join(words), "expect": [d["code"]], "at": 10,
                       "title_holders": len(holders)})
    # 3. topic queries: 1-3 common words, no expected document (latency and hit counts only).
    for _ in range(n_target["topic"]):
        lexname = rng.choice(["food", "medical", "IT", "car", "law"])
        k = rng.choice([1, 1, 2, 2, 3])
        qs.append({"group": "topic", "q": " ".join(pick(rng, lexname, k)), "expect": [], "at": 10})
    # 4. filtered: a subject word within a province (local) or an industry, current only.
    by_group = collections.defaultdict(list)
    for x in docs:
        if x["status"] == "现行":
            by_group[("region", x["region"])].append(x["title_zh"])
            by_group[("industry", x["industry"])].append(x["title_zh"])
    tries = 0
    while sum(1 for q in qs if q["group"] == "filtered") < n_target["filtered"] and tries < 5000:
        tries += 1
        d = docs[rng.randrange(len(docs))]
        if d["status"] != "现行" or d["level"] not in ("local", "industry"):
            continue
        w = d["subject"][0]
        if d["level"] == "local":
            filt = {"region": d["region"], "status": "现行"}
            holders = [t for t in by_group[("region", d["region"])] if w in t]
        else:
            filt = {"industry": d["industry"], "status": "现行"}
            holders = [t for t in by_group[("industry", d["industry"])] if w in t]
        if 1 <= len(holders) <= 3:
            qs.append({"group": "filtered", "q": w, "filters": filt, "expect": [d["code"]], "at": 10})
    # 5. notifications: symbol lookups (rank 1) and product words within a member (top 10).
    for rec, subj in rng.sample(notes, min(len(notes), n_target["symbol"])):
        sym = rec["symbol"]
        form = rng.choice(["lower", "fullwidth", "canonical"])
        q = sym.lower() if form == "lower" else ("".join(FW.get(c, c) for c in sym) if form == "fullwidth" else sym)
        qs.append({"group": "symbol", "variant": form, "q": q, "expect": [sym], "at": 1})
    ntitles = [(r["member"], r["title_zh"], r["symbol"], r.get("addendum_of")) for r, _ in notes]
    tries = 0
    while sum(1 for q in qs if q["group"] == "notification") < n_target["notification"] and tries < 5000:
        tries += 1
        rec, subj = notes[rng.randrange(len(notes))]
        if rec.get("addendum_of"):
            continue
        w = subj[0]
        holders = [s for m, t, s, a in ntitles if m == rec["member"] and w in t]
        if 1 <= len(holders) <= 3:
            qs.append({"group": "notification", "q": w,
                       "filters": {"kind": "notification", "member": rec["member"]},
                       "expect": holders, "at": 10})
    for k, q in enumerate(qs):
        q["id"] = k
        q.setdefault("filters", {})
    return qs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="smoke")
    ap.add_argument("--standards", type=int, help="override the preset's standard count")
    ap.add_argument("--notifications", type=int, help="override the preset's notification count")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--body-cap", type=int, default=0, help="cap each body at this many bytes (0: none)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    n_std, n_not = PRESETS[a.preset]
    n_std = a.standards or n_std
    n_not = a.notifications or n_not
    t0 = time.time()
    if os.path.isdir(a.data):
        vocab = load_vocab(a.data)
    else:
        repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        print(f"note: shared data folder {a.data} not found: using the vocabulary of fixtures/ and "
              "index-config/ (smaller; figures are not comparable with runs on ../shared/data)",
              file=sys.stderr)
        vocab = load_vocab_fixtures(repo)
    _CTX["vocab"] = vocab
    docs = make_meta(a.seed, n_std)
    _CTX["docs"] = docs
    corpus = os.path.join(a.out, "corpus")
    for sub in ("catalog", "texts", "notifications"):
        os.makedirs(os.path.join(corpus, sub), exist_ok=True)
    with open(os.path.join(corpus, "catalog", "standards.jsonl"), "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({
                "code": d["code"], "title_zh": d["title_zh"], "status": d["status"],
                "issue_date": d["issue_date"], "implement_date": d["implement_date"],
                "abolish_date": d["abolish_date"], "ics": d["ics"], "department": d["department"],
            }, ensure_ascii=False) + "\n")
    text_bytes = 0
    peers = open(os.path.join(a.out, "docs.jsonl"), "w", encoding="utf-8")
    with multiprocessing.Pool(a.jobs, initializer=init_worker, initargs=(vocab, docs)) as pool:
        for i, b in pool.imap(body_for, ((a.seed, i, a.body_cap) for i in range(n_std)), chunksize=64):
            d = docs[i]
            rel = os.path.join("texts", f"{i // 1000:03d}", fold_code_for_file(d["code"]) + ".txt")
            path = os.path.join(corpus, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(b)
            text_bytes += len(b)
            peers.write(json.dumps({
                "id": d["code"], "kind": "standard", "code": d["code"], "title": d["title_zh"],
                "status": d["status"], "level": d["level"], "region": d["region"] or "",
                "industry": d["industry"] or "", "member": "", "file": rel,
            }, ensure_ascii=False) + "\n")
    notes = make_notifications(a.seed, n_not, vocab)
    note_bytes = 0
    with open(os.path.join(corpus, "notifications", "notifications.jsonl"), "w", encoding="utf-8") as f:
        for rec, _ in notes:
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            note_bytes += len(line.encode("utf-8"))
            f.write(line)
            peers.write(json.dumps({
                "id": rec["symbol"], "kind": "notification", "code": rec["symbol"],
                "title": rec["title_zh"] + " " + rec["title_en"], "status": "", "level": "",
                "region": "", "industry": "", "member": rec["member"],
                "body": " ".join([rec["products"], rec["objective"], rec["description_summary"]]),
            }, ensure_ascii=False) + "\n")
    peers.close()
    n_target = {"code": 60, "title": 50, "topic": 40, "filtered": 30, "symbol": 20, "notification": 20}
    qs = make_queries(a.seed, docs, notes, n_target)
    with open(os.path.join(a.out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for q in qs:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    catalog_bytes = os.path.getsize(os.path.join(corpus, "catalog", "standards.jsonl"))
    manifest = {
        "preset": a.preset, "seed": a.seed, "standards": n_std, "notifications": len(notes),
        "text_bytes": text_bytes, "catalog_bytes": catalog_bytes, "notification_bytes": note_bytes,
        "body_cap": a.body_cap, "queries": len(qs),
        "query_groups": dict(collections.Counter(q["group"] for q in qs)),
        "generate_seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
