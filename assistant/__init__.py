"""jfp-assistant: cited answers, drafts and coverage checks for NHS joint forward plans."""

from assistant import privacy as _privacy

_privacy.apply()

__version__ = "0.1.0"
