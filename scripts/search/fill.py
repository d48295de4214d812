"""Adds N searchable objects to a Tandem SQLite database made by
`tandem serve --demo`, for scripts/search-bench.sh: tasks and risks in a
new project BIG, features and feedback in the demo product, comments on
the tasks. Words come from one vocabulary drawn Zipf-like, so some words
are in a tenth of the objects and most in a handful. The database's
triggers index every row, as they do for any write. Writes the words to
<db>.words for the query script."""
import random
import sqlite3
import sys

db, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(18)
common = ("checkout payment card vault order invoice refund customer report export import mobile "
          "login account billing cart search filter release sprint budget risk defect review design "
          "launch api webhook sync email notification dashboard metric retention onboarding").split()
syll = ["ka", "lo", "mi", "ran", "te", "vor", "qu", "zen", "bel", "tor", "ish", "ul", "pa", "dre", "os"]
rare = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(6000)})
vocab = common + rare
weights = [1.0 / (i + 1) ** 0.9 for i in range(len(vocab))]


def words(k):
    return " ".join(rng.choices(vocab, weights, k=k))


c = sqlite3.connect(db)
c.execute("PRAGMA foreign_keys = ON")
ws, product = c.execute("SELECT workspace_id, id FROM products ORDER BY id LIMIT 1").fetchone()
manager = c.execute("SELECT manager_id FROM projects ORDER BY id LIMIT 1").fetchone()[0]
now = 1796443327794
c.execute(
    "INSERT INTO projects (workspace_id, key, name, manager_id, methodology, status, start_at, currency, "
    "created_at, updated_at) VALUES (?, 'BIG', 'Search bench', ?, 'hybrid', 'active', '2027-01-04T08:00:00', "
    "'EUR', ?, ?)", (ws, manager, now, now))
project = c.execute("SELECT id FROM projects WHERE key = 'BIG'").fetchone()[0]
feature_no = c.execute("SELECT MAX(number) FROM features WHERE product_id = ?", (product,)).fetchone()[0] or 0
shares = {"task": 0.4, "feature": 0.2, "feedback": 0.2, "risk": 0.1, "comment": 0.1}
made = {}
task_ids = []
for kind, share in shares.items():
    count = int(n * share)
    made[kind] = count
    for i in range(count):
        title, body = words(rng.randint(3, 6)).capitalize(), words(rng.randint(10, 40))
        if kind == "task":
            cur = c.execute(
                "INSERT INTO tasks (workspace_id, project_id, number, position, name, duration_minutes, "
                "constraint_type, status, created_at, updated_at, notes) "
                "VALUES (?, ?, ?, ?, ?, 480, 'ASAP', 'todo', ?, ?, ?)",
                (ws, project, i + 1, i + 1, title, now, now, body))
            task_ids.append(cur.lastrowid)
        elif kind == "risk":
            c.execute(
                "INSERT INTO risks (workspace_id, project_id, number, title, description, probability, impact, "
                "response, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 3, 3, 'mitigate', 'open', ?, ?)",
                (ws, project, len(task_ids) + i + 1, title, body, now, now))
        elif kind == "feature":
            feature_no += 1
            c.execute(
                "INSERT INTO features (workspace_id, product_id, number, title, description, status, rank, inputs, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'idea', ?, '{}', ?, ?)",
                (ws, product, feature_no, title, body, feature_no, now, now))
        elif kind == "feedback":
            c.execute(
                "INSERT INTO feedback (workspace_id, product_id, text, source, customer, status, created_at, "
                "updated_at) VALUES (?, ?, ?, 'support', ?, 'new', ?, ?)",
                (ws, product, title + ". " + body, rng.choice(["Acme", "Globex", "Initech", None]), now, now))
        else:
            c.execute(
                "INSERT INTO comments (workspace_id, subject_type, subject_id, author_id, body, created_at, updated_at) "
                "VALUES (?, 'task', ?, ?, ?, ?, ?)", (ws, rng.choice(task_ids), manager, body, now, now))
c.execute("UPDATE projects SET next_task_number = ? WHERE id = ?", (made["task"] + made["risk"] + 1, project))
c.commit()
total = c.execute("SELECT COUNT(*) FROM search_entries").fetchone()[0]
print(f"fill: {sum(made.values())} objects added ({made}); {total} in the search index")
with open(db + ".words", "w") as f:
    f.write("\n".join(vocab[:400]))
