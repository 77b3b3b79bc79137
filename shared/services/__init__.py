"""Use cases; they take their ports as arguments and import no SDK or web framework."""
