//! Crash safety: the server is killed (SIGKILL) during a stream of writes;
//! after a restart every acknowledged write is there and the database
//! passes its integrity check. On SQLite and on PostgreSQL.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::cluster::spawn_server;
use crate::support::{databases, json_ok};

async fn sign_in(base: &str) -> (reqwest::Client, String, String) {
    let client = crate::support::client();
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "pm@demo.example", "password": "demo-pm-2026"}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = json_ok(login, 200).await["csrf_token"].as_str().unwrap().to_owned();
    (client, cookie, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_a_kill() {
    let test = "every_acknowledged_write_survives_a_kill";
    for db in databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        let mut server = spawn_server(db.url(), &["--demo"]).await;
        let base = server.base.clone();
        let (client, cookie, csrf) = sign_in(&base).await;
        let me =
            json_ok(client.get(format!("{base}/api/v1/me")).header("cookie", &cookie).send().await.unwrap(), 200).await;
        let ws = me["memberships"][0]["workspace"]["id"].as_str().unwrap().to_owned();
        let projects = json_ok(
            client
                .get(format!("{base}/api/v1/workspaces/{ws}/projects"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let p = projects["items"][0]["id"].as_str().unwrap().to_owned();

        // Four writers add risks as fast as the server answers.
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut writers = Vec::new();
        for w in 0..4 {
            let (client, cookie, csrf, acked) = (client.clone(), cookie.clone(), csrf.clone(), acked.clone());
            let url = format!("{base}/api/v1/projects/{p}/risks");
            writers.push(tokio::spawn(async move {
                for i in 0.. {
                    let title = format!("crash {w}-{i}");
                    let sent = client
                        .post(&url)
                        .header("cookie", &cookie)
                        .header("x-csrf-token", &csrf)
                        .json(&json!({"title": title, "probability": 2, "impact": 3}))
                        .timeout(Duration::from_secs(5))
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().as_u16() == 201 => acked.lock().unwrap().push(title),
                        Ok(r) => panic!("a write was refused before the kill: {}", r.status()),
                        Err(_) => break,
                    }
                }
            }));
        }
        // Kill mid-stream, once a good number of writes went through.
        for _ in 0..200 {
            if acked.lock().unwrap().len() >= 60 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        server.child.start_kill().unwrap();
        server.child.wait().await.unwrap();
        for w in writers {
            w.await.unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() >= 20, "only {} writes before the kill", acked.len());

        // Restart on the same database: everything acknowledged is there.
        let server = spawn_server(db.url(), &["--demo"]).await;
        let base = server.base.clone();
        let (client, cookie, _) = sign_in(&base).await;
        let risks = json_ok(
            client.get(format!("{base}/api/v1/projects/{p}/risks")).header("cookie", &cookie).send().await.unwrap(),
            200,
        )
        .await;
        let stored: Vec<&str> =
            risks["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
        let lost: Vec<&String> = acked.iter().filter(|t| !stored.contains(&t.as_str())).collect();
        assert!(lost.is_empty(), "{}: acknowledged but lost after the kill: {lost:?}", db.label());
        // At most the writes in flight at the kill (one per writer) are extra.
        let extra = stored.iter().filter(|t| t.starts_with("crash ") && !acked.iter().any(|a| a == *t)).count();
        assert!(extra <= 4, "{extra} unacknowledged writes stored");
        drop(server);
        let store = tandem_store::Store::open(db.url()).await.unwrap();
        assert_eq!(store.integrity_check().await.unwrap(), "ok");
        store.close().await;
        db.destroy().await;
    }
}
