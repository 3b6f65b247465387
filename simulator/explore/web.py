"""The explorer's web application: Solara's, serving only files installed on this machine.

Solara's own asset route is a proxy: a path it does not hold is fetched from
a public CDN and cached beside the installed assets, and a path naming a
folder of them is deleted first. The explorer turns that proxy off and serves
the same installed folder (the ``solara-assets`` package) read-only, so a
request can neither change a file nor reach the internet; what is not there is
a 404. Requests the page's protocol cannot answer (a kernel connection without
its ``session_id``) are refused with one line in the log.
"""

import logging
import warnings
from pathlib import Path
from typing import Any

#: Where the page looks for its scripts and styles; the route below serves them.
ASSETS_URL = "/_solara/cdn"

log = logging.getLogger("sim.explore")


def installed_assets() -> Path:
    """The folder the ``solara-assets`` package installs the page's scripts and styles in."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


class _Refuse:
    """ASGI middleware: a kernel request without its ``session_id`` gets a refusal and one log line."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        kernel = scope["type"] == "websocket" and path.startswith("/jupyter/api/kernels/")
        closing = scope["type"] == "http" and path.startswith("/_solara/api/close/")
        if (kernel or closing) and not _has_session_id(scope):
            log.warning("sim explore: refused %s %s: no session_id", scope["type"], path)
            if kernel:
                await send({"type": "websocket.close", "code": 1008})
            else:
                await send({"type": "http.response.start", "status": 400, "headers": []})
                await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def _has_session_id(scope: dict) -> bool:
    from urllib.parse import parse_qs

    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return bool(query.get("session_id", [""])[0])


def app() -> Any:
    """Solara's Starlette application with its CDN proxy replaced by the installed assets, read-only."""
    import solara.settings

    # Solara warns on every page load over http at an address other than "localhost" (127.0.0.1 included) that
    # its session cookie falls back to SameSite=Lax, which matters only to a page embedded in another site's
    # iframe. The explorer is opened directly, where Lax is the right setting: the warning says nothing here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)

    solara.settings.assets.proxy = False  # read when the routes are built and when each page is rendered
    from solara.server import settings as server_settings

    server_settings.theme.show_banner = False  # its "This website runs on Solara" sat over the questions table
    solara.settings.assets.cdn = ASSETS_URL
    from solara.server import starlette as solara_server
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    web = solara_server.app
    routes = web.router.routes
    routes[:] = [route for route in routes if not (isinstance(route, Mount) and route.path == ASSETS_URL)]
    # follow_symlink=False: a path resolving outside the folder is a 404; a folder is a 404 too (html=False)
    routes.insert(0, Mount(ASSETS_URL, app=StaticFiles(directory=installed_assets(), follow_symlink=False)))
    web.add_middleware(_Refuse)
    return web
