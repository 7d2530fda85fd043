"""`python -m bot` is the same as the `smebot` command."""

from bot.cli import app

if __name__ == "__main__":
    app(prog_name="smebot")
