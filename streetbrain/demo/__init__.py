"""The demo district of 福明街道: everything ``streetbrain demo`` loads, kept out of the product.

No product module imports this package (``tests/test_architecture.py`` checks it); it sits on
top of every app and may import any of them. Two floors:

- ``synth/``: what is computed without the database: the illustrative district
  (``district``), the synthetic people, households and shops (``people``) and report texts
  (``texts``), the demo's departments and accounts (``accounts``), and each domain's plan with
  its ground truth (``registry``, ``cases/`` the case history, ``economy/`` the towers,
  enterprises and move-outs). Deterministic for a seed: the same plan on every machine.
- one loader module per domain (``core``, ``registry``, ``cases``, ``economy``): it reads
  what the database holds, asks its planner for the plan and writes it in bulk (``bulk``),
  and declares ``LOADER``, a ``DemoLoader`` (key, ``load(ctx)``, ``is_loaded()``,
  ``depends_on``). ``extensions`` collects every module's ``LOADER``; the ``demo`` command
  runs them in dependency order.

A new app's part of the demo is one more module here declaring its ``LOADER``: no other file
changes. All names and numbers of people, shops and enterprises are synthetic.
"""
