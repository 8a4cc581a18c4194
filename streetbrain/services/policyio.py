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
from django.utils.translation import gettext as _

from . import rules
from .models import Path

KEY_RE = re.compile(r"[^A-Za-z0-9_-]+")


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


def load_text(content: str | bytes, name: str = "") -> list:
    """The document's list of policies from YAML or JSON text."""
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
                sources=item.get("sources") or [],
                note=str(item.get("status_note") or item.get("note") or ""),
                clauses=clauses,
            )
        )
    if errors:
        raise ValidationError(errors)
    return out
