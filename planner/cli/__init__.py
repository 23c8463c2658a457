"""Command-line layer: thin adapters from arguments to the core and back to text or JSON."""
