//! The benchmark's yardstick (cargo feature `bench-baseline`, never in a normal build): a
//! TechEmpower "fortunes" page on the court's own stack — the same app, middleware, pool and
//! `AppState::db` — that reads twelve rows, adds one, sorts them and renders an escaped template.
//! `scripts/bench-http` compares the court's pages with it.

use crate::db::DbConnection;
use crate::routes::context::AppState;
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use crate::services::ServiceError;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;

diesel::table! {
    fortune (id) {
        id -> Integer,
        message -> Text,
    }
}

#[derive(Queryable)]
struct Fortune {
    id: i32,
    message: String,
}

#[derive(Template)]
#[template(path = "bench_fortunes.html")]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

const MESSAGES: [&str; 12] = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

/// Creates and fills the table once (it is not part of the court's migrations).
pub fn prepare(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("CREATE TABLE IF NOT EXISTS fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL)")
        .execute(conn)?;
    if fortune::table.count().get_result::<i64>(conn)? == 0 {
        for (i, message) in MESSAGES.iter().enumerate() {
            diesel::insert_into(fortune::table)
                .values((fortune::id.eq(i as i32 + 1), fortune::message.eq(*message)))
                .execute(conn)?;
        }
    }
    Ok(())
}

pub async fn get_fortunes(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let mut fortunes =
        state.db(|conn| fortune::table.load::<Fortune>(conn).map_err(|e| ServiceError::from(e).into())).await?;
    fortunes.push(Fortune { id: 0, message: "Additional fortune added at request time.".into() });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    ok_page(&FortunesPage { fortunes })
}
