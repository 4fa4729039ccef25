//! The authorization table: for every route the server registers, the status each kind of
//! caller gets. The table must list exactly the routes of `townsquare_web::route_table()`,
//! so a new route cannot ship without deciding who may use it.
//!
//! Fixture: a private, approval community `council` (owned by someone who is not a caller) with
//! a members-only space `room`, and a second, public community owned by the outsider.
//! API routes (`/api/v1/...`) are called with bearer tokens; pages with a session cookie and
//! the page's CSRF token, redirects not followed. `LOGIN` means "303 to /login".
//! Read-only routes share one fixture; every state-changing route gets a fresh one, and the
//! join-request decisions a fresh one per caller (one decision would otherwise consume the
//! request for the next caller).

use std::sync::Arc;
use townsquare_app::accounts::CredentialKind;
use townsquare_app::communities::CommunityInput;
use townsquare_app::discussions::TopicInput;
use townsquare_app::engagement::PromptInput;
use townsquare_app::spaces::SpaceInput;
use townsquare_app::Actor;
use townsquare_testkit::{TestApp, PASSWORD};

/// 303 to /login (an anonymous visitor sent to sign in).
const LOGIN: u16 = 1;

/// Columns of the table, in order.
const CALLERS: [&str; 6] = [
    "anonymous",
    "member",
    "outsider",
    "moderator",
    "admin",
    "superadmin",
];

/// (method, path pattern, body, [anonymous, member, outsider, moderator, admin, superadmin]).
/// Bodies may use `{who}` (the caller's column name) and `{email}` (the caller's e-mail);
/// page bodies are urlencoded (the CSRF token is added), API bodies are JSON.
type Row = (&'static str, &'static str, &'static str, [u16; 6]);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // Operations and documentation: public.
    ("GET", "/healthz", "", [200, 200, 200, 200, 200, 200]),
    ("GET", "/readyz", "", [200, 200, 200, 200, 200, 200]),
    ("GET", "/metrics", "", [200, 200, 200, 200, 200, 200]),
    ("GET", "/static/{file}", "", [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/openapi.json", "", [200, 200, 200, 200, 200, 200]),
    ("GET", "/api", "", [200, 200, 200, 200, 200, 200]),
    // Account pages.
    ("GET", "/", "", [200, 200, 200, 200, 200, 200]),
    ("GET", "/signup", "", [200, 303, 303, 303, 303, 303]),
    ("POST", "/signup", "email=new-{who}%40example.org&display_name=New+{who}&password=a+long+enough+password", [303, 303, 303, 303, 303, 303]),
    ("GET", "/login", "", [200, 200, 200, 200, 200, 200]),
    ("POST", "/login", "email=member%40example.org&password=correct+horse+battery&next=%2F", [303, 303, 303, 303, 303, 303]),
    ("POST", "/logout", "", [303, 303, 303, 303, 303, 303]),
    ("GET", "/password/forgot", "", [200, 200, 200, 200, 200, 200]),
    ("POST", "/password/forgot", "email=member%40example.org", [200, 200, 200, 200, 200, 200]),
    ("GET", "/password/reset/{token}", "", [200, 200, 200, 200, 200, 200]),
    ("POST", "/password/reset/{token}", "password=a+long+enough+password", [422, 422, 422, 422, 422, 422]),
    ("GET", "/settings/account", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("GET", "/settings/account/export.json", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("POST", "/settings/account", "email={email}&display_name=Renamed+{who}&handle=h_{who}", [LOGIN, 303, 303, 303, 303, 303]),
    ("POST", "/settings/password", "current_password=correct+horse+battery&new_password=another+long+password", [LOGIN, 303, 303, 303, 303, 303]),
    ("POST", "/settings/tokens", "name=laptop", [LOGIN, 200, 200, 200, 200, 200]),
    // {id} is one of the member's tokens: only the member may revoke it.
    ("POST", "/settings/tokens/{id}/revoke", "", [LOGIN, 303, 404, 404, 404, 404]),
    // The instance page: superadmins only; everyone else signed in is refused (403).
    ("GET", "/admin", "", [LOGIN, 403, 403, 403, 403, 200]),
    ("POST", "/admin/superadmins", "email=member%40example.org&action=grant", [LOGIN, 403, 403, 403, 403, 303]),
    ("GET", "/api/v1/admin/overview", "", [401, 403, 403, 403, 403, 200]),
    // Community pages. Outsiders get 404 for the private community, as if it did not exist.
    ("GET", "/communities", "", [200, 200, 200, 200, 200, 200]),
    ("GET", "/communities/new", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("POST", "/communities", "name=New+{who}&slug=new-{who}&visibility=public&join_policy=open&accent_color=%234f46e5", [LOGIN, 303, 303, 303, 303, 303]),
    ("GET", "/c/{slug}", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/c/{slug}/settings", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings", "name=Council&visibility=private&join_policy=approval&accent_color=%234f46e5", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/departed-posts", "departed_posts=remove", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/departed-posts", "", [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/departed-posts", r#"{"departed_posts":"keep"}"#, [401, 403, 404, 403, 200, 200]),
    // The join form on its own page: members (and requests) go back to the community.
    ("GET", "/c/{slug}/join", "", [LOGIN, 303, 404, 303, 303, 200]),
    ("POST", "/c/{slug}/join", "note=hello", [LOGIN, 303, 404, 303, 303, 303]),
    // A superadmin who is not a member has nothing to leave.
    ("POST", "/c/{slug}/leave", "", [LOGIN, 303, 404, 303, 303, 422]),
    ("GET", "/c/{slug}/members", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/c/{slug}/members.csv", "", [LOGIN, 403, 404, 403, 200, 200]),
    // Member 360: {user_id} is a plain member; moderators and admins see their record.
    ("GET", "/c/{slug}/members/{user_id}/360", "", [LOGIN, 403, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/members/{user_id}/timeline", "", [401, 403, 404, 200, 200, 200]),
    // The timeline as CSV: admins only.
    ("GET", "/c/{slug}/members/{user_id}/360.csv", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/members/{user_id}/timeline.csv", "", [401, 403, 404, 403, 200, 200]),
    // {user_id} is a plain member; the role asked for is moderator.
    ("POST", "/c/{slug}/members/{user_id}/role", "role=moderator", [LOGIN, 403, 404, 403, 303, 303]),
    // {user_id} has a pending join request.
    ("POST", "/c/{slug}/requests/{user_id}/approve", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/requests/{user_id}/decline", "", [LOGIN, 403, 404, 403, 303, 303]),
    // Space pages; the space is members-only.
    ("GET", "/c/{slug}/spaces/new", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/spaces", "name=Space+{who}&slug=sp-{who}&kind=discussion&visibility=everyone", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/c/{slug}/s/{space}", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/c/{slug}/s/{space}/settings", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/s/{space}/settings", "name=Members+room&description=x&visibility=members", [LOGIN, 403, 404, 403, 303, 303]),
    // A superadmin sees every space but joins spaces only as a member of the community.
    ("POST", "/c/{slug}/s/{space}/join", "", [LOGIN, 303, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/s/{space}/leave", "", [LOGIN, 303, 404, 303, 303, 303]),
    // Following a space is for members of the community.
    ("POST", "/c/{slug}/s/{space}/subscription", "level=following", [LOGIN, 303, 404, 303, 303, 403]),
    // Files: {id} is a file the member shared in the private community.
    ("GET", "/files/{id}", "", [404, 200, 404, 200, 200, 200]),
    // API: accounts.
    ("POST", "/api/v1/auth/signup", r#"{"email":"api-{who}@example.org","display_name":"Api {who}","password":"a long enough password"}"#, [201, 201, 201, 201, 201, 201]),
    ("POST", "/api/v1/auth/token", r#"{"email":"member@example.org","password":"correct horse battery"}"#, [201, 201, 201, 201, 201, 201]),
    ("POST", "/api/v1/auth/password-reset", r#"{"email":"member@example.org"}"#, [202, 202, 202, 202, 202, 202]),
    ("POST", "/api/v1/auth/password-reset/confirm", r#"{"token":"not-a-reset-token","password":"a long enough password"}"#, [422, 422, 422, 422, 422, 422]),
    ("GET", "/api/v1/me", "", [401, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/me/export", "", [401, 200, 200, 200, 200, 200]),
    ("PATCH", "/api/v1/me", r#"{"display_name":"Renamed {who}"}"#, [401, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/me/password", r#"{"current_password":"correct horse battery","new_password":"another long password"}"#, [401, 204, 204, 204, 204, 204]),
    // Deleting one's account needs the password (a wrong one here: nothing is deleted).
    ("POST", "/api/v1/me/delete", r#"{"password":"not the password"}"#, [401, 422, 422, 422, 422, 422]),
    ("POST", "/settings/account/delete", "password=not+the+password", [LOGIN, 422, 422, 422, 422, 422]),
    ("GET", "/api/v1/me/tokens", "", [401, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/me/tokens", r#"{"name":"laptop"}"#, [401, 201, 201, 201, 201, 201]),
    ("DELETE", "/api/v1/me/tokens/{id}", "", [401, 204, 404, 404, 404, 404]),
    // API: communities.
    ("GET", "/api/v1/communities", "", [200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/communities", r#"{"name":"New {who}","slug":"new-{who}"}"#, [401, 201, 201, 201, 201, 201]),
    ("GET", "/api/v1/communities/{slug}", "", [404, 200, 404, 200, 200, 200]),
    ("PATCH", "/api/v1/communities/{slug}", r#"{"description":"Changed"}"#, [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/join", "{}", [401, 200, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/leave", "", [401, 204, 404, 204, 204, 422]),
    ("GET", "/api/v1/communities/{slug}/members", "", [404, 200, 404, 200, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/members/{user_id}/role", r#"{"role":"moderator"}"#, [401, 403, 404, 403, 204, 204]),
    ("POST", "/api/v1/communities/{slug}/requests/{user_id}/approve", "", [401, 403, 404, 403, 204, 204]),
    ("POST", "/api/v1/communities/{slug}/requests/{user_id}/decline", "", [401, 403, 404, 403, 204, 204]),
    // API: spaces.
    ("GET", "/api/v1/communities/{slug}/spaces", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/spaces", r#"{"name":"Space {who}","slug":"sp-{who}"}"#, [401, 403, 404, 403, 201, 201]),
    ("GET", "/api/v1/communities/{slug}/spaces/{space}", "", [404, 200, 404, 200, 200, 200]),
    ("PATCH", "/api/v1/communities/{slug}/spaces/{space}", r#"{"description":"Changed"}"#, [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/spaces/{space}/join", "", [401, 204, 404, 204, 204, 403]),
    ("POST", "/api/v1/communities/{slug}/spaces/{space}/leave", "", [401, 204, 404, 204, 204, 204]),
    // Discussions. {topic} is a question by the member in the members-only space, {post} a
    // reply to it by the member. A superadmin reads everything but takes part (posts, reacts,
    // accepts) only as a member of the community.
    ("GET", "/c/{slug}/s/{space}/new-topic", "", [LOGIN, 200, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/s/{space}/topics", "title=Topic+by+{who}&body=Hello&tags=", [LOGIN, 303, 404, 303, 303, 403]),
    ("GET", "/c/{slug}/t/{topic}", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/t/{topic}/replies", "body=A+reply&reply_to=", [LOGIN, 303, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/t/{topic}/accept", "post_id={post}", [LOGIN, 303, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/t/{topic}/moderate", "action=pin", [LOGIN, 403, 404, 303, 303, 303]),
    // Moving to the same space changes nothing (303 all the same); merging needs another topic
    // ({other}, a second topic in the members-only space).
    ("POST", "/c/{slug}/t/{topic}/move", "space=room", [LOGIN, 403, 404, 303, 303, 303]),
    ("POST", "/c/{slug}/t/{topic}/merge", "into={other}", [LOGIN, 403, 404, 303, 303, 303]),
    ("POST", "/api/v1/topics/{id}/move", r#"{"space":"room"}"#, [401, 403, 404, 200, 200, 200]),
    ("POST", "/api/v1/topics/{id}/merge", r#"{"into":"{other}"}"#, [401, 403, 404, 200, 200, 200]),
    ("GET", "/c/{slug}/posts/{post}/edit", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/posts/{post}/edit", "body=Changed+by+{who}", [LOGIN, 303, 404, 403, 403, 403]),
    ("POST", "/c/{slug}/posts/{post}/delete", "", [LOGIN, 303, 404, 303, 303, 303]),
    ("POST", "/c/{slug}/posts/{post}/react", "reaction=like", [LOGIN, 303, 404, 303, 303, 403]),
    ("GET", "/c/{slug}/search", "", [404, 200, 404, 200, 200, 200]),
    // Feeds are for readers without cookies: only what an anonymous visitor may read, so the
    // private community's members-only space has none, whoever asks.
    ("GET", "/c/{slug}/s/{space}/feed.atom", "", [404, 404, 404, 404, 404, 404]),
    ("GET", "/c/{slug}/s/{space}/feed.rss", "", [404, 404, 404, 404, 404, 404]),
    ("GET", "/c/{slug}/feed.atom", "", [404, 404, 404, 404, 404, 404]),
    ("GET", "/notifications", "", [LOGIN, 200, 200, 200, 200, 200]),
    // Reading state: following needs membership; bookmarks need read access.
    ("POST", "/c/{slug}/t/{topic}/subscription", "level=following", [LOGIN, 303, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/posts/{post}/bookmark", "topic_id={topic}", [LOGIN, 303, 404, 303, 303, 303]),
    ("GET", "/bookmarks", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/topics/{id}/subscription", r#"{"level":"muted"}"#, [401, 200, 404, 200, 200, 403]),
    ("PUT", "/api/v1/posts/{id}/bookmark", "", [401, 204, 404, 204, 204, 204]),
    ("DELETE", "/api/v1/posts/{id}/bookmark", "", [401, 204, 404, 204, 204, 204]),
    ("GET", "/api/v1/me/bookmarks", "", [401, 200, 200, 200, 200, 200]),
    ("GET", "/settings/notifications", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("POST", "/settings/notifications", "reply=digest", [LOGIN, 303, 303, 303, 303, 303]),
    ("GET", "/api/v1/me/notification-preferences", "", [401, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/me/notification-preferences", r#"{"reaction":"off"}"#, [401, 200, 200, 200, 200, 200]),
    ("POST", "/notifications/read", "", [LOGIN, 303, 303, 303, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/spaces/{space}/topics", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/spaces/{space}/topics", r#"{"title":"Topic by {who}","body":"Hello"}"#, [401, 201, 404, 201, 201, 403]),
    ("GET", "/api/v1/topics/{id}", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/api/v1/topics/{id}/posts", r#"{"body":"A reply"}"#, [401, 201, 404, 201, 201, 403]),
    ("PUT", "/api/v1/topics/{id}/accepted", r#"{"post_id":"{post}"}"#, [401, 204, 404, 204, 204, 403]),
    ("POST", "/api/v1/topics/{id}/moderation", r#"{"action":"pin"}"#, [401, 403, 404, 204, 204, 204]),
    ("PATCH", "/api/v1/posts/{id}", r#"{"body":"Changed by {who}"}"#, [401, 200, 404, 403, 403, 403]),
    ("DELETE", "/api/v1/posts/{id}", "", [401, 204, 404, 204, 204, 204]),
    ("GET", "/api/v1/posts/{id}/revisions", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/api/v1/posts/{id}/reactions", "", [404, 200, 404, 200, 200, 200]),
    ("PUT", "/api/v1/posts/{id}/reactions/{reaction}", "", [401, 204, 404, 204, 204, 403]),
    ("DELETE", "/api/v1/posts/{id}/reactions/{reaction}", "", [401, 204, 404, 204, 204, 403]),
    ("GET", "/api/v1/communities/{slug}/search", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/topics", "", [404, 200, 404, 200, 200, 200]),
    // What is unread is tracked for members only.
    ("GET", "/api/v1/communities/{slug}/unread", "", [401, 200, 404, 200, 200, 403]),
    ("PUT", "/api/v1/communities/{slug}/spaces/{space}/subscription", r#"{"level":"muted"}"#, [401, 200, 404, 200, 200, 403]),
    ("GET", "/api/v1/notifications", "", [401, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/notifications/read", "", [401, 200, 200, 200, 200, 200]),
    // API: files. The body is the `community` field of a multipart upload; a superadmin who
    // is not a member may read the community's files but not add to them.
    ("POST", "/api/v1/files", "council", [401, 201, 404, 201, 201, 403]),
    // Engagement tools. {prompt} is a prompt the owner scheduled; prompts are the admins'
    // tool, featuring and the welcome list the moderators'.
    ("GET", "/c/{slug}/prompts", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/prompts", "space=room&title=Prompt+by+{who}&body=Hello&run_at={future_local}", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/prompts/{prompt}/cancel", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/posts/{post}/feature", "shout_out=Thank+you", [LOGIN, 403, 404, 303, 303, 303]),
    ("POST", "/c/{slug}/posts/{post}/unfeature", "", [LOGIN, 403, 404, 303, 303, 303]),
    // Moderation: {post} is the member's, who cannot flag their own post; a superadmin who is
    // not a member moderates but does not flag. The audit log is for admins.
    ("POST", "/c/{slug}/posts/{post}/flag", "reason=spam", [LOGIN, 422, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/posts/{post}/moderation", "action=approve&reason=Fine+as+it+is", [LOGIN, 403, 404, 303, 303, 303]),
    ("GET", "/c/{slug}/moderation", "", [LOGIN, 403, 404, 200, 200, 200]),
    ("GET", "/c/{slug}/moderation/log", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("GET", "/c/{slug}/moderation/log.csv", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/posts/{id}/flags", r#"{"reason":"spam"}"#, [401, 422, 404, 201, 201, 403]),
    ("POST", "/api/v1/posts/{id}/moderation", r#"{"action":"approve","reason":"Fine as it is"}"#, [401, 403, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/moderation/queue", "", [401, 403, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/moderation/log", "", [401, 403, 404, 403, 200, 200]),
    // {user_id} is a plain member; {id} is a mute on them. Warnings leave nothing to undo.
    ("POST", "/c/{slug}/members/{user_id}/sanction", "kind=warn&reason=Rule+1", [LOGIN, 403, 404, 303, 303, 303]),
    ("POST", "/c/{slug}/sanctions/{id}/lift", "reason=Served", [LOGIN, 404, 404, 303, 303, 303]),
    ("POST", "/api/v1/communities/{slug}/members/{user_id}/sanctions", r#"{"kind":"warn","reason":"Rule 1"}"#, [401, 403, 404, 201, 201, 201]),
    ("GET", "/api/v1/communities/{slug}/sanctions", "", [401, 403, 404, 200, 200, 200]),
    ("POST", "/api/v1/sanctions/{id}/lift", r#"{"reason":"Served"}"#, [401, 404, 404, 200, 200, 200]),
    // Appeals: {action} is a warning to the member (only they may appeal it); {id} an open appeal.
    ("GET", "/c/{slug}/my-moderation", "", [LOGIN, 200, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/appeals", "action_id={action}&statement=Please+reconsider", [LOGIN, 303, 404, 404, 404, 404]),
    ("POST", "/c/{slug}/appeals/{id}/resolve", "decision=upheld&reason=It+stands", [LOGIN, 404, 404, 303, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/my-moderation", "", [401, 200, 404, 200, 200, 200]),
    // Automatic protection: rules and limits are the admins'; {held} is the member's reply
    // held by a rule ({rule}), which moderators approve or reject (others: not found).
    ("GET", "/c/{slug}/settings/auto-moderation", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings/auto-moderation/rules", "kind=keyword&pattern=word{who}&action=flag&message=", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/auto-moderation/rules/{rule}/delete", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/auto-moderation/limits", "hold_first_posts=0&new_member_days=3&new_member_links=2&new_member_mentions=3&posts_per_minute=6&topics_per_day=10&flags_per_day=20", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/c/{slug}/moderation/held", "", [LOGIN, 403, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/held-posts/{held}/decision", "decision=approve&reason=Fine", [LOGIN, 404, 404, 303, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/auto-moderation", "", [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/auto-moderation/rules", r#"{"kind":"pattern","pattern":"w{who}[0-9]+","action":"hold"}"#, [401, 403, 404, 403, 201, 201]),
    ("DELETE", "/api/v1/communities/{slug}/auto-moderation/rules/{rule}", "", [401, 403, 404, 403, 204, 204]),
    ("PUT", "/api/v1/communities/{slug}/auto-moderation/limits", r#"{"hold_first_posts":0,"new_member_days":3,"new_member_links":2,"new_member_mentions":3,"posts_per_minute":6,"topics_per_day":10,"flags_per_day":20}"#, [401, 403, 404, 403, 200, 200]),
    // Onboarding: the checklist is a member's own (a superadmin who is not a member has none);
    // its settings and funnel are the admins'.
    ("GET", "/c/{slug}/onboarding", "", [LOGIN, 200, 404, 200, 200, 403]),
    ("POST", "/c/{slug}/onboarding/opt-out", "", [LOGIN, 303, 404, 303, 303, 403]),
    ("GET", "/c/{slug}/settings/onboarding", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings/onboarding", "steps=join_space&steps=reply_to_topic&welcome_message=Hello+there&nudge_days=1%2C+3", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/onboarding", "", [401, 200, 404, 200, 200, 403]),
    ("POST", "/api/v1/communities/{slug}/onboarding/opt-out", "", [401, 204, 404, 204, 204, 403]),
    ("GET", "/api/v1/communities/{slug}/onboarding/settings", "", [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/onboarding/settings", r#"{"steps":["join_space"],"welcome_message":"Hello {who}","nudge_days":[2]}"#, [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/onboarding/funnel", "", [401, 403, 404, 403, 200, 200]),
    // Application questions (admins define them; whoever sees the community reads them, as
    // the join form asks them). {application_question} is one the owner made.
    ("GET", "/c/{slug}/settings/application", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings/application", "prompt=Asked+by+{who}&required=yes", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/application/{application_question}", "prompt=Edited+by+{who}&help=Say+more&required=yes", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/application/{application_question}/move", "direction=down", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/application/{application_question}/delete", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/application-questions", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/application-questions", r#"{"prompt":"Asked by {who}","required":false}"#, [401, 403, 404, 403, 201, 201]),
    ("PUT", "/api/v1/communities/{slug}/application-questions/{application_question}", r#"{"prompt":"Edited by {who}","help":"Say more","required":true}"#, [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/application-question-order", r#"{"ids":["{application_question}"]}"#, [401, 403, 404, 403, 200, 200]),
    ("DELETE", "/api/v1/communities/{slug}/application-questions/{application_question}", "", [401, 403, 404, 403, 204, 204]),
    // Importing members (admins). The body is the CSV file (text/csv to the API, a multipart
    // upload to the page); a check writes nothing.
    ("GET", "/c/{slug}/settings/import", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings/import", "email\nnew-{who}@example.org\n", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/imports", "email\nnew-{who}@example.org\n", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/moderation/held", "", [401, 403, 404, 200, 200, 200]),
    ("POST", "/api/v1/held-posts/{held}/decision", r#"{"decision":"reject","reason":"Not here"}"#, [401, 404, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/appeals", r#"{"action_id":"{action}","statement":"Please reconsider"}"#, [401, 201, 404, 404, 404, 404]),
    ("GET", "/api/v1/communities/{slug}/appeals", "", [401, 403, 404, 200, 200, 200]),
    ("POST", "/api/v1/appeals/{id}/resolve", r#"{"decision":"upheld","reason":"It stands"}"#, [401, 404, 404, 200, 200, 200]),
    // The moderators' view of a member and their private notes: {user_id} is a plain member.
    ("GET", "/c/{slug}/members/{user_id}/moderation", "", [LOGIN, 403, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/members/{user_id}/notes", "body=Fixture+note", [LOGIN, 403, 404, 303, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/members/{user_id}/moderation", "", [401, 403, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/members/{user_id}/notes", "", [401, 403, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/members/{user_id}/notes", r#"{"body":"Fixture note"}"#, [401, 403, 404, 201, 201, 201]),
    // A moderator's edit of the member's post {post} / {id}, with a reason.
    ("POST", "/c/{slug}/posts/{post}/moderator-edit", "body=Edited+by+{who}&reason=Removed+a+phone+number", [LOGIN, 403, 404, 303, 303, 303]),
    ("POST", "/api/v1/posts/{id}/moderator-edit", r#"{"body":"Edited by {who}","reason":"Removed a phone number"}"#, [401, 403, 404, 200, 200, 200]),
    // Flags on a profile ({user_id}, a plain member the owner flagged: moderators may close
    // that flag) and on the event {event} / {id} (the owner's). A superadmin who is not a
    // member moderates but does not flag.
    ("GET", "/c/{slug}/members/{user_id}", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/members/{user_id}/flag", "reason=spam", [LOGIN, 303, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/events/{event}/flag", "reason=spam", [LOGIN, 303, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/moderation/reports/resolve", "target_kind=user&target_id={user_id}&outcome=dismissed&reason=Fine", [LOGIN, 403, 404, 303, 303, 303]),
    ("POST", "/api/v1/communities/{slug}/members/{user_id}/flags", r#"{"reason":"spam"}"#, [401, 201, 404, 201, 201, 403]),
    ("POST", "/api/v1/events/{id}/flags", r#"{"reason":"spam"}"#, [401, 201, 404, 201, 201, 403]),
    ("GET", "/api/v1/communities/{slug}/moderation/reports", "", [401, 403, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/moderation/reports/resolve", r#"{"target_kind":"user","target_id":"{user_id}","outcome":"dismissed","reason":"Fine"}"#, [401, 403, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/my-flags", "", [401, 200, 404, 200, 200, 200]),
    // Automatic hiding: moderators read the threshold, admins change it.
    ("POST", "/c/{slug}/moderation/settings", "auto_hide_flags=4", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/moderation/settings", "", [401, 403, 404, 200, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/moderation/settings", r#"{"auto_hide_flags":4}"#, [401, 403, 404, 403, 200, 200]),
    ("GET", "/c/{slug}/welcome", "", [LOGIN, 403, 404, 200, 200, 200]),
    ("POST", "/c/{slug}/welcome/space", "space=room", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/prompts", "", [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/prompts", r#"{"space":"room","title":"Prompt by {who}","body":"Hello","run_at":"{future}"}"#, [401, 403, 404, 403, 201, 201]),
    ("DELETE", "/api/v1/communities/{slug}/prompts/{prompt}", "", [401, 403, 404, 403, 204, 204]),
    ("PUT", "/api/v1/posts/{id}/feature", r#"{"shout_out":"Thank you"}"#, [401, 403, 404, 204, 204, 204]),
    ("DELETE", "/api/v1/posts/{id}/feature", "", [401, 403, 404, 204, 204, 204]),
    ("GET", "/api/v1/communities/{slug}/newcomers", "", [401, 403, 404, 200, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/introductions", r#"{"space":"room"}"#, [401, 403, 404, 403, 204, 204]),
    // Analytics: the community's admins only.
    ("GET", "/c/{slug}/analytics", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics/series.csv", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics/events.csv", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics/figures.csv", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics/daily.csv", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics/cohorts.csv", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics/acquisition.csv", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/analytics/lists", "", [401, 403, 404, 403, 200, 200]),
    // Without `list` the admins get 422: which list to export is theirs to say.
    ("GET", "/api/v1/communities/{slug}/analytics/lists.csv", "", [401, 403, 404, 403, 422, 422]),
    // The monthly leadership report: admins; the month is one already begun.
    ("GET", "/c/{slug}/analytics/report", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/analytics/report/notes", "month=2020-01&highlights=Hello+{who}&insights=", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/analytics/report/recipients", "month=2020-01&recipients={email}", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/analytics/report", "", [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/analytics/report/notes", r#"{"month":"2020-01","highlights":"Hello {who}"}"#, [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/analytics/report/recipients", r#"{"recipients":["lead@example.org"]}"#, [401, 403, 404, 403, 200, 200]),
    // The pulse check: moderators and admins.
    ("GET", "/c/{slug}/pulse", "", [LOGIN, 403, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/pulse", "", [401, 403, 404, 200, 200, 200]),
    // Invitations: the admins' tool ({id} is an invite link the owner made); whoever holds
    // the link ({token}) may see what it opens and join through it, even the private
    // community's outsiders.
    ("GET", "/c/{slug}/invitations", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/invitations", "source=newsletter&campaign=spring&expires_in_days=7&max_uses=", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/invitations/email", "emails=new-{who}%40example.org&source=&campaign=", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/invitations/{id}/revoke", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/invite/{token}", "", [200, 200, 200, 200, 200, 200]),
    ("POST", "/invite/{token}", "", [LOGIN, 303, 303, 303, 303, 303]),
    ("GET", "/api/v1/communities/{slug}/invitations", "", [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/invitations", r#"{"source":"newsletter","max_uses":10}"#, [401, 403, 404, 403, 201, 201]),
    ("POST", "/api/v1/communities/{slug}/invitations/email", r#"{"emails":["new-{who}@example.org"]}"#, [401, 403, 404, 403, 200, 200]),
    ("DELETE", "/api/v1/communities/{slug}/invitations/{id}", "", [401, 403, 404, 403, 204, 204]),
    ("GET", "/api/v1/invitations/{token}", "", [200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/invitations/{token}/accept", "", [401, 200, 200, 200, 200, 200]),
    // Events ({space} is the events space `agenda` here; the member is registered for
    // {event}, so their second registration is a conflict and only they can cancel).
    ("GET", "/c/{slug}/s/{space}/events/new", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/s/{space}/events", "title=Event+by+{who}&format=meetup&starts_at={future_local}&ends_at={future_local_end}&venue=Hall", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/c/{slug}/events/{event}", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/c/{slug}/events/{event}/edit", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/events/{event}/edit", "title=Edited+by+{who}&format=meetup&starts_at={future_local}&ends_at={future_local_end}&venue=Hall", [LOGIN, 403, 404, 403, 303, 303]),
    // Cover pictures: the form without a picture is a field error for hosts.
    ("GET", "/c/{slug}/events/{event}/cover", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/events/{event}/cover", "", [LOGIN, 403, 404, 403, 422, 422]),
    ("POST", "/c/{slug}/events/{event}/cover/delete", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/events/{id}/cover", "", [404, 404, 404, 404, 404, 404]),
    ("PUT", "/api/v1/events/{id}/cover", r#"{"file":"not multipart"}"#, [401, 403, 404, 403, 422, 422]),
    ("DELETE", "/api/v1/events/{id}/cover", "", [401, 403, 404, 403, 204, 204]),
    ("POST", "/c/{slug}/events/{event}/register", "", [LOGIN, 409, 404, 303, 303, 403]),
    ("POST", "/c/{slug}/events/{event}/cancel", "", [LOGIN, 303, 404, 409, 409, 409]),
    ("GET", "/c/{slug}/events/{event}/event.ics", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/spaces/{space}/events", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/c/{slug}/events", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/events", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/spaces/{space}/events", r#"{"title":"Event by {who}","format":"meetup","starts_at":"{future_local}","ends_at":"{future_local_end}","venue":"Hall"}"#, [401, 403, 404, 403, 201, 201]),
    ("GET", "/api/v1/events/{id}", "", [404, 200, 404, 200, 200, 200]),
    ("PUT", "/api/v1/events/{id}", r#"{"title":"Edited by {who}","format":"meetup","starts_at":"{future_local}","ends_at":"{future_local_end}","venue":"Hall"}"#, [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/events/{id}/registration", "", [401, 409, 404, 200, 200, 403]),
    ("DELETE", "/api/v1/events/{id}/registration", "", [401, 204, 404, 409, 409, 409]),
    // Calling an event off: hosts only, with a reason.
    ("POST", "/c/{slug}/events/{event}/cancel-event", "reason=Venue+flooded", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/api/v1/events/{id}/cancel", r#"{"reason":"Venue flooded"}"#, [401, 403, 404, 403, 200, 200]),
    // A recurring series ({id}) in the same space: seen as its events are, edited and
    // cancelled by their hosts.
    ("GET", "/api/v1/event-series/{id}", "", [404, 200, 404, 200, 200, 200]),
    ("PUT", "/api/v1/event-series/{id}", r#"{"title":"Edited by {who}","format":"meetup","starts_at":"{future_local}","ends_at":"{future_local_end}","venue":"Hall"}"#, [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/event-series/{id}/cancel", r#"{"reason":"Venue flooded"}"#, [401, 403, 404, 403, 200, 200]),
    // Attendance: hosts only. The event is two days ahead and check-in opens an hour before,
    // so a host's check-in is refused (422); {code} is not a real check-in code (404).
    ("GET", "/c/{slug}/events/{event}/attendance", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("GET", "/c/{slug}/events/{event}/registrants.csv", "", [LOGIN, 403, 404, 403, 200, 200]),
    // Hosts and speakers ({user_id} is the target member, a co-host of {event}; {speaker}
    // one of its speakers).
    ("GET", "/c/{slug}/events/{event}/people", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/events/{event}/hosts", "handle=nobody_here", [LOGIN, 403, 404, 403, 422, 422]),
    ("POST", "/c/{slug}/events/{event}/hosts/{user_id}/remove", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/speakers", "name=Speaker+by+{who}", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/speakers/{speaker}/remove", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/events/{id}/people", "", [404, 200, 404, 200, 200, 200]),
    ("PUT", "/api/v1/events/{id}/hosts/{user_id}", "", [401, 403, 404, 403, 200, 200]),
    ("DELETE", "/api/v1/events/{id}/hosts/{user_id}", "", [401, 403, 404, 403, 204, 204]),
    ("POST", "/api/v1/events/{id}/speakers", r#"{"name":"Speaker by {who}"}"#, [401, 403, 404, 403, 201, 201]),
    ("DELETE", "/api/v1/events/{id}/speakers/{speaker}", "", [401, 403, 404, 403, 204, 204]),
    ("POST", "/c/{slug}/events/{event}/attendance", "user_id=nobody&present=1", [LOGIN, 403, 404, 403, 422, 422]),
    ("GET", "/c/{slug}/events/{event}/check-in/{code}", "", [LOGIN, 403, 404, 403, 404, 404]),
    ("POST", "/c/{slug}/events/{event}/check-in/{code}", "", [LOGIN, 403, 404, 403, 404, 404]),
    ("GET", "/api/v1/events/{id}/attendance", "", [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/events/{id}/attendance/{user_id}", r#"{"present":true}"#, [401, 403, 404, 403, 422, 422]),
    // During an event ({event} is an AMA, so its Q&A board is open; {question} is the
    // member's, {poll} an open single-choice poll with {option} among its options). The board
    // and polls are for registrants (the member) and hosts; taking part (asking, voting) for
    // registrants and hosts who are members, so not a superadmin from outside.
    ("GET", "/c/{slug}/events/{event}/live", "", [LOGIN, 200, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/events/{event}/questions", "body=A+question+from+{who}", [LOGIN, 303, 404, 403, 303, 403]),
    ("POST", "/c/{slug}/events/{event}/questions/{question}/vote", "", [LOGIN, 303, 404, 403, 303, 403]),
    ("POST", "/c/{slug}/events/{event}/questions/{question}/answer", "answer=Yes", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/questions/{question}/hide", "hidden=1", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/polls", "question=Which+day&option=Monday&option=Tuesday&choice=single&results=after_vote&open=1", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/polls/{poll}/status", "status=closed", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/polls/{poll}/vote", "option={option}", [LOGIN, 303, 404, 403, 303, 403]),
    ("GET", "/api/v1/events/{id}/questions", "", [401, 200, 404, 403, 200, 200]),
    ("POST", "/api/v1/events/{id}/questions", r#"{"body":"A question from {who}"}"#, [401, 201, 404, 403, 201, 403]),
    ("PUT", "/api/v1/events/{id}/questions/{question}/vote", "", [401, 200, 404, 403, 200, 403]),
    ("DELETE", "/api/v1/events/{id}/questions/{question}/vote", "", [401, 200, 404, 403, 200, 403]),
    ("PUT", "/api/v1/events/{id}/questions/{question}/answer", r#"{"answered":true,"answer":"Yes"}"#, [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/events/{id}/questions/{question}/hidden", r#"{"hidden":true}"#, [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/events/{id}/polls", "", [401, 200, 404, 403, 200, 200]),
    ("POST", "/api/v1/events/{id}/polls", r#"{"question":"Which day?","options":["Monday","Tuesday"],"open":true}"#, [401, 403, 404, 403, 201, 201]),
    ("PUT", "/api/v1/events/{id}/polls/{poll}/status", r#"{"status":"closed"}"#, [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/events/{id}/polls/{poll}/ballot", r#"{"option_ids":["{option}"]}"#, [401, 201, 404, 403, 201, 403]),
    // After an event: hosts attach materials and publish the recap (in the members-only
    // discussion space, which a superadmin from outside does not post in); whoever sees the
    // event opens the recording (a counting redirect). The event is ahead, so asking for
    // feedback and archiving the AMA are refused (422), and nobody attended it yet, so
    // feedback is refused to all (403).
    ("GET", "/c/{slug}/events/{event}/followup", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/events/{event}/recording", "url=https%3A%2F%2Fvideo.example.org%2F{who}", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/c/{slug}/events/{event}/recording", "", [404, 303, 404, 303, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/resources", "title=Slides&url=https%3A%2F%2Fslides.example.org%2F{who}", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/recap", "space=room&title=Recap+by+{who}&body=It+went+well", [LOGIN, 403, 404, 403, 303, 403]),
    ("POST", "/c/{slug}/events/{event}/feedback-request", "", [LOGIN, 403, 404, 403, 422, 422]),
    ("GET", "/c/{slug}/events/{event}/feedback", "", [LOGIN, 403, 404, 403, 403, 403]),
    ("POST", "/c/{slug}/events/{event}/feedback", "rating=5&comment=Great", [LOGIN, 403, 404, 403, 403, 403]),
    ("POST", "/c/{slug}/events/{event}/ama-archive", "space=room", [LOGIN, 403, 404, 403, 422, 422]),
    ("GET", "/api/v1/events/{id}/followup", "", [404, 200, 404, 200, 200, 200]),
    ("PUT", "/api/v1/events/{id}/recording", r#"{"url":"https://video.example.org/{who}"}"#, [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/events/{id}/resources", r#"{"title":"Slides","url":"https://slides.example.org/{who}"}"#, [401, 403, 404, 403, 201, 201]),
    ("POST", "/api/v1/events/{id}/recap", r#"{"space":"room","body":"It went well"}"#, [401, 403, 404, 403, 201, 403]),
    ("POST", "/api/v1/events/{id}/feedback-request", "", [401, 403, 404, 403, 422, 422]),
    ("PUT", "/api/v1/events/{id}/feedback", r#"{"rating":5}"#, [401, 403, 404, 403, 403, 403]),
    ("GET", "/api/v1/events/{id}/feedback", "", [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/events/{id}/ama-archive", r#"{"space":"room"}"#, [401, 403, 404, 403, 422, 422]),
    // What happens on its own after the event (hosts); uploading the recording's file (hosts:
    // a body that is not multipart is a field error); the uploaded recording's player source
    // (whoever sees the event; this event has no uploaded recording: 404).
    ("POST", "/c/{slug}/events/{event}/followup-settings", "feedback_delay=30", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/events/{event}/recording/upload", "", [LOGIN, 403, 404, 403, 422, 422]),
    ("GET", "/c/{slug}/events/{event}/recording/media", "", [404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/events/{id}/followup-settings", "", [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/events/{id}/followup-settings", r#"{"feedback_delay_minutes":30}"#, [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/events/{id}/recording/file", r#"{"file":"not multipart"}"#, [401, 403, 404, 403, 422, 422]),
    // Calendars: one's own; feeds by secret token (not a real one here: 404), and the
    // community's public feed, which a private community does not have (404 for everyone).
    ("GET", "/calendar", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("POST", "/calendar/feed", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("GET", "/calendar/{token}/events.ics", "", [404, 404, 404, 404, 404, 404]),
    ("GET", "/c/{slug}/calendar.ics", "", [404, 404, 404, 404, 404, 404]),
    // Member profiles: one's own profile; answers to the community's fields (members; a
    // superadmin who is not a member has none to give); the fields themselves, which admins
    // define ({field_id} is one the owner made); a member's profile and the directory.
    ("GET", "/settings/profile", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("POST", "/settings/profile", "headline=Hello+from+{who}&show_details=on", [LOGIN, 303, 303, 303, 303, 303]),
    ("GET", "/c/{slug}/profile", "", [LOGIN, 200, 404, 200, 200, 403]),
    ("POST", "/c/{slug}/profile", "", [LOGIN, 303, 404, 303, 303, 403]),
    ("GET", "/c/{slug}/settings/profile-fields", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings/profile-fields", "label=Field+by+{who}&kind=text&visibility=members", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/profile-fields/{field_id}", "label=Renamed+by+{who}&visibility=members", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/profile-fields/{field_id}/delete", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/api/v1/me/profile", "", [401, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/me/profile", r#"{"headline":"Hello from {who}"}"#, [401, 200, 200, 200, 200, 200]),
    // Pictures: a body that is not multipart is a field error.
    ("POST", "/settings/profile/avatar", "", [LOGIN, 422, 422, 422, 422, 422]),
    ("POST", "/settings/profile/avatar/delete", "", [LOGIN, 303, 303, 303, 303, 303]),
    ("PUT", "/api/v1/me/avatar", r#"{"file":"not multipart"}"#, [401, 422, 422, 422, 422, 422]),
    ("DELETE", "/api/v1/me/avatar", "", [401, 204, 204, 204, 204, 204]),
    ("GET", "/api/v1/communities/{slug}/profile-fields", "", [404, 200, 404, 200, 200, 200]),
    // What joining asks: whoever can see the community (the private one: not outsiders).
    ("GET", "/api/v1/communities/{slug}/joining-fields", "", [404, 200, 404, 200, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/profile-fields", r#"{"label":"Field by {who}","kind":"text","visibility":"members"}"#, [401, 403, 404, 403, 201, 201]),
    ("PUT", "/api/v1/communities/{slug}/profile-fields/{field_id}", r#"{"label":"Renamed by {who}","visibility":"members"}"#, [401, 403, 404, 403, 200, 200]),
    ("DELETE", "/api/v1/communities/{slug}/profile-fields/{field_id}", "", [401, 403, 404, 403, 204, 204]),
    ("GET", "/api/v1/communities/{slug}/profile-answers", "", [401, 200, 404, 200, 200, 403]),
    ("PUT", "/api/v1/communities/{slug}/profile-answers", r#"{"answers":{}}"#, [401, 204, 404, 204, 204, 403]),
    ("GET", "/api/v1/communities/{slug}/members/{user_id}/profile", "", [404, 200, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/directory", "", [404, 200, 404, 200, 200, 200]),
    // Membership tiers: the admins' work; {tier} is a tier without spaces and {user_id} (the
    // target member) holds it, so giving them a tier again is a conflict (409); the page's form
    // gives the plain member one. Members read their own tier; staff read members' tiers.
    ("GET", "/c/{slug}/settings/tiers", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings/tiers", "name=Tier+by+{who}&period_months=12&reminder_days=14", [LOGIN, 403, 404, 403, 303, 303]),
    ("GET", "/c/{slug}/settings/tiers/{tier}", "", [LOGIN, 403, 404, 403, 200, 200]),
    ("POST", "/c/{slug}/settings/tiers/{tier}", "name=Renamed+by+{who}&period_months=12", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/tiers/{tier}/archive", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/tiers/members", "member=member%40example.org&tier={tier}", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/settings/tiers/defaults", "reminder_days=30%2C+7", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/members/{user_id}/tier/renew", "", [LOGIN, 403, 404, 403, 303, 303]),
    ("POST", "/c/{slug}/members/{user_id}/tier/end", "", [LOGIN, 403, 404, 403, 303, 303]),
    // The Membership page lists the tiers on offer: members only (a superadmin who is not a
    // member is told to join, as on the profile page).
    ("GET", "/c/{slug}/membership", "", [LOGIN, 200, 404, 200, 200, 403]),
    // Asking for another tier: members; {tier} is the one the fixture's tier, which callers
    // do not hold, so members are sent back with the notice sent (303).
    ("POST", "/c/{slug}/membership/request", "tier={tier}&message=Please", [LOGIN, 303, 404, 303, 303, 403]),
    // Changing a member's tier: admins; the target holds {tier} already, so a change to it is
    // refused on its merits (422) once the caller is allowed.
    ("POST", "/c/{slug}/members/{user_id}/tier/change", "tier={tier}", [LOGIN, 403, 404, 403, 422, 422]),
    // Cancelling a scheduled change: admins; the fixture's member has none scheduled (404).
    ("POST", "/c/{slug}/members/{user_id}/tier/change/cancel", "", [LOGIN, 403, 404, 403, 404, 404]),
    ("GET", "/api/v1/communities/{slug}/tiers", "", [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/tiers", r#"{"name":"Tier by {who}"}"#, [401, 403, 404, 403, 201, 201]),
    ("PUT", "/api/v1/communities/{slug}/tiers/{tier}", r#"{"name":"Renamed by {who}"}"#, [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/tiers/{tier}/archive", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/tier-members", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/tier-churn", "", [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/tier-defaults", "", [401, 403, 404, 403, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/tier-defaults", r#"{"reminder_days":[30,7]}"#, [401, 403, 404, 403, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/membership", "", [401, 200, 404, 200, 200, 200]),
    ("GET", "/api/v1/communities/{slug}/members/{user_id}/tier", "", [401, 403, 404, 200, 200, 200]),
    ("PUT", "/api/v1/communities/{slug}/members/{user_id}/tier", r#"{"tier":"{tier}"}"#, [401, 403, 404, 403, 409, 409]),
    ("DELETE", "/api/v1/communities/{slug}/members/{user_id}/tier", "", [401, 403, 404, 403, 204, 204]),
    ("POST", "/api/v1/communities/{slug}/members/{user_id}/tier/renewals", "{}", [401, 403, 404, 403, 200, 200]),
    ("POST", "/api/v1/communities/{slug}/members/{user_id}/tier/change", r#"{"tier":"{tier}"}"#, [401, 403, 404, 403, 422, 422]),
    ("DELETE", "/api/v1/communities/{slug}/members/{user_id}/tier/change", "", [401, 403, 404, 403, 404, 404]),
    ("GET", "/api/v1/communities/{slug}/membership/tiers", "", [401, 200, 404, 200, 200, 403]),
    ("POST", "/api/v1/communities/{slug}/membership/change-requests", r#"{"tier":"{tier}"}"#, [401, 204, 404, 204, 204, 403]),
    // The realtime stream, asked for with WebSocket upgrade headers: 101 Switching Protocols
    // for anyone signed in (topics are checked per subscription), 401 for anonymous callers.
    ("GET", "/api/v1/stream", "", [401, 101, 101, 101, 101, 101]),
];

/// Routes whose effect on the fixture would change the next caller's answer: a fresh
/// fixture per caller.
fn fresh_per_caller(method: &str, path: &str) -> bool {
    path.contains("/requests/{user_id}/")
        || path.ends_with("/delete")
        || path.ends_with("/cancel")
        || path.ends_with("/cancel-event")
        || (method == "DELETE" && path.ends_with("/registration"))
        || path.ends_with("/merge")
        || path.ends_with("/lift")
        || path.ends_with("/resolve")
        || (method == "DELETE" && path.contains("/prompts/"))
        || (method == "DELETE" && path == "/api/v1/posts/{id}")
        || path.ends_with("/decision")
        || (method == "DELETE" && path.contains("/auto-moderation/rules/"))
        || (method == "DELETE" && path.contains("/profile-fields/"))
        || (method == "DELETE" && path.contains("/application-questions/"))
        || path.ends_with("/polls/{poll}/status")
        || path.ends_with("/recap")
        || path.ends_with("/tier/end")
        || path.ends_with("/settings/tiers/members")
        || (method == "DELETE" && path.ends_with("/tier"))
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/v1/")
}

#[test]
fn the_table_lists_exactly_the_registered_routes() {
    let registered: Vec<(String, String)> = townsquare_web::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let listed: Vec<(String, String)> = TABLE
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = registered.iter().filter(|r| !listed.contains(r)).collect();
    let stale: Vec<_> = listed.iter().filter(|r| !registered.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization table: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes that are no longer registered: {stale:?}"
    );
    let mut seen = std::collections::HashSet::new();
    for (m, p, _, _) in TABLE {
        assert!(seen.insert((m, p)), "{m} {p} is listed twice");
    }
}

/// One fixture: the app, who is who, and how each caller authenticates.
struct Fixture {
    t: TestApp,
    member_token_id: String,
    topic_id: String,
    post_id: String,
    prompt_id: String,
    /// A second topic in the members-only space (the merge target).
    other_topic_id: String,
    target_id: String,
    pending_id: String,
    file_id: String,
    /// An invite link to the private community, and its token.
    invitation_id: String,
    invite_token: String,
    /// A mute on the target member, for lifting.
    sanction_id: String,
    /// A warning to the member they have not appealed, and an open appeal of another.
    action_id: String,
    appeal_id: String,
    /// An AMA in the events space `agenda`, with the member registered, a question of the
    /// member's on its board, an open poll (and one of its options) and a recording.
    event_id: String,
    question_id: String,
    poll_id: String,
    option_id: String,
    /// An automatic rule, and the member's reply it holds for approval.
    rule_id: String,
    held_id: String,
    /// A custom profile field of the community (optional, members see the answers).
    field_id: String,
    /// A membership tier (unlocking no space) that the target member holds.
    tier_id: String,
    /// An application question of the community (required).
    application_question_id: String,
    /// A speaker of the event (the target member co-hosts it).
    speaker_id: String,
    /// A weekly series of two dates in `agenda`.
    series_id: String,
    /// Per caller (table column): e-mail, API token, session (token, csrf).
    callers: Vec<Caller>,
}

struct Caller {
    email: String,
    token: Option<String>,
    session: Option<String>,
}

async fn user(t: &TestApp, email: &str, name: &str, superadmin: bool) -> Actor {
    t.app
        .create_user(email, name, PASSWORD, superadmin)
        .await
        .expect("create user")
}

async fn fixture(api: bool) -> Fixture {
    let t = TestApp::spawn().await;
    let owner = user(&t, "owner@example.org", "Owner", false).await;
    t.app
        .create_community(
            &owner,
            &CommunityInput {
                name: "Council".into(),
                slug: "council".into(),
                // Private once everyone's request is in: outsiders cannot find it to ask.
                visibility: "public".into(),
                join_policy: "approval".into(),
                accent_color: "#4f46e5".into(),
                ..Default::default()
            },
        )
        .await
        .expect("community c");
    t.app
        .create_space(
            &owner,
            "council",
            &SpaceInput {
                name: "Members room".into(),
                slug: "room".into(),
                kind: "discussion".into(),
                visibility: "members".into(),
                ..Default::default()
            },
        )
        .await
        .expect("space s");

    // Members of c: join (a request, as c needs approval), approved by the owner, then a role.
    let join = |a: Actor, role: &'static str| {
        let app = t.app.clone();
        let owner = owner.clone();
        async move {
            app.join_community(&a, "council", "", true)
                .await
                .expect("request");
            app.decide_join_request(&owner, "council", &a.user_id, true)
                .await
                .expect("approve");
            if role != "member" {
                app.set_member_role(&owner, "council", &a.user_id, role)
                    .await
                    .expect("role");
            }
            a
        }
    };
    let member = join(
        user(&t, "member@example.org", "Member", false).await,
        "member",
    )
    .await;
    let moderator = join(
        user(&t, "mod@example.org", "Moderator", false).await,
        "moderator",
    )
    .await;
    let admin = join(user(&t, "admin@example.org", "Admin", false).await, "admin").await;
    let target = join(
        user(&t, "target@example.org", "Target", false).await,
        "member",
    )
    .await;
    let pending = user(&t, "pending@example.org", "Pending", false).await;
    t.app
        .join_community(&pending, "council", "please", true)
        .await
        .expect("pending request");

    t.app
        .update_community(
            &owner,
            "council",
            &CommunityInput {
                name: "Council".into(),
                slug: "council".into(),
                visibility: "private".into(),
                join_policy: "approval".into(),
                accent_color: "#4f46e5".into(),
                ..Default::default()
            },
        )
        .await
        .expect("make council private");

    let outsider = user(&t, "out@example.org", "Outsider", false).await;
    t.app
        .create_community(
            &outsider,
            &CommunityInput {
                name: "Elsewhere".into(),
                slug: "elsewhere".into(),
                visibility: "public".into(),
                join_policy: "open".into(),
                accent_color: "#4f46e5".into(),
                ..Default::default()
            },
        )
        .await
        .expect("second community");
    let superadmin = user(&t, "root@example.org", "Root", true).await;
    let file = t
        .app
        .upload_file(
            &member,
            Some("council"),
            townsquare_app::files::Upload {
                filename: "minutes.txt".into(),
                declared_type: "text/plain".into(),
                bytes: "Minutes of the last meeting.".into(),
            },
        )
        .await
        .expect("file");

    let question = t
        .app
        .create_topic(
            &member,
            "council",
            "room",
            &TopicInput {
                title: "How do we run the next meeting?".into(),
                body: "Ideas welcome.".into(),
                is_question: true,
                ..Default::default()
            },
        )
        .await
        .expect("topic");
    let other = t
        .app
        .create_topic(
            &member,
            "council",
            "room",
            &TopicInput {
                title: "Meeting notes".into(),
                body: "Notes go here.".into(),
                ..Default::default()
            },
        )
        .await
        .expect("second topic");
    let reply = t
        .app
        .reply(&member, &question.id, "Let us try a shorter agenda.", None)
        .await
        .expect("reply");
    let rule = t
        .app
        .add_auto_rule(&owner, "council", "keyword", "heldword", "hold", "")
        .await
        .expect("rule");
    let held = t
        .app
        .reply(&member, &question.id, "A heldword reply.", None)
        .await
        .expect("held reply");

    let prompt = t
        .app
        .schedule_prompt(
            &owner,
            "council",
            &PromptInput {
                space: "room".into(),
                title: "What are you working on?".into(),
                body: "Tell us!".into(),
                run_at: Some(t.app.now() + 2 * 86_400_000_000),
            },
        )
        .await
        .expect("prompt");

    let (invitation, invite_token) = t
        .app
        .create_invite_link(
            &owner,
            "council",
            &townsquare_app::invitations::LinkInput::default(),
        )
        .await
        .expect("invite link");

    let sanction = t
        .app
        .sanction_member(
            &owner,
            "council",
            &target.user_id,
            "mute",
            Some(3),
            "Fixture",
        )
        .await
        .expect("sanction");

    for reason in ["Fixture warning one", "Fixture warning two"] {
        t.app
            .sanction_member(&owner, "council", &member.user_id, "warn", None, reason)
            .await
            .expect("warning");
    }
    let (_, about_member) = t
        .app
        .my_moderation(&member, "council")
        .await
        .expect("actions");
    let action_of = |reason: &str| {
        about_member
            .iter()
            .find(|(a, _)| a.reason == reason)
            .map(|(a, _)| a.id.clone())
            .expect("the warning")
    };
    let appeal = t
        .app
        .appeal(
            &member,
            "council",
            &action_of("Fixture warning one"),
            "Please reconsider",
        )
        .await
        .expect("appeal");
    let unappealed_action = action_of("Fixture warning two");
    t.app
        .create_space(
            &owner,
            "council",
            &SpaceInput {
                name: "Agenda".into(),
                slug: "agenda".into(),
                kind: "events".into(),
                visibility: "members".into(),
                ..Default::default()
            },
        )
        .await
        .expect("events space");
    let event = t
        .app
        .create_event(
            &owner,
            "council",
            "agenda",
            &townsquare_domain::events::EventDraft {
                title: "Annual meeting".into(),
                format: "ama".into(),
                starts_at: in_two_days().format("%Y-%m-%dT%H:%M").to_string(),
                ends_at: (in_two_days() + chrono::Duration::hours(2))
                    .format("%Y-%m-%dT%H:%M")
                    .to_string(),
                online_url: "https://meet.example.org/annual".into(),
                ..Default::default()
            },
        )
        .await
        .expect("event");
    t.app
        .register_for_event(&member, &event.id)
        .await
        .expect("registration");
    let series_id = t
        .app
        .create_event_series(
            &owner,
            "council",
            "agenda",
            &townsquare_domain::events::EventDraft {
                title: "Weekly standup".into(),
                format: "meetup".into(),
                starts_at: in_two_days().format("%Y-%m-%dT%H:%M").to_string(),
                ends_at: (in_two_days() + chrono::Duration::hours(1))
                    .format("%Y-%m-%dT%H:%M")
                    .to_string(),
                venue: "Room 1".into(),
                ..Default::default()
            },
            "FREQ=WEEKLY;COUNT=2",
        )
        .await
        .expect("series")[0]
        .series_id
        .clone()
        .expect("series id");
    let event_view = t.app.event(Some(&member), &event.id).await.expect("event");
    let board_question = t
        .app
        .ask_question(&member, &event_view, "What is on the agenda this year?")
        .await
        .expect("question");
    let host_view = t.app.event(Some(&owner), &event.id).await.expect("event");
    let poll = t
        .app
        .create_poll(
            &owner,
            &host_view,
            &townsquare_domain::event_live::PollDraft {
                question: "Which room?".into(),
                options: vec!["Hall".into(), "Garden".into()],
                choice: "single".into(),
                results: "after_vote".into(),
            },
            true,
        )
        .await
        .expect("poll");
    let option_id = t
        .app
        .event_poll(&owner, &host_view, &poll.id)
        .await
        .expect("poll view")
        .options[0]
        .id
        .clone();
    t.app
        .set_recording(&owner, &host_view, "https://video.example.org/annual")
        .await
        .expect("recording");
    t.app
        .add_cohost(&owner, &host_view, &target.user_id)
        .await
        .expect("a co-host");
    let speaker = t
        .app
        .add_speaker(
            &owner,
            &host_view,
            &townsquare_domain::event_hosts::SpeakerDraft {
                name: "Guest speaker".into(),
                ..Default::default()
            },
        )
        .await
        .expect("a speaker");
    t.app
        .flag_member(&owner, "council", &target.user_id, "spam", "")
        .await
        .expect("a flag on the target's profile");

    let (spare, _) = t
        .app
        .create_api_token(&member, "spare")
        .await
        .expect("spare token");

    let profile_field = t
        .app
        .create_profile_field(
            &owner,
            "council",
            townsquare_domain::profiles::FieldDefinitionInput {
                label: "Team".into(),
                kind: "text".into(),
                visibility: "members".into(),
                ..Default::default()
            },
        )
        .await
        .expect("profile field");
    let tier = t
        .app
        .create_tier(
            &owner,
            "council",
            &townsquare_app::membership_tiers::TierInput {
                name: "Patron".into(),
                period_months: "12".into(),
                reminder_days: "14, 3".into(),
                ..Default::default()
            },
        )
        .await
        .expect("tier");
    t.app
        .assign_tier(
            &owner,
            "council",
            &target.user_id,
            &townsquare_app::membership_tiers::AssignInput {
                tier: tier.tier.id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("target's tier");
    let application_question = t
        .app
        .add_application_question(
            &owner,
            "council",
            &townsquare_app::applications::QuestionInput {
                prompt: "What brings you here?".into(),
                help: String::new(),
                required: true,
            },
        )
        .await
        .expect("application question");
    let mut callers = vec![Caller {
        email: "anonymous@example.org".into(),
        token: None,
        session: None,
    }];
    for a in [&member, &outsider, &moderator, &admin, &superadmin] {
        let (token, session) = if api {
            let (_, token) = t.app.create_api_token(a, "tests").await.expect("token");
            (Some(token), None)
        } else {
            let (_, s) = t
                .app
                .log_in(&a.email, PASSWORD, "192.0.2.1", CredentialKind::Session)
                .await
                .expect("session");
            (None, Some(s.into_session().expect("a session").token))
        };
        callers.push(Caller {
            email: a.email.clone(),
            token,
            session,
        });
    }
    Fixture {
        t,
        member_token_id: spare.id,
        topic_id: question.id,
        post_id: reply.id,
        prompt_id: prompt.id,
        other_topic_id: other.id,
        target_id: target.user_id,
        pending_id: pending.user_id,
        file_id: file.id,
        invitation_id: invitation.id,
        invite_token,
        sanction_id: sanction.id,
        action_id: unappealed_action,
        appeal_id: appeal.id,
        event_id: event.id,
        series_id,
        question_id: board_question.id,
        poll_id: poll.id,
        option_id,
        rule_id: rule.id,
        held_id: held.id,
        field_id: profile_field.id,
        tier_id: tier.tier.id,
        application_question_id: application_question.id,
        speaker_id: speaker.id,
        callers,
    }
}

impl Fixture {
    fn path(&self, pattern: &str) -> String {
        let user_id = if pattern.contains("/requests/") {
            &self.pending_id
        } else {
            &self.target_id
        };
        let id = if pattern.starts_with("/api/v1/topics/") {
            &self.topic_id
        } else if pattern.starts_with("/api/v1/posts/") {
            &self.post_id
        } else if pattern.starts_with("/files/") {
            &self.file_id
        } else if pattern.starts_with("/api/v1/events/") {
            &self.event_id
        } else if pattern.starts_with("/api/v1/event-series/") {
            &self.series_id
        } else if pattern.contains("/invitations/{id}") {
            &self.invitation_id
        } else if pattern.contains("/sanctions/{id}") {
            &self.sanction_id
        } else if pattern.contains("/appeals/{id}") {
            &self.appeal_id
        } else {
            &self.member_token_id
        };
        pattern
            .replace("{slug}", "council")
            .replace("{topic}", &self.topic_id)
            .replace("{post}", &self.post_id)
            .replace("{reaction}", "like")
            .replace("{prompt}", &self.prompt_id)
            .replace(
                "{space}",
                if pattern.contains("/events") {
                    "agenda"
                } else {
                    "room"
                },
            )
            .replace("{event}", &self.event_id)
            .replace("{question}", &self.question_id)
            .replace("{poll}", &self.poll_id)
            .replace("{rule}", &self.rule_id)
            .replace("{held}", &self.held_id)
            .replace("{user_id}", user_id)
            .replace("{field_id}", &self.field_id)
            .replace("{tier}", &self.tier_id)
            .replace("{application_question}", &self.application_question_id)
            .replace("{speaker}", &self.speaker_id)
            .replace("{id}", id)
            .replace(
                "{token}",
                if pattern.starts_with("/invite/") || pattern.starts_with("/api/v1/invitations/") {
                    &self.invite_token
                } else {
                    "not-a-reset-token"
                },
            )
            .replace("{file}", "app.css")
    }

    /// Status of one call (LOGIN for a 303 to /login) and a description for failures.
    async fn call(&self, method: &str, pattern: &str, body: &str, who: usize) -> (u16, String) {
        let caller = &self.callers[who];
        let body = body
            .replace("{who}", CALLERS[who])
            .replace("{future}", &in_two_days().to_rfc3339())
            .replace(
                "{future_local_end}",
                &(in_two_days() + chrono::Duration::hours(2))
                    .format("%Y-%m-%dT%H:%M")
                    .to_string(),
            )
            .replace(
                "{future_local}",
                &in_two_days().format("%Y-%m-%dT%H:%M").to_string(),
            )
            .replace("{post}", &self.post_id)
            .replace("{topic}", &self.topic_id)
            .replace("{other}", &self.other_topic_id)
            .replace("{action}", &self.action_id)
            .replace("{option}", &self.option_id)
            .replace("{tier}", &self.tier_id)
            .replace("{application_question}", &self.application_question_id)
            .replace("{user_id}", &self.target_id)
            .replace("{email}", &caller.email.replace('@', "%40"));
        let url = self.t.url(&self.path(pattern));
        let jar = Arc::new(reqwest::cookie::Jar::default());
        if let Some(s) = &caller.session {
            let base: reqwest::Url = self.t.base_url.parse().unwrap();
            jar.add_cookie_str(&format!("ts_session={s}; Path=/"), &base);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar)
            .build()
            .unwrap();
        let mut req = client.request(method.parse().unwrap(), &url);
        if is_api(pattern) {
            if let Some(token) = &caller.token {
                req = req.bearer_auth(token);
            }
            if pattern == "/api/v1/stream" {
                req = req
                    .header("connection", "Upgrade")
                    .header("upgrade", "websocket")
                    .header("sec-websocket-version", "13")
                    .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
            }
            if pattern == "/api/v1/files" {
                let b = "townsquare-authz";
                req = req
                    .header("content-type", format!("multipart/form-data; boundary={b}"))
                    .body(format!(
                        "--{b}\r\nContent-Disposition: form-data; name=\"community\"\r\n\r\n{body}\r\n\
                         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n\
                         Content-Type: text/plain\r\n\r\nNotes from {who}.\r\n--{b}--\r\n",
                        who = CALLERS[who]
                    ));
            } else if pattern.ends_with("/imports") {
                req = req
                    .header("content-type", "text/csv")
                    .body(body.to_string());
            } else if !body.is_empty() {
                req = req
                    .header("content-type", "application/json")
                    .body(body.to_string());
            } else if method != "GET" {
                req = req.header("content-type", "application/json");
            }
        } else if method == "POST" {
            // Load a page first, as a person would, so the CSRF token is known (the sign-up
            // form itself for sign-up, whose signed form stamp goes back with it).
            // (Signed in, /signup redirects, so the log-in page gives the token instead.)
            let load = |path: &'static str| {
                let req = client.get(self.t.url(path));
                async move { req.send().await.unwrap().text().await.unwrap() }
            };
            let mut page = if pattern == "/signup" {
                load("/signup").await
            } else {
                String::new()
            };
            if hidden_field(&page, "csrf_token").is_none() {
                page = load("/login").await;
            }
            let csrf = csrf_of(&page);
            let mut form = if body.is_empty() {
                format!("csrf_token={csrf}")
            } else {
                format!("csrf_token={csrf}&{body}")
            };
            if let Some(stamp) = hidden_field(&page, "form_stamp") {
                form.push_str(&format!("&form_stamp={stamp}"));
            }
            if pattern == "/c/{slug}/settings/import" {
                let b = "townsquare-authz";
                req = req
                    .header("content-type", format!("multipart/form-data; boundary={b}"))
                    .body(format!(
                        "--{b}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
                         --{b}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ninvite\r\n\
                         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n\
                         Content-Type: text/csv\r\n\r\n{body}\r\n--{b}--\r\n"
                    ));
            } else {
                req = req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form);
            }
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = if status == 101 {
            String::new()
        } else {
            res.text().await.unwrap_or_default()
        };
        let got = if status == 303 && location.starts_with("/login") {
            LOGIN
        } else {
            status
        };
        let snippet: String = text.chars().take(300).collect();
        (
            got,
            format!("{status} location={location:?} body={snippet:?}"),
        )
    }
}

fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a CSRF field on the page") + marker.len();
    let end = html[start..].find('"').expect("end of the CSRF value") + start;
    html[start..end].to_string()
}

fn show(s: u16) -> String {
    if s == LOGIN {
        "LOGIN".into()
    } else {
        s.to_string()
    }
}

async fn check(api: bool) {
    let rows: Vec<&Row> = TABLE
        .iter()
        .filter(|(_, p, _, _)| is_api(p) == api)
        .collect();
    let mut failures = Vec::new();
    let shared = fixture(api).await;
    for (method, pattern, body, expected) in rows {
        if *method == "GET" {
            for who in 0..CALLERS.len() {
                let (got, detail) = shared.call(method, pattern, body, who).await;
                if got != expected[who] {
                    failures.push(format!(
                        "{method} {pattern} as {}: expected {}, got {} ({detail})",
                        CALLERS[who],
                        show(expected[who]),
                        show(got)
                    ));
                }
            }
            continue;
        }
        let mut f = fixture(api).await;
        for who in 0..CALLERS.len() {
            if fresh_per_caller(method, pattern) && who > 0 {
                let old = std::mem::replace(&mut f, fixture(api).await);
                old.t.stop().await;
            }
            let (got, detail) = f.call(method, pattern, body, who).await;
            if got != expected[who] {
                failures.push(format!(
                    "{method} {pattern} as {}: expected {}, got {} ({detail})",
                    CALLERS[who],
                    show(expected[who]),
                    show(got)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} authorization mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_page_answers_each_caller_as_the_table_says() {
    check(false).await;
}

#[tokio::test]
async fn every_api_route_answers_each_caller_as_the_table_says() {
    check(true).await;
}

/// A time the scheduling routes accept (UTC).
fn in_two_days() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::days(2)
}
