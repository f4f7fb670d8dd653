"""Serves the built widget and its demo page from the Rasa server: no second web server needed.

GET /widget/                 the demo page (dist/demo.html)
GET /widget/static/<name>    a built file (widget.js, demo.css, ...)
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.widget.content import DIST_DIR

NOT_BUILT = "The chat widget is not built yet: run `npm ci && npm run build` (or `make widget`).\n"

# The demo page loads only its own script and stylesheet and talks only to this server.
DEMO_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # The person's conversation page is nobody's business: not even the neutral site they leave for.
    "Referrer-Policy": "no-referrer",
    # Operators update the widget by rebuilding it; browsers revalidate instead of keeping an old
    # copy.
    "Cache-Control": "no-cache",
}


def widget_blueprint(dist_dir: Path = DIST_DIR) -> Blueprint:
    blueprint = Blueprint("trust_repair_widget", url_prefix="/widget")

    @blueprint.get("/")
    async def demo_page(_: Request) -> HTTPResponse:
        return await _serve(dist_dir, "demo.html", {"Content-Security-Policy": DEMO_PAGE_CSP})

    @blueprint.get("/static/<name:str>")
    async def static_file(_: Request, name: str) -> HTTPResponse:
        return await _serve(dist_dir, name, {})

    return blueprint


async def _serve(dist_dir: Path, name: str, headers: dict[str, str]) -> HTTPResponse:
    if not dist_dir.is_dir():
        return response.text(NOT_BUILT, status=503)
    # Only plain file names that the build wrote: no paths, no dot files.
    path = dist_dir / name
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        return response.text("Not found\n", status=404)
    return await response.file(path, headers={**COMMON_HEADERS, **headers})
