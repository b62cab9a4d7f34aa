"""Netlify's API without I/O, the lowest layer: the requests to send and what each answer says
(`api`, `inputs`, `ratelimit`, and `numerals` for numbers written as text), the check that
decides which to send and reads every outcome (`check`, its request `keys`), what it counts
beyond the figures behind one protocol (`counters`, the production-deploy counter in `deploys`),
the one loop that answers a check from a sender (`drive`), the report it makes of each team
(`report`), and answers made here rather than asked of Netlify (`samples`).

Nothing here touches the network, and nothing imports a layer above it. The clock is read
through a `Clock` each caller hands in; `drive` is the one place that waits (for Netlify's rate
limit), through the `sleep` it is handed, which is `time.sleep` unless a caller gives another.
"""
