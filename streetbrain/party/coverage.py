"""Coverage (覆盖): does each office tower, and each enterprise in the towers above a headcount,
have its own party organisation, a joint one, or none — and the gaps: enterprises where at
least ``GAP_MEMBERS`` party members work (from the members' employers) that no organisation
covers. Read for a user: the towers, enterprises and members they may see.

A tower is ``own`` when an organisation of its own (单建) is attached to it, ``joint`` when a
joint one (联建: the tower's enterprises together) is, else ``none``. An enterprise is covered
by the organisations that list it (``Organisation.enterprises``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse

from streetbrain.economy.models import Enterprise, HeadcountRecord, Lease, OfficeBuilding

from .models import Organisation, PartyMember

GAP_MEMBERS = 3  # 3 members may form a branch (中国共产党章程 第三十条)
MIN_HEADCOUNT = 50  # enterprises listed in the coverage from this headcount (the street's choice)
OWN, JOINT, NONE = "own", "joint", "none"


@dataclass(frozen=True)
class TowerRef:
    """A tower by its id and name, as lists and links show it."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(OfficeBuilding.url_name, args=[self.pk])


@dataclass
class TowerCoverage:
    tower: OfficeBuilding | TowerRef
    kind: str
    organisations: list = field(default_factory=list)
    tenants: int = 0
    tenants_covered: int = 0
    members: int = 0
    gaps: list = field(default_factory=list)  # (enterprise, members) without an organisation


def _enterprise_kinds(user) -> dict[int, str]:
    """enterprise id → own / joint, from the organisations the user may see."""
    kinds: dict[int, str] = {}
    rows = Organisation.objects.restrict(user).values_list("enterprises", "form")
    for enterprise_id, form in rows:
        if enterprise_id is None:
            continue
        if form == Organisation.Form.OWN or kinds.get(enterprise_id) is None:
            kinds[enterprise_id] = form
    return kinds


def _members_by_employer(user) -> dict[int, int]:
    return dict(
        PartyMember.objects.restrict(user)
        .filter(employer__isnull=False)
        .values("employer")
        .annotate(n=Count("pk"))
        .values_list("employer", "n")
    )


def towers(
    user,
    day: dt.date | None = None,
    *,
    detail: bool = True,
    tenants: bool = True,
    where: Q | None = None,
    refs: bool = False,
) -> list[TowerCoverage]:
    """Every office tower the user may see with its coverage, tenants and gaps on ``day``;
    without ``detail`` (the map) only the kind and the tenants covered, no members or gaps;
    without ``tenants`` (the cockpit) no tenants counted (0: a district's towers hold
    200,000 leases). ``where``: only the towers it selects (the map's view); ``refs``: each
    tower as a ``TowerRef`` (its name and link, all the cockpit shows), not read as a model
    (a district's 2,575 towers cost 250 ms as models)."""
    day = day or dt.date.today()
    seen = OfficeBuilding.objects.restrict(user).filter(where or Q())
    if refs:
        buildings = [TowerRef(pk, name) for pk, name in seen.values_list("pk", "building__name")]
    else:
        buildings = list(
            seen.select_related("building", "org_unit").defer(
                "building__footprint", "org_unit__geometry"
            )  # outlines: not read here
        )
    orgs: dict[int, list] = {}
    towers_orgs = Organisation.objects.restrict(user).filter(
        building__isnull=False, attached_to=Organisation.Attached.TOWER
    )
    for o in towers_orgs:
        orgs.setdefault(o.building_id, []).append(o)
    held = (
        Lease.objects.held_on(day)
        .filter(building__in=seen)
        .order_by()  # the leases' own ordering would enter the GROUP BY and the DISTINCT
    )
    kinds = _enterprise_kinds(user)
    covered = Organisation.objects.restrict(user).filter(enterprises__isnull=False)
    # Tenants counted in the database (a district's towers hold 200,000 leases).
    counted = tenants and {
        building_id: (n, c)
        for building_id, n, c in held.values("building_id")
        .annotate(
            n=Count("enterprise_id", distinct=True),
            c=Count(
                "enterprise_id",
                distinct=True,
                filter=Q(enterprise_id__in=covered.values("enterprises")),
            ),
        )
        .values_list("building_id", "n", "c")
    }
    members = _members_by_employer(user) if detail else {}
    # The tenants with members, each tower's (for its members and gaps); the names of the
    # enterprises that can be a gap only.
    with_members: dict[int, set[int]] = {}
    if members:
        employers = PartyMember.objects.restrict(user).filter(employer__isnull=False)
        for building_id, enterprise_id in (
            held.filter(enterprise_id__in=employers.values("employer"))
            .values_list("building_id", "enterprise_id")
            .distinct()
        ):
            with_members.setdefault(building_id, set()).add(enterprise_id)
    candidates = [e for e, n in members.items() if n >= GAP_MEMBERS and e not in kinds]
    names = dict(
        Enterprise.objects.restrict(user).filter(pk__in=candidates).values_list("pk", "name")
    )
    out = []
    for b in buildings:
        attached = orgs.get(b.pk, [])
        forms = {o.form for o in attached}
        kind = OWN if OWN in forms else JOINT if JOINT in forms else NONE
        ids = with_members.get(b.pk, set())
        gaps = sorted(
            ((names.get(e, ""), members[e], e) for e in ids
             if members.get(e, 0) >= GAP_MEMBERS and e not in kinds and e in names),
            key=lambda g: (-g[1], g[0]),
        )  # fmt: skip
        held_by, covered_of = counted.get(b.pk, (0, 0)) if counted else (0, 0)
        out.append(
            TowerCoverage(
                tower=b,
                kind=kind,
                organisations=attached,
                tenants=held_by,
                tenants_covered=covered_of,
                members=sum(members.get(e, 0) for e in ids),
                gaps=gaps,
            )
        )
    return sorted(out, key=lambda t: ({NONE: 0, JOINT: 1, OWN: 2}[t.kind], str(t.tower)))


def enterprises(user, day: dt.date | None = None, min_headcount: int = MIN_HEADCOUNT) -> list:
    """Enterprises in the towers on ``day`` with a latest headcount of at least
    ``min_headcount``: (enterprise, headcount, kind, members)."""
    day = day or dt.date.today()
    latest = HeadcountRecord.objects.filter(enterprise=OuterRef("pk")).order_by("-month")
    in_towers = Lease.objects.held_on(day).values("enterprise_id")
    qs = (
        Enterprise.objects.restrict(user)
        .filter(pk__in=in_towers)
        .annotate(headcount=Subquery(latest.values("headcount")[:1]))
        .filter(headcount__gte=min_headcount)
        .order_by("-headcount", "name")
    )
    kinds = _enterprise_kinds(user)
    members = _members_by_employer(user)
    return [(e, e.headcount, kinds.get(e.pk, NONE), members.get(e.pk, 0)) for e in qs]


def gaps(user, day: dt.date | None = None) -> list[tuple]:
    """Enterprises with at least ``GAP_MEMBERS`` party members and no organisation:
    (enterprise, members), most members first."""
    kinds = _enterprise_kinds(user)
    members = _members_by_employer(user)
    ids = [e for e, n in members.items() if n >= GAP_MEMBERS and e not in kinds]
    found = Enterprise.objects.restrict(user).filter(pk__in=ids)
    return sorted(((e, members[e.pk]) for e in found), key=lambda g: (-g[1], g[0].name))


def rate(rows: list[TowerCoverage]) -> dict:
    """The towers' coverage rate: own, joint, none and the share covered."""
    n = len(rows)
    own = sum(1 for r in rows if r.kind == OWN)
    joint = sum(1 for r in rows if r.kind == JOINT)
    return {
        "towers": n,
        "own": own,
        "joint": joint,
        "none": n - own - joint,
        "rate": round((own + joint) / n * 100, 1) if n else None,
    }
