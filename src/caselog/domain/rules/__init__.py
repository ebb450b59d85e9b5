"""Classification rules as versioned data per jurisdiction, and the classifier that reads them."""

from caselog.domain.rules.classify import Classification, add_months, classify
from caselog.domain.rules.ruleset import RuleSet, load_rule_set, national_rule_set

__all__ = [
    "Classification",
    "RuleSet",
    "add_months",
    "classify",
    "load_rule_set",
    "national_rule_set",
]
