"""Give every type, enum, member, field and operation its Python name (codegen.filters rules)."""

from __future__ import annotations

from dataclasses import replace

from codegen import filters
from codegen.ir import Model, TypeDef

__all__ = ["NameThings"]


class NameThings:
    """Assign names; collisions (ignoring case) are settled in schema order, types before enums."""

    def run(self, model: Model) -> Model:
        """Return the model with every ``name`` set."""
        raw_types = [
            filters.class_name(t.xml.removeprefix("element:")) + ("Element" if t.xml.startswith("element:") else "")
            for t in model.types
        ]
        raw_enums = [filters.class_name(e.xml) for e in model.enums]
        names = filters.unique([*raw_types, *raw_enums], taken=("BaseModel", "TypedClient", "Iterator", "Any"))
        type_names = names[: len(model.types)]
        enum_names = names[len(model.types) :]
        by_xml = {t.xml: n for t, n in zip(model.types, type_names, strict=True)}
        inherited: dict[str, list[str]] = {}
        types: list[TypeDef] = []
        for definition, name in zip(model.types, type_names, strict=True):
            taken: list[str] = []
            base = definition.base
            while base is not None and base in by_xml:
                owner = next(t for t in model.types if t.xml == base)
                taken += [filters.field_name(f.xml) for f in owner.fields]
                base = owner.base
            field_names = filters.unique([filters.field_name(f.xml) for f in definition.fields], taken=taken)
            inherited[definition.xml] = field_names
            fields = tuple(replace(f, name=n) for f, n in zip(definition.fields, field_names, strict=True))
            types.append(replace(definition, name=name, fields=fields))
        enums = tuple(
            replace(e, name=n, members=tuple(filters.unique([filters.enum_member(v) for v in e.values])))
            for e, n in zip(model.enums, enum_names, strict=True)
        )
        operations = tuple(
            replace(
                o,
                name=filters.field_name(o.xml),
                inputs=tuple(
                    replace(f, name=n)
                    for f, n in zip(o.inputs, filters.unique(filters.field_name(f.xml) for f in o.inputs), strict=True)
                ),
                outputs=tuple(
                    replace(f, name=n)
                    for f, n in zip(
                        o.outputs, filters.unique(filters.field_name(f.xml) for f in o.outputs), strict=True
                    )
                ),
            )
            for o in model.operations
        )
        return replace(model, types=tuple(types), enums=enums, operations=operations)
