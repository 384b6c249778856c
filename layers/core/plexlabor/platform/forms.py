"""An HTML form's fields from an API Gateway proxy event, or a typed refusal when the body is not a form.

API Gateway passes a `multipart/form-data` body base64-encoded (the one binary media type,
infra/constructs/api.py), so any client can post bytes that are not text to a route that takes a
URL-encoded form; they are refused here with the reason instead of failing while being decoded.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

UNREADABLE = "The form could not be read: send it URL-encoded (application/x-www-form-urlencoded) as UTF-8 text."


class UnreadableFormError(ValueError):
    """The body is not URL-encoded UTF-8 text (e.g. a multipart upload's bytes)."""


def form_fields(event: BaseProxyEvent) -> dict[str, list[str]]:
    """Every field of the request's URL-encoded form, blank ones kept; UnreadableFormError otherwise."""
    try:
        text = event.decoded_body or ""
    except ValueError:  # UnicodeDecodeError (bytes, not text) or binascii.Error (broken base64)
        raise UnreadableFormError(UNREADABLE) from None
    return parse_qs(text, keep_blank_values=True)
