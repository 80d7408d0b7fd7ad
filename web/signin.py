"""The two HTTP routes of the built-in sign-in, served beside Streamlit by serve.py: only an
HTTP response can set a cookie (a script run cannot), and only an HttpOnly one keeps page
scripts from reading it.

    POST /tai-khoan/dang-nhap   username, password, tiep (where to go back to): the password is
        checked (queries.accounts.signin → service.authenticate: throttled by name and client
        address, audited), a session opens, and a 303 sends the browser back to `tiep` with the
        cookie set; a refusal goes back to the sign-in page with its message, signed.
    POST /tai-khoan/dang-xuat   token: the session ends in the store (so on every replica), the
        cookie is cleared, and a 303 sends the browser to the first page.
    GET on either: back to the sign-in page, or the first page.

Both refuse a request another site made the browser send (its Origin, or lacking one its
Referer, must be this host), which SameSite=Lax already keeps the cookie out of; sign-out also
needs the token its form carries, tied to the session. The password comes in the request's
body only, never in an address, and is never logged. The cookie: HttpOnly, SameSite=Lax, Path=/,
Max-Age the longest lifetime of a session, Secure when the browser came over https.
"""
from __future__ import annotations

import html
import logging
import os
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from queries import i18n
from queries.accounts import cookie, signin, throttle
from queries.i18n import N_, _
from queries.settings import store_dir

log = logging.getLogger(__name__)

TRUSTED_PROXIES_ENV = "DTI_TRUSTED_PROXIES"
# A sign-in form is a few hundred bytes: anything much larger is not one.
MAX_BODY = 8192
FOREIGN_REQUEST = (N_("Yêu cầu này không được gửi từ trang của bảng điều khiển nên đã bị từ chối. "
                   "Hãy mở trang Đăng nhập của bảng điều khiển và thử lại."))
TOO_LARGE = N_("Yêu cầu quá lớn, không phải một lần đăng nhập. Hãy mở trang Đăng nhập và thử lại.")
UNAVAILABLE = N_("Chưa đăng nhập được do lỗi của máy chủ. Hãy thử lại sau ít phút hoặc liên hệ Quản trị tỉnh.")


def _refusal(message: str, status: int, language: str | None = None) -> HTMLResponse:
    """A small page in the person's language (the form's `lang`), in the dashboard's colours,
    with the way back."""
    with i18n.use_language(language):
        title, heading, back = _("Đăng nhập — Chuyển đổi số cấp xã"), _("Đăng nhập"), _("Về trang Đăng nhập")
        text = _(message)
        code = i18n.current()
    page = cookie.SIGN_IN_PAGE + (f"?lang={code}" if code != i18n.DEFAULT else "")
    body = f"""<!doctype html>
<html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body{{font-family:"Source Sans Pro",sans-serif;color:#1B2631;max-width:40rem;margin:4rem auto;padding:0 1rem}}
p.box{{background:#FDECEC;border-radius:.4rem;padding:1rem}}a{{color:#0062A3}}</style></head>
<body><h1>{html.escape(heading)}</h1><p class="box">{html.escape(text)}</p>
<p><a href="{page}">{html.escape(back)}</a></p></body></html>"""
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _same_origin(request: Request) -> bool:
    """Whether the browser says this request comes from a page of this host. Browsers send
    Origin with every POST of a form; Referer stands in where a privacy setting drops it."""
    claimed = request.headers.get("origin")
    if not claimed or claimed == "null":
        claimed = request.headers.get("referer")
    host = request.headers.get("host")
    if not claimed or not host:
        return False
    try:
        return urlsplit(claimed).netloc.lower() == host.lower()
    except ValueError:
        return False


def client_address(request: Request) -> str | None:
    """As ui/auth.py keys the throttle: the peer, or behind a proxy named in DTI_TRUSTED_PROXIES
    the client it forwards."""
    peer = request.client.host if request.client else None
    forwarded = ", ".join(request.headers.getlist("x-forwarded-for")) or None
    return throttle.client_address(peer, forwarded, request.headers.get("x-real-ip"),
                                   os.environ.get(TRUSTED_PROXIES_ENV, ""))


def _https(request: Request) -> bool:
    """Whether the browser came over https: directly, or through a proxy that says so (uvicorn
    already believes X-Forwarded-Proto from the loopback; a proxy elsewhere must be trusted)."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    return (request.headers.get("x-forwarded-proto", "").lower() == "https"
            and throttle.trusted_peer(peer, os.environ.get(TRUSTED_PROXIES_ENV, "")))


def _redirect(path: str) -> RedirectResponse:
    response = RedirectResponse(path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _form(request: Request) -> dict[str, str] | None:
    """The posted fields, or None when the body is not a small form."""
    try:
        length = int(request.headers.get("content-length", ""))
    except ValueError:
        return None
    if not 0 <= length <= MAX_BODY:
        return None
    body = await request.body()
    if len(body) > MAX_BODY:
        return None
    form = await request.form(max_files=0, max_fields=10)
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def sign_in(request: Request) -> Response:
    if request.method != "POST":
        return _redirect(cookie.SIGN_IN_PAGE)
    if not _same_origin(request):
        return _refusal(FOREIGN_REQUEST, 403)
    form = await _form(request)
    if form is None:
        return _refusal(TOO_LARGE, 413, request.query_params.get("lang"))
    language = i18n.normalise(form.get("lang"))  # the sign-in page's language: its refusals read in it
    back = cookie.return_path(form.get("tiep"))
    store = store_dir()

    def check():
        with i18n.use_language(language):
            return signin.sign_in(store, form.get("username", ""), form.get("password", ""), client_address(request))

    try:
        # argon2 takes a good part of a second on purpose: not on the server's event loop.
        outcome = await run_in_threadpool(check)
    except Exception:
        log.exception("sign-in failed")  # a traceback shows code, never the values it held
        return _refusal(UNAVAILABLE, 500, language)
    if outcome.cookie is None:
        query = {"loi": cookie.sign_message(store, outcome.result.message)}
        if back != "/":
            query["tiep"] = back
        if language != i18n.DEFAULT:
            query["lang"] = language
        return _redirect(f"{cookie.SIGN_IN_PAGE}?{urlencode(query)}")
    response = _redirect(back)
    response.set_cookie(cookie.COOKIE_NAME, outcome.cookie, max_age=int(signin.lifetimes(store).longest.total_seconds()),
                        path="/", secure=_https(request), httponly=True, samesite="lax")
    return response


async def sign_out(request: Request) -> Response:
    if request.method != "POST":
        return _redirect("/")
    if not _same_origin(request):
        return _refusal(FOREIGN_REQUEST, 403)
    form = await _form(request)
    if form is None:
        return _refusal(TOO_LARGE, 413)
    store = store_dir()
    value = request.cookies.get(cookie.COOKIE_NAME)
    # A cookie that names no session (altered, expired, of another secret) is only cleared.
    if await run_in_threadpool(signin.sign_out_token, store, value):
        if not await run_in_threadpool(signin.sign_out_allowed, store, value, form.get("token")):
            return _refusal(FOREIGN_REQUEST, 403)
        await run_in_threadpool(signin.sign_out, store, value)
    response = _redirect("/")
    response.delete_cookie(cookie.COOKIE_NAME, path="/", secure=_https(request), httponly=True, samesite="lax")
    return response


def routes() -> list[Route]:
    return [Route(cookie.SIGN_IN_PATH, sign_in, methods=["GET", "POST"]),
            Route(cookie.SIGN_OUT_PATH, sign_out, methods=["GET", "POST"])]
