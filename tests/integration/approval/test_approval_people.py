"""People and times in the approval mail and on the link page, as deployed (issue 9, item 6): the real
wiring reads the employees from Plex (the simulator), names them as SHOW_NAMES_TO allows and shows
every time in the plant's zone."""

from __future__ import annotations

import pytest
from approval_aws import SUPERVISORS, Stack

from plexlabor.platform import env
from tests.support import make_finding, make_request


def test_the_mail_and_the_page_name_people_from_plex_in_plant_time(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env.TIMEZONE, "America/Detroit")
    stack.start(make_request(make_finding(finding_id="f-people000000000000000001"), wait_seconds=60))
    assert stack.notify() == 1
    [mail] = stack.mails()
    # The mail names the employee by name and number (the sample plant's E0002 is First2 Last2, 1002)
    assert "First2 Last2 (1002)" in mail.body and "employee E0002" not in mail.body
    assert " EST" in mail.body and " UTC" not in mail.body
    [token] = stack.links_for(SUPERVISORS["E0001"])

    page = stack.open(token)["body"]
    assert "<td>First2 Last2 (1002)</td>" in page and "for supervisor First1 Last1 (1001)" in page
    assert "<th>Clock-in</th><td>Mon 2026-03-02 00:52 EST</td>" in page  # 05:52 UTC in Detroit

    # Where supervisors may not see names, the same page gives numbers
    monkeypatch.setenv(env.SHOW_NAMES_TO, "hr,admin")
    numbers = stack.open(token)["body"]
    assert "<td>1002</td>" in numbers and "First" not in numbers

    # A link used a second time names who decided
    monkeypatch.delenv(env.SHOW_NAMES_TO)
    assert stack.decide(token, action="approve")["statusCode"] == 200
    again = stack.decide(token, action="reject", reason="again")
    assert again["statusCode"] == 410 and "already approved by First1 Last1 (1001) on " in again["body"]
