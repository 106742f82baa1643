"""Naming rules of the generator."""

from __future__ import annotations

import pytest

from codegen.filters import class_name, enum_member, field_name, unique


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ("executionId", "execution_id"),
        ("ISAControlInfo", "isa_control_info"),
        ("launcherID", "launcher_id"),
        ("class", "class_"),
        ("type", "type_"),
        ("id", "id_"),
        ("2faEnabled", "n_2fa_enabled"),
        ("match", "match_"),
        ("self", "self_"),
        ("X12PartnerInfo", "x12_partner_info"),
    ],
)
def test_field_names(xml: str, expected: str) -> None:
    assert field_name(xml) == expected


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ("getResponse", "GetResponse"),
        ("QueryConfig/QuerySort", "QueryConfigQuerySort"),
        ("3DSecure", "N3DSecure"),
        ("None", "None_"),
        ("X12Options", "X12Options"),
    ],
)
def test_class_names(xml: str, expected: str) -> None:
    assert class_name(xml) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("application/xml", "APPLICATION_XML"), ("", "EMPTY"), ("2fa", "N_2FA"), ("exec_manual", "EXEC_MANUAL")],
)
def test_enum_members(value: str, expected: str) -> None:
    assert enum_member(value) == expected


def test_names_differing_only_in_case_are_kept_apart() -> None:
    assert unique(["Status", "status", "STATUS", "other"]) == ["Status", "status_2", "STATUS_3", "other"]
    assert unique(["name"], taken=["Name"]) == ["name_2"]
