"""The demo district's case history (事件), computed without touching the database.

``generator.plan_history(world, now=…, scale=…)`` returns every case of the last 24 months up
to ``now``: its reports, its full ``CaseEvent`` timeline and the fields the engine would have
set (``plans``), plus a few dozen cases that reached each open state today so that every demo
account has work when it logs in (``today``). The cases' loader (``streetbrain/demo/cases.py``)
reads the ``World`` from the database and writes the plan in bulk; ``world.world_from_files``
makes one without a database.

ALL REPORTERS, NAMES, PHONE NUMBERS AND TEXTS ARE SYNTHETIC.

How a case is made (``arrivals``, then ``life`` and ``workflow``): a day of the 24 months
(volume growing over time, lower on rest days and at 春节), a channel in realistic shares (grid
worker patrols ~45 %, the 12345 hotline ~20 %, residents ~15 % …), a class by channel and
season (more 暴露垃圾 in summer, 积水 in the plum-rain and typhoon months, noise at night …), a
grid cell weighted by what the class needs (shops, homes, area), a point inside it (or at the
facility, shop or building concerned), a text from ``synth.texts``. Then the workflow runs step
by step, each step mirroring what ``workflow/actions.py`` sets (states, timestamps, counters,
the clock), with the delays people take during working hours (``core.worktime``): verification
on site, 受理, 立案, 派遣, 处置, extensions, suspensions (挂账), mis-dispatches sent back,
rework after a failed check, 结案, and now and then a reopening. Deadlines and lights come from
the engine's own ``clock.compute_deadline`` / ``clock.compute_light``. A step that would happen
after ``now`` is not taken: the case stays in the state it had reached, which is how the last
weeks end up with open cases in every state.

Who acts: each step is done by the demo account of its role (acceptor, shiftlead,
dispatcher, leader), the ``gridworker`` account in its own grid and the ``handler`` account
for its department (城管); grid workers of the other grids and the other departments' staff
have no account in the demo, so their steps carry a synthetic name and no user.

Everything is deterministic for a given ``(world, now, scale, seed)``: each day of the
history draws from its own ``random.Random``.
"""
