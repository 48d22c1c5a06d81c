"""kg: a knowledge-graph builder for conflict and political news."""

__version__ = "0.1.0"
