"""One module per ``kg`` sub-command, each with ``register(subparsers)`` and a ``run(args) -> int``."""
