"""The filter builder: arguments as Boomi reads them, and what is not a filter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from boomi_soap.exceptions import QueryFilterError
from boomi_soap.query import F, Simple, check_expression


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2026, 11, 1), "2026-11-01T00:00:00Z"),
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "2026-11-01T06:30:00Z"),
        (datetime(2026, 11, 1, 7, 30, tzinfo=timezone(timedelta(hours=1))), "2026-11-01T06:30:00Z"),
        (datetime(2026, 11, 1, 6, 30, 0, 250000, tzinfo=UTC), "2026-11-01T06:30:00.250000Z"),
        ("2026-11-01", "2026-11-01"),  # a string is sent as written
        (True, "true"),
        (7, "7"),
    ],
)
def test_arguments_as_boomi_reads_them(value: object, text: str) -> None:
    built = F("executionTime") == value  # type: ignore[arg-type]
    assert built == Simple("EQUALS", "executionTime", (text,))


def test_the_docstring_example_builds() -> None:
    where = (F("status") == "ERROR") & F("executionTime").between("2026-11-01", "2026-11-02")
    assert where.items[1] == Simple("BETWEEN", "executionTime", ("2026-11-01", "2026-11-02"))  # type: ignore[union-attr]


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(QueryFilterError) as refused:
        F("executionTime").between(datetime(2026, 11, 1), datetime(2026, 11, 2))
    assert str(refused.value) == (
        "datetime 2026-11-01T00:00:00 has no time zone; pass an aware one (e.g. tzinfo=datetime.UTC)"
    )


@pytest.mark.parametrize(("where", "shown"), [("status = ERROR", "the string 'status = ERROR'"), (42, "int")])
def test_what_is_not_a_filter(where: object, shown: str) -> None:
    with pytest.raises(QueryFilterError, match=f"a query filter is an expression, not {shown}"):
        check_expression(where)
    check_expression(None)
    check_expression(F("a") == 1)


def test_a_filter_the_request_could_not_carry_is_refused() -> None:
    from boomi_soap.query import MAX_DEPTH, Grouping

    deep: Simple | Grouping = F("name") == "x"
    for _ in range(MAX_DEPTH):
        deep = Grouping("and", (deep, F("status") == "ERROR"))
    with pytest.raises(QueryFilterError, match=f"deeper than {MAX_DEPTH} levels"):
        check_expression(deep)
    with pytest.raises(QueryFilterError, match="U\\+0000"):
        check_expression(F("name") == "a\x00b")
    with pytest.raises(QueryFilterError, match="U\\+0001"):
        check_expression(F("na\x01me").like("x%"))
    with pytest.raises(QueryFilterError, match="holds str"):
        check_expression(Grouping("and", ("name = x",)))  # type: ignore[arg-type]
    check_expression((F("name") == "Orders") & (F("status") != "ERROR"))  # within bounds: passes
