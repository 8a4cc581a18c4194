"""综合评价: the evaluation of areas, departments and staff (GB/T 30428.4), from precomputed
figures. Pages and the bulletin never count cases live: ``stats.refresh_months`` turns the
case rows into ``CaseStat`` (per month × grid × department) and ``StaffStat`` (per month ×
staff member × role) rows with a few GROUP BY queries per month, and ``scores.indicators``
sums those rows for any period (``periods``) and unit. The Celery beat task
``refresh_stats`` (``tasks``) calls ``stats.refresh_recent`` every 15 minutes; the demo
calls ``stats.refresh_all`` after loading. ``definitions`` names every count and indicator,
``bulletin`` writes the quarterly Excel bulletin, ``views`` and ``urls`` are the page.

Areas and departments (``CaseStat``): a cohort by the month of 立案 (``registered_at``, local
time). Each count is of the cases registered in the period; states are as of the refresh.

- 立案数: cases registered. 按时立案数: registered within ``CASES_REGISTER_LIMIT`` (working
  time of ``core.worktime.default_calendar()``) of ``reported_at``. 作废数: voided (作废).
- 应派遣数 = 应结案数: registered and not voided. 按时派遣数: of those, first dispatched within
  ``CASES_DISPATCH_LIMIT`` of 立案. 误派数 (mis-dispatched, for 准确派遣率): of those, sent back
  by an approved rollback at least once (``rollback_count > 0``).
- 应处置数: not voided and dispatched at least once (``dispatched_at`` set, or rolled back).
  处置数: handled at least once (``handled_at`` set, closed, sent back for rework or reopened).
  返工数 (rework, for 返工率): failed the check at least once (``rework_count > 0``).
  延期数: with an approved extension (``extension_count > 0``).
- 缓办数: currently suspended (挂账). 结案数: closed. 按期结案数: closed and handled within the
  (extended, pause-adjusted) limit (``closed_on_time``).

Rates (None when the denominator is 0):
结案率 = 结案数 / (应结案数 − 缓办数); 按期结案率 = 按期结案数 / (应结案数 − 缓办数);
按时结案率 = 按期结案数 / 结案数; 按时立案率 = 按时立案数 / 立案数;
准确立案率 = (立案数 − 作废数) / 立案数; 按时派遣率 = 按时派遣数 / 应派遣数;
准确派遣率 = (应派遣数 − 误派数) / 应派遣数; 返工率 = 返工数 / 处置数; 延期率 = 延期数 / 应处置数.

Rows: 网格 = the case's grid (``org_unit``), 社区 = the grid's community, the total = everything
in the viewer's scope; 部门 = the department the case is with now (``department``; a row
"not dispatched" keeps the total equal to the areas').

Staff (``StaffStat``, 岗位): counted in the month of the act, per person and role of the act:

- 值班长 (shiftlead): 立案 by ``registered_by`` (立案数, 按时立案数, 作废数 of those) and 结案 by
  ``closed_by`` of cases closed now (结案数, 按时结案数 = closed on time). 按时立案率, 准确立案率
  as above; 按时结案率 = 按时结案数 / 结案数.
- 派遣员 (dispatcher): 派遣数 = 派遣 and 改派 events by the person; 首次派遣数 = of those, the
  case's first 派遣, 按时派遣数 = first 派遣 on time; 误派数 = their 派遣/改派 undone by the next
  approved rollback of the case. 按时派遣率 = 按时派遣数 / 首次派遣数; 准确派遣率 = (派遣数 −
  误派数) / 派遣数.
- 网格员 (gridworker): 上报数 = reports they entered through the grid-worker channel, 有效上报数 =
  of those, on a case that was registered; 核实数 and 核查数 = their 核实 and 核查 events.
  有效上报率 = 有效上报数 / 上报数.
- 处置人员 (handler): 处置数 = their 处置完成 events; 按时处置数 = of those, within the limit at
  that moment (green or yellow light); 返工数 = of those, followed by a failed check.
  按时处置率 = 按时处置数 / 处置数; 返工率 = 返工数 / 处置数.

综合指标值 (0–100) = Σ weight × indicator score / Σ weight over the indicators with data, the
weights per row kind in ``settings.CASES_SCORE_WEIGHTS``. A rate scores 100 × rate (100 × (1 −
rate) for 返工率 and 延期率); a ``*_volume`` scores 100 × count / the largest count among the
rows of the same role in view. Scores are rounded to 2 decimals; equal scores share a rank.
"""
