"""rolecall: a terminal UI and command line for AWS profiles and IAM role switching."""

__version__ = "0.1.0"
