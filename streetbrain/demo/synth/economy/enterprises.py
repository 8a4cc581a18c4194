"""Who the tenants are: GB/T 4754-2017 classes typical of a CBD by section (and the podium's
retail), made-up company names by trade, credit codes (GB 32100) of the old and the reformed
system, the area codes of where they registered."""

from __future__ import annotations

import datetime as dt
import random

from ..people import USCC_CHARS, Weighted, make_credit_code
from .tables import DISTRICT

#: GB/T 4754-2017 小类 typical of a CBD, by weight within their section, and the sections'
#: weights in the street's mix (mostly F, G, I, J, K, L, M).
INDUSTRIES: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = {
    "F": (
        24,
        (
            ("5131", 5),
            ("5132", 4),
            ("5164", 4),
            ("5165", 2),
            ("5169", 5),
            ("5174", 3),
            ("5175", 3),
            ("5176", 3),
            ("5179", 6),
            ("5181", 10),
            ("5189", 3),
            ("5193", 4),
            ("5199", 6),
            ("5126", 1),
            ("5127", 2),
            ("5154", 3),
            ("5211", 1),
            ("5232", 1),
            ("5292", 4),
        ),
    ),
    "G": (
        14,
        (
            ("5521", 4),
            ("5522", 3),
            ("5532", 1),
            ("5539", 3),
            ("5810", 3),
            ("5821", 14),
            ("5829", 3),
            ("5920", 2),
            ("5431", 2),
            ("5433", 2),
            ("5437", 1),
            ("6020", 1),
        ),
    ),
    "I": (
        13,
        (
            ("6319", 1),
            ("6429", 2),
            ("6431", 2),
            ("6432", 2),
            ("6450", 2),
            ("6511", 1),
            ("6513", 8),
            ("6519", 2),
            ("6520", 1),
            ("6531", 5),
            ("6532", 2),
            ("6540", 2),
            ("6550", 1),
            ("6560", 4),
            ("6579", 1),
            ("6591", 1),
        ),
    ),
    "J": (
        8,
        (
            ("6621", 2),
            ("6631", 2),
            ("6635", 1),
            ("6639", 2),
            ("6712", 2),
            ("6720", 1),
            ("6731", 2),
            ("6739", 4),
            ("6760", 3),
            ("6749", 1),
            ("6820", 1),
            ("6851", 2),
            ("6852", 3),
            ("6853", 1),
            ("6940", 2),
            ("6999", 1),
        ),
    ),
    "K": (7, (("7010", 3), ("7020", 3), ("7030", 3), ("7040", 1), ("7090", 1))),
    "L": (
        17,
        (
            ("7211", 4),
            ("7212", 6),
            ("7219", 3),
            ("7221", 2),
            ("7241", 2),
            ("7243", 4),
            ("7251", 3),
            ("7259", 1),
            ("7262", 3),
            ("7263", 1),
            ("7281", 2),
            ("7284", 2),
            ("7291", 1),
            ("7299", 3),
            ("7114", 1),
        ),
    ),
    "M": (
        10,
        (
            ("7320", 1),
            ("7340", 1),
            ("7452", 2),
            ("7484", 4),
            ("7482", 2),
            ("7485", 1),
            ("7491", 2),
            ("7492", 2),
            ("7499", 1),
            ("7513", 2),
            ("7514", 1),
            ("7515", 2),
            ("7516", 1),
            ("7517", 1),
            ("7519", 4),
        ),
    ),
    "E": (3, (("4813", 1), ("4899", 1), ("5011", 2), ("5013", 1))),
    "R": (2, (("8610", 1), ("8730", 1), ("8770", 1), ("8890", 1))),
    "P": (1.5, (("8391", 1), ("8399", 1))),
    "N": (1, (("7721", 1), ("7850", 1))),
    "O": (0.5, (("8090", 1),)),
}


#: Podium tenants of mixed and commercial buildings.
RETAIL_INDUSTRIES = (
    ("5211", 2),
    ("5219", 1),
    ("5232", 5),
    ("5234", 2),
    ("5245", 1),
    ("6210", 4),
    ("6232", 3),
    ("6239", 2),
    ("6621", 2),
    ("8040", 1),
    ("8393", 1),
    ("8930", 1),
)


#: Words of made-up company and building names.
BRANDS = (
    "甬港 东港 明州 三江 宁东 海晏 会展 东湖 四明 望海 甬江 福明 鄞城 天童 港城 东钱 象山 北仑 "
    "博远 恒信 瑞丰 中晟 汇通 华策 锦程 凯越 正源 天衡 启明 星火 云帆 智汇 海纳 远景 卓越 鼎盛 "
    "嘉诚 东方 宏达 泓信 德润 盛泰 瑞和 海丰 港通 永达 汇金 创富 嘉汇 恒泰 金帆 蓝海 长风 远航 "
    "通达 联创 信诚 华瑞 中甬 泰和 安盛 合创 万达 明达 致远 巨舟 航信 腾跃 鸿鹄 青藤 凌云 新锐 "
    "思源 睿智 匠心 乐途 天润 宸宇 弘毅 立信 元亨 益丰 久安 和润 同舟 聚能 众合 普惠 信和 昌盛"
).split()


_NAME_TRADES: dict[str, tuple[str, ...]] = {
    "51": ("贸易", "进出口", "国际贸易", "供应链管理", "商贸", "实业"),
    "52": ("商业", "商贸", "电子商务", "品牌管理"),
    "55": ("海运", "航运", "船务", "远洋运输"),
    "53": ("物流",),
    "54": ("物流", "运输", "供应链管理"),
    "58": ("国际物流", "国际货运代理", "供应链管理", "物流", "船务代理"),
    "59": ("仓储", "物流"),
    "60": ("快递", "速递"),
    "63": ("通信技术", "信息技术"),
    "64": ("网络科技", "互联网科技", "数据科技", "信息科技"),
    "65": ("软件", "信息技术", "智能科技", "数字科技", "软件技术"),
    "66": ("融资租赁", "商业保理", "小额贷款"),
    "67": ("投资管理", "资产管理", "股权投资", "私募基金管理", "期货"),
    "68": ("保险代理", "保险经纪", "保险公估"),
    "69": ("金融信息服务", "金融科技"),
    "70": ("置业", "房地产开发", "物业服务", "房产经纪"),
    "71": ("设备租赁", "租赁"),
    "72": ("企业管理咨询", "人力资源", "商务信息咨询", "广告", "会展服务", "企业管理"),
    "73": ("科技研发", "生物科技"),
    "74": ("工程设计", "检测技术", "建筑设计", "工程咨询", "环境科技"),
    "75": ("科技", "科技服务", "技术服务"),
    "48": ("建设工程", "市政工程"),
    "50": ("装饰工程", "建筑装饰"),
    "62": ("餐饮管理", "餐饮"),
    "80": ("美容", "生活服务"),
    "83": ("教育科技", "培训"),
    "86": ("文化传媒",),
    "87": ("影视文化", "文化传播"),
    "88": ("文化艺术", "文化传播"),
    "89": ("体育发展", "健身"),
    "77": ("环保科技",),
    "78": ("园林绿化",),
}


#: Trades of particular classes (before the division's above).
_CLASS_TRADES: dict[str, tuple[str, ...]] = {
    "6631": ("融资租赁",),
    "6635": ("小额贷款",),
    "6639": ("商业保理", "供应链金融"),
    "6712": ("证券投资咨询",),
    "6720": ("基金管理",),
    "6731": ("创业投资",),
    "6739": ("股权投资", "私募基金管理"),
    "6749": ("期货",),
    "6760": ("投资管理", "资产管理"),
    "6851": ("保险经纪",),
    "6852": ("保险代理",),
    "6853": ("保险公估",),
    "7114": ("设备租赁",),
    "7211": ("控股", "企业管理"),
    "7212": ("投资管理", "资产管理", "投资"),
    "7221": ("园区管理", "产业园运营管理"),
    "7241": ("财务咨询", "税务师事务所", "会计服务"),
    "7243": ("企业管理咨询", "商务信息咨询", "经济咨询"),
    "7251": ("网络广告", "数字营销"),
    "7259": ("广告", "文化传播"),
    "7262": ("人力资源", "人才服务"),
    "7263": ("人力资源", "劳务服务"),
    "7281": ("会展服务",),
    "7284": ("会展服务", "文化发展"),
    "7291": ("国际旅行社",),
    "7320": ("工程技术研究院",),
    "7340": ("医药科技",),
    "7452": ("检测技术", "检验检测"),
    "7482": ("工程监理", "工程管理"),
    "7484": ("工程设计", "建筑设计"),
    "7485": ("规划设计",),
    "7491": ("工业设计",),
    "7492": ("设计",),
}


class Names:
    def __init__(self):
        self.taken: set[str] = set()

    def company(self, rng: random.Random, industry: str, local: bool, city: str) -> str:
        trades = _CLASS_TRADES.get(industry) or _NAME_TRADES.get(
            industry[:2], ("科技", "实业", "商务服务")
        )
        for attempt in range(60):
            brand = rng.choice(BRANDS)
            if attempt > 8 or rng.random() < 0.25:
                brand += rng.choice(BRANDS)
            trade = rng.choice(trades)
            if industry == "6621":  # a branch of a (made-up) bank
                branch = rng.choice(("东部新城", "福明", "会展", "民安", "宁东"))
                name = f"{brand}银行股份有限公司宁波{branch}支行"
            elif industry in ("6811", "6820"):
                name = f"{brand}财产保险股份有限公司宁波分公司"
            elif industry[:2] == "67" and rng.random() < 0.35:
                name = f"宁波{brand}{trade}合伙企业（有限合伙）"
            elif not local and city != "宁波":
                name = f"{city}{brand}{trade}有限公司宁波分公司"
            else:
                region = "宁波" if rng.random() < 0.8 else "浙江"
                form = "股份有限公司" if rng.random() < 0.05 else "有限公司"
                name = f"{region}{brand}{trade}{form}"
            if name not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError("no free company name")  # pragma: no cover


#: The issuing offices' letters of the enterprises of planners sharing out the codes (the
#: shops' planners use "2"–"H": ``people.Shops``).
SHARED_OFFICES = "JKLMNPQRTUWXY"


class Codes:
    """Unique credit codes, none of ``taken``. ``share`` (i, n): planners running side by
    side (the district benchmark's processes) each draw from their own share — numeric
    organisation codes ≡ i (mod n), their own office letter — so that none can draw another's
    code before it is written."""

    def __init__(self, taken: frozenset[str], share: tuple[int, int] = (0, 1)):
        self.taken = set(taken)
        self.share = share

    def credit_code(self, rng: random.Random, area: str, founded: dt.date) -> str:
        i, n = self.share
        office = "2" if n == 1 else SHARED_OFFICES[i]
        while True:
            if founded < dt.date(2015, 10, 1):  # an organisation code of the old system
                v = rng.randrange(10**7, 10**8)
                body = f"{v if n == 1 else max(10**7, v - v % n + i)}"
            else:  # since the reform: "MA" + the issuing office's letter + serial
                body = "MA" + office + "".join(rng.choice(USCC_CHARS) for _ in range(5))
            value = make_credit_code("91", area, body)
            if value not in self.taken:
                self.taken.add(value)
                return value


def area_code(rng: random.Random, founded: dt.date) -> str:
    if founded < dt.date(2016, 9, 1):  # before the merger: 江东区, or the city
        return "330204" if rng.random() < 0.7 else "330200"
    return DISTRICT if rng.random() < 0.85 else "330200"


class Industries:
    def __init__(self, available: frozenset[str]):
        def check(codes):
            missing = sorted(c for c in codes if c not in available)
            if missing:
                raise ValueError(f"GB/T 4754-2017 classes missing from the table: {missing}")

        self.sections = Weighted([(s, w) for s, (w, _c) in INDUSTRIES.items()])
        self.by_section = {s: Weighted(list(c)) for s, (_w, c) in INDUSTRIES.items()}
        self.retail = Weighted(list(RETAIL_INDUSTRIES))
        all_codes = [c for _w, cs in INDUSTRIES.values() for c, _x in cs]
        check(all_codes + [c for c, _w in RETAIL_INDUSTRIES])
        self.by_prefix: dict[str, list[tuple[str, float]]] = {}
        for _s, (_w, cs) in INDUSTRIES.items():
            for code, w in cs:
                self.by_prefix.setdefault(code[:2], []).append((code, w))
        self.section_of = {c: s for s, (_w, cs) in INDUSTRIES.items() for c, _x in cs}

    def under(self, prefix: str) -> Weighted:
        if prefix.isalpha():
            return self.by_section[prefix]
        pairs = [p for code, ps in self.by_prefix.items() if code.startswith(prefix) for p in ps]
        pairs += [p for p in self.by_prefix.get(prefix[:2], []) if p[0].startswith(prefix)]
        return Weighted(sorted(set(pairs)))

    def pick(self, rng: random.Random, signature: Weighted | None, share: float) -> str:
        if signature is not None and rng.random() < share:
            return signature.pick(rng)
        return self.by_section[self.sections.pick(rng)].pick(rng)
