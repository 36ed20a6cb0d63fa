"""The app's shell: login and roles, the sidebar, and the pages this user may open."""

from __future__ import annotations

import streamlit as st

from bias_review.webapp import markup
from bias_review.webapp.auth import DASHBOARD, LEXICONS, MODELS, REVIEW, UPLOAD, Access
from bias_review.webapp.identity import REVIEWER_KEY, current_access
from bias_review.webapp.page_dashboard import dashboard_page
from bias_review.webapp.page_lexicons import lexicons_page
from bias_review.webapp.page_models import models_page
from bias_review.webapp.page_review import review_page
from bias_review.webapp.page_upload import upload_page
from bias_review.webapp.resources import get_store

PAGES = {
    UPLOAD: (upload_page, "Upload", ":material/upload_file:"),
    REVIEW: (review_page, "Review", ":material/fact_check:"),
    DASHBOARD: (dashboard_page, "Dashboard", ":material/bar_chart:"),
    LEXICONS: (lexicons_page, "Lexicons", ":material/menu_book:"),
    MODELS: (models_page, "Models", ":material/model_training:"),
}


def main() -> None:
    """Run one script pass of the app (Streamlit calls this on every interaction)."""
    st.set_page_config(page_title="bias-review", page_icon=":material/fact_check:", layout="wide")
    access, problem = current_access(get_store().data_dir)
    if problem:
        st.error(f"The roles file cannot be used, so nobody has a role: {problem}")
    if access.needs_login:
        _login_screen()
        return
    _sidebar(access)
    pages = [st.Page(PAGES[p][0], title=PAGES[p][1], icon=PAGES[p][2], url_path=p, default=n == 0)
             for n, p in enumerate(access.pages())]
    st.navigation(pages).run()


def _login_screen() -> None:
    st.title("bias-review")
    st.write("Log in to upload course materials or review flags.")
    st.button("Log in", key="login", type="primary", on_click=st.login)


def _sidebar(access: Access) -> None:
    if access.trusted:
        st.info("Login is not configured: everyone who can open this app is trusted, and decisions "
                "are saved under the **Reviewer name** given in the sidebar.", icon=":material/info:")
    with st.sidebar:
        if access.trusted:
            st.text_input("Reviewer name", key=REVIEWER_KEY, bind="query-params")
            return
        st.caption(f"Logged in as {markup.safe(access.identity.user)} ({access.role or 'course director'})")
        st.button("Log out", key="logout", on_click=st.logout)
