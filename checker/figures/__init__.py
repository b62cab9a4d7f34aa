"""What a team's report comes to, decided once: amounts, shares and pace (`amounts`), credits
and what each meter costs (`credits`), the one model of a team and where it stands against a
threshold (`team`), and the readings kept over time (`history`). Reads checker/netlify; read by
the view and the outputs."""
