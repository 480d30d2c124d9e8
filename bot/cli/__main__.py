"""`python -m bot.cli` runs the `trainer` command line."""

from bot.cli.main import main

main()
