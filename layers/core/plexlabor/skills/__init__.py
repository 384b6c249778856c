"""Skills and certification compliance: skill matrix, coverage against scheduled work, expiring and
lapsed certifications with the work they block, and cross-training recommendations.

Pure domain code: a `SkillsInput` snapshot (`load` from any labor-data port, `load_from_folder`) goes in,
a `SkillsReport` comes out (`assess_skills`); `publish_report` turns the report into recommendation
events on any `AuditStore`. Definitions and measured figures: docs/skills.md.
"""

from plexlabor.skills.data import SkillsInput, load, load_from_folder
from plexlabor.skills.engine import SkillsOptions, assess_skills, skill_matrix
from plexlabor.skills.publish import PublishOptions, PublishResult, publish_report, report_events
from plexlabor.skills.report import SkillsReport

__all__ = [
    "PublishOptions",
    "PublishResult",
    "SkillsInput",
    "SkillsOptions",
    "SkillsReport",
    "assess_skills",
    "load",
    "load_from_folder",
    "publish_report",
    "report_events",
    "skill_matrix",
]
