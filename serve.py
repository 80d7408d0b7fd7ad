"""The dashboard as served: `streamlit run serve.py` (what `make run` and deploy/run_replicas.py
start). Streamlit finds `app` below (an st.App) and serves it with its own uvicorn: every page,
the websocket, uploads and st.login's routes as with `streamlit run dashboard.py`, plus the
sign-in and sign-out routes (web/signin.py), which set and clear the session cookie that
keeps a built-in sign-in across reloads, typed addresses and replicas (README, "Phiên đăng nhập").
"""
import os

from streamlit.starlette import App

from queries.accounts import cookie
from queries.settings import store_dir
from web.signin import routes

# The pages offer the forms that post to those routes only when they are served (ui/auth.py).
os.environ[cookie.ROUTES_ENV] = "1"
# A secret too short is refused now, with its reason, rather than at the first sign-in; and
# the store's own secret is made once, before any browser comes.
try:
    cookie.secret(store_dir())
except cookie.SessionSecretError as error:
    raise SystemExit(error.message) from None

app = App("dashboard.py", routes=routes())
