"""Reading policies from the documented YAML/JSON format (docs/services-policy-format.md),
the format of the reference ``policies.yaml``: a list of policies, each with its clauses.
``parse`` checks a whole document and returns plain records, or raises ``ValidationError``
naming the policy and clause at fault (so an import changes nothing when one is wrong)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from . import rules
from .models import Path

KEY_RE = re.compile(r"[^A-Za-z0-9_-]+")
SOURCE_KEYS = ("url", "publisher", "date", "kind", "note")  # shown on the policy's page


def clean_sources(value) -> list[dict]:
    """A policy's sources as stored: a list of mappings (``url``, ``publisher``, ``date``,
    ``kind``, ``note`` as text; other keys kept as text too). Each needs a url or a
    publisher; a url must be an http or https address, since the policy's page links it.
    Raises ``ValidationError`` with one message per source at fault."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(_("The sources are a list (each line starting with “- ”)."))
    out, errors = [], []
    check_url = URLValidator(schemes=["http", "https"])
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict):
            errors.append(
                _("Source %(n)s: write a mapping such as {url: …, publisher: …}.") % {"n": n}
            )
            continue
        clean = {str(k): str(v).strip() for k, v in item.items() if v not in (None, "")}
        if not clean.get("url") and not clean.get("publisher"):
            errors.append(_("Source %(n)s: needs a url or a publisher.") % {"n": n})
            continue
        if clean.get("url"):
            try:
                check_url(clean["url"])
            except ValidationError:
                errors.append(
                    _("Source %(n)s: the url must be an http or https address.") % {"n": n}
                )
                continue
        out.append(clean)
    if errors:
        raise ValidationError(errors)
    return out


@dataclass
class ClauseRecord:
    key: str
    title: str
    text: str
    benefit: dict
    conditions: list
    path: str
    documents: str = ""
    valid_from: dt.date | None = None


@dataclass
class PolicyRecord:
    key: str
    title: str
    issuer: str
    doc_no: str
    level: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    text: str
    sources: list
    note: str
    clauses: list[ClauseRecord] = field(default_factory=list)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def path_of(application) -> str:
    """免申即享 (and 浙江's 无感智办) → auto; 申报 → apply; otherwise (not stated) → consult."""
    text = application.get("path") if isinstance(application, dict) else application
    if not text:
        return Path.CONSULT
    text = str(text)
    if text in Path.values:
        return text
    if "免申即享" in text or "无感智办" in text:
        return Path.AUTO
    if "申报" in text or "申请" in text:
        return Path.APPLY
    return Path.CONSULT


# The Excel layout: one row per clause; rows with the same 政策编号 form one policy (its
# columns are read from its first row). 扶持内容 and 条件 hold YAML flow text, e.g.
# {amount_cny: 10000} and [{field: headcount, op: ">=", value: 10}].
XLSX_COLUMNS = {
    "政策编号": "id",
    "政策名称": "title",
    "发文机关": "issuer",
    "文号": "doc_no",
    "层级": "level",
    "生效日期": "effective_from",
    "截止日期": "effective_to",
    "条款": "clause",
    "条文": "text",
    "扶持内容": "benefit",
    "条件": "conditions",
    "兑现路径": "path",
    "申报材料": "documents",
}


def load_xlsx(content: bytes) -> list:
    """The policies of an Excel sheet in the layout of ``XLSX_COLUMNS``."""
    import io

    import openpyxl

    try:
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise ValidationError(_("The file is not an Excel workbook.")) from exc
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    missing = [h for h in ("政策编号", "政策名称", "条款") if h not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(cols)s") % {"cols": "、".join(missing)})
    policies: dict[str, dict] = {}
    errors = []
    for n, row in enumerate(rows, 2):
        cells = {XLSX_COLUMNS[h]: v for h, v in zip(header, row, strict=False) if h in XLSX_COLUMNS}
        if not any(v not in (None, "") for v in cells.values()):
            continue
        key = str(cells.get("id") or "").strip()
        policy = policies.setdefault(
            key,
            {
                "id": key,
                "title": cells.get("title"),
                "issuer": cells.get("issuer"),
                "doc_no": cells.get("doc_no"),
                "level": cells.get("level"),
                "dates": {
                    "effective_from": _cell_date(cells.get("effective_from")),
                    "effective_to": _cell_date(cells.get("effective_to")),
                },
                "clauses": [],
            },
        )
        clause = {"clause": cells.get("clause"), "text": cells.get("text") or ""}
        for name, kind in (("benefit", dict), ("conditions", list)):
            text = cells.get(name)
            try:
                value = yaml.safe_load(str(text)) if text not in (None, "") else kind()
            except yaml.YAMLError:
                value = None
            if not isinstance(value, kind):
                errors.append(
                    _("Row %(n)s, column %(col)s: not valid YAML flow text.")
                    % {"n": n, "col": "扶持内容" if name == "benefit" else "条件"}
                )
                value = kind()
            clause[name] = value
        clause["application"] = {"path": cells.get("path")}
        clause["documents"] = cells.get("documents") or ""
        policy["clauses"].append(clause)
    if errors:
        raise ValidationError(errors)
    return list(policies.values())


def _cell_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def load_text(content: str | bytes, name: str = "") -> list:
    """The document's list of policies from YAML or JSON text (or an Excel workbook)."""
    if name.lower().endswith(".xlsx"):
        return load_xlsx(content if isinstance(content, bytes) else content.encode())
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    try:
        data = json.loads(content) if name.endswith(".json") else yaml.safe_load(content)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValidationError(_("The file is not valid YAML or JSON: %(e)s") % {"e": exc}) from exc
    if isinstance(data, dict) and "policies" in data:
        data = data["policies"]
    if not isinstance(data, list):
        raise ValidationError(_("The file must hold a list of policies."))
    return data


def parse(data: list) -> list[PolicyRecord]:
    out, errors, seen = [], [], set()
    for n, item in enumerate(data, 1):
        where = _("policy %(n)s") % {"n": n}
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            errors.append(_("%(where)s: needs an id and a title.") % {"where": where})
            continue
        key = KEY_RE.sub("-", str(item["id"])).strip("-")[:40]
        where = str(item["id"])
        if key in seen:
            errors.append(_("%(where)s: the id appears twice.") % {"where": where})
            continue
        seen.add(key)
        dates = item.get("dates") or {}
        try:
            sources = clean_sources(item.get("sources"))
        except ValidationError as exc:
            errors.extend(f"{where}: {m}" for m in exc.messages)
            continue
        texts, clauses, keys = [], [], set()
        for c in item.get("clauses") or []:
            if not isinstance(c, dict) or not c.get("clause"):
                errors.append(
                    _("%(where)s: every clause needs a name (clause).") % {"where": where}
                )
                continue
            ckey = str(c["clause"])[:80]
            text = c.get("text_verbatim") or c.get("text") or ""
            benefit = c.get("benefit") or {}
            conditions = c.get("conditions") or []
            if ckey in keys:
                errors.append(
                    _("%(where)s: clause “%(c)s” appears twice.") % {"where": where, "c": ckey}
                )
                continue
            keys.add(ckey)
            if not conditions and (not benefit or benefit.get("kind") == "stacking_rule"):
                # Definitions and stacking rules: part of the text, nothing to match.
                texts.append(f"{ckey}\n{text}".strip())
                continue
            if not isinstance(benefit, dict) or not isinstance(conditions, list):
                errors.append(
                    _("%(where)s, clause “%(c)s”: benefit is a mapping, conditions a list.")
                    % {"where": where, "c": ckey}
                )
                continue
            try:
                for cond in conditions:
                    rules.check_condition(cond)
            except rules.RuleError as exc:
                errors.append(
                    _("%(where)s, clause “%(c)s”: %(e)s") % {"where": where, "c": ckey, "e": exc}
                )
                continue
            clauses.append(
                ClauseRecord(
                    key=ckey,
                    title=str(c.get("title") or ckey)[:200],
                    text=str(text),
                    benefit=benefit,
                    conditions=conditions,
                    path=path_of(c.get("application") or item.get("application")),
                    documents=str(c.get("documents") or ""),
                    valid_from=_date(c.get("valid_from")),
                )
            )
        out.append(
            PolicyRecord(
                key=key,
                title=str(item["title"])[:300],
                issuer=str(item.get("issuer") or "")[:200],
                doc_no=str(item.get("doc_no") or "")[:200],
                level=str(item.get("level") or "")[:20],
                effective_from=_date(dates.get("effective_from")),
                effective_to=_date(dates.get("effective_to")),
                text="\n\n".join([str(item.get("text") or ""), *texts]).strip(),
                sources=sources,
                note=str(item.get("status_note") or item.get("note") or ""),
                clauses=clauses,
            )
        )
    if errors:
        raise ValidationError(errors)
    return out
