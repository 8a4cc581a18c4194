"""Synthetic citizen / grid-worker reports for training and testing the case classifier.

``generate(n, seed)`` returns ``n`` reports ``{"title", "description", "label"}``, the same
ones for the same ``(n, seed)``; ``write_csv(path, n, seed)`` writes them as UTF-8 CSV with
the columns ``title,description,label``.

The labels are GB/T 47678.5-2026 管理事项 codes as ``"matter:<code>"`` (the codes and names are
those of ``data/standards/gbt47678_5_2026_components_and_matters.csv``; component problems such
as 井盖 and 路灯 are the standard's 01xxx "…异常" 事项). The texts mix three voices (a resident's
随手拍, a 12345 hotline transcript, a 网格员's patrol note), places in the demo's Eastern New
Town (东部新城), times, colloquialisms and typos, and deliberately overlap between
neighbouring classes (垃圾 / 满溢 / 杂物, 占道 / 店外 / 游商, 施工 / 噪声, 雨水 / 污水井盖 …)
so that the task is not trivially separable. The place names are illustrative.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

# label → (standard name, title templates, detail phrases, neighbouring labels)
# ``{p}`` in a title is a short place (a road or a compound).
CLASSES: dict[str, tuple[str, list[str], list[str], list[str]]] = {
    "matter:06010": (
        "暴露垃圾",
        [
            "{p}有暴露垃圾",
            "路边垃圾没人清",
            "{p}垃圾乱扔",
            "绿化带边上一堆生活垃圾",
            "垃圾袋扔在路边",
        ],
        [
            "路边堆着好几袋生活垃圾，没有装进垃圾桶",
            "有人把垃圾袋直接扔在人行道上，已经发臭了",
            "垃圾散落在地上，苍蝇很多",
            "外卖盒、塑料袋丢得到处都是",
            "暴露垃圾约2平方米，未及时清运",
            "垃圾桶旁边地上全是垃圾，没人收拾",
        ],
        ["matter:06042", "matter:06036", "matter:06012", "matter:06017"],
    ),
    "matter:06042": (
        "垃圾站（箱）满溢",
        ["{p}垃圾桶满了", "垃圾箱满溢", "{p}垃圾房爆满", "垃圾桶装不下了", "分类垃圾桶溢出来了"],
        [
            "垃圾桶已经满了，垃圾溢出来掉到地上",
            "垃圾房里的桶全部满溢，盖子都盖不上",
            "两天没人来清运垃圾箱，味道很大",
            "四分类垃圾桶满溢，周边有污水渗出",
            "垃圾收集点桶满了还在往上堆",
        ],
        ["matter:06010", "matter:06041", "matter:03005"],
    ),
    "matter:06036": (
        "乱堆杂物",
        ["{p}乱堆杂物", "楼道口堆满杂物", "人行道上堆放杂物", "{p}堆物堆料", "有人乱堆东西"],
        [
            "有人在人行道上堆放木板、纸箱等杂物",
            "楼下空地上堆满了旧家具和杂物，影响通行",
            "沿街堆放建材和泡沫箱，占了半条人行道",
            "杂物堆了一个多月了，没人清理",
            "堆放砖块、沙子等物料，没有遮盖",
        ],
        ["matter:06010", "matter:06035", "matter:08006", "matter:09012"],
    ),
    "matter:06012": (
        "道路不洁",
        ["{p}路面很脏", "道路不洁", "{p}地上全是泥", "路面油污没人扫", "人行道脏"],
        [
            "路面上全是烟头、纸屑和落叶，没有清扫",
            "道路上有大片油污，走路很滑",
            "人行道上都是泥浆，环卫工好几天没来扫了",
            "路面有狗屎和痰迹，环境很差",
            "路面保洁不到位，沿线有零星垃圾",
        ],
        ["matter:06010", "matter:06014", "matter:06017"],
    ),
    "matter:06014": (
        "道路遗撒（洒）",
        ["{p}渣土遗撒", "车辆沿路撒漏", "路面有泥土撒落", "{p}有遗撒物", "渣土车掉泥"],
        [
            "渣土车经过后路面撒了一路泥土",
            "运输车辆沿途遗撒砂石，车开过去尘土飞扬",
            "路上有一长条混凝土撒落，已经结块",
            "车辆未密闭，沿路掉落渣土",
            "路面遗撒约30米，影响通行",
        ],
        ["matter:06012", "matter:08004", "matter:08012"],
    ),
    "matter:06017": (
        "绿地脏乱",
        ["{p}绿地脏乱", "绿化带里有垃圾", "{p}草坪很脏", "花坛里全是垃圾", "绿化带没人管"],
        [
            "绿化带里扔了很多塑料瓶和包装袋",
            "草坪上有人丢弃垃圾，还有烟头",
            "花坛内杂草丛生，夹杂大量白色垃圾",
            "绿地里堆了枯枝和生活垃圾，没人清理",
            "小区公共绿地被踩秃了，还很脏",
        ],
        ["matter:06010", "matter:06012", "matter:06045"],
    ),
    "matter:06045": (
        "非法占绿毁绿",
        ["{p}毁绿种菜", "绿化带被挖了种菜", "有人占用绿地", "{p}绿地被破坏", "毁绿停车"],
        [
            "有居民把公共绿地的草挖掉种菜",
            "绿化带被人铲掉，改成了停车位",
            "有人在绿地上围了篱笆占为己用",
            "绿化带被车辆碾压，草皮全毁了",
            "小区绿地被圈起来堆东西",
        ],
        ["matter:06017", "matter:06001", "matter:09009"],
    ),
    "matter:09006": (
        "占道经营",
        ["{p}占道经营", "路边摆摊", "{p}有流动摊贩占道", "人行道上卖水果", "早上菜摊占道"],
        [
            "有人在人行道上摆摊卖水果蔬菜，行人只能走机动车道",
            "路边摊占用了盲道，早上特别多",
            "三轮车停在路口卖东西，堵住了通道",
            "占道摆摊卖衣服，地上铺了一大片",
            "夜里有烧烤摊在人行道上经营",
        ],
        ["matter:09005", "matter:09001", "matter:06029"],
    ),
    "matter:09005": (
        "店外经营",
        ["{p}店外经营", "商铺出店经营", "饭店把桌子摆到门外", "{p}店门口堆货", "超市跨门营业"],
        [
            "沿街商铺把货架摆到店门外人行道上",
            "饭店在门口摆桌椅，占用人行道",
            "水果店门口堆满了纸箱和水果筐",
            "汽修店在店外路边修车",
            "店家在门外摆放展示商品，超出门店范围",
        ],
        ["matter:09006", "matter:06036", "matter:09021"],
    ),
    "matter:09001": (
        "无照经营游商",
        ["{p}游商", "流动商贩", "推车小贩沿街叫卖", "{p}无照小贩", "流动摊贩"],
        [
            "有流动商贩推着小车沿街叫卖，城管来了就跑",
            "无照游商在路口卖烤红薯",
            "小贩骑三轮车流动售卖，没有营业执照",
            "游商在学校门口卖零食",
            "流动摊点在公交站附近来回转",
        ],
        ["matter:09006", "matter:09005"],
    ),
    "matter:06001": (
        "私搭乱建",
        ["{p}违章搭建", "顶楼违建", "{p}私搭乱建", "有人在院子里搭棚", "违法建筑"],
        [
            "有住户在楼顶私自搭建彩钢棚",
            "一楼住户在院子里违规扩建房屋",
            "在公共区域用铁皮搭了个棚子",
            "阳台外面私自加建，没有手续",
            "正在砌墙搭建，疑似违章建筑",
        ],
        ["matter:08016", "matter:06045", "matter:08001"],
    ),
    "matter:08016": (
        "无证建设",
        ["{p}无证施工建设", "没有规划许可就在盖房", "{p}无证建设", "空地上在建房子"],
        [
            "空地上正在浇筑地基，现场没有施工许可公示",
            "未取得规划许可擅自建设厂房",
            "现场在盖两层楼，问了说没有证",
            "施工单位无证开工建设",
        ],
        ["matter:06001", "matter:08001"],
    ),
    "matter:07001": (
        "非法小广告",
        ["{p}小广告", "墙上贴满小广告", "牛皮癣广告", "{p}乱贴广告", "电线杆上小广告"],
        [
            "墙面和电线杆上贴满了办证、开锁小广告",
            "有人在楼道里喷涂疏通下水道的电话号码",
            "公交站牌上贴了很多牛皮癣",
            "小广告撕了又贴，反复出现",
            "地上用油漆喷了广告电话",
        ],
        ["matter:07002", "matter:06004"],
    ),
    "matter:07002": (
        "街头散发广告",
        ["{p}有人发传单", "街头散发广告", "路口派发传单", "{p}发小卡片"],
        [
            "有人在路口拦人发健身房传单",
            "在车窗上夹小卡片，满地都是",
            "地铁口有人散发楼盘广告",
            "有人在小区门口发宣传单页",
        ],
        ["matter:07001", "matter:06012"],
    ),
    "matter:09009": (
        "机动车乱停放",
        ["{p}乱停车", "汽车停在人行道上", "{p}机动车乱停放", "违停", "车停在路口堵了"],
        [
            "小汽车停在人行道上，行人没法走",
            "车辆停在路口转角，影响会车",
            "有一辆面包车长期停在非停车位",
            "路边双排停车，把路都堵了",
            "货车停在小区门口，挡住了出入",
        ],
        ["matter:09012", "matter:09010", "matter:06034"],
    ),
    "matter:09012": (
        "占用消防通道",
        ["{p}消防通道被占", "消防通道停满车", "占用消防通道", "{p}生命通道被堵"],
        [
            "消防通道上停了好几辆车，消防车根本进不来",
            "有人在消防通道堆放杂物",
            "小区消防通道被私家车长期占用",
            "消防车道标线上停着车",
        ],
        ["matter:09009", "matter:06036"],
    ),
    "matter:09010": (
        "非机动车乱停放",
        ["{p}电动车乱停", "电瓶车停在盲道上", "{p}非机动车乱停放", "自行车乱放"],
        [
            "电动车停在盲道上，排了一长溜",
            "自行车和电瓶车停得乱七八糟，挡住了人行道",
            "非机动车没有停在停车点内",
            "店门口电动车乱停，行人走不过去",
        ],
        ["matter:09011", "matter:09009"],
    ),
    "matter:09011": (
        "共享单车乱象",
        ["{p}共享单车堆积", "共享单车乱停", "{p}单车太多", "共享单车倒了一地"],
        [
            "共享单车堆了几十辆，把人行道堵死了",
            "哈罗和美团单车倒在路边没人管",
            "共享电单车停在绿化带里",
            "共享单车堆积在地铁口，运维不及时",
        ],
        ["matter:09010", "matter:06045"],
    ),
    "matter:08001": (
        "施工扰民",
        ["{p}夜间施工", "工地晚上施工太吵", "施工扰民", "{p}工地噪音", "半夜还在施工"],
        [
            "工地晚上十一点还在打桩，吵得睡不着",
            "凌晨施工，机器声音很大",
            "装修队中午和晚上都在电钻",
            "夜间施工没有办夜间施工许可证",
            "工地早上六点就开始施工，噪音扰民",
        ],
        ["matter:06028", "matter:08004", "matter:06001"],
    ),
    "matter:06028": (
        "噪声扰民",
        ["{p}噪音扰民", "广场舞太吵", "{p}噪声扰民", "酒吧音乐声太大", "商铺喇叭吵"],
        [
            "广场舞音响开得很大，晚上九点多还在跳",
            "楼下商铺用喇叭循环叫卖，声音很吵",
            "酒吧音乐声太大，影响休息",
            "空调外机噪音很大，晚上嗡嗡响",
            "有人在小区里唱卡拉OK到半夜",
        ],
        ["matter:08001", "matter:06029"],
    ),
    "matter:06027": (
        "油烟污染",
        ["{p}油烟扰民", "饭店油烟直排", "{p}油烟污染", "餐馆油烟太大"],
        [
            "饭店油烟没有经过净化直接排放，熏到楼上",
            "餐馆排烟管道对着居民窗户",
            "油烟净化器没开，味道呛人",
            "小吃店油烟很大，窗户都不敢开",
        ],
        ["matter:06029", "matter:09015"],
    ),
    "matter:06029": (
        "露天烧烤",
        ["{p}露天烧烤", "路边烧烤摊", "{p}有人烤串", "夜宵烧烤烟很大"],
        [
            "晚上有露天烧烤摊，烟雾很大",
            "路边支着烧烤架在烤串，烟熏火燎",
            "烧烤店在门外露天烧烤",
            "夜宵摊露天烧烤到凌晨，还很吵",
        ],
        ["matter:06027", "matter:09006", "matter:06028"],
    ),
    "matter:01004": (
        "雨水箅子异常",
        ["{p}路面积水", "下雨积水排不掉", "雨水箅子堵了", "{p}积水严重", "路口积水"],
        [
            "雨后路面积水很深，雨水口被树叶堵住了",
            "雨水箅子被垃圾堵死，水排不下去",
            "一下雨这里就积水，车开过去溅人一身",
            "箅子破损缺失，有个洞",
            "积水没过脚踝，行人无法通行",
        ],
        ["matter:01003", "matter:06013"],
    ),
    "matter:01003": (
        "雨水井盖异常",
        ["{p}雨水井盖破损", "井盖坏了", "{p}井盖缺失", "雨水井盖松动", "井盖被偷了"],
        [
            "雨水井盖破了一个角，很危险",
            "井盖不见了，只剩一个洞，有人用树枝围着",
            "车压过去井盖咣当响，已经松动",
            "雨水井盖下沉，和路面有高差",
            "井盖碎裂，晚上看不清容易踩空",
        ],
        ["matter:01002", "matter:01004"],
    ),
    "matter:01002": (
        "污水井盖异常",
        ["{p}污水井盖破损", "污水井冒水", "{p}井盖缺失", "井盖坏了有臭味"],
        [
            "污水井盖破损，井里往外冒污水，很臭",
            "污水井盖缺失，下面很深",
            "井盖松动，车一压就翻",
            "窨井盖破了，污水溢到路面上",
        ],
        ["matter:01003", "matter:06030"],
    ),
    "matter:01037": (
        "路灯异常",
        ["{p}路灯不亮", "路灯坏了", "{p}一排路灯都不亮", "晚上路灯不亮很黑", "路灯一闪一闪"],
        [
            "晚上这段路的路灯都不亮，黑漆漆的",
            "路灯一闪一闪的，可能坏了",
            "路灯灯杆倾斜，灯罩掉了",
            "路灯白天还亮着，晚上反而不亮",
            "有三盏路灯不亮，晚上走路不安全",
        ],
        ["matter:01060"],
    ),
    "matter:01060": (
        "路灯配电箱异常",
        ["{p}配电箱门开着", "路灯配电箱损坏", "{p}电箱破损"],
        [
            "路灯配电箱门开着，里面电线露在外面",
            "配电箱被撞歪了，箱门关不上",
            "路边电箱锈蚀破损，担心漏电",
        ],
        ["matter:01037"],
    ),
    "matter:04002": (
        "行道树异常",
        ["{p}树倒了", "行道树倒伏", "{p}大树歪了", "台风把树刮倒了", "树枝断了挂在上面"],
        [
            "昨晚大风把行道树刮倒了，横在人行道上",
            "树干倾斜严重，随时可能倒下来",
            "断掉的树枝挂在电线上，很危险",
            "行道树枯死了，树枝往下掉",
            "树根把人行道板顶起来了",
        ],
        ["matter:06017", "matter:06013"],
    ),
    "matter:06013": (
        "道路破损",
        ["{p}路面破损", "路上有坑", "{p}人行道板松动", "道路坑洼", "路面塌陷"],
        [
            "路面有个大坑，电动车经过差点摔倒",
            "人行道板翘起松动，踩上去会溅水",
            "沥青路面开裂破损，坑坑洼洼",
            "路面局部塌陷，周围已经围起来了",
            "道路破损面积约5平方米",
        ],
        ["matter:01004", "matter:01003", "matter:04002"],
    ),
    "matter:06007": (
        "沿街晾挂",
        ["{p}沿街晾晒", "路边晾衣服", "{p}在树上拉绳晾被子", "沿街晾挂"],
        [
            "有人在行道树之间拉绳子晾衣服",
            "临街窗外晾晒被子，影响市容",
            "在护栏上晾晒衣物",
            "店家在门口晾挂拖把和毛巾",
        ],
        ["matter:06036", "matter:09005"],
    ),
    "matter:06034": (
        "废弃车辆",
        ["{p}僵尸车", "废弃车辆长期停放", "{p}有辆车停了一年", "报废车没人管"],
        [
            "一辆车停在路边一年多没动过，落满灰尘，轮胎都瘪了",
            "废弃的电动三轮车扔在绿化带边",
            "僵尸车占用停车位，车牌都没了",
            "破旧面包车长期停放，车窗破了",
        ],
        ["matter:09009", "matter:06035"],
    ),
}

GENERIC_TITLES = [
    "市民反映问题",
    "网格巡查上报",
    "12345转办",
    "随手拍",
    "请尽快处理",
    "{p}问题反映",
    "{p}环境问题",
    "投诉",
]

ROADS = [
    "宁东路",
    "中山东路",
    "福明路",
    "江澄路",
    "河清路",
    "海晏路",
    "惊驾路",
    "百丈东路",
    "民安路",
    "彩虹北路",
    "桑田路",
    "朝晖路",
    "宁穿路",
    "会展路",
    "福庆路",
    "王家弄",
]
COMPOUNDS = [
    "福明家园",
    "明园小区",
    "新城花园",
    "东湖花园",
    "金色水岸",
    "锦苑小区",
    "江南春城",
    "东城雅苑",
    "福明新村",
    "曙光佳苑",
    "朝晖苑",
    "海晏北苑",
    "桑田公寓",
    "宁东新村",
]
LANDMARKS = ["公交站", "菜场", "小学", "地铁站", "银行", "社区服务中心", "幼儿园", "超市"]
TIMES = [
    "今天早上",
    "昨天晚上",
    "刚才",
    "这几天",
    "每天晚上",
    "周末",
    "上午巡查时",
    "凌晨",
    "中午",
    "下午三点左右",
    "最近一周",
    "昨晚十点多",
    "",
]
CITIZEN_OPEN = [
    "你好，",
    "您好，我要反映一下，",
    "我是附近居民，",
    "麻烦管一下，",
    "",
    "",
    "投诉：",
    "随手拍：",
    "请问有人管吗？",
]
HOTLINE_OPEN = ["市民来电反映：", "12345转办：市民反映", "来电人称，", "市民通过热线反映，"]
GRID_OPEN = ["网格员巡查发现，", "巡查发现：", "经现场核实，", "网格员上报："]
CITIZEN_CLOSE = [
    "都好几天了没人管。",
    "麻烦尽快处理！",
    "希望相关部门管一管。",
    "太影响生活了！！",
    "谢谢。",
    "",
    "请城管来看看。",
    "反映过好几次了。",
]
HOTLINE_CLOSE = ["请相关部门核实处理。", "市民要求尽快处理并回复。", "请及时处置。"]
GRID_CLOSE = ["建议责任单位尽快处置。", "已拍照取证，请派遣处置。", "需协调处理。", ""]
EXTRAS = [
    "旁边就是学校",
    "老人小孩经过很不安全",
    "附近居民意见很大",
    "影响市容",
    "晚上看不清",
    "之前反映过",
    "照片已上传",
    "",
]
# Common slips: a typed pinyin picks the wrong character.
TYPOS = {
    "垃圾": "拉圾",
    "噪音": "燥音",
    "油烟": "油咽",
    "井盖": "井该",
    "路灯": "路登",
    "停放": "停方",
    "摆摊": "摆滩",
    "施工": "施功",
    "广告": "广造",
    "绿化": "绿话",
    "堵": "赌",
    "积水": "急水",
    "杂物": "杂务",
    "破损": "破顺",
    "扰民": "绕民",
}


def labels() -> list[str]:
    """The labels the generator produces, sorted."""
    return sorted(CLASSES)


def _place(rng: random.Random) -> tuple[str, str]:
    """(short place for a title, full place for a description)."""
    r = rng.random()
    if r < 0.35:
        road = rng.choice(ROADS)
        return road, f"{road}{rng.randint(1, 999)}号附近"
    if r < 0.55:
        a, b = rng.sample(ROADS, 2)
        return a, f"{a}与{b}交叉口"
    if r < 0.85:
        c = rng.choice(COMPOUNDS)
        where = rng.choice(
            ["东门", "南门", f"{rng.randint(1, 40)}幢楼下", "北门外", "地下车库入口"]
        )
        return c, f"{c}{where}"
    road = rng.choice(ROADS)
    return road, f"{road}{rng.choice(LANDMARKS)}旁边"


def _typo(text: str, rng: random.Random) -> str:
    candidates = [k for k in TYPOS if k in text]
    if not candidates:
        return text
    key = rng.choice(candidates)
    return text.replace(key, TYPOS[key], 1)


VOICES = ("citizen", "hotline", "grid")


def compose(
    label: str,
    rng: random.Random,
    *,
    voice: str | None = None,
    place: tuple[str, str] | None = None,
) -> dict[str, str]:
    """One synthetic report of class ``label``. ``voice`` (one of ``VOICES``) fixes who speaks:
    a resident, a 12345 transcript or a grid worker (default: drawn, as ``generate`` does);
    ``place`` is a (short, full) place such as ("福明路", "福明路88号附近") instead of a drawn
    one. With neither given the draws are exactly those of ``generate``."""
    _name, titles, details, neighbours = CLASSES[label]
    neighbours = [n for n in neighbours if n in CLASSES]
    short, where = place if place is not None else _place(rng)
    drawn = rng.random()
    if voice is None:
        voice = "citizen" if drawn < 0.5 else "hotline" if drawn < 0.75 else "grid"
    if voice == "citizen":
        opener, closer = rng.choice(CITIZEN_OPEN), rng.choice(CITIZEN_CLOSE)
    elif voice == "hotline":
        opener, closer = rng.choice(HOTLINE_OPEN), rng.choice(HOTLINE_CLOSE)
    elif voice == "grid":
        opener, closer = rng.choice(GRID_OPEN), rng.choice(GRID_CLOSE)
    else:
        raise ValueError(f"unknown voice {voice!r}; use one of {', '.join(VOICES)}")
    title = rng.choice(GENERIC_TITLES if rng.random() < 0.12 else titles).format(p=short)
    parts = [rng.choice(details)]
    if rng.random() < 0.3:
        parts.append(rng.choice([d for d in details if d != parts[0]]))
    if neighbours and rng.random() < 0.25:
        # a neighbouring class's symptom, mentioned alongside (or instead of) this one's
        borrowed = rng.choice(CLASSES[rng.choice(neighbours)][2])
        if rng.random() < 0.3:
            parts = [borrowed]
        else:
            parts.insert(rng.randrange(len(parts) + 1), borrowed)
    extra = rng.choice(EXTRAS)
    if extra:
        parts.append(extra)
    body = "，".join(parts)
    when = rng.choice(TIMES)
    description = f"{opener}{when}{where}{body}。{closer}"
    if rng.random() < 0.1:
        description = f"{where}{parts[0]}"  # a terse note
    if rng.random() < 0.15:
        description = _typo(description, rng)
    if rng.random() < 0.05:
        title = _typo(title, rng)
    return {"title": title, "description": description, "label": label}


def _one(label: str, rng: random.Random) -> dict[str, str]:
    return compose(label, rng)


def generate(n: int, seed: int = 0) -> list[dict[str, str]]:
    """``n`` synthetic reports; the classes are balanced but shuffled. Deterministic in
    ``(n, seed)``."""
    rng = random.Random(seed)
    keys = labels()
    rows = [_one(keys[i % len(keys)], rng) for i in range(n)]
    rng.shuffle(rows)
    return rows


def write_csv(path: str | Path, n: int, seed: int = 0) -> Path:
    """Write ``generate(n, seed)`` to ``path`` (UTF-8 with BOM, header ``title,description,
    label``) and return the path."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "description", "label"])
        writer.writeheader()
        writer.writerows(generate(n, seed))
    return path
