use crate::routes::context::AppState;
use actix_web::{web, HttpResponse};
use prometheus::{Encoder, IntGauge, Registry, TextEncoder};

/// 200 when the database answers, 503 when it does not.
/// Liveness, for a load balancer or a supervisor: the process answers. It asks nothing of the
/// database, so a database outage does not get every server restarted.
pub async fn get_healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "alive"}))
}

/// Readiness: the database answers and its migrations are done; 503 until then.
pub async fn get_readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    if web::block(move || crate::db::ready(&pool)).await.unwrap_or(false) {
        HttpResponse::Ok().json(serde_json::json!({"status": "ready", "database": "ok"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "database": "unreachable or migrating"}))
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
