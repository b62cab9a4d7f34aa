"""What the command line writes beyond the cards: the `--json` document (`schema`), the Markdown
table (`summary`), the alert issue (`alert_issue`), notifications (`notify`), the action's
outputs (`action_outputs`), the build plugin's decision (`deploy_gate`), its own files
(`local_file`), text made safe to print (`terminal`), and the addresses it may send a token to
besides Netlify's API (`addresses`). Never shipped to the browser."""
