using Conference.Api;
using Conference.Api.Accounts;
using Conference.Api.Analytics;
using Conference.Api.Data;
using Conference.Api.Extensions;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Api.Recordings;
using Conference.Api.Scheduling;
using Conference.Api.Webhooks;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimits();
app.UseAccountSessions();

app.MapDefaultEndpoints();
app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapAccountsApi();
app.MapMeetingsApi(); // every api/meetings/{slug}/… route: join, moderation, recordings, analytics
app.MapRecordingsApi();
app.MapLiveKitWebhooksApi();
app.MapAnalyticsApi();
app.MapMailAndSchedulingApis(); // scheduled meetings, calendar feeds, password reset by mail
app.MapPublicHealth();

await app.MigrateDatabaseAsync();
await app.EnsureRolesAsync();
await app.EnsureAdminSetupCodeAsync();

app.Run();
