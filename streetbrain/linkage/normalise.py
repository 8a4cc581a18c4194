"""Chinese records made comparable: ID numbers, names, phones, addresses, enterprise names and
credit codes as each department writes them, turned into the forms the linkage model compares.

Pure functions (no database, no settings): the CLI, the benchmark and the app all call them, and
a bug here shows in every link. What each one keeps and drops is a matching decision:

- an ID number is cleaned (full-width digits, spaces, a lower-case x) and a 15-digit
  first-generation number becomes its 18-digit form (GB 11643-1999 Annex: insert "19" before the
  two-digit year, add the MOD 11-2 check character). An 18-digit value whose check character is
  wrong is kept (a typo still agrees with the true number in 17 places) but flagged invalid;
- a name loses spaces and keeps its characters; its toneless pinyin makes homophones
  (王晓明 / 王小明) agree at a lower level than identical characters;
- an address is parsed into community / compound / building / unit / room, so that
  "江城社区东方家园5幢2单元502室", "东方家园5-2-502" and "东方家园5号楼502" are one house (a
  missing unit is compatible with any unit);
- an enterprise name loses its legal form (有限公司, 股份, 有限责任公司 …) and place qualifiers
  (（宁波）, 宁波市 …); a branch (…分公司) keeps its branch name apart, because a branch is not
  its head office.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from streetbrain.core.identifiers import ID_RE, USCC_RE, credit_check_char, id_check_char

# --- text ---------------------------------------------------------------------------------------


def clean_text(value) -> str:
    """NFKC (full-width digits and letters become ASCII, full-width brackets become ASCII ones),
    without any whitespace."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text)


# --- ID numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdNumber:
    value: str  # 18 characters when it could be made so, else the cleaned text ("" when blank)
    valid: bool
    converted: bool = False  # from a 15-digit first-generation number

    @property
    def birth_date(self) -> datetime.date | None:
        if not self.valid:
            return None
        return datetime.date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def sex(self) -> str:
        """ "M" or "F" from the 17th digit (odd: male); "" when invalid."""
        if not self.valid:
            return ""
        return "M" if int(self.value[16]) % 2 else "F"


def _birth_ok(value: str) -> bool:
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return 1880 <= birth.year and birth <= datetime.date.today()


def id_number(raw) -> IdNumber:
    """A 公民身份号码 as the linkage compares it (see the module's docstring)."""
    text = clean_text(raw).upper()
    if not text:
        return IdNumber("", False)
    if re.fullmatch(r"[0-9]{15}", text):
        first17 = text[:6] + "19" + text[6:15]
        full = first17 + id_check_char(first17)
        return IdNumber(full, _birth_ok(full), converted=True)
    if ID_RE.match(text):
        return IdNumber(text, _birth_ok(text) and id_check_char(text[:17]) == text[17])
    return IdNumber(text, False)


def credit_code(raw) -> tuple[str, bool]:
    """A 统一社会信用代码 upper-cased and cleaned, and whether its check character holds."""
    text = clean_text(raw).upper()
    ok = bool(USCC_RE.match(text)) and credit_check_char(text[:17]) == text[17]
    return text, ok


# --- phones and dates ---------------------------------------------------------------------------


def phone(raw) -> str:
    """Digits only; +86 / 0086 dropped; a landline keeps its area code (0574…)."""
    digits = re.sub(r"[^0-9]", "", clean_text(raw).replace("+86", ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    if len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
        digits = digits[2:]
    return digits


_DATE_RE = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})\D{0,2}?(\d{1,2})")


def date_text(raw) -> str:
    """ISO date text from 1950-3-7, 1950年3月7日, 1950/03/07, 19500307 or a date; "" if none."""
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    text = clean_text(raw)
    m = _DATE_RE.search(text)
    if not m:
        return ""
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return ""


def sex(raw) -> str:
    text = clean_text(raw).upper()
    if text in ("男", "M", "MALE", "1"):
        return "M"
    if text in ("女", "F", "FEMALE", "2"):
        return "F"
    return ""


# --- names --------------------------------------------------------------------------------------


def person_name(raw) -> str:
    """Spaces gone, the middle dots of minority and foreign names unified to ·."""
    return re.sub(r"[•・．.·]", "·", clean_text(raw))


@lru_cache(maxsize=50_000)
def _char_pinyin(char: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(char)).lower()


def pinyin(text: str) -> str:
    """Toneless pinyin without separators (王晓明 → wangxiaoming); other characters kept.
    Character by character (cached): a name's pinyin hardly depends on its neighbours, and
    pypinyin's phrase lookup costs half a millisecond a name."""
    return "".join(_char_pinyin(c) for c in text) if text else ""


# --- addresses ----------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS |= {"七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> str:
    """十二 → 12, 二十 → 20, 五 → 5 (building and unit numbers written in words)."""
    if not text or not all(c in _CN_DIGITS or c == "十" for c in text):
        return text
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))
    return "".join(str(_CN_DIGITS[c]) for c in text)


_CN_NUM = "[零〇一二两三四五六七八九十]+"
_PREFIX_RE = re.compile(
    r"^(?:中国)?(?:浙江省?)?(?:宁波市?)?(?:鄞州区?|海曙区?|江北区?|镇海区?|北仑区?|奉化区?)?"
    r"(?:[^\d省市区]{2,6}?街道)?"
)
_COMMUNITY_RE = re.compile(r"^([^\d]{2,8}?(?:社区|村))(?:居委会|村委会)?")
# building · unit · room in the spellings departments use
_HOUSE_RES = (
    # 5幢2单元502室 / 5号楼2单元502 / 5栋502室 / 5座 / 五幢
    re.compile(
        rf"(\d+|{_CN_NUM})\s*(?:幢|栋|号楼|座|#楼|#)"
        rf"(?:\s*(\d+|{_CN_NUM})\s*单元)?(?:\s*(\d+)\s*(?:室|号|户)?)?"
    ),
    # 5-2-502 (building-unit-room) and 5-502 (building-room)
    re.compile(r"(\d+)[-－—_](\d+)(?:[-－—_](\d+))?(?:室|号)?$"),
)
_ROAD_RE = re.compile(r"^(.*?(?:路|街|巷|弄|道))(\d+)(?:号|弄)")


@dataclass(frozen=True, slots=True)
class Address:
    community: str = ""
    compound: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""

    @property
    def building_key(self) -> str:
        """compound|building: one building, "" when either is unknown."""
        if not (self.compound and self.building):
            return ""
        return f"{self.compound}|{self.building}"

    @property
    def house_key(self) -> str:
        """compound|building|room: one house (the unit is compared apart, a missing one is
        compatible with any), "" when the room is unknown."""
        if not (self.building_key and self.room):
            return ""
        return f"{self.building_key}|{self.room}"

    def same_house(self, other: Address) -> bool:
        return bool(
            self.house_key
            and self.house_key == other.house_key
            and (not self.unit or not other.unit or self.unit == other.unit)
        )


@lru_cache(maxsize=1 << 16)
def address(raw) -> Address:
    """Parse an address the way 福明's sheets write them (see the module docstring). Cached: a
    registry side repeats one text per house for everyone living there."""
    text = clean_text(raw)
    if not text:
        return Address()
    text = _PREFIX_RE.sub("", text, count=1)
    community = ""
    m = _COMMUNITY_RE.match(text)
    if m and len(text) > m.end():
        community = m[1]
        text = text[m.end() :]
    for pattern in _HOUSE_RES:
        m = pattern.search(text)
        if m and m.start() > 0:
            compound = _compound(text[: m.start()])
            building, second, third = (g or "" for g in m.groups())
            building = _cn_number(building)
            if pattern is _HOUSE_RES[1] and not third:
                unit, room = "", second  # 5-502
            elif pattern is _HOUSE_RES[1]:
                unit, room = second, third
            else:
                unit, room = _cn_number(second), third
            return Address(community, compound, building.lstrip("0"), unit.lstrip("0"), room)
    m = _ROAD_RE.match(text)
    if m:  # 福明路123号: the road is the compound, the number the building
        return Address(community, m[1], m[2].lstrip("0"))
    return Address(community, _compound(text))


def _compound(text: str) -> str:
    """The compound's name without trailing separators and the 小区 suffix some sheets add."""
    text = text.strip("-－—_,，、")
    return re.sub(r"(?:小区|花园小区)$", "", text) or text


# --- enterprises --------------------------------------------------------------------------------

_PLACES = (
    "中国|浙江省|浙江|宁波市|宁波|鄞州区|鄞州|海曙区|海曙|江北区|江北|镇海区|北仑区|奉化区|"
    "余姚市|慈溪市|宁海县|象山县|上海市|上海|杭州市|杭州|北京市|北京|深圳市|深圳"
)
_PLACE_BRACKET_RE = re.compile(rf"\((?:{_PLACES})+\)")
_PLACE_PREFIX_RE = re.compile(rf"^(?:{_PLACES})+")
_LEGAL_FORM_RE = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|股份公司|集团公司|合伙企业|\(普通合伙\)|\(有限合伙\)"
    r"|个人独资企业|公司|股份|有限)$"
)
_BRANCH_SUFFIX_RE = re.compile(r"(分公司|分店|营业部|分厂|分部)$")
_HEAD_FORM_RE = re.compile(r"(?:有限责任公司|股份有限公司|有限公司|公司)")


@dataclass(frozen=True, slots=True)
class EnterpriseName:
    core: str  # the name without legal form and place qualifiers
    branch: str = ""  # the branch's own part ("宁波" of …宁波分公司, "" for a head office)


def enterprise_name(raw) -> EnterpriseName:
    """阿里巴巴集团控股有限公司 and 阿里巴巴集团控股 both → 阿里巴巴集团控股; 宁波市 / （宁波）
    qualifiers dropped; …有限公司宁波分公司 keeps 宁波分公司 apart."""
    text = clean_text(raw)
    if not text:
        return EnterpriseName("")
    branch = ""
    suffix = _BRANCH_SUFFIX_RE.search(text)
    if suffix and suffix.start() > 0:
        forms = list(_HEAD_FORM_RE.finditer(text, 0, suffix.start()))
        split = forms[-1].end() if forms else suffix.start()
        text, branch = text[:split], text[split:]
    text = _PLACE_BRACKET_RE.sub("", text)
    for _ in range(3):  # 股份有限公司 then 股份, (有限合伙) then 企业 …
        stripped = _LEGAL_FORM_RE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    text = _PLACE_BRACKET_RE.sub("", text)
    core = _PLACE_PREFIX_RE.sub("", text)
    if len(core) < 4:  # 宁波银行 is not 北京银行: a short remainder keeps its place
        core = text
    return EnterpriseName(core, branch)
