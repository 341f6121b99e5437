"""What the economy is: its config, agents' array state, mechanisms, ledger, prices, and the model
that runs them hour by hour, with what it reports (declared outputs, tables and summary)."""
