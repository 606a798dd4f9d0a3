"""`brandpulse kibana import` against a stand-in for Kibana's saved objects import API."""

import base64

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from brandpulse import kibana
from brandpulse.settings import Settings

IMPORT_PATH = "/api/saved_objects/_import"


def settings_for(httpserver: HTTPServer) -> Settings:
    return Settings(
        _env_file=None,
        kibana_url=httpserver.url_for("/"),
        elasticsearch_username="elastic",
        elasticsearch_password=SecretStr("changeme"),
    )


def test_posts_the_ndjson_file_with_overwrite_and_xsrf(httpserver: HTTPServer) -> None:
    seen: list[Request] = []

    def kibana_import(request: Request) -> Response:
        seen.append(request)
        return Response('{"success": true, "successCount": 11}', content_type="application/json")

    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_handler(kibana_import)

    assert kibana.import_saved_objects(settings_for(httpserver)) == 11

    (request,) = seen
    assert request.args["overwrite"] == "true"
    assert request.headers["kbn-xsrf"] == "true"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"elastic:changeme").decode()
    upload = request.files["file"]
    assert upload.filename == "brandpulse.ndjson"
    assert upload.read() == kibana.SAVED_OBJECTS.read_bytes()


def test_the_url_option_wins_over_the_setting(httpserver: HTTPServer) -> None:
    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_json(
        {"success": True, "successCount": 1}
    )
    settings = Settings(_env_file=None, kibana_url="http://127.0.0.1:9")  # nothing listens there
    assert kibana.import_saved_objects(settings, httpserver.url_for("/")) == 1


def test_kibana_refusing_objects_is_an_error_naming_them(httpserver: HTTPServer) -> None:
    refusal = {
        "success": False,
        "successCount": 10,
        "errors": [
            {"type": "lens", "id": "brandpulse-top-keywords", "error": {"type": "missing_references"}}
        ],
    }
    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_json(refusal)
    with pytest.raises(kibana.ImportFailed, match="lens/brandpulse-top-keywords: missing_references"):
        kibana.import_saved_objects(settings_for(httpserver))


def test_an_http_error_is_an_import_failure(httpserver: HTTPServer) -> None:
    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_data("Unauthorized", status=401)
    with pytest.raises(kibana.ImportFailed, match="401"):
        kibana.import_saved_objects(settings_for(httpserver))


def test_an_unreachable_kibana_is_an_import_failure() -> None:
    with pytest.raises(kibana.ImportFailed, match="cannot reach Kibana"):
        kibana.import_saved_objects(Settings(_env_file=None, kibana_url="http://127.0.0.1:9"), timeout_s=2)
