"""The building economy's demo at 福明 scale, computed without the database: office towers (the
real OpenStreetMap commercial buildings of Eastern New Town where the extract has them, made-up
ones elsewhere), their floors and units, about 7,600 enterprises with valid credit codes, 36
months of leases (expiries, renewals, area given up, move-ins, relocations and move-outs), tax
and headcount, and the ground truth of the move-outs.

ALL ENTERPRISES, CREDIT CODES, LEASES, TAX AND HEADCOUNT ARE SYNTHETIC. The names and outlines
of the buildings with an ``osm_ref`` are real (© OpenStreetMap contributors, ODbL); everything
about their space and tenants is made up.

``planner.plan_economy`` is deterministic: the same ``World`` (grids, landmarks, the registry's
residential points, the last complete month) and seed give the same plan. The history is
simulated month by month on the units, so that no unit is ever held by two leases at once:

- At the start, each building is let to a building-specific occupancy with suites of 1–4
  adjacent units, whole floors and a few multi-floor headquarters; leases of 1–5 years started
  before the history.
- Each month: planned area reductions (a renewal with fewer units before the contract's end, the
  way ``actions.renew_lease`` records it), planned early terminations, expiries (renew, renew
  with less space, end and leave the street, relocate to another tower of the street, or close
  down), then new lettings (去化) of vacant units to new enterprises, to tenants expanding in
  their building and to a few opening a second office in another tower.
- **Move-outs** (迁出, the ground truth of the warning benchmark, ``plans.EconomyPlan.truth``):
  about 5 % of the enterprises leave the street, at a lease's end or early. Most show signals
  1–9 months before (tax falling by more than 35 %, headcount falling, area given up; a lease
  ending without renewal is a signal by itself); some leave without any. Some enterprises show
  the same signals and stay (``EconomyPlan.false_alarms``), and ordinary firms have their
  own ups and downs.
- Tax (only for enterprises registered for tax in the district: the bureau reports no other)
  follows size, industry, a trend, the filing calendar (quarterly prepayments in January,
  April, July and October, the annual settlement in May, a quiet Spring Festival month) and
  noise, then is scaled per building so that a few towers are 亿元楼宇 (≥ CNY 100 m a year),
  some just below (准亿元), a few dozen 千万元楼宇 (``tables.TAX_TIERS``).

The parts: ``world`` (what the planner sees), ``plans`` (what it returns, with the ground
truth), ``tables`` and ``enterprises`` (what the draws come from), ``towers`` (buildings,
floors, units), ``simulation`` (the lettings), ``tax`` (tax and headcount) and ``planner``
(``plan_economy`` and what is read off a plan).
"""
