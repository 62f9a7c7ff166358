using Conference.Web.Accounts;
using Conference.Web.Api;
using Conference.Web.Circuits;
using Conference.Web.Components;
using Conference.Web.Extensions;
using Conference.Web.Meetings;
using Conference.Web.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddContentSecurityPolicy(builder.Configuration);
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();
// Blazor's circuit settings (how long a disconnected circuit is kept before it is evicted and its state persisted) may
// be set under Blazor:Circuit; Blazor's defaults otherwise.
builder.Services.Configure<Microsoft.AspNetCore.Components.Server.CircuitOptions>(builder.Configuration.GetSection("Blazor:Circuit"));

var app = builder.Build();

app.UseForwardedHeaders();
app.UseNoNewCircuitsWhileStopping();
app.Use(CallerAddress.RememberAsync);
// The page's policy, the same as Caddy's, so a page reached without Caddy is protected too.
app.UseContentSecurityPolicy();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found");

app.UseAntiforgery();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    // Our policy already says frame-ancestors 'none'; Blazor's own would be a second, weaker policy header.
    .AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);
app.MapAccountEndpoints();
app.MapParticipantKeyCookie(); // issue 12: the browser keeps its participant key per meeting
app.MapLobbyLeaveBeacon(); // a closed waiting page leaves the lobby at once
app.MapDefaultEndpoints();

app.Run();
