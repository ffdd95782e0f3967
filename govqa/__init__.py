"""govqa: cited question answering over Chinese government information-disclosure reports."""

__version__ = "0.1.0"
