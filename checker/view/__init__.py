"""What a reader sees, for the page and the terminal alike: each team's card (`card`) with its
rows, quotas and chart (`rows`, `quotas`, `chart`), the words it leads with (`words`), names as
Netlify lists them (`names`), text as a reader is shown it (`text`), their shapes (`shape`), and
the page's whole view of a check (`page`). Reads the figures; static/render.js draws it with
text nodes."""
