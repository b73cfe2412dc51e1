"""The `bblfsh-lsp` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

import orjson

from bblfsh_lsp import __version__
from bblfsh_lsp.parsing import FileParse, parse_files
from driver_runtime import protocol, uast
from driver_runtime.languages import LANGUAGES
from driver_runtime.protocol import Mode
from driver_runtime.registry import Registry
from driver_runtime.runtimes import RuntimeNotAvailable, choose
from driver_runtime.service import DriverService

EXIT_OK, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2
RUNTIME_ENV = "BBLFSH_LSP_RUNTIME"


def _service(args: argparse.Namespace) -> DriverService:
    choice = choose(args.runtime)
    logging.getLogger(__name__).info("runtime: %s (%s)", choice.runtime.name, choice.reason)
    return DriverService(choice.runtime, Registry.bundled())


def _errors_as_data(parsed: FileParse) -> list[Any]:
    if parsed.problem is not None:
        return [{"message": parsed.problem}]
    assert parsed.result is not None
    return [protocol.converter.unstructure(error) for error in parsed.result.errors]


def _record(parsed: FileParse) -> dict[str, Any]:
    """What `parse` prints for one file: Babelfish's UAST shape, positions expanded."""
    tree = None
    if parsed.result is not None and parsed.result.uast is not None and parsed.text is not None:
        tree = uast.to_babelfish(parsed.result.uast, uast.LineStarts(parsed.text.encode("utf-8", "surrogatepass")))
    return {"path": parsed.path, "language": parsed.language, "uast": tree, "errors": _errors_as_data(parsed)}


def _describe_errors(parsed: FileParse) -> str:
    if parsed.problem is not None:
        return parsed.problem
    assert parsed.result is not None
    lines = []
    for error in parsed.result.errors:
        where = f"{error.start.line}:{error.start.col}: " if error.start else ""
        lines.append(f"{parsed.path}:{where}{error.message}")
    return "\n".join(lines)


async def cmd_parse(args: argparse.Namespace) -> int:
    service = _service(args)
    status = EXIT_OK
    records = []
    try:
        async for parsed in parse_files(service, args.files, Mode(args.mode), args.language):
            if parsed.problem or (parsed.result and parsed.result.errors):
                print(_describe_errors(parsed), file=sys.stderr)
                status = EXIT_NOTHING
            record = _record(parsed)
            if args.format == "jsonl":
                sys.stdout.buffer.write(orjson.dumps(record) + b"\n")
                sys.stdout.flush()
            else:
                records.append(record)
    finally:
        await service.close()
    if args.format == "json":
        document = records[0] if len(records) == 1 else records
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    elif args.format == "yaml":
        import yaml

        yaml.safe_dump_all(records, sys.stdout, sort_keys=False, allow_unicode=True)
    return status


async def cmd_languages(args: argparse.Namespace) -> int:
    registry = Registry.bundled()
    choice = choose(args.runtime)
    print(f"runtime: {choice.runtime.name} ({choice.reason})")
    print()
    print(f"{'language':<12} {'driver':<10} {'extensions'}")
    for language in LANGUAGES:
        spec = registry.get(language.name)
        driver = spec.manifest.version if spec else "-"
        print(f"{language.name:<12} {driver:<10} {' '.join(language.extensions)}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bblfsh-lsp",
        description="Structure of code in any language: a language server and structural search.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--runtime",
        default=os.environ.get(RUNTIME_ENV, "auto"),
        help=f"where drivers run: auto, process (default: ${RUNTIME_ENV} or auto)",
    )
    parser.add_argument("--log-level", default="warning", help="debug, info, warning or error (stderr)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="print the UAST of files")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument("--mode", choices=[mode.value for mode in Mode], default=Mode.SEMANTIC.value)
    parse.add_argument("--format", choices=["json", "jsonl", "yaml"], default="json")
    parse.add_argument("--language", help="parse as this language instead of detecting it")
    parse.set_defaults(run=cmd_parse)

    languages = commands.add_parser("languages", help="list languages, drivers and the runtime")
    languages.set_defaults(run=cmd_languages)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(args.run(args))
    except RuntimeNotAvailable as exc:
        print(f"bblfsh-lsp: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `bblfsh-lsp parse ... | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
