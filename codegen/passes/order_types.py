"""Order classes so a base comes before its subclasses, ties broken by name (byte-stable)."""

from __future__ import annotations

from dataclasses import replace

from codegen.ir import Model, TypeDef

__all__ = ["OrderTypes"]


class OrderTypes:
    """Topological order over ``base``, alphabetical among peers."""

    def run(self, model: Model) -> Model:
        """Return the model with ``types`` reordered."""
        by_xml = {t.xml: t for t in model.types}
        placed: set[str] = set()
        ordered: list[TypeDef] = []

        def place(definition: TypeDef) -> None:
            if definition.xml in placed:
                return
            if definition.base in by_xml:
                place(by_xml[definition.base])
            placed.add(definition.xml)
            ordered.append(definition)

        for definition in sorted(model.types, key=lambda t: t.name):
            place(definition)
        return replace(model, types=tuple(ordered), enums=tuple(sorted(model.enums, key=lambda e: e.name)))
