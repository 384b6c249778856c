"""The web app supervisors, planners, HR and admins use: the review queue and its item pages.

Server-rendered HTML (Jinja2 templates in `templates/`), a little CSS, no JavaScript needed to
decide; served by one function behind API Gateway (`functions/web_app`). Who is signed in comes
from the API's authorizer (`viewer.viewer_from_claims`); what they may see and decide is
`plexlabor.review`'s rule. Pages read the audit table; they never recompute a result.
"""
