"""What the demo contributes to the platform: the ``DemoLoader`` of every module of this
package that declares one as ``LOADER``. The package is walked rather than listed, so a new
domain's part of the demo is one new module that touches no other file; ``in_order`` gives
the loaders in the order the ``demo`` command runs them.

Only where the demo may run (``STREETBRAIN["DEMO"]``: the demo and the tests): elsewhere the
command refuses anyway, and a production process need not import the generators at start-up
(about 0.1 s and the memory of 30 modules in every web worker, task worker and command)."""

from __future__ import annotations

import heapq
import importlib
import pkgutil
import sys
from collections.abc import Iterable

from django.conf import settings

from streetbrain.core.extension_points import DemoLoader


def declared_loaders() -> list[DemoLoader]:
    """The ``LOADER`` of each module at the top of the package (``synth/`` computes plans and
    ``management/`` holds the command: neither declares one)."""
    package = sys.modules[__package__]
    loaders = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg or info.name == "extensions":
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        loader = getattr(module, "LOADER", None)
        if loader is not None:
            loaders.append(loader)
    return loaders


demo_loaders = declared_loaders() if settings.STREETBRAIN.get("DEMO") else []


def in_order(loaders: Iterable[DemoLoader]) -> list[DemoLoader]:
    """``loaders`` each after the ones it depends on and, among those free to run, by
    ``order`` then ``key`` (Kahn's algorithm on ``depends_on``). A dependency nobody declares
    (the system check reports it at start-up) or a circle is an error."""
    loaders = list(loaders)
    by_key = {loader.key: loader for loader in loaders}
    waiting = {loader.key: set(loader.depends_on) for loader in loaders}
    for key, needs in waiting.items():
        if unknown := needs - by_key.keys():
            raise ValueError(
                f"the demo loader {key!r} depends on {', '.join(sorted(unknown))}, "
                "which no loader declares"
            )
    ready = [(loader.order, loader.key) for loader in loaders if not waiting[loader.key]]
    heapq.heapify(ready)
    out: list[DemoLoader] = []
    while ready:
        _order, key = heapq.heappop(ready)
        out.append(by_key[key])
        for other, needs in waiting.items():
            if key in needs:
                needs.discard(key)
                if not needs:
                    heapq.heappush(ready, (by_key[other].order, other))
    if len(out) < len(loaders):
        circle = sorted(key for key, needs in waiting.items() if needs)
        raise ValueError(f"the demo loaders {', '.join(circle)} depend on each other in a circle")
    return out
