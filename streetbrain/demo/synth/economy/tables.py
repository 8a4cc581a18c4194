"""The economy plan's numbers: its seed and span, the street's communities, the tax tiers the
towers are scaled to (亿元楼宇, 准亿元, 千万元楼宇), the industrial chains (一楼一链), the tax
intensity by industry, where tenants from elsewhere are registered, and the lease terms, lead
times and suite sizes the lettings draw from."""

from __future__ import annotations

import datetime as dt

from ..people import Weighted

SEED = 20_220_308  # the street's 2022 work plan: 80+ towers, 7,000+ enterprises


HISTORY_MONTHS = 36


BUILDINGS = 86  # full scale (``scale`` = 1)


DISTRICT = "330212"  # 鄞州区


BUILDING_COMMUNITY = "荆城楼宇社区"


EAST_COMMUNITIES = (
    "新城社区",
    "福城社区",
    "碧城社区",
    "宁城社区",
    "明城社区",
    "江城社区",
    "东城社区",
    "波波城社区",
)


M_LAT = 1 / 110_900  # metres to degrees around 29.87° N


M_LON = 1 / 96_300


ONE_DAY = dt.timedelta(days=1)


#: Annual tax (CNY, the last 12 months) the buildings are scaled to, by rank: six 亿元楼宇,
#: four 准亿元 (at least 80 % of CNY 100 m), thirty 千万元楼宇; the rest below CNY 10 m.
TAX_TIERS: tuple[float, ...] = (
    *(420e6, 236e6, 168e6, 139e6, 122e6, 113e6),
    *(93e6, 90e6, 87e6, 84e6),
    *(round(68e6 * (12 / 68) ** (i / 29), -5) for i in range(30)),
)


#: Industrial chains (一楼一链): code, name, GB/T 4754-2017 prefixes, description.
CHAINS: tuple[tuple[str, str, str, str], ...] = (
    (
        "digital",
        "数字经济",
        "63,64,65",
        "软件和信息技术服务、互联网平台与数据服务、电信增值服务。",
    ),
    ("finance", "现代金融", "J", "银行、证券期货、基金与股权投资、保险及其中介、金融信息服务。"),
    (
        "shipping",
        "航运物流",
        "55,58,59,60",
        "远洋与沿海货运、国际货运代理、多式联运、仓储和快递：依托宁波舟山港。",
    ),
    (
        "services",
        "专业服务",
        "72,73,74,75",
        "企业总部与管理、法律会计咨询、人力资源、广告会展、设计检测和科技服务。",
    ),
    ("trade", "商贸", "51,52", "批发和进出口贸易、供应链、品牌零售。"),
)


#: Tax intensity by GB/T 4754 division (CNY per m² a year before the per-building scaling).
TAX_WEIGHT = {
    "66": 4.0,
    "67": 3.0,
    "68": 2.2,
    "69": 2.5,
    "55": 3.0,
    "58": 1.8,
    "72": 1.8,
    "70": 2.0,
    "51": 1.5,
    "52": 0.7,
    "62": 0.5,
}


ELSEWHERE = (  # (area code, city prefix) of enterprises registered for tax elsewhere
    ("310115", "上海"),
    ("310101", "上海"),
    ("330106", "杭州"),
    ("330108", "杭州"),
    ("440305", "深圳"),
    ("110105", "北京"),
    ("330203", "宁波"),  # 海曙区: Ningbo, but not this district
    ("330205", "宁波"),  # 江北区
    ("330206", "宁波"),  # 北仑区
)


LEAD = Weighted([(1, 7), (2, 10), (3, 14), (4, 14), (5, 13), (6, 12), (7, 11), (8, 10), (9, 9)])


TERM = Weighted([(1, 5), (2, 25), (3, 50), (5, 20)])


SUITE = Weighted([(1, 66), (2, 21), (3, 8), (4, 5)])


NEW_SUITE = Weighted([(1, 70), (2, 20), (3, 7), (4, 3)])
