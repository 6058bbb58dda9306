use crate::routes::context::Ctx;
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use actix_web::HttpResponse;
use askama::Template;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
}

pub async fn get_home(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ok_page(&HomePage { ctx })
}
