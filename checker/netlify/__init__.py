"""Netlify's API without I/O, the lowest layer: the requests to send and what each answer says
(`api`, `inputs`, `ratelimit`), the check that decides which to send and reads every outcome
(`check`, its request `keys`, the production-deploy counter in `deploys`), the report it makes of
each team (`report`), and answers made here rather than asked of Netlify (`samples`).

Nothing here touches the network or the clock, and nothing imports a layer above it."""
