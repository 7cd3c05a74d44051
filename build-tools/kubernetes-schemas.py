#!/usr/bin/env python3
"""Derives the strict JSON schemas the manifest test validates deploy/ against from Kubernetes' OpenAPI (v2).

    build-tools/kubernetes-schemas.py swagger.json > src/test/resources/kubernetes-schemas/v1.32/definitions.json

Keeps only the definitions reachable from the kinds listed below, and makes them strict the way kubeconform's
"-strict" schemas are: every object with properties admits no others (a typo such as `paht:` fails), and the
two scalar types that Kubernetes encodes as "string" in its OpenAPI accept what the API server accepts
(IntOrString: integer or string; Quantity: number or string). apiVersion and kind are fixed per kind from
x-kubernetes-group-version-kind. Descriptions are dropped to keep the file small.
"""
import json
import sys

KINDS = [
    "io.k8s.api.core.v1.Namespace",
    "io.k8s.api.core.v1.ServiceAccount",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Secret",
    "io.k8s.api.core.v1.Service",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.StatefulSet",
    "io.k8s.api.policy.v1.PodDisruptionBudget",
]
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
DROP = {"description", "format", "x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key",
        "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-unions"}


def refs(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def strict(node):
    """A schema node made strict; the keys of its properties map are field names, kept as they are."""
    if isinstance(node, list):
        return [strict(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict(v) for k, v in node.items() if k not in DROP and k != "properties"}
    if "properties" in node:
        out["properties"] = {field: strict(schema) for field, schema in node["properties"].items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def main(path):
    definitions = json.load(open(path))["definitions"]
    needed, queue = set(), list(KINDS)
    while queue:
        name = queue.pop()
        if name in needed:
            continue
        needed.add(name)
        found = set()
        refs(definitions[name], found)
        queue.extend(found - needed)
    out = {}
    for name in sorted(needed):
        if name == INT_OR_STRING:
            out[name] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        elif name == QUANTITY:
            out[name] = {"oneOf": [{"type": "string"}, {"type": "number"}]}
        else:
            schema = strict(definitions[name])
            gvk = definitions[name].get("x-kubernetes-group-version-kind")
            if name in KINDS and gvk:
                g = gvk[0]
                api_version = (g["group"] + "/" if g["group"] else "") + g["version"]
                schema["properties"]["apiVersion"] = {"type": "string", "enum": [api_version]}
                schema["properties"]["kind"] = {"type": "string", "enum": [g["kind"]]}
                schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind"})
            out[name] = schema
    json.dump({"$schema": "http://json-schema.org/draft-07/schema#", "definitions": out}, sys.stdout,
              indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
