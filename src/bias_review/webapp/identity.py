"""Who is using the app, from Streamlit's login (`st.user`, `[auth]` in secrets.toml), and
what they may do (`auth`). The one place that reads them, so tests can replace it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import streamlit as st

from bias_review.webapp.auth import Access, Identity, Roles, RolesError, access_for, load_roles, roles_path

REVIEWER_KEY = "reviewer_name"


def login_configured() -> bool:
    """True when secrets.toml has an `[auth]` section (Streamlit's OIDC login)."""
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def current_identity() -> Identity:
    """The logged-in user's e-mail (or name), if a login is configured."""
    if not login_configured():
        return Identity()
    user = st.user.to_dict()
    name = user.get("email") or user.get("name")
    return Identity(True, bool(user.get("is_logged_in")) and bool(name), str(name) if name else None)


def current_access(data_dir: Path) -> tuple[Access, Optional[str]]:
    """The current user's access, and a problem with the roles file to show (then nobody
    logged in has a role: the app fails closed)."""
    try:
        roles = load_roles(roles_path(data_dir))
        problem = None
    except RolesError as exc:
        roles, problem = Roles(), str(exc)
    return access_for(current_identity(), roles), problem


def current_reviewer(access: Access) -> Optional[str]:
    """The name decisions are saved under: the logged-in user, else the Reviewer name field."""
    if access.reviewer:
        return access.reviewer
    typed = str(st.session_state.get(REVIEWER_KEY) or "").strip()
    return typed or None
