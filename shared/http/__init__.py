"""The HTTP edge: routing, CORS, body limits and error mapping for HTTP functions."""
