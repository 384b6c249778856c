"""What every web app page is sent with: its content type and headers (a module of its own so incident_log,
whose layer has no PyJWT, can send the incident form with them without importing `webapp.app`)."""

from collections.abc import Mapping

CONTENT_TYPE = "text/html; charset=utf-8"
SECURITY_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
"""Pages are per person (no caching) and load nothing from anywhere else."""
