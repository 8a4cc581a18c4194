"""Every change of the enterprise services: policies imported (a changed clause becomes a new
version), matches recomputed, notices sent and moved along their stages (each step a
``NoticeEvent``), facts kept, enterprise accounts linked and requests raised as cases. Views,
the API, the CLI, tasks and the demo call these."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import Channel
from streetbrain.economy.models import Enterprise, Lease, OfficeBuilding

from . import policyio, profile, requests, rules
from .models import (
    Clause,
    EnterpriseAccount,
    EnterpriseRequest,
    Match,
    Notice,
    NoticeEvent,
    Path,
    Policy,
    Source,
    Verdict,
)

# -- policies -----------------------------------------------------------------------------------


@transaction.atomic
def import_policies(records: list[policyio.PolicyRecord], source: str) -> dict:
    """Create or update the policies of ``records``. A clause whose benefit, conditions,
    path or text changed gets a new version (the previous one stays, not current, with its
    matches); unchanged clauses are kept. Returns counts."""
    counts = {"policies": 0, "clauses_new": 0, "clauses_versioned": 0, "unchanged": 0}
    for rec in records:
        policy, _made = Policy.objects.update_or_create(
            key=rec.key,
            defaults=dict(
                title=rec.title,
                issuer=rec.issuer,
                doc_no=rec.doc_no,
                level=rec.level,
                effective_from=rec.effective_from,
                effective_to=rec.effective_to,
                text=rec.text,
                source=source,
                sources=rec.sources,
                note=rec.note,
            ),
        )
        counts["policies"] += 1
        for c in rec.clauses:
            current = Clause.objects.filter(policy=policy, key=c.key, current=True).first()
            fields = dict(
                title=c.title,
                text=c.text,
                benefit=c.benefit,
                conditions=c.conditions,
                path=c.path,
                documents=c.documents,
            )
            if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
                counts["unchanged"] += 1
                continue
            version = 1
            if current is not None:
                version = current.version + 1
                current.current = False
                current.save(update_fields=["current"])
                counts["clauses_versioned"] += 1
            else:
                counts["clauses_new"] += 1
                last = Clause.objects.filter(policy=policy, key=c.key).order_by("-version").first()
                version = last.version + 1 if last else 1
            Clause.objects.create(
                policy=policy, key=c.key, version=version, valid_from=c.valid_from, **fields
            )
    return counts


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to do this."))


def save_policy(user, policy: Policy) -> Policy:
    """Create or change a policy entered on its page (a new one is ``manual``); its clauses
    are saved one by one (``save_clause``). Validated whole before anything is written; the
    change log records it through the audit signals."""
    _require(user, "services.change_policy" if policy.pk else "services.add_policy")
    if not policy.pk and not policy.source:
        policy.source = Source.ENTERED
    if (
        policy.effective_from
        and policy.effective_to
        and policy.effective_to < policy.effective_from
    ):
        raise ValidationError({"effective_to": _("The policy cannot end before it starts.")})
    try:
        policy.sources = policyio.clean_sources(policy.sources)
    except ValidationError as exc:
        raise ValidationError({"sources": exc.messages}) from None
    policy.full_clean()
    with transaction.atomic():
        policy.save()
    return policy


CLAUSE_RULE_FIELDS = ("title", "text", "benefit", "conditions", "path", "documents", "valid_from")


def check_clause(data: dict) -> None:
    """Refuse a clause whose conditions or benefit are not in the documented format
    (``rules.py``), with the error on the field at fault in the user's language."""
    errors: dict[str, list] = {}
    conditions, benefit = data.get("conditions"), data.get("benefit")
    if not isinstance(conditions, list):
        errors["conditions"] = [_("The conditions are a list of conditions.")]
    else:
        try:
            for cond in conditions:
                rules.check_condition(cond)
        except rules.RuleError as exc:
            errors["conditions"] = [str(exc)]
    if not isinstance(benefit, dict):
        errors["benefit"] = [_("The benefit is a mapping (amount_cny, rate, cap_cny …).")]
    else:
        # Words stay allowed (the reference keeps "减半" as the source says it: not
        # estimated); a number given must not be negative.
        for name in ("amount_cny", "one_off_cny", "rate", "per_unit_cny", "cap_cny"):
            value = benefit.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                errors.setdefault("benefit", []).append(
                    _("%(name)s cannot be negative.") % {"name": name}
                )
    if data.get("path") not in Path.values:
        errors["path"] = [_("Choose a path.")]
    if errors:
        raise ValidationError(errors)


def save_clause(user, policy: Policy, data: dict, clause: Clause | None = None) -> Clause:
    """Add a clause to ``policy`` or change ``clause`` (its current version) from ``data``
    (``key`` and ``CLAUSE_RULE_FIELDS``). A clause that has been matched or notified is never
    changed in place: the change is a new version and the previous one keeps its results, as
    an import does. The caller starts the matching of the saved clause (``tasks.recompute``
    with its id, on commit), as the import page does for an import."""
    _require(user, "services.change_policy")
    check_clause(data)
    key = str(data.get("key") or "").strip()[:80]
    if not key:
        raise ValidationError({"key": _("Name the clause.")})
    fields = {name: data.get(name) for name in CLAUSE_RULE_FIELDS}
    fields["title"] = str(fields["title"] or key)[:200]
    for name in ("text", "documents"):
        fields[name] = str(fields[name] or "")
    with transaction.atomic():
        if clause is not None:
            clause = Clause.objects.select_for_update().get(pk=clause.pk)
            if clause.policy_id != policy.pk or not clause.current:
                raise ValidationError(_("Only the current version of a clause can be changed."))
        taken = Clause.objects.filter(policy=policy, key=key, current=True)
        if clause is not None:
            taken = taken.exclude(pk=clause.pk)
        if taken.exists():
            raise ValidationError({"key": _("The policy already has a clause of this name.")})
        if (
            clause is not None
            and clause.key == key
            and all(getattr(clause, k) == v for k, v in fields.items())
        ):
            return clause  # nothing changed: no version, no recompute
        if clause is None or clause.key != key or _has_results(clause):
            if clause is not None:
                clause.current = False
                clause.save(update_fields=["current"])
            last = Clause.objects.filter(policy=policy, key=key).order_by("-version").first()
            clause = Clause(policy=policy, key=key, version=last.version + 1 if last else 1)
        for name, value in fields.items():
            setattr(clause, name, value)
        clause.current = True
        clause.full_clean()
        clause.save()
    return clause


def _has_results(clause: Clause) -> bool:
    return Match.objects.filter(clause=clause).exists() or clause.notices.exists()


def import_policy_file(content, name: str, source: str = Source.IMPORT) -> dict:
    return import_policies(policyio.parse(policyio.load_text(content, name)), source)


def load_reference_policies() -> dict:
    path = profile.REFERENCE / "policies.yaml"
    return import_policy_file(path.read_text(encoding="utf-8"), path.name, Source.REFERENCE)


# -- matching -----------------------------------------------------------------------------------


def verdict_of(clause: Clause, prof: dict) -> tuple[str, list, Decimal | None]:
    """(verdict, reasons, estimated amount) of one clause for one profile."""
    estimate = getattr(clause, "_estimate", None)
    if estimate is None:
        estimate = clause._estimate = rules.compile_benefit(clause.benefit)
    if not clause.conditions:
        reasons = [{"status": rules.UNKNOWN, "why": "no_conditions"}]
        return Verdict.UNKNOWN, reasons, None
    status, reasons = rules.evaluate(clause.conditions, prof)
    if status == rules.FAILED:
        return Verdict.INELIGIBLE, reasons, None
    if status == rules.UNKNOWN:
        return Verdict.UNKNOWN, reasons, estimate(prof)
    verdict = Verdict.AUTO if clause.path == Path.AUTO else Verdict.APPLY
    return verdict, reasons, estimate(prof)


def recompute_matches(enterprise_ids=None, today: dt.date | None = None, clause_ids=None) -> dict:
    """Match the operating enterprises (all, or ``enterprise_ids``) against every current
    clause (or those of ``clause_ids``: one clause edited on its page) and store the results,
    replacing their previous matches with those clauses (matches with earlier clause versions
    stay as they were). Returns counts and timings."""
    t0 = time.perf_counter()
    profiles = profile.build(enterprise_ids, today)
    t1 = time.perf_counter()
    clauses = Clause.objects.filter(current=True).select_related("policy")
    if clause_ids is not None:
        clauses = clauses.filter(pk__in=list(clause_ids))
    clauses = list(clauses)
    now = timezone.now()
    counts = {v: 0 for v in Verdict.values}
    seconds_rules = 0.0
    n_rows = 0
    t2 = time.perf_counter()
    with transaction.atomic():
        # By the clauses' ids, not through a join on the clause's ``current``: the join makes
        # Django's raw delete an ``id IN (SELECT … JOIN …)`` over every match.
        stale = Match.objects.filter(clause_id__in=[c.pk for c in clauses])
        if enterprise_ids is not None:
            stale = stale.filter(enterprise_id__in=list(enterprise_ids))
        stale._raw_delete(stale.db)
        # Evaluated and written one enterprise at a time: ten times the demo is over two
        # million rows, whose reasons would otherwise all sit in memory at once; on
        # PostgreSQL the server takes in the rows (one COPY) while the next are evaluated.
        with _MatchWriter(now) as writer:
            for pk, prof in profiles.items():
                t = time.perf_counter()
                rows = []
                for clause in clauses:
                    verdict, reasons, amount = verdict_of(clause, prof)
                    counts[verdict] += 1
                    rows.append((pk, clause.pk, verdict, reasons, amount))
                seconds_rules += time.perf_counter() - t
                writer.write(rows)
                n_rows += len(rows)
    if n_rows >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics for the rewritten table: with the old ones (or none) PostgreSQL
        # planned one enterprise's 32 matches as a parallel scan of ~100,000 (the matches
        # page 160 ms instead of a few at ten times the demo).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Match._meta.db_table)}")
    t3 = time.perf_counter()
    return {
        "enterprises": len(profiles),
        "clauses": len(clauses),
        "matches": n_rows,
        **counts,
        "seconds_profile": round(t1 - t0, 2),
        "seconds_rules": round(seconds_rules, 2),
        # the stale rows' delete, the writes, the commit and the statistics
        "seconds_store": round(t3 - t2 - seconds_rules, 2),
    }


ANALYZE_AFTER = 50_000  # rows written by one run after which the table's statistics are renewed


class _MatchWriter:
    """Writes matches: one ``COPY … FROM STDIN`` for the whole run on PostgreSQL (psycopg
    3; the columns' text forms, which the server parses as it would an INSERT's), one
    prepared INSERT per 5,000 rows on SQLite — both several times faster than
    ``bulk_create`` (reasons serialised once, the timestamp once for all)."""

    CHUNK = 5000

    def __init__(self, now):
        opts = Match._meta
        names = ("enterprise", "clause", "verdict", "reasons", "amount", "computed_at")
        fields = [opts.get_field(n) for n in names]
        self.amount_field = fields[4]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.table = connection.ops.quote_name(opts.db_table)
        self.now, self.batch = now, []
        self.copy = None

    def __enter__(self):
        self.cursor = connection.cursor().__enter__()
        if connection.vendor == "postgresql":
            self._copy_cm = self.cursor.cursor.copy(
                f"COPY {self.table} ({self.columns}) FROM STDIN"
            )
            self.copy = self._copy_cm.__enter__()
        else:
            self.stamp = connection.ops.adapt_datetimefield_value(self.now)
            # Identifiers come from the model's metadata only; values are parameters.
            self.sql = f"INSERT INTO {self.table} ({self.columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
        return self

    def write(self, rows) -> None:
        dump = json.dumps
        if self.copy is not None:
            now, write_row = self.now, self.copy.write_row
            for e, c, v, r, a in rows:
                write_row((e, c, v, dump(r), a, now))
            return
        prep, amount_field, stamp = connection, self.amount_field, self.stamp
        self.batch.extend(
            (
                e,
                c,
                v,
                dump(r),
                None if a is None else amount_field.get_db_prep_save(a, prep),
                stamp,
            )
            for e, c, v, r, a in rows
        )
        if len(self.batch) >= self.CHUNK:
            self.cursor.executemany(self.sql, self.batch)
            self.batch = []

    def __exit__(self, exc_type, exc, tb):
        try:
            if self.copy is not None:
                self._copy_cm.__exit__(exc_type, exc, tb)
            elif self.batch and exc_type is None:
                self.cursor.executemany(self.sql, self.batch)
        finally:
            self.cursor.__exit__(exc_type, exc, tb)
        return False


# -- notices ------------------------------------------------------------------------------------

# The notice's stages: who may move it (staff: services.change_notice; the enterprise itself
# through its account) from which state to which.
NOTICE_TRANSITIONS = {
    "read": ((Notice.State.DELIVERED,), Notice.State.READ),
    "apply": ((Notice.State.DELIVERED, Notice.State.READ), Notice.State.APPLIED),
    "grant": ((Notice.State.APPLIED, Notice.State.READ), Notice.State.GRANTED),
    "refuse": ((Notice.State.APPLIED, Notice.State.READ), Notice.State.REFUSED),
}
ENTERPRISE_STEPS = {"read", "apply"}


def _main_building_ids(enterprise_ids, day) -> dict[int, int]:
    best: dict[int, tuple] = {}
    for e, b, a in (
        Lease.objects.held_on(day)
        .filter(enterprise_id__in=enterprise_ids)
        .values_list("enterprise_id", "building_id", "area_m2")
    ):
        if e not in best or a > best[e][1]:
            best[e] = (b, a)
    return {e: b for e, (b, _a) in best.items()}


def send_notices(clause: Clause, user, enterprise_ids=None, message: str = "") -> list[Notice]:
    """Notify the enterprises the stored matches find eligible for ``clause`` (all of them
    in ``user``'s scope, or those of ``enterprise_ids``); an enterprise already notified of
    the clause is not notified again. Each notice starts delivered (in-app), with its event."""
    if not clause.current:
        raise ValidationError(_("Only the current version of a clause can be sent."))
    matches = Match.objects.restrict(user).filter(
        clause=clause, verdict__in=[Verdict.AUTO, Verdict.APPLY]
    )
    if enterprise_ids is not None:
        matches = matches.filter(enterprise_id__in=list(enterprise_ids))
    done = set(Notice.objects.filter(clause=clause).values_list("enterprise_id", flat=True))
    targets = [(m.enterprise_id, m.amount) for m in matches if m.enterprise_id not in done]
    if not targets:
        return []
    now = timezone.now()
    with transaction.atomic():
        notices = Notice.objects.bulk_create(
            [
                Notice(
                    enterprise_id=e,
                    clause=clause,
                    sent_by=user,
                    sent_at=now,
                    message=message,
                    estimated_amount=amount,
                )
                for e, amount in targets
            ]
        )
        if any(n.pk is None for n in notices):  # backends that return no keys
            notices = list(Notice.objects.filter(clause=clause, sent_at=now))
        NoticeEvent.objects.bulk_create(
            NoticeEvent(notice=n, time=now, to_state=Notice.State.DELIVERED, user=user)
            for n in notices
        )
    return notices


def account_of(user) -> EnterpriseAccount | None:
    if user is None or not user.is_authenticated:
        return None
    return EnterpriseAccount.objects.filter(user=user).select_related("enterprise").first()


def advance_notice(
    notice: Notice, step: str, user, *, amount=None, note: str = "", day: dt.date | None = None
) -> Notice:
    """Move ``notice`` one step (``NOTICE_TRANSITIONS``). Staff need services.change_notice
    and the notice in their scope; an enterprise account may read and apply for its own
    notices only. ``grant`` needs the amount granted; it records the tower the enterprise
    holds most space in, so the grants roll up per building and year."""
    if step not in NOTICE_TRANSITIONS:
        raise ValidationError(_("Unknown step."))
    account = account_of(user)
    if account is not None and account.enterprise_id == notice.enterprise_id:
        if step not in ENTERPRISE_STEPS:
            raise PermissionDenied(_("You do not have permission to do this."))
    elif not Notice.objects.restrict(user, "change").filter(pk=notice.pk).exists():
        raise PermissionDenied(_("You do not have permission to do this."))
    sources, target = NOTICE_TRANSITIONS[step]
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.state not in sources:
            raise ValidationError(
                _("A notice that is “%(state)s” cannot be moved this way.")
                % {"state": notice.get_state_display()}
            )
        data = {}
        if step == "grant":
            if amount in (None, ""):
                raise ValidationError({"amount": _("Give the amount granted.")})
            amount = Decimal(str(amount))
            if amount < 0:
                raise ValidationError({"amount": _("The amount cannot be negative.")})
            day = day or timezone.localdate()
            notice.granted_amount = amount
            notice.granted_on = day
            notice.building_id = _main_building_ids([notice.enterprise_id], day).get(
                notice.enterprise_id
            )
            data = {"amount": str(amount)}
        previous = notice.state
        notice.state = target
        notice.save()
        NoticeEvent.objects.create(
            notice=notice, from_state=previous, to_state=target, user=user, note=note, data=data
        )
    return notice


def grants_by_building_year(user) -> list[dict]:
    """惠企资金 direct reach: the amounts granted per tower and year, in ``user``'s scope."""
    return list(
        Notice.objects.restrict(user)
        .filter(state=Notice.State.GRANTED)
        .annotate(year=ExtractYear("granted_on"))
        .values("year", "building_id", "building__building__name")
        .annotate(total=Sum("granted_amount"))
        .order_by("-year", "-total")
    )


# -- enterprise accounts and requests -----------------------------------------------------------


def link_account(user, credit_code: str) -> EnterpriseAccount:
    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    if enterprise is None:
        raise ValidationError(_("No enterprise has this credit code."))
    account, _made = EnterpriseAccount.objects.update_or_create(
        user=user, defaults={"enterprise": enterprise}
    )
    return account


def raise_request(user, kind: str, text: str) -> EnterpriseRequest:
    """An enterprise account's 诉求 becomes a case of the case engine, with the request class
    ``kind`` (which routes it to the responsible department and sets its time limit), placed
    at the enterprise's main tower when it has one."""
    account = account_of(user)
    if account is None:
        raise PermissionDenied(_("Only an enterprise account can raise a request."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Describe the request.")})
    component_class = requests.class_for(kind)
    if component_class is None:
        raise ValidationError({"kind": _("Choose a kind of request.")})
    enterprise = account.enterprise
    building_id = _main_building_ids([enterprise.pk], timezone.localdate()).get(enterprise.pk)
    tower = (
        OfficeBuilding.objects.select_related("building").filter(pk=building_id).first()
        if building_id
        else None
    )
    registry_building = tower.building if tower else None
    data = ReportInput(
        channel=Channel.API,
        title=f"【企业诉求】{component_class.name}：{enterprise.name}"[:100],
        description=text,
        requested_class=component_class,
        reporter_name=enterprise.name[:50],
        account_id=f"enterprise:{enterprise.credit_code}",
        user=user,
        building=registry_building,
    )
    with transaction.atomic():
        result = submit_report(data)
        return EnterpriseRequest.objects.create(
            enterprise=enterprise, kind=kind, text=text, case=result.case, created_by=user
        )
