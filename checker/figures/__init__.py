"""What a team's report comes to, decided once: amounts, shares and pace (`amounts`), credits
and what each meter costs (`credits`), where the team stands against a threshold (`standing`),
and the readings kept over time (`history`). Reads checker/netlify; read by the view and the
outputs."""
