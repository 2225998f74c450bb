"""Pure helpers with no Django models: working days, identity numbers, env parsing."""
