"""`python -m brandpulse` runs the CLI."""

from brandpulse.cli import app

app()
