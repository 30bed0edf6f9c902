from rolecall.cli import entry

entry()
