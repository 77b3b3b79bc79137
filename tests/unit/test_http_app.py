"""The HTTP edge: routing, JSON errors, CORS, body limits, and no leaked internals."""

from __future__ import annotations

import json

from flask import Flask, Request

from shared.domain.errors import ConflictError, RateLimitedError, ValidationFailed
from shared.http.app import HttpApp, json_body


def make_app(**kwargs: object) -> HttpApp:
    app = HttpApp("test", **kwargs)  # type: ignore[arg-type]

    @app.route("/api/items/<item_id>", methods=["GET"])
    def get_item(request: Request, item_id: str) -> dict[str, str]:
        return {"id": item_id}

    @app.route("/api/items", methods=["POST"])
    def create(request: Request) -> tuple[dict[str, object], int]:
        return {"created": json_body(request)}, 201

    @app.route("/api/conflict")
    def conflict(request: Request) -> None:
        raise ConflictError("Already taken")

    @app.route("/api/slow-down")
    def slow(request: Request) -> None:
        raise RateLimitedError(retry_after=7)

    @app.route("/api/invalid")
    def invalid(request: Request) -> None:
        raise ValidationFailed("Bad fields", details=[{"field": "a", "message": "required"}])

    @app.route("/api/boom")
    def boom(request: Request) -> None:
        raise RuntimeError("database password is hunter2")

    return app


def call(app: HttpApp, method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
    flask_app = Flask("t")
    flask_app.add_url_rule(
        "/", "f", lambda: app(__import__("flask").request), methods=["GET", "POST", "PUT", "OPTIONS", "DELETE"]
    )
    flask_app.add_url_rule(
        "/<path:p>", "g", lambda p: app(__import__("flask").request), methods=["GET", "POST", "PUT", "OPTIONS", "DELETE"]
    )
    return flask_app.test_client().open(path, method=method, **kwargs)


def test_routes_path_parameters_to_the_handler() -> None:
    response = call(make_app(), "GET", "/api/items/abc")
    assert response.status_code == 200
    assert response.get_json() == {"id": "abc"}


def test_unknown_path_is_a_json_404() -> None:
    response = call(make_app(), "GET", "/api/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"


def test_wrong_method_is_a_json_405() -> None:
    response = call(make_app(), "DELETE", "/api/items/abc")
    assert response.status_code == 405
    assert set(response.get_json()) == {"error", "message"}


def test_bad_json_is_a_400_that_says_so() -> None:
    response = call(make_app(), "POST", "/api/items", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": "Bad Request", "message": "Request body is not valid JSON"}


def test_a_json_array_body_is_refused() -> None:
    response = call(make_app(), "POST", "/api/items", json=[1, 2])
    assert response.status_code == 400


def test_body_over_the_limit_is_a_413() -> None:
    response = call(make_app(max_body_bytes=1024), "POST", "/api/items", json={"x": "a" * 2000})
    assert response.status_code == 413
    assert response.get_json()["error"] == "Payload Too Large"


def test_domain_errors_map_to_their_status() -> None:
    app = make_app()
    assert call(app, "GET", "/api/conflict").status_code == 409
    invalid = call(app, "GET", "/api/invalid")
    assert invalid.status_code == 400
    assert invalid.get_json()["details"] == [{"field": "a", "message": "required"}]


def test_rate_limit_carries_retry_after() -> None:
    response = call(make_app(), "GET", "/api/slow-down")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


def test_unexpected_errors_are_500_without_internals(capsys) -> None:  # type: ignore[no-untyped-def]
    from shared import logs

    logs.configure()
    response = call(make_app(), "GET", "/api/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "hunter2" not in body and "RuntimeError" not in body and "Traceback" not in body
    assert "hunter2" not in capsys.readouterr().out


def test_cors_allows_only_listed_origins() -> None:
    app = make_app(origins=lambda request: {"https://novahouse.pl"})
    ok = call(app, "GET", "/api/items/1", headers={"Origin": "https://novahouse.pl"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://novahouse.pl"
    other = call(app, "GET", "/api/items/1", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_preflight_answers_204_with_allowed_methods() -> None:
    app = make_app(origins=lambda request: {"https://novahouse.pl"})
    response = call(
        app, "OPTIONS", "/api/items", headers={"Origin": "https://novahouse.pl", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_responses_keep_polish_characters_readable() -> None:
    response = call(make_app(), "POST", "/api/items", json={"q": "Ile kosztuje łazienka?"})
    assert "łazienka" in response.get_data(as_text=True)
    assert json.loads(response.get_data())["created"]["q"] == "Ile kosztuje łazienka?"


def test_a_5000_digit_number_is_a_400_not_a_500() -> None:
    response = call(make_app(), "POST", "/api/items", data='{"n": ' + "9" * 5000 + "}", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "Bad Request"


def test_2000_deep_nesting_is_a_400_not_a_500() -> None:
    body = '{"a": ' + "[" * 2000 + "]" * 2000 + "}"
    response = call(make_app(), "POST", "/api/items", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "Bad Request"


def test_deep_nesting_is_refused_even_when_the_cors_check_reads_the_body() -> None:
    from shared.http.app import json_object_or_none

    app = make_app(origins=lambda request: {str((json_object_or_none(request) or {}).get("o"))})
    body = '{"o": "https://a.example", "x": ' + "{" * 3000 + "}" * 3000 + "}"
    response = call(
        app, "POST", "/api/items", data=body, content_type="application/json", headers={"Origin": "https://a.example"}
    )
    assert response.status_code == 400


def test_infinity_and_nan_are_not_json() -> None:
    for literal in ("Infinity", "-Infinity", "NaN", "1e999"):
        response = call(make_app(), "POST", "/api/items", data='{"n": ' + literal + "}", content_type="application/json")
        assert response.status_code == 400, literal


def test_ordinary_nesting_and_numbers_still_parse() -> None:
    body = {"a": [[{"b": [1, 2.5, -3e2]}]], "n": 12345678901234567890}
    response = call(make_app(), "POST", "/api/items", json=body)
    assert response.status_code == 201
    assert response.get_json()["created"] == body


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    body = {"text": "[" * 5000 + "{" * 5000}
    response = call(make_app(max_body_bytes=64 * 1024), "POST", "/api/items", json=body)
    assert response.status_code == 201


def test_a_chunked_body_over_the_limit_is_a_413() -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"x": "'
        for _ in range(80):
            yield b"a" * 1024
        yield b'"}'

    response = call(
        make_app(max_body_bytes=64 * 1024),
        "POST",
        "/api/items",
        input_stream=__import__("io").BytesIO(b"".join(chunks())),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},  # what a server that de-chunks (gunicorn, werkzeug) sets
    )
    assert response.status_code == 413, response.get_json()


def test_a_small_chunked_body_is_read_whole() -> None:
    response = call(
        make_app(),
        "POST",
        "/api/items",
        input_stream=__import__("io").BytesIO(b'{"q": "chunked"}'),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"created": {"q": "chunked"}}


def test_a_route_with_its_own_body_limit_takes_larger_bodies_and_the_others_keep_the_apps() -> None:
    app = make_app(max_body_bytes=1024)

    @app.route("/api/files/<name>", methods=["PUT"], max_body_bytes=8192)
    def put_file(request: Request, name: str) -> dict[str, int]:
        return {"size": len(request.get_data())}

    assert call(app, "PUT", "/api/files/a", data=b"x" * 5000).get_json() == {"size": 5000}
    assert call(app, "PUT", "/api/files/a", data=b"x" * 9000).status_code == 413
    assert call(app, "POST", "/api/items", json={"x": "a" * 2000}).status_code == 413
