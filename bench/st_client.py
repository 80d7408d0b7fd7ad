"""A Streamlit session without a browser: the websocket protocol the page itself speaks.

One `Session` is one browser tab: it fetches the page once (nginx gives it its replica cookie
then, so every later message reaches the same replica), opens `/_stcore/stream` and asks for
pages the way the sidebar does, a `rerun_script` naming the page. A view is timed from the
request to the server's `script_finished`: the server's whole part of a page view (script run,
queries, every element sent), without the browser's drawing, which `bench.browser_pages`
measures. A few kilobytes of Python per session, so many sessions fit beside the replicas on a
small machine where as many Chromium contexts would take the cores the replicas need.
"""
from __future__ import annotations

import asyncio
import time
import urllib.request
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
            ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class ViewError(RuntimeError):
    """A view that failed: an exception drawn on the page, page not found, or no answer."""


def _replica_cookie(base: str) -> str:
    """What a browser's first request gets: the page, and nginx's replica cookie with it."""
    with urllib.request.urlopen(base + "/", timeout=60) as answer:
        cookies = [value.split(";", 1)[0] for key, value in answer.headers.items() if key.lower() == "set-cookie"]
    return "; ".join(cookies)


class Session:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.socket = None

    async def __aenter__(self) -> Session:
        cookie = await asyncio.to_thread(_replica_cookie, self.base)
        parts = urlsplit(self.base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        headers = {"Cookie": cookie} if cookie else {}
        self.socket = await websockets.connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream", subprotocols=["streamlit"],
            additional_headers=headers, origin=f"{parts.scheme}://{parts.netloc}",
            max_size=None, open_timeout=60, ping_interval=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()

    async def view(self, page: str, query: str = "", timeout: float = 120) -> float:
        """Open `page` (its URL path, "" for the first page); seconds until the run finished."""
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = page
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        seen: list[str] = []
        try:
            async with asyncio.timeout(timeout):
                await self._until_finished(seen, page)
        except TimeoutError:
            raise ViewError(f"no end of the run in {timeout:.0f} s; last messages: {seen[-6:]}") from None
        problem = next((kind[len("problem:"):] for kind in seen if kind.startswith("problem:")), None)
        elapsed = time.perf_counter() - started
        if problem:
            raise ViewError(problem)
        return elapsed

    async def _until_finished(self, seen: list[str], page: str) -> None:
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(await self.socket.recv())
            kind = answer.WhichOneof("type")
            if kind == "script_finished":
                seen.append(f"script_finished:{answer.script_finished}")
                if answer.script_finished in FINISHED:
                    return
            elif kind == "delta" and answer.delta.new_element.WhichOneof("type") == "exception":
                seen.append("problem:" + (answer.delta.new_element.exception.type or "exception"))
            elif kind == "page_not_found":
                seen.append(f"problem:page not found: {page}")
            elif kind != "delta":
                seen.append(kind)
