"""The demo's departments and accounts (the names of people are synthetic): the core loader
creates them, the case history acts as them, and a world made from files names them."""

from __future__ import annotations

from streetbrain.core.models import Department

DEPARTMENTS = [
    # code, name, kind, phone
    ("cg", "福明街道综合行政执法队（城管）", Department.Kind.URBAN_MANAGEMENT, "0574-8000 0001"),
    ("scjg", "鄞州区市场监管局福明市场监管所", Department.Kind.MARKET_REGULATION, "0574-8000 0002"),
    ("zj", "福明街道城建办（住建）", Department.Kind.HOUSING, "0574-8000 0003"),
    ("hb", "鄞州生态环境分局", Department.Kind.ENVIRONMENT, "0574-8000 0004"),
    ("xf", "福明消防救援站", Department.Kind.FIRE, "0574-8000 0005"),
    ("ga", "福明派出所", Department.Kind.PUBLIC_SECURITY, "0574-8000 0006"),
    ("jt", "鄞州区交通运输局东部新城中队", Department.Kind.TRANSPORT, "0574-8000 0007"),
    ("sw", "东部新城水务服务站", Department.Kind.UTILITIES, "0574-8000 0008"),
    ("gd", "国网宁波供电公司东部新城营业所", Department.Kind.UTILITIES, "0574-8000 0009"),
    ("wy", "福明街道物业管理办", Department.Kind.PROPERTY, "0574-8000 0010"),
    ("jfb", "福明街道经济发展办（楼宇办）", Department.Kind.ECONOMY, "0574-8000 0011"),
]

ACCOUNTS = [
    # username, full name (synthetic), role (None: superuser), department code
    ("admin", "系统管理员", None, None),
    ("leader", "王建国", "leader", None),
    ("acceptor", "李晓梅", "acceptor", None),
    ("shiftlead", "张伟", "shiftlead", None),
    ("dispatcher", "陈静", "dispatcher", None),
    ("gridworker", "刘洋", "gridworker", None),  # scoped to one grid cell
    ("handler", "赵磊", "handler", "cg"),  # 城管 handler: sees what is dispatched to 城管
    ("building", "孙丽", "building", None),
    ("investment", "吴涛", "investment", None),  # 招商专员, street scope
    # A leader of one community (江城社区): sees its figures, registers and cases only.
    ("community_leader", "周敏", "leader", None),
    ("services", "吴芳", "services", None),  # 企服专员
    # An enterprise's own account, linked to one demo enterprise by the services demo.
    ("enterprise", "企业用户（示例）", "enterprise", None),
    ("projects", "黄志强", "projects", None),  # 项目办: the key projects, the street's
    ("cooperatives", "吴海燕", "cooperatives", None),  # 农经: the shareholding cooperatives
    ("party", "郑红", "party", None),  # 党建办: party building
    # 江城社区 staff: runs the community platform (verification queue, bookings).
    ("community", "林晓燕", "community", None),
    ("linkage", "何静怡", "linkage", None),  # data linkage clerk (最多报一次), whole street
    ("districts", "吴婷", "district_office", None),  # 商圈办, street scope
    # A leader of the district (鄞州区) above the street: its streets side by side.
    ("district", "陈立新", "leader", None),
]

# Accounts a domain's loader makes itself (they need its rows first), listed with the others
# when the demo prints its accounts: username, role as printed.
LOADER_ACCOUNTS = [
    ("resident", "resident (社区居民)"),  # a verified 江城 resident, made by the community loader
]
