"""Every rule of the compliance check, registered by importing its module."""

from . import rules_meetings, rules_training  # noqa: F401
from .engine import RULES

__all__ = ["RULES"]
