"""Passes over the IR, in the order they run (``PASSES``); each does one thing."""

from __future__ import annotations

from codegen.ir import Model
from codegen.passes.name_things import NameThings
from codegen.passes.order_types import OrderTypes

__all__ = ["PASSES", "run_passes"]

PASSES = (NameThings(), OrderTypes())


def run_passes(model: Model) -> Model:
    """Run every pass in order."""
    for step in PASSES:
        model = step.run(model)
    return model
