"""A throw-away module for tests: it plugs two sources into the ledger from its own ready(),
with no edit to core/ or ledger/ — the way a module still to come would."""
