"""The networkx baseline: forward and backward passes in working days over the
generator's JSON task list (all four link types, lags; no calendar).
Usage: networkx_cpm.py FILE.json"""
import json
import sys

import networkx as nx

data = json.load(open(sys.argv[1]))
g = nx.DiGraph()
dur = {}
for t in data["tasks"]:
    dur[t["id"]] = t["duration"]
    g.add_node(t["id"])
    for p in t["preds"]:
        g.add_edge(p["id"], t["id"], type=p["type"], lag=p["lag"])
order = list(nx.topological_sort(g))
es = {}
for v in order:
    s = 0
    for u in g.predecessors(v):
        e = g.edges[u, v]
        t, lag = e["type"], e["lag"]
        if t == "FS":
            c = es[u] + dur[u] + lag
        elif t == "SS":
            c = es[u] + lag
        elif t == "FF":
            c = es[u] + dur[u] + lag - dur[v]
        else:
            c = es[u] + lag - dur[v]
        s = max(s, c)
    es[v] = s
finish = max(es[v] + dur[v] for v in order)
lf = {}
for v in reversed(order):
    f = finish
    for w in g.successors(v):
        e = g.edges[v, w]
        t, lag = e["type"], e["lag"]
        ls_w = lf[w] - dur[w]
        if t == "FS":
            c = ls_w - lag
        elif t == "SS":
            c = ls_w - lag + dur[v]
        elif t == "FF":
            c = lf[w] - lag
        else:
            c = lf[w] - lag + dur[v]
        f = min(f, c)
    lf[v] = f
critical = sum(1 for v in order if lf[v] - dur[v] - es[v] <= 0)
print(finish, critical)
