"""The Netlify bandwidth checker's Python: the API client, its transport and the figures."""
