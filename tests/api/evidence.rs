//! Evidence uploads and downloads: type by content, metadata removed, limits, and who may see files.

use crate::common::{spawn_app, spawn_app_with, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

const GPS_JPEG_HEAD: &[u8] = b"Exif\0\0MM\0*GPSLatitude 31.2304 N GPSLongitude 121.4737 E";

/// A small JPEG whose EXIF segment names where the photo was taken.
fn jpeg_with_gps(padding: usize) -> Vec<u8> {
    let mut exif = GPS_JPEG_HEAD.to_vec();
    let len = (exif.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.append(&mut exif);
    // A comment segment pads the file to the size a test needs.
    let mut left = padding;
    while left > 0 {
        let chunk = left.min(60_000);
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&((chunk + 2) as u16).to_be_bytes());
        out.extend(std::iter::repeat_n(b'x', chunk));
        left -= chunk;
    }
    out.extend_from_slice(&crate::common::browser::small_jpeg()[2..]);
    out
}

async fn open_case(app: &TestApp) -> (TestApp, TestApp, String) {
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let fields = [
        ("my_side", "buyer"),
        ("other_email", "seller@example.com"),
        ("order_ref", "XY-1"),
        ("item_title", "Sony WH-1000XM4 耳机"),
        ("category", "electronics"),
        ("dispute_type", "not_as_described"),
        ("price", "1200"),
        ("disputed", "1200"),
        ("statement", "耳机左边没有声音，卖家说是完好的，我要求退货退款。"),
        ("remedy", "return_refund"),
    ];
    let res = buyer.submit("/cases/new", "/cases", &fields).await;
    let case = res.headers()["location"].to_str().unwrap().trim_start_matches("/cases/").to_string();
    (buyer, seller, case)
}

#[tokio::test]
async fn a_photo_is_stored_without_its_location_and_shown_to_both_parties() {
    let app = spawn_app().await;
    let (buyer, seller, case) = open_case(&app).await;
    let res = buyer.upload_evidence(&case, "开箱照片，左耳罩有裂痕。", Some(("IMG_2041.JPG", jpeg_with_gps(0)))).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("evidence").await, 1, "one item: the photo with its caption");

    let page = seller.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("开箱照片，左耳罩有裂痕。"));
    let src = page.split("<img src=\"").nth(1).expect("a thumbnail").split('"').next().unwrap().to_string();
    let res = seller.get(&src).await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert!(headers["content-disposition"].to_str().unwrap().contains("IMG_2041.jpg"));
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    let bytes = res.bytes().await.unwrap();
    assert!(!bytes.windows(3).any(|w| w == b"GPS"), "no location reaches the other party");
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
    let recorded = app.count(&format!("evidence WHERE sha256 = '{}'", hex::encode(Sha256::digest(&bytes)))).await;
    assert_eq!(recorded, 1, "the SHA-256 of the stored file is recorded");
}

#[tokio::test]
async fn files_are_judged_by_content_not_by_name() {
    let app = spawn_app().await;
    let (buyer, _seller, case) = open_case(&app).await;
    for (name, bytes) in [
        ("photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec()),
        ("photo.jpg", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0".to_vec()),
        ("invoice.pdf", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec()),
    ] {
        let res = buyer.upload_evidence(&case, "", Some((name, bytes))).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("只接受照片"));
    }
    let res = buyer.upload_evidence(&case, "", None).await;
    assert!(res.text().await.unwrap().contains("请填写文字说明或选择要上传的文件"));
    assert_eq!(app.count("evidence").await, 0);
    assert_eq!(app.stored_files().await, 0);

    let pdf = include_bytes!("../fixtures/receipt-with-metadata.pdf").to_vec();
    assert_eq!(buyer.upload_evidence(&case, "", Some(("物流单.pdf", pdf))).await.status(), StatusCode::SEE_OTHER);
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    let href = page
        .split("class=\"file-link\"")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let res = buyer.get(&href).await;
    assert!(
        res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"),
        "PDFs download, never render inline"
    );
}

#[tokio::test]
async fn an_oversize_file_or_statement_keeps_what_was_typed_and_names_the_limit() {
    let app = spawn_app_with(|s| {
        s.limits.upload_max_bytes = 1024 * 1024;
        s.limits.video_max_bytes = 1024 * 1024;
    })
    .await;
    let (buyer, _seller, case) = open_case(&app).await;
    let caption = "开箱照片：左耳罩有裂痕，包装完好。";
    // Past the limit mid-stream: the rest is read and dropped, and the same form comes back.
    let res = buyer.upload_evidence(&case, caption, Some(("big.jpg", jpeg_with_gps(1300 * 1024)))).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!(">{caption}</textarea>")), "the caption is kept");
    assert!(page.contains("照片和 PDF 每个不超过 1 MB"), "the limit is named");
    assert!(page.contains("买家") && page.contains("/signout"), "in the signed-in frame");
    // A statement six times too long comes back whole, with the rule and its length.
    let long = "耳机左边没有声音。".repeat(3400);
    let res = buyer.upload_evidence(&case, &long, None).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains(&long), "all 30,600 characters are still there");
    assert!(page.contains("这里最多 5000 字，你写了 30600 字"), "the limit and the length are named");
    // Far past any upload (more than the court reads at all): refused, still signed in.
    let res = buyer.upload_evidence(&case, caption, Some(("huge.jpg", jpeg_with_gps(6 * 1024 * 1024)))).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = res.text().await.unwrap();
    assert!(page.contains("/signout") && page.contains("内容太大"), "{page}");
    assert_eq!(app.count("evidence").await, 0);
    assert_eq!(app.stored_files().await, 0);
}

#[tokio::test]
async fn a_party_withdraws_their_own_item_and_reports_only_the_other_sides() {
    let app = spawn_app().await;
    let (buyer, seller, case) = open_case(&app).await;
    let photo = Some(("wrong.jpg", crate::common::browser::small_jpeg()));
    assert_eq!(buyer.upload_evidence(&case, "拍错了的照片", photo).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(seller.upload_evidence(&case, "卖家的发货记录说明", None).await.status(), StatusCode::SEE_OTHER);
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    let own = page.split("拍错了的照片").nth(1).unwrap().split("</li>").next().unwrap();
    assert!(own.contains("你添加的") && own.contains("/withdraw\"") && !own.contains("/flag\""), "{own}");
    let theirs = page.split("卖家的发货记录说明").nth(1).unwrap().split("</li>").next().unwrap();
    assert!(theirs.contains("对方添加的") && theirs.contains("/flag\"") && !theirs.contains("/withdraw\""));
    assert!(page.contains("你：补充了证据（照片：wrong.jpg）"), "the timeline names who added what");
    assert!(page.contains("回应方：补充了证据（文字陈述）"));

    let item = own.split("/evidence/").nth(1).unwrap().split(['"', '/']).next().unwrap().to_string();
    // Reporting one's own item is refused; withdrawing it works, and only by its author.
    let flag =
        buyer.submit(&format!("/cases/{case}"), &format!("/cases/{case}/evidence/{item}/flag"), &[("note", "")]).await;
    assert_eq!(flag.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("flags").await, 0);
    let stolen =
        seller.submit(&format!("/cases/{case}"), &format!("/cases/{case}/evidence/{item}/withdraw"), &[]).await;
    assert_eq!(stolen.status(), StatusCode::NOT_FOUND);
    let res = buyer.submit(&format!("/cases/{case}"), &format!("/cases/{case}/evidence/{item}/withdraw"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{item}: {own}");
    assert_eq!(app.count("evidence WHERE withdrawn_at IS NOT NULL").await, 1, "kept for the audit trail");
    let after = seller.get_html(&format!("/cases/{case}")).await;
    assert!(!after.contains("拍错了的照片"), "gone from the other side's view");
    assert!(after.contains("发起方：撤回了一项证据（照片：wrong.jpg）"), "{after}");
    assert_eq!(seller.get(&format!("/evidence/{item}")).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_party_has_a_file_cap() {
    let app = spawn_app_with(|s| s.limits.files_per_party = 2).await;
    let (buyer, seller, case) = open_case(&app).await;
    for _ in 0..2 {
        assert_eq!(
            buyer.upload_evidence(&case, "", Some(("a.jpg", jpeg_with_gps(0)))).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let res = buyer.upload_evidence(&case, "", Some(("a.jpg", jpeg_with_gps(0)))).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("已达上限"));
    // Withdrawing a file is no way around the cap: it still counts.
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    let withdraw = page.split("action=\"").find(|a| a.contains("/withdraw\"") && a.contains("/evidence/")).unwrap();
    let withdraw = withdraw.split('"').next().unwrap().to_string();
    assert_eq!(buyer.submit(&format!("/cases/{case}"), &withdraw, &[]).await.status(), StatusCode::SEE_OTHER);
    let res = buyer.upload_evidence(&case, "", Some(("a.jpg", jpeg_with_gps(0)))).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a withdrawn file still counts");
    assert_eq!(
        buyer.upload_evidence(&case, "只有文字的说明不受文件数量限制。", None).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        seller.upload_evidence(&case, "", Some(("b.jpg", jpeg_with_gps(0)))).await.status(),
        StatusCode::SEE_OTHER,
        "the cap is per party"
    );
}

#[tokio::test]
async fn only_the_parties_and_moderators_can_fetch_a_file() {
    let app = spawn_app().await;
    let (buyer, _seller, case) = open_case(&app).await;
    buyer.upload_evidence(&case, "", Some(("a.jpg", jpeg_with_gps(0)))).await;
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    let src = page.split("<img src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

    let stranger = app.verified_member("stranger@example.com", "路人").await;
    assert_eq!(stranger.get(&src).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.new_visitor().get(&src).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(stranger.get("/evidence/doesnotexist1234").await.status(), StatusCode::NOT_FOUND);

    let moderator = app.verified_member("mod@example.com", "管理员").await;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let now = chrono::Utc::now().naive_utc();
        xiaofating::services::account::moderator::create_or_promote(
            &mut pool.get().unwrap(),
            "mod@example.com",
            xiaofating::domain::account::Role::Moderator,
            now,
            &mut rand::rng(),
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(moderator.get(&src).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn uploads_need_the_form_token() {
    let app = spawn_app().await;
    let (buyer, _seller, case) = open_case(&app).await;
    let form = Form::new()
        .text("evidence_statement", "没有令牌的上传")
        .part("file", Part::bytes(jpeg_with_gps(0)).file_name("a.jpg"));
    let res = buyer.client.post(buyer.url(&format!("/cases/{case}/evidence"))).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let form = Form::new().text("csrf_token", "forged").text("evidence_statement", "伪造的令牌");
    let res = buyer.client.post(buyer.url(&format!("/cases/{case}/evidence"))).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("evidence").await, 0);
}

#[tokio::test]
async fn concurrent_uploads_cannot_pass_the_file_cap_together() {
    let app = spawn_app_with(|s| s.limits.files_per_party = 3).await;
    let (buyer, _seller, case) = open_case(&app).await;
    let uploads = (0..8).map(|n| buyer.upload_evidence(&case, "", Some(("a.jpg", jpeg_with_gps(n)))));
    let answers = futures_util::future::join_all(uploads).await;
    let stored = answers.iter().filter(|r| r.status() == StatusCode::SEE_OTHER).count();
    assert_eq!(stored, 3, "exactly up to the cap");
    assert_eq!(app.count("evidence WHERE kind = 'file'").await, 3);
}

#[tokio::test]
async fn a_chunked_upload_without_a_length_is_cut_off_at_the_same_total() {
    let app = spawn_app_with(|s| {
        s.limits.upload_max_bytes = 1024 * 1024;
        s.limits.video_max_bytes = 1024 * 1024;
    })
    .await;
    let (buyer, _seller, case) = open_case(&app).await;
    let token = crate::common::csrf_of(&buyer.get_html(&format!("/cases/{case}")).await);
    let boundary = "xftboundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    );
    // 100 MiB offered with no Content-Length (chunked), far past what the court reads at all.
    let parts = std::iter::once(head.into_bytes()).chain((0..100).map(|_| vec![0xAB; 1024 * 1024]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(parts.map(Ok::<_, std::io::Error>)));
    let res = buyer
        .client
        .post(buyer.url(&format!("/cases/{case}/evidence")))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("the court answers before the sender is done");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "refused once the total passes the cap");
    assert_eq!(app.count("evidence").await, 0);
    assert_eq!(app.stored_files().await, 0);
}

fn iso_box(kind: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// An MP4 filmed in Shanghai (QuickTime's `©xyz` atom), with `frames` bytes of media.
fn mp4_filmed_in_shanghai(frames: usize) -> Vec<u8> {
    let xyz = iso_box(b"\xa9xyz", b"\x00\x12\x15\xc7+31.2304+121.4737/");
    let moov = iso_box(b"moov", &[iso_box(b"mvhd", &[0; 100]), iso_box(b"udta", &xyz)].concat());
    let media: Vec<u8> = (0..frames).map(|i| (i % 251) as u8).collect();
    [iso_box(b"ftyp", b"isom\0\0\x02\0isommp41"), moov, iso_box(b"mdat", &media)].concat()
}

/// A video is taken by its content with a limit of its own, stored without where it was filmed,
/// played in a `<video>` and served in byte ranges so a browser can seek; a fake one is refused.
#[tokio::test]
async fn an_unboxing_video_is_accepted_by_content_without_its_location_and_seekable() {
    let app = spawn_app_with(|s| {
        s.limits.upload_max_bytes = 64 * 1024;
        s.limits.video_max_bytes = 512 * 1024;
    })
    .await;
    let (buyer, seller, case) = open_case(&app).await;
    let video = mp4_filmed_in_shanghai(300 * 1024);
    assert!(video.len() > 64 * 1024, "larger than a photo may be");
    let res = buyer
        .upload_declared(&case, "unboxing_video", "开箱视频：左耳罩有裂痕", Some(("开箱.mp4", video.clone())))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = seller.get_html(&format!("/cases/{case}")).await;
    let src = page.split("<video class=\"evidence-video\" controls preload=\"metadata\" src=\"").nth(1).unwrap();
    let src = src.split('"').next().unwrap().to_string();

    let whole = seller.get(&src).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let stored = whole.bytes().await.unwrap();
    assert_eq!(stored.len(), video.len(), "the same size: every offset in the file still right");
    assert!(!stored.windows(8).any(|w| w == b"+31.2304"), "where it was filmed is gone");
    assert!(stored.ends_with(&video[video.len() - 1000..]), "the frames are untouched");

    let part = seller.client.get(seller.url(&src)).header("Range", "bytes=1000-1999").send().await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], format!("bytes 1000-1999/{}", video.len()));
    assert_eq!(part.bytes().await.unwrap().as_ref(), &stored[1000..2000]);
    let stranger = app.verified_member("stranger@example.com", "路人").await;
    let probe = stranger.client.get(stranger.url(&src)).header("Range", "bytes=0-99").send().await.unwrap();
    assert_eq!(probe.status(), StatusCode::NOT_FOUND, "a range is no way in");

    // A text file named .mp4 is refused; so is a video past its own limit.
    let fake =
        buyer.upload_declared(&case, "unboxing_video", "", Some(("fake.mp4", b"not a video at all".repeat(10)))).await;
    assert_eq!(fake.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fake.text().await.unwrap().contains("视频（MP4、MOV、WebM）"), "the accepted types are named");
    let long = buyer
        .upload_declared(&case, "unboxing_video", "完整版", Some(("long.mp4", mp4_filmed_in_shanghai(600 * 1024))))
        .await;
    assert_eq!(long.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("evidence").await, 1);
}
