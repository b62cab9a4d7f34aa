"""Runs inside Pyodide at build time: every code path of the page's Python, run the way the
browser's worker runs it, then each module that got imported compiled into one zip of .pyc files.

Not imported by the build itself: publish/stdlib/runner.mjs hands it to Pyodide under Node.js.
Imports come where they are needed, not at the top: what this file imports counts as what the
page needs.
"""
# ruff: noqa: E402

import json
import sys

# As in the browser's worker: the app's archive goes on sys.path as it is, for zipimport.
sys.path[:0] = ["/build/app.zip"]
from checker import session as session_module

JSON = {"content-type": "application/json", "etag": 'W/"1"'}
FIGURES = json.dumps(
    {
        "used": 1,
        "included": 2,
        "additional": 0,
        "last_updated_at": "2024-03-10T15:15:03Z",
        "period_start_date": "2024-02-17T00:00:00-08:00",
        "period_end_date": "2024-03-17T00:00:00-07:00",
    }
)
# Team "a" on a credit plan, as the team list and getAccount give it, and on a legacy plan.
CREDIT_TEAM = {
    "slug": "a",
    "name": "A",
    "type_name": "Free",
    "capabilities": {"sites": {"used": 1, "included": 2}, "credits": {"used": 0, "included": 5}},
}
LEGACY_TEAM = {"slug": "a", "name": "A", "type_name": "Pro", "capabilities": {}}
TEAMS = json.dumps([CREDIT_TEAM, {**LEGACY_TEAM, "slug": "b"}])


def answer(status, body="", headers=JSON):
    return {"status": status, "headers": headers, "body": body}


# The outcomes of each scenario's requests, in the order the check asks for them.
SCENARIOS = [
    # A team named by slug: its figures and its account object (getAccount).
    ("a", [answer(200, FIGURES), answer(200, json.dumps(LEGACY_TEAM))]),
    ("a", [answer(200, FIGURES), answer(200, json.dumps(CREDIT_TEAM))]),
    ("a", [answer(200, FIGURES), answer(500, "{}")]),
    ("a", [answer(304), answer(304)]),
    ("", [answer(200, TEAMS), answer(200, FIGURES), answer(200, FIGURES)]),
    ("", [answer(200, TEAMS), answer(403, "{}"), answer(401, "{}")]),
    ("a", [answer(401, '{"code": 401}'), answer(401, "{}")]),
    ("a", [answer(404, "Not Found", {"content-type": "text/plain"}), answer(404, "")]),
    ("a", [answer(429, "{}", {"x-ratelimit-reset": "1700000000"})]),
    ("a", [answer(429, "{}", {"retry-after": "2024-06-12 09:53:37 UTC"})]),
    ("a", [answer(429, "{}", {"retry-after": "Wed, 12 Jun 2024 09:53:37 GMT"})]),
    ("a", [answer(502, "<html><body>Bad gateway</body></html>", {"content-type": "text/html"})]),
    ("a", [answer(200, "{not json"), answer(200, "")]),
    ("a", [answer(200, ""), answer(200, "")]),
    ("a", [answer(200, '{"used": "x", "included": 1}'), answer(200, "")]),
    ("a", [{"failed": "network"}]),
    ("a", [{"failed": "timeout"}]),
    ("a", [{"failed": "redirect"}]),
    ("../a", []),
]
session = session_module.Session()
for team, outcomes in SCENARIOS:
    step = json.loads(session.begin(json.dumps({"token": "nfp_build", "team": team})))
    waiting = list(step.get("send", []))
    for outcome in outcomes:
        if not waiting:
            break
        # As static/worker.js hands an answer over: the body apart, as bytes.
        meta = {key: value for key, value in outcome.items() if key != "body"}
        body = str(outcome.get("body", "")).encode()
        step = json.loads(session.receive(waiting.pop(0)["id"], json.dumps(meta), body))
        waiting += step["send"]
        session.view()
session.begin(json.dumps({"token": "", "team": "a"}))
session.begin(json.dumps({"example": True}))
session.begin("not json")
session.warm_up()

# Every module imported from the standard library or the checker, by archive.
archives = [entry for entry in sys.path if entry.endswith(".zip")]
modules = sorted(
    {
        (archive, module.__file__[len(archive) + 1 :])
        for module in list(sys.modules.values())
        for archive in archives
        if str(getattr(module, "__file__", None)).startswith(archive + "/")
    }
)
# Only now, so that what writes the zip is not counted as what the page needs.
import ast
import importlib.util as importlib_util
import marshal
import types
import zipfile


# Every instruction placed on its code's first line: line tables are a third of a module's
# compiled size, and the page never shows a traceback. Each two-byte entry covers up to eight
# instructions: kind 13 ("no columns"), line offset 0.
def one_line(code):
    units = len(code.co_code) // 2
    table = bytearray()
    while units > 0:
        table += bytes([0x80 | 13 << 3 | (min(units, 8) - 1), 0])
        units -= 8
    consts = tuple(one_line(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_linetable=bytes(table), co_consts=consts)


# A dataclass without a docstring gets one made from inspect.signature() as it is defined, about
# a millisecond each in Pyodide, and every class here is without one (optimize=2 drops them all).
# The page never reads a docstring, so each dataclass is given its own name as one instead.
def named_dataclasses(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(map(is_dataclass, node.decorator_list)):
            doc = ast.Assign([ast.Name("__doc__", ast.Store())], ast.Constant(node.name))
            node.body.insert(0, ast.fix_missing_locations(ast.copy_location(doc, node)))
    return tree


def is_dataclass(decorator):
    called = decorator.func if isinstance(decorator, ast.Call) else decorator
    return getattr(called, "id", getattr(called, "attr", None)) == "dataclass"


# Hash-based and unchecked: the zip holds no sources to check them against.
HEADER = importlib_util.MAGIC_NUMBER + (1).to_bytes(4, "little")
# One zip for all of it, which Pyodide mounts in the standard library's place.
stdlib = next(archive for archive in archives if archive.startswith("/lib/"))
with zipfile.ZipFile("/build/stdlib.zip", "w") as target:
    for archive, name in modules:
        with zipfile.ZipFile(archive) as source:
            text = source.read(name)
        tree = named_dataclasses(ast.parse(text))
        code = compile(tree, f"{stdlib}/{name}", "exec", dont_inherit=True, optimize=2)
        compiled = HEADER + importlib_util.source_hash(text) + marshal.dumps(one_line(code))
        info = zipfile.ZipInfo(name[:-3] + ".pyc", date_time=(2020, 1, 1, 0, 0, 0))
        target.writestr(info, compiled)
print(f"build: {len(modules)} modules precompiled into one zip", file=sys.stderr)
