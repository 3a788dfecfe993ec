"""The headless command line. It must never import Qt."""
