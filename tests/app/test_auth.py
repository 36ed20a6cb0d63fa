"""Who may open which page: the roles file and the access rules, without Streamlit."""

from __future__ import annotations

import pytest

from bias_review.webapp.auth import (
    ADMIN, REVIEWER, Identity, Roles, RolesError, access_for, load_roles, parse_roles, roles_path,
)

ROLES = Roles({"ana@school.edu": ADMIN, "bo@school.edu": REVIEWER})


@pytest.mark.parametrize("identity, pages, reviewer", [
    (Identity(), ["upload", "review", "dashboard", "lexicons", "models"], None),  # no login: one trusted laptop
    (Identity(True, True, "Ana@School.edu"), ["upload", "review", "dashboard", "lexicons", "models"], "Ana@School.edu"),
    (Identity(True, True, "bo@school.edu"), ["upload", "review", "dashboard"], "bo@school.edu"),
    (Identity(True, True, "cy@school.edu"), ["upload"], "cy@school.edu"),  # course director
    (Identity(True, False, None), [], None),  # must log in first
])
def test_pages_per_identity(identity, pages, reviewer):
    access = access_for(identity, ROLES)
    assert access.pages() == pages
    assert access.reviewer == reviewer
    assert access.needs_login == (identity.login_configured and not identity.logged_in)
    assert not access.may_open("no-such-page")


def test_default_role_covers_unlisted_users():
    roles = parse_roles({"default": "Reviewer", "users": {"ana@school.edu": "admin"}})
    assert access_for(Identity(True, True, "zed@school.edu"), roles).pages() == ["upload", "review", "dashboard"]


@pytest.mark.parametrize("text, problem", [
    ('[users]\n"ana@x" = "owner"\n', "users.ana@x: role must be one of reviewer, admin"),
    ('default = "boss"\n', "default: role must be one of"),
    ('users = "ana"\n', "[users] must be a table"),
    ("[users\n", "cannot read the roles file"),
])
def test_a_broken_roles_file_is_named(tmp_path, text, problem):
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RolesError, match="roles.toml") as err:
        load_roles(path)
    assert problem in str(err.value)


def test_roles_file_location(tmp_path, monkeypatch):
    monkeypatch.delenv("BIAS_REVIEW_ROLES", raising=False)
    assert roles_path(tmp_path) == tmp_path / "roles.toml"
    assert load_roles(tmp_path / "roles.toml") == Roles()  # no file: no roles
    monkeypatch.setenv("BIAS_REVIEW_ROLES", str(tmp_path / "elsewhere.toml"))
    assert roles_path(tmp_path) == tmp_path / "elsewhere.toml"
