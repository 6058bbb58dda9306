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
        reminders_enabled -> Bool,
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
    reestimations (id) {
        id -> Integer,
        ran_at -> Timestamp,
        jurors -> Integer,
        judgements -> Integer,
        iterations -> Integer,
    }
}

diesel::table! {
    leaderboard_snapshots (id) {
        id -> Integer,
        published_at -> Timestamp,
        closed_cases -> BigInt,
        entries -> Text,
    }
}

diesel::table! {
    sign_ins (id) {
        id -> Integer,
        user_id -> Integer,
        device_hash -> Text,
        address_hash -> Nullable<Text>,
        signed_in_at -> Timestamp,
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
        api_key_id -> Nullable<Integer>,
    }
}

diesel::table! {
    cases (id) {
        id -> Integer,
        public_id -> Text,
        submission_key -> Text,
        claimant_id -> Integer,
        claimant_side -> Text,
        respondent_id -> Nullable<Integer>,
        respondent_email -> Text,
        order_ref -> Text,
        item_title -> Text,
        category -> Text,
        price_fen -> BigInt,
        disputed_fen -> BigInt,
        currency -> Text,
        claim_statement -> Text,
        remedy -> Text,
        remedy_fen -> Nullable<BigInt>,
        answer_statement -> Nullable<Text>,
        answer_remedy -> Nullable<Text>,
        answer_remedy_fen -> Nullable<BigInt>,
        answered_at -> Nullable<Timestamp>,
        state -> Text,
        response_due_at -> Nullable<Timestamp>,
        evidence_due_at -> Nullable<Timestamp>,
        evidence_hours -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        escalation_reason -> Nullable<Text>,
        calibration_outcome -> Nullable<Text>,
        round -> Integer,
        outcome -> Nullable<Text>,
        appeal_due_at -> Nullable<Timestamp>,
        dispute_type -> Nullable<Text>,
        triage_type -> Nullable<Text>,
        triage_confidence -> Nullable<Double>,
        respondent_type -> Nullable<Text>,
        order_id -> Nullable<Integer>,
        order_unverified -> Bool,
        remedy_report -> Nullable<Text>,
        remedy_reference -> Nullable<Text>,
        remedy_done_fen -> Nullable<BigInt>,
        remedy_reported_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_events (id) {
        id -> Integer,
        case_id -> Integer,
        seq -> Integer,
        kind -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        actor_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    settlement_offers (id) {
        id -> Integer,
        case_id -> Integer,
        proposer_id -> Integer,
        remedy -> Text,
        remedy_fen -> Nullable<BigInt>,
        note -> Text,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Integer,
        public_id -> Text,
        case_id -> Integer,
        submitted_by -> Integer,
        party_side -> Text,
        kind -> Text,
        body -> Nullable<Text>,
        file_name -> Nullable<Text>,
        content_type -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        sha256 -> Nullable<Text>,
        storage_name -> Nullable<Text>,
        created_at -> Timestamp,
        round -> Integer,
        withdrawn_at -> Nullable<Timestamp>,
        proof -> Nullable<Text>,
        from_marketplace -> Bool,
    }
}

diesel::table! {
    jobs (id) {
        id -> Integer,
        kind -> Text,
        case_id -> Integer,
        run_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        dead_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    jurors (user_id) {
        user_id -> Integer,
        status -> Text,
        expertise -> Integer,
        interests -> Text,
        trading_side -> Text,
        capacity -> Integer,
        probation_attempt -> Integer,
        probation_retry_at -> Nullable<Timestamp>,
        passed_probation_at -> Nullable<Timestamp>,
        status_reason -> Nullable<Text>,
        no_show_streak -> Integer,
        summons_answered -> Integer,
        summons_ignored -> Integer,
        buyer_right -> Double,
        buyer_right_voted_buyer -> Double,
        seller_right -> Double,
        seller_right_voted_seller -> Double,
        account_created_at -> Timestamp,
        joined_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    juror_category_tallies (category, juror_id) {
        juror_id -> Integer,
        category -> Text,
        buyer_right -> Double,
        buyer_right_voted_buyer -> Double,
        seller_right -> Double,
        seller_right_voted_seller -> Double,
    }
}

diesel::table! {
    summons (id) {
        id -> Integer,
        case_id -> Integer,
        juror_id -> Integer,
        round -> Integer,
        status -> Text,
        summoned_at -> Timestamp,
        respond_by -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mock_reviews (id) {
        id -> Integer,
        juror_id -> Integer,
        case_id -> Integer,
        attempt -> Integer,
        vote -> Text,
        reason -> Text,
        correct -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jury_rounds (id) {
        id -> Integer,
        case_id -> Integer,
        round -> Integer,
        policy -> Text,
        opened_at -> Timestamp,
        voting_due_at -> Nullable<Timestamp>,
        replaced_missing -> Bool,
        outcome -> Nullable<Text>,
        buyer_votes -> Integer,
        seller_votes -> Integer,
        decided_at -> Nullable<Timestamp>,
        appealed_by -> Nullable<Integer>,
        appeal_reason -> Nullable<Text>,
        appealed_at -> Nullable<Timestamp>,
        overruled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    votes (id) {
        id -> Integer,
        case_id -> Integer,
        round -> Integer,
        juror_id -> Integer,
        side -> Text,
        reason -> Text,
        cast_at -> Timestamp,
    }
}

diesel::table! {
    overrides (id) {
        id -> Integer,
        case_id -> Integer,
        moderator_id -> Integer,
        outcome -> Text,
        remedy -> Text,
        amount_fen -> Nullable<BigInt>,
        jury_outcome -> Nullable<Text>,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    flags (id) {
        id -> Integer,
        case_id -> Integer,
        evidence_id -> Nullable<Integer>,
        vote_id -> Nullable<Integer>,
        flagged_by -> Integer,
        note -> Text,
        created_at -> Timestamp,
        resolution -> Nullable<Text>,
        resolved_by -> Nullable<Integer>,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    calibration_audits (id) {
        id -> Integer,
        juror_id -> Integer,
        case_id -> Integer,
        assigned_at -> Timestamp,
        vote -> Nullable<Text>,
        reason -> Nullable<Text>,
        correct -> Nullable<Bool>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        actor_id -> Integer,
        action -> Text,
        case_id -> Nullable<Integer>,
        subject_id -> Nullable<Integer>,
        before_value -> Text,
        after_value -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Integer,
        name -> Text,
        key_hash -> Text,
        webhook_url -> Nullable<Text>,
        webhook_secret -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    orders (id) {
        id -> Integer,
        api_key_id -> Integer,
        external_id -> Text,
        buyer_ref -> Text,
        buyer_email -> Text,
        buyer_name -> Text,
        seller_ref -> Text,
        seller_email -> Text,
        seller_name -> Text,
        item_title -> Text,
        category -> Text,
        price_fen -> BigInt,
        currency -> Text,
        paid_at -> Nullable<Timestamp>,
        shipped_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        carrier -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (api_key_id, idem_key) {
        api_key_id -> Integer,
        idem_key -> Text,
        fingerprint -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    court_settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(sign_ins -> users (user_id));
diesel::table! {
    notifications (id) {
        id -> Integer,
        user_id -> Integer,
        message_key -> Text,
        case_public_id -> Nullable<Text>,
        payload -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(jurors -> users (user_id));
diesel::joinable!(juror_category_tallies -> jurors (juror_id));
diesel::joinable!(summons -> cases (case_id));
diesel::joinable!(summons -> jurors (juror_id));
diesel::joinable!(mock_reviews -> cases (case_id));
diesel::joinable!(mock_reviews -> jurors (juror_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(settlement_offers -> cases (case_id));
diesel::joinable!(evidence -> cases (case_id));
diesel::joinable!(jobs -> cases (case_id));
diesel::joinable!(jury_rounds -> cases (case_id));
diesel::joinable!(votes -> cases (case_id));
diesel::joinable!(votes -> jurors (juror_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(overrides -> cases (case_id));
diesel::joinable!(flags -> cases (case_id));
diesel::joinable!(calibration_audits -> cases (case_id));
diesel::joinable!(calibration_audits -> jurors (juror_id));
diesel::joinable!(audit_log -> cases (case_id));
diesel::joinable!(orders -> api_keys (api_key_id));
diesel::joinable!(cases -> orders (order_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    orders,
    idempotency_keys,
    users,
    auth_sessions,
    sign_ins,
    leaderboard_snapshots,
    reestimations,
    email_tokens,
    outbox,
    notifications,
    cases,
    case_events,
    settlement_offers,
    evidence,
    jobs,
    jurors,
    juror_category_tallies,
    summons,
    mock_reviews,
    jury_rounds,
    votes,
    overrides,
    flags,
    calibration_audits,
    audit_log
);
