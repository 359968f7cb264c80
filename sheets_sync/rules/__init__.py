"""The rules. Importing this package registers every rule in ``REGISTRY``."""

from sheets_sync.rules import approvals, calendar, feedback, revisions, rows, scope, threads
from sheets_sync.rules.base import REGISTRY, Context, Rule, rule

__all__ = ["REGISTRY", "Context", "Rule", "approvals", "calendar", "feedback", "revisions",
           "rows", "rule", "scope", "threads"]
