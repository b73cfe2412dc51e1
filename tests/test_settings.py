"""Settings from the editor: keys by convention, bad values named and skipped, old keys still read."""

from __future__ import annotations

import asyncio
import logging

import attrs
import pytest
from driver_checks import document_symbols, lsp_client_fixture, open_document
from lsprotocol import types
from pytest_lsp import LanguageClient

from bblfsh_lsp.settings import RENAMED_KEYS, Settings, editor_key, editor_options


def test_an_editor_key_is_the_attribute_in_camel_case():
    assert editor_key("max_file_bytes") == "maxFileBytes"
    assert editor_key("runtime") == "runtime"
    assert list(editor_options(Settings())) == [editor_key(field.name) for field in attrs.fields(Settings)]


def test_editor_options_apply_flat_or_under_bblfsh():
    expected = attrs.evolve(Settings(), request_timeout=12.0, max_instances=3, driver_network=True)
    options = {"requestTimeout": 12, "maxInstances": 3, "driverNetwork": True}
    assert Settings().with_editor_options(options) == expected
    assert Settings().with_editor_options({"bblfsh": options}) == expected
    assert Settings().with_editor_options(["not", "a", "dict"]) == Settings()


def test_numbers_and_booleans_in_strings_are_read():
    settings = Settings().with_editor_options({"maxFileBytes": "1000", "idleTimeout": "2.5", "driverNetwork": "True"})
    assert (settings.max_file_bytes, settings.idle_timeout, settings.driver_network) == (1000, 2.5, True)


def test_a_bad_value_is_named_and_skipped_and_the_others_apply(caplog: pytest.LogCaptureFixture):
    settings = Settings(max_instances=4)
    with caplog.at_level(logging.WARNING, logger="bblfsh_lsp.settings"):
        changed = settings.with_editor_options({
            "maxInstances": "many", "driverNetwork": "maybe", "queryTimeout": [1], "idleTimeout": 10 ** 400,
            "minInstances": 1,
        })
    assert changed == attrs.evolve(settings, min_instances=1)
    warnings = [record.getMessage() for record in caplog.records]
    assert "ignoring setting maxInstances='many': expected int" in warnings
    assert "ignoring setting driverNetwork='maybe': expected bool" in warnings
    assert "ignoring setting queryTimeout=[1]: expected float" in warnings
    assert any(message.startswith("ignoring setting idleTimeout=") for message in warnings)


def test_unknown_keys_are_ignored_and_null_is_the_default(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="bblfsh_lsp.settings"):
        settings = Settings(max_instances=5, runtime="docker").with_editor_options(
            {"maxInstances": None, "runtime": None, "colour": "blue"})
    assert settings.max_instances == Settings().max_instances
    assert settings.runtime == "process"  # tests run with BBLFSH_LSP_RUNTIME=process (conftest)
    assert "ignoring unknown setting 'colour'" in [record.getMessage() for record in caplog.records]


@pytest.mark.parametrize("old, new", RENAMED_KEYS.items())
def test_a_renamed_key_is_still_read(old, new):
    assert editor_options(Settings().with_editor_options({old: 256}))[new] == 256


def test_memory_limit_mib_is_the_containers_limit():
    assert Settings().with_editor_options({"memoryLimitMib": 64}).isolation().memory_bytes == 64 * 1024 * 1024
    assert Settings().with_editor_options({"requestTimeout": 7}).pool().deadline == 7


# --- in a running server -------------------------------------------------------------------------

client = lsp_client_fixture({}, options={"maxInstances": "many", "driverNetwork": "maybe", "queryTimeout": None,
                                         "memoryLimitMiB": 256, "maxFileBytes": 60})


async def test_a_server_given_bad_settings_serves_with_the_good_ones(client: LanguageClient):
    small = await open_document(client, "small.py", "def tiny():\n    pass\n", "python")
    assert [symbol.name for symbol in await document_symbols(client, small)] == ["tiny"]
    # maxFileBytes from the same options applies: a larger document is not parsed
    large = await open_document(client, "large.py", "def tiny():\n    pass\n" * 10, "python")
    assert await document_symbols(client, large) == []
    for _ in range(100):
        if client.diagnostics.get(large):
            break
        await asyncio.sleep(0.05)
    assert any("maxFileBytes" in diagnostic.message for diagnostic in client.diagnostics[large])
    # bad values sent later are skipped as well, and the server goes on
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"bblfsh": {"idleTimeout": "soon", "minInstances": {"a": 1}}}))
    assert [symbol.name for symbol in await document_symbols(client, small)] == ["tiny"]
