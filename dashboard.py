"""The Streamlit script: `streamlit run serve.py` serves it with the sign-in routes (serve.py);
`streamlit run dashboard.py` serves it alone. Lists the pages this person may use (built per
run from their account: ui/navigation.py); each page is its own file. The language (Tiếng Việt
or English: ui/language.py) is chosen first, so the page titles in the menu are translated."""
import streamlit as st

from queries.i18n import _
from ui import auth, heap, language, layout
from ui.navigation import pages_for
from ui.reconnect import run_while_connected


def page() -> None:
    # Signing out happens in the sign-out button's callback, before this line: the navigation
    # below is already a visitor's in the run the click starts.
    account = auth.current_account()
    language.choose(account)
    st.set_page_config(page_title=_("Chuyển đổi số cấp xã"), page_icon="📊", layout="wide")
    # expanded: an admin's fourteen pages stay listed (Streamlit folds menus past ten).
    current = st.navigation(pages_for(account, auth.public_view()), expanded=True)
    auth.remember_page(current.url_path)  # where signing in comes back to
    layout.style()  # phones, and Streamlit's own English words on Vietnamese pages
    language.switch(account)
    auth.sidebar(account)
    # ?trinh_chieu=1 on any page opens the presentation (keeping province and month).
    if st.query_params.get("trinh_chieu") == "1" and not current.url_path.startswith("trinh_chieu"):
        st.switch_page("app_pages/trinh_chieu.py", query_params=st.query_params.to_dict())
    current.run()


# On PostgreSQL, a server restart shows "Đang kết nối lại cơ sở dữ liệu…" until it answers.
# Sessions' runs go side by side (no Python function runs on Polars' threads: ui/format.py per_row).
run_while_connected(page)
heap.settle()  # the libraries' objects out of the collection Streamlit runs after each run
