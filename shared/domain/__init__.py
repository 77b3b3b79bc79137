"""Pure domain: models, rules and errors. Imports nothing from Google, Firebase or Flask."""
