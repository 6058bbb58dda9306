use crate::routes::context::AppState;
use actix_web::{web, HttpResponse};
use prometheus::{Encoder, IntGauge, Registry, TextEncoder};

/// Liveness, for a load balancer or a supervisor: the process answers. It asks nothing of the
/// database, so a database outage does not get every server restarted.
pub async fn get_healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "alive"}))
}

/// Readiness: the database answers and its migrations are done, and the file store answers;
/// 503 naming what is missing until then.
pub async fn get_readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let database = web::block(move || crate::db::ready(&pool)).await.unwrap_or(false);
    let files = state.settings.files.reachable().await;
    if let Err(e) = &files {
        tracing::warn!(error = %e, "the file store does not answer");
    }
    let body = serde_json::json!({
        "status": if database && files.is_ok() { "ready" } else { "unavailable" },
        "database": if database { "ok" } else { "unreachable or migrating" },
        "files": if files.is_ok() { "ok" } else { "unreachable" },
    });
    match database && files.is_ok() {
        true => HttpResponse::Ok().json(body),
        false => HttpResponse::ServiceUnavailable().json(body),
    }
}

/// Gauges of the connection pool, refreshed at every scrape.
pub struct PoolGauges {
    connections: IntGauge,
    idle: IntGauge,
}

impl PoolGauges {
    pub fn register(registry: &Registry) -> prometheus::Result<Self> {
        let connections = IntGauge::new("xiaofating_db_pool_connections", "Open database connections")?;
        let idle = IntGauge::new("xiaofating_db_pool_idle", "Idle database connections")?;
        registry.register(Box::new(connections.clone()))?;
        registry.register(Box::new(idle.clone()))?;
        Ok(PoolGauges { connections, idle })
    }
}

/// Prometheus text: requests by route and status, latency histogram, pool state.
pub async fn get_metrics(
    state: web::Data<AppState>,
    registry: web::Data<Registry>,
    gauges: web::Data<PoolGauges>,
) -> HttpResponse {
    let pool = state.pool.state();
    gauges.connections.set(i64::from(pool.connections));
    gauges.idle.set(i64::from(pool.idle_connections));
    let mut buffer = Vec::new();
    if TextEncoder::new().encode(&registry.gather(), &mut buffer).is_err() {
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(buffer)
}
