//! The precedence graph: a topological order over task start and finish
//! nodes, built once per network and reused by every pass.
//!
//! Each task has two nodes, start (2i) and finish (2i+1). A summary's start
//! node comes before its children and its finish node after them, so links
//! to a summary bound all its children and links from a summary wait for
//! all of them. Edges are implicit: start → finish of the same task, parent
//! start → child start, child finish → parent finish, and for each link
//! predecessor finish → successor start.

use crate::network::{Lag, Link, LinkType, Network, TaskIx};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("the dependencies form a cycle")]
    Cycle(Vec<TaskIx>),
    #[error("link {link} refers to task {task}, which does not exist")]
    MissingTask { link: usize, task: TaskIx },
    #[error("task {0} is linked to itself")]
    SelfLink(TaskIx),
    #[error("task {0} has a parent that does not exist")]
    BadParent(TaskIx),
}

/// Compressed adjacency: the items of node `i` are `items[start[i]..start[i+1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Csr {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    fn build(n: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Csr {
        let mut start = vec![0u32; n + 1];
        for (k, _) in pairs.clone() {
            start[k as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; start[n] as usize];
        for (k, v) in pairs {
            let slot = &mut fill[k as usize];
            items[*slot as usize] = v;
            *slot += 1;
        }
        Csr { start, items }
    }

    pub fn of(&self, i: usize) -> &[u32] {
        &self.items[self.range(i)]
    }

    /// Where node `i`'s items are, to index arrays kept in the same order.
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.start[i] as usize..self.start[i + 1] as usize
    }
}

/// A link as the integer passes read it, packed to half a [`Link`]: they
/// stream every link twice, so its size is their memory traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassLink {
    /// Working minutes, or hundredths of a percent of the predecessor's
    /// span (elapsed lags are only in [`Graph::elapsed_lags`]).
    pub lag: i64,
    /// The task at the other end: the predecessor in `pred_links`, the
    /// successor in `succ_links`.
    pub task: u32,
    pub kind: LinkType,
    pub percent: bool,
}

impl PassLink {
    fn new(link: &Link, task: TaskIx) -> PassLink {
        let (lag, percent) = match link.lag {
            Lag::Working(m) | Lag::Elapsed(m) => (m, false),
            Lag::Percent(h) => (h, true),
        };
        PassLink { lag, task, kind: link.kind, percent }
    }
}

/// The structure of a network, independent of durations and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Node ids (2i start, 2i+1 finish) in topological order.
    pub order: Vec<u32>,
    /// Per task, the indices of links into it.
    pub preds: Csr,
    /// Per task, the indices of links out of it.
    pub succs: Csr,
    pub children: Csr,
    pub is_summary: Vec<bool>,
    /// The links into each task, copied in `preds` order, so that a pass
    /// reads them front to back.
    pub pred_links: Vec<PassLink>,
    /// The links out of each task, in `succs` order.
    pub succ_links: Vec<PassLink>,
    /// Whether any link has an elapsed lag.
    pub elapsed_lags: bool,
    /// Each task's parent (`u32::MAX` for none), packed.
    pub parent: Vec<u32>,
}

impl Graph {
    pub fn build(net: &Network) -> Result<Graph, GraphError> {
        let n = net.tasks.len();
        for (i, t) in net.tasks.iter().enumerate() {
            if t.parent.is_some_and(|p| p as usize >= n || p as usize == i) {
                return Err(GraphError::BadParent(i as TaskIx));
            }
        }
        for (l, link) in net.links.iter().enumerate() {
            for task in [link.pred, link.succ] {
                if task as usize >= n {
                    return Err(GraphError::MissingTask { link: l, task });
                }
            }
            if link.pred == link.succ {
                return Err(GraphError::SelfLink(link.pred));
            }
        }
        let preds = Csr::build(n, net.links.iter().enumerate().map(|(l, k)| (k.succ, l as u32)));
        let succs = Csr::build(n, net.links.iter().enumerate().map(|(l, k)| (k.pred, l as u32)));
        let children = Csr::build(n, net.tasks.iter().enumerate().filter_map(|(i, t)| t.parent.map(|p| (p, i as u32))));
        let is_summary: Vec<bool> = (0..n).map(|i| !children.of(i).is_empty()).collect();

        let pred_links =
            preds.items.iter().map(|&l| &net.links[l as usize]).map(|k| PassLink::new(k, k.pred)).collect();
        let succ_links =
            succs.items.iter().map(|&l| &net.links[l as usize]).map(|k| PassLink::new(k, k.succ)).collect();
        let elapsed_lags = net.links.iter().any(|l| matches!(l.lag, Lag::Elapsed(_)));
        let parent = net.tasks.iter().map(|t| t.parent.unwrap_or(u32::MAX)).collect();
        let mut g = Graph {
            order: Vec::new(),
            preds,
            succs,
            children,
            is_summary,
            pred_links,
            succ_links,
            elapsed_lags,
            parent,
        };
        let (order, indeg) = g.kahn(net, |_| ());
        g.order = order;
        if g.order.len() < 2 * n {
            return Err(GraphError::Cycle(g.find_cycle(net, &indeg)));
        }
        Ok(g)
    }

    /// Another topological order of the same nodes: of the nodes ready at
    /// each step, the one with the smallest `key` (then node id) comes
    /// first. Levelling uses it to place tasks by its own priority.
    pub fn order_by<K: Ord>(&self, net: &Network, key: impl Fn(u32) -> K) -> Vec<u32> {
        self.kahn(net, key).0
    }

    /// Kahn's algorithm over the implicit edges: the order, and the
    /// in-degrees left (non-zero on a cycle).
    fn kahn<K: Ord>(&self, net: &Network, key: impl Fn(u32) -> K) -> (Vec<u32>, Vec<u32>) {
        use std::cmp::Reverse;
        let n = net.tasks.len();
        let mut indeg = vec![0u32; 2 * n];
        for (i, t) in net.tasks.iter().enumerate() {
            indeg[2 * i] = self.preds.of(i).len() as u32 + u32::from(t.parent.is_some());
            indeg[2 * i + 1] = 1 + self.children.of(i).len() as u32;
        }
        // Smallest ready node first: plans list tasks roughly in the
        // order they run, so the passes then sweep memory front to back.
        let mut ready: std::collections::BinaryHeap<Reverse<(K, u32)>> =
            (0..2 * n as u32).filter(|&v| indeg[v as usize] == 0).map(|v| Reverse((key(v), v))).collect();
        let mut order = Vec::with_capacity(2 * n);
        while let Some(Reverse((_, v))) = ready.pop() {
            order.push(v);
            self.for_each_out(net, v, |w| {
                let d = &mut indeg[w as usize];
                *d -= 1;
                if *d == 0 {
                    ready.push(Reverse((key(w), w)));
                }
            });
        }
        (order, indeg)
    }

    fn for_each_out(&self, net: &Network, v: u32, mut f: impl FnMut(u32)) {
        let i = (v / 2) as usize;
        if v.is_multiple_of(2) {
            f(v + 1);
            for &c in self.children.of(i) {
                f(2 * c);
            }
        } else {
            for &l in self.succs.of(i) {
                f(2 * net.links[l as usize].succ);
            }
            if let Some(p) = net.tasks[i].parent {
                f(2 * p + 1);
            }
        }
    }

    /// A cycle among the nodes Kahn's algorithm could not order, as the
    /// tasks along it (first task repeated at the end).
    fn find_cycle(&self, net: &Network, indeg: &[u32]) -> Vec<TaskIx> {
        let stuck = |v: u32| indeg[v as usize] > 0;
        let Some(start) = (0..indeg.len() as u32).find(|&v| stuck(v)) else { return Vec::new() };
        // Walk backwards along unresolved in-edges: every stuck node has a
        // stuck predecessor, so the walk must revisit a node.
        let mut pos = vec![u32::MAX; indeg.len()];
        let mut path: Vec<u32> = Vec::new();
        let mut v = start;
        while pos[v as usize] == u32::MAX {
            pos[v as usize] = path.len() as u32;
            path.push(v);
            v = self.stuck_pred(net, v, &stuck).unwrap_or(v);
        }
        let mut cycle: Vec<u32> = path[pos[v as usize] as usize..].to_vec();
        cycle.reverse();
        let mut tasks: Vec<TaskIx> = Vec::new();
        for node in cycle {
            let t = node / 2;
            if tasks.last() != Some(&t) {
                tasks.push(t);
            }
        }
        if let Some(&first) = tasks.first() {
            if tasks.len() > 1 && tasks.last() == Some(&first) {
                tasks.pop();
            }
            tasks.push(first);
        }
        tasks
    }

    fn stuck_pred(&self, net: &Network, v: u32, stuck: &impl Fn(u32) -> bool) -> Option<u32> {
        let i = (v / 2) as usize;
        if v.is_multiple_of(2) {
            let from_links = self.preds.of(i).iter().map(|&l| 2 * net.links[l as usize].pred + 1);
            let from_parent = net.tasks[i].parent.map(|p| 2 * p);
            from_links.chain(from_parent).find(|&w| stuck(w))
        } else {
            std::iter::once(v - 1).chain(self.children.of(i).iter().map(|&c| 2 * c + 1)).find(|&w| stuck(w))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Lag, LinkType, Task};

    #[test]
    fn orders_and_finds_cycles() {
        let mut net = Network::new(0);
        let a = net.add(Task::new(480));
        let b = net.add(Task::new(480));
        let c = net.add(Task::new(480));
        net.link(a, b, LinkType::FinishToStart, Lag::Working(0));
        net.link(b, c, LinkType::FinishToStart, Lag::Working(0));
        let g = Graph::build(&net).unwrap();
        let pos = |v: u32| g.order.iter().position(|&x| x == v).unwrap();
        assert!(pos(1) < pos(2) && pos(3) < pos(4));

        net.link(c, a, LinkType::StartToStart, Lag::Working(0));
        match Graph::build(&net) {
            Err(GraphError::Cycle(t)) => {
                assert_eq!(t.len(), 4, "{t:?}");
                assert_eq!(t.first(), t.last());
                let mut inner = t[..3].to_vec();
                inner.sort();
                assert_eq!(inner, vec![0, 1, 2]);
            }
            other => panic!("{other:?}"),
        }
        net.links.pop();
        net.link(b, b, LinkType::FinishToStart, Lag::Working(0));
        assert_eq!(Graph::build(&net), Err(GraphError::SelfLink(1)));
        net.links.pop();
        net.link(b, 9, LinkType::FinishToStart, Lag::Working(0));
        assert!(matches!(Graph::build(&net), Err(GraphError::MissingTask { task: 9, .. })));
    }

    #[test]
    fn a_link_from_a_child_to_its_summary_is_a_cycle() {
        let mut net = Network::new(0);
        let s = net.add(Task::new(0));
        let mut child = Task::new(480);
        child.parent = Some(s);
        let c = net.add(child);
        net.link(c, s, LinkType::FinishToStart, Lag::Working(0));
        assert!(matches!(Graph::build(&net), Err(GraphError::Cycle(_))));
    }
}
