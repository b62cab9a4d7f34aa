"""What the command line writes beyond the cards: the `--json` document (`schema`), the Markdown
table (`summary`), the alert issue (`alert_issue`), notifications (`notify`), the action's
outputs (`action_outputs`), its own files (`local_file`), and text made safe to print
(`terminal`). Never shipped to the browser."""
