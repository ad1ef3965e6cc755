"""``python -m compliance``: the same command line as the ``compliance`` script."""

from .cli import run

if __name__ == "__main__":  # pragma: no branch
    run()
