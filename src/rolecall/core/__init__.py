"""rolecall's domain layer: config, profiles, STS, cache and shell.

Nothing under ``rolecall.core`` may import textual or rich (a test checks it),
and only ``rolecall.core.sts`` imports boto3, lazily.
"""
