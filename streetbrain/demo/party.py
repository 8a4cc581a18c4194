"""Party building's part of the demo district: organisations across the demo's towers with a
realistic coverage (about two in five towers with their own organisation, one in four with a
joint one, the rest none), own branches of the largest tenants, community party committees,
members (synthetic; some transient, each with an employer), enterprises with members but no
organisation (the gaps the dashboard lists), two alliances, a year of activities with
attendance and last year's star ratings from the product's own rating. Every name and number
is synthetic; the organisations are marked demo."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from streetbrain.core.extension_points import DemoLoader
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import digest, encrypt, mask_id_number
from streetbrain.economy.models import Enterprise, HeadcountRecord, Lease, OfficeBuilding
from streetbrain.party import actions
from streetbrain.party.models import Activity, Alliance, Organisation, PartyMember

from .synth.people import make_id_number, person_name

DEMO = "demo"
O = Organisation  # noqa: E741 - short for the choices below


def is_loaded() -> bool:
    return Organisation.objects.filter(data_source=DEMO).exists()


def _member(rng, org_unit, organisation, employer, serial, transient=False) -> PartyMember:
    birth = dt.date(1960 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28))
    sex = rng.choice("MF")
    number = make_id_number("330212", birth, sex, serial % 500)
    return PartyMember(
        org_unit=org_unit,
        organisation=organisation,
        name=person_name(rng, sex, birth.year, local=rng.random() < 0.6),
        id_number_cipher=encrypt(number),
        id_number_digest=digest(number),
        id_number_masked=mask_id_number(number),
        transient=transient,
        employer=employer,
        joined_on=dt.date(birth.year + rng.randint(20, 35), rng.randint(1, 12), 1),
        data_source=DEMO,
    )


def load(ctx, scale: float | None = None, today: dt.date | None = None) -> None:
    if is_loaded():
        ctx.say("party: demo data already loaded")
        return
    today = today or timezone.localdate()
    rng = random.Random(1921)
    towers = list(
        OfficeBuilding.objects.filter(data_source=DEMO)
        .select_related("building", "org_unit")
        .order_by("building__code")
    )
    if not towers:
        ctx.say("party: no demo towers; skipped")
        return
    tenants: dict[int, list[Enterprise]] = {}
    for lease in Lease.objects.held_on(today).select_related("enterprise").order_by("pk"):
        ids = tenants.setdefault(lease.building_id, [])
        if lease.enterprise not in ids:
            ids.append(lease.enterprise)
    headcount = {}
    for e_id, n in HeadcountRecord.objects.order_by("enterprise_id", "month").values_list(
        "enterprise_id", "headcount"
    ):
        headcount[e_id] = n  # the latest month wins
    rng.shuffle(towers)
    n = len(towers)
    own_n, joint_n = round(n * 0.4), round(n * 0.25)
    orgs: list[Organisation] = []
    covers: dict[int, list[Enterprise]] = {}
    members: list[PartyMember] = []
    serial = 0
    with transaction.atomic():
        for i, tower in enumerate(towers):
            those = sorted(tenants.get(tower.pk, []), key=lambda e: -headcount.get(e.pk, 0))
            if i < own_n + joint_n:
                own = i < own_n
                big = own and len(those) > 8
                org = Organisation.objects.create(
                    org_unit=tower.org_unit,
                    name=f"{tower}{'党总支' if big else '党支部'}" if own else f"{tower}联合党支部",
                    level=O.Level.GENERAL_BRANCH if big else O.Level.BRANCH,
                    form=O.Form.OWN if own else O.Form.JOINT,
                    attached_to=O.Attached.TOWER,
                    building=tower,
                    secretary=person_name(rng, rng.choice("MF"), 1975),
                    founded_on=dt.date(rng.randint(2012, 2023), rng.randint(1, 12), 1),
                    data_source=DEMO,
                )
                covered = those[: max(1, len(those) * 2 // 3)] if those else []
                org.enterprises.set(covered)
                orgs.append(org)
                covers[org.pk] = covered
            # The largest tenant of some towers has its own branch.
            if those and headcount.get(those[0].pk, 0) >= 100 and rng.random() < 0.5:
                e = those[0]
                org = Organisation.objects.create(
                    org_unit=tower.org_unit, name=f"{e.name}党支部", level=O.Level.BRANCH,
                    form=O.Form.OWN, attached_to=O.Attached.ENTERPRISE, building=tower,
                    secretary=person_name(rng, rng.choice("MF"), 1980),
                    founded_on=dt.date(rng.randint(2015, 2024), 7, 1), data_source=DEMO,
                )  # fmt: skip
                org.enterprises.set([e])
                orgs.append(org)
                covers[org.pk] = [e]
            # Uncovered tenants where party members work: the gaps.
            covered_here = {e.pk for o in orgs for e in covers[o.pk]}
            for e in [e for e in those if e.pk not in covered_here][:2]:
                if rng.random() < 0.6:
                    for _k in range(rng.randint(3, 5)):
                        members.append(
                            _member(
                                rng, tower.org_unit, None, e, serial, transient=rng.random() < 0.5
                            )
                        )
                        serial += 1
        for community in OrgUnit.objects.filter(level=OrgUnit.Level.COMMUNITY).order_by("code")[:3]:
            org = Organisation.objects.create(
                org_unit=community, name=f"{community.name}党委", level=O.Level.COMMITTEE,
                form=O.Form.OWN, attached_to=O.Attached.COMMUNITY, place=community.name,
                secretary=person_name(rng, rng.choice("MF"), 1970), data_source=DEMO,
            )  # fmt: skip
            orgs.append(org)
            covers[org.pk] = []
        for org in orgs:
            pool = covers[org.pk]
            for _k in range(rng.randint(3, 18)):
                employer = rng.choice(pool) if pool else None
                members.append(_member(rng, org.org_unit, org, employer, serial,
                                       transient=rng.random() < 0.12))  # fmt: skip
                serial += 1
        PartyMember.objects.bulk_create(members)

        street = OrgUnit.objects.filter(level=OrgUnit.Level.STREET).order_by("code").first()
        tower_orgs = [o for o in orgs if o.attached_to == O.Attached.TOWER]
        cluster = Alliance.objects.create(
            org_unit=street, name="楼宇党建示范群", theme="楼宇党组织联建共建，“高度党建”品牌",
            founded_on=dt.date(today.year - 2, 7, 1),
        )  # fmt: skip
        cluster.organisations.set(tower_orgs[: max(2, len(tower_orgs) // 2)])
        finance = Alliance.objects.create(
            org_unit=street, name="金融保险新业态党建联盟", theme="金融保险企业党组织联盟",
            founded_on=dt.date(today.year - 1, 3, 1),
        )  # fmt: skip
        finance.organisations.set([o for o in orgs if o.attached_to == O.Attached.ENTERPRISE][:6]
                                  or tower_orgs[-2:])  # fmt: skip

        # A year of activities: 三会一课 monthly, 主题党日 and 四季党建 some months.
        by_org: dict[int, list[int]] = {}
        for m_id, o_id in PartyMember.objects.filter(organisation__in=orgs).values_list(
            "pk", "organisation_id"
        ):
            by_org.setdefault(o_id, []).append(m_id)
        acts: list[Activity] = []
        for org in orgs:
            keen = rng.uniform(0.4, 1.0)
            for back in range(12):
                day = today - dt.timedelta(days=30 * back + rng.randint(0, 20))
                K = Activity.Kind
                if rng.random() < keen:
                    title = f"{day.month}月支部党员大会暨党课"
                    acts.append(Activity(organisation=org, kind=K.MEETINGS, title=title, date=day))
                if rng.random() < keen / 2:
                    title = f"{day.month}月主题党日"
                    acts.append(Activity(organisation=org, kind=K.THEME_DAY, title=title, date=day))
                if back % 3 == 0 and rng.random() < keen / 2:
                    acts.append(Activity(organisation=org, kind=Activity.Kind.SEASONS,
                                         title="四季党建·工地质量安全共建", date=day))  # fmt: skip
        Activity.objects.bulk_create(acts)
        through = Activity.attendees.through
        rows = []
        for a in acts:
            pool = by_org.get(a.organisation_id, [])
            share = rng.uniform(0.5, 0.95)
            rows += [
                through(activity_id=a.pk, partymember_id=m) for m in pool if rng.random() < share
            ]
        through.objects.bulk_create(rows)
        for org in orgs:
            actions.rate(org, today.year - 1)
    ctx.say(
        f"party: {len(orgs)} organisations over {n} towers ({own_n} own, {joint_n} joint), "
        f"{len(members)} members, 2 alliances, {len(acts)} activities"
    )


LOADER = DemoLoader("party", load, is_loaded, depends_on=("core", "registry", "economy"), order=65)
