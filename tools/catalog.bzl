"""The exercise catalog, for Bazel.

`exercises/catalog.json` is the one source of truth for the exercise list
(order, chapter, sanitizer, expected finding, hints). The checker reads the
JSON itself; Bazel reads it through this repository rule, which turns it
into `@racelings_catalog//:catalog.bzl` (a dict per exercise). Editing the
JSON re-runs the rule: nothing restates the catalog by hand.
"""

_SANITIZERS = ["tsan", "asan", "ubsan", "none"]

def _catalog_impl(rctx):
    path = rctx.path(Label("//exercises:catalog.json"))
    data = json.decode(rctx.read(path))
    exercises = {}
    for ex in data["exercises"]:
        name = ex["name"]
        if ex["sanitizer"] not in _SANITIZERS:
            fail("exercises/catalog.json: exercise %s has sanitizer %r; use one of %s" % (name, ex["sanitizer"], _SANITIZERS))
        exercises[name] = {
            "name": name,
            "sanitizer": ex["sanitizer"],
            "env": ex.get("env", {}),
            "timeout_s": ex.get("timeout_s", 10),
        }
    rctx.file("BUILD.bazel", "")
    rctx.file("catalog.bzl", "# Generated from exercises/catalog.json by //tools:catalog.bzl. Do not edit.\nEXERCISES = %r\n" % (exercises,))

racelings_catalog = repository_rule(
    implementation = _catalog_impl,
    doc = "Makes exercises/catalog.json loadable from BUILD files.",
    local = True,
)
