// One schema for both backends: portable column types only (see DESIGN.md, "Database").

diesel::table! {
    users (id) {
        id -> Integer,
        public_id -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        locale -> Text,
        time_zone -> Text,
        role -> Text,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Integer,
        message_key -> Text,
        kind -> Text,
        recipient_email -> Text,
        locale -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        available_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, auth_sessions, email_tokens, outbox);
