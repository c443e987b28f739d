"""Every rule of the compliance check: each `rules_*` module of this package registers its rules
when imported, so adding a module adds its rules."""

import importlib
import pkgutil

from assessments.compliance import __path__ as _package_path
from assessments.compliance.base import RULES

for _module in sorted(m.name for m in pkgutil.iter_modules(_package_path) if m.name.startswith("rules_")):
    importlib.import_module(f"{__package__}.{_module}")

__all__ = ["RULES"]
