"""Forms validate and normalise what was typed; actions save it. Forms import nothing from actions."""
