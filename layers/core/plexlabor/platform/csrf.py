"""Cross-site request forgery: a POST a browser sends with the session cookie is accepted only from
the site's own pages, whatever its body (a form, JSON, or JSON sent as `text/plain`: a script on a
sibling host may send that without a CORS preflight, and the cookie goes with it).

Every cookie-authenticated POST runs this check: the web app's (`webapp.app.same_site_posts`, every
POST), incident_log's and copilot_ask's (every POST, a form or JSON), and the approval pages' links.

The check is OWASP's "verifying origin with standard headers", Fetch Metadata first:

1. `Sec-Fetch-Site` (sent by every current browser): `same-origin` passes, and `none` (the person
   made the request themselves, not a page); `same-site` (a sibling host under the same domain,
   which a `SameSite=Lax` cookie does not stop) and `cross-site` are refused;
2. without it, `Origin`: its host must be the request's `Host` (`null`, an opaque origin, is refused);
3. without either, `Referer`: the same;
4. none of the three: not a browser (an API client with a Bearer token, a script): passed. A forged
   request comes from a victim's browser, and a browser sends at least `Origin` on every POST.

Why headers and not a token in each form: the approval pages are static HTML per link and the web
app's pages are rendered per request without a server-side session to keep a token in; the headers
need no state, no change to any form, and the same check serves both. The host is compared without
the scheme: API Gateway serves HTTPS only, and the local runtime HTTP only.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


REFUSAL = "This form was sent from another site, so nothing was done. Open the page again and decide there."
"""What the person is told (the reason, which names only a header, goes to the log)."""
API_REFUSAL = "sent from another site's page, so nothing was done (API clients send no Origin or Sec-Fetch-Site)"
"""What a refused JSON request is answered (`ApiProblem.message`)."""


def cross_site_problem(headers: Mapping[str, str] | None) -> str | None:
    """Why a state-changing request with these headers may not come from this site's pages (naming
    the header that says so, never its value), or None when it may; header names in any case."""
    found = {name.lower(): value for name, value in (headers or {}).items() if value is not None}
    host = found.get("host", "").strip().lower()
    site = found.get("sec-fetch-site", "").strip().lower()
    if site:
        return None if site in ALLOWED_FETCH_SITES else "Sec-Fetch-Site is not same-origin"
    for name in ("origin", "referer"):
        value = found.get(name, "").strip()
        if value:
            sender = "" if value == "null" else urlsplit(value).netloc.lower()
            return None if host and sender == host else f"{name.title()} is not this site's host"
    return None
