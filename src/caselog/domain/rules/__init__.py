"""Classification rules as versioned data per jurisdiction, and the classifier that reads them."""

from caselog.domain.rules.classify import Classification, add_months, classify
from caselog.domain.rules.ruleset import RuleSet, VisitRules, load_rule_set, national_rule_set
from caselog.domain.rules.visits import VisitDue, next_visit, visit_interval

__all__ = [
    "Classification",
    "RuleSet",
    "VisitDue",
    "VisitRules",
    "add_months",
    "classify",
    "load_rule_set",
    "national_rule_set",
    "next_visit",
    "visit_interval",
]
