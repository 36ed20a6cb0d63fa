"""Who may do what in the review app, without Streamlit: an `Identity` (from the login, if
one is configured) and a roles file decide an `Access`.

Roles file (TOML, `$BIAS_REVIEW_ROLES`, else `<data folder>/roles.toml`)::

    default = "reviewer"            # optional: the role of a logged-in user not listed
    [users]
    "ana@school.edu" = "admin"
    "bo@school.edu" = "reviewer"

`admin` may do everything; `reviewer` may review; a logged-in user without a role is a
course director (uploads documents and sees their flags). Without a configured login the app
runs on one trusted laptop: everyone may do everything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROLES_ENV = "BIAS_REVIEW_ROLES"
ROLES_FILE = "roles.toml"
REVIEWER, ADMIN = "reviewer", "admin"
ROLES = (REVIEWER, ADMIN)

UPLOAD, REVIEW, DASHBOARD, LEXICONS, MODELS = "upload", "review", "dashboard", "lexicons", "models"
PAGES = (UPLOAD, REVIEW, DASHBOARD, LEXICONS, MODELS)
_PAGE_ROLES: dict[str, tuple[str, ...]] = {
    UPLOAD: (),  # any logged-in user
    REVIEW: (REVIEWER, ADMIN),
    DASHBOARD: (REVIEWER, ADMIN),
    LEXICONS: (ADMIN,),
    MODELS: (ADMIN,),
}


class RolesError(ValueError):
    """The roles file cannot be read or names an unknown role."""


@dataclass(frozen=True)
class Identity:
    """Who is using the app: `login_configured` tells whether a login exists at all."""

    login_configured: bool = False
    logged_in: bool = False
    user: Optional[str] = None  # e-mail (or name) of the logged-in user


@dataclass(frozen=True)
class Roles:
    """Users (lower-cased) mapped to a role, and the role of a logged-in user not listed."""

    users: Mapping[str, str] = field(default_factory=dict)
    default: Optional[str] = None

    def role_of(self, user: Optional[str]) -> Optional[str]:
        if not user:
            return None
        return self.users.get(user.strip().lower(), self.default)


@dataclass(frozen=True)
class Access:
    """What the current user may do. `trusted` means no login is configured."""

    identity: Identity
    role: Optional[str]

    @property
    def trusted(self) -> bool:
        return not self.identity.login_configured

    @property
    def needs_login(self) -> bool:
        return self.identity.login_configured and not self.identity.logged_in

    @property
    def reviewer(self) -> Optional[str]:
        """The name decisions are recorded under; None without login (the app asks for one)."""
        return self.identity.user if self.identity.login_configured else None

    def may_open(self, page: str) -> bool:
        if page not in _PAGE_ROLES:
            return False
        if self.trusted:
            return True
        if self.needs_login:
            return False
        needed = _PAGE_ROLES[page]
        return not needed or self.role in needed

    def pages(self) -> list[str]:
        """The pages to show in the navigation, in order."""
        return [p for p in PAGES if self.may_open(p)]


def roles_path(data_dir: Path) -> Path:
    """`$BIAS_REVIEW_ROLES`, else `<data folder>/roles.toml`."""
    return Path(os.environ.get(ROLES_ENV) or data_dir / ROLES_FILE)


def parse_roles(data: Mapping[str, Any], source: str = "roles file") -> Roles:
    """Roles from a parsed roles file; RolesError names the bad key."""
    users = data.get("users", {})
    if not isinstance(users, Mapping):
        raise RolesError(f"{source}: [users] must be a table of user = role")
    out: dict[str, str] = {}
    for user, role in users.items():
        out[str(user).strip().lower()] = _role(role, f"{source}: users.{user}")
    default = data.get("default")
    return Roles(out, _role(default, f"{source}: default") if default is not None else None)


def load_roles(path: Path) -> Roles:
    """The roles file at `path`; no roles at all if it does not exist."""
    if not path.exists():
        return Roles()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RolesError(f"{path}: cannot read the roles file ({exc})") from None
    return parse_roles(data, str(path))


def access_for(identity: Identity, roles: Roles) -> Access:
    """The access of `identity`: everyone is trusted when no login is configured."""
    if not identity.login_configured:
        return Access(identity, ADMIN)
    return Access(identity, roles.role_of(identity.user) if identity.logged_in else None)


def _role(value: Any, where: str) -> str:
    role = str(value).strip().lower()
    if role not in ROLES:
        raise RolesError(f"{where}: role must be one of {', '.join(ROLES)}, not {value!r}")
    return role
