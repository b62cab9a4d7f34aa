"""The Netlify bandwidth checker's Python: the API client, its transport and the figures."""

# The installed package's version (pyproject.toml reads it), which `--version` prints.
__version__ = "0.4.0"
