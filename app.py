"""Theo dõi nhiệm vụ: entrypoint. Page config, identity -> role, navigation over allowed pages."""

import streamlit as st

from services.ui import identity, unavailable

st.set_page_config(page_title="Theo dõi nhiệm vụ", page_icon=":material/fact_check:", layout="wide")

if identity.reads_data() and (problem := unavailable.problem()) is not None:
    # the normal menu, every entry showing what is wrong and what to do (never a blank page
    # under raw file names)
    st.navigation(
        [
            st.Page(lambda: unavailable.page(problem), title=title, icon=icon, url_path=key)
            for key, (_, title, icon, _) in identity.PAGES.items()
        ]
    ).run()
    st.stop()

user = identity.current_user()
if user is None:
    # a navigation of one hidden page: no menu for someone who may see nothing
    st.navigation(
        [st.Page(identity.explain_no_access, title="Theo dõi nhiệm vụ")], position="hidden"
    ).run()
    st.stop()

identity.identity_sidebar(user)
# every page is registered, those of other roles hidden: a shared link to one then shows the
# page's own "no permission" message (its guard) instead of Streamlit's English "Page not found"
pages = [
    st.Page(
        path,
        title=title,
        icon=icon,
        url_path=key,
        visibility="visible" if user.role in roles else "hidden",
    )
    for key, (path, title, icon, roles) in identity.PAGES.items()
]
st.navigation(pages).run()
