"""Security headers on every HTTP response: no type sniffing, no framing, a Content-Security-Policy.

API answers, media and /healthz are data, never pages: `default-src 'none'` lets them run and
load nothing. GraphiQL is a page whose scripts and styles come from unpkg.com with integrity
hashes (Strawberry's template); its one inline script is allowed by its sha256, computed from
the page served, so no injected script runs. Styles may be inline (GraphiQL's editor sets them;
CSS cannot run code). It talks only to this server ('self', which CSP Level 3 extends to ws: and
wss: on the same host). That policy is the one for production: where unpkg.com cannot be
reached GraphiQL does not load at all, whatever the policy says.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CDN = "https://unpkg.com"
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # media URLs are capabilities: never hand them on
}


def page_policy(html: str) -> str:
    """The policy for an HTML page: its inline scripts by hash, assets from the CDN only."""
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline
    )
    return (
        f"default-src 'none'; script-src {hashes} {CDN}; style-src 'unsafe-inline' {CDN};"
        f" img-src 'self' data:; font-src {CDN} data:; connect-src 'self';"
        " frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


class SecurityHeaders:
    """Adds COMMON and a Content-Security-Policy (`page` for HTML, DATA_POLICY otherwise)."""

    def __init__(self, app: ASGIApp, page: str) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                is_page = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("Content-Security-Policy", self.page if is_page else DATA_POLICY)
            await send(message)

        await self.app(scope, receive, with_headers)
