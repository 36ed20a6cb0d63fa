"""Models page (admins): the registered classifier versions, retraining from reviewers'
decisions (`bias_review.learning`, when this build has it) and activating a version."""

from __future__ import annotations

import importlib
from dataclasses import asdict, is_dataclass
from types import ModuleType
from typing import Any, Optional

import streamlit as st

from bias_review.store import Store, StoreError, activate_model, active_model, models
from bias_review.webapp import markup, views
from bias_review.webapp.auth import MODELS
from bias_review.webapp.resources import get_engine, get_store
from bias_review.webapp.widgets import page_access

PENDING, NOTICE = "models_pending", "models_notice"
NOT_AVAILABLE = "retraining is not available in this build"


def learning_module() -> Optional[ModuleType]:
    """`bias_review.learning` if this build has it (imported only when asked for)."""
    try:
        return importlib.import_module("bias_review.learning")
    except ModuleNotFoundError as exc:
        if exc.name in ("bias_review.learning", "bias_review"):
            return None
        raise


def models_page() -> None:
    if page_access(MODELS) is None:
        return
    store = get_store()
    st.title("Models")
    engine, warning = get_engine(store)
    if warning:
        st.warning(markup.safe(warning))
    active = active_model(store)
    st.caption(f"New scans use model {engine.model_version or 'none'}"
               + ("" if active else " (the bundled model)")
               + ". Every stored finding keeps the lexicon and model versions of the scan that found it.")
    message = st.session_state.pop(NOTICE, None)
    if message:
        st.success(markup.safe(message))
    registered = models(store)
    if registered:
        st.dataframe(views.model_rows(registered), hide_index=True, key="models_table")
        _activate_other(store, registered)
    else:
        st.caption("No retrained model yet.")
    st.subheader("Retrain from reviewers' decisions")
    if st.button("Retrain from reviewers' decisions", key="models_retrain"):
        _retrain(store)
    pending = st.session_state.get(PENDING)
    if pending:
        _show_pending(store, pending)


def _retrain(store: Store) -> None:
    learning = learning_module()
    if learning is None:
        st.info(NOT_AVAILABLE)
        return
    out_dir = store.data_dir / "models"  # each version in its own new folder below
    with st.status("Retraining…", expanded=True) as status:
        try:
            result = learning.retrain_from_store(store, out_dir=out_dir, log=lambda m: st.text(str(m)))
        except Exception as exc:  # noqa: BLE001 - the admin gets one clear line, not a traceback
            status.update(label="Retraining failed", state="error")
            # too few decisions, a model folder that exists, … are said as they are
            known = isinstance(exc, (ValueError, OSError, StoreError))
            st.error(markup.safe(exc if known else f"internal error while retraining ({type(exc).__name__}: {exc})"))
            return
        status.update(label=f"Trained model {result.version}", state="complete", expanded=False)
    st.session_state[PENDING] = _plain(result)


def _plain(result: Any) -> dict[str, Any]:
    """A retrain result as a plain dict (session state keeps UI state only, no objects)."""
    fields = ("version", "path", "before", "after", "decisions_used", "decisions_held_back")
    plain = asdict(result) if is_dataclass(result) else {k: getattr(result, k) for k in fields}
    return {**plain, "path": str(plain["path"])}


def _show_pending(store: Store, pending: dict[str, Any]) -> None:
    st.markdown(f"**New model {markup.safe(pending['version'])}**: trained on {pending['decisions_used']} "
                f"decision(s); {pending['decisions_held_back']} held back to test it.")
    st.dataframe(views.compare_metrics(pending.get("before"), pending.get("after")), hide_index=True,
                 key="models_compare")
    activate_col, keep_col = st.columns(2)
    activate_col.button("Activate", key="models_activate", type="primary", on_click=_activate,
                        args=(store, pending["version"]))
    keep_col.button("Keep current", key="models_keep", on_click=_keep)


def _activate_other(store: Store, registered: list) -> None:
    inactive = [m.version for m in registered if not m.active]
    if not inactive:
        return
    with st.expander("Activate another version"):
        version = st.selectbox("Version", inactive, key="models_choose")
        st.button("Activate this version", key="models_activate_chosen", on_click=_activate, args=(store, version))


def _activate(store: Store, version: str) -> None:
    try:
        activate_model(store, version)
    except StoreError as exc:
        st.session_state[NOTICE] = f"Not activated: {exc}"
        return
    st.session_state.pop(PENDING, None)
    st.session_state[NOTICE] = f"Model {version} is active: new scans use it."


def _keep() -> None:
    st.session_state.pop(PENDING, None)
    st.session_state[NOTICE] = "Kept the current model; the new one stays registered."
