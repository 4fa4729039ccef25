//! The OpenAPI document and the human API reference page.

use crate::routes::Routes;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Townsquare API", version = "1", description = "The JSON API of a Townsquare instance. Authenticate with `Authorization: Bearer <token>`; get a token from `POST /api/v1/auth/token` or your account settings. Errors are `application/problem+json` (RFC 9457). Lists are cursor-paginated: pass `next_cursor` back as `cursor`."),
    paths(
        super::accounts::signup, super::accounts::token, super::accounts::me, super::accounts::export, super::accounts::update_me,
        super::accounts::change_password, super::accounts::delete_me, super::accounts::list_tokens, super::accounts::create_token,
        super::accounts::revoke_token, super::accounts::request_reset, super::accounts::confirm_reset,
        super::communities::list, super::communities::create, super::communities::show, super::communities::update,
        super::communities::departed_posts, super::communities::set_departed_posts,
        super::communities::join, super::communities::leave, super::communities::members,
        super::communities::set_role, super::communities::approve, super::communities::decline,
        super::spaces::list, super::spaces::create, super::spaces::show, super::spaces::update,
        super::spaces::join, super::spaces::leave,
        super::discussions::list_topics, super::discussions::create_topic, super::discussions::show_topic,
        super::discussions::reply, super::discussions::accept, super::discussions::moderate,
        super::discussions::edit_post, super::discussions::delete_post, super::discussions::revisions,
        super::discussions::reactions, super::discussions::add_reaction, super::discussions::remove_reaction,
        super::discussions::search, super::notifications::list, super::notifications::mark_read,
        super::notifications::preferences, super::notifications::set_preferences,
        super::reading::set_level, super::reading::add_bookmark, super::reading::remove_bookmark,
        super::reading::bookmarks, super::discussions::move_topic, super::discussions::merge_topic,
        super::files::upload, crate::html::files::download, super::admin::overview,
        super::invitations::list_invitations, super::invitations::create_link, super::invitations::invite_by_email,
        super::invitations::revoke_invitation, super::invitations::show_invitation, super::invitations::accept_invitation,
        super::engagement::list_prompts, super::engagement::schedule_prompt, super::engagement::cancel_prompt,
        super::engagement::feature, super::engagement::unfeature, super::engagement::newcomers,
        super::engagement::set_introductions,
        super::topic_lists::list, super::topic_lists::unread, super::topic_lists::set_space_level,
        super::moderation::flag, super::moderation::act, super::moderation::queue, super::moderation::log,
        super::moderation::sanction, super::moderation::sanctions, super::moderation::lift,
        super::moderation::appeal, super::moderation::appeals, super::moderation::resolve_appeal,
        super::moderation::mine,
        super::auto_moderation::settings, super::auto_moderation::add_rule,
        super::auto_moderation::remove_rule, super::auto_moderation::save_limits,
        super::auto_moderation::held, super::auto_moderation::decide,
        super::moderation::members::member_case, super::moderation::members::notes,
        super::moderation::members::add_note, super::moderation::edits::moderator_edit,
        super::moderation::reports::flag_member, super::moderation::reports::flag_event,
        super::moderation::reports::reports, super::moderation::reports::resolve,
        super::moderation::reports::my_flags, super::moderation::reports::settings,
        super::moderation::reports::set_settings,
        super::events::list_events, super::events::community_events, super::events::create_event, super::events::show_event,
        super::events::update_event, super::events::register, super::events::cancel,
        super::events::attendance, super::events::set_attendance, super::events::cancel_event,
        super::events::show_series, super::events::update_series, super::events::cancel_series,
        super::analytics::analytics, super::analytics::series_csv, super::analytics::events_csv,
        super::analytics::charts_csv::figures_csv, super::analytics::charts_csv::daily_csv,
        super::analytics::charts_csv::cohorts_csv, super::analytics::charts_csv::acquisition_csv,
        super::analytics::pulse::pulse,
        super::analytics::lists::lists, super::analytics::lists::list_csv,
        super::analytics::report::report, super::analytics::report::save_notes,
        super::analytics::report::save_recipients,
        super::onboarding::checklist, super::onboarding::opt_out,
        super::onboarding::settings, super::onboarding::save_settings,
        super::onboarding::funnel,
        super::membership_tiers::list_tiers, super::membership_tiers::create_tier,
        super::membership_tiers::update_tier, super::membership_tiers::archive_tier,
        super::membership_tiers::list_terms, super::membership_tiers::my_tier,
        super::membership_tiers::member_tier, super::membership_tiers::assign_tier,
        super::membership_tiers::renew_tier, super::membership_tiers::end_tier,
        super::membership_tiers::churn, super::membership_tiers::change_tier,
        super::membership_tiers::cancel_tier_change,
        super::membership_tiers::offered_tiers, super::membership_tiers::request_change,
        super::membership_tiers::tier_defaults, super::membership_tiers::set_tier_defaults,
        super::member_360::timeline, super::member_360::timeline_csv, super::member_import::import,
        super::applications::list_questions, super::applications::add_question, super::applications::delete_question,
        super::applications::update_question, super::applications::reorder_questions,
        super::profiles::my_profile, super::profiles::update_my_profile, super::profiles::list_fields, super::profiles::joining_fields,
        super::profiles::set_avatar, super::profiles::remove_avatar,
        super::profiles::create_field, super::profiles::update_field, super::profiles::delete_field,
        super::profiles::my_answers, super::profiles::save_answers, super::profiles::member_profile,
        super::profiles::directory,
        super::event_live::list_questions, super::event_live::ask, super::event_live::upvote,
        super::event_live::withdraw_vote, super::event_live::answer, super::event_live::hide,
        super::event_live::list_polls, super::event_live::create_poll, super::event_live::poll_status,
        super::event_live::vote, super::event_followups::followup, super::event_followups::set_recording,
        super::event_followups::add_resource, super::event_followups::publish_recap,
        super::event_followups::request_feedback, super::event_followups::give_feedback,
        super::event_followups::feedback_summary, super::event_followups::archive,
        super::event_followups::followup_settings, super::event_followups::set_followup_settings,
        super::event_followups::upload_recording,
        super::event_hosts::people, super::event_hosts::add_host, super::event_hosts::remove_host,
        super::event_hosts::add_speaker, super::event_hosts::remove_speaker,
        super::event_covers::cover, super::event_covers::set_cover, super::event_covers::remove_cover,
    ),
    modifiers(&BearerAuth),
    tags((name = "accounts"), (name = "communities"), (name = "spaces"), (name = "discussions"), (name = "notifications"), (name = "engagement"), (name = "files"), (name = "moderation"), (name = "admin"), (name = "invitations"), (name = "events"), (name = "analytics"), (name = "members"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI 3.1 document, as JSON.
pub fn openapi() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/openapi.json", get(openapi_json))
        .get("/api", get(reference))
}

async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi()).into_response()
}

/// A plain reference page generated from the same document: every operation with its
/// method, path, summary and parameters.
async fn reference() -> Html<String> {
    let doc = ApiDoc::openapi();
    let mut body = String::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let summary = op.summary.clone().unwrap_or_default();
            let description = op.description.clone().unwrap_or_default();
            body.push_str(&format!(
                "<section class=\"card\"><h2><code>{method} {}</code></h2><p><strong>{}</strong></p><p>{}</p></section>\n",
                escape(path), escape(&summary), escape(&description)
            ));
        }
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API reference · Townsquare</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>\
         <header class=\"topbar\"><nav class=\"topbar-inner\" aria-label=\"Main\"><a class=\"brand\" href=\"/\">Townsquare</a></nav></header>\
         <main id=\"main\" class=\"narrow\"><h1>API reference</h1><p>{}</p><p>Machine-readable: <a href=\"/api/v1/openapi.json\">OpenAPI 3.1 document</a>. \
         Realtime: <code>GET /api/v1/stream</code> (WebSocket).</p>{body}</main></body></html>",
        escape(doc.info.description.as_deref().unwrap_or(""))
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
