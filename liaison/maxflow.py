"""Maximum flow on small integer-capacity graphs (Dinic's algorithm), for the planner.

Pure: plain integers in and out. Nodes are numbered ``0..size-1``; ``add_edge`` returns an
edge id whose flow can be read back after ``max_flow``.
"""


class FlowGraph:
    """Dinic's maximum flow on integer capacities, iterative (no recursion limits).

    Edge ``e`` and its residual twin ``e ^ 1`` are stored side by side.
    """

    def __init__(self, size: int) -> None:
        self.adj: list[list[int]] = [[] for _ in range(size)]
        self.to: list[int] = []
        self.cap: list[int] = []
        self.initial: list[int] = []

    def add_edge(self, u: int, v: int, capacity: int) -> int:
        edge = len(self.to)
        self.adj[u].append(edge)
        self.to.append(v)
        self.cap.append(capacity)
        self.initial.append(capacity)
        self.adj[v].append(edge + 1)
        self.to.append(u)
        self.cap.append(0)
        self.initial.append(0)
        return edge

    def flow(self, edge: int) -> int:
        return self.initial[edge] - self.cap[edge]

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            level = self._levels(source, sink)
            if level[sink] < 0:
                return total
            pointer = [0] * len(self.adj)
            while pushed := self._augment(source, sink, level, pointer):
                total += pushed

    def _levels(self, source: int, sink: int) -> list[int]:
        level = [-1] * len(self.adj)
        level[source] = 0
        frontier = [source]
        while frontier and level[sink] < 0:
            following = []
            for u in frontier:
                for edge in self.adj[u]:
                    v = self.to[edge]
                    if self.cap[edge] > 0 and level[v] < 0:
                        level[v] = level[u] + 1
                        following.append(v)
            frontier = following
        return level

    def _augment(self, source: int, sink: int, level: list[int], pointer: list[int]) -> int:
        """Push flow along one path of the level graph; 0 when the phase is blocked."""
        adj, to, cap = self.adj, self.to, self.cap
        path: list[int] = []
        u = source
        while True:
            if u == sink:
                pushed = min(cap[edge] for edge in path)
                for edge in path:
                    cap[edge] -= pushed
                    cap[edge ^ 1] += pushed
                return pushed
            edges = adj[u]
            while pointer[u] < len(edges):
                edge = edges[pointer[u]]
                v = to[edge]
                if cap[edge] > 0 and level[v] == level[u] + 1:
                    path.append(edge)
                    u = v
                    break
                pointer[u] += 1
            else:
                if u == source:
                    return 0
                level[u] = -1  # dead end for the rest of this phase
                edge = path.pop()
                u = to[edge ^ 1]
                pointer[u] += 1
