"""The certification timeline's employee filter follows the queue's rule (`plantfilters.employee_problem`, review
163 D6): a number is "not of this plant" only when the people directory could look it up and found nobody. A web
app that does not read Plex (a directory that knows nobody) refused every real employee with that 400."""

from __future__ import annotations

from typing import Any

from plexlabor.approval.directory import Person, StaticPeopleDirectory
from tests.unit.approval.approval_fakes import World
from tests.unit.webapp.test_web_app_no_match import _get, _text
from tests.unit.webapp.viewers import HR

NOT_OF_THE_PLANT = "no employee of this plant has the number"


def test_a_real_number_is_not_refused_while_the_directory_knows_nobody(lambda_context: Any) -> None:
    for path in ("/certifications", "/queue"):
        response = _get(World(), path, HR, lambda_context, people=StaticPeopleDirectory(), employee="e00001")

        assert response["statusCode"] == 200, path
        assert NOT_OF_THE_PLANT not in _text(response["body"]), path


def test_a_person_of_the_plant_the_report_does_not_hold_matches_nothing_rather_than_being_refused(
    lambda_context: Any,
) -> None:
    """The directory knows E00077 (hired after the night's report): no certification of theirs, no 400."""
    people = StaticPeopleDirectory([Person("E1", "E00001", "Ann Lee", "ASSY"), Person("E77", "E00077", "Kim Ito")])

    response = _get(World(), "/certifications", HR, lambda_context, people=people, employee="E00077")

    assert response["statusCode"] == 200
    assert "No items match: employee Kim Ito (E00077)." in response["body"]


def test_a_number_the_directory_looked_up_and_did_not_find_is_refused_on_both_pages(lambda_context: Any) -> None:
    for path in ("/certifications", "/queue"):
        response = _get(World(), path, HR, lambda_context, employee="E99999")

        assert response["statusCode"] == 400, path
        assert f"Employee number: {NOT_OF_THE_PLANT} 'E99999'." in _text(response["body"]), path
